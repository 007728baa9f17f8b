/* The data tier's tables (kms, rds, elasticache, secretsmanager): hooks,
 * normalizers and check hooks. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "diff.h"
#include "jsonutil.h"
#include "restable.h"
#include "testutil.h"
#include "restest.h"

/* The names of the attributes diff finds changed, comma-separated. */
static char *changed(const char *type_name, const char *desired_json, const char *live_json)
{
	cJSON *desired = parse(desired_json), *live = parse(live_json);
	const res_type_t *t = type(type_name);
	static char names[512];
	diff_opts_t opts;
	diff_t *d = NULL;
	size_t i;
	err_t e;

	memset(&opts, 0, sizeof(opts));
	names[0] = 0;
	if (t->hooks && t->hooks->fix_live)
		ck_assert_int_eq(t->hooks->fix_live(t, live, &e), 0);
	ck_assert_msg(diff_resource(t, desired, live, &opts, &d, &e) == 0,
		      "diff failed: %s", e.message);
	for (i = 0; i < d->n_changes; i++) {
		if (strcmp(d->changes[i].attr->name, "Tags")) {
			strncat(names, d->changes[i].attr->name, sizeof(names) - strlen(names) - 2);
			strcat(names, ",");
		}
	}
	diff_free(d);
	cJSON_Delete(desired);
	cJSON_Delete(live);
	return names;
}

/* The check hook's message, or "" when the config passes; *member gets
 * the name of the member it points at ("" for the resource). */
static const char *check(const char *type_name, const char *env, const char *desired_json,
			 const char **member)
{
	static err_t e;
	const res_type_t *t = type(type_name);
	cJSON *desired = parse(desired_json);
	const cJSON *at = NULL;
	static char name[64];
	int rc;

	memset(&e, 0, sizeof(e));
	rc = t->hooks->check(t, env, desired, &at, &e);
	snprintf(name, sizeof(name), "%s", rc && at ? at->string : "");
	*member = name;
	cJSON_Delete(desired);
	return rc ? e.message : "";
}

static cJSON *plan(const char *type_name, const char *attr, const char *desired_json,
		   const char *added_json, const char *removed_json)
{
	const res_attr_t *a = res_type_attr(type(type_name), attr);
	cJSON *desired = desired_json ? parse(desired_json) : NULL;
	cJSON *added = added_json ? parse(added_json) : NULL;
	cJSON *removed = removed_json ? parse(removed_json) : NULL;
	cJSON *calls;
	err_t e;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(a->plan);
	calls = a->plan(a, desired, added, removed, NULL, &e);
	ck_assert_ptr_nonnull(calls);
	cJSON_Delete(desired);
	cJSON_Delete(added);
	cJSON_Delete(removed);
	return calls;
}

static char *call_text(const cJSON *calls, int i)
{
	return cJSON_PrintUnformatted(cJSON_GetArrayItem(calls, i));
}

#define INSTANCE "\"DBInstanceIdentifier\":\"db\",\"Engine\":\"postgres\""

START_TEST(pending_value_equal_to_config_is_in_sync)
{
	ck_assert_str_eq(changed("rds.db_instance",
		"{" INSTANCE ",\"MultiAZ\":true,\"DBInstanceClass\":\"db.t3.large\"}",
		"{" INSTANCE ",\"MultiAZ\":false,\"DBInstanceClass\":\"db.t3.medium\","
		"\"PendingModifiedValues\":{\"MultiAZ\":true,\"DBInstanceClass\":\"db.t3.large\"}}"), "");
	ck_assert_str_eq(changed("rds.db_instance",
		"{" INSTANCE ",\"MultiAZ\":true}",
		"{" INSTANCE ",\"MultiAZ\":true,\"PendingModifiedValues\":{\"MultiAZ\":false}}"), "MultiAZ,");
}
END_TEST

START_TEST(pending_log_exports_count_as_exported)
{
	ck_assert_str_eq(changed("rds.db_instance",
		"{" INSTANCE ",\"EnableCloudwatchLogsExports\":[\"postgresql\",\"upgrade\"]}",
		"{" INSTANCE ",\"EnabledCloudwatchLogsExports\":[\"postgresql\",\"iam-db-auth-error\"],"
		"\"PendingModifiedValues\":{\"PendingCloudwatchLogsExports\":{"
		"\"LogTypesToEnable\":[\"upgrade\"],\"LogTypesToDisable\":[\"iam-db-auth-error\"]}}}"), "");
}
END_TEST

START_TEST(minor_upgrade_is_not_drift_when_auto_minor_is_on)
{
	ck_assert_str_eq(changed("rds.db_instance", "{" INSTANCE ",\"EngineVersion\":\"16\"}",
		"{" INSTANCE ",\"EngineVersion\":\"16.4\",\"AutoMinorVersionUpgrade\":true}"), "");
	ck_assert_str_eq(changed("rds.db_instance", "{" INSTANCE ",\"EngineVersion\":\"15\"}",
		"{" INSTANCE ",\"EngineVersion\":\"16.4\",\"AutoMinorVersionUpgrade\":true}"),
		"EngineVersion,");
	ck_assert_str_eq(changed("rds.db_instance",
		"{" INSTANCE ",\"EngineVersion\":\"16.3\",\"AutoMinorVersionUpgrade\":false}",
		"{" INSTANCE ",\"EngineVersion\":\"16.4\",\"AutoMinorVersionUpgrade\":false}"),
		"EngineVersion,");
}
END_TEST

START_TEST(instance_lists_come_from_their_objects)
{
	ck_assert_str_eq(changed("rds.db_instance",
		"{" INSTANCE ",\"DBParameterGroupName\":\"pg\",\"VpcSecurityGroupIds\":[\"sg-1\"],"
		"\"DBSubnetGroupName\":\"sub\"}",
		"{" INSTANCE ",\"DBParameterGroups\":[{\"DBParameterGroupName\":\"pg\"}],"
		"\"VpcSecurityGroups\":[{\"VpcSecurityGroupId\":\"sg-1\",\"Status\":\"active\"}],"
		"\"DBSubnetGroup\":{\"DBSubnetGroupName\":\"sub\"}}"), "");
}
END_TEST

START_TEST(production_needs_a_medium_class)
{
	const char *member;

	ck_assert_str_eq(check("rds.db_instance", "production",
		"{" INSTANCE ",\"DBInstanceClass\":\"db.t3.small\"}", &member),
		"DBInstanceClass db.t3.small is too small for the production environment: "
		"it needs db.t3.medium or larger");
	ck_assert_str_eq(member, "DBInstanceClass");
	ck_assert_str_eq(check("rds.db_instance", "production",
		"{" INSTANCE ",\"DBInstanceClass\":\"db.r6g.2xlarge\"}", &member), "");
	ck_assert_str_eq(check("rds.db_instance", "staging",
		"{" INSTANCE ",\"DBInstanceClass\":\"db.t3.micro\"}", &member), "");
	ck_assert_str_eq(check("rds.db_instance", NULL,
		"{" INSTANCE ",\"DBInstanceClass\":\"db.t3.micro\"}", &member), "");
}
END_TEST

START_TEST(postgres_versions_and_their_form_are_checked)
{
	const char *member;

	ck_assert_str_eq(check("rds.db_instance", NULL, "{" INSTANCE ",\"EngineVersion\":\"12\"}",
			       &member), "PostgreSQL 12 is not supported: EngineVersion must be 13 or later");
	ck_assert_str_eq(member, "EngineVersion");
	ck_assert_str_eq(check("rds.db_instance", NULL, "{" INSTANCE ",\"EngineVersion\":\"13\"}",
			       &member), "");
	ck_assert_ptr_nonnull(strstr(check("rds.db_instance", NULL,
		"{" INSTANCE ",\"EngineVersion\":\"16.3\"}", &member), "give the major version (\"16\")"));
	ck_assert_str_eq(check("rds.db_instance", NULL,
		"{" INSTANCE ",\"EngineVersion\":\"16.3\",\"AutoMinorVersionUpgrade\":false}", &member), "");
	ck_assert_ptr_nonnull(strstr(check("rds.db_instance", NULL,
		"{" INSTANCE ",\"EngineVersion\":\"16\",\"AutoMinorVersionUpgrade\":false}", &member),
		"names the exact version"));
}
END_TEST

START_TEST(managed_and_given_master_passwords_exclude_each_other)
{
	const char *member;

	ck_assert_str_eq(check("rds.db_instance", NULL,
		"{" INSTANCE ",\"ManageMasterUserPassword\":true,\"MasterUserPassword\":\"pw-12345678\"}",
		&member), "MasterUserPassword is set while ManageMasterUserPassword is true: RDS "
		"makes the password and keeps it in Secrets Manager; drop one of them");
	ck_assert_str_eq(member, "MasterUserPassword");
	ck_assert_str_eq(check("rds.db_instance", NULL,
		"{" INSTANCE ",\"ManageMasterUserPassword\":true}", &member), "");
	ck_assert_str_eq(check("rds.db_instance", NULL,
		"{" INSTANCE ",\"ManageMasterUserPassword\":false,\"MasterUserPassword\":\"pw-12345678\"}",
		&member), "");
	ck_assert_str_eq(check("rds.db_instance", NULL,
		"{" INSTANCE ",\"MasterUserPassword\":\"pw-12345678\"}", &member), "");
}
END_TEST

START_TEST(a_managed_password_is_read_from_master_user_secret)
{
	ck_assert_str_eq(changed("rds.db_instance",
		"{" INSTANCE ",\"ManageMasterUserPassword\":true,\"MasterUserSecretKmsKeyId\":\"arn:k\"}",
		"{" INSTANCE ",\"MasterUserSecret\":{\"SecretArn\":\"arn:s\","
		"\"SecretStatus\":\"active\",\"KmsKeyId\":\"arn:k\"}}"), "");
	ck_assert_str_eq(changed("rds.db_instance", "{" INSTANCE ",\"ManageMasterUserPassword\":true}",
		"{" INSTANCE "}"), "ManageMasterUserPassword,");
	/* Absent in config is RDS's default, false. */
	ck_assert_str_eq(changed("rds.db_instance", "{" INSTANCE "}", "{" INSTANCE "}"), "");
	/* The key of a managed secret is create-only. */
	ck_assert_int_eq(res_type_attr(type("rds.db_instance"), "MasterUserSecretKmsKeyId")->mutability,
			 RES_CREATE_ONLY);
}
END_TEST

START_TEST(log_exports_change_in_one_call)
{
	cJSON *calls = plan("rds.db_instance", "EnableCloudwatchLogsExports", "[\"postgresql\"]",
			    "[\"postgresql\"]", "[\"upgrade\"]");
	char *text = call_text(calls, 0);

	ck_assert_int_eq(cJSON_GetArraySize(calls), 1);
	ck_assert_str_eq(text, "{\"op\":\"ModifyDBInstance\",\"params\":{\"DBInstanceIdentifier\":\"$id\","
		"\"ApplyImmediately\":\"$attr:ApplyImmediately\",\"CloudwatchLogsExportConfiguration\":"
		"{\"EnableLogTypes\":[\"postgresql\"],\"DisableLogTypes\":[\"upgrade\"]}}}");
	cJSON_free(text);
	cJSON_Delete(calls);
}
END_TEST

START_TEST(parameters_compare_as_strings_and_are_sent_as_a_list)
{
	cJSON *calls;
	char *text;

	ck_assert_str_eq(changed("rds.db_parameter_group",
		"{\"Parameters\":{\"rds.force_ssl\":1,\"log_min_duration_statement\":\"500\"}}",
		"{\"Parameters\":[{\"ParameterName\":\"rds.force_ssl\",\"ParameterValue\":\"1\"},"
		"{\"ParameterName\":\"log_min_duration_statement\",\"ParameterValue\":\"500\"},"
		"{\"ParameterName\":\"other\",\"ParameterValue\":\"x\"}]}"), "");
	calls = plan("rds.db_parameter_group", "Parameters", "{\"rds.force_ssl\":1}", NULL, NULL);
	text = call_text(calls, 0);
	ck_assert_str_eq(text, "{\"op\":\"ModifyDBParameterGroup\",\"params\":{\"DBParameterGroupName\":"
		"\"$id\",\"Parameters\":[{\"ParameterName\":\"rds.force_ssl\",\"ParameterValue\":\"1\","
		"\"ApplyMethod\":\"pending-reboot\"}]}}");
	cJSON_free(text);
	cJSON_Delete(calls);
	calls = plan("elasticache.parameter_group", "Parameters", "{\"cluster-enabled\":\"yes\"}",
		     NULL, NULL);
	text = call_text(calls, 0);
	ck_assert_str_eq(text, "{\"op\":\"ModifyCacheParameterGroup\",\"params\":{\"CacheParameterGroupName\":"
		"\"$id\",\"ParameterNameValues\":[{\"ParameterName\":\"cluster-enabled\","
		"\"ParameterValue\":\"yes\"}]}}");
	cJSON_free(text);
	cJSON_Delete(calls);
}
END_TEST

START_TEST(subnet_groups_compare_subnet_ids)
{
	ck_assert_str_eq(changed("rds.db_subnet_group", "{\"SubnetIds\":[\"subnet-b\",\"subnet-a\"]}",
		"{\"Subnets\":[{\"SubnetIdentifier\":\"subnet-a\"},{\"SubnetIdentifier\":\"subnet-b\"}]}"), "");
	ck_assert_str_eq(changed("elasticache.subnet_group", "{\"SubnetIds\":[\"subnet-c\"]}",
		"{\"Subnets\":[{\"SubnetIdentifier\":\"subnet-a\"}]}"), "SubnetIds,");
}
END_TEST

#define REDIS "\"ReplicationGroupId\":\"r\",\"ReplicationGroupDescription\":\"d\""

START_TEST(redis_flags_and_shards_come_from_the_group)
{
	ck_assert_str_eq(changed("elasticache.replication_group",
		"{" REDIS ",\"AutomaticFailoverEnabled\":true,\"MultiAZEnabled\":true,"
		"\"NumNodeGroups\":2,\"ReplicasPerNodeGroup\":1,\"AuthToken\":\"secret\"}",
		"{\"ReplicationGroupId\":\"r\",\"Description\":\"d\",\"AutomaticFailover\":\"enabled\","
		"\"MultiAZ\":\"enabled\",\"NodeGroups\":[{\"NodeGroupMembers\":[{},{}]},"
		"{\"NodeGroupMembers\":[{},{}]}]}"), "");
	ck_assert_str_eq(changed("elasticache.replication_group",
		"{" REDIS ",\"MultiAZEnabled\":true}",
		"{\"ReplicationGroupId\":\"r\",\"Description\":\"d\",\"MultiAZ\":\"disabled\"}"),
		"MultiAZEnabled,");
}
END_TEST

START_TEST(redis_rules_are_checked)
{
	const char *member;

	ck_assert_str_eq(check("elasticache.replication_group", NULL,
		"{" REDIS ",\"EngineVersion\":\"5.0.6\"}", &member),
		"EngineVersion \"5.0.6\": Redis 6 or later is required");
	ck_assert_str_eq(check("elasticache.replication_group", NULL,
		"{" REDIS ",\"CacheNodeType\":\"cache.t2.nano\"}", &member),
		"CacheNodeType cache.t2.nano is too small: use cache.t3.micro or larger");
	ck_assert_str_eq(member, "CacheNodeType");
	ck_assert_str_eq(check("elasticache.replication_group", NULL,
		"{" REDIS ",\"NumNodeGroups\":3}", &member),
		"a cluster of 3 shards needs AutomaticFailoverEnabled true");
	ck_assert_str_eq(check("elasticache.replication_group", NULL,
		"{" REDIS ",\"AuthToken\":\"t\",\"TransitEncryptionEnabled\":false}", &member),
		"an AuthToken needs TransitEncryptionEnabled true");
	ck_assert_str_eq(member, "TransitEncryptionEnabled");
	ck_assert_str_eq(check("elasticache.replication_group", NULL,
		"{" REDIS ",\"EngineVersion\":\"7.1\",\"CacheNodeType\":\"cache.t3.micro\","
		"\"NumNodeGroups\":2,\"AutomaticFailoverEnabled\":true,\"MultiAZEnabled\":true,"
		"\"ReplicasPerNodeGroup\":1,\"AuthToken\":\"t\",\"TransitEncryptionEnabled\":true}",
		&member), "");
}
END_TEST

START_TEST(kms_rotation_toggles_by_two_operations)
{
	cJSON *calls = plan("kms.key", "KeyRotationEnabled", "true", NULL, NULL);
	char *text = call_text(calls, 0);

	ck_assert_str_eq(text, "{\"op\":\"EnableKeyRotation\",\"params\":{\"KeyId\":\"$id\"}}");
	cJSON_free(text);
	cJSON_Delete(calls);
	calls = plan("kms.key", "KeyRotationEnabled", "false", NULL, NULL);
	text = call_text(calls, 0);
	ck_assert_str_eq(text, "{\"op\":\"DisableKeyRotation\",\"params\":{\"KeyId\":\"$id\"}}");
	cJSON_free(text);
	cJSON_Delete(calls);
}
END_TEST

START_TEST(kms_policy_and_alias_target_compare_by_meaning)
{
	ck_assert_str_eq(changed("kms.key",
		"{\"KeyPolicy\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
		"\"Principal\":{\"AWS\":\"arn:aws:iam::1:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}}",
		"{\"Policy\":\"{\\\"Statement\\\":{\\\"Resource\\\":[\\\"*\\\"],\\\"Action\\\":[\\\"kms:*\\\"],"
		"\\\"Principal\\\":{\\\"AWS\\\":[\\\"arn:aws:iam::1:root\\\"]},\\\"Effect\\\":\\\"Allow\\\"},"
		"\\\"Version\\\":\\\"2012-10-17\\\"}\"}"), "");
	ck_assert_str_eq(changed("kms.alias",
		"{\"AliasName\":\"alias/a\",\"TargetKeyId\":\"arn:aws:kms:us-east-1:1:key/k-1\"}",
		"{\"AliasName\":\"alias/a\",\"TargetKeyId\":\"k-1\"}"), "");
	ck_assert_str_eq(type("kms.key")->gone, "PendingDeletion|PendingReplicaDeletion");
}
END_TEST

START_TEST(secret_values_are_sensitive_and_never_compared)
{
	const res_attr_t *a = res_type_attr(type("secretsmanager.secret"), "SecretString");

	ck_assert_uint_eq(a->flags & (RES_SENSITIVE | RES_WRITE_ONLY), RES_SENSITIVE | RES_WRITE_ONLY);
	ck_assert_str_eq(changed("secretsmanager.secret",
		"{\"Name\":\"n\",\"SecretString\":\"one\"}", "{\"Name\":\"n\"}"), "");
	a = res_type_attr(type("elasticache.replication_group"), "AuthToken");
	ck_assert_uint_eq(a->flags & (RES_SENSITIVE | RES_WRITE_ONLY), RES_SENSITIVE | RES_WRITE_ONLY);
	a = res_type_attr(type("rds.db_instance"), "MasterUserPassword");
	ck_assert_uint_eq(a->flags & (RES_SENSITIVE | RES_WRITE_ONLY), RES_SENSITIVE | RES_WRITE_ONLY);
}
END_TEST

TESTUTIL_MAIN("res_data",
	pending_value_equal_to_config_is_in_sync,
	pending_log_exports_count_as_exported,
	minor_upgrade_is_not_drift_when_auto_minor_is_on,
	instance_lists_come_from_their_objects,
	production_needs_a_medium_class,
	postgres_versions_and_their_form_are_checked,
	managed_and_given_master_passwords_exclude_each_other,
	a_managed_password_is_read_from_master_user_secret,
	log_exports_change_in_one_call,
	parameters_compare_as_strings_and_are_sent_as_a_list,
	subnet_groups_compare_subnet_ids,
	redis_flags_and_shards_come_from_the_group,
	redis_rules_are_checked,
	kms_rotation_toggles_by_two_operations,
	kms_policy_and_alias_target_compare_by_meaning,
	secret_values_are_sensitive_and_never_compared)
