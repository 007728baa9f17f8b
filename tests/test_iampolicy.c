/* iampolicy: IAM action names of driftd's operations, and the actions of
 * one type's table. */
#include <check.h>
#include <string.h>

#include "iampolicy.h"
#include "restable.h"
#include "testutil.h"

START_TEST(actions_take_the_iam_prefix_not_driftds_service_name)
{
	char buf[128];

	ck_assert_str_eq(iampolicy_action("elbv2", "DescribeLoadBalancers", buf, sizeof(buf)),
			 "elasticloadbalancing:DescribeLoadBalancers");
	ck_assert_str_eq(iampolicy_action("sesv2", "GetEmailIdentity", buf, sizeof(buf)),
			 "ses:GetEmailIdentity");
	ck_assert_str_eq(iampolicy_action("cloudwatch", "PutMetricAlarm", buf, sizeof(buf)),
			 "cloudwatch:PutMetricAlarm");
	ck_assert_str_eq(iampolicy_action("logs", "CreateLogGroup", buf, sizeof(buf)),
			 "logs:CreateLogGroup");
	ck_assert_str_eq(iampolicy_action("eks", "DescribeNodegroup", buf, sizeof(buf)),
			 "eks:DescribeNodegroup");
}
END_TEST

START_TEST(operations_authorized_under_another_name_are_renamed)
{
	char buf[128];

	ck_assert_str_eq(iampolicy_action("budgets", "DescribeBudgets", buf, sizeof(buf)),
			 "budgets:ViewBudget");
	ck_assert_str_eq(iampolicy_action("budgets", "UpdateBudget", buf, sizeof(buf)),
			 "budgets:ModifyBudget");
	ck_assert_str_eq(iampolicy_action("s3", "ListBuckets", buf, sizeof(buf)),
			 "s3:ListAllMyBuckets");
}
END_TEST

static int has(const cJSON *set, const char *action)
{
	const cJSON *el;

	cJSON_ArrayForEach(el, set)
		if (!strcmp(el->valuestring, action))
			return 1;
	return 0;
}

/* Plan hooks' own operations (DeletePolicyVersion to make room for a
 * sixth version) are in the policy too. */
START_TEST(type_actions_include_updates_live_reads_and_plan_operations)
{
	cJSON *set = cJSON_CreateArray();
	const cJSON *el;

	ck_assert_int_eq(iampolicy_add_type(set, res_table_find("iam.policy")), 0);
	ck_assert(has(set, "iam:GetAccountAuthorizationDetails"));
	ck_assert(has(set, "iam:CreatePolicyVersion"));
	ck_assert(has(set, "iam:DeletePolicyVersion"));
	ck_assert(has(set, "iam:ListPolicyTags"));
	ck_assert(has(set, "iam:UntagPolicy"));
	ck_assert(!has(set, "iam:CreateRole"));
	/* sorted, no duplicates (GetPolicy is read_one only once) */
	for (el = set->child; el && el->next; el = el->next)
		ck_assert_int_lt(strcmp(el->valuestring, el->next->valuestring), 0);
	ck_assert_int_eq(iampolicy_add_type(set, res_table_find("eks.nodegroup")), 0);
	ck_assert(has(set, "eks:ListNodegroups"));
	ck_assert(has(set, "eks:UpdateNodegroupConfig"));
	ck_assert(has(set, "eks:TagResource"));
	cJSON_Delete(set);
}
END_TEST

/* A driver's secret reference (postgres.migrations' PasswordSecretArn)
 * needs the secret read and decrypted; the driver's own service has no
 * IAM actions. */
START_TEST(a_secret_reference_needs_get_secret_value_and_decrypt)
{
	cJSON *set = cJSON_CreateArray();

	ck_assert_int_eq(iampolicy_add_type(set, res_table_find("postgres.migrations")), 0);
	ck_assert(has(set, "secretsmanager:GetSecretValue"));
	ck_assert(has(set, "kms:Decrypt"));
	ck_assert_int_eq(cJSON_GetArraySize(set), 2);
	cJSON_Delete(set);
}
END_TEST

/* driftd policy scopes each write by the type's ARN patterns: a type
 * whose writes are not all authorized on no resource must have them
 * (restable.h arn), and each unscoped action gives its reason. */
START_TEST(every_type_that_writes_by_arn_has_arn_patterns)
{
	const res_type_t *t;
	const cJSON *el;
	char own[64];
	size_t i;

	for (i = 0; (t = res_table_at(i)); i++) {
		cJSON *set = cJSON_CreateArray();
		int scoped = 0;

		if (t->driver) {
			cJSON_Delete(set);
			continue;
		}
		ck_assert_int_eq(iampolicy_add_type(set, t), 0);
		iampolicy_action(t->service, "X", own, sizeof(own));
		cJSON_ArrayForEach(el, set) {
			if (iampolicy_is_read(el->valuestring) ||
			    iampolicy_unscoped_reason(el->valuestring))
				continue;
			/* A secret's value (restable.h, "Secret values") is read
			 * under statements of its own (SecretRead1, 2). */
			if (!strcmp(el->valuestring, "secretsmanager:GetSecretValue") ||
			    !strcmp(el->valuestring, "kms:Decrypt"))
				continue;
			scoped = 1;
			/* scoped by this type's own service's patterns */
			ck_assert_msg(!strncmp(el->valuestring, own, strlen(own) - 1),
				      "%s writes %s, another service", t->name,
				      el->valuestring);
		}
		ck_assert_msg(!scoped || (t->arn && *t->arn), "%s writes by ARN "
			      "but has no arn pattern", t->name);
		cJSON_Delete(set);
	}
	ck_assert_ptr_nonnull(strstr(iampolicy_unscoped_reason("kms:CreateKey"), "CreateKey"));
	ck_assert_ptr_null(iampolicy_unscoped_reason("kms:ScheduleKeyDeletion"));
}
END_TEST

START_TEST(reads_are_told_by_their_verb_and_secret_reads_are_not_reads)
{
	ck_assert(iampolicy_is_read("ec2:DescribeVpcs"));
	ck_assert(iampolicy_is_read("budgets:ViewBudget"));
	ck_assert(iampolicy_is_read("s3:GetBucketTagging"));
	ck_assert(!iampolicy_is_read("s3:PutBucketTagging"));
	ck_assert(!iampolicy_is_read("secretsmanager:GetSecretValue"));
	ck_assert(!iampolicy_is_read("kms:Decrypt"));
	ck_assert(!iampolicy_is_read("nonsense"));
}
END_TEST

TESTUTIL_MAIN("iampolicy",
	every_type_that_writes_by_arn_has_arn_patterns,
	reads_are_told_by_their_verb_and_secret_reads_are_not_reads,
	actions_take_the_iam_prefix_not_driftds_service_name,
	operations_authorized_under_another_name_are_renamed,
	type_actions_include_updates_live_reads_and_plan_operations,
	a_secret_reference_needs_get_secret_value_and_decrypt)
