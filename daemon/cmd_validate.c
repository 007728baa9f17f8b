/* driftd validate DIR — checks a config directory and prints every error
 * as file:line:column: message. Exit 0 clean, 1 with errors, 2 on usage. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cli.h"

int cmd_validate(int argc, char **argv)
{
	config_errors_t *errs = NULL;
	config_t *cfg = NULL;
	const char *dir = NULL;
	char line[ERR_MSG_MAX + ERR_FILE_MAX + 64];
	size_t i;
	int rc, a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--config") && a + 1 < argc && !dir)
			dir = argv[++a];
		else if (argv[a][0] != '-' && !dir)
			dir = argv[a];
		else
			goto usage;
	}
	if (!dir)
		goto usage;
	rc = config_load(dir, &cfg, &errs);
	if (errs) {
		for (i = 0; i < errs->count; i++)
			fprintf(stderr, "%s\n", err_format(&errs->items[i], line, sizeof(line)));
		if (errs->truncated)
			fprintf(stderr, "%s: too many errors; stopped after %d\n", dir,
				CONFIG_MAX_ERRORS);
	}
	if (rc == 0)
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
