/* IAM policy normalization and the diff of two policies: input
 * [desired, live], compared as an iam.policy's PolicyDocument (a document
 * or its JSON text, as AWS returns it URL-decoded). */
#include <stdlib.h>

#include "diff.h"
#include "fuzz.h"
#include "normalize.h"
#include "restable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	cJSON *in = text ? cJSON_Parse(text) : NULL, *n, *desired, *live;
	const res_type_t *t = res_table_find("iam.policy");
	diff_t *d = NULL;
	err_t e;

	free(text);
	if (!cJSON_IsArray(in) || cJSON_GetArraySize(in) != 2) {
		cJSON_Delete(in);
		return 0;
	}
	if ((n = norm_iam_policy(cJSON_GetArrayItem(in, 0), &e)))
		cJSON_Delete(n);
	desired = cJSON_CreateObject();
	live = cJSON_CreateObject();
	cJSON_AddItemToObject(desired, "PolicyDocument",
			      cJSON_Duplicate(cJSON_GetArrayItem(in, 0), 1));
	cJSON_AddItemToObject(live, "PolicyDocument",
			      cJSON_Duplicate(cJSON_GetArrayItem(in, 1), 1));
	if (!diff_resource(t, desired, live, NULL, &d, &e))
		diff_free(d);
	cJSON_Delete(desired);
	cJSON_Delete(live);
	cJSON_Delete(in);
	return 0;
}
