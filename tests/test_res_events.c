/* The sqs, events and cloudtrail tables' hooks (event-driven mode's
 * queue, rule and trail): what AWS answers compares equal to the config
 * that made it, config AWS would refuse is refused at validate, and
 * changes become the calls AWS takes (the SQS, EventBridge and CloudTrail
 * API references' request shapes). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "diff.h"
#include "jsonutil.h"
#include "restable.h"
#include "testutil.h"
#include "restest.h"

/* The calls an attribute's plan hook makes; the caller frees them. */
static cJSON *plan(const char *type_name, const char *name, const char *desired_json,
		   const char *added_json, const char *removed_json, const char *live_json)
{
	const res_attr_t *a = attr(type_name, name);
	cJSON *desired = desired_json ? parse(desired_json) : NULL;
	cJSON *added = added_json ? parse(added_json) : NULL;
	cJSON *removed = removed_json ? parse(removed_json) : NULL;
	cJSON *live = parse(live_json ? live_json : "{}"), *calls;
	err_t e;

	ck_assert_ptr_nonnull(a->plan);
	calls = a->plan(a, desired, added, removed, live, &e);
	ck_assert_msg(calls != NULL, "plan failed: %s", e.message);
	cJSON_Delete(desired);
	cJSON_Delete(added);
	cJSON_Delete(removed);
	cJSON_Delete(live);
	return calls;
}

static const char *str_at(const cJSON *v, const char *path)
{
	const cJSON *s = json_get_path(v, path);

	ck_assert_msg(cJSON_IsString(s), "no string at %s", path);
	return s->valuestring;
}

/* ---- sqs.queue ------------------------------------------------------------ */

#define QUEUE_URL "https://sqs.us-east-1.amazonaws.com/111111111111/drift_events"
#define QUEUE_POLICY_OBJ "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"," \
	"\"Principal\":{\"Service\":\"events.amazonaws.com\"},\"Action\":\"sqs:SendMessage\"," \
	"\"Resource\":\"arn:aws:sqs:us-east-1:111111111111:drift_events\"}]}"
/* The same policy as SQS answers it: text, one statement not in a list,
 * the action as a one-element list. */
#define QUEUE_POLICY_TEXT "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":" \
	"{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"Service\\\":" \
	"\\\"events.amazonaws.com\\\"},\\\"Action\\\":[\\\"sqs:SendMessage\\\"]," \
	"\\\"Resource\\\":\\\"arn:aws:sqs:us-east-1:111111111111:drift_events\\\"}}\""

/* Config and the item ListQueues + GetQueueAttributes give; the number of
 * changes diff must find. */
static const struct {
	const char *what, *desired, *live_attrs;
	size_t changes;
} queue_cases[] = {
	{ "numbers in config, SQS's text live",
	  "\"ReceiveMessageWaitTimeSeconds\":20,\"MessageRetentionPeriod\":86400,"
	  "\"SqsManagedSseEnabled\":true",
	  "\"ReceiveMessageWaitTimeSeconds\":\"20\",\"MessageRetentionPeriod\":\"86400\","
	  "\"SqsManagedSseEnabled\":\"true\"", 0 },
	{ "text in config", "\"VisibilityTimeout\":\"60\"", "\"VisibilityTimeout\":\"60\"", 0 },
	{ "a changed long poll", "\"ReceiveMessageWaitTimeSeconds\":20",
	  "\"ReceiveMessageWaitTimeSeconds\":\"0\"", 1 },
	{ "SSE-SQS turned off", "\"SqsManagedSseEnabled\":true",
	  "\"SqsManagedSseEnabled\":\"false\"", 1 },
	{ "AWS's defaults are no drift",
	  "\"VisibilityTimeout\":30,\"MessageRetentionPeriod\":345600,"
	  "\"ReceiveMessageWaitTimeSeconds\":0", "\"QueueArn\":\"arn:q\"", 0 },
	{ "the policy as SQS answers it", "\"Policy\":" QUEUE_POLICY_OBJ,
	  "\"Policy\":" QUEUE_POLICY_TEXT, 0 },
	{ "the policy removed", "\"Policy\":" QUEUE_POLICY_OBJ, "\"QueueArn\":\"arn:q\"", 1 },
	{ "a redrive policy's count as a number either way",
	  "\"RedrivePolicy\":{\"deadLetterTargetArn\":\"arn:dlq\",\"maxReceiveCount\":5}",
	  "\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"arn:dlq\\\","
	  "\\\"maxReceiveCount\\\":5}\"", 0 },
};

START_TEST(queue_settings_compare_as_sqs_keeps_them)
{
	char desired[2048], live[2048];

	snprintf(desired, sizeof(desired), "{\"QueueName\":\"drift_events\",%s}",
		 queue_cases[_i].desired);
	snprintf(live, sizeof(live), "{\"QueueUrl\":\"" QUEUE_URL "\",\"Attributes\":{%s}}",
		 queue_cases[_i].live_attrs);
	ck_assert_msg(changes("sqs.queue", desired, live) == queue_cases[_i].changes,
		      "%s", queue_cases[_i].what);
}
END_TEST

START_TEST(queue_name_is_the_url_last_segment_and_its_arn_is_lifted)
{
	const res_type_t *t = type("sqs.queue");
	cJSON *item = parse("{\"QueueUrl\":\"" QUEUE_URL "\",\"Attributes\":"
			    "{\"QueueArn\":\"arn:aws:sqs:us-east-1:111111111111:drift_events\"}}");
	err_t e;

	ck_assert_int_eq(t->hooks->fix_live(t, item, &e), 0);
	ck_assert_str_eq(str_at(item, "QueueName"), "drift_events");
	/* References read the top level: ${sqs.queue.NAME.QueueArn}. */
	ck_assert_str_eq(str_at(item, "QueueArn"), "arn:aws:sqs:us-east-1:111111111111:drift_events");
	cJSON_Delete(item);
}
END_TEST

START_TEST(queue_setting_change_is_one_set_queue_attributes_of_text)
{
	cJSON *calls = plan("sqs.queue", "ReceiveMessageWaitTimeSeconds", "20", NULL, NULL, NULL);
	const cJSON *p = only_call(calls, "SetQueueAttributes", "QueueUrl");

	ck_assert_str_eq(str_at(p, "Attributes.ReceiveMessageWaitTimeSeconds"), "20");
	ck_assert_int_eq(cJSON_GetArraySize(json_get_path(p, "Attributes")), 1);
	cJSON_Delete(calls);

	calls = plan("sqs.queue", "SqsManagedSseEnabled", "true", NULL, NULL, NULL);
	p = only_call(calls, "SetQueueAttributes", "QueueUrl");
	ck_assert_str_eq(str_at(p, "Attributes.SqsManagedSseEnabled"), "true");
	cJSON_Delete(calls);

	/* The policy goes as its JSON text. */
	calls = plan("sqs.queue", "Policy", QUEUE_POLICY_OBJ, NULL, NULL, NULL);
	p = only_call(calls, "SetQueueAttributes", "QueueUrl");
	ck_assert_ptr_nonnull(strstr(str_at(p, "Attributes.Policy"),
				     "\"Service\":\"events.amazonaws.com\""));
	cJSON_Delete(calls);

	/* Config dropped it: SQS has no unset, nothing to send. */
	calls = plan("sqs.queue", "VisibilityTimeout", NULL, NULL, NULL, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(calls), 0);
	cJSON_Delete(calls);
}
END_TEST

START_TEST(queue_create_sends_every_setting_as_text)
{
	const res_type_t *t = type("sqs.queue");
	cJSON *params = parse("{\"QueueName\":\"q\",\"Attributes\":{"
			      "\"ReceiveMessageWaitTimeSeconds\":20,\"SqsManagedSseEnabled\":true,"
			      "\"VisibilityTimeout\":\"30\",\"Policy\":" QUEUE_POLICY_OBJ "}}");
	err_t e;

	ck_assert_int_eq(t->hooks->fix_create(t, NULL, params, &e), 0);
	ck_assert_str_eq(str_at(params, "Attributes.ReceiveMessageWaitTimeSeconds"), "20");
	ck_assert_str_eq(str_at(params, "Attributes.SqsManagedSseEnabled"), "true");
	ck_assert_str_eq(str_at(params, "Attributes.VisibilityTimeout"), "30");
	ck_assert_ptr_nonnull(strstr(str_at(params, "Attributes.Policy"), "sqs:SendMessage"));
	cJSON_Delete(params);
}
END_TEST

/* The ranges of SetQueueAttributes. */
static const struct {
	const char *name, *value;
	int ok;
} queue_checks[] = {
	{ "ReceiveMessageWaitTimeSeconds", "20", 1 },
	{ "ReceiveMessageWaitTimeSeconds", "\"20\"", 1 },
	{ "ReceiveMessageWaitTimeSeconds", "21", 0 },
	{ "ReceiveMessageWaitTimeSeconds", "\"twenty\"", 0 },
	{ "ReceiveMessageWaitTimeSeconds", "2.5", 0 },
	{ "MessageRetentionPeriod", "86400", 1 },
	{ "MessageRetentionPeriod", "59", 0 },
	{ "MessageRetentionPeriod", "1209601", 0 },
	{ "VisibilityTimeout", "43200", 1 },
	{ "VisibilityTimeout", "-1", 0 },
	{ "SqsManagedSseEnabled", "true", 1 },
	{ "SqsManagedSseEnabled", "\"false\"", 1 },
	{ "SqsManagedSseEnabled", "\"yes\"", 0 },
};

START_TEST(queue_settings_out_of_sqs_ranges_are_refused)
{
	ck_assert_msg((attr_check("sqs.queue", queue_checks[_i].name,
				  queue_checks[_i].value) == 0) == queue_checks[_i].ok,
		      "%s = %s", queue_checks[_i].name, queue_checks[_i].value);
}
END_TEST

START_TEST(queue_has_one_server_side_encryption)
{
	const res_type_t *t = type("sqs.queue");
	cJSON *both = parse("{\"QueueName\":\"q\",\"KmsMasterKeyId\":\"arn:k\","
			    "\"SqsManagedSseEnabled\":true}");
	cJSON *one = parse("{\"QueueName\":\"q\",\"KmsMasterKeyId\":\"arn:k\","
			   "\"SqsManagedSseEnabled\":false}");
	const cJSON *at = NULL;
	err_t e;

	ck_assert_int_ne(t->hooks->check(t, "dev", both, &at, &e), 0);
	ck_assert_ptr_eq(at, cJSON_GetObjectItem(both, "SqsManagedSseEnabled"));
	ck_assert_int_eq(t->hooks->check(t, "dev", one, &at, &e), 0);
	cJSON_Delete(both);
	cJSON_Delete(one);
}
END_TEST

/* ---- events.rule ---------------------------------------------------------- */

#define PATTERN "{\"source\":[\"aws.ec2\",\"aws.s3\"],\"detail-type\":[\"AWS API Call via CloudTrail\"]}"
#define PATTERN_TEXT "\"{\\\"detail-type\\\":[\\\"AWS API Call via CloudTrail\\\"]," \
	"\\\"source\\\":[\\\"aws.ec2\\\",\\\"aws.s3\\\"]}\""
#define TARGET(id, arn) "{\"Id\":\"" id "\",\"Arn\":\"" arn "\"}"

static const struct {
	const char *what, *desired, *live;
	size_t changes;
} rule_cases[] = {
	{ "the pattern as EventBridge keeps it (text, members in any order)",
	  "{\"Name\":\"r\",\"EventPattern\":" PATTERN ",\"State\":\"ENABLED\"}",
	  "{\"Name\":\"r\",\"EventPattern\":" PATTERN_TEXT ",\"State\":\"ENABLED\","
	  "\"Arn\":\"arn:r\",\"EventBusName\":\"default\"}", 0 },
	{ "a source dropped from the pattern",
	  "{\"Name\":\"r\",\"EventPattern\":" PATTERN "}",
	  "{\"Name\":\"r\",\"EventPattern\":\"{\\\"source\\\":[\\\"aws.ec2\\\"],"
	  "\\\"detail-type\\\":[\\\"AWS API Call via CloudTrail\\\"]}\"}", 1 },
	{ "disabled", "{\"Name\":\"r\",\"EventPattern\":" PATTERN ",\"State\":\"ENABLED\"}",
	  "{\"Name\":\"r\",\"EventPattern\":" PATTERN_TEXT ",\"State\":\"DISABLED\"}", 1 },
	{ "targets in another order, with members not compared",
	  "{\"Name\":\"r\",\"EventPattern\":" PATTERN ",\"Targets\":["
	  TARGET("a", "arn:q1") "," TARGET("b", "arn:q2") "]}",
	  "{\"Name\":\"r\",\"EventPattern\":" PATTERN_TEXT ",\"Targets\":["
	  "{\"Id\":\"b\",\"Arn\":\"arn:q2\",\"RetryPolicy\":{\"MaximumRetryAttempts\":185}},"
	  TARGET("a", "arn:q1") "]}", 0 },
	{ "a target someone added",
	  "{\"Name\":\"r\",\"EventPattern\":" PATTERN ",\"Targets\":[" TARGET("a", "arn:q1") "]}",
	  "{\"Name\":\"r\",\"EventPattern\":" PATTERN_TEXT ",\"Targets\":["
	  TARGET("a", "arn:q1") "," TARGET("x", "arn:elsewhere") "]}", 1 },
	{ "a target pointed elsewhere",
	  "{\"Name\":\"r\",\"EventPattern\":" PATTERN ",\"Targets\":[" TARGET("a", "arn:q1") "]}",
	  "{\"Name\":\"r\",\"EventPattern\":" PATTERN_TEXT ",\"Targets\":["
	  TARGET("a", "arn:elsewhere") "]}", 1 },
};

START_TEST(rule_compares_as_eventbridge_keeps_it)
{
	ck_assert_msg(changes("events.rule", rule_cases[_i].desired, rule_cases[_i].live) ==
		      rule_cases[_i].changes, "%s", rule_cases[_i].what);
}
END_TEST

/* PutRule replaces the whole definition: every call carries a pattern,
 * the desired one for a pattern change, else the live one (EventPattern
 * is planned last, so its call wins). */
START_TEST(rule_change_is_one_put_rule_of_the_whole_definition)
{
	cJSON *calls = plan("events.rule", "EventPattern", PATTERN, NULL, NULL,
			    "{\"Name\":\"r\",\"EventPattern\":\"{\\\"source\\\":[\\\"aws.ec2\\\"]}\"}");
	const cJSON *p = only_call(calls, "PutRule", "Name");
	cJSON *sent = parse(str_at(p, "EventPattern"));

	ck_assert_str_eq(str_at(sent, "source.1"), "aws.s3");
	ck_assert_str_eq(str_at(p, "State"), "$attr:State");
	ck_assert_str_eq(str_at(p, "Description"), "$attr:Description");
	cJSON_Delete(sent);
	cJSON_Delete(calls);

	calls = plan("events.rule", "State", "\"ENABLED\"", NULL, NULL,
		     "{\"Name\":\"r\",\"EventPattern\":" PATTERN_TEXT "}");
	p = only_call(calls, "PutRule", "Name");
	ck_assert_ptr_nonnull(strstr(str_at(p, "EventPattern"), "aws.s3"));
	cJSON_Delete(calls);

	ck_assert_str_eq(type("events.rule")->attrs[3].name, "EventPattern");
	ck_assert_ptr_eq(attr("events.rule", "State")->plan,
			 attr("events.rule", "EventPattern")->plan);
}
END_TEST

START_TEST(rule_targets_are_kept_exact)
{
	/* One retargeted (put again under its Id), one added, one removed. */
	cJSON *calls = plan("events.rule", "Targets", NULL,
			    "[" TARGET("a", "arn:q1") "," TARGET("c", "arn:q3") "]",
			    "[" TARGET("a", "arn:old") "," TARGET("x", "arn:elsewhere") "]", NULL);
	const cJSON *rm, *put;

	ck_assert_int_eq(cJSON_GetArraySize(calls), 2);
	rm = cJSON_GetArrayItem(calls, 0);
	put = cJSON_GetArrayItem(calls, 1);
	ck_assert_str_eq(str_at(rm, "op"), "RemoveTargets");
	ck_assert_str_eq(str_at(rm, "params.Rule"), "$id");
	ck_assert_int_eq(cJSON_GetArraySize(json_get_path(rm, "params.Ids")), 1);
	ck_assert_str_eq(str_at(rm, "params.Ids.0"), "x");
	ck_assert_str_eq(str_at(put, "op"), "PutTargets");
	ck_assert_int_eq(cJSON_GetArraySize(json_get_path(put, "params.Targets")), 2);
	ck_assert_str_eq(str_at(put, "params.Targets.1.Arn"), "arn:q3");
	cJSON_Delete(calls);

	/* Before DeleteRule: every live target removed, nothing put. */
	calls = plan("events.rule", "Targets", NULL, NULL,
		     "[" TARGET("a", "arn:q1") "," TARGET("b", "arn:q2") "]", NULL);
	rm = only_call(calls, "RemoveTargets", "Rule");
	ck_assert_int_eq(cJSON_GetArraySize(json_get_path(rm, "Ids")), 2);
	cJSON_Delete(calls);
	ck_assert(attr("events.rule", "Targets")->flags & RES_NOT_IN_CREATE);
}
END_TEST

static const struct {
	const char *targets;
	int ok;
} target_checks[] = {
	{ "[" TARGET("a", "arn:q") "]", 1 },
	{ "[]", 1 },
	{ "[" TARGET("a", "arn:q") "," TARGET("a", "arn:r") "]", 0 },
	{ "[{\"Id\":\"a\"}]", 0 },
	{ "[{\"Arn\":\"arn:q\"}]", 0 },
	{ "[" TARGET("1", "a") "," TARGET("2", "a") "," TARGET("3", "a") ","
	  TARGET("4", "a") "," TARGET("5", "a") "]", 1 },
	{ "[" TARGET("1", "a") "," TARGET("2", "a") "," TARGET("3", "a") ","
	  TARGET("4", "a") "," TARGET("5", "a") "," TARGET("6", "a") "]", 0 },
	{ "{\"Id\":\"a\"}", 0 },
};

START_TEST(rule_targets_need_unique_ids_and_at_most_five)
{
	ck_assert_msg((attr_check("events.rule", "Targets", target_checks[_i].targets) == 0) ==
		      target_checks[_i].ok, "%s", target_checks[_i].targets);
}
END_TEST

START_TEST(rule_arn_is_put_rule_answer_rule_arn)
{
	const res_type_t *t = type("events.rule");
	cJSON *item = parse("{\"Name\":\"r\",\"RuleArn\":\"arn:aws:events:us-east-1:1:rule/r\"}");
	err_t e;

	ck_assert_int_eq(t->hooks->fix_live(t, item, &e), 0);
	ck_assert_str_eq(str_at(item, "Arn"), "arn:aws:events:us-east-1:1:rule/r");
	cJSON_Delete(item);
}
END_TEST

/* ---- cloudtrail.trail ----------------------------------------------------- */

#define TRAIL "\"Name\":\"t\",\"S3BucketName\":\"b\",\"IsMultiRegionTrail\":true"

static const struct {
	const char *what, *desired, *live;
	size_t changes;
} trail_cases[] = {
	{ "as DescribeTrails and GetTrailStatus answer it",
	  "{" TRAIL ",\"EnableLogFileValidation\":true,\"IncludeGlobalServiceEvents\":true,"
	  "\"IsLogging\":true}",
	  "{" TRAIL ",\"LogFileValidationEnabled\":true,\"IncludeGlobalServiceEvents\":true,"
	  "\"IsLogging\":true,\"HomeRegion\":\"us-east-1\",\"TrailARN\":\"arn:t\"}", 0 },
	{ "logging stopped", "{" TRAIL ",\"IsLogging\":true}",
	  "{" TRAIL ",\"IsLogging\":false}", 1 },
	{ "log file validation turned off", "{" TRAIL ",\"EnableLogFileValidation\":true}",
	  "{" TRAIL ",\"LogFileValidationEnabled\":false}", 1 },
	{ "made single-region", "{" TRAIL "}",
	  "{\"Name\":\"t\",\"S3BucketName\":\"b\",\"IsMultiRegionTrail\":false}", 1 },
	{ "AWS's defaults", "{" TRAIL ",\"IncludeGlobalServiceEvents\":true,"
	  "\"EnableLogFileValidation\":false}", "{" TRAIL "}", 0 },
	{ "a key id, answered as the key's ARN", "{" TRAIL ",\"KmsKeyId\":\"1234abcd-12ab\"}",
	  "{" TRAIL ",\"KmsKeyId\":\"arn:aws:kms:us-east-1:1:key/1234abcd-12ab\"}", 0 },
	{ "another key", "{" TRAIL ",\"KmsKeyId\":\"1234abcd-12ab\"}",
	  "{" TRAIL ",\"KmsKeyId\":\"arn:aws:kms:us-east-1:1:key/ffff\"}", 1 },
};

START_TEST(trail_key_is_a_key_not_an_alias)
{
	ck_assert_int_eq(attr_check("cloudtrail.trail", "KmsKeyId",
				    "\"arn:aws:kms:us-east-1:1:key/1234abcd-12ab\""), 0);
	ck_assert_int_eq(attr_check("cloudtrail.trail", "KmsKeyId", "\"1234abcd-12ab\""), 0);
	ck_assert_int_ne(attr_check("cloudtrail.trail", "KmsKeyId", "\"alias/trail\""), 0);
	ck_assert_int_ne(attr_check("cloudtrail.trail", "KmsKeyId",
				    "\"arn:aws:kms:us-east-1:1:alias/trail\""), 0);
}
END_TEST

START_TEST(trail_compares_as_cloudtrail_answers)
{
	ck_assert_msg(changes("cloudtrail.trail", trail_cases[_i].desired, trail_cases[_i].live) ==
		      trail_cases[_i].changes, "%s", trail_cases[_i].what);
}
END_TEST

START_TEST(trail_logging_is_started_and_stopped)
{
	cJSON *calls = plan("cloudtrail.trail", "IsLogging", "true", NULL, NULL, NULL);

	only_call(calls, "StartLogging", "Name");
	cJSON_Delete(calls);
	calls = plan("cloudtrail.trail", "IsLogging", "false", NULL, NULL, NULL);
	only_call(calls, "StopLogging", "Name");
	cJSON_Delete(calls);
	calls = plan("cloudtrail.trail", "IsLogging", NULL, NULL, NULL, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(calls), 0);
	cJSON_Delete(calls);
	/* Read again with each refresh: a stopped trail is seen at once. */
	ck_assert_str_eq(attr("cloudtrail.trail", "IsLogging")->live_read.op, "GetTrailStatus");
	ck_assert(attr("cloudtrail.trail", "IsLogging")->flags & RES_NOT_IN_CREATE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("res_events");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, queue_settings_compare_as_sqs_keeps_them, 0,
			    (int)(sizeof(queue_cases) / sizeof(queue_cases[0])));
	tcase_add_test(tc, queue_name_is_the_url_last_segment_and_its_arn_is_lifted);
	tcase_add_test(tc, queue_setting_change_is_one_set_queue_attributes_of_text);
	tcase_add_test(tc, queue_create_sends_every_setting_as_text);
	tcase_add_loop_test(tc, queue_settings_out_of_sqs_ranges_are_refused, 0,
			    (int)(sizeof(queue_checks) / sizeof(queue_checks[0])));
	tcase_add_test(tc, queue_has_one_server_side_encryption);
	tcase_add_loop_test(tc, rule_compares_as_eventbridge_keeps_it, 0,
			    (int)(sizeof(rule_cases) / sizeof(rule_cases[0])));
	tcase_add_test(tc, rule_change_is_one_put_rule_of_the_whole_definition);
	tcase_add_test(tc, rule_targets_are_kept_exact);
	tcase_add_loop_test(tc, rule_targets_need_unique_ids_and_at_most_five, 0,
			    (int)(sizeof(target_checks) / sizeof(target_checks[0])));
	tcase_add_test(tc, rule_arn_is_put_rule_answer_rule_arn);
	tcase_add_loop_test(tc, trail_compares_as_cloudtrail_answers, 0,
			    (int)(sizeof(trail_cases) / sizeof(trail_cases[0])));
	tcase_add_test(tc, trail_logging_is_started_and_stopped);
	tcase_add_test(tc, trail_key_is_a_key_not_an_alias);
	suite_add_tcase(s, tc);
	return testutil_run(s);
}
