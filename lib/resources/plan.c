#include <errno.h>
#include <string.h>

#include "resources.h"

int res_plan_call(cJSON *calls, const char *op, cJSON *params)
{
	cJSON *call = cJSON_CreateObject();

	if (!call || !params) {
		cJSON_Delete(call);
		cJSON_Delete(params);
		return -ENOMEM;
	}
	cJSON_AddStringToObject(call, "op", op);
	cJSON_AddItemToObject(call, "params", params);
	cJSON_AddItemToArray(calls, call);
	return 0;
}

/* The sort key of an element: its member by, or the element itself. */
static const cJSON *sort_key(const cJSON *el, const char *by)
{
	return by ? cJSON_GetObjectItemCaseSensitive(el, by) : el;
}

/* Whether key a sorts before key b: numbers by value, strings by bytes,
 * anything with a key before anything without. */
static int sorts_before(const cJSON *a, const cJSON *b)
{
	if (!a)
		return 0;
	if (!b)
		return 1;
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return a->valuedouble < b->valuedouble;
	return cJSON_IsString(a) && cJSON_IsString(b) &&
	       strcmp(a->valuestring, b->valuestring) < 0;
}

int res_sort_members(cJSON *obj, const char *key, const char *by)
{
	cJSON *list = cJSON_GetObjectItemCaseSensitive(obj, key), *sorted, *el, *best;

	if (!cJSON_IsArray(list))
		return 0;
	if (!(sorted = cJSON_CreateArray()))
		return -ENOMEM;
	/* Selection sort, stable: these lists hold a handful of rules. */
	while (list->child) {
		best = list->child;
		for (el = best->next; el; el = el->next)
			if (sorts_before(sort_key(el, by), sort_key(best, by)))
				best = el;
		cJSON_AddItemToArray(sorted, cJSON_DetachItemViaPointer(list, best));
	}
	cJSON_ReplaceItemInObjectCaseSensitive(obj, key, sorted);
	return 0;
}

cJSON *res_plan_whole_set(const res_attr_t *a, const cJSON *desired,
			  const cJSON *added, const cJSON *removed,
			  const cJSON *item, err_t *err)
{
	cJSON *calls = cJSON_CreateArray(), *params;

	(void)added;
	(void)removed;
	(void)item;
	if (!calls)
		goto oom;
	if (!desired)
		return calls;
	params = cJSON_Parse(a->update_params);
	if (params && !cJSON_AddItemToObject(params, a->name, cJSON_Duplicate(desired, 1))) {
		cJSON_Delete(params);
		params = NULL;
	}
	if (!res_plan_call(calls, a->update_op, params))
		return calls;
oom:
	cJSON_Delete(calls);
	err_set(err, -ENOMEM, "out of memory");
	return NULL;
}
