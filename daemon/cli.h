/* cli — the subcommand table. Each command lives in its own daemon/cmd_*.c
 * and is listed here; main.c walks the table. */
#ifndef DRIFTD_CLI_H
#define DRIFTD_CLI_H

typedef struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);   /* argv[0] is the command name */
} cli_command_t;

int cmd_validate(int argc, char **argv);

/* Add one line per command; keep alphabetical. */
#define CLI_COMMANDS \
	{ "validate", "check a config directory", cmd_validate },

#endif
