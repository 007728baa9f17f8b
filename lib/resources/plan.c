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
