/* driftd — entry point: dispatches the subcommand to its handler. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "secret.h"
#include "version.h"


static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("driftd %s\n", DRIFTD_VERSION);
	return 0;
}

static const cli_command_t commands[] = {
	{ "version", "print the version", cmd_version },
	CLI_COMMANDS
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	const cli_command_t *c;

	fprintf(out, "usage: driftd COMMAND [ARGS...]\n\ncommands:\n");
	for (c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
}

int main(int argc, char **argv)
{
	const cli_command_t *c;
	err_t e;

	/* Before any secret is read (config, credentials): no core dump or
	 * same-user ptrace/gcore may copy them out of memory. */
	if (secret_harden_process(&e)) {
		fprintf(stderr, "driftd: cannot protect its memory: %s\n", e.message);
		return 1;
	}
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(argc, argv);
	for (c = commands; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "driftd: unknown command '%s'; see 'driftd help'\n",
		argv[1]);
	return 2;
}
