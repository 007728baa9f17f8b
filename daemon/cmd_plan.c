/* driftd plan | apply | graph — the one-shot commands on a config
 * directory. plan shows what converging would change; apply changes it;
 * graph prints the dependency graph as Graphviz DOT. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>
#include <uv.h>

#include "cli.h"
#include "config.h"
#include "planfmt.h"
#include "reconcile.h"
#include "schema.h"
#include "session.h"

typedef struct plan_args {
	const char *config_dir;
	int detailed_exitcode, auto_approve, no_color;
	cli_common_t c;                /* --state-dir, --env, --json */
} plan_args_t;

static const cli_option_t plan_options[] = {
	{ "--config", 1, offsetof(plan_args_t, config_dir) },
	{ "--detailed-exitcode", 0, offsetof(plan_args_t, detailed_exitcode) },
	{ "--auto-approve", 0, offsetof(plan_args_t, auto_approve) },
	{ "--no-color", 0, offsetof(plan_args_t, no_color) },
	{ NULL, 0, 0 },
};

static int parse_args(int argc, char **argv, plan_args_t *a, const char *cmd)
{
	static const cli_spec_t spec = {
		CLI_STATE_DIR | CLI_ENV | CLI_JSON, plan_options,
		offsetof(plan_args_t, config_dir),
	};
	const char *bad;

	memset(a, 0, sizeof(*a));
	if (cli_parse(argc, argv, &spec, a, &a->c, &bad)) {
		fprintf(stderr, "driftd %s: unknown argument \"%s\"\n", cmd, bad);
		return -1;
	}
	if (!a->config_dir) {
		fprintf(stderr, "usage: driftd %s --config DIR [--state-dir DIR] "
			"[--env NAME] [--json] [--no-color]%s\n", cmd,
			!strcmp(cmd, "plan") ? " [--detailed-exitcode]" :
			!strcmp(cmd, "apply") ? " [--auto-approve]" : "");
		return -1;
	}
	return 0;
}

static void warn_notice(void *ctx, const char *address, const char *text)
{
	(void)ctx;
	fprintf(stderr, "driftd: warning: %s: %s.\n", address, text);
}

static session_t *open_session(uv_loop_t *loop, const plan_args_t *a)
{
	session_opts_t so = { loop, a->config_dir, a->c.state_dir, a->c.environment };
	config_errors_t *errs = NULL;
	session_t *s = NULL;
	char line[ERR_MSG_MAX + ERR_FILE_MAX + 64];
	err_t e;

	if (session_open(&so, &s, &errs, &e)) {
		if (errs && errs->count)
			cli_print_config_errors(a->config_dir, errs);
		else
			fprintf(stderr, "driftd: %s\n", err_format(&e, line,
								     sizeof(line)));
		config_errors_free(errs);
		return NULL;
	}
	config_errors_free(errs);
	schema_notices(session_config(s), warn_notice, NULL);
	return s;
}

static journal_t *open_journal(session_t *s)
{
	char line[ERR_MSG_MAX + 256];
	journal_t *j;
	err_t e;

	if (!(j = session_journal(s, &e)))
		fprintf(stderr, "driftd: %s\n", err_format(&e, line, sizeof(line)));
	return j;
}

static void on_event(void *ctx, rec_event_t ev, const rec_item_t *item,
		     const char *message)
{
	FILE *out = ev == REC_EVENT_FAILED ? stderr : stdout;

	(void)ctx;
	/* State changes are for the daemon's journal; apply prints what it
	 * does. */
	if (ev == REC_EVENT_STATE)
		return;
	fprintf(out, "%s%s: %s\n", ev == REC_EVENT_FAILED ? "Error: " : "",
		item->address, message);
	fflush(out);
}

static int run_plan(session_t *s, uv_loop_t *loop, int apply,
		    rec_result_t **res)
{
	rec_opts_t o;
	char line[ERR_MSG_MAX + 256];
	err_t e;

	memset(&o, 0, sizeof(o));
	o.loop = loop;
	o.config = session_config(s);
	o.environment = session_environment(s);
	o.apply = apply;
	o.pack_live = !apply;   /* the plan's text never shows live state */
	o.event = apply ? on_event : NULL;
	/* A plan reads the journal too, when it can: the record of what this
	 * environment created is what identity changes and pruning go by. */
	if (!apply)
		o.journal = session_journal(s, NULL);
	if (!(o.aws = session_aws(s, &e)) ||
	    (apply && !(o.journal = session_journal(s, &e))))
		goto fail;
	/* Loaded with the journal: write-only secrets compared by their
	 * fingerprints (secret.h). */
	o.secret_key = session_secret_key(s);
	if (rec_run_sync(&o, res, &e))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "driftd: %s\n", err_format(&e, line, sizeof(line)));
	return -1;
}

static void print_result(const rec_result_t *r, const plan_args_t *a)
{
	planfmt_opts_t po = { !a->no_color && isatty(STDOUT_FILENO) };
	char *text;
	cJSON *doc;

	if (a->c.json) {
		doc = planfmt_json(r);
		text = cJSON_Print(doc);
		cJSON_Delete(doc);
	} else {
		text = planfmt_text(r, &po);
	}
	if (text)
		printf("%s\n", text);
	free(text);
}

static int plan_failed(const rec_result_t *r)
{
	size_t i;

	for (i = 0; i < r->n_items; i++)
		if (r->items[i].action == REC_READ_FAILED)
			return 1;
	return 0;
}

static int has_changes(const rec_result_t *r)
{
	return r->n_create || r->n_update || r->n_replace || r->n_delete ||
	       r->n_refused;
}

int cmd_plan(int argc, char **argv)
{
	rec_result_t *r = NULL;
	plan_args_t a;
	session_t *s;
	uv_loop_t loop;
	int rc = 1;

	if (parse_args(argc, argv, &a, "plan"))
		return 2;
	uv_loop_init(&loop);
	s = open_session(&loop, &a);
	if (s && !run_plan(s, &loop, 0, &r)) {
		print_result(r, &a);
		rc = plan_failed(r) ? 1 :
		     a.detailed_exitcode && has_changes(r) ? 2 : 0;
	}
	rec_result_free(r);
	session_close(s);
	uv_loop_close(&loop);
	return rc;
}

/* Without --auto-approve, a person confirms on a terminal; anything else
 * (a pipe, CI) must say --auto-approve. */
static int approved(const plan_args_t *a)
{
	char answer[16];

	if (a->auto_approve)
		return 1;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "driftd apply: stdin is not a terminal; run "
			"with --auto-approve to apply without asking\n");
		return 0;
	}
	printf("\nDo you want driftd to make these changes? Only 'yes' will "
	       "be accepted: ");
	fflush(stdout);
	if (!fgets(answer, sizeof(answer), stdin) || strcmp(answer, "yes\n")) {
		printf("Apply cancelled.\n");
		return 0;
	}
	return 1;
}

int cmd_apply(int argc, char **argv)
{
	rec_result_t *r = NULL;
	plan_args_t a;
	session_t *s;
	uv_loop_t loop;
	size_t i, failed = 0;
	int rc = 1;

	if (parse_args(argc, argv, &a, "apply"))
		return 2;
	uv_loop_init(&loop);
	s = open_session(&loop, &a);
	/* The journal is opened before the plan: a journal driftd cannot
	 * use stops apply with its reason before anything is read. */
	if (!s || !open_journal(s) || run_plan(s, &loop, 0, &r))
		goto out;
	print_result(r, &a);
	/* A type AWS could not read (a Bedrock model the account lost access
	 * to) fails alone with its dependants; the rest still converge, and
	 * the exit status says something failed. */
	if (!has_changes(r) && !journal_count(session_journal(s, NULL))) {
		rc = plan_failed(r) ? 1 : 0;
		goto out;
	}
	if (!approved(&a))
		goto out;
	rec_result_free(r);
	r = NULL;
	if (run_plan(s, &loop, 1, &r))
		goto out;
	for (i = 0; i < r->n_items; i++)
		if (r->items[i].status == REC_STATUS_FAILED ||
		    r->items[i].status == REC_STATUS_BLOCKED) {
			fprintf(stderr, "Error: %s: %s\n", r->items[i].address,
				rec_item_err(&r->items[i])->message);
			failed++;
		}
	/* What happened, from each resource's final state: an attempted
	 * create that failed is counted as failed, not as created. */
	printf("\nApply %s. Resources: %zu created, %zu changed, %zu replaced, "
	       "%zu deleted, %zu failed, %zu refused.\n",
	       failed ? "finished with errors" : "complete",
	       r->applied.created, r->applied.changed, r->applied.replaced,
	       r->applied.deleted, r->applied.failed, r->applied.refused);
	rc = failed ? 1 : 0;
out:
	rec_result_free(r);
	session_close(s);
	uv_loop_close(&loop);
	return rc;
}

int cmd_graph(int argc, char **argv)
{
	plan_args_t a;
	session_t *s;
	uv_loop_t loop;
	graph_t *g;
	char *dot;
	int rc = 1;

	if (parse_args(argc, argv, &a, "graph"))
		return 2;
	uv_loop_init(&loop);
	s = open_session(&loop, &a);
	if (s && (g = config_graph(session_config(s)))) {
		dot = graph_to_dot(g);
		if (dot) {
			fputs(dot, stdout);
			rc = 0;
		}
		free(dot);
		graph_free(g);
	}
	session_close(s);
	uv_loop_close(&loop);
	return rc;
}
