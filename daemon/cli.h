/* cli — the subcommand table. Each command lives in its own daemon/cmd_*.c
 * and is listed here; main.c walks the table. */
#ifndef DRIFTD_CLI_H
#define DRIFTD_CLI_H

typedef struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);   /* argv[0] is the command name */
} cli_command_t;

#include <stddef.h>

#include "config.h"

int cmd_apply(int argc, char **argv);
int cmd_aws(int argc, char **argv);
int cmd_drift(int argc, char **argv);
int cmd_drift_or_history(int argc, char **argv);   /* cmd_history.c */
int cmd_history(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_reconcile(int argc, char **argv);
int cmd_reload(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_validate(int argc, char **argv);

/* Command-line options. The ones several commands share (--state-dir
 * DIR, --env NAME, --json) are one table in cli_common.c that fills a
 * cli_common_t; a command picks them by CLI_* bit and lists its own in a
 * cli_option_t table that fills its own struct. */
#define CLI_STATE_DIR 0x1u   /* --state-dir DIR */
#define CLI_ENV       0x2u   /* --env NAME */
#define CLI_JSON      0x4u   /* --json */

typedef struct cli_common {
	const char *state_dir, *environment;
	int json;
} cli_common_t;

typedef struct cli_option {
	const char *name;        /* "--socket"; NULL ends a table */
	int         takes_value; /* 1: the next argument is its value */
	size_t      field;       /* offsetof() a const char * (value) or an
				    int set to 1 (flag) in the command's struct */
} cli_option_t;

#define CLI_NO_POSITIONAL ((size_t)-1)

typedef struct cli_spec {
	unsigned            common;     /* CLI_* bits */
	const cli_option_t *options;    /* the command's own; may be NULL */
	size_t              positional; /* offsetof() the const char * that takes
					   one argument not starting with '-',
					   while still unset; CLI_NO_POSITIONAL */
} cli_spec_t;

/* Parses argv[1..argc): a value option given again takes the later
 * value. Returns 0, or -1 with *bad the argument that is not an option of
 * spec, lacks its value, or is a positional one too many. common may be
 * NULL when spec->common is 0. */
int cli_parse(int argc, char **argv, const cli_spec_t *spec, void *args,
	      cli_common_t *common, const char **bad);

/* The one config directory of "CMD DIR" or "CMD --config DIR"; NULL on
 * anything else (a usage error). */
const char *cli_config_dir(int argc, char **argv);

/* Prints every config warning as file:line:column: warning: message,
 * then every error as file:line:column: message, on stderr. */
void cli_print_config_errors(const char *dir, const config_errors_t *errs);

/* Add one line per command; keep alphabetical. */
#define CLI_COMMANDS \
	{ "apply", "converge AWS to the config", cmd_apply }, \
	{ "aws", "make one signed AWS API call and print the result", cmd_aws }, \
	{ "drift", "show the running daemon's current drift (--history: all drift found)", cmd_drift_or_history }, \
	{ "graph", "print the dependency graph as Graphviz DOT", cmd_graph }, \
	{ "plan", "show what converging would change", cmd_plan }, \
	{ "policy", "print the IAM policy driftd needs for a config", cmd_policy }, \
	{ "reconcile", "make the running daemon reconcile now", cmd_reconcile }, \
	{ "reload", "make the running daemon reload its config", cmd_reload }, \
	{ "run", "run the reconciliation daemon", cmd_run }, \
	{ "status", "show the running daemon's resources", cmd_status }, \
	{ "validate", "check a config directory", cmd_validate },

#endif
