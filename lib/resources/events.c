/* Amazon EventBridge: rules of the default event bus, with their targets
 * (the rule that sends CloudTrail's "AWS API Call via CloudTrail" events
 * of the managed services to the queue driftd long-polls).
 *
 * ListRules lists every rule of the bus with its pattern, state and
 * description; each listed rule's tags (ListTagsForResource) are read per
 * rule (read_each: orphans are found by their tags). The targets of the
 * rules driftd manages are a live_read (ListTargetsByRule), so that the
 * refresh after a write and a read of the one rule see them too. A rule's
 * name is unique on its bus and is its identity.
 *
 * PutRule both creates a rule and replaces its whole definition: AWS has
 * no call that changes only the pattern or only the description, and a
 * PutRule without a pattern is refused for a rule that has none of a
 * schedule. So every change of EventPattern, State or Description is one
 * PutRule of the whole definition (rule_plan_put). EventPattern is
 * compared as JSON and sent as its text (AWS takes it as a string).
 *
 * Targets are an attribute of the rule, not a type of their own: AWS
 * names a target only inside its rule (an Id unique per rule, no ARN, no
 * tags), reads them per rule, and refuses DeleteRule while a rule has
 * targets (EventBridge API Reference, DeleteRule: "you must remove all
 * targets"). As a RES_NOT_IN_CREATE set they are put after PutRule and
 * removed before DeleteRule by the engine's delete order, and a target
 * someone adds, changes or removes is drift of the rule. The set is kept
 * exact: PutTargets of the added (an Id that exists is replaced in
 * place), RemoveTargets of the Ids no longer configured
 * (rule_plan_targets). Compared members: Id, Arn, RoleArn, Input,
 * InputPath. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "normalize.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The pattern as PutRule takes it: its JSON text. NULL on ENOMEM. */
static cJSON *pattern_text(const cJSON *pattern)
{
	char *text;
	cJSON *s;

	if (cJSON_IsString(pattern))
		return cJSON_CreateString(pattern->valuestring);
	text = cJSON_PrintUnformatted(pattern);
	s = text ? cJSON_CreateString(text) : NULL;
	free(text);
	return s;
}

/* One PutRule of the whole definition. The pattern is the desired one
 * when the changed attribute is EventPattern, else the live one: each
 * changed attribute makes its own call, planned on the same live item,
 * and EventPattern is the last of them in table order, so the last call
 * sends every desired member. State and Description come from config
 * ("$attr:"); absent, PutRule's defaults (ENABLED, no description). */
static cJSON *rule_plan_put(const res_attr_t *a, const cJSON *desired,
			    const cJSON *added, const cJSON *removed,
			    const cJSON *item, err_t *err)
{
	cJSON *calls = cJSON_CreateArray(), *params;
	const cJSON *pattern;

	(void)added;
	(void)removed;
	if (!calls)
		return res_nomem(NULL, err);
	pattern = !strcmp(a->name, "EventPattern") ? desired
		: cJSON_GetObjectItemCaseSensitive(item, "EventPattern");
	if (!pattern || cJSON_IsNull(pattern))
		return calls;
	params = cJSON_Parse("{\"Name\":\"$id\",\"State\":\"$attr:State\","
			     "\"Description\":\"$attr:Description\"}");
	if (!params || !cJSON_AddItemToObject(params, "EventPattern", pattern_text(pattern)) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(params, "EventPattern"))) {
		cJSON_Delete(params);
		return res_nomem(calls, err);
	}
	if (res_plan_call(calls, "PutRule", params))
		return res_nomem(calls, err);
	return calls;
}

/* The Ids of the elements of list that are not also Ids in keep, as a
 * new array of strings; NULL on ENOMEM. */
static cJSON *ids_not_in(const cJSON *list, const cJSON *keep)
{
	cJSON *ids = cJSON_CreateArray();
	const cJSON *el, *k, *id, *kid;
	int kept;

	if (!ids)
		return NULL;
	cJSON_ArrayForEach(el, list) {
		id = cJSON_GetObjectItemCaseSensitive(el, "Id");
		if (!cJSON_IsString(id))
			continue;
		kept = 0;
		cJSON_ArrayForEach(k, keep) {
			kid = cJSON_GetObjectItemCaseSensitive(k, "Id");
			if (cJSON_IsString(kid) && !strcmp(kid->valuestring, id->valuestring))
				kept = 1;
		}
		if (!kept && !cJSON_AddItemToArray(ids, cJSON_CreateString(id->valuestring))) {
			cJSON_Delete(ids);
			return NULL;
		}
	}
	return ids;
}

/* RemoveTargets of the Ids only removed (a changed target is replaced by
 * PutTargets under its Id), then PutTargets of the added. At delete,
 * removed is every live target and added is empty. */
static cJSON *rule_plan_targets(const res_attr_t *a, const cJSON *desired,
				const cJSON *added, const cJSON *removed,
				const cJSON *item, err_t *err)
{
	cJSON *calls = cJSON_CreateArray(), *ids, *params;

	(void)a;
	(void)desired;
	(void)item;
	if (!calls || !(ids = ids_not_in(removed, added)))
		return res_nomem(calls, err);
	if (cJSON_GetArraySize(ids)) {
		params = cJSON_CreateObject();
		if (!params || !cJSON_AddStringToObject(params, "Rule", "$id") ||
		    !cJSON_AddItemToObject(params, "Ids", ids)) {
			cJSON_Delete(params);
			cJSON_Delete(ids);
			return res_nomem(calls, err);
		}
		if (res_plan_call(calls, "RemoveTargets", params))
			return res_nomem(calls, err);
	} else
		cJSON_Delete(ids);
	if (cJSON_GetArraySize(added)) {
		params = cJSON_CreateObject();
		if (!params || !cJSON_AddStringToObject(params, "Rule", "$id") ||
		    !cJSON_AddItemToObject(params, "Targets", cJSON_Duplicate(added, 1))) {
			cJSON_Delete(params);
			return res_nomem(calls, err);
		}
		if (res_plan_call(calls, "PutTargets", params))
			return res_nomem(calls, err);
	}
	return calls;
}

/* Targets: unique Ids (AWS's identity of a target in its rule), each
 * with an Arn, five at most (EventBridge quotas: "Targets per rule: 5"). */
static int check_targets(const cJSON *value, err_t *err)
{
	const cJSON *t, *u, *id;
	int n = 0;

	if (!cJSON_IsArray(value))
		return err_set(err, -EINVAL, "Targets must be a list of {Id, Arn}");
	cJSON_ArrayForEach(t, value) {
		id = cJSON_GetObjectItemCaseSensitive(t, "Id");
		if (!cJSON_IsString(id) || !id->valuestring[0] ||
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t, "Arn")))
			return err_set(err, -EINVAL, "each target needs an Id and an Arn");
		for (u = t->next; u; u = u->next) {
			const cJSON *uid = cJSON_GetObjectItemCaseSensitive(u, "Id");

			if (cJSON_IsString(uid) && !strcmp(uid->valuestring, id->valuestring))
				return err_set(err, -EINVAL, "target Id \"%s\" is used "
					       "twice", id->valuestring);
		}
		n++;
	}
	if (n > 5)
		return err_set(err, -EINVAL, "a rule has at most 5 targets, not %d", n);
	return 0;
}

/* Targets of a rule in no promised order: ordered by Id. */
static cJSON *norm_targets(const cJSON *value, err_t *err)
{
	cJSON *wrap = cJSON_CreateObject(), *out;

	if (!wrap || !cJSON_AddItemToObject(wrap, "t", cJSON_Duplicate(value, 1)) ||
	    res_sort_members(wrap, "t", "Id"))
		return res_nomem(wrap, err);
	out = cJSON_DetachItemFromObjectCaseSensitive(wrap, "t");
	cJSON_Delete(wrap);
	return out;
}

static const char *const target_fields[] = {
	"Id", "Arn", "RoleArn", "Input", "InputPath", NULL
};

static const res_attr_t rule_attrs[] = {
	{ .name = "Name", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "State", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "\"ENABLED\"",
	  .enum_values = "ENABLED|DISABLED|ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
	  .update_op = "PutRule", .plan = rule_plan_put },
	{ .name = "Description", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .update_op = "PutRule", .plan = rule_plan_put },
	/* Last of the three PutRule attributes: see rule_plan_put. */
	{ .name = "EventPattern", .kind = RES_DOCUMENT, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .normalize = norm_json_document,
	  .update_op = "PutRule", .plan = rule_plan_put },
	{ .name = "Targets", .kind = RES_SET, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .fields = target_fields,
	  .normalize = norm_targets, .check = check_targets,
	  .update_op = "PutTargets", .remove_op = "RemoveTargets",
	  .plan = rule_plan_targets,
	  .live_read = { "ListTargetsByRule", "{\"Rule\":\"$id\"}", "Targets" } },
	{ .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE },
	{ .name = "Arn", .mutability = RES_READ_ONLY },
};

/* PutRule answers RuleArn, the reads Arn. */
static int rule_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	const cJSON *arn = cJSON_GetObjectItemCaseSensitive(item, "RuleArn");

	(void)t;
	if (cJSON_IsString(arn) && !cJSON_GetObjectItemCaseSensitive(item, "Arn") &&
	    !cJSON_AddStringToObject(item, "Arn", arn->valuestring))
		return err_set(err, -ENOMEM, "out of memory");
	return 0;
}

static const res_hooks_t rule_hooks = { .fix_live = rule_fix_live };

static const char *const rule_names[] = { "Name", NULL };

const res_type_t res_events_types[] = {
	{ .name = "events.rule", .arn = "arn:{partition}:events:{region}:{account}:rule/{Name}",
	  .service = "events",
	  .summary = "an EventBridge rule of the default bus, with its targets",
	  .identity = RES_ID_NAME, .name_attrs = rule_names,
	  .id_path = "Name", .arn_path = "Arn",
	  .read = { "ListRules", NULL, "Rules" },
	  .read_each = {
		  { "ListTagsForResource", "{\"ResourceARN\":\"$live:Arn\"}",
		    "Tags", "Tags", NULL },
	  },
	  .read_one = { "DescribeRule", "{\"Name\":\"$id\"}", NULL },
	  .create = { "PutRule", "{\"Tags\":\"$tags\"}", NULL },
	  .remove = { "DeleteRule", "{\"Name\":\"$id\"}", NULL },
	  .tag = { "TagResource", "{\"ResourceARN\":\"$arn\",\"Tags\":\"$tags\"}", NULL },
	  .untag = { "UntagResource",
		     "{\"ResourceARN\":\"$arn\",\"TagKeys\":\"$tag_keys\"}", NULL },
	  .tag_style = RES_TAGS_LIST,
	  .attrs = rule_attrs, .n_attrs = N_ELEMS(rule_attrs),
	  .hooks = &rule_hooks },
};

const size_t res_events_n_types = N_ELEMS(res_events_types);
