#include <errno.h>
#include <string.h>
#include <stdlib.h>

#include "jsonutil.h"
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

cJSON *res_nomem(cJSON *partial, err_t *err)
{
	cJSON_Delete(partial);
	err_set(err, -ENOMEM, "out of memory");
	return NULL;
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
		return res_nomem(NULL, err);
	if (!desired)
		return calls;
	params = cJSON_Parse(a->update_params);
	if (params && !cJSON_AddItemToObject(params, a->name, cJSON_Duplicate(desired, 1))) {
		cJSON_Delete(params);
		params = NULL;
	}
	if (res_plan_call(calls, a->update_op, params))
		return res_nomem(calls, err);
	return calls;
}

cJSON *res_kv_map(const cJSON *value, const char *key_member,
		  const char *value_member, const char *what, err_t *err)
{
	cJSON *out = cJSON_CreateObject(), *el, *k, *v;
	const char *key;
	char *text;

	if (!out)
		return res_nomem(NULL, err);
	if (!cJSON_IsArray(value) && !cJSON_IsObject(value)) {
		cJSON_Delete(out);
		err_set(err, -EINVAL, "%s must be an object of name to value", what);
		return NULL;
	}
	cJSON_ArrayForEach(el, value) {
		if (cJSON_IsArray(value)) {
			k = cJSON_GetObjectItemCaseSensitive(el, key_member);
			v = cJSON_GetObjectItemCaseSensitive(el, value_member);
			key = cJSON_IsString(k) ? k->valuestring : NULL;
		} else {
			key = el->string;
			v = el;
		}
		if (!key || !v || !(text = json_scalar_text(v)))
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(out, key);
		if (!cJSON_AddStringToObject(out, key, text)) {
			free(text);
			return res_nomem(out, err);
		}
		free(text);
	}
	return out;
}

cJSON *res_param_map(const cJSON *value, err_t *err)
{
	return res_kv_map(value, "ParameterName", "ParameterValue", "Parameters", err);
}

cJSON *res_plan_kv_list(const res_attr_t *a, const cJSON *desired,
			const char *list_member, const char *key_member,
			const char *value_member, const char *what,
			const char *apply_method, err_t *err)
{
	cJSON *calls = cJSON_CreateArray(), *params = NULL, *map, *list, *el, *one;

	if (!calls)
		return res_nomem(NULL, err);
	if (!desired)
		return calls;
	if (!(map = res_kv_map(desired, key_member, value_member, what, err))) {
		cJSON_Delete(calls);
		return NULL;
	}
	params = cJSON_Parse(a->update_params);
	list = params ? cJSON_AddArrayToObject(params, list_member) : NULL;
	cJSON_ArrayForEach(el, map) {
		if (!list || !(one = cJSON_CreateObject())) {
			list = NULL;
			break;
		}
		cJSON_AddItemToArray(list, one);
		if (!cJSON_AddStringToObject(one, key_member, el->string) ||
		    !cJSON_AddStringToObject(one, value_member, el->valuestring) ||
		    (apply_method && !cJSON_AddStringToObject(one, "ApplyMethod", apply_method)))
			list = NULL;
	}
	cJSON_Delete(map);
	if (!list) {
		cJSON_Delete(params);
		return res_nomem(calls, err);
	}
	if (res_plan_call(calls, a->update_op, params))
		return res_nomem(calls, err);
	return calls;
}

cJSON *res_plan_params(const res_attr_t *a, const cJSON *desired,
		       const char *list_member, const char *apply_method,
		       err_t *err)
{
	return res_plan_kv_list(a, desired, list_member, "ParameterName",
				"ParameterValue", "Parameters", apply_method, err);
}

int res_live_pluck(cJSON *item, const char *from, const char *member,
		   const char *into)
{
	cJSON *list, *el, *v;

	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(item, from)))
		return 0;
	if (!(list = cJSON_CreateArray()))
		return -ENOMEM;
	cJSON_ArrayForEach(el, cJSON_GetObjectItemCaseSensitive(item, from)) {
		v = cJSON_GetObjectItemCaseSensitive(el, member);
		if (cJSON_IsString(v) &&
		    !cJSON_AddItemToArray(list, cJSON_CreateString(v->valuestring))) {
			cJSON_Delete(list);
			return -ENOMEM;
		}
	}
	cJSON_DeleteItemFromObjectCaseSensitive(item, into);
	cJSON_AddItemToObject(item, into, list);
	return 0;
}

int res_fix_subnet_ids(const res_type_t *t, cJSON *item, err_t *err)
{
	(void)t;
	if (res_live_pluck(item, "Subnets", "SubnetIdentifier", "SubnetIds"))
		return err_set(err, -ENOMEM, "out of memory");
	return 0;
}

cJSON *res_plan_update_whole(const res_attr_t *a, const cJSON *desired,
			     const cJSON *added, const cJSON *removed,
			     const cJSON *item, err_t *err)
{
	cJSON *calls = cJSON_CreateArray();

	(void)desired;
	(void)added;
	(void)removed;
	(void)item;
	if (calls && !res_plan_call(calls, a->update_op, cJSON_Parse(a->update_params)))
		return calls;
	return res_nomem(calls, err);
}
