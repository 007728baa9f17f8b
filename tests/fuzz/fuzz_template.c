/* The template filler: input [template, $value, $element, $live] (JSON;
 * missing entries are absent values). */
#include <stdlib.h>

#include "fuzz.h"
#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	cJSON *in = text ? cJSON_Parse(text) : NULL, *out = NULL;
	tmpl_values_t v = { .id = "i-1", .arn = "arn:aws:ec2:x", .env = "fuzz",
			    .address = "ec2.vpc.main", .name = "main",
			    .token = "tok" };
	err_t e;

	free(text);
	if (!cJSON_IsArray(in)) {
		cJSON_Delete(in);
		return 0;
	}
	v.value = cJSON_GetArrayItem(in, 1);
	v.element = cJSON_GetArrayItem(in, 2);
	v.live = cJSON_GetArrayItem(in, 3);
	v.desired = v.value;
	v.added = v.removed = v.tags = v.tag_keys = v.element;
	if (!tmpl_fill_tree(cJSON_GetArrayItem(in, 0), &v, &out, &e))
		cJSON_Delete(out);
	cJSON_Delete(in);
	return 0;
}
