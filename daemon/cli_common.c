/* What the daemon/cmd_*.c commands share: their option parsing (one
 * table of the shared options) and how config errors are printed. */
#include <stddef.h>
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

/* The options several commands share, each behind its CLI_* bit. */
static const struct {
	unsigned     bit;
	cli_option_t opt;
} common_options[] = {
	{ CLI_STATE_DIR, { "--state-dir", 1, offsetof(cli_common_t, state_dir) } },
	{ CLI_ENV, { "--env", 1, offsetof(cli_common_t, environment) } },
	{ CLI_JSON, { "--json", 0, offsetof(cli_common_t, json) } },
};

/* The option of spec named arg, and in *base the struct it fills. */
static const cli_option_t *find_option(const cli_spec_t *spec, const char *arg,
				       void *args, cli_common_t *common,
				       void **base)
{
	const cli_option_t *o;
	size_t i;

	for (i = 0; i < sizeof(common_options) / sizeof(common_options[0]); i++)
		if ((spec->common & common_options[i].bit) &&
		    !strcmp(arg, common_options[i].opt.name)) {
			*base = common;
			return &common_options[i].opt;
		}
	for (o = spec->options; o && o->name; o++)
		if (!strcmp(arg, o->name)) {
			*base = args;
			return o;
		}
	return NULL;
}

int cli_parse(int argc, char **argv, const cli_spec_t *spec, void *args,
	      cli_common_t *common, const char **bad)
{
	const cli_option_t *o;
	const char **pos;
	void *base;
	int i;

	if (common)
		memset(common, 0, sizeof(*common));
	for (i = 1; i < argc; i++) {
		if ((o = find_option(spec, argv[i], args, common, &base))) {
			if (!o->takes_value)
				*(int *)((char *)base + o->field) = 1;
			else if (i + 1 < argc)
				*(const char **)((char *)base + o->field) = argv[++i];
			else
				goto bad;
			continue;
		}
		if (argv[i][0] == '-' || spec->positional == CLI_NO_POSITIONAL)
			goto bad;
		pos = (const char **)((char *)args + spec->positional);
		if (*pos)
			goto bad;
		*pos = argv[i];
	}
	return 0;
bad:
	*bad = argv[i];
	return -1;
}

typedef struct config_dir_args {
	const char *dir;
} config_dir_args_t;

static const cli_option_t config_dir_options[] = {
	{ "--config", 1, offsetof(config_dir_args_t, dir) },
	{ NULL, 0, 0 },
};

const char *cli_config_dir(int argc, char **argv)
{
	static const cli_spec_t spec = {
		0, config_dir_options, offsetof(config_dir_args_t, dir),
	};
	config_dir_args_t a = { NULL };
	const char *bad;

	if (cli_parse(argc, argv, &spec, &a, NULL, &bad))
		return NULL;
	return a.dir;
}
