#include <errno.h>

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

cJSON *res_plan_whole_value(const res_attr_t *a, const cJSON *desired,
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
	cJSON_Delete(calls);
	err_set(err, -ENOMEM, "out of memory");
	return NULL;
}
