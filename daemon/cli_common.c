#include <stdio.h>
#include <string.h>

#include "cli.h"

void cli_print_config_errors(const char *dir, const config_errors_t *errs)
{
	char line[ERR_MSG_MAX + ERR_FILE_MAX + 64];
	const err_t *w;
	size_t i;

	for (i = 0; i < errs->nwarnings; i++) {
		w = &errs->warnings[i];
		if (w->file[0])
			fprintf(stderr, "%s:%d:%d: warning: %s\n", w->file, w->line,
				w->column, w->message);
		else
			fprintf(stderr, "warning: %s\n", w->message);
	}
	for (i = 0; i < errs->count; i++)
		fprintf(stderr, "%s\n", err_format(&errs->items[i], line,
						   sizeof(line)));
	if (errs->truncated)
		fprintf(stderr, "%s: too many errors; stopped after %d\n", dir,
			CONFIG_MAX_ERRORS);
}

const char *cli_config_dir(int argc, char **argv)
{
	const char *dir = NULL;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--config") && a + 1 < argc && !dir)
			dir = argv[++a];
		else if (argv[a][0] != '-' && !dir)
			dir = argv[a];
		else
			return NULL;
	}
	return dir;
}
