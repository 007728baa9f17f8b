/* The elbv2 and bedrock tables' hooks: what AWS answers (defaults filled
 * in, values in two places) compares equal to the config that made it. */
#include <check.h>
#include <string.h>

#include "diff.h"
#include "jsonutil.h"
#include "restable.h"
#include "restest.h"
#include "testutil.h"

#define REDIRECT_CONFIG \
	"{\"DefaultActions\":[{\"Type\":\"redirect\",\"RedirectConfig\":" \
	"{\"Protocol\":\"HTTPS\",\"Port\":\"443\",\"StatusCode\":\"HTTP_301\"}}]}"

START_TEST(redirect_with_aws_defaults_filled_in_is_in_sync)
{
	ck_assert_uint_eq(changes("elbv2.listener", REDIRECT_CONFIG,
		"{\"DefaultActions\":[{\"Type\":\"redirect\",\"Order\":1,\"RedirectConfig\":"
		"{\"Protocol\":\"HTTPS\",\"Port\":\"443\",\"Host\":\"#{host}\","
		"\"Path\":\"/#{path}\",\"Query\":\"#{query}\",\"StatusCode\":\"HTTP_301\"}}]}"), 0);
}
END_TEST

START_TEST(redirect_changed_to_forward_is_drift)
{
	ck_assert_uint_eq(changes("elbv2.listener", REDIRECT_CONFIG,
		"{\"DefaultActions\":[{\"Type\":\"forward\",\"TargetGroupArn\":\"tg\"}]}"), 1);
	ck_assert_uint_eq(changes("elbv2.listener", REDIRECT_CONFIG,
		"{\"DefaultActions\":[{\"Type\":\"redirect\",\"RedirectConfig\":"
		"{\"Protocol\":\"HTTPS\",\"Port\":\"443\",\"Host\":\"evil.example\","
		"\"StatusCode\":\"HTTP_301\"}}]}"), 1);
}
END_TEST

START_TEST(forward_expanded_to_forward_config_is_in_sync)
{
	const char *config = "{\"Actions\":[{\"Type\":\"forward\",\"TargetGroupArn\":\"tg1\"}]}";

	ck_assert_uint_eq(changes("elbv2.listener_rule", config,
		"{\"Actions\":[{\"Type\":\"forward\",\"TargetGroupArn\":\"tg1\",\"ForwardConfig\":"
		"{\"TargetGroups\":[{\"TargetGroupArn\":\"tg1\",\"Weight\":1}],"
		"\"TargetGroupStickinessConfig\":{\"Enabled\":false}}}]}"), 0);
	ck_assert_uint_eq(changes("elbv2.listener_rule", config,
		"{\"Actions\":[{\"Type\":\"forward\",\"ForwardConfig\":"
		"{\"TargetGroups\":[{\"TargetGroupArn\":\"tg1\",\"Weight\":1},"
		"{\"TargetGroupArn\":\"tg2\",\"Weight\":1}]}}]}"), 1);
}
END_TEST

START_TEST(host_conditions_in_either_place_and_order_are_equal)
{
	const char *config = "{\"Conditions\":[{\"Field\":\"host-header\","
		"\"HostHeaderConfig\":{\"Values\":[\"a.example\",\"b.example\"]}}]}";

	ck_assert_uint_eq(changes("elbv2.listener_rule", config,
		"{\"Conditions\":[{\"Field\":\"host-header\",\"Values\":[\"b.example\",\"a.example\"],"
		"\"HostHeaderConfig\":{\"Values\":[\"b.example\",\"a.example\"]}}]}"), 0);
	ck_assert_uint_eq(changes("elbv2.listener_rule", config,
		"{\"Conditions\":[{\"Field\":\"host-header\",\"Values\":[\"a.example\"]}]}"), 1);
}
END_TEST

START_TEST(rule_priority_string_equals_config_number)
{
	ck_assert_uint_eq(changes("elbv2.listener_rule", "{\"Priority\":10}",
				  "{\"Priority\":\"10\"}"), 0);
	ck_assert_uint_eq(changes("elbv2.listener_rule", "{\"Priority\":10}",
				  "{\"Priority\":\"11\"}"), 1);
}
END_TEST

START_TEST(rule_listener_comes_from_its_arn)
{
	const res_type_t *t = type("elbv2.listener_rule");
	cJSON *live = parse("{\"RuleArn\":\"arn:aws:elasticloadbalancing:us-east-1:1:"
			    "listener-rule/app/web/aaa/bbb/ccc\"}");
	const cJSON *l;
	err_t e;

	ck_assert_int_eq(t->hooks->fix_live(t, live, &e), 0);
	l = cJSON_GetObjectItemCaseSensitive(live, "ListenerArn");
	ck_assert(cJSON_IsString(l));
	ck_assert_str_eq(l->valuestring,
			 "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/web/aaa/bbb");
	cJSON_Delete(live);
	/* Not a rule ARN: nothing made, no crash. */
	live = parse("{\"RuleArn\":\"listener-rule\"}");
	ck_assert_int_eq(t->hooks->fix_live(t, live, &e), 0);
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(live, "ListenerArn"));
	cJSON_Delete(live);
}
END_TEST

START_TEST(attributes_compare_only_configured_keys_as_strings)
{
	const char *live = "{\"Attributes\":[{\"Key\":\"deletion_protection.enabled\","
		"\"Value\":\"true\"},{\"Key\":\"idle_timeout.timeout_seconds\",\"Value\":\"60\"}]}";

	ck_assert_uint_eq(changes("elbv2.load_balancer",
		"{\"Attributes\":{\"deletion_protection.enabled\":true}}", live), 0);
	ck_assert_uint_eq(changes("elbv2.load_balancer",
		"{\"Attributes\":{\"idle_timeout.timeout_seconds\":120}}", live), 1);
}
END_TEST

START_TEST(attribute_change_sends_the_configured_keys_as_a_list)
{
	const res_attr_t *a = res_type_attr(type("elbv2.target_group"), "Attributes");
	cJSON *desired = parse("{\"deregistration_delay.timeout_seconds\":30}");
	cJSON *calls;
	const cJSON *params, *list;
	err_t e;

	calls = a->plan(a, desired, NULL, NULL, NULL, &e);
	ck_assert_int_eq(cJSON_GetArraySize(calls), 1);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(calls->child, "op")->valuestring,
			 "ModifyTargetGroupAttributes");
	params = cJSON_GetObjectItemCaseSensitive(calls->child, "params");
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(params, "TargetGroupArn")->valuestring, "$id");
	list = cJSON_GetObjectItemCaseSensitive(params, "Attributes");
	ck_assert_int_eq(cJSON_GetArraySize(list), 1);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(list->child, "Value")->valuestring, "30");
	cJSON_Delete(calls);
	cJSON_Delete(desired);
}
END_TEST

START_TEST(subnets_come_from_zones_and_are_set_whole)
{
	const res_attr_t *a = res_type_attr(type("elbv2.load_balancer"), "Subnets");
	cJSON *desired = parse("[\"subnet-a\",\"subnet-c\"]"), *calls;
	const cJSON *params;
	err_t e;

	ck_assert_uint_eq(changes("elbv2.load_balancer", "{\"Subnets\":[\"subnet-b\",\"subnet-a\"]}",
		"{\"AvailabilityZones\":[{\"ZoneName\":\"us-east-1a\",\"SubnetId\":\"subnet-a\"},"
		"{\"ZoneName\":\"us-east-1b\",\"SubnetId\":\"subnet-b\"}]}"), 0);
	calls = a->plan(a, desired, NULL, NULL, NULL, &e);
	params = cJSON_GetObjectItemCaseSensitive(calls->child, "params");
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(calls->child, "op")->valuestring, "SetSubnets");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(params, "Subnets")), 2);
	cJSON_Delete(calls);
	cJSON_Delete(desired);
}
END_TEST

START_TEST(bedrock_check_has_no_create_and_reads_by_model)
{
	const res_type_t *t = type("bedrock.foundation_model_access");

	ck_assert_ptr_null(t->create.op);
	ck_assert_ptr_null(t->remove.op);
	ck_assert_ptr_nonnull(strstr(t->read.params, "$attr:ModelId"));
	ck_assert_uint_eq(changes("bedrock.foundation_model_access",
		"{\"ModelId\":\"amazon.nova-lite-v1:0\",\"ModelLifecycleStatus\":\"ACTIVE\"}",
		"{\"modelId\":\"amazon.nova-lite-v1:0\",\"modelLifecycle\":{\"status\":\"LEGACY\"}}"), 1);
}
END_TEST

TESTUTIL_MAIN("res_elbv2",
	redirect_with_aws_defaults_filled_in_is_in_sync,
	redirect_changed_to_forward_is_drift,
	forward_expanded_to_forward_config_is_in_sync,
	host_conditions_in_either_place_and_order_are_equal,
	rule_priority_string_equals_config_number,
	rule_listener_comes_from_its_arn,
	attributes_compare_only_configured_keys_as_strings,
	attribute_change_sends_the_configured_keys_as_a_list,
	subnets_come_from_zones_and_are_set_whole,
	bedrock_check_has_no_create_and_reads_by_model)
