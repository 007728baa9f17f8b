/* The s3 and backup tables' hooks: what AWS answers (defaults filled in,
 * lists in its own order, members of its own) compares equal to the
 * config that made it, and a real change is still one. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "jsonutil.h"
#include "restest.h"
#include "testutil.h"

#define PLAN_CONFIG \
	"{\"BackupPlan\":{\"BackupPlanName\":\"p\",\"Rules\":[" \
	"{\"RuleName\":\"daily\",\"TargetBackupVaultName\":\"v\"," \
	"\"Lifecycle\":{\"DeleteAfterDays\":30}}," \
	"{\"RuleName\":\"alpha\",\"TargetBackupVaultName\":\"v\"," \
	"\"ScheduleExpression\":\"cron(0 1 ? * * *)\"}]}}"

START_TEST(backup_plan_with_aws_defaults_and_rule_ids_is_in_sync)
{
	ck_assert_uint_eq(changes("backup.plan", PLAN_CONFIG,
		"{\"BackupPlanId\":\"id\",\"BackupPlan\":{\"BackupPlanName\":\"p\",\"Rules\":["
		"{\"RuleName\":\"alpha\",\"TargetBackupVaultName\":\"v\",\"RuleId\":\"r1\","
		"\"ScheduleExpression\":\"cron(0 1 ? * * *)\",\"StartWindowMinutes\":480,"
		"\"CompletionWindowMinutes\":10080},"
		"{\"RuleName\":\"daily\",\"TargetBackupVaultName\":\"v\",\"RuleId\":\"r2\","
		"\"ScheduleExpression\":\"cron(0 5 ? * * *)\",\"EnableContinuousBackup\":false,"
		"\"Lifecycle\":{\"DeleteAfterDays\":30}}]}}"), 0);
}
END_TEST

START_TEST(backup_plan_shortened_retention_is_drift)
{
	ck_assert_uint_eq(changes("backup.plan", PLAN_CONFIG,
		"{\"BackupPlanId\":\"id\",\"BackupPlan\":{\"BackupPlanName\":\"p\",\"Rules\":["
		"{\"RuleName\":\"alpha\",\"TargetBackupVaultName\":\"v\","
		"\"ScheduleExpression\":\"cron(0 1 ? * * *)\"},"
		"{\"RuleName\":\"daily\",\"TargetBackupVaultName\":\"v\","
		"\"Lifecycle\":{\"DeleteAfterDays\":7}}]}}"), 1);
}
END_TEST

START_TEST(backup_plan_check_wants_named_rules_with_a_vault)
{
	const res_attr_t *a = res_type_attr(type("backup.plan"), "BackupPlan");
	cJSON *good = parse(PLAN_CONFIG), *bad = parse(
		"{\"BackupPlanName\":\"p\",\"Rules\":[{\"RuleName\":\"r\"}]}");
	cJSON *empty = parse("{\"BackupPlanName\":\"p\",\"Rules\":[]}");
	err_t e;

	ck_assert_int_eq(a->check(cJSON_GetObjectItemCaseSensitive(good, "BackupPlan"), &e), 0);
	ck_assert_int_eq(a->check(bad, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.message, "TargetBackupVaultName"));
	ck_assert_int_eq(a->check(empty, &e), -EINVAL);
	cJSON_Delete(good);
	cJSON_Delete(bad);
	cJSON_Delete(empty);
}
END_TEST

START_TEST(backup_selection_resources_in_any_order_are_equal_and_immutable)
{
	const char *config = "{\"BackupPlanId\":\"p\",\"BackupSelection\":{"
		"\"SelectionName\":\"s\",\"Resources\":[\"arn:b\",\"arn:a\"]}}";
	diff_t *d = NULL;
	cJSON *desired = parse(config), *live = parse("{\"BackupPlanId\":\"p\","
		"\"BackupSelection\":{\"SelectionName\":\"s\",\"Resources\":[\"arn:a\"]}}");
	err_t e;

	ck_assert_uint_eq(changes("backup.selection", config,
		"{\"BackupPlanId\":\"p\",\"SelectionId\":\"x\",\"BackupSelection\":{"
		"\"SelectionName\":\"s\",\"IamRoleArn\":\"arn:role\","
		"\"Resources\":[\"arn:a\",\"arn:b\"],\"NotResources\":[]}}"), 0);
	ck_assert_int_eq(diff_resource(type("backup.selection"), desired, live, NULL, &d, &e), 0);
	ck_assert_uint_eq(d->n_changes, 1);
	ck_assert_int_eq(d->replace, 1);
	diff_free(d);
	cJSON_Delete(desired);
	cJSON_Delete(live);
}
END_TEST

START_TEST(bucket_is_named_bucket_in_the_list_item)
{
	const res_type_t *t = type("s3.bucket");
	cJSON *item = parse("{\"Name\":\"b1\",\"CreationDate\":\"2026-01-01T00:00:00Z\"}");
	err_t e;

	ck_assert_int_eq(t->hooks->fix_live(t, item, &e), 0);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(item, "Bucket")->valuestring, "b1");
	cJSON_Delete(item);
}
END_TEST

#define LIFECYCLE_CONFIG \
	"{\"Bucket\":\"b\",\"LifecycleConfiguration\":{\"Rules\":[" \
	"{\"ID\":\"k8s\",\"Status\":\"Enabled\",\"Filter\":{\"Prefix\":\"k8s/\"}," \
	"\"Transitions\":[{\"Days\":90,\"StorageClass\":\"GLACIER\"}," \
	"{\"Days\":30,\"StorageClass\":\"STANDARD_IA\"}]}," \
	"{\"ID\":\"backups\",\"Status\":\"Enabled\",\"Filter\":{\"Prefix\":\"backups/\"}," \
	"\"Expiration\":{\"Days\":365}}]}}"

START_TEST(lifecycle_rules_and_transitions_in_any_order_are_equal)
{
	ck_assert_uint_eq(changes("s3.bucket", LIFECYCLE_CONFIG,
		"{\"Bucket\":\"b\",\"LifecycleConfiguration\":{\"Rules\":["
		"{\"ID\":\"backups\",\"Status\":\"Enabled\",\"Filter\":{\"Prefix\":\"backups/\"},"
		"\"Prefix\":\"\",\"Expiration\":{\"Days\":365}},"
		"{\"ID\":\"k8s\",\"Status\":\"Enabled\",\"Filter\":{\"Prefix\":\"k8s/\"},"
		"\"Transitions\":[{\"Days\":30,\"StorageClass\":\"STANDARD_IA\"},"
		"{\"Days\":90,\"StorageClass\":\"GLACIER\"}]}]}}"), 0);
	/* A transition moved to another class is a change; no lifecycle at
	 * all (S3's NoSuchLifecycleConfiguration) is one too. */
	ck_assert_uint_eq(changes("s3.bucket", LIFECYCLE_CONFIG,
		"{\"Bucket\":\"b\",\"LifecycleConfiguration\":{\"Rules\":["
		"{\"ID\":\"backups\",\"Status\":\"Enabled\",\"Filter\":{\"Prefix\":\"backups/\"},"
		"\"Expiration\":{\"Days\":365}},"
		"{\"ID\":\"k8s\",\"Status\":\"Enabled\",\"Filter\":{\"Prefix\":\"k8s/\"},"
		"\"Transitions\":[{\"Days\":30,\"StorageClass\":\"STANDARD_IA\"},"
		"{\"Days\":90,\"StorageClass\":\"DEEP_ARCHIVE\"}]}]}}"), 1);
	ck_assert_uint_eq(changes("s3.bucket", LIFECYCLE_CONFIG, "{\"Bucket\":\"b\"}"), 1);
}
END_TEST

START_TEST(encryption_without_bucket_key_means_bucket_key_off)
{
	const char *config = "{\"Bucket\":\"b\",\"ServerSideEncryptionConfiguration\":{\"Rules\":["
		"{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\","
		"\"KMSMasterKeyID\":\"arn:key\"}}]}}";

	ck_assert_uint_eq(changes("s3.bucket", config,
		"{\"Bucket\":\"b\",\"ServerSideEncryptionConfiguration\":{\"Rules\":["
		"{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\","
		"\"KMSMasterKeyID\":\"arn:key\"},\"BucketKeyEnabled\":false}]}}"), 0);
	ck_assert_uint_eq(changes("s3.bucket", config,
		"{\"Bucket\":\"b\",\"ServerSideEncryptionConfiguration\":{\"Rules\":["
		"{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"AES256\"},"
		"\"BucketKeyEnabled\":false}]}}"), 1);
}
END_TEST

START_TEST(bucket_tags_are_put_whole_keeping_others_tags)
{
	const res_attr_t *a = res_type_attr(type("s3.bucket"), "Tags");
	cJSON *item = parse("{\"Bucket\":\"b\",\"TagSet\":[{\"Key\":\"Owner\",\"Value\":\"ops\"},"
			    "{\"Key\":\"Component\",\"Value\":\"old\"}]}");
	cJSON *added = parse("{\"Component\":\"storage\",\"driftd:env\":\"dev\"}");
	cJSON *calls, *tags;
	const cJSON *params;
	err_t e;

	calls = a->plan(a, NULL, added, NULL, item, &e);
	params = only_call(calls, "PutBucketTagging", "Bucket");
	tags = diff_tags_to_map(json_get_path(params, "Tagging.TagSet"));
	ck_assert_int_eq(cJSON_GetArraySize(tags), 3);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(tags, "Owner")->valuestring, "ops");
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(tags, "Component")->valuestring, "storage");
	cJSON_Delete(tags);
	cJSON_Delete(calls);
	calls = a->plan(a, NULL, NULL, NULL, item, &e);
	ck_assert_int_eq(cJSON_GetArraySize(calls), 0);
	cJSON_Delete(calls);
	cJSON_Delete(added);
	cJSON_Delete(item);
}
END_TEST

START_TEST(missing_configurations_are_absent_codes_not_failures)
{
	const res_type_t *t = type("s3.bucket");

	ck_assert_str_eq(res_type_attr(t, "PublicAccessBlockConfiguration")->live_read.absent,
			 "NoSuchPublicAccessBlockConfiguration");
	ck_assert_str_eq(res_type_attr(t, "LifecycleConfiguration")->live_read.absent,
			 "NoSuchLifecycleConfiguration");
	ck_assert_str_eq(res_type_attr(t, "ServerSideEncryptionConfiguration")->live_read.absent,
			 "ServerSideEncryptionConfigurationNotFoundError");
	ck_assert_str_eq(res_type_attr(t, "Tags")->live_read.absent, "NoSuchTagSet");
}
END_TEST

TESTUTIL_MAIN("res_storage",
	backup_plan_with_aws_defaults_and_rule_ids_is_in_sync,
	backup_plan_shortened_retention_is_drift,
	backup_plan_check_wants_named_rules_with_a_vault,
	backup_selection_resources_in_any_order_are_equal_and_immutable,
	bucket_is_named_bucket_in_the_list_item,
	lifecycle_rules_and_transitions_in_any_order_are_equal,
	encryption_without_bucket_key_means_bucket_key_off,
	bucket_tags_are_put_whole_keeping_others_tags,
	missing_configurations_are_absent_codes_not_failures)
