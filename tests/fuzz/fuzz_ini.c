/* The shared config / credentials file parser, with sub-sections. */
#include "fuzz.h"
#include "ini.h"

static int visit(void *ctx, const char *section, const char *key,
		 const char *subkey, const char *value, int line)
{
	(void)ctx;
	(void)section;
	(void)key;
	(void)subkey;
	(void)value;
	(void)line;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ini_t *ini = NULL;
	err_t e;

	if (ini_parse("fuzz.ini", (const char *)data, size, &ini, &e))
		return 0;
	ini_foreach(ini, visit, NULL);
	ini_get(ini, "default", "region", NULL);
	ini_get_sub(ini, "services dev", "s3", "endpoint_url", NULL);
	ini_free(ini);
	return 0;
}
