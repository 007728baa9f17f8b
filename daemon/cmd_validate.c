/* driftd validate DIR — checks a config directory and prints every error
 * as file:line:column: message, and every warning (an enum value AWS's
 * model did not have when driftd was built) as file:line:column: warning:
 * message. Exit 0 clean or with warnings only, 1 with errors, 2 on usage.
 * A config that loads is then checked as an estate (estate.h): what its
 * resources mean together. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "estate.h"
#include "schema.h"

int cmd_validate(int argc, char **argv)
{
	config_errors_t *errs = NULL;
	config_t *cfg = NULL;
	const char *dir = NULL;
	int rc;

	if (!(dir = cli_config_dir(argc, argv)))
		goto usage;
	rc = config_load_with_schema(dir, schema_config(), &cfg, &errs);
	if (rc == 0 && errs && estate_check(cfg, time(NULL), errs) != 0)
		rc = -EINVAL;
	if (errs)
		cli_print_config_errors(dir, errs);
	if (rc == 0 && errs && errs->nwarnings)
		printf("%zu files, %zu resources, OK with %zu warning%s\n",
		       config_file_count(cfg), config_resource_count(cfg),
		       errs->nwarnings, errs->nwarnings == 1 ? "" : "s");
	else if (rc == 0)
		printf("%zu files, %zu resources, OK\n", config_file_count(cfg),
		       config_resource_count(cfg));
	else if (!errs || !errs->count)
		fprintf(stderr, "%s: cannot load: out of memory\n", dir);
	config_free(cfg);
	config_errors_free(errs);
	return rc == 0 ? 0 : 1;
usage:
	fprintf(stderr, "usage: driftd validate DIR | --config DIR\n");
	return 2;
}
