/* driftd drift --history — the drift history (lib/history.h), read from
 * the state directory itself: it works whether or not the daemon runs.
 * Plain `driftd drift` asks the running daemon (ctl.c). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "cli.h"
#include "history.h"

static const char *const usage_text =
	"usage: driftd drift --history [--since DURATION] [--address ADDRESS] "
	"[--json] [--state-dir DIR | --env NAME]\n"
	"  DURATION: seconds, or a number with s, m, h or d (\"90m\", \"7d\")\n";

/* "90", "90s", "15m", "2h", "7d" -> seconds; -1 when it is none of them. */
static long parse_duration(const char *s)
{
	char *end;
	double n = strtod(s, &end);

	if (end == s || n < 0)
		return -1;
	if (!*end || !strcmp(end, "s"))
		;
	else if (!strcmp(end, "m"))
		n *= 60;
	else if (!strcmp(end, "h"))
		n *= 3600;
	else if (!strcmp(end, "d"))
		n *= 86400;
	else
		return -1;
	return n > 90.0 * 365 * 86400 ? -1 : (long)n;
}

static const char *str(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, key));

	return s ? s : "";
}

/* "changed by ARN (EventName at TIME from IP, USER-AGENT); detected N s
 * later", or what is known instead. */
static void print_changed_by(const cJSON *r)
{
	const char *a = str(r, "attribution");
	const cJSON *by = cJSON_GetObjectItem(r, "changed_by");

	if (!strcmp(a, "found"))
		printf("    changed by %s (%s at %s from %s, %s); detected %.0f s "
		       "later\n", str(by, "principal"), str(by, "event"),
		       str(by, "time"), str(by, "source_ip"),
		       str(by, "user_agent"), cJSON_GetNumberValue(
			       cJSON_GetObjectItem(r, "detect_seconds")));
	else if (!strcmp(a, "pending"))
		printf("    changed by: not in CloudTrail yet; driftd looks "
		       "again next cycle\n");
	else if (!strcmp(a, "not found"))
		printf("    changed by: unknown (no write event in CloudTrail "
		       "for it)\n");
	else if (!strcmp(a, "failed"))
		printf("    changed by: unknown (the CloudTrail lookup failed: "
		       "%s)\n", str(r, "error"));
}

static void print_text(const cJSON *all)
{
	const cJSON *r, *ch;

	if (!cJSON_GetArraySize(all)) {
		printf("No drift recorded.\n");
		return;
	}
	cJSON_ArrayForEach(r, all) {
		printf("%s  %s  %s\n", str(r, "time"), str(r, "address"),
		       str(r, "action"));
		print_changed_by(r);
		cJSON_ArrayForEach(ch, cJSON_GetObjectItem(r, "changes"))
			printf("    %s: %s -> %s\n", str(ch, "attribute"),
			       str(ch, "live"), str(ch, "expected"));
	}
}

typedef struct history_args {
	const char *since, *address;
	int history;
} history_args_t;

static const cli_option_t history_options[] = {
	{ "--history", 0, offsetof(history_args_t, history) },
	{ "--since", 1, offsetof(history_args_t, since) },
	{ "--address", 1, offsetof(history_args_t, address) },
	{ NULL, 0, 0 },
};

int cmd_history(int argc, char **argv)
{
	static const cli_spec_t spec = {
		CLI_STATE_DIR | CLI_ENV | CLI_JSON, history_options,
		CLI_NO_POSITIONAL,
	};
	history_args_t a = { NULL, NULL, 0 };
	const char *state_dir, *env, *address, *bad;
	char path[4096], *text;
	long since_s = -1;
	int json, rc;
	size_t skipped = 0;
	cli_common_t c;
	cJSON *all = NULL;
	err_t e;

	if (cli_parse(argc, argv, &spec, &a, &c, &bad)) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (a.since && (since_s = parse_duration(a.since)) < 0) {
		fprintf(stderr, "driftd drift: --since \"%s\" is not a duration\n%s",
			a.since, usage_text);
		return 2;
	}
	state_dir = c.state_dir;
	env = c.environment;
	json = c.json;
	address = a.address;
	/* systemd's StateDirectory=driftd/%i (systemd/driftd@.service). */
	if (!state_dir && !env)
		state_dir = getenv("STATE_DIRECTORY");
	if (!state_dir && env)
		snprintf(path, sizeof(path), "/var/lib/driftd/%s", env);
	else if (state_dir)
		snprintf(path, sizeof(path), "%s", state_dir);
	else {
		fprintf(stderr, "driftd drift: where is the history? Pass "
			"--state-dir DIR or --env NAME.\n");
		return 2;
	}
	err_clear(&e);
	rc = history_read(path, since_s >= 0 ? time(NULL) - since_s : 0,
			  address, &all, &skipped, &e);
	if (rc) {
		fprintf(stderr, "driftd drift: cannot read the history in %s: "
			"%s\n", path, e.message);
		return 1;
	}
	if (json) {
		if ((text = cJSON_Print(all)))
			printf("%s\n", text);
		cJSON_free(text);
	} else {
		print_text(all);
	}
	if (skipped)
		fprintf(stderr, "driftd drift: %zu line(s) of the history in %s "
			"could not be read and were skipped\n", skipped, path);
	cJSON_Delete(all);
	return 0;
}

/* `driftd drift` asks the daemon; with --history it reads the file. */
int cmd_drift_or_history(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--history"))
			return cmd_history(argc, argv);
	return cmd_drift(argc, argv);
}
