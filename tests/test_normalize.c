#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "normalize.h"
#include "testutil.h"

static int same_policy(const char *a, const char *b)
{
	cJSON *ja = cJSON_CreateString(a), *jb = cJSON_CreateString(b);
	cJSON *na = norm_iam_policy(ja, NULL), *nb = norm_iam_policy(jb, NULL);
	int eq;

	ck_assert_ptr_nonnull(na);
	ck_assert_ptr_nonnull(nb);
	eq = json_equal(na, nb);
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	cJSON_Delete(na);
	cJSON_Delete(nb);
	return eq;
}

START_TEST(iam_policy_with_reordered_statements_and_keys_is_equal)
{
	ck_assert(same_policy(
		"{\"Version\":\"2012-10-17\",\"Statement\":["
		"{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"arn:aws:s3:::b/*\"},"
		"{\"Sid\":\"Logs\",\"Effect\":\"Allow\",\"Action\":\"logs:PutLogEvents\",\"Resource\":\"*\"}]}",
		"{\"Statement\":["
		"{\"Resource\":\"*\",\"Action\":[\"logs:putlogevents\"],\"Effect\":\"Allow\",\"Sid\":\"Logs\"},"
		"{\"Resource\":[\"arn:aws:s3:::b/*\"],\"Effect\":\"Allow\",\"Action\":[\"s3:PutObject\",\"s3:GetObject\"]}],"
		"\"Version\":\"2012-10-17\"}"));
}
END_TEST

START_TEST(iam_policy_single_statement_object_equals_array)
{
	ck_assert(same_policy(
		"{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
		"\"Principal\":{\"Service\":\"eks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}}",
		"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
		"\"Principal\":{\"Service\":[\"eks.amazonaws.com\"]},\"Action\":[\"sts:AssumeRole\"]}]}"));
}
END_TEST

START_TEST(iam_policy_with_an_extra_action_differs)
{
	ck_assert(!same_policy(
		"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"bedrock:InvokeModel\",\"Resource\":\"*\"}]}",
		"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"bedrock:InvokeModel\",\"bedrock:*\"],\"Resource\":\"*\"}]}"));
	ck_assert(!same_policy(
		"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}",
		"{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"));
}
END_TEST

START_TEST(iam_policy_condition_values_are_sets)
{
	ck_assert(same_policy(
		"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRoleWithWebIdentity\","
		"\"Condition\":{\"StringEquals\":{\"oidc:sub\":[\"a\",\"b\"]}}}]}",
		"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRoleWithWebIdentity\","
		"\"Condition\":{\"StringEquals\":{\"oidc:sub\":[\"b\",\"a\"]}}}]}"));
}
END_TEST

START_TEST(invalid_policy_text_is_an_error)
{
	cJSON *j = cJSON_CreateString("{\"Statement\": [");
	err_t e;

	ck_assert_ptr_null(norm_iam_policy(j, &e));
	ck_assert_int_eq(e.code, -EINVAL);
	ck_assert_str_eq(e.message, "document is not valid JSON");
	cJSON_Delete(j);
}
END_TEST

static const char *cidr(const char *in, char *out)
{
	cJSON *j = cJSON_CreateString(in), *n = norm_cidr(j, NULL);

	strcpy(out, n ? n->valuestring : "ERROR");
	cJSON_Delete(j);
	cJSON_Delete(n);
	return out;
}

START_TEST(cidrs_are_canonical)
{
	char buf[80];

	ck_assert_str_eq(cidr("10.0.0.0/16", buf), "10.0.0.0/16");
	ck_assert_str_eq(cidr("2600:1F18:0000:0000::/56", buf), "2600:1f18::/56");
	ck_assert_str_eq(cidr("10.0.0.0", buf), "ERROR");
	ck_assert_str_eq(cidr("10.0.0.0/33", buf), "ERROR");
}
END_TEST

START_TEST(cidr_check_explains_what_is_wrong)
{
	struct { const char *in, *msg; } cases[] = {
		{ "10.0.0.0/16", NULL },
		{ "10.0.0.1/16", "invalid CIDR block \"10.0.0.1/16\": host bits are set beyond the /16 prefix" },
		{ "10.0.0/16", "invalid CIDR block \"10.0.0/16\": not an IPv4 address" },
		{ "10.0.0.0/40", "invalid CIDR block \"10.0.0.0/40\": prefix length must be 0 to 32" },
		{ "::/129", "invalid CIDR block \"::/129\": prefix length must be 0 to 128" },
		{ "10.0.0.0", "invalid CIDR block \"10.0.0.0\": expected ADDRESS/PREFIX, such as 10.0.0.0/16" },
	};
	size_t i;
	err_t e;
	cJSON *j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		j = cJSON_CreateString(cases[i].in);
		if (!cases[i].msg) {
			ck_assert_int_eq(norm_check_cidr(j, &e), 0);
		} else {
			ck_assert_int_eq(norm_check_cidr(j, &e), -EINVAL);
			ck_assert_str_eq(e.message, cases[i].msg);
		}
		cJSON_Delete(j);
	}
}
END_TEST

START_TEST(lower_maps_over_arrays)
{
	cJSON *j = cJSON_Parse("[\"GP3\",\"Io1\"]"), *n = norm_lower(j, NULL);
	char *t = json_canonical(n);

	ck_assert_str_eq(t, "[\"gp3\",\"io1\"]");
	free(t);
	cJSON_Delete(j);
	cJSON_Delete(n);
}
END_TEST

TESTUTIL_MAIN("normalize",
	iam_policy_with_reordered_statements_and_keys_is_equal,
	iam_policy_single_statement_object_equals_array,
	iam_policy_with_an_extra_action_differs,
	iam_policy_condition_values_are_sets,
	invalid_policy_text_is_an_error,
	cidrs_are_canonical,
	cidr_check_explains_what_is_wrong,
	lower_maps_over_arrays)
