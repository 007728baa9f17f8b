/* AWS Backup: vaults, plans and selections. Member names are the botocore
 * backup model's (2018-11-15).
 *
 * Vaults have unique names per region. Plans have unique names too, but
 * ListBackupPlans answers no rules, so each listed plan is read with
 * GetBackupPlan (read_each); the plan is found by the name inside its
 * BackupPlan document. Neither list answers tags: ListTags is a live_read
 * by ARN. A selection belongs to one plan: ListBackupSelections is read
 * per plan the config names (scoped), each selection with
 * GetBackupSelection; AWS has no update for a selection, so every change
 * is a replacement (allow_replace). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define TAGGED(arn_member) \
	.tag = { "TagResource", "{\"ResourceArn\":\"$arn\",\"Tags\":\"$tags\"}", NULL }, \
	.untag = { "UntagResource", "{\"ResourceArn\":\"$arn\",\"TagKeyList\":\"$tag_keys\"}", NULL }, \
	.tag_style = RES_TAGS_MAP, .arn_path = arn_member

#define TAGS_ATTR(arn_member) \
	{ .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE, \
	  .live_read = { "ListTags", "{\"ResourceArn\":\"$live:" arn_member "\"}", "Tags", NULL } }

/* ---- plan rules -------------------------------------------------------- */

/* A rule's members that are the operator's (BackupRuleInput); RuleId and
 * what newer APIs add are AWS's. */
static const char *const rule_fields[] = {
	"RuleName", "TargetBackupVaultName", "ScheduleExpression",
	"StartWindowMinutes", "CompletionWindowMinutes", "Lifecycle",
	"RecoveryPointTags", "CopyActions", "EnableContinuousBackup",
	"ScheduleExpressionTimezone", NULL,
};

static int is_rule_field(const char *name)
{
	size_t i;

	for (i = 0; rule_fields[i]; i++)
		if (!strcmp(rule_fields[i], name))
			return 1;
	return 0;
}

/* What GetBackupPlan answers for a rule that left these out (BackupRule
 * data type: a daily 05:00 UTC schedule, an 8-hour start window, a
 * 7-day completion window, no continuous backup). */
static int rule_defaults(cJSON *rule)
{
	static const struct { const char *name, *json; } defaults[] = {
		{ "ScheduleExpression", "\"cron(0 5 ? * * *)\"" },
		{ "StartWindowMinutes", "480" },
		{ "CompletionWindowMinutes", "10080" },
		{ "EnableContinuousBackup", "false" },
	};
	cJSON *m, *next, *v;
	size_t i;

	for (m = rule->child; m; m = next) {
		next = m->next;
		if (!is_rule_field(m->string))
			cJSON_DeleteItemFromObjectCaseSensitive(rule, m->string);
	}
	for (i = 0; i < N_ELEMS(defaults); i++) {
		if (cJSON_GetObjectItemCaseSensitive(rule, defaults[i].name))
			continue;
		v = cJSON_Parse(defaults[i].json);
		if (!v || !cJSON_AddItemToObject(rule, defaults[i].name, v)) {
			cJSON_Delete(v);
			return -ENOMEM;
		}
	}
	return 0;
}

/* A plan document as compared: rules by name, each with AWS's defaults
 * made explicit and AWS's own members (RuleId) dropped, so that a config
 * that leaves the windows out is in sync and a shortened DeleteAfterDays
 * is a change. */
static cJSON *backup_plan_doc(const cJSON *value, err_t *err)
{
	cJSON *out, *rule;

	if (!cJSON_IsObject(value)) {
		err_set(err, -EINVAL, "BackupPlan must be an object with BackupPlanName "
			"and Rules");
		return NULL;
	}
	if (!(out = cJSON_Duplicate(value, 1)))
		return res_nomem(NULL, err);
	cJSON_ArrayForEach(rule, cJSON_GetObjectItemCaseSensitive(out, "Rules"))
		if (cJSON_IsObject(rule) && rule_defaults(rule))
			return res_nomem(out, err);
	if (res_sort_members(out, "Rules", "RuleName"))
		return res_nomem(out, err);
	return out;
}

/* Every rule needs a name and a target vault (CreateBackupPlan). */
static int backup_plan_check(const cJSON *value, err_t *err)
{
	const cJSON *rules = cJSON_GetObjectItemCaseSensitive(value, "Rules"), *rule;

	if (!cJSON_IsObject(value) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(value, "BackupPlanName")))
		return err_set(err, -EINVAL, "BackupPlan needs a BackupPlanName");
	if (!cJSON_IsArray(rules) || !cJSON_GetArraySize(rules))
		return err_set(err, -EINVAL, "BackupPlan needs at least one rule in Rules");
	cJSON_ArrayForEach(rule, rules)
		if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(rule, "RuleName")) ||
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(rule,
						"TargetBackupVaultName")))
			return err_set(err, -EINVAL, "every rule of a BackupPlan needs "
				       "RuleName and TargetBackupVaultName");
	return 0;
}

/* ---- selections -------------------------------------------------------- */

/* A selection as compared: its resource ARN patterns are sets. */
static cJSON *backup_selection_doc(const cJSON *value, err_t *err)
{
	cJSON *out;

	if (!cJSON_IsObject(value)) {
		err_set(err, -EINVAL, "BackupSelection must be an object");
		return NULL;
	}
	if (!(out = cJSON_Duplicate(value, 1)))
		return res_nomem(NULL, err);
	if (res_sort_members(out, "Resources", NULL) ||
	    res_sort_members(out, "NotResources", NULL))
		return res_nomem(out, err);
	return out;
}

/* ---- tables ------------------------------------------------------------- */

static const res_attr_t vault_attrs[] = {
	{ .name = "BackupVaultName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	/* A vault's key is fixed at creation (CreateBackupVault). */
	{ .name = "EncryptionKeyArn", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	TAGS_ATTR("BackupVaultArn"),
	{ .name = "BackupVaultArn", .mutability = RES_READ_ONLY },
	{ .name = "NumberOfRecoveryPoints", .mutability = RES_READ_ONLY },
};

static const res_attr_t plan_attrs[] = {
	{ .name = "BackupPlan", .kind = RES_OBJECT, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .normalize = backup_plan_doc,
	  .check = backup_plan_check, .update_op = "UpdateBackupPlan",
	  .update_params = "{\"BackupPlanId\":\"$id\",\"BackupPlan\":\"$value\"}" },
	TAGS_ATTR("BackupPlanArn"),
	{ .name = "BackupPlanId", .mutability = RES_READ_ONLY },
	{ .name = "BackupPlanArn", .mutability = RES_READ_ONLY },
	{ .name = "VersionId", .mutability = RES_READ_ONLY },
};

static const res_attr_t selection_attrs[] = {
	{ .name = "BackupPlanId", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "BackupSelection", .kind = RES_OBJECT, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED, .normalize = backup_selection_doc },
	{ .name = "SelectionId", .mutability = RES_READ_ONLY },
};

static const char *const vault_names[] = { "BackupVaultName", NULL };
static const char *const plan_names[] = { "BackupPlan.BackupPlanName", NULL };
static const char *const selection_names[] = {
	"BackupPlanId", "BackupSelection.SelectionName", NULL,
};
static const char *const after_vault[] = { "backup.vault", NULL };
static const char *const after_plan[] = { "backup.plan", NULL };

#define SELECTION "{\"BackupPlanId\":\"$live:BackupPlanId\",\"SelectionId\":\"$id\"}"

const res_type_t res_backup_types[] = {
	{ .name = "backup.vault", .arn = "arn:{partition}:backup:{region}:{account}:backup-vault:{BackupVaultName}", .service = "backup",
	  .summary = "an AWS Backup vault, encrypted with a KMS key",
	  .identity = RES_ID_NAME, .name_attrs = vault_names,
	  .id_path = "BackupVaultName",
	  .read = { "ListBackupVaults", NULL, "BackupVaultList" },
	  .read_one = { "DescribeBackupVault", "{\"BackupVaultName\":\"$id\"}", NULL },
	  .create = { "CreateBackupVault",
		      "{\"BackupVaultTags\":\"$tags\",\"CreatorRequestId\":\"$token\"}", NULL },
	  .remove = { "DeleteBackupVault", "{\"BackupVaultName\":\"$id\"}", NULL },
	  TAGGED("BackupVaultArn"),
	  .attrs = vault_attrs, .n_attrs = N_ELEMS(vault_attrs) },
	{ .name = "backup.plan", .arn = "arn:{partition}:backup:{region}:{account}:backup-plan:*", .service = "backup",
	  .summary = "an AWS Backup plan: scheduled rules, retention, copies to other vaults",
	  .identity = RES_ID_NAME, .name_attrs = plan_names,
	  .id_path = "BackupPlanId",
	  .read = { "ListBackupPlans", NULL, "BackupPlansList" },
	  .read_one = { "GetBackupPlan", "{\"BackupPlanId\":\"$id\"}", NULL },
	  .read_each = { { "GetBackupPlan", "{\"BackupPlanId\":\"$id\"}", NULL, NULL, NULL } },
	  .create = { "CreateBackupPlan",
		      "{\"BackupPlanTags\":\"$tags\",\"CreatorRequestId\":\"$token\"}", NULL },
	  .remove = { "DeleteBackupPlan", "{\"BackupPlanId\":\"$id\"}", NULL },
	  TAGGED("BackupPlanArn"),
	  .depends_on_types = after_vault,
	  .attrs = plan_attrs, .n_attrs = N_ELEMS(plan_attrs) },
	{ .name = "backup.selection", .arn = "arn:{partition}:backup:{region}:{account}:backup-plan:*", .service = "backup",
	  .summary = "the resources a Backup plan backs up (by ARN pattern and tag); "
		     "replaced on change",
	  .identity = RES_ID_NAME, .name_attrs = selection_names,
	  .id_path = "SelectionId",
	  .read = { "ListBackupSelections", "{\"BackupPlanId\":\"$attr:BackupPlanId\"}",
		    "BackupSelectionsList" },
	  .read_one = { "GetBackupSelection", SELECTION, NULL },
	  .read_each = { { "GetBackupSelection", SELECTION, NULL, NULL, NULL } },
	  .create = { "CreateBackupSelection", "{\"CreatorRequestId\":\"$token\"}", NULL },
	  .remove = { "DeleteBackupSelection", SELECTION, NULL },
	  .depends_on_types = after_plan,
	  .attrs = selection_attrs, .n_attrs = N_ELEMS(selection_attrs) },
};

const size_t res_backup_n_types = N_ELEMS(res_backup_types);
