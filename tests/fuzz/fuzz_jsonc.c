/* The JSONC parser (comments, trailing-comma errors, positions). */
#include <string.h>

#include "fuzz.h"
#include "jsonc.h"

static void positions(const jsonc_doc_t *doc, const cJSON *n)
{
	jsonc_pos_t p;
	const cJSON *c;

	jsonc_value_pos(doc, n, &p);
	jsonc_key_pos(doc, n, &p);
	if (cJSON_IsString(n))
		jsonc_string_pos(doc, n, strlen(n->valuestring) / 2, &p);
	if (n->string)
		jsonc_key_string_pos(doc, n, strlen(n->string) / 2, &p);
	for (c = n->child; c; c = c->next)
		positions(doc, c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jsonc_doc_t *doc = NULL;
	err_t e;

	if (!jsonc_parse("fuzz.json", (const char *)data, size, &doc, &e)) {
		positions(doc, jsonc_root(doc));
		jsonc_free(doc);
	}
	return 0;
}
