#include <stdio.h>

#include "cli.h"

void cli_print_config_errors(const char *dir, const config_errors_t *errs)
{
	char line[ERR_MSG_MAX + ERR_FILE_MAX + 64];
	size_t i;

	for (i = 0; i < errs->count; i++)
		fprintf(stderr, "%s\n", err_format(&errs->items[i], line,
						   sizeof(line)));
	if (errs->truncated)
		fprintf(stderr, "%s: too many errors; stopped after %d\n", dir,
			CONFIG_MAX_ERRORS);
}
