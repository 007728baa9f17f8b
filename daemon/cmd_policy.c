/* driftd policy --config DIR — prints the least-privilege IAM policy
 * driftd needs for the types the config uses, to give its own role
 * exactly that. Exit 0, 1 when the config does not load, 2 on usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "iampolicy.h"
#include "schema.h"

int cmd_policy(int argc, char **argv)
{
	config_errors_t *errs = NULL;
	config_t *cfg = NULL;
	const char *dir = NULL;
	cJSON *doc = NULL;
	char *text = NULL;
	err_t e = { 0 };
	int rc = 1;

	if (!(dir = cli_config_dir(argc, argv)))
		goto usage;
	if (config_load_with_schema(dir, schema_config(), &cfg, &errs)) {
		if (errs && errs->count)
			cli_print_config_errors(dir, errs);
		else
			fprintf(stderr, "%s: cannot load: out of memory\n", dir);
		goto out;
	}
	if (iampolicy_for_config(cfg, &doc, &e) || !(text = cJSON_Print(doc))) {
		fprintf(stderr, "driftd policy: %s\n", e.code ? e.message : "out of memory");
		goto out;
	}
	printf("%s\n", text);
	rc = 0;
out:
	free(text);
	cJSON_Delete(doc);
	config_free(cfg);
	config_errors_free(errs);
	return rc;
usage:
	fprintf(stderr, "usage: driftd policy DIR | --config DIR\n");
	return 2;
}
