/* The XML parser that AWS query, EC2 and REST-XML replies go through. */
#include "fuzz.h"
#include "xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *root = NULL;
	err_t e;

	if (!xml_parse((const char *)data, size, &root, &e)) {
		xml_path_text(root, "a.b.c");
		cJSON_Delete(root);
	}
	return 0;
}
