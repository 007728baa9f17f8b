/* cli — the subcommand table. Each command lives in its own daemon/cmd_*.c
 * and is listed here; main.c walks the table. */
#ifndef DRIFTD_CLI_H
#define DRIFTD_CLI_H

typedef struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);   /* argv[0] is the command name */
} cli_command_t;

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
