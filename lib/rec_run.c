/* rec_run — the orchestrator of one run: the caller, events, the items and reads a
 * config asks for, the read pass's end, recovery of interrupted creates,
 * delivering the result, and the named states' names. */
#include "rec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "intern.h"
#include "jsonutil.h"
#include "services.h"
#include "template.h"

static int caller_aws_call(void *ctx, const char *service, const char *region,
			   const char *operation, const cJSON *params,
			   unsigned flags, aws_done_cb cb, void *data, err_t *e)
{
	return aws_call(ctx, service, region, operation, params, flags, cb,
			data, e);
}

static const char *caller_aws_region(void *ctx)
{
	return aws_client_region(ctx);
}

rec_caller_t rec_caller_aws(aws_client_t *c)
{
	return (rec_caller_t){ c, caller_aws_call, caller_aws_region };
}

/* Every AWS call of the engine goes through the run's caller. */
int rec__call(rec_run_t *run, const char *service, const char *region,
		    const char *operation, const cJSON *params, unsigned flags,
		    aws_done_cb cb, void *data, err_t *e)
{
	return run->caller.call(run->caller.ctx, service, region, operation,
				params, flags, cb, data, e);
}

double rec__now_s(rec_run_t *run)
{
	return (double)uv_now(run->o.loop) / 1000.0;
}

const char *rec_action_name(rec_action_t a)
{
	static const char *const names[] = {
		"in sync", "create", "update", "replace", "replace refused",
		"delete", "delete refused", "absent", "orphan", "read failed",
	};

	return a <= REC_READ_FAILED ? names[a] : "?";
}

int rec_action_changes(rec_action_t a)
{
	return a == REC_CREATE || a == REC_UPDATE || a == REC_REPLACE ||
	       a == REC_DELETE;
}

void rec__emit(rec_run_t *run, rec_event_t ev, const rec_item_t *item,
		 const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!run->o.event)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	run->o.event(run->o.event_ctx, ev, item, msg);
}

/* The one place an item's state changes. Every change is reported with
 * its reason through the event callback (REC_EVENT_STATE, "old -> new:
 * why"), as bgpd's log_statechange does; the daemon logs it to journald
 * with DRIFTD_EVENT. */
void rec__set_state(rec_run_t *run, rec_item_t *item, rec_state_t state,
		    const char *fmt, ...)
{
	char why[768];
	va_list ap;
	rec_state_t old = item->state;

	if (old == state)
		return;
	item->state = state;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	rec__emit(run, REC_EVENT_STATE, item, "%s -> %s: %s", rec_state_name(old),
		  rec_state_name(state), why);
}

/* ---- finishing -------------------------------------------------------- */

/* What the run read and planned with, freed before the result is
 * delivered: the run itself waits for its timers to close, two turns of
 * the loop later, and a daemon that trims its heap when the result comes
 * would otherwise keep these pages resident until its next cycle. */
static void run_release(rec_run_t *run)
{
	size_t i;

	for (i = 0; i < run->n_reads; i++) {
		rec__index_free(&run->reads[i]);
		rec__keep_free(&run->reads[i]);
		free(run->reads[i].each_queue);
		cJSON_Delete(run->reads[i].items);
	}
	free(run->reads);
	run->reads = NULL;
	run->n_reads = 0;
	graph_free(run->graph);
	run->graph = NULL;
	free(run->selected);
	run->selected = NULL;
}

static void run_free(rec_run_t *run)
{
	run_release(run);
	rec_result_free(run->res);
	free(run);
}

static void on_finish_closed(uv_handle_t *h)
{
	run_free(h->data);
}

static void on_batch_timer_closed(uv_handle_t *h)
{
	rec_run_t *run = h->data;

	uv_close((uv_handle_t *)&run->finish_timer, on_finish_closed);
}

static void deliver(uv_timer_t *t)
{
	rec_run_t *run = t->data;
	rec_result_t *res = run->res;
	size_t i;

	rec__incr_trim(run);
	/* What the caller reads is a tree, unless it asked for packed live
	 * items (an item that was never judged may still be packed). */
	for (i = 0; !run->o.pack_live && i < res->n_items; i++)
		rec__live_open(&res->items[i]);
	run->res = NULL;
	rec__count(res, run->o.apply);
	res->total_seconds = rec__now_s(run) - run->started;
	run_release(run);
	run->done(run->ctx, res, NULL);
	uv_close((uv_handle_t *)&run->batch_timer, on_batch_timer_closed);
}

void rec__finish_run(rec_run_t *run)
{
	if (run->delivered)
		return;
	run->delivered = 1;
	uv_timer_start(&run->finish_timer, deliver, 0, 0);
}

int rec__status_in(const char *status, const char *list)
{
	size_t n = strlen(status);
	const char *p = list;

	while (p && *p) {
		if (!strncasecmp(p, status, n) && (p[n] == '|' || !p[n]))
			return 1;
		p = strchr(p, '|');
		if (p)
			p++;
	}
	return 0;
}
/* ---- the read pass ---------------------------------------------------- */

/* Interrupted creates: the read pass found what they made (by tag or
 * name), or they made nothing and the create runs again with the same
 * token. */
static void recover_journal(rec_run_t *run)
{
	const journal_entry_t *je;
	rec_item_t *item;
	size_t i;
	err_t e;

	for (i = 0; i < journal_count(run->o.journal);) {
		je = journal_at(run->o.journal, i);
		item = rec__item_find(run, je->address);
		if (item && item->live) {
			rec__emit(run, REC_EVENT_RECOVERED, item, "An interrupted run "
			     "created %s [id=%s]; driftd adopts it.",
			     je->address, item->id ? item->id : "?");
			if (journal_done(run->o.journal, je->address, &e))
				return;
			continue;
		}
		if (item)
			rec__emit(run, REC_EVENT_RECOVERED, item, "An interrupted run "
			     "did not finish creating %s; driftd creates it "
			     "with the same idempotency token.", je->address);
		else if (journal_done(run->o.journal, je->address, &e))
			return;
		else
			continue;
		i++;
	}
}

static void after_live_reads(void *ctx);

/* Matches the configured items of the reads that are in, with their
 * references resolved where the resources they name are matched already
 * (a listener is found by its load balancer's ARN). */
void rec__after_reads(rec_run_t *run)
{
	const char **order = NULL;
	rec_item_t *item;
	size_t i, n;
	err_t e;

	if (rec__start_scoped_reads(run))
		return;
	run->res->read_seconds = rec__now_s(run) - run->started;
	run->live_batch.pending = 1;
	run->live_batch.done = after_live_reads;
	run->live_batch.ctx = run;
	/* In dependency order, so that a resource whose name comes from
	 * another's live attribute (a log group named for a database's
	 * endpoint) is matched, and its attributes read, once that one is. */
	if (graph_topo_order(run->graph, &order, &e) == 0)
		n = graph_node_count(run->graph);
	else
		n = run->res->n_items;
	for (i = 0; i < n; i++) {
		item = order ? rec__item_find(run, order[i]) : &run->res->items[i];
		if (!item || !item->res || !rec__incr_selected(run, item) ||
		    rec__read_for(run, item->type, item->region)->err.code)
			continue;
		rec__match_resolved(run, item);
		rec__issue_live_reads(run, item, &run->live_batch);
	}
	free(order);
	rec__batch_step(&run->live_batch);
}

static void after_live_reads(void *ctx)
{
	rec_run_t *run = ctx;
	const char **order = NULL;
	rec_item_t *item;
	size_t i, n;
	err_t e;

	/* Evaluate in dependency order, so references to resources that
	 * exist resolve. */
	if (graph_topo_order(run->graph, &order, &e) == 0) {
		n = graph_node_count(run->graph);
		for (i = 0; i < n; i++)
			if ((item = rec__item_find(run, order[i])) &&
			    rec__incr_selected(run, item))
				rec__evaluate(run, item);
		free(order);
	}
	if (!run->selected)
		rec__add_orphans(run);
	if (!run->o.apply) {
		rec__finish_run(run);
		return;
	}
	recover_journal(run);
	rec__pump(run);
}

static const char *region_of(rec_run_t *run, const config_resource_t *res,
			     const res_type_t *t)
{
	const service_def_t *svc = service_find(t->service);
	const char *r;

	if (svc && svc->global_region)
		return svc->global_region;
	r = res->region ? res->region : config_settings(run->o.config)->region;
	return r && *r ? r : run->caller.region(run->caller.ctx);
}

/* Every listable type of a service the config uses is read in each region
 * the service is used in, configured or not: a resource whose type is
 * gone from config (the last rds.db_instance removed) is then still found
 * by its ownership tags and reported as an orphan. */
static int add_service_reads(rec_run_t *run, err_t *e)
{
	size_t n = run->n_reads, i, j;
	const res_type_t *t;
	rec_read_t *grown, *rd;

	for (i = 0; i < n; i++) {
		for (j = 0; (t = res_table_at(j)); j++) {
			if (strcmp(t->service, run->reads[i].type->service) ||
			    !res_type_listable(t) ||
			    rec__read_for(run, t, run->reads[i].region))
				continue;
			grown = realloc(run->reads, (run->n_reads + 1) *
					sizeof(*grown));
			if (!grown)
				return err_set(e, -ENOMEM, "out of memory");
			run->reads = grown;
			rd = &run->reads[run->n_reads++];
			memset(rd, 0, sizeof(*rd));
			rd->run = run;
			rd->type = t;
			snprintf(rd->region, sizeof(rd->region), "%s",
				 run->reads[i].region);
		}
	}
	return 0;
}

/* The first configured item of a singleton's type and region. */
static const char *singleton_address(const rec_run_t *run,
				     const rec_item_t *item)
{
	size_t i;

	for (i = 0; i < run->res->n_items; i++)
		if (run->res->items[i].type == item->type &&
		    !strcmp(run->res->items[i].region, item->region) &&
		    &run->res->items[i] != item)
			return run->res->items[i].address;
	return "?";
}

static int plan_items(rec_run_t *run, err_t *e)
{
	const config_t *cfg = run->o.config;
	size_t n = config_resource_count(cfg), i;
	const config_resource_t *res;
	rec_item_t *item;
	rec_read_t *rd;

	run->res->items = calloc(n ? n : 1, sizeof(rec_item_t));
	run->reads = calloc(n ? n : 1, sizeof(rec_read_t));
	if (!run->res->items || !run->reads)
		return err_set(e, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		res = config_resource_at(cfg, i);
		item = &run->res->items[run->res->n_items++];
		item->res = res;
		item->address = strdup(res->address);
		item->type = res_table_find(res->address);
		if (!item->type) {
			char type[128];

			snprintf(type, sizeof(type), "%s.%s", res->service,
				 res->type);
			item->type = res_table_find(type);
		}
		if (!item->address || !item->type)
			return err_set(e, -EINVAL, "%s: unknown resource type",
				       res->address);
		item->observe = res->policy.mode == CONFIG_MODE_OBSERVE;
		if (rec__item_region(item, region_of(run, res, item->type)))
			return err_set(e, -ENOMEM, "out of memory");
		if (rec__read_for(run, item->type, item->region)) {
			if (item->type->identity == RES_ID_SINGLETON)
				return err_set(e, -EINVAL, "%s: %s is one per "
					       "account and region, and %s is "
					       "configured already",
					       item->address, item->type->name,
					       singleton_address(run, item));
			continue;
		}
		rd = &run->reads[run->n_reads++];
		rd->run = run;
		rd->type = item->type;
		rd->scoped = rd->type->driver || (rd->type->read.params &&
			     strstr(rd->type->read.params, "\"$attr:") != NULL);
		snprintf(rd->region, sizeof(rd->region), "%s", item->region);
	}
	return add_service_reads(run, e);
}

static int start_reads(rec_run_t *run, err_t *e)
{
	tmpl_values_t v;
	cJSON *params;
	rec_read_t *rd;
	size_t i;
	int rc;

	memset(&v, 0, sizeof(v));
	v.env = run->env;
	for (i = 0; i < run->n_reads; i++) {
		rd = &run->reads[i];
		if (rd->scoped || rd->started)
			continue;
		rd->started = 1;
		rc = tmpl_fill(rd->type->read.params, &v, &params, e);
		if (!rc)
			rc = rec__start_read_call(rd, params, NULL, e);
		if (rc) {
			/* This type's resources fail; the rest go on. */
			rd->err = *e;
			rd->done = 1;
			continue;
		}
		rd->pending++;
		run->reads_pending++;
	}
	return 0;
}

int rec_run(const rec_opts_t *opts, rec_done_fn done, void *ctx, err_t *err)
{
	rec_run_t *run = calloc(1, sizeof(*run));
	const config_settings_t *s;
	int rc;

	if (!run)
		return err_set(err, -ENOMEM, "out of memory");
	run->o = *opts;
	run->caller = opts->caller ? *opts->caller : rec_caller_aws(opts->aws);
	if (run->o.wait_timeout_s <= 0)
		run->o.wait_timeout_s = 3600;
	if (run->o.poll_max_s <= 0)
		run->o.poll_max_s = 15;
	run->done = done;
	run->ctx = ctx;
	s = config_settings(opts->config);
	run->env = opts->environment ? opts->environment :
		   s->environment ? s->environment : "default";
	run->res = calloc(1, sizeof(*run->res));
	run->graph = config_graph(opts->config);
	if (!run->res || !run->graph) {
		rc = err_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	if (opts->apply && !opts->journal) {
		rc = err_set(err, -EINVAL, "applying needs a journal");
		goto fail;
	}
	rc = plan_items(run, err);
	if (!rc)
		rc = rec__incr_select(run, err);
	if (rc)
		goto fail;
	uv_timer_init(opts->loop, &run->finish_timer);
	run->finish_timer.data = run;
	uv_timer_init(opts->loop, &run->batch_timer);
	run->batch_timer.data = run;
	run->started = rec__now_s(run);
	start_reads(run, err);
	rec__incr_start_reads(run);
	if (!run->reads_pending)
		rec__after_reads(run);
	return 0;
fail:
	run_free(run);
	return rc;
}

typedef struct sync_run {
	int           done;
	rec_result_t *result;
} sync_run_t;

static void sync_done(void *ctx, rec_result_t *result, const err_t *err)
{
	sync_run_t *s = ctx;

	(void)err;
	s->done = 1;
	s->result = result;
}

int rec_run_sync(const rec_opts_t *opts, rec_result_t **result, err_t *err)
{
	sync_run_t s = { 0, NULL };
	int rc = rec_run(opts, sync_done, &s, err);

	*result = NULL;
	if (rc)
		return rc;
	while (!s.done)
		uv_run(opts->loop, UV_RUN_ONCE);
	*result = s.result;
	return 0;
}

const err_t *rec_item_err(const rec_item_t *item)
{
	static const err_t none;

	return item->err ? item->err : &none;
}

err_t *rec__item_err(rec_item_t *item)
{
	if (!item->err)
		item->err = calloc(1, sizeof(*item->err));
	return item->err;
}

void rec__item_set_err(rec_item_t *item, const err_t *e)
{
	err_t *to;

	if (e == item->err || !(to = rec__item_err(item)))
		return;
	*to = *e;
}

/* The item array is the run's largest fixed cost (100,000 items at
 * 100,000 resources): a region is one of a few strings, shared. */
int rec__item_region(rec_item_t *item, const char *region)
{
	char trunc[64];

	snprintf(trunc, sizeof(trunc), "%s", region);
	free(item->region_copy);
	item->region_copy = NULL;
	if (!(item->region = intern(trunc)))
		item->region = item->region_copy = strdup(trunc);
	return item->region ? 0 : -ENOMEM;
}

/* p is a part of the block rec_result_keep made, freed with it. */
static int in_kept(const rec_result_t *r, const void *p)
{
	return r->kept && (const char *)p >= r->kept &&
	       (const char *)p < r->kept + r->kept_size;
}

static void free_own(const rec_result_t *r, void *p)
{
	if (!in_kept(r, p))
		free(p);
}

void rec_result_free(rec_result_t *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n_items; i++) {
		free_own(r, r->items[i].address);
		free_own(r, r->items[i].id);
		free(r->items[i].old_id);
		free_own(r, r->items[i].region_copy);
		free(r->items[i].owner_env);
		diff_free(r->items[i].diff);
		json_delete_wiped(r->items[i].desired);
		if (!in_kept(r, r->items[i].live))
			cJSON_Delete(r->items[i].live);
		json_delete_wiped(r->items[i].secret_values);
		free(r->items[i].err);
	}
	free_own(r, r->items);
	free(r->kept);
	free(r);
}

static const struct {
	const char *name;
	int         final;
} state_info[] = {
#define XX(name, final, text) { text, final },
	REC_STATE_MAP(XX)
#undef XX
};

const char *rec_state_name(rec_state_t s)
{
	return s < REC_STATE_COUNT ? state_info[s].name : "?";
}

int rec_state_final(rec_state_t s)
{
	return s < REC_STATE_COUNT && state_info[s].final;
}
