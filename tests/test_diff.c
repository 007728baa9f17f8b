#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "jsonutil.h"
#include "normalize.h"
#include "secret.h"
#include "testutil.h"

static const char *const rule_fields[] = { "IpProtocol", "FromPort", "ToPort",
					   "CidrIp", NULL };

/* A made-up type exercising every attribute kind the engine knows. */
static const res_attr_t attrs[] = {
	{ .name = "CidrBlock", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .normalize = norm_cidr },
	{ .name = "InstanceClass", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, .update_op = "Modify" },
	{ .name = "MultiAZ", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "false" },
	{ .name = "Engine", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .flags = RES_CASE_INSENSITIVE },
	{ .name = "Rules", .live_path = "Permissions", .kind = RES_SET,
	  .mutability = RES_IN_PLACE, .fields = rule_fields },
	{ .name = "Policy", .kind = RES_DOCUMENT, .mutability = RES_IN_PLACE,
	  .normalize = norm_iam_policy },
	{ .name = "Backup", .kind = RES_OBJECT, .mutability = RES_IN_PLACE },
	{ .name = "DesiredSize", .live_path = "Scaling.Desired",
	  .kind = RES_SCALAR, .flags = RES_OWNED_ELSEWHERE },
	{ .name = "Password", .kind = RES_SCALAR,
	  .flags = RES_SENSITIVE | RES_WRITE_ONLY },
	{ .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE },
};

static const res_type_t type = {
	.name = "test.thing", .service = "test", .attrs = attrs,
	.n_attrs = sizeof(attrs) / sizeof(attrs[0]),
};

static const char *live_json =
	"{\"CidrBlock\":\"10.0.0.0/16\",\"InstanceClass\":\"db.t3.medium\","
	"\"Engine\":\"postgres\",\"Scaling\":{\"Desired\":3},"
	"\"Permissions\":[{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,"
	"\"CidrIp\":\"0.0.0.0/0\",\"RuleId\":\"sgr-1\"},"
	"{\"IpProtocol\":\"tcp\",\"FromPort\":80,\"ToPort\":80,\"CidrIp\":\"0.0.0.0/0\"}],"
	"\"Policy\":\"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"s3:GetObject\\\",\\\"Resource\\\":\\\"*\\\"}]}\","
	"\"Backup\":{\"Retention\":7,\"Window\":\"03:00-04:00\",\"Copy\":true},"
	"\"Tags\":[{\"Key\":\"team\",\"Value\":\"platform\"},"
	"{\"Key\":\"aws:cloudformation:stack\",\"Value\":\"x\"},"
	"{\"Key\":\"kubernetes.io/role/elb\",\"Value\":\"1\"},"
	"{\"Key\":\"driftd:address\",\"Value\":\"test.thing.main\"}]}";

static const char *in_sync_json =
	"{\"CidrBlock\":\"10.0.0.0/16\",\"InstanceClass\":\"db.t3.medium\","
	"\"MultiAZ\":false,\"Engine\":\"Postgres\",\"DesiredSize\":1,"
	"\"Password\":\"hunter2\","
	"\"Rules\":[{\"IpProtocol\":\"tcp\",\"FromPort\":80,\"ToPort\":80,\"CidrIp\":\"0.0.0.0/0\"},"
	"{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,\"CidrIp\":\"0.0.0.0/0\"}],"
	"\"Policy\":{\"Statement\":{\"Resource\":[\"*\"],\"Action\":\"S3:GetObject\",\"Effect\":\"Allow\"}},"
	"\"Backup\":{\"Retention\":7},"
	"\"Tags\":{\"team\":\"platform\"}}";

static diff_t *run(const char *desired_json, const diff_opts_t *o)
{
	cJSON *desired = cJSON_Parse(desired_json), *live = cJSON_Parse(live_json);
	diff_t *d = NULL;
	err_t e;

	ck_assert_ptr_nonnull(desired);
	ck_assert_ptr_nonnull(live);
	ck_assert_int_eq(diff_resource(&type, desired, live, o, &d, &e), 0);
	cJSON_Delete(desired);
	cJSON_Delete(live);
	return d;
}

/* Swap one top-level member of the in-sync config. */
static diff_t *run_with(const char *member, const char *value_json)
{
	cJSON *desired = cJSON_Parse(in_sync_json);
	char *txt;
	diff_t *d;

	json_set_path(desired, member, cJSON_Parse(value_json));
	txt = cJSON_PrintUnformatted(desired);
	d = run(txt, NULL);
	free(txt);
	cJSON_Delete(desired);
	return d;
}

START_TEST(equal_meaning_is_in_sync)
{
	diff_t *d = run(in_sync_json, NULL);

	ck_assert_uint_eq(d->n_changes, 0);
	ck_assert_int_eq(d->replace, 0);
	diff_free(d);
}
END_TEST

START_TEST(changed_scalar_is_an_in_place_update)
{
	diff_t *d = run_with("InstanceClass", "\"db.r6g.large\"");

	ck_assert_uint_eq(d->n_changes, 1);
	ck_assert_str_eq(d->changes[0].attr->name, "InstanceClass");
	ck_assert_int_eq(d->changes[0].kind, DIFF_UPDATE);
	ck_assert_str_eq(d->changes[0].desired->valuestring, "db.r6g.large");
	ck_assert_str_eq(d->changes[0].live->valuestring, "db.t3.medium");
	diff_free(d);
}
END_TEST

START_TEST(replace_only_attribute_marks_the_diff_replace)
{
	diff_t *d = run_with("CidrBlock", "\"10.1.0.0/16\"");

	ck_assert_uint_eq(d->n_changes, 1);
	ck_assert_int_eq(d->changes[0].kind, DIFF_REPLACE);
	ck_assert_int_eq(d->replace, 1);
	diff_free(d);
}
END_TEST

START_TEST(absent_live_value_compares_with_the_aws_default)
{
	diff_t *d = run_with("MultiAZ", "true");

	ck_assert_uint_eq(d->n_changes, 1);
	ck_assert_str_eq(d->changes[0].attr->name, "MultiAZ");
	ck_assert(cJSON_IsFalse(d->changes[0].live));
	diff_free(d);
}
END_TEST

START_TEST(create_only_change_is_reported_as_such)
{
	diff_t *d = run_with("Engine", "\"mysql\"");

	ck_assert_uint_eq(d->n_changes, 1);
	ck_assert_int_eq(d->changes[0].kind, DIFF_CREATE_ONLY);
	ck_assert_int_eq(d->replace, 0);
	diff_free(d);
}
END_TEST

START_TEST(set_difference_lists_added_and_removed_elements)
{
	diff_t *d = run_with("Rules",
		"[{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,\"CidrIp\":\"0.0.0.0/0\"},"
		"{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"CidrIp\":\"10.0.0.0/8\"}]");
	char *added, *removed;

	ck_assert_uint_eq(d->n_changes, 1);
	added = json_canonical(d->changes[0].added);
	removed = json_canonical(d->changes[0].removed);
	ck_assert_str_eq(added, "[{\"CidrIp\":\"10.0.0.0/8\",\"FromPort\":22,\"IpProtocol\":\"tcp\",\"ToPort\":22}]");
	ck_assert_str_eq(removed, "[{\"CidrIp\":\"0.0.0.0/0\",\"FromPort\":80,\"IpProtocol\":\"tcp\",\"ToPort\":80}]");
	free(added);
	free(removed);
	diff_free(d);
}
END_TEST

START_TEST(policy_document_compared_semantically)
{
	diff_t *d = run_with("Policy",
		"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"*\"}]}");

	ck_assert_uint_eq(d->n_changes, 1);
	ck_assert_str_eq(d->changes[0].attr->name, "Policy");
	diff_free(d);
}
END_TEST

START_TEST(nested_object_compares_only_configured_members)
{
	diff_t *d = run_with("Backup", "{\"Retention\":1}");
	char *live;

	ck_assert_uint_eq(d->n_changes, 1);
	live = json_canonical(d->changes[0].live);
	ck_assert_str_eq(live, "{\"Retention\":7}");
	free(live);
	diff_free(d);
}
END_TEST

START_TEST(removed_or_changed_tag_is_drift_but_foreign_tags_are_not)
{
	diff_t *d = run_with("Tags", "{\"team\":\"data\",\"cost-center\":\"42\"}");
	char *added;

	ck_assert_uint_eq(d->n_changes, 1);
	added = json_canonical(d->changes[0].added);
	ck_assert_str_eq(added, "{\"cost-center\":\"42\",\"team\":\"data\"}");
	free(added);
	diff_free(d);
}
END_TEST

START_TEST(ownership_tags_are_checked_too)
{
	cJSON *extra = cJSON_Parse("{\"driftd:address\":\"test.thing.main\","
				   "\"driftd:env\":\"production\"}");
	diff_opts_t o = { .extra_tags = extra };
	diff_t *d = run(in_sync_json, &o);
	char *added;

	ck_assert_uint_eq(d->n_changes, 1);
	added = json_canonical(d->changes[0].added);
	ck_assert_str_eq(added, "{\"driftd:env\":\"production\"}");
	free(added);
	diff_free(d);
	cJSON_Delete(extra);
}
END_TEST

START_TEST(ignore_rules_hide_attributes_and_subpaths)
{
	static const char *const ignore[] = { "InstanceClass", "Backup.Retention",
					      "Tags", NULL };
	diff_opts_t o = { .ignore = ignore };
	cJSON *desired = cJSON_Parse(in_sync_json);
	char *txt;
	diff_t *d;

	json_set_path(desired, "InstanceClass", cJSON_CreateString("db.m5.large"));
	json_set_path(desired, "Backup", cJSON_Parse("{\"Retention\":30}"));
	json_set_path(desired, "Tags", cJSON_Parse("{\"team\":\"other\"}"));
	txt = cJSON_PrintUnformatted(desired);
	d = run(txt, &o);
	ck_assert_uint_eq(d->n_changes, 0);
	diff_free(d);
	free(txt);
	cJSON_Delete(desired);
}
END_TEST

START_TEST(invalid_desired_value_is_an_error_naming_the_attribute)
{
	cJSON *desired = cJSON_Parse("{\"CidrBlock\":\"10.0.0/16\"}");
	cJSON *live = cJSON_Parse(live_json);
	diff_t *d = NULL;
	err_t e;

	ck_assert_int_eq(diff_resource(&type, desired, live, NULL, &d, &e), -EINVAL);
	ck_assert_ptr_null(d);
	ck_assert_str_eq(e.message, "cannot compare CidrBlock: invalid CIDR block "
				    "\"10.0.0/16\": not an IPv4 address");
	cJSON_Delete(desired);
	cJSON_Delete(live);
}
END_TEST

/* An OIDC listener as AWS reads it: no ClientSecret (write-only). */
#define OIDC(issuer, secret) \
	"{\"DefaultActions\":[{\"Type\":\"authenticate-oidc\",\"Order\":1," \
	"\"AuthenticateOidcConfig\":{\"Issuer\":\"" issuer "\",\"ClientId\":\"c\"" \
	secret "}}]}"

static int secret_calls;

static int secret_answer(void *ctx, const res_attr_t *a, const cJSON *desired)
{
	secret_calls++;
	ck_assert_str_eq(a->name, "DefaultActions");
	ck_assert_str_eq(cJSON_GetStringValue(json_get_path(desired,
		"0.AuthenticateOidcConfig.ClientSecret")), "s3cret");
	return *(int *)ctx;
}

static size_t oidc_changes(const char *live_issuer, const diff_opts_t *o,
			   int *secret_in_change)
{
	cJSON *desired = cJSON_Parse(OIDC("https://idp", ",\"ClientSecret\":\"s3cret\""));
	cJSON *live = cJSON_Parse(live_issuer);
	diff_t *d = NULL;
	size_t n;
	char *txt;
	err_t e;

	ck_assert_int_eq(diff_resource(res_table_find("elbv2.listener"), desired, live,
				       o, &d, &e), 0);
	n = d->n_changes;
	*secret_in_change = 0;
	if (n) {
		txt = cJSON_PrintUnformatted(d->changes[0].desired);
		*secret_in_change = strstr(txt, "s3cret") != NULL;
		free(txt);
	}
	diff_free(d);
	cJSON_Delete(desired);
	cJSON_Delete(live);
	return n;
}

/* With the engine's fingerprint check wired in, a write-only secret is no
 * perpetual drift, is a change when its fingerprint changed, and other
 * changes still count; unwired, it is compared as before. */
START_TEST(write_only_secret_members_follow_the_fingerprint_check)
{
	const char *same = OIDC("https://idp", ""), *other = OIDC("https://evil", "");
	int answer = 0, in_change;
	diff_opts_t o = { .secret_changed = secret_answer, .secret_ctx = &answer };

	ck_assert_uint_eq(oidc_changes(same, NULL, &in_change), 1);
	ck_assert_uint_eq(oidc_changes(same, &o, &in_change), 0);
	ck_assert_int_eq(secret_calls, 1);
	ck_assert_uint_eq(oidc_changes(other, &o, &in_change), 1);
	ck_assert_int_eq(in_change, 0);
	answer = 1;
	ck_assert_uint_eq(oidc_changes(same, &o, &in_change), 1);
	ck_assert_int_eq(in_change, 0);
}
END_TEST

static char journaled[SECRET_FP_HEX];

static const char *recorded(void *ctx, const char *address, const char *attribute)
{
	(void)ctx;
	ck_assert_str_eq(address, "elbv2.listener.https");
	ck_assert_str_eq(attribute, "DefaultActions");
	return journaled[0] ? journaled : NULL;
}

/* secret_check_changed as the engine would wire it: the first time (no
 * record) the secret is sent; with its fingerprint journaled, it is in
 * sync; another secret is a change again. */
START_TEST(secret_check_compares_the_journaled_fingerprint)
{
	static const unsigned char key[SECRET_KEY_LEN] = { 7 };
	secret_check_t chk = { key, "elbv2.listener.https", recorded, NULL };
	diff_opts_t o = { .secret_changed = secret_check_changed, .secret_ctx = &chk };
	const res_attr_t *a = res_type_attr(res_table_find("elbv2.listener"), "DefaultActions");
	cJSON *desired = cJSON_Parse(OIDC("https://idp", ",\"ClientSecret\":\"s3cret\""));
	const char *same = OIDC("https://idp", "");
	int in_change;

	journaled[0] = 0;
	ck_assert_uint_eq(oidc_changes(same, &o, &in_change), 1);
	ck_assert_int_eq(secret_fingerprint(key, "elbv2.listener.https", a,
					    cJSON_GetObjectItem(desired, "DefaultActions"),
					    journaled), 1);
	ck_assert_uint_eq(oidc_changes(same, &o, &in_change), 0);
	journaled[5] ^= 1;
	ck_assert_uint_eq(oidc_changes(same, &o, &in_change), 1);
	cJSON_Delete(desired);
}
END_TEST

TESTUTIL_MAIN("diff",
	secret_check_compares_the_journaled_fingerprint,
	write_only_secret_members_follow_the_fingerprint_check,
	equal_meaning_is_in_sync,
	changed_scalar_is_an_in_place_update,
	replace_only_attribute_marks_the_diff_replace,
	absent_live_value_compares_with_the_aws_default,
	create_only_change_is_reported_as_such,
	set_difference_lists_added_and_removed_elements,
	policy_document_compared_semantically,
	nested_object_compares_only_configured_members,
	removed_or_changed_tag_is_drift_but_foreign_tags_are_not,
	ownership_tags_are_checked_too,
	ignore_rules_hide_attributes_and_subpaths,
	invalid_desired_value_is_an_error_naming_the_attribute)
