/* events: what an event queue's message says and which managed resources
 * it touches, as data tables. The envelopes are shaped as the EventBridge
 * User Guide's "AWS API Call via CloudTrail" example and the CloudTrail
 * record contents (userIdentity element, requestParameters,
 * responseElements, resources) give them. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "events.h"
#include "reconcile.h"
#include "restable.h"
#include "testutil.h"

#define ENVELOPE(src, region, detail) \
	"{\"version\":\"0\",\"id\":\"6f87d04b-9f74-4f04-a780-7acf4b0a9b38\"," \
	"\"detail-type\":\"AWS API Call via CloudTrail\",\"source\":\"" src "\"," \
	"\"account\":\"123456789012\",\"time\":\"2026-12-06T05:00:00Z\"," \
	"\"region\":\"" region "\",\"resources\":[],\"detail\":" detail "}"

#define ALICE \
	"\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDAEXAMPLE\"," \
	"\"arn\":\"arn:aws:iam::123456789012:user/alice\",\"accountId\":" \
	"\"123456789012\",\"accessKeyId\":\"AKIAEXAMPLE\",\"userName\":\"alice\"}"

/* AWS's documented shape of an ingress rule added by hand. */
static const char sg_ingress[] = ENVELOPE("aws.ec2", "us-east-1",
	"{\"eventVersion\":\"1.08\"," ALICE ","
	"\"eventTime\":\"2026-12-06T05:00:00Z\",\"eventSource\":"
	"\"ec2.amazonaws.com\",\"eventName\":\"AuthorizeSecurityGroupIngress\","
	"\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"203.0.113.7\","
	"\"userAgent\":\"aws-cli/2.15.0\",\"requestParameters\":{\"groupId\":"
	"\"sg-0123456789abcdef0\",\"ipPermissions\":{\"items\":[{\"ipProtocol\":"
	"\"tcp\",\"fromPort\":22,\"toPort\":22,\"ipRanges\":{\"items\":[{"
	"\"cidrIp\":\"0.0.0.0/0\"}]}}]}},\"responseElements\":{\"requestId\":"
	"\"r-1\",\"_return\":true},\"requestID\":\"r-1\",\"eventID\":"
	"\"e-1\",\"readOnly\":false,\"eventType\":\"AwsApiCall\","
	"\"managementEvent\":true,\"recipientAccountId\":\"123456789012\"}");

/* IAM is global: its events arrive in us-east-1. */
static const char iam_put[] = ENVELOPE("aws.iam", "us-east-1",
	"{" ALICE ",\"eventTime\":\"2026-12-06T05:00:01Z\",\"eventSource\":"
	"\"iam.amazonaws.com\",\"eventName\":\"PutRolePolicy\",\"awsRegion\":"
	"\"us-east-1\",\"sourceIPAddress\":\"203.0.113.7\",\"userAgent\":"
	"\"Boto3/1.34\",\"requestParameters\":{\"roleName\":\"app\","
	"\"policyName\":\"extra\"},\"responseElements\":null,\"readOnly\":false}");

/* An ARN in the record's resources. */
static const char by_resource_arn[] = ENVELOPE("aws.sns", "eu-west-1",
	"{" ALICE ",\"eventTime\":\"2026-12-06T05:00:02Z\",\"eventSource\":"
	"\"sns.amazonaws.com\",\"eventName\":\"SetTopicAttributes\","
	"\"awsRegion\":\"eu-west-1\",\"userAgent\":\"console\","
	"\"requestParameters\":{},\"resources\":[{\"ARN\":"
	"\"arn:aws:sns:eu-west-1:123456789012:alerts\",\"accountId\":"
	"\"123456789012\"}],\"readOnly\":false}");

/* Route 53 names a zone as a path: "/hostedzone/Z1". */
static const char r53_change[] = ENVELOPE("aws.route53", "us-east-1",
	"{" ALICE ",\"eventTime\":\"2026-12-06T05:00:03Z\",\"eventSource\":"
	"\"route53.amazonaws.com\",\"eventName\":\"ChangeResourceRecordSets\","
	"\"awsRegion\":\"us-east-1\",\"userAgent\":\"aws-cli/2\","
	"\"requestParameters\":{\"hostedZoneId\":\"/hostedzone/Z1\"},"
	"\"readOnly\":false}");

static const char own_write[] = ENVELOPE("aws.ec2", "us-east-1",
	"{\"userIdentity\":{\"arn\":\"arn:aws:iam::123456789012:role/driftd\"},"
	"\"eventTime\":\"2026-12-06T05:00:04Z\",\"eventSource\":"
	"\"ec2.amazonaws.com\",\"eventName\":\"RevokeSecurityGroupIngress\","
	"\"awsRegion\":\"us-east-1\",\"userAgent\":\"driftd/0.9 curl\","
	"\"requestParameters\":{\"groupId\":\"sg-0123456789abcdef0\"},"
	"\"readOnly\":false}");

static const char read_only[] = ENVELOPE("aws.ec2", "us-east-1",
	"{" ALICE ",\"eventTime\":\"2026-12-06T05:00:05Z\",\"eventSource\":"
	"\"ec2.amazonaws.com\",\"eventName\":\"DescribeSecurityGroups\","
	"\"awsRegion\":\"us-east-1\",\"userAgent\":\"aws-cli/2\","
	"\"requestParameters\":{\"groupId\":\"sg-0123456789abcdef0\"},"
	"\"readOnly\":true}");

/* An AWS service acting: invokedBy instead of an ARN. */
static const char by_service[] = ENVELOPE("aws.ec2", "eu-west-1",
	"{\"userIdentity\":{\"type\":\"AWSService\",\"invokedBy\":"
	"\"autoscaling.amazonaws.com\"},\"eventTime\":\"2026-12-06T05:00:06Z\","
	"\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":"
	"\"ModifyInstanceAttribute\",\"awsRegion\":\"eu-west-1\","
	"\"userAgent\":\"autoscaling.amazonaws.com\",\"requestParameters\":"
	"{\"instanceId\":\"i-1\"},\"readOnly\":false}");

static const char scheduled[] =
	"{\"version\":\"0\",\"id\":\"x\",\"detail-type\":\"Scheduled Event\","
	"\"source\":\"aws.events\",\"detail\":{}}";

typedef struct parse_case {
	const char *name, *body;
	ev_kind_t   kind;
	const char *region, *event, *principal, *user_agent, *source_prefix;
	time_t      when;
	const char *has_id;      /* one identifier it must have kept */
} parse_case_t;

static const parse_case_t parse_cases[] = {
	{ "sg ingress by another user", sg_ingress, EV_API_CALL, "us-east-1",
	  "AuthorizeSecurityGroupIngress", "arn:aws:iam::123456789012:user/alice",
	  "aws-cli/2.15.0", "ec2", 1796533200, "sg-0123456789abcdef0" },
	{ "global iam call", iam_put, EV_API_CALL, "us-east-1", "PutRolePolicy",
	  "arn:aws:iam::123456789012:user/alice", "Boto3/1.34", "iam",
	  1796533201, "app" },
	{ "resources arn", by_resource_arn, EV_API_CALL, "eu-west-1",
	  "SetTopicAttributes", "arn:aws:iam::123456789012:user/alice",
	  "console", "sns", 1796533202,
	  "arn:aws:sns:eu-west-1:123456789012:alerts" },
	{ "driftd's own revert", own_write, EV_OWN, "us-east-1",
	  "RevokeSecurityGroupIngress", "arn:aws:iam::123456789012:role/driftd",
	  "driftd/0.9 curl", "ec2", 1796533204, NULL },
	{ "a read", read_only, EV_READ_ONLY, "us-east-1",
	  "DescribeSecurityGroups", NULL, NULL, "ec2", 1796533205, NULL },
	{ "an aws service", by_service, EV_API_CALL, "eu-west-1",
	  "ModifyInstanceAttribute", "autoscaling.amazonaws.com", NULL, "ec2",
	  1796533206, "i-1" },
	{ "another detail-type", scheduled, EV_OTHER, "", "", NULL, NULL, "",
	  0, NULL },
	{ "not json", "{\"detail-type\": ", EV_MALFORMED, "", "", NULL, NULL,
	  "", 0, NULL },
	{ "an array", "[1,2]", EV_MALFORMED, "", "", NULL, NULL, "", 0, NULL },
	{ "no detail", "{\"detail-type\":\"AWS API Call via CloudTrail\"}",
	  EV_MALFORMED, "", "", NULL, NULL, "", 0, NULL },
	{ "detail without eventName",
	  "{\"detail-type\":\"AWS API Call via CloudTrail\",\"detail\":"
	  "{\"eventSource\":\"ec2.amazonaws.com\"}}", EV_MALFORMED, "", "",
	  NULL, NULL, "", 0, NULL },
	{ "eventName not a string",
	  "{\"detail-type\":\"AWS API Call via CloudTrail\",\"detail\":"
	  "{\"eventName\":7,\"eventSource\":\"ec2.amazonaws.com\"}}",
	  EV_MALFORMED, "", "", NULL, NULL, "", 0, NULL },
};

START_TEST(a_message_is_read_for_what_it_is_and_who_made_it)
{
	const parse_case_t *c = &parse_cases[_i];
	ev_event_t ev;
	err_t e;
	size_t k;
	int found = 0;

	err_clear(&e);
	ck_assert_int_eq(ev_parse(c->body, strlen(c->body), NULL, &ev, &e), 0);
	ck_assert_msg(ev.kind == c->kind, "%s: kind %s", c->name,
		      ev_kind_name(ev.kind));
	ck_assert_int_eq(e.code != 0, c->kind == EV_MALFORMED);
	if (c->kind == EV_MALFORMED || c->kind == EV_OTHER) {
		ck_assert_uint_eq(ev.n_ids, 0);
		return;
	}
	ck_assert_str_eq(ev.region, c->region);
	ck_assert_str_eq(ev.change.event_name, c->event);
	ck_assert_str_eq(ev.source_prefix, c->source_prefix);
	ck_assert_int_eq((long)ev.change.event_time, (long)c->when);
	if (c->principal)
		ck_assert_str_eq(ev.change.principal, c->principal);
	if (c->user_agent)
		ck_assert_str_eq(ev.change.user_agent, c->user_agent);
	for (k = 0; k < ev.n_ids; k++)
		found |= c->has_id && !strcmp(ev.ids[k], c->has_id);
	ck_assert_msg(found == (c->has_id != NULL), "%s: id %s", c->name,
		      c->has_id ? c->has_id : "(none expected)");
	ev_event_free(&ev);
}
END_TEST

START_TEST(a_message_larger_than_sqs_allows_is_malformed)
{
	static char big[EV_BODY_MAX + 2];
	ev_event_t ev;
	err_t e;

	memset(big, ' ', sizeof(big));
	err_clear(&e);
	ck_assert_int_eq(ev_parse(big, sizeof(big), NULL, &ev, &e), 0);
	ck_assert_int_eq(ev.kind, EV_MALFORMED);
}
END_TEST

START_TEST(identifiers_are_bounded_and_deduplicated)
{
	char body[16384];
	size_t off, i;
	ev_event_t ev;
	err_t e;

	off = (size_t)snprintf(body, sizeof(body), "{\"detail-type\":\"AWS "
			       "API Call via CloudTrail\",\"detail\":{"
			       "\"eventName\":\"X\",\"eventSource\":"
			       "\"ec2.amazonaws.com\",\"requestParameters\":{"
			       "\"same\":[\"a\",\"a\",\"a\"],\"many\":[");
	for (i = 0; i < 200; i++)
		off += (size_t)snprintf(body + off, sizeof(body) - off,
					"%s\"id-%zu\"", i ? "," : "", i);
	snprintf(body + off, sizeof(body) - off, "]}}}");
	err_clear(&e);
	ck_assert_int_eq(ev_parse(body, strlen(body), NULL, &ev, &e), 0);
	ck_assert_int_eq(ev.kind, EV_API_CALL);
	ck_assert_uint_eq(ev.n_ids, EV_IDS_MAX);
	ck_assert_str_eq(ev.ids[0], "a");
	ck_assert_str_eq(ev.ids[1], "id-0");
	ev_event_free(&ev);
}
END_TEST

/* ---- matching ---------------------------------------------------------- */

static const ev_managed_t estate[] = {
	{ "ec2.security_group.web", "us-east-1", "ec2",
	  { "sg-0123456789abcdef0", "web" } },
	{ "ec2.security_group.web_eu", "eu-west-1", "ec2",
	  { "sg-0123456789abcdef0" } },
	{ "iam.role.app", "us-east-1", "iam",
	  { "app", "arn:aws:iam::123456789012:role/app", "app" } },
	{ "sns.topic.alerts", "eu-west-1", "sns",
	  { "arn:aws:sns:eu-west-1:123456789012:alerts", "alerts" } },
	{ "route53.hosted_zone.main", "us-east-1", "route53", { "Z1" } },
	/* A short name another service's path ends with. */
	{ "ec2.vpc.zero", "us-east-1", "ec2", { "vpc-9", "0" } },
	{ "logs.log_group.z1", "us-east-1", "logs", { "Z1x" } },
};

typedef struct match_case {
	const char *name, *body;
	const char *want[4];      /* addresses, in estate order */
} match_case_t;

static const match_case_t match_cases[] = {
	/* "0.0.0.0/0" ends in "0": the same service, so the VPC named "0"
	 * matches too; a reconcile of one more is the price of a name. */
	{ "sg by id, in its region only", sg_ingress,
	  { "ec2.security_group.web", "ec2.vpc.zero" } },
	{ "iam role by name, global in us-east-1", iam_put,
	  { "iam.role.app" } },
	{ "topic by the record's resource ARN", by_resource_arn,
	  { "sns.topic.alerts" } },
	{ "zone by the last segment of its path", r53_change,
	  { "route53.hosted_zone.main" } },
	{ "driftd's own write touches nothing", own_write, { NULL } },
	{ "a read touches nothing", read_only, { NULL } },
	{ "an unmanaged instance touches nothing", by_service, { NULL } },
};

START_TEST(an_event_touches_the_managed_resources_it_names)
{
	const match_case_t *c = &match_cases[_i];
	size_t out[8], n, k, want = 0;
	ev_event_t ev;
	err_t e;

	err_clear(&e);
	ck_assert_int_eq(ev_parse(c->body, strlen(c->body), NULL, &ev, &e), 0);
	n = ev_match(&ev, estate, sizeof(estate) / sizeof(estate[0]), out, 8);
	while (want < 4 && c->want[want])
		want++;
	ck_assert_msg(n == want, "%s: %zu matched, %zu wanted", c->name, n,
		      want);
	for (k = 0; k < n; k++)
		ck_assert_str_eq(estate[out[k]].address, c->want[k]);
	ev_event_free(&ev);
}
END_TEST

START_TEST(a_path_segment_does_not_match_another_services_name)
{
	/* route53's "/hostedzone/Z1" ends in "Z1"; a logs group called
	 * "Z1" would match only an exact string or a logs event. */
	static const ev_managed_t other[] = {
		{ "logs.log_group.z1", "us-east-1", "logs", { "Z1" } },
	};
	size_t out[2];
	ev_event_t ev;
	err_t e;

	err_clear(&e);
	ck_assert_int_eq(ev_parse(r53_change, strlen(r53_change), NULL, &ev,
				  &e), 0);
	ck_assert_uint_eq(ev_match(&ev, other, 1, out, 2), 0);
	ev_event_free(&ev);
}
END_TEST

START_TEST(managed_resources_are_known_by_id_arn_and_names_in_a_copy)
{
	const res_type_t *role = res_table_find("iam.role");
	config_resource_t res;
	rec_item_t items[3];
	rec_result_t r;
	ev_managed_t *m;
	size_t n;
	int rc;

	ck_assert_ptr_nonnull(role);
	memset(items, 0, sizeof(items));
	memset(&res, 0, sizeof(res));
	memset(&r, 0, sizeof(r));
	items[0].address = "iam.role.app";
	items[0].type = role;
	items[0].res = &res;
	items[0].region = "us-east-1";
	items[0].id = "app";
	items[0].live = cJSON_Parse("{\"RoleName\":\"app\",\"Arn\":"
				    "\"arn:aws:iam::123456789012:role/app\"}");
	/* Not made yet: nothing of it to match. */
	items[1] = items[0];
	items[1].address = "iam.role.new";
	items[1].live = NULL;
	items[1].id = NULL;
	/* An orphan: not managed by this config. */
	items[2] = items[0];
	items[2].address = "iam.role.orphan";
	items[2].res = NULL;
	r.items = items;
	r.n_items = 3;
	m = ev_managed_from(&r, &n, &rc);
	/* The copy outlives the result (a reload frees it). */
	cJSON_Delete(items[0].live);
	memset(items, 0, sizeof(items));
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(m[0].address, "iam.role.app");
	ck_assert_str_eq(m[0].region, "us-east-1");
	ck_assert_str_eq(m[0].service_prefix, "iam");
	ck_assert_str_eq(m[0].names[0], "app");
	ck_assert_str_eq(m[0].names[1], "arn:aws:iam::123456789012:role/app");
	ck_assert_str_eq(m[0].names[2], "app");
	free(m);
}
END_TEST

typedef struct arn_case {
	const char *arn, *region, *account, *name;
} arn_case_t;

static const arn_case_t arn_cases[] = {
	{ "arn:aws:sqs:us-east-1:123456789012:drift-events", "us-east-1",
	  "123456789012", "drift-events" },
	{ "arn:aws-cn:sqs:cn-north-1:123456789012:q.fifo", "cn-north-1",
	  "123456789012", "q.fifo" },
	{ "arn:aws:sns:us-east-1:123456789012:topic", NULL, NULL, NULL },
	{ "arn:aws:sqs:us-east-1:12345678901x:q", NULL, NULL, NULL },
	{ "arn:aws:sqs::123456789012:q", NULL, NULL, NULL },
	{ "arn:aws:sqs:us-east-1:123456789012:", NULL, NULL, NULL },
	{ "arn:aws:sqs:us-east-1:123456789012:a:b", NULL, NULL, NULL },
	{ "https://sqs.us-east-1.amazonaws.com/123456789012/q", NULL, NULL,
	  NULL },
};

START_TEST(a_queue_arn_gives_region_account_and_name)
{
	const arn_case_t *c = &arn_cases[_i];
	char region[64], account[16], name[96];
	err_t e;
	int rc;

	err_clear(&e);
	rc = ev_queue_arn_parse(c->arn, region, sizeof(region), account,
				sizeof(account), name, sizeof(name), &e);
	if (!c->region) {
		ck_assert_msg(rc == -EINVAL, "%s accepted", c->arn);
		ck_assert_ptr_nonnull(strstr(e.message, "not an SQS queue ARN"));
		return;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(region, c->region);
	ck_assert_str_eq(account, c->account);
	ck_assert_str_eq(name, c->name);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("events");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, a_message_is_read_for_what_it_is_and_who_made_it,
			    0, (int)(sizeof(parse_cases) / sizeof(parse_cases[0])));
	tcase_add_test(tc, a_message_larger_than_sqs_allows_is_malformed);
	tcase_add_test(tc, identifiers_are_bounded_and_deduplicated);
	tcase_add_loop_test(tc, an_event_touches_the_managed_resources_it_names,
			    0, (int)(sizeof(match_cases) / sizeof(match_cases[0])));
	tcase_add_test(tc, a_path_segment_does_not_match_another_services_name);
	tcase_add_test(tc, managed_resources_are_known_by_id_arn_and_names_in_a_copy);
	tcase_add_loop_test(tc, a_queue_arn_gives_region_account_and_name, 0,
			    (int)(sizeof(arn_cases) / sizeof(arn_cases[0])));
	suite_add_tcase(su, tc);
	return testutil_run(su);
}
