/* ini_dump FILE — prints the parsed AWS shared config file as JSON in the
 * shape of botocore's raw_config_parse: {section: {key: value or
 * {subkey: value}}}, so tests can compare the two parsers. On a parse error
 * prints "file:line:col: message" to stderr and exits 1. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "ini.h"

static int add(void *ctx, const char *section, const char *key,
	       const char *subkey, const char *value, int line)
{
	cJSON *root = ctx, *sec, *item;

	(void)line;
	sec = cJSON_GetObjectItemCaseSensitive(root, section);
	if (!subkey) {
		cJSON_DeleteItemFromObjectCaseSensitive(sec, key);
		cJSON_AddItemToObject(sec, key, *value ? cJSON_CreateString(value)
						      : cJSON_CreateObject());
		return 0;
	}
	item = cJSON_GetObjectItemCaseSensitive(sec, key);
	cJSON_DeleteItemFromObjectCaseSensitive(item, subkey);
	cJSON_AddStringToObject(item, subkey, value);
	return 0;
}

/* A "key =" with nothing nested under it is the empty string to botocore. */
static void empty_objects_to_strings(cJSON *root)
{
	cJSON *sec, *item, *next;

	cJSON_ArrayForEach(sec, root)
		for (item = sec->child; item; item = next) {
			next = item->next;
			if (cJSON_IsObject(item) && !item->child)
				cJSON_ReplaceItemInObjectCaseSensitive(
					sec, item->string, cJSON_CreateString(""));
		}
}

int main(int argc, char **argv)
{
	cJSON *root;
	ini_t *ini;
	char *out, buf[1024];
	const char *name;
	err_t e;
	int i;

	if (argc != 2) {
		fprintf(stderr, "usage: ini_dump FILE\n");
		return 2;
	}
	if (ini_load(argv[1], &ini, &e)) {
		fprintf(stderr, "%s\n", err_format(&e, buf, sizeof(buf)));
		return 1;
	}
	root = cJSON_CreateObject();
	for (i = 0; (name = ini_section_at(ini, i)); i++)
		if (!cJSON_GetObjectItemCaseSensitive(root, name))
			cJSON_AddItemToObject(root, name, cJSON_CreateObject());
	ini_foreach(ini, add, root);
	empty_objects_to_strings(root);
	out = cJSON_Print(root);
	printf("%s\n", out);
	free(out);
	cJSON_Delete(root);
	ini_free(ini);
	return 0;
}
