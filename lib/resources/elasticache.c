/* Amazon ElastiCache for Redis: cache subnet groups, cache parameter
 * groups and replication groups in cluster mode (shards and replicas).
 * Member names are the botocore elasticache model's (2015-02-02).
 *
 * ElastiCache keeps names in lower case (CreateReplicationGroup,
 * CreateCacheSubnetGroup): config names must be lower case, else they
 * would never match what AWS answers. A replication group's description
 * does not hold its engine version, parameter group, subnet group or
 * security groups (those are on its member clusters): they are sent at
 * create and not compared (RES_WRITE_ONLY). The AUTH token is
 * RES_SENSITIVE | RES_WRITE_ONLY: AWS never returns it (AuthTokenEnabled
 * says one is set). Given as {"secret": ARN} (RES_SECRET_VALUE,
 * restable.h) it is a Secrets Manager secret's value, compared by keyed
 * fingerprint, and a new value is sent once by ModifyReplicationGroup. Shards and replicas are set at create; changing them
 * (ModifyReplicationGroupShardConfiguration, Increase/DecreaseReplicaCount)
 * is reported and left to the operator. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* "enabled"/"enabling" (ReplicationGroup.AutomaticFailover, MultiAZ) as
 * the boolean the Modify/Create members take. */
static cJSON *ec_enabled(const cJSON *value, err_t *err)
{
	if (cJSON_IsBool(value))
		return cJSON_CreateBool(cJSON_IsTrue(value));
	if (cJSON_IsString(value))
		return cJSON_CreateBool(!strcmp(value->valuestring, "enabled") ||
					!strcmp(value->valuestring, "enabling"));
	err_set(err, -EINVAL, "must be true or false");
	return NULL;
}

static int ec_check_lower(const cJSON *value, err_t *err)
{
	const char *p;

	if (!cJSON_IsString(value))
		return 0;
	for (p = value->valuestring; *p; p++)
		if (isupper((unsigned char)*p))
			return err_set(err, -EINVAL, "ElastiCache keeps names in lower "
				       "case: write \"%s\" in lower case",
				       value->valuestring);
	return 0;
}

/* NumNodeGroups and ReplicasPerNodeGroup from the node groups. */
static int repl_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	const cJSON *groups = cJSON_GetObjectItemCaseSensitive(item, "NodeGroups");
	const cJSON *members;
	int replicas;

	(void)t;
	if (!cJSON_IsArray(groups))
		return 0;
	members = cJSON_GetObjectItemCaseSensitive(groups->child, "NodeGroupMembers");
	replicas = cJSON_GetArraySize(members) - 1;
	cJSON_DeleteItemFromObjectCaseSensitive(item, "NumNodeGroups");
	cJSON_DeleteItemFromObjectCaseSensitive(item, "ReplicasPerNodeGroup");
	if (!cJSON_AddNumberToObject(item, "NumNodeGroups", cJSON_GetArraySize(groups)) ||
	    (replicas >= 0 && !cJSON_AddNumberToObject(item, "ReplicasPerNodeGroup", replicas)))
		return err_set(err, -ENOMEM, "out of memory");
	return 0;
}

static cJSON *pg_plan_params(const res_attr_t *a, const cJSON *desired,
			     const cJSON *added, const cJSON *removed,
			     const cJSON *item, err_t *err)
{
	(void)added;
	(void)removed;
	(void)item;
	return res_plan_params(a, desired, "ParameterNameValues", NULL, err);
}

static const cJSON *member(const cJSON *desired, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(desired, name);

	return cJSON_IsString(v) && strstr(v->valuestring, "${") ? NULL : v;
}

/* Redis 6 or later (AUTH with TLS, ACLs); at least cache.t3.micro; the
 * rules AWS enforces at create, found at validate instead: more than one
 * shard needs automatic failover, Multi-AZ needs a replica, an AUTH token
 * needs transit encryption. */
static int repl_check(const res_type_t *t, const char *environment,
		      const cJSON *desired, const cJSON **at, err_t *err)
{
	const cJSON *engine = member(desired, "Engine");
	const cJSON *version = member(desired, "EngineVersion");
	const cJSON *type = member(desired, "CacheNodeType");
	const cJSON *shards = member(desired, "NumNodeGroups");
	const cJSON *replicas = member(desired, "ReplicasPerNodeGroup");
	const cJSON *failover = member(desired, "AutomaticFailoverEnabled");
	const cJSON *multi_az = member(desired, "MultiAZEnabled");
	const cJSON *token = cJSON_GetObjectItemCaseSensitive(desired, "AuthToken");
	const cJSON *transit = member(desired, "TransitEncryptionEnabled");

	(void)t;
	(void)environment;
	if (cJSON_IsString(version) && (!cJSON_IsString(engine) ||
					!strcmp(engine->valuestring, "redis")) &&
	    rds_major_version(version->valuestring) < 6) {
		*at = version;
		return err_set(err, -EINVAL, "EngineVersion \"%s\": Redis 6 or later "
			       "is required", version->valuestring);
	}
	if (cJSON_IsString(type) && rds_class_size_rank(type->valuestring) < 1) {
		*at = type;
		return err_set(err, -EINVAL, "CacheNodeType %s is too small: use "
			       "cache.t3.micro or larger", type->valuestring);
	}
	if (cJSON_IsNumber(shards) && shards->valueint > 1 && !cJSON_IsTrue(failover)) {
		*at = failover ? failover : shards;
		return err_set(err, -EINVAL, "a cluster of %d shards needs "
			       "AutomaticFailoverEnabled true", shards->valueint);
	}
	if (cJSON_IsTrue(multi_az) && (!cJSON_IsNumber(replicas) || replicas->valueint < 1)) {
		*at = replicas ? replicas : multi_az;
		return err_set(err, -EINVAL, "MultiAZEnabled needs ReplicasPerNodeGroup "
			       "of 1 or more");
	}
	if (token && !cJSON_IsTrue(transit)) {
		*at = transit ? transit : token;
		return err_set(err, -EINVAL, "an AuthToken needs TransitEncryptionEnabled true");
	}
	return 0;
}

#define EC_TAGGED \
	.service = "elasticache", .arn_path = "ARN", \
	.tag = { "AddTagsToResource", "{\"ResourceName\":\"$arn\",\"Tags\":\"$tags\"}", NULL }, \
	.untag = { "RemoveTagsFromResource", \
		   "{\"ResourceName\":\"$arn\",\"TagKeys\":\"$tag_keys\"}", NULL }, \
	.tag_style = RES_TAGS_LIST

#define TAGS_ATTR \
	{ .name = "Tags", .live_path = "TagList", .kind = RES_TAGS, \
	  .mutability = RES_IN_PLACE, \
	  .live_read = { "ListTagsForResource", "{\"ResourceName\":\"$live:ARN\"}", "TagList" } }

#define MODIFY_RG(member) \
	.update_op = "ModifyReplicationGroup", \
	.update_params = "{\"ReplicationGroupId\":\"$id\",\"" member "\":\"$value\"," \
			 "\"ApplyImmediately\":true}"

static const res_attr_t subnet_group_attrs[] = {
	{ .name = "CacheSubnetGroupName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED, .check = ec_check_lower },
	{ .name = "CacheSubnetGroupDescription", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, .flags = RES_REQUIRED,
	  .update_op = "ModifyCacheSubnetGroup",
	  .update_params = "{\"CacheSubnetGroupName\":\"$id\","
			   "\"CacheSubnetGroupDescription\":\"$value\"}" },
	{ .name = "SubnetIds", .kind = RES_SET, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .update_op = "ModifyCacheSubnetGroup",
	  .update_params = "{\"CacheSubnetGroupName\":\"$id\"}", .plan = res_plan_whole_set },
	TAGS_ATTR,
	{ .name = "ARN", .mutability = RES_READ_ONLY },
	{ .name = "VpcId", .mutability = RES_READ_ONLY },
};

static const res_attr_t param_group_attrs[] = {
	{ .name = "CacheParameterGroupName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED, .check = ec_check_lower },
	{ .name = "CacheParameterGroupFamily", .kind = RES_SCALAR,
	  .mutability = RES_REPLACE, .flags = RES_REQUIRED },
	{ .name = "Description", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "Parameters", .kind = RES_MAP, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .normalize = res_param_map,
	  .update_op = "ModifyCacheParameterGroup",
	  .update_params = "{\"CacheParameterGroupName\":\"$id\"}", .plan = pg_plan_params,
	  .live_read = { "DescribeCacheParameters",
			 "{\"CacheParameterGroupName\":\"$id\",\"Source\":\"user\"}",
			 "Parameters" } },
	TAGS_ATTR,
	{ .name = "ARN", .mutability = RES_READ_ONLY },
};

static const res_attr_t repl_attrs[] = {
	{ .name = "ReplicationGroupId", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED, .check = ec_check_lower },
	{ .name = "ReplicationGroupDescription", .live_path = "Description",
	  .kind = RES_SCALAR, .mutability = RES_IN_PLACE, .flags = RES_REQUIRED,
	  MODIFY_RG("ReplicationGroupDescription") },
	{ .name = "Engine", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .flags = RES_WRITE_ONLY },
	{ .name = "EngineVersion", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .flags = RES_WRITE_ONLY },
	{ .name = "CacheParameterGroupName", .kind = RES_SCALAR,
	  .mutability = RES_CREATE_ONLY, .flags = RES_WRITE_ONLY },
	{ .name = "CacheSubnetGroupName", .kind = RES_SCALAR,
	  .mutability = RES_CREATE_ONLY, .flags = RES_WRITE_ONLY },
	{ .name = "SecurityGroupIds", .kind = RES_SET, .mutability = RES_CREATE_ONLY,
	  .flags = RES_WRITE_ONLY },
	{ .name = "CacheNodeType", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, MODIFY_RG("CacheNodeType") },
	{ .name = "NumNodeGroups", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY },
	{ .name = "ReplicasPerNodeGroup", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY },
	{ .name = "AutomaticFailoverEnabled", .live_path = "AutomaticFailover",
	  .kind = RES_SCALAR, .mutability = RES_IN_PLACE, .normalize = ec_enabled,
	  .default_json = "false", MODIFY_RG("AutomaticFailoverEnabled") },
	{ .name = "MultiAZEnabled", .live_path = "MultiAZ", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, .normalize = ec_enabled, .default_json = "false",
	  MODIFY_RG("MultiAZEnabled") },
	{ .name = "TransitEncryptionEnabled", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "false" },
	{ .name = "AtRestEncryptionEnabled", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "false" },
	{ .name = "KmsKeyId", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	/* ROTATE: the cluster takes the new token and, until the next
	 * change, the old one, so clients move over without an outage
	 * (ElastiCache User Guide, "Modifying the AUTH token on an existing
	 * cluster"). */
	{ .name = "AuthToken", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_SENSITIVE | RES_WRITE_ONLY | RES_SECRET_VALUE,
	  .update_op = "ModifyReplicationGroup",
	  .update_params = "{\"ReplicationGroupId\":\"$id\",\"AuthToken\":\"$value\","
			   "\"AuthTokenUpdateStrategy\":\"ROTATE\",\"ApplyImmediately\":true}" },
	{ .name = "SnapshotRetentionLimit", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "0", MODIFY_RG("SnapshotRetentionLimit") },
	{ .name = "SnapshotWindow", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  MODIFY_RG("SnapshotWindow") },
	TAGS_ATTR,
	{ .name = "ARN", .mutability = RES_READ_ONLY },
	{ .name = "AuthTokenEnabled", .mutability = RES_READ_ONLY },
	{ .name = "ClusterEnabled", .mutability = RES_READ_ONLY },
	{ .name = "ConfigurationEndpointAddress", .live_path = "ConfigurationEndpoint.Address",
	  .mutability = RES_READ_ONLY },
	{ .name = "ConfigurationEndpointPort", .live_path = "ConfigurationEndpoint.Port",
	  .mutability = RES_READ_ONLY },
};

static const char *const subnet_group_names[] = { "CacheSubnetGroupName", NULL };
static const char *const param_group_names[] = { "CacheParameterGroupName", NULL };
static const char *const repl_names[] = { "ReplicationGroupId", NULL };
static const char *const repl_after[] = {
	"kms.key", "elasticache.subnet_group", "elasticache.parameter_group",
	"secretsmanager.secret", NULL
};

static const res_hooks_t subnet_group_hooks = { .fix_live = res_fix_subnet_ids };
static const res_hooks_t repl_hooks = { .fix_live = repl_fix_live, .check = repl_check };

const res_type_t res_elasticache_types[] = {
	{ .name = "elasticache.subnet_group", .arn = "arn:{partition}:elasticache:{region}:{account}:subnetgroup:{CacheSubnetGroupName}", EC_TAGGED,
	  .summary = "a cache subnet group: the subnets of a replication group",
	  .identity = RES_ID_NAME, .name_attrs = subnet_group_names,
	  .id_path = "CacheSubnetGroupName",
	  .read = { "DescribeCacheSubnetGroups", NULL, "CacheSubnetGroups" },
	  .read_one = { "DescribeCacheSubnetGroups", "{\"CacheSubnetGroupName\":\"$id\"}",
			"CacheSubnetGroups.0" },
	  .create = { "CreateCacheSubnetGroup", "{\"Tags\":\"$tags\"}", "CacheSubnetGroup" },
	  .remove = { "DeleteCacheSubnetGroup", "{\"CacheSubnetGroupName\":\"$id\"}", NULL },
	  .attrs = subnet_group_attrs, .n_attrs = N_ELEMS(subnet_group_attrs),
	  .hooks = &subnet_group_hooks },
	{ .name = "elasticache.parameter_group", .arn = "arn:{partition}:elasticache:{region}:{account}:parametergroup:{CacheParameterGroupName}", EC_TAGGED,
	  .summary = "a cache parameter group (cluster-enabled for cluster mode)",
	  .identity = RES_ID_NAME, .name_attrs = param_group_names,
	  .id_path = "CacheParameterGroupName",
	  .read = { "DescribeCacheParameterGroups", NULL, "CacheParameterGroups" },
	  .read_one = { "DescribeCacheParameterGroups",
			"{\"CacheParameterGroupName\":\"$id\"}", "CacheParameterGroups.0" },
	  .create = { "CreateCacheParameterGroup", "{\"Tags\":\"$tags\"}",
		      "CacheParameterGroup" },
	  .remove = { "DeleteCacheParameterGroup", "{\"CacheParameterGroupName\":\"$id\"}",
		      NULL },
	  .attrs = param_group_attrs, .n_attrs = N_ELEMS(param_group_attrs) },
	{ .name = "elasticache.replication_group", .arn = "arn:{partition}:elasticache:{region}:{account}:replicationgroup:{ReplicationGroupId} arn:{partition}:elasticache:{region}:{account}:cluster:{ReplicationGroupId}-*", EC_TAGGED,
	  .summary = "a Redis replication group in cluster mode: shards, replicas, "
		     "encryption, AUTH, snapshots",
	  .identity = RES_ID_NAME, .name_attrs = repl_names,
	  .id_path = "ReplicationGroupId",
	  .read = { "DescribeReplicationGroups", NULL, "ReplicationGroups" },
	  .read_one = { "DescribeReplicationGroups", "{\"ReplicationGroupId\":\"$id\"}",
			"ReplicationGroups.0" },
	  .create = { "CreateReplicationGroup", "{\"Tags\":\"$tags\"}", "ReplicationGroup" },
	  .remove = { "DeleteReplicationGroup", "{\"ReplicationGroupId\":\"$id\"}", NULL },
	  .status_path = "Status", .ready = "available", .failed = "create-failed",
	  .depends_on_types = repl_after,
	  .attrs = repl_attrs, .n_attrs = N_ELEMS(repl_attrs), .hooks = &repl_hooks },
};

const size_t res_elasticache_n_types = N_ELEMS(res_elasticache_types);
