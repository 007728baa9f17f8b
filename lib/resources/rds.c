/* Amazon RDS: DB subnet groups, DB parameter groups, DB instances and the
 * replication of an instance's automated backups to a second region.
 * Member names are the botocore rds model's (2014-10-31).
 *
 * Modifications follow RDS's rules (ModifyDBInstance): a change waits for
 * the maintenance window unless ApplyImmediately is set, which config says
 * per instance (a write-only setting sent with every ModifyDBInstance).
 * A change waiting for the window is in PendingModifiedValues: the live
 * item takes those values (fix_live), so a pending change equal to the
 * config is in sync and is not reported, or modified, a second time.
 *
 * Minor versions: with AutoMinorVersionUpgrade (RDS's default) RDS moves
 * the minor version by itself; the config then names the major version
 * only ("16", which CreateDBInstance takes) and the live version is
 * compared by its major part. With it off, EngineVersion names the exact
 * version. The check hook enforces the pairing.
 *
 * The master password: with ManageMasterUserPassword RDS makes it and
 * keeps it in a Secrets Manager secret (MasterUserSecret, encrypted with
 * MasterUserSecretKmsKeyId), so driftd never holds it; others reach it
 * with ${rds.db_instance.NAME.MasterUserSecret.SecretArn}. Otherwise
 * MasterUserPassword (RES_SENSITIVE | RES_WRITE_ONLY) is sent by
 * CreateDBInstance. The check hook allows one of the two. Debian's botocore
 * predates these members: they come from
 * tests/fakeaws/models/rds/2014-10-31/service-2.sdk-extras.json. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- instance classes and versions ----------------------------------- */

/* The rank of a class's size (db.t3.micro → micro): nano < micro <
 * small < medium < large < xlarge < 2xlarge ...; -1 when unknown. Shared
 * by ElastiCache's cache.* node types. */
int rds_class_size_rank(const char *cls)
{
	static const char *const sizes[] = { "nano", "micro", "small", "medium",
					     "large", "xlarge" };
	const char *size = strrchr(cls, '.');
	char *end;
	long n;
	size_t i;

	if (!size)
		return -1;
	size++;
	for (i = 0; i < N_ELEMS(sizes); i++)
		if (!strcmp(size, sizes[i]))
			return (int)i;
	n = strtol(size, &end, 10);
	if (end != size && n > 1 && n < 1000 && !strcmp(end, "xlarge"))
		return (int)N_ELEMS(sizes) - 1 + (int)n;
	if (!strcmp(size, "metal"))
		return 1000;
	return -1;
}

/* The major version of "16.3" or "16" (6 of Redis "6.2"); -1 if none. */
int rds_major_version(const char *version)
{
	char *end;
	long n = strtol(version, &end, 10);

	if (end == version || n < 0 || n > 1000 || (*end && *end != '.'))
		return -1;
	return (int)n;
}

static int is_production(const char *environment)
{
	return environment && (!strcmp(environment, "production") ||
			       !strcmp(environment, "prod"));
}

/* ---- live fixes ------------------------------------------------------ */

/* Members of PendingModifiedValues that are the instance's own members
 * under the same name: the value waiting for the window is what the
 * instance will be. */
static const char *const pending_members[] = {
	"DBInstanceClass", "AllocatedStorage", "BackupRetentionPeriod", "MultiAZ",
	"EngineVersion", "StorageType", "Iops", "StorageThroughput",
};

static int apply_pending_logs(cJSON *item, const cJSON *pending)
{
	const cJSON *logs = cJSON_GetObjectItemCaseSensitive(pending, "PendingCloudwatchLogsExports");
	cJSON *have = cJSON_GetObjectItemCaseSensitive(item, "EnabledCloudwatchLogsExports");
	const cJSON *t;
	cJSON *el, *next;

	if (!logs)
		return 0;
	if (!have && !(have = cJSON_AddArrayToObject(item, "EnabledCloudwatchLogsExports")))
		return -ENOMEM;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(logs, "LogTypesToDisable"))
		for (el = have->child; el; el = next) {
			next = el->next;
			if (cJSON_IsString(t) && cJSON_IsString(el) &&
			    !strcmp(el->valuestring, t->valuestring))
				cJSON_Delete(cJSON_DetachItemViaPointer(have, el));
		}
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(logs, "LogTypesToEnable"))
		if (cJSON_IsString(t) &&
		    !cJSON_AddItemToArray(have, cJSON_CreateString(t->valuestring)))
			return -ENOMEM;
	return 0;
}

/* "16.3" → "16" when RDS may upgrade minor versions by itself. */
static int major_only(cJSON *item)
{
	const cJSON *auto_minor = cJSON_GetObjectItemCaseSensitive(item, "AutoMinorVersionUpgrade");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, "EngineVersion");
	char major[16];
	int n;

	if (cJSON_IsFalse(auto_minor) || !cJSON_IsString(v) ||
	    (n = rds_major_version(v->valuestring)) < 0)
		return 0;
	snprintf(major, sizeof(major), "%d", n);
	cJSON_DeleteItemFromObjectCaseSensitive(item, "EngineVersion");
	return cJSON_AddStringToObject(item, "EngineVersion", major) ? 0 : -ENOMEM;
}

/* DescribeDBInstances says whether RDS manages the master password only by
 * the presence of MasterUserSecret. */
static int managed_password(cJSON *item)
{
	int managed = cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(item, "MasterUserSecret"));

	cJSON_DeleteItemFromObjectCaseSensitive(item, "ManageMasterUserPassword");
	return cJSON_AddBoolToObject(item, "ManageMasterUserPassword", managed) ? 0 : -ENOMEM;
}

static int instance_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	const cJSON *pending = cJSON_GetObjectItemCaseSensitive(item, "PendingModifiedValues");
	const cJSON *v, *groups;
	size_t i;
	int rc = 0;

	(void)t;
	for (i = 0; i < N_ELEMS(pending_members) && !rc; i++) {
		v = cJSON_GetObjectItemCaseSensitive(pending, pending_members[i]);
		if (!v)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(item, pending_members[i]);
		if (!cJSON_AddItemToObject(item, pending_members[i], cJSON_Duplicate(v, 1)))
			rc = -ENOMEM;
	}
	groups = cJSON_GetObjectItemCaseSensitive(item, "DBParameterGroups");
	v = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(groups, 0), "DBParameterGroupName");
	if (!rc && cJSON_IsString(v)) {
		cJSON_DeleteItemFromObjectCaseSensitive(item, "DBParameterGroupName");
		if (!cJSON_AddStringToObject(item, "DBParameterGroupName", v->valuestring))
			rc = -ENOMEM;
	}
	if (!rc)
		rc = apply_pending_logs(item, pending);
	if (!rc)
		rc = res_live_pluck(item, "VpcSecurityGroups", "VpcSecurityGroupId",
				    "VpcSecurityGroupIds");
	if (!rc)
		rc = major_only(item);
	if (!rc)
		rc = managed_password(item);
	return rc ? err_set(err, rc, "out of memory") : 0;
}

/* ---- plans ----------------------------------------------------------- */

/* Log exports change by CloudwatchLogsExportConfiguration, the types to
 * enable and to disable in one ModifyDBInstance. */
static cJSON *instance_plan_logs(const res_attr_t *a, const cJSON *desired,
				 const cJSON *added, const cJSON *removed,
				 const cJSON *item, err_t *err)
{
	cJSON *calls = cJSON_CreateArray(), *params = cJSON_Parse(a->update_params), *cfg;

	(void)desired;
	(void)item;
	cfg = params ? cJSON_AddObjectToObject(params, "CloudwatchLogsExportConfiguration") : NULL;
	if (!calls || !cfg ||
	    !cJSON_AddItemToObject(cfg, "EnableLogTypes",
				   added ? cJSON_Duplicate(added, 1) : cJSON_CreateArray()) ||
	    !cJSON_AddItemToObject(cfg, "DisableLogTypes",
				   removed ? cJSON_Duplicate(removed, 1) : cJSON_CreateArray()) ||
	    res_plan_call(calls, a->update_op, params)) {
		if (!cfg)
			cJSON_Delete(params);
		cJSON_Delete(calls);
		err_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	return calls;
}

/* Parameters take effect at the next reboot whether static or dynamic
 * ("pending-reboot" is valid for both; "immediate" only for dynamic ones,
 * and which are dynamic is not in the user parameters read). */
static cJSON *pg_plan_params(const res_attr_t *a, const cJSON *desired,
			     const cJSON *added, const cJSON *removed,
			     const cJSON *item, err_t *err)
{
	(void)added;
	(void)removed;
	(void)item;
	return res_plan_params(a, desired, "Parameters", "pending-reboot", err);
}

/* ---- checks ---------------------------------------------------------- */

static const char *text_of(const cJSON *desired, const char *name, const cJSON **node)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(desired, name);

	*node = v;
	return cJSON_IsString(v) && !strstr(v->valuestring, "${") ? v->valuestring : NULL;
}

/* PostgreSQL 13 or later; the version's form matches
 * AutoMinorVersionUpgrade (see the top of this file); MasterUserPassword
 * or ManageMasterUserPassword, not both (CreateDBInstance refuses both);
 * in production at
 * least db.t3.medium (a burstable micro or small instance has too little
 * memory for the platform's connection pool). */
static int instance_check(const res_type_t *t, const char *environment,
			  const cJSON *desired, const cJSON **at, err_t *err)
{
	const cJSON *engine_node, *version_node, *class_node;
	const char *engine = text_of(desired, "Engine", &engine_node);
	const char *version = text_of(desired, "EngineVersion", &version_node);
	const char *cls = text_of(desired, "DBInstanceClass", &class_node);
	const cJSON *auto_minor = cJSON_GetObjectItemCaseSensitive(desired, "AutoMinorVersionUpgrade");
	const cJSON *manage = cJSON_GetObjectItemCaseSensitive(desired, "ManageMasterUserPassword");
	const cJSON *password = cJSON_GetObjectItemCaseSensitive(desired, "MasterUserPassword");
	int major;

	(void)t;
	if (version && engine && !strcmp(engine, "postgres")) {
		*at = version_node;
		major = rds_major_version(version);
		if (major < 0)
			return err_set(err, -EINVAL, "EngineVersion \"%s\" is not a "
				       "PostgreSQL version like \"16\"", version);
		if (major < 13)
			return err_set(err, -EINVAL, "PostgreSQL %d is not supported: "
				       "EngineVersion must be 13 or later", major);
	}
	if (version && !cJSON_IsFalse(auto_minor) && strchr(version, '.')) {
		*at = version_node;
		return err_set(err, -EINVAL, "EngineVersion \"%s\" pins a minor version "
			       "while AutoMinorVersionUpgrade lets RDS upgrade it: give "
			       "the major version (\"%d\") or set AutoMinorVersionUpgrade "
			       "to false", version, rds_major_version(version));
	}
	if (version && cJSON_IsFalse(auto_minor) && !strchr(version, '.')) {
		*at = version_node;
		return err_set(err, -EINVAL, "with AutoMinorVersionUpgrade false, "
			       "EngineVersion names the exact version (\"%s.x\")", version);
	}
	if (cJSON_IsTrue(manage) && password) {
		*at = password;
		return err_set(err, -EINVAL, "MasterUserPassword is set while "
			       "ManageMasterUserPassword is true: RDS makes the "
			       "password and keeps it in Secrets Manager; drop one of them");
	}
	if (cls && is_production(environment) && rds_class_size_rank(cls) < 3) {
		*at = class_node;
		return err_set(err, -EINVAL, "DBInstanceClass %s is too small for the "
			       "%s environment: it needs db.t3.medium or larger",
			       cls, environment);
	}
	return 0;
}

/* ---- tables ---------------------------------------------------------- */

#define RDS_TAGGED(arn_member) \
	.service = "rds", .arn_path = arn_member, \
	.tag = { "AddTagsToResource", "{\"ResourceName\":\"$arn\",\"Tags\":\"$tags\"}", NULL }, \
	.untag = { "RemoveTagsFromResource", \
		   "{\"ResourceName\":\"$arn\",\"TagKeys\":\"$tag_keys\"}", NULL }, \
	.tag_style = RES_TAGS_LIST

/* Subnet and parameter groups carry no tags in their Describe answer. */
#define TAGS_READ(arn_member) \
	{ .name = "Tags", .live_path = "TagList", .kind = RES_TAGS, \
	  .mutability = RES_IN_PLACE, \
	  .live_read = { "ListTagsForResource", \
			 "{\"ResourceName\":\"$live:" arn_member "\"}", "TagList" } }

#define MODIFY_DB(member) \
	.update_op = "ModifyDBInstance", \
	.update_params = "{\"DBInstanceIdentifier\":\"$id\",\"" member "\":\"$value\"," \
			 "\"ApplyImmediately\":\"$attr:ApplyImmediately\"}"

static const res_attr_t subnet_group_attrs[] = {
	{ .name = "DBSubnetGroupName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "DBSubnetGroupDescription", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .update_op = "ModifyDBSubnetGroup",
	  .update_params = "{\"DBSubnetGroupName\":\"$id\",\"DBSubnetGroupDescription\":\"$value\","
			   "\"SubnetIds\":\"$attr:SubnetIds\"}" },
	{ .name = "SubnetIds", .kind = RES_SET, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .update_op = "ModifyDBSubnetGroup",
	  .update_params = "{\"DBSubnetGroupName\":\"$id\"}", .plan = res_plan_whole_set },
	TAGS_READ("DBSubnetGroupArn"),
	{ .name = "DBSubnetGroupArn", .mutability = RES_READ_ONLY },
	{ .name = "VpcId", .mutability = RES_READ_ONLY },
};

static const res_attr_t param_group_attrs[] = {
	{ .name = "DBParameterGroupName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "DBParameterGroupFamily", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "Description", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	/* Only the parameters config names are compared, with the values
	 * the operator set (Source "user"). */
	{ .name = "Parameters", .kind = RES_MAP, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .normalize = res_param_map,
	  .update_op = "ModifyDBParameterGroup",
	  .update_params = "{\"DBParameterGroupName\":\"$id\"}", .plan = pg_plan_params,
	  .live_read = { "DescribeDBParameters",
			 "{\"DBParameterGroupName\":\"$id\",\"Source\":\"user\"}", "Parameters" } },
	TAGS_READ("DBParameterGroupArn"),
	{ .name = "DBParameterGroupArn", .mutability = RES_READ_ONLY },
};

static const res_attr_t instance_attrs[] = {
	{ .name = "DBInstanceIdentifier", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "Engine", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "EngineVersion", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .update_op = "ModifyDBInstance",
	  .update_params = "{\"DBInstanceIdentifier\":\"$id\",\"EngineVersion\":\"$value\","
			   "\"AllowMajorVersionUpgrade\":true,"
			   "\"ApplyImmediately\":\"$attr:ApplyImmediately\"}" },
	{ .name = "AutoMinorVersionUpgrade", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "true", MODIFY_DB("AutoMinorVersionUpgrade") },
	{ .name = "DBInstanceClass", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, MODIFY_DB("DBInstanceClass") },
	{ .name = "AllocatedStorage", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  MODIFY_DB("AllocatedStorage") },
	{ .name = "MaxAllocatedStorage", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  MODIFY_DB("MaxAllocatedStorage") },
	{ .name = "StorageType", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "\"gp2\"",
	  MODIFY_DB("StorageType") },
	{ .name = "Iops", .kind = RES_SCALAR, .mutability = RES_IN_PLACE, MODIFY_DB("Iops") },
	{ .name = "StorageThroughput", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  MODIFY_DB("StorageThroughput") },
	{ .name = "StorageEncrypted", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "false" },
	{ .name = "KmsKeyId", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "MultiAZ", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "false", MODIFY_DB("MultiAZ") },
	{ .name = "DBSubnetGroupName", .live_path = "DBSubnetGroup.DBSubnetGroupName",
	  .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "DBParameterGroupName", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  MODIFY_DB("DBParameterGroupName") },
	{ .name = "VpcSecurityGroupIds", .kind = RES_SET, .mutability = RES_IN_PLACE,
	  .update_op = "ModifyDBInstance",
	  .update_params = "{\"DBInstanceIdentifier\":\"$id\","
			   "\"ApplyImmediately\":\"$attr:ApplyImmediately\"}",
	  .plan = res_plan_whole_set },
	{ .name = "DBName", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY },
	{ .name = "MasterUsername", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY },
	{ .name = "MasterUserPassword", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .flags = RES_SENSITIVE | RES_WRITE_ONLY },
	/* Turned on in place with the key of the secret RDS makes; turned
	 * off only with a MasterUserPassword to replace it (ModifyDBInstance),
	 * which config then gives. Live: fix_live, from MasterUserSecret. */
	{ .name = "ManageMasterUserPassword", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "false", .update_op = "ModifyDBInstance",
	  .update_params = "{\"DBInstanceIdentifier\":\"$id\",\"ManageMasterUserPassword\":\"$value\","
			   "\"MasterUserSecretKmsKeyId\":\"$attr:MasterUserSecretKmsKeyId\","
			   "\"MasterUserPassword\":\"$attr:MasterUserPassword\","
			   "\"ApplyImmediately\":\"$attr:ApplyImmediately\"}" },
	/* The key of a secret RDS already manages cannot change
	 * (ModifyDBInstance, MasterUserSecretKmsKeyId). */
	{ .name = "MasterUserSecretKmsKeyId", .live_path = "MasterUserSecret.KmsKeyId",
	  .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY },
	{ .name = "BackupRetentionPeriod", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "1", MODIFY_DB("BackupRetentionPeriod") },
	{ .name = "PreferredBackupWindow", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  MODIFY_DB("PreferredBackupWindow") },
	{ .name = "PreferredMaintenanceWindow", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_CASE_INSENSITIVE, MODIFY_DB("PreferredMaintenanceWindow") },
	{ .name = "DeletionProtection", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "false", MODIFY_DB("DeletionProtection") },
	{ .name = "PubliclyAccessible", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "false", MODIFY_DB("PubliclyAccessible") },
	{ .name = "CopyTagsToSnapshot", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "false", MODIFY_DB("CopyTagsToSnapshot") },
	{ .name = "EnableIAMDatabaseAuthentication",
	  .live_path = "IAMDatabaseAuthenticationEnabled", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, .default_json = "false",
	  MODIFY_DB("EnableIAMDatabaseAuthentication") },
	{ .name = "EnablePerformanceInsights", .live_path = "PerformanceInsightsEnabled",
	  .kind = RES_SCALAR, .mutability = RES_IN_PLACE, .default_json = "false",
	  MODIFY_DB("EnablePerformanceInsights") },
	{ .name = "PerformanceInsightsRetentionPeriod", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, MODIFY_DB("PerformanceInsightsRetentionPeriod") },
	{ .name = "PerformanceInsightsKMSKeyId", .kind = RES_SCALAR,
	  .mutability = RES_CREATE_ONLY },
	{ .name = "MonitoringInterval", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "0", MODIFY_DB("MonitoringInterval") },
	{ .name = "MonitoringRoleArn", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  MODIFY_DB("MonitoringRoleArn") },
	{ .name = "EnableCloudwatchLogsExports", .live_path = "EnabledCloudwatchLogsExports",
	  .kind = RES_SET, .mutability = RES_IN_PLACE, .update_op = "ModifyDBInstance",
	  .update_params = "{\"DBInstanceIdentifier\":\"$id\","
			   "\"ApplyImmediately\":\"$attr:ApplyImmediately\"}",
	  .plan = instance_plan_logs },
	/* A setting of driftd's ModifyDBInstance calls, not of the instance:
	 * true applies changes now, false or absent in the maintenance
	 * window. */
	{ .name = "ApplyImmediately", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .flags = RES_WRITE_ONLY | RES_NOT_IN_CREATE },
	{ .name = "Tags", .live_path = "TagList", .kind = RES_TAGS, .mutability = RES_IN_PLACE },
	{ .name = "DBInstanceArn", .mutability = RES_READ_ONLY },
	{ .name = "DbiResourceId", .mutability = RES_READ_ONLY },
	{ .name = "EndpointAddress", .live_path = "Endpoint.Address", .mutability = RES_READ_ONLY },
	{ .name = "EndpointPort", .live_path = "Endpoint.Port", .mutability = RES_READ_ONLY },
	/* {SecretArn, SecretStatus, KmsKeyId} when RDS manages the password. */
	{ .name = "MasterUserSecret", .mutability = RES_READ_ONLY },
	{ .name = "DBInstanceStatus", .mutability = RES_READ_ONLY },
};

/* StartDBInstanceAutomatedBackupsReplication is called in the destination
 * region (the resource's region) and names the source instance by ARN;
 * the replicated backups are listed there by DescribeDBInstanceAutomated-
 * Backups with the source's DBInstanceArn. Not done: the PreSignedUrl AWS
 * wants for an encrypted source in another region (botocore makes it from
 * SourceRegion; driftd does not presign yet). */
static const res_attr_t backup_replication_attrs[] = {
	{ .name = "SourceDBInstanceArn", .live_path = "DBInstanceArn", .kind = RES_SCALAR,
	  .mutability = RES_REPLACE, .flags = RES_REQUIRED },
	{ .name = "BackupRetentionPeriod", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "KmsKeyId", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "DBInstanceAutomatedBackupsArn", .mutability = RES_READ_ONLY },
	{ .name = "Status", .mutability = RES_READ_ONLY },
};

static const char *const subnet_group_names[] = { "DBSubnetGroupName", NULL };
static const char *const param_group_names[] = { "DBParameterGroupName", NULL };
static const char *const instance_names[] = { "DBInstanceIdentifier", NULL };
static const char *const replication_names[] = { "SourceDBInstanceArn", NULL };
static const char *const instance_after[] = {
	"kms.key", "rds.db_subnet_group", "rds.db_parameter_group", NULL
};
static const char *const replication_after[] = { "rds.db_instance", NULL };

static const res_hooks_t subnet_group_hooks = { .fix_live = res_fix_subnet_ids };
static const res_hooks_t instance_hooks = {
	.fix_live = instance_fix_live, .check = instance_check,
};

const res_type_t res_rds_types[] = {
	{ .name = "rds.db_subnet_group", .arn = "arn:{partition}:rds:{region}:{account}:subgrp:{DBSubnetGroupName}", RDS_TAGGED("DBSubnetGroupArn"),
	  .summary = "a DB subnet group: the subnets (two zones or more) of DB instances",
	  .identity = RES_ID_NAME, .name_attrs = subnet_group_names,
	  .id_path = "DBSubnetGroupName",
	  .read = { "DescribeDBSubnetGroups", NULL, "DBSubnetGroups" },
	  .read_one = { "DescribeDBSubnetGroups", "{\"DBSubnetGroupName\":\"$id\"}",
			"DBSubnetGroups.0" },
	  .create = { "CreateDBSubnetGroup", "{\"Tags\":\"$tags\"}", "DBSubnetGroup" },
	  .remove = { "DeleteDBSubnetGroup", "{\"DBSubnetGroupName\":\"$id\"}", NULL },
	  .attrs = subnet_group_attrs, .n_attrs = N_ELEMS(subnet_group_attrs),
	  .hooks = &subnet_group_hooks },
	{ .name = "rds.db_parameter_group", .arn = "arn:{partition}:rds:{region}:{account}:pg:{DBParameterGroupName}", RDS_TAGGED("DBParameterGroupArn"),
	  .summary = "a DB parameter group: engine settings of DB instances",
	  .identity = RES_ID_NAME, .name_attrs = param_group_names,
	  .id_path = "DBParameterGroupName",
	  .read = { "DescribeDBParameterGroups", NULL, "DBParameterGroups" },
	  .read_one = { "DescribeDBParameterGroups", "{\"DBParameterGroupName\":\"$id\"}",
			"DBParameterGroups.0" },
	  .create = { "CreateDBParameterGroup", "{\"Tags\":\"$tags\"}", "DBParameterGroup" },
	  .remove = { "DeleteDBParameterGroup", "{\"DBParameterGroupName\":\"$id\"}", NULL },
	  .attrs = param_group_attrs, .n_attrs = N_ELEMS(param_group_attrs) },
	{ .name = "rds.db_instance", .arn = "arn:{partition}:rds:{region}:{account}:db:{DBInstanceIdentifier}", RDS_TAGGED("DBInstanceArn"),
	  .summary = "a DB instance (PostgreSQL): Multi-AZ, encrypted, backed up",
	  .identity = RES_ID_NAME, .name_attrs = instance_names,
	  .id_path = "DBInstanceIdentifier",
	  .read = { "DescribeDBInstances", NULL, "DBInstances" },
	  .read_one = { "DescribeDBInstances", "{\"DBInstanceIdentifier\":\"$id\"}",
			"DBInstances.0" },
	  .create = { "CreateDBInstance", "{\"Tags\":\"$tags\"}", "DBInstance" },
	  /* A final snapshot named after the instance; deletion protection
	   * must be turned off first, by config. */
	  .remove = { "DeleteDBInstance", "{\"DBInstanceIdentifier\":\"$id\","
		      "\"FinalDBSnapshotIdentifier\":\"$id\"}", NULL },
	  .status_path = "DBInstanceStatus", .ready = "available",
	  .failed = "failed|incompatible-parameters|incompatible-restore|"
		    "inaccessible-encryption-credentials|storage-full",
	  .depends_on_types = instance_after,
	  .attrs = instance_attrs, .n_attrs = N_ELEMS(instance_attrs),
	  .hooks = &instance_hooks },
	{ .name = "rds.backup_replication", .arn = "{SourceDBInstanceArn}", .service = "rds",
	  .summary = "replication of a DB instance's automated backups to this "
		     "resource's region",
	  .identity = RES_ID_NAME, .name_attrs = replication_names,
	  .id_path = "DBInstanceArn", .arn_path = "DBInstanceAutomatedBackupsArn",
	  .read = { "DescribeDBInstanceAutomatedBackups", NULL, "DBInstanceAutomatedBackups" },
	  .read_one = { "DescribeDBInstanceAutomatedBackups",
			"{\"DbiResourceId\":\"$live:DbiResourceId\"}",
			"DBInstanceAutomatedBackups.0" },
	  .create = { "StartDBInstanceAutomatedBackupsReplication", NULL,
		      "DBInstanceAutomatedBackup" },
	  .remove = { "StopDBInstanceAutomatedBackupsReplication",
		      "{\"SourceDBInstanceArn\":\"$id\"}", NULL },
	  .depends_on_types = replication_after,
	  .attrs = backup_replication_attrs, .n_attrs = N_ELEMS(backup_replication_attrs) },
};

const size_t res_rds_n_types = N_ELEMS(res_rds_types);
