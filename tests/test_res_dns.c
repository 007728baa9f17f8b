/* The route53, acm and sesv2 tables' hooks and normalizers: what AWS
 * answers compares equal to the config that made it. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "jsonutil.h"
#include "resources/resources.h"
#include "restable.h"
#include "restest.h"
#include "testutil.h"

START_TEST(dns_names_compare_lower_case_with_dot_and_escapes_decoded)
{
	char *a = route53_name_canonical("API.Example.com");
	char *b = route53_name_canonical("\\052.example.com.");
	char *c = route53_name_canonical("a\\05");

	ck_assert_str_eq(a, "api.example.com.");
	ck_assert_str_eq(b, "*.example.com.");
	ck_assert_str_eq(c, "a\\05.");
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(record_values_in_another_order_are_in_sync)
{
	ck_assert_uint_eq(changes("route53.record_set",
		"{\"HostedZoneId\":\"Z1\",\"Name\":\"Api.Example.com\",\"Type\":\"A\",\"TTL\":60,"
		"\"ResourceRecords\":[{\"Value\":\"192.0.2.1\"},{\"Value\":\"192.0.2.2\"}]}",
		"{\"HostedZoneId\":\"Z1\",\"Name\":\"api.example.com.\",\"Type\":\"A\",\"TTL\":60,"
		"\"ResourceRecords\":[{\"Value\":\"192.0.2.2\"},{\"Value\":\"192.0.2.1\"}]}"), 0);
	ck_assert_uint_eq(changes("route53.record_set",
		"{\"HostedZoneId\":\"Z1\",\"Name\":\"api.example.com\",\"Type\":\"A\",\"TTL\":60,"
		"\"ResourceRecords\":[{\"Value\":\"192.0.2.1\"}]}",
		"{\"HostedZoneId\":\"Z1\",\"Name\":\"api.example.com.\",\"Type\":\"A\",\"TTL\":60,"
		"\"ResourceRecords\":[{\"Value\":\"192.0.2.9\"}]}"), 1);
}
END_TEST

START_TEST(alias_dns_name_compares_as_a_dns_name)
{
	ck_assert_uint_eq(changes("route53.record_set",
		"{\"HostedZoneId\":\"Z1\",\"Name\":\"example.com\",\"Type\":\"A\",\"AliasTarget\":"
		"{\"HostedZoneId\":\"Z35\",\"DNSName\":\"LB-1.us-east-1.elb.amazonaws.com\","
		"\"EvaluateTargetHealth\":true}}",
		"{\"HostedZoneId\":\"Z1\",\"Name\":\"example.com.\",\"Type\":\"A\",\"AliasTarget\":"
		"{\"HostedZoneId\":\"Z35\",\"DNSName\":\"lb-1.us-east-1.elb.amazonaws.com.\","
		"\"EvaluateTargetHealth\":true}}"), 0);
}
END_TEST

START_TEST(record_check_wants_set_identifier_and_no_ttl_on_alias)
{
	const res_type_t *t = type("route53.record_set");
	cJSON *weighted = parse("{\"Weight\":10,\"ResourceRecords\":[]}");
	cJSON *alias = parse("{\"TTL\":60,\"AliasTarget\":{}}");
	cJSON *ok = parse("{\"SetIdentifier\":\"a\",\"Failover\":\"PRIMARY\",\"AliasTarget\":{}}");
	const cJSON *at = NULL;
	err_t e;

	ck_assert_int_eq(t->hooks->check(t, "dev", weighted, &at, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.message, "SetIdentifier"));
	ck_assert_int_eq(t->hooks->check(t, "dev", alias, &at, &e), -EINVAL);
	ck_assert_int_eq(t->hooks->check(t, "dev", ok, &at, &e), 0);
	cJSON_Delete(weighted);
	cJSON_Delete(alias);
	cJSON_Delete(ok);
}
END_TEST

START_TEST(record_create_keeps_only_the_change_batch)
{
	const res_type_t *t = type("route53.record_set");
	cJSON *params = parse("{\"HostedZoneId\":\"Z1\",\"ChangeBatch\":{\"Changes\":[]},"
			      "\"Name\":\"x\",\"TTL\":60}");
	err_t e;

	ck_assert_int_eq(t->hooks->fix_create(t, NULL, params, &e), 0);
	ck_assert_int_eq(cJSON_GetArraySize(params), 2);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(params, "ChangeBatch"));
	ck_assert_str_eq(t->batch.list, "ChangeBatch.Changes");
	ck_assert_str_eq(t->create_item, "ChangeBatch.Changes.0.ResourceRecordSet");
	cJSON_Delete(params);
}
END_TEST

START_TEST(record_changes_are_one_whole_upsert)
{
	const res_type_t *t = type("route53.record_set");
	const res_attr_t *ttl = res_type_attr(t, "TTL");
	cJSON *want = cJSON_CreateNumber(30), *calls;
	err_t e;

	calls = ttl->plan(ttl, want, NULL, NULL, NULL, &e);
	ck_assert_int_eq(cJSON_GetArraySize(calls), 1);
	ck_assert_str_eq(json_get_path(calls, "0.params.ChangeBatch.Changes.0.Action")->valuestring,
			 "UPSERT");
	ck_assert_str_eq(json_get_path(calls, "0.params.ChangeBatch.Changes.0.ResourceRecordSet.TTL")
			 ->valuestring, "$attr:TTL");
	cJSON_Delete(calls);
	cJSON_Delete(want);
}
END_TEST

START_TEST(zone_id_is_the_bare_id)
{
	const res_type_t *t = type("route53.hosted_zone");
	cJSON *zone = parse("{\"Id\":\"/hostedzone/Z123\",\"Name\":\"example.com.\"}");
	err_t e;

	ck_assert_int_eq(t->hooks->fix_live(t, zone, &e), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(zone, "HostedZoneId")->valuestring, "Z123");
	cJSON_Delete(zone);
	ck_assert_uint_eq(changes("route53.hosted_zone", "{\"Name\":\"Example.COM\"}",
				  "{\"Id\":\"/hostedzone/Z1\",\"Name\":\"example.com.\"}"), 0);
}
END_TEST

START_TEST(health_check_update_leaves_out_create_only_members)
{
	const res_type_t *t = type("route53.health_check");
	const res_attr_t *a = res_type_attr(t, "HealthCheckConfig");
	cJSON *want = parse("{\"Type\":\"HTTPS\",\"RequestInterval\":30,\"ResourcePath\":\"/health\","
			    "\"Port\":443}");
	cJSON *calls;
	err_t e;

	calls = a->plan(a, want, NULL, NULL, NULL, &e);
	ck_assert_str_eq(json_get_path(calls, "0.op")->valuestring, "UpdateHealthCheck");
	ck_assert_ptr_null(json_get_path(calls, "0.params.Type"));
	ck_assert_ptr_null(json_get_path(calls, "0.params.RequestInterval"));
	ck_assert_str_eq(json_get_path(calls, "0.params.ResourcePath")->valuestring, "/health");
	ck_assert_str_eq(json_get_path(calls, "0.params.HealthCheckId")->valuestring, "$id");
	cJSON_Delete(calls);
	cJSON_Delete(want);
}
END_TEST

START_TEST(certificate_sans_leave_out_the_domain_name)
{
	ck_assert_uint_eq(changes("acm.certificate",
		"{\"DomainName\":\"Example.com\",\"SubjectAlternativeNames\":[\"app.example.com\","
		"\"api.example.com\"],\"ValidationMethod\":\"DNS\"}",
		"{\"DomainName\":\"example.com\",\"SubjectAlternativeNames\":[\"example.com\","
		"\"api.example.com\",\"app.example.com\"],\"DomainValidationOptions\":"
		"[{\"ValidationMethod\":\"DNS\"}]}"), 0);
	ck_assert_uint_eq(changes("acm.certificate",
		"{\"DomainName\":\"example.com\",\"ValidationMethod\":\"DNS\"}",
		"{\"DomainName\":\"example.com\",\"DomainValidationOptions\":"
		"[{\"ValidationMethod\":\"EMAIL\"}]}"), 1);
}
END_TEST

START_TEST(email_identity_is_named_from_the_list)
{
	ck_assert_uint_eq(changes("sesv2.email_identity",
		"{\"EmailIdentity\":\"Example.com\",\"MailFromAttributes\":"
		"{\"MailFromDomain\":\"mail.example.com\"}}",
		"{\"IdentityName\":\"example.com\",\"MailFromAttributes\":"
		"{\"MailFromDomain\":\"mail.example.com\",\"MailFromDomainStatus\":\"PENDING\"}}"), 0);
}
END_TEST

START_TEST(certificate_and_identity_checks_wait_for_issue_and_dkim)
{
	const res_type_t *v = type("acm.certificate_validation");
	const res_type_t *s = type("sesv2.email_identity_verification");

	ck_assert_ptr_null(v->create.op);
	ck_assert_str_eq(v->ready, "ISSUED");
	ck_assert_str_eq(s->status_path, "DkimAttributes.Status");
	ck_assert_str_eq(s->ready, "SUCCESS");
}
END_TEST

TESTUTIL_MAIN("res_dns",
	dns_names_compare_lower_case_with_dot_and_escapes_decoded,
	record_values_in_another_order_are_in_sync,
	alias_dns_name_compares_as_a_dns_name,
	record_check_wants_set_identifier_and_no_ttl_on_alias,
	record_create_keeps_only_the_change_batch,
	record_changes_are_one_whole_upsert,
	zone_id_is_the_bare_id,
	health_check_update_leaves_out_create_only_members,
	certificate_sans_leave_out_the_domain_name,
	email_identity_is_named_from_the_list,
	certificate_and_identity_checks_wait_for_issue_and_dkim)
