/* test_engine — the engine's cases as data, run with a scripted AWS and no
 * server (issue 12). Each directory tests/engine/NNN-name/ holds:
 *
 *   config/ (*.json)   the environment's config, loaded as `driftd plan` does
 *   case.json       {
 *     "title":   what the case pins,
 *     "apply":   true: plan, then apply (as `driftd apply` does),
 *     "skip":    [addresses] the daemon's backoff holds back (opts.skip),
 *     "incremental": {"cached": "before" (a directory of the case: the
 *                config before the edit), "only": [addresses] (default:
 *                what rec_edited finds the edit changed)}: a full plan of
 *                the config before the edit is made first, and the case's
 *                plan and apply are incremental runs against its result
 *                (opts.cached, opts.only); "kept": true: that result is
 *                first trimmed as the daemon keeps it between cycles
 *                (rec_result_keep), and the case fails unless its items
 *                keep no desired state and a live item is packed,
 *     "journal": [{"address","type","id"}]: creations this environment's
 *                journal records (rec_journal_created),
 *                [{"address","type","token","intent":true}]: an interrupted
 *                create, and [{"address","attribute","fingerprint"}]: the
 *                fingerprint of a write-only secret's last write (secret.h;
 *                HMAC-SHA256 under CASE_SECRET_KEY, see README.md),
 *     "answers": [{"op", "params" (a subset the call must contain),
 *                  "after" (only once a write with this op was made),
 *                  "result" | "error": {"code","request_id","status"}}],
 *                the last answer that matches wins; a read (Describe,
 *                List, Get) nobody scripted answers {}, a write nobody
 *                scripted fails the case,
 *     "expect": {
 *       "config_errors": ["main.json:3:7: ..."]: the load fails so,
 *       "plan_text": ["substring", ...]: in `driftd plan`'s text,
 *       "plan":  {address: {"action", "state", "error" (a substring),
 *                 "aws_code", "request_id", "owner_env"}},
 *       "apply": {address: {...the same keys, after apply}},
 *       "calls": [{"op","params"}]: every write, in order, and no other,
 *       "events": ["address: substring", ...]: in this order (a subset),
 *       "summary": {"created","changed","replaced","deleted","failed",
 *                   "refused"}: the apply's counts,
 *       "max_in_flight": {service: n}: at most n calls at once,
 *       "reads": ["op", ...]: every read the plan made, in order (after the
 *                incremental case's cached plan),
 *       "result_items": [addresses]: exactly the plan's items, in order,
 *       "edited": [addresses]: exactly what rec_edited finds the edit of
 *                an incremental case changed, in config order,
 *       "secrets": {"address attribute": fingerprint | null}: what the
 *                  journal records after the run,
 *       "never": ["text", ...]: in no plan text or --json (after the plan
 *                and after the apply), event, or the journal file,
 *       "unsent": ["text", ...]: in no write's params }
 *   }
 *
 * A case that expects a field checks it; one that leaves it out does not.
 * The suite fails a case when any expectation fails, naming the case. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>
#include <uv.h>

#include "config.h"
#include "jsonutil.h"
#include "journal.h"
#include "planfmt.h"
#include "readfile.h"
#include "reconcile.h"
#include "schema.h"
#include "strbuf.h"
#include "testutil.h"

/* The per-host key of write-only secrets' fingerprints every case runs
 * with (rec_opts_t.secret_key): 32 bytes. */
#define CASE_SECRET_KEY "driftd-engine-cases-secret-key!!"

#ifndef ENGINE_CASES
#define ENGINE_CASES "tests/engine"
#endif

/* ---- the scripted caller ---------------------------------------------- */

typedef struct script {
	uv_loop_t *loop;
	cJSON     *answers;   /* the case's */
	cJSON     *calls;     /* [{"op","params","service"}], every call made */
	strbuf_t  *problems;  /* what went wrong, for the failure message */
	cJSON     *in_flight; /* {service: calls not answered yet} */
	cJSON     *peak;      /* {service: the most at once} */
} script_t;

typedef struct pending {
	uv_timer_t  timer;
	script_t   *script;
	char        service[64];
	aws_done_cb cb;
	void       *data;
	cJSON      *result;
	err_t       err;
	int         failed;
} pending_t;

static int is_read(const char *op)
{
	return !strncmp(op, "Describe", 8) || !strncmp(op, "List", 4) ||
	       !strncmp(op, "Get", 3);
}

/* want is a subset of have: every member of an object, every element of an
 * array (in order, same length), every scalar equal. */
static int subset(const cJSON *want, const cJSON *have)
{
	const cJSON *w, *h;

	if (!want)
		return 1;
	if (!have)
		return 0;
	if (cJSON_IsObject(want)) {
		if (!cJSON_IsObject(have))
			return 0;
		cJSON_ArrayForEach(w, want)
			if (!subset(w, cJSON_GetObjectItemCaseSensitive(have,
								      w->string)))
				return 0;
		return 1;
	}
	if (cJSON_IsArray(want)) {
		if (!cJSON_IsArray(have) ||
		    cJSON_GetArraySize(want) != cJSON_GetArraySize(have))
			return 0;
		for (w = want->child, h = have->child; w; w = w->next, h = h->next)
			if (!subset(w, h))
				return 0;
		return 1;
	}
	return json_equal(want, have);
}

static int write_made(const script_t *s, const char *op)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, s->calls)
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(c, "op")->valuestring, op))
			return 1;
	return 0;
}

static const cJSON *find_answer(const script_t *s, const char *op,
				const cJSON *params)
{
	const cJSON *a, *found = NULL, *after;

	cJSON_ArrayForEach(a, s->answers) {
		after = cJSON_GetObjectItemCaseSensitive(a, "after");
		if (strcmp(cJSON_GetStringValue(
			   cJSON_GetObjectItemCaseSensitive(a, "op")) ?: "", op) ||
		    !subset(cJSON_GetObjectItemCaseSensitive(a, "params"), params) ||
		    (cJSON_IsString(after) && !write_made(s, after->valuestring)))
			continue;
		found = a;
	}
	return found;
}

static void on_pending_closed(uv_handle_t *h)
{
	free(h->data);
}

/* Calls in flight per service, and the peak: what the engine's read_each
 * window must bound. */
static void count_in_flight(script_t *s, const char *service, int delta)
{
	cJSON *n = cJSON_GetObjectItemCaseSensitive(s->in_flight, service);
	cJSON *m = cJSON_GetObjectItemCaseSensitive(s->peak, service);

	if (!n)
		n = cJSON_AddNumberToObject(s->in_flight, service, 0);
	if (!m)
		m = cJSON_AddNumberToObject(s->peak, service, 0);
	cJSON_SetNumberValue(n, n->valuedouble + delta);
	if (n->valuedouble > m->valuedouble)
		cJSON_SetNumberValue(m, n->valuedouble);
}

static void on_pending(uv_timer_t *t)
{
	pending_t *p = t->data;

	count_in_flight(p->script, p->service, -1);
	p->cb(p->data, p->result, p->failed ? &p->err : NULL);
	uv_close((uv_handle_t *)t, on_pending_closed);
}

static int scripted_call(void *ctx, const char *service, const char *region,
			 const char *op, const cJSON *params, unsigned flags,
			 aws_done_cb cb, void *data, err_t *e)
{
	script_t *s = ctx;
	const cJSON *answer, *error;
	pending_t *p = calloc(1, sizeof(*p));
	cJSON *call = cJSON_CreateObject();

	(void)region;
	(void)flags;
	if (!p || !call) {
		free(p);
		cJSON_Delete(call);
		return err_set(e, -ENOMEM, "out of memory");
	}
	cJSON_AddStringToObject(call, "service", service);
	cJSON_AddStringToObject(call, "op", op);
	cJSON_AddItemToObject(call, "params", params ? cJSON_Duplicate(params, 1)
						     : cJSON_CreateObject());
	cJSON_AddItemToArray(s->calls, call);
	answer = find_answer(s, op, params);
	error = cJSON_GetObjectItemCaseSensitive(answer, "error");
	if (error) {
		p->failed = 1;
		err_set_aws(&p->err, -EIO,
			    (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(error, "status")),
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(error, "code")) ?: "",
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(error, "request_id")) ?: "",
			    "%s: %s", op,
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(error, "message")) ?: "scripted error");
	} else if (answer) {
		p->result = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(answer, "result"), 1);
		if (!p->result)
			p->result = cJSON_CreateObject();
	} else if (is_read(op)) {
		p->result = cJSON_CreateObject();
	} else {
		char *text = params ? cJSON_PrintUnformatted(params) : NULL;

		strbuf_printf(s->problems, "  unscripted write %s %s\n", op,
			       text ? text : "{}");
		free(text);
		p->failed = 1;
		err_set_aws(&p->err, -EIO, 400, "Unscripted", "", "%s: no "
			    "scripted answer", op);
	}
	p->cb = cb;
	p->data = data;
	p->script = s;
	snprintf(p->service, sizeof(p->service), "%s", service);
	count_in_flight(s, service, 1);
	uv_timer_init(s->loop, &p->timer);
	p->timer.data = p;
	uv_timer_start(&p->timer, on_pending, 0, 0);
	return 0;
}

static const char *scripted_region(void *ctx)
{
	(void)ctx;
	return "eu-west-1";
}

/* ---- expectations ------------------------------------------------------ */

static strbuf_t events;

/* The daemon's backoff, as the case says: its "skip" addresses. */
static int skip_listed(void *ctx, const rec_item_t *item)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, (const cJSON *)ctx)
		if (cJSON_IsString(a) && !strcmp(a->valuestring, item->address))
			return 1;
	return 0;
}

static void on_event(void *ctx, rec_event_t ev, const rec_item_t *item,
		     const char *message)
{
	(void)ctx;
	(void)ev;
	strbuf_printf(&events, "%s: %s\n", item->address, message);
}

static const rec_item_t *item_of(const rec_result_t *r, const char *address)
{
	size_t i;

	for (i = 0; i < r->n_items; i++)
		if (!strcmp(r->items[i].address, address))
			return &r->items[i];
	return NULL;
}

static void expect_str(strbuf_t *p, const char *what, const char *address,
		       const char *key, const char *want, const char *have,
		       int substring)
{
	if (have && (substring ? strstr(have, want) != NULL : !strcmp(want, have)))
		return;
	strbuf_printf(p, "  %s %s: %s is \"%s\", expected %s\"%s\"\n", what,
		       address, key, have ? have : "(none)",
		       substring ? "it to contain " : "", want);
}

/* The fields a case may expect of one item. */
static void expect_items(strbuf_t *p, const char *what, const rec_result_t *r,
			 const cJSON *want)
{
	const cJSON *w, *v;
	const rec_item_t *it;
	size_t i;

	/* Every run, every case: no item is left pending or mid-change. */
	for (i = 0; i < r->n_items; i++)
		if (!rec_state_final(r->items[i].state))
			strbuf_printf(p, "  %s %s: ends the run %s, not in a "
				      "final state\n", what, r->items[i].address,
				      rec_state_name(r->items[i].state));

	cJSON_ArrayForEach(w, want) {
		if (!(it = item_of(r, w->string))) {
			strbuf_printf(p, "  %s: no item %s\n", what, w->string);
			continue;
		}
		if ((v = cJSON_GetObjectItemCaseSensitive(w, "action")))
			expect_str(p, what, it->address, "action", v->valuestring,
				   rec_action_name(it->action), 0);
		if ((v = cJSON_GetObjectItemCaseSensitive(w, "state")))
			expect_str(p, what, it->address, "state", v->valuestring,
				   rec_state_name(it->state), 0);
		if ((v = cJSON_GetObjectItemCaseSensitive(w, "error")))
			expect_str(p, what, it->address, "error", v->valuestring,
				   rec_item_err(it)->message, 1);
		if ((v = cJSON_GetObjectItemCaseSensitive(w, "aws_code")))
			expect_str(p, what, it->address, "aws_code", v->valuestring,
				   rec_item_err(it)->aws_code, 0);
		if ((v = cJSON_GetObjectItemCaseSensitive(w, "request_id")))
			expect_str(p, what, it->address, "request_id",
				   v->valuestring, rec_item_err(it)->request_id, 0);
		if ((v = cJSON_GetObjectItemCaseSensitive(w, "owner_env")))
			expect_str(p, what, it->address, "owner_env",
				   v->valuestring, it->owner_env, 0);
	}
}

static void expect_calls(strbuf_t *p, const cJSON *calls, const cJSON *want)
{
	const cJSON *c, *w = want ? want->child : NULL;
	const char *op;
	char *text;

	cJSON_ArrayForEach(c, calls) {
		op = cJSON_GetObjectItemCaseSensitive(c, "op")->valuestring;
		if (is_read(op))
			continue;
		text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(c, "params"));
		if (!w) {
			strbuf_printf(p, "  unexpected write %s %s\n", op, text);
		} else if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w, "op")) ?: "", op) ||
			   !subset(cJSON_GetObjectItemCaseSensitive(w, "params"),
				   cJSON_GetObjectItemCaseSensitive(c, "params"))) {
			strbuf_printf(p, "  write %s %s, expected %s\n", op, text,
				       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w, "op")));
		}
		free(text);
		if (w)
			w = w->next;
	}
	for (; w; w = w->next)
		strbuf_printf(p, "  missing write %s\n",
			       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w, "op")));
}

/* rec_edited's answer is exactly want's addresses, in order. */
static void expect_edited(strbuf_t *p, char **have, size_t n, const cJSON *want)
{
	const cJSON *w = want ? want->child : NULL;
	size_t i;

	if (!want)
		return;
	for (i = 0; i < n; i++, w = w ? w->next : NULL)
		if (!w || strcmp(cJSON_GetStringValue(w) ?: "", have[i]))
			strbuf_printf(p, "  edited %s, expected %s\n", have[i],
				       w ? cJSON_GetStringValue(w) : "none");
	for (; w; w = w->next)
		strbuf_printf(p, "  not found edited: %s\n", cJSON_GetStringValue(w));
}

/* Whether a configured resource of r references address. */
static int referenced(const rec_result_t *r, const char *address)
{
	const config_resource_t *res;
	size_t i, j;

	for (i = 0; i < r->n_items; i++)
		for (j = 0; (res = r->items[i].res) && j < res->nrefs; j++)
			if (!strcmp(res->refs[j].address, address))
				return 1;
	return 0;
}

/* Live state at rest (rec_opts_t.pack_live): a plan run with pack_live
 * hands back each judged in-sync item of a type without code of its own
 * (plan functions, a driver) packed, unless a reference to it opened it
 * again, and no in-sync item's desired state (none is shown, and a
 * secret's value in one is wiped when it is dropped); any other run hands
 * back trees. */
static void expect_live_packed(strbuf_t *p, const char *run,
			       const rec_result_t *r, int pack_live)
{
	const rec_item_t *it;
	size_t i, j;
	int code;

	for (i = 0; i < r->n_items; i++) {
		it = &r->items[i];
		if (!pack_live && json_is_packed(it->desired))
			strbuf_printf(p, "  %s: %s: desired state left packed\n",
				      run, it->address);
		else if (pack_live && it->state == REC_S_IN_SYNC &&
			 it->desired)
			strbuf_printf(p, "  %s: %s: in sync, desired state "
				      "kept\n", run, it->address);
		if (!it->live)
			continue;
		code = it->type->driver != NULL;
		for (j = 0; j < it->type->n_attrs; j++)
			code |= it->type->attrs[j].plan != NULL;
		if (!pack_live && json_is_packed(it->live))
			strbuf_printf(p, "  %s: %s: live state left packed\n",
				      run, it->address);
		else if (pack_live && !code && it->res &&
			 it->state == REC_S_IN_SYNC && !json_is_packed(it->live) &&
			 !referenced(r, it->address))
			strbuf_printf(p, "  %s: %s: in sync, live state not "
				      "packed again\n", run, it->address);
	}
}

/* The result's items are exactly want's addresses, in order. */
static void expect_result_items(strbuf_t *p, const rec_result_t *r,
				const cJSON *want)
{
	const cJSON *w = want ? want->child : NULL;
	size_t i;

	if (!want)
		return;
	for (i = 0; i < r->n_items; i++, w = w ? w->next : NULL)
		if (!w || strcmp(cJSON_GetStringValue(w) ?: "", r->items[i].address))
			strbuf_printf(p, "  result item %s, expected %s\n",
				       r->items[i].address,
				       w ? cJSON_GetStringValue(w) : "none");
	for (; w; w = w->next)
		strbuf_printf(p, "  missing result item %s\n", cJSON_GetStringValue(w));
}

/* The reads made from the call at index from on are exactly want's. */
static void expect_reads(strbuf_t *p, const cJSON *calls, int from,
			 const cJSON *want)
{
	const cJSON *w = want ? want->child : NULL;
	const char *op;
	int i;

	if (!want)
		return;
	for (i = from; i < cJSON_GetArraySize(calls); i++) {
		op = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(calls, i),
						      "op")->valuestring;
		if (!is_read(op))
			continue;
		if (!w)
			strbuf_printf(p, "  unexpected read %s\n", op);
		else if (strcmp(cJSON_GetStringValue(w) ?: "", op))
			strbuf_printf(p, "  read %s, expected %s\n", op,
				       cJSON_GetStringValue(w));
		if (w)
			w = w->next;
	}
	for (; w; w = w->next)
		strbuf_printf(p, "  missing read %s\n", cJSON_GetStringValue(w));
}

/* The cached result as the daemon keeps it (rec_result_keep): no desired
 * state, diff or error left, and every live item packed, those of types
 * with code of their own too. */
static void expect_kept(strbuf_t *p, rec_result_t *r)
{
	size_t i, packed = 0;

	rec_result_keep(r);
	for (i = 0; i < r->n_items; i++) {
		if (r->items[i].desired || r->items[i].diff || r->items[i].err)
			strbuf_printf(p, "  kept cache: %s keeps more than its "
				      "live state and id\n", r->items[i].address);
		if (r->items[i].live && !json_is_packed(r->items[i].live))
			strbuf_printf(p, "  kept cache: %s keeps a live tree, "
				      "not packed\n", r->items[i].address);
		packed += json_is_packed(r->items[i].live);
	}
	if (!packed)
		strbuf_printf(p, "  kept cache: no live item is packed\n");
}

/* The plan an incremental case's runs start from: of the config in the
 * case's "cached" directory (the case's own when not given). */
static int cached_plan(strbuf_t *p, const char *dir, const cJSON *incr,
		       rec_opts_t *o, config_t **cfg, rec_result_t **r)
{
	const char *sub = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(incr, "cached"));
	config_errors_t *errs = NULL;
	const config_t *config = o->config;
	char path[700];
	err_t e;
	int rc = 0;

	*cfg = NULL;
	if (sub) {
		snprintf(path, sizeof(path), "%s/%s", dir, sub);
		if (config_load_with_schema(path, schema_config(), cfg, &errs)) {
			strbuf_printf(p, "  the cached config %s does not load\n", path);
			config_errors_free(errs);
			return -1;
		}
		config_errors_free(errs);
		o->config = *cfg;
	}
	if (rec_run_sync(o, r, &e)) {
		strbuf_printf(p, "  the cached plan did not run: %s\n", e.message);
		rc = -1;
	}
	o->config = config;
	if (!rc && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(incr, "kept")))
		expect_kept(p, *r);
	return rc;
}

/* Each expected line appears in the events, in this order. */
static void expect_events(strbuf_t *p, const char *have, const cJSON *want)
{
	const cJSON *w;
	const char *at = have, *f;

	cJSON_ArrayForEach(w, want) {
		if (!cJSON_IsString(w))
			continue;
		if ((f = strstr(at, w->valuestring))) {
			at = f + strlen(w->valuestring);
			continue;
		}
		strbuf_printf(p, "  event \"%s\" not seen (in order); events:\n%s",
			       w->valuestring, have);
		return;
	}
}

static void expect_summary(strbuf_t *p, const rec_result_t *r,
			   const cJSON *want)
{
	const struct { const char *name; size_t have; } counts[] = {
		{ "created", r->applied.created },
		{ "changed", r->applied.changed },
		{ "replaced", r->applied.replaced },
		{ "deleted", r->applied.deleted },
		{ "failed", r->applied.failed },
		{ "refused", r->applied.refused },
	};
	const cJSON *v;
	size_t i;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		v = cJSON_GetObjectItemCaseSensitive(want, counts[i].name);
		if (cJSON_IsNumber(v) && (size_t)v->valuedouble != counts[i].have)
			strbuf_printf(p, "  summary: %zu %s, expected %d\n",
				       counts[i].have, counts[i].name, v->valueint);
	}
}

/* What `driftd plan` prints contains each expected line. */
static void expect_plan_text(strbuf_t *p, const rec_result_t *r,
			     const cJSON *want)
{
	planfmt_opts_t po = { 0 };
	const cJSON *w;
	char *text;

	if (!want)
		return;
	text = planfmt_text(r, &po);
	cJSON_ArrayForEach(w, want)
		if (cJSON_IsString(w) && (!text || !strstr(text, w->valuestring)))
			strbuf_printf(p, "  plan text lacks \"%s\"; it is:\n%s",
				      w->valuestring, text ? text : "(none)");
	free(text);
}

/* No text of want appears in have (what: where it was seen). */
static void expect_never_in(strbuf_t *p, const char *what, const char *have,
			    const cJSON *want)
{
	const cJSON *w;

	cJSON_ArrayForEach(w, want)
		if (cJSON_IsString(w) && have && strstr(have, w->valuestring))
			strbuf_printf(p, "  \"%s\" appears in %s:\n%s\n",
				      w->valuestring, what, have);
}

/* A write-only secret is in no plan text or --json. */
static void expect_never_shown(strbuf_t *p, const char *what,
			       const rec_result_t *r, const cJSON *want)
{
	planfmt_opts_t po = { 0 };
	char *text, where[64];
	cJSON *doc;

	if (!want)
		return;
	text = planfmt_text(r, &po);
	snprintf(where, sizeof(where), "the %s's text", what);
	expect_never_in(p, where, text, want);
	free(text);
	doc = planfmt_json(r);
	text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	snprintf(where, sizeof(where), "the %s's --json", what);
	expect_never_in(p, where, text, want);
	free(text);
}

/* ... nor in any write's params ("unsent"). */
static void expect_unsent(strbuf_t *p, const cJSON *calls, const cJSON *want)
{
	const cJSON *c;
	char *text;

	cJSON_ArrayForEach(c, calls) {
		if (is_read(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "op"))))
			continue;
		text = cJSON_PrintUnformatted(c);
		expect_never_in(p, "a write", text, want);
		free(text);
	}
}

/* What the journal records for write-only secrets after the run. */
static void expect_secrets(strbuf_t *p, const journal_t *j, const char *jdir,
			   const cJSON *want, const cJSON *never)
{
	char address[256], path[128], *text = NULL;
	const char *sp, *have;
	const cJSON *w;
	err_t e;

	cJSON_ArrayForEach(w, want) {
		sp = strchr(w->string, ' ');
		snprintf(address, sizeof(address), "%.*s",
			 sp ? (int)(sp - w->string) : 0, w->string);
		have = journal_secret(j, address, sp ? sp + 1 : "");
		if (cJSON_IsString(w) ? !have || strcmp(have, w->valuestring)
				      : have != NULL)
			strbuf_printf(p, "  journal: %s is %s, expected %s\n",
				      w->string, have ? have : "(none)",
				      cJSON_IsString(w) ? w->valuestring : "(none)");
	}
	snprintf(path, sizeof(path), "%s/journal", jdir);
	if (never && !readfile(path, 1 << 20, &text, NULL, &e))
		expect_never_in(p, "the journal", text, never);
	free(text);
}

/* At most so many calls of a service were in flight at once. */
static void expect_peak(strbuf_t *p, const cJSON *peak, const cJSON *want)
{
	const cJSON *w, *have;

	cJSON_ArrayForEach(w, want) {
		have = cJSON_GetObjectItemCaseSensitive(peak, w->string);
		if (!have || have->valuedouble > w->valuedouble)
			strbuf_printf(p, "  %s: %g calls in flight at once, "
				      "expected at most %g\n", w->string,
				      have ? have->valuedouble : 0.0,
				      w->valuedouble);
	}
}

/* ---- one case ---------------------------------------------------------- */

static void expect_config_errors(strbuf_t *p, const char *dir,
				 const config_errors_t *errs, const cJSON *want)
{
	char line[ERR_MSG_MAX + ERR_FILE_MAX + 64];
	const cJSON *w = want ? want->child : NULL;
	size_t i, skip = strlen(dir) + 1;
	const char *l;

	for (i = 0; errs && i < errs->count; i++, w = w ? w->next : NULL) {
		err_format(&errs->items[i], line, sizeof(line));
		l = !strncmp(line, dir, skip - 1) ? line + skip : line;
		if (!w || !cJSON_IsString(w) || strcmp(w->valuestring, l))
			strbuf_printf(p, "  config error \"%s\", expected \"%s\"\n",
				       l, w && cJSON_IsString(w) ? w->valuestring
								 : "(none)");
	}
	for (; w; w = w->next)
		strbuf_printf(p, "  missing config error \"%s\"\n",
			       cJSON_GetStringValue(w));
}

static journal_t *case_journal(const cJSON *entries, char *dir, size_t size)
{
	char path[256];
	const cJSON *e;
	journal_t *j;
	err_t err;

	snprintf(dir, size, "/tmp/driftd-engine-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/journal", dir);
	ck_assert_int_eq(journal_open(path, &j, &err), 0);
	cJSON_ArrayForEach(e, entries) {
		const char *addr = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "address"));
		const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "type"));
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "id"));
		const char *token = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "token"));

		const char *attribute = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "attribute"));

		if (attribute) {
			ck_assert_int_eq(journal_secret_set(j, addr, attribute,
				cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e,
					"fingerprint")), &err), 0);
		} else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "intent"))) {
			ck_assert_int_eq(journal_intent(j, addr, type, token ?: "t",
							&err), 0);
			if (id)
				ck_assert_int_eq(journal_created(j, addr, id, &err), 0);
		} else {
			ck_assert_int_eq(journal_record_created(j, addr, type, id,
								&err), 0);
		}
	}
	return j;
}

static void remove_journal(const char *dir)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/journal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/journal.tmp", dir);
	unlink(path);
	rmdir(dir);
}

/* Runs one case; returns what failed ("" when it passed). Caller frees. */
static char *run_case(const char *name)
{
	char dir[512], cfgdir[600], path[600], jdir[64];
	strbuf_t pb = STRBUF_INIT, *p = &pb;
	config_errors_t *errs = NULL;
	config_t *cfg = NULL;
	rec_result_t *r = NULL, *cached = NULL;
	config_t *cached_cfg = NULL;
	const char **only = NULL;
	char **edited = NULL;
	size_t n_edited = 0, k;
	const cJSON *incr, *a;
	int from = 0;
	script_t s = { 0 };
	rec_caller_t caller = { &s, scripted_call, scripted_region };
	cJSON *c = NULL, *expect;
	const cJSON *never;
	journal_t *j = NULL;
	char *text = NULL;
	uv_loop_t loop;
	rec_opts_t o;
	err_t e;

	snprintf(dir, sizeof(dir), "%s/%s", ENGINE_CASES, name);
	snprintf(cfgdir, sizeof(cfgdir), "%s/config", dir);
	snprintf(path, sizeof(path), "%s/case.json", dir);
	if (readfile(path, 1 << 20, &text, NULL, &e) || !(c = cJSON_Parse(text))) {
		strbuf_printf(p, "  %s: cannot read or parse\n", path);
		free(text);
		return strbuf_take(p);
	}
	free(text);
	expect = cJSON_GetObjectItemCaseSensitive(c, "expect");
	if (config_load_with_schema(cfgdir, schema_config(), &cfg, &errs) ||
	    cJSON_GetObjectItemCaseSensitive(expect, "config_errors")) {
		expect_config_errors(p, cfgdir, errs,
				     cJSON_GetObjectItemCaseSensitive(expect, "config_errors"));
		goto out;
	}
	uv_loop_init(&loop);
	s.loop = &loop;
	s.answers = cJSON_GetObjectItemCaseSensitive(c, "answers");
	s.calls = cJSON_CreateArray();
	s.problems = p;
	s.in_flight = cJSON_CreateObject();
	s.peak = cJSON_CreateObject();
	j = case_journal(cJSON_GetObjectItemCaseSensitive(c, "journal"), jdir,
			 sizeof(jdir));
	memset(&o, 0, sizeof(o));
	o.loop = &loop;
	o.caller = &caller;
	o.config = cfg;
	o.journal = j;
	o.event = on_event;
	o.wait_timeout_s = 5;
	o.skip = skip_listed;
	o.skip_ctx = cJSON_GetObjectItemCaseSensitive(c, "skip");
	o.poll_max_s = 0.01;
	o.secret_key = (const unsigned char *)CASE_SECRET_KEY;
	never = cJSON_GetObjectItemCaseSensitive(expect, "never");
	incr = cJSON_GetObjectItemCaseSensitive(c, "incremental");
	if (incr) {
		if (cached_plan(p, dir, incr, &o, &cached_cfg, &cached))
			goto done;
		if (rec_edited(cached_cfg ? cached_cfg : cfg, cfg, &edited,
			       &n_edited, &e) < 0)
			strbuf_printf(p, "  rec_edited failed: %s\n", e.message);
		expect_edited(p, edited, n_edited,
			      cJSON_GetObjectItemCaseSensitive(expect, "edited"));
		only = calloc((size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(incr, "only")) + 1,
			      sizeof(*only));
		cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(incr, "only"))
			if (only && cJSON_IsString(a))
				only[o.n_only++] = a->valuestring;
		o.only = cJSON_GetObjectItemCaseSensitive(incr, "only") ?
			 only : (const char *const *)edited;
		if (!cJSON_GetObjectItemCaseSensitive(incr, "only"))
			o.n_only = n_edited;
		o.cached = cached;
		from = cJSON_GetArraySize(s.calls);
	}
	/* The plan runs as driftd plan runs it: live items packed again once
	 * judged (rec_opts_t.pack_live); what it shows must not change. */
	o.pack_live = 1;
	if (rec_run_sync(&o, &r, &e)) {
		strbuf_printf(p, "  plan did not run: %s\n", e.message);
	} else {
		expect_items(p, "plan", r, cJSON_GetObjectItemCaseSensitive(expect, "plan"));
		expect_plan_text(p, r, cJSON_GetObjectItemCaseSensitive(expect, "plan_text"));
		expect_reads(p, s.calls, from, cJSON_GetObjectItemCaseSensitive(expect, "reads"));
		expect_result_items(p, r, cJSON_GetObjectItemCaseSensitive(expect, "result_items"));
		expect_never_shown(p, "plan", r, never);
		expect_live_packed(p, "plan", r, 1);
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "apply"))) {
			rec_result_free(r);
			o.apply = 1;
			o.pack_live = 0;
			if (rec_run_sync(&o, &r, &e))
				strbuf_printf(p, "  apply did not run: %s\n", e.message);
		}
		if (r) {
			expect_items(p, "apply", r, cJSON_GetObjectItemCaseSensitive(expect, "apply"));
			expect_summary(p, r, cJSON_GetObjectItemCaseSensitive(expect, "summary"));
			expect_never_shown(p, "apply", r, never);
			expect_live_packed(p, "apply", r, o.pack_live);
		}
		expect_never_in(p, "the events", events.data, never);
		expect_unsent(p, s.calls, cJSON_GetObjectItemCaseSensitive(expect, "unsent"));
		expect_secrets(p, j, jdir, cJSON_GetObjectItemCaseSensitive(expect,
			       "secrets"), never);
		expect_calls(p, s.calls, cJSON_GetObjectItemCaseSensitive(expect, "calls"));
		expect_events(p, events.data ? events.data : "",
			      cJSON_GetObjectItemCaseSensitive(expect, "events"));
		expect_peak(p, s.peak, cJSON_GetObjectItemCaseSensitive(expect,
								     "max_in_flight"));
	}
done:
	rec_result_free(r);
	rec_result_free(cached);
	config_free(cached_cfg);
	free(only);
	for (k = 0; k < n_edited; k++)
		free(edited[k]);
	free(edited);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
	journal_free(j);
	remove_journal(jdir);
	cJSON_Delete(s.calls);
	cJSON_Delete(s.in_flight);
	cJSON_Delete(s.peak);
	strbuf_free(&events);
out:
	config_errors_free(errs);
	config_free(cfg);
	cJSON_Delete(c);
	return strbuf_take(p);
}

/* A case is a directory (README.md sits beside them). */
static int is_case_dir(const char *name)
{
	char path[600];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", ENGINE_CASES, name);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **case_names;
static size_t n_cases;

/* The cases, sorted; ENGINE_CASE=SUBSTRING runs only the matching ones. */
static void find_cases(void)
{
	const char *only = getenv("ENGINE_CASE");
	struct dirent *d;
	DIR *dir = opendir(ENGINE_CASES);

	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.' || (only && !strstr(d->d_name, only)) ||
		    !is_case_dir(d->d_name))
			continue;
		case_names = realloc(case_names, (n_cases + 1) * sizeof(*case_names));
		case_names[n_cases++] = strdup(d->d_name);
	}
	closedir(dir);
	if (n_cases)
		qsort(case_names, n_cases, sizeof(*case_names), cmp_name);
}

/* One Check test per case, so that the count says how many cases hold. */
START_TEST(engine_case_holds)
{
	char *fail = run_case(case_names[_i]);

	ck_assert_msg(!*fail, "engine case %s:\n%s", case_names[_i], fail);
	free(fail);
}
END_TEST

/* The issue asks for at least 40 cases; a lost directory must not pass. */
START_TEST(the_cases_are_there)
{
	ck_assert_msg(getenv("ENGINE_CASE") || n_cases >= 40,
		      "%zu engine cases in %s (run from the tree's top)",
		      n_cases, ENGINE_CASES);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("cases");
	size_t i;
	int rc;

	find_cases();
	tcase_add_test(tc, the_cases_are_there);
	if (n_cases)
		tcase_add_loop_test(tc, engine_case_holds, 0, (int)n_cases);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	rc = testutil_run(s);
	for (i = 0; i < n_cases; i++)
		free(case_names[i]);
	free(case_names);
	return rc;
}
