/* AWS KMS: customer-managed keys and their aliases, the encryption at rest
 * of the data tier (RDS, ElastiCache, Secrets Manager, Backup, S3).
 * Member names are the botocore kms model's (2014-11-01).
 *
 * Keys have no name: driftd finds its own by the ownership tags. ListKeys
 * lists only ids and ARNs, so each listed key is described (DescribeKey,
 * KeyMetadata merged in) and its tags listed (ListResourceTags) before
 * matching. A key scheduled for deletion keeps its tags for 7 to 30 days
 * (ScheduleKeyDeletion): it is gone for driftd, neither matched nor an
 * orphan. The key policy and the rotation status are not in KeyMetadata:
 * GetKeyPolicy and GetKeyRotationStatus are live reads of the keys driftd
 * manages. */
#include <errno.h>
#include <string.h>

#include "normalize.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* On/off attributes KMS changes by two operations (EnableKeyRotation /
 * DisableKeyRotation, EnableKey / DisableKey): update_op turns it on,
 * remove_op off, both with update_params. */
static cJSON *kms_plan_toggle(const res_attr_t *a, const cJSON *desired,
			      const cJSON *added, const cJSON *removed,
			      const cJSON *item, err_t *err)
{
	cJSON *calls = cJSON_CreateArray();

	(void)added;
	(void)removed;
	(void)item;
	if (!calls || (desired && res_plan_call(calls, cJSON_IsTrue(desired) ?
						a->update_op : a->remove_op,
						cJSON_Parse(a->update_params)))) {
		cJSON_Delete(calls);
		err_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	return calls;
}

/* A key named by ARN (arn:aws:kms:REGION:ACCOUNT:key/ID) is the key ID:
 * ListAliases answers TargetKeyId as the bare ID whatever CreateAlias was
 * given. */
cJSON *res_kms_key_id(const cJSON *value, err_t *err)
{
	const char *slash;

	if (!cJSON_IsString(value)) {
		err_set(err, -EINVAL, "a key ID or key ARN must be a string");
		return NULL;
	}
	slash = strrchr(value->valuestring, '/');
	if (!strncmp(value->valuestring, "arn:", 4) && slash &&
	    strstr(value->valuestring, ":key/"))
		return cJSON_CreateString(slash + 1);
	return cJSON_CreateString(value->valuestring);
}

/* Alias names start with alias/; alias/aws/ is AWS's own (CreateAlias). */
static int kms_check_alias_name(const cJSON *value, err_t *err)
{
	if (!cJSON_IsString(value) || strncmp(value->valuestring, "alias/", 6) ||
	    !value->valuestring[6])
		return err_set(err, -EINVAL, "an alias name starts with \"alias/\"");
	if (!strncmp(value->valuestring, "alias/aws/", 10))
		return err_set(err, -EINVAL, "alias/aws/ names are reserved for "
			       "AWS managed keys");
	return 0;
}

#define KEY_PARAMS "{\"KeyId\":\"$id\"}"

static const res_attr_t key_attrs[] = {
	{ .name = "Description", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "\"\"", .update_op = "UpdateKeyDescription",
	  .update_params = "{\"KeyId\":\"$id\",\"Description\":\"$value\"}" },
	{ .name = "KeyUsage", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "\"ENCRYPT_DECRYPT\"",
	  .enum_values = "ENCRYPT_DECRYPT|SIGN_VERIFY|GENERATE_VERIFY_MAC" },
	{ .name = "KeySpec", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "\"SYMMETRIC_DEFAULT\"" },
	{ .name = "MultiRegion", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "false" },
	/* "policy" is driftd's own resource key: the key policy is
	 * KeyPolicy, put after the create (CreateKey makes the default
	 * policy first). */
	{ .name = "KeyPolicy", .live_path = "Policy", .kind = RES_DOCUMENT,
	  .mutability = RES_IN_PLACE, .flags = RES_NOT_IN_CREATE,
	  .normalize = norm_iam_policy, .update_op = "PutKeyPolicy",
	  .update_params = "{\"KeyId\":\"$id\",\"PolicyName\":\"default\",\"Policy\":\"$value\"}",
	  .live_read = { "GetKeyPolicy", "{\"KeyId\":\"$id\",\"PolicyName\":\"default\"}",
			 "Policy" } },
	/* GetKeyRotationStatus's member; set by Enable/DisableKeyRotation. */
	{ .name = "KeyRotationEnabled", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .default_json = "false",
	  .update_op = "EnableKeyRotation", .remove_op = "DisableKeyRotation",
	  .update_params = KEY_PARAMS, .plan = kms_plan_toggle,
	  .live_read = { "GetKeyRotationStatus", KEY_PARAMS, "KeyRotationEnabled" } },
	{ .name = "Enabled", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .default_json = "true",
	  .update_op = "EnableKey", .remove_op = "DisableKey",
	  .update_params = KEY_PARAMS, .plan = kms_plan_toggle },
	{ .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE },
	{ .name = "KeyId", .mutability = RES_READ_ONLY },
	{ .name = "Arn", .mutability = RES_READ_ONLY },
	{ .name = "KeyState", .mutability = RES_READ_ONLY },
};

static const res_attr_t alias_attrs[] = {
	{ .name = "AliasName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED, .check = kms_check_alias_name },
	{ .name = "TargetKeyId", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .normalize = res_kms_key_id, .update_op = "UpdateAlias",
	  .update_params = "{\"AliasName\":\"$id\",\"TargetKeyId\":\"$value\"}" },
	{ .name = "AliasArn", .mutability = RES_READ_ONLY },
};

static const char *const alias_names[] = { "AliasName", NULL };
static const char *const after_key[] = { "kms.key", NULL };

const res_type_t res_kms_types[] = {
	{ .name = "kms.key", .arn = "arn:{partition}:kms:{region}:{account}:key/*", .service = "kms",
	  .summary = "a customer-managed KMS key (key policy, rotation)",
	  .identity = RES_ID_TAGS, .id_path = "KeyId", .arn_path = "Arn",
	  .read = { "ListKeys", NULL, "Keys" },
	  .read_one = { "DescribeKey", KEY_PARAMS, "KeyMetadata" },
	  .read_each = {
		  { "DescribeKey", KEY_PARAMS, "KeyMetadata", NULL, NULL },
		  { "ListResourceTags", KEY_PARAMS, "Tags", "Tags", NULL },
	  },
	  .create = { "CreateKey", "{\"Tags\":\"$tags\"}", "KeyMetadata" },
	  .remove = { "ScheduleKeyDeletion", "{\"KeyId\":\"$id\",\"PendingWindowInDays\":30}",
		      NULL },
	  .tag = { "TagResource", "{\"KeyId\":\"$id\",\"Tags\":\"$tags\"}", NULL },
	  .untag = { "UntagResource", "{\"KeyId\":\"$id\",\"TagKeys\":\"$tag_keys\"}", NULL },
	  .tag_style = RES_TAGS_TAGKEY,
	  .status_path = "KeyState", .ready = "Enabled|Disabled",
	  .gone = "PendingDeletion|PendingReplicaDeletion",
	  .attrs = key_attrs, .n_attrs = N_ELEMS(key_attrs) },
	{ .name = "kms.alias", .arn = "arn:{partition}:kms:{region}:{account}:{AliasName}", .service = "kms",
	  .summary = "a KMS alias (alias/NAME) naming a key",
	  .identity = RES_ID_NAME, .name_attrs = alias_names,
	  .id_path = "AliasName", .arn_path = "AliasArn",
	  .read = { "ListAliases", NULL, "Aliases" },
	  .create = { "CreateAlias", NULL, NULL },
	  .remove = { "DeleteAlias", "{\"AliasName\":\"$id\"}", NULL },
	  .depends_on_types = after_key,
	  .attrs = alias_attrs, .n_attrs = N_ELEMS(alias_attrs) },
};

const size_t res_kms_n_types = N_ELEMS(res_kms_types);
