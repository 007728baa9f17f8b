/* rec_read — reading: the batched reads of each (type, region), scoped reads,
 * read_each and per-resource attribute reads, and their answers. */
#include "rec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "jsonutil.h"
#include "proto.h"
#include "services.h"
#include "template.h"

/* ---- per-resource attribute reads ------------------------------------- */

/* Attributes with a live_read are read for each resource that exists and
 * whose config sets them: one call per resource, as the API has no batch. */
typedef struct live_read_call {
	rec_run_t        *run;
	rec_item_t       *item;
	const res_attr_t *attr;
	lr_batch_t       *batch;
} live_read_call_t;

void rec__batch_step(lr_batch_t *b)
{
	if (--b->pending == 0)
		b->done(b->ctx);
}

static void on_live_read(void *data, cJSON *result, const err_t *e)
{
	live_read_call_t *c = data;
	lr_batch_t *b = c->batch;
	const cJSON *v;

	if (e && e->aws_code[0] && c->attr->live_read.absent &&
	    rec__status_in(e->aws_code, c->attr->live_read.absent)) {
		/* AWS's way of saying the attribute is not set. */
	} else if (e) {
		rec__item_set_err(c->item, e);
		c->item->read_failed = 1;
	} else if (c->item->live && rec__live_thaw(c->item)) {
		err_set(rec__item_err(c->item), -ENOMEM, "out of memory");
		c->item->read_failed = 1;
	} else if (c->item->live) {
		v = json_get_path(result, c->attr->live_read.result);
		if (v)
			json_set_path(c->item->live, c->attr->live_path ?
				      c->attr->live_path : c->attr->name,
				      cJSON_Duplicate(v, 1));
	}
	cJSON_Delete(result);
	free(c);
	rec__batch_step(b);
}

/* A secret value's read (restable.h, "Secret values"). */
typedef struct secret_read {
	rec_item_t       *item;
	const res_attr_t *attr;
	lr_batch_t       *batch;
	char             *id;
} secret_read_t;

/* A secret that cannot be read makes the item unreadable, with AWS's
 * error (which names the secret, never its value). */
static void on_secret_value(void *data, cJSON *result, const err_t *e)
{
	secret_read_t *c = data;
	lr_batch_t *b = c->batch;
	err_t err;

	if (e) {
		err_set_aws(rec__item_err(c->item), e->code, e->http_status, e->aws_code,
			    e->request_id, "%s: cannot read the secret of %s: %s",
			    c->item->address, c->attr->name, e->message);
		c->item->read_failed = 1;
	} else if (rec__keep_secret_value(c->item, c->attr, c->id, result, &err)) {
		rec__item_set_err(c->item, &err);
		c->item->read_failed = 1;
	}
	json_delete_wiped(result);
	free(c->id);
	free(c);
	rec__batch_step(b);
}

/* The secrets of item's {"secret": ID} values whose IDs are known. */
static void issue_secret_reads(rec_run_t *run, rec_item_t *item, lr_batch_t *b)
{
	const res_attr_t *a;
	const cJSON *kept;
	cJSON *desired = NULL;
	secret_read_t *c;
	const char *id;
	size_t j;
	err_t e;

	for (j = 0; j < item->type->n_attrs; j++)
		if (rec__secret_ref(&item->type->attrs[j], cJSON_GetObjectItemCaseSensitive(
			item->res->body, item->type->attrs[j].name)))
			break;
	if (j == item->type->n_attrs ||
	    config_resolve(run->o.config, item->res, rec__lookup_ref, run,
			   &desired, &e))
		return;   /* none, or not known yet: read before the create */
	for (; j < item->type->n_attrs; j++) {
		a = &item->type->attrs[j];
		if (!(id = rec__secret_ref(a, cJSON_GetObjectItemCaseSensitive(desired,
									     a->name))))
			continue;
		/* Read once a run: a refresh while waiting keeps it. */
		kept = cJSON_GetObjectItemCaseSensitive(item->secret_values, a->name);
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			    kept, "id")) ?: "", id))
			continue;
		c = calloc(1, sizeof(*c));
		if (!c || !(c->id = strdup(id))) {
			free(c);
			err_set(rec__item_err(item), -ENOMEM, "out of memory");
			item->read_failed = 1;
			break;
		}
		c->item = item;
		c->attr = a;
		c->batch = b;
		if (rec__read_secret(run, id, item->region, on_secret_value, c, &e)) {
			rec__item_set_err(item, &e);
			item->read_failed = 1;
			free(c->id);
			free(c);
		} else {
			b->pending++;
		}
	}
	cJSON_Delete(desired);
}

void rec__issue_live_reads(rec_run_t *run, rec_item_t *item, lr_batch_t *b)
{
	live_read_call_t *c;
	const res_attr_t *a;
	tmpl_values_t v;
	cJSON *params;
	size_t j;
	err_t e;

	/* Attribute reads see the item's live state as a tree. */
	for (j = 0; item->live && j < item->type->n_attrs; j++)
		if (item->type->attrs[j].live_read.op)
			break;
	if (item->live && j < item->type->n_attrs &&
	    rec__live_open(item)) {
		item->read_failed = 1;
		return;
	}
	if (item->live && item->res)
		issue_secret_reads(run, item, b);
	for (j = 0; item->live && j < item->type->n_attrs; j++) {
		a = &item->type->attrs[j];
		/* Tags are always compared: the ownership tags are desired
		 * even when config sets none. */
		if (!a->live_read.op || (a->kind != RES_TAGS &&
		    !cJSON_GetObjectItemCaseSensitive(item->res->body, a->name)))
			continue;
		memset(&v, 0, sizeof(v));
		v.id = item->id;
		v.env = run->env;
		v.address = item->address;
		v.live = item->live;
		/* "$attr:" names the value as configured: the budget's
		 * AccountId, which no Describe answer carries. */
		v.desired = item->desired ? item->desired : item->res->body;
		c = calloc(1, sizeof(*c));
		if (!c || tmpl_fill(a->live_read.params, &v, &params, &e)) {
			free(c);
			continue;
		}
		c->run = run;
		c->item = item;
		c->attr = a;
		c->batch = b;
		if (rec__call(run, item->type->service, item->region,
			     a->live_read.op, params, AWS_ALL_PAGES,
			     on_live_read, c, &e)) {
			rec__item_set_err(item, &e);
			item->read_failed = 1;
			free(c);
		} else {
			b->pending++;
		}
		cJSON_Delete(params);
	}
}

static void match_read_items(rec_run_t *run)
{
	rec_item_t *item;
	rec_read_t *rd;
	size_t i;

	for (i = 0; i < run->res->n_items; i++) {
		item = &run->res->items[i];
		rd = item->res ? rec__read_for(run, item->type, item->region) : NULL;
		if (!rd || !rd->done || rd->err.code || item->live ||
		    !rec__incr_selected(run, item))
			continue;
		rec__match_configured(run, item);
	}
}

static int deps_read(rec_run_t *run, const rec_read_t *rd)
{
	const char *const *dep;
	size_t i;

	for (dep = rd->type->depends_on_types; dep && *dep; dep++)
		for (i = 0; i < run->n_reads; i++)
			if (!strcmp(run->reads[i].type->name, *dep) &&
			    !run->reads[i].done)
				return 0;
	return 1;
}

/* The members of a filled scoped-read request that the template fills
 * from "$attr:Name" (top level), as {live path of Name: value}. */
static cJSON *read_scope(const res_type_t *t, const cJSON *params)
{
	cJSON *tmpl = cJSON_Parse(t->read.params), *scope = cJSON_CreateObject();
	const cJSON *m, *v;
	const char *name;

	cJSON_ArrayForEach(m, tmpl) {
		if (!cJSON_IsString(m) || strncmp(m->valuestring, "$attr:", 6))
			continue;
		name = m->valuestring + 6;
		v = cJSON_GetObjectItemCaseSensitive(params, m->string);
		if (v && scope)
			cJSON_AddItemToObject(scope, rec__attr_live_path(t, name),
					      cJSON_Duplicate(v, 1));
	}
	cJSON_Delete(tmpl);
	return scope;
}

/* Starts a scoped read: one call per distinct filled template among its
 * configured resources whose references resolve (a listener's rules are
 * read per listener, DescribeRules taking one ListenerArn). A resource
 * whose scope does not exist yet has nothing to read. */
static cJSON *read_scope(const res_type_t *t, const cJSON *params);

static void start_scoped_read(rec_run_t *run, rec_read_t *rd)
{
	cJSON *seen = cJSON_CreateArray(), *desired, *params, *s;
	rec_item_t *item;
	tmpl_values_t v;
	size_t i;
	err_t e;
	int dup;

	rd->started = 1;
	rd->items = cJSON_CreateArray();
	for (i = 0; seen && rd->items && i < run->res->n_items; i++) {
		item = &run->res->items[i];
		if (!item->res || item->type != rd->type ||
		    strcmp(item->region, rd->region))
			continue;
		desired = NULL;
		if (config_resolve(run->o.config, item->res, rec__lookup_ref, run,
				   &desired, &e)) {
			cJSON_Delete(desired);
			continue;
		}
		if (rd->type->driver) {
			rec__start_driver_read(run, rd, desired);
			continue;
		}
		memset(&v, 0, sizeof(v));
		v.env = run->env;
		v.desired = desired;
		params = NULL;
		if (tmpl_fill(rd->type->read.params, &v, &params, &e)) {
			rd->err = e;
			cJSON_Delete(desired);
			continue;
		}
		cJSON_Delete(desired);
		dup = 0;
		cJSON_ArrayForEach(s, seen)
			dup |= json_equal(s, params);
		if (dup) {
			cJSON_Delete(params);
			continue;
		}
		cJSON_AddItemToArray(seen, cJSON_Duplicate(params, 1));
		if (rec__start_read_call(rd, params, read_scope(rd->type, params),
					 &e)) {
			rd->err = e;
			continue;
		}
		rd->pending++;
		run->reads_pending++;
	}
	if (!seen || !rd->items)
		err_set(&rd->err, -ENOMEM, "out of memory");
	cJSON_Delete(seen);
	if (!rd->pending)
		rd->done = 1;
}

/* Starts the scoped reads whose dependencies are read; 1 when calls are
 * in flight (rec__on_read comes back here), 0 when every read is done. A cycle
 * among scoped reads starts them all, scopes unresolved. */
int rec__start_scoped_reads(rec_run_t *run)
{
	size_t i, waiting;
	int ready;

	for (;;) {
		match_read_items(run);
		waiting = 0;
		ready = 0;
		for (i = 0; i < run->n_reads; i++) {
			if (!run->reads[i].scoped || run->reads[i].started)
				continue;
			waiting++;
			if (deps_read(run, &run->reads[i])) {
				start_scoped_read(run, &run->reads[i]);
				ready = 1;
			}
		}
		if (run->reads_pending)
			return 1;
		if (!waiting)
			return 0;
		for (i = 0; !ready && i < run->n_reads; i++)
			if (run->reads[i].scoped && !run->reads[i].started)
				start_scoped_read(run, &run->reads[i]);
	}
}

/* The read pass: once every batched read is in, scoped reads follow, then
 * items are matched and their per-resource attribute reads made. */
/* ---- read each: one more call per listed item ---------------------- */

/* The calls of one listed item; fix_live runs when the last is in. */
typedef struct each_item {
	rec_read_t *rd;
	cJSON      *item;       /* in rd->items */
	size_t      pending;
	int         gone;       /* deleted between the list and the call */
} each_item_t;

typedef struct each_call {
	each_item_t         *ei;
	const res_each_op_t *op;
} each_call_t;

/* Runs fix_live on an item of rd->items; drops it when its status says
 * it is on its way out (res_type_t.gone). */
void rec__fix_live_item(rec_read_t *rd, cJSON *it)
{
	const res_type_t *t = rd->type;
	const cJSON *st;
	err_t err;

	if (t->hooks && t->hooks->fix_live && t->hooks->fix_live(t, it, &err) &&
	    !rd->err.code)
		rd->err = err;
	st = t->gone ? json_get_path(it, t->status_path) : NULL;
	if (cJSON_IsString(st) && rec__status_in(st->valuestring, t->gone))
		cJSON_Delete(cJSON_DetachItemViaPointer(rd->items, it));
	else {
		rec__compact_item(rd, it);
		rec__pack_item(rd, it);   /* it is freed */
	}
}

/* AWS's codes for "no such item": ...NotFound..., NoSuch..., and SQS's
 * QueueDoesNotExist (AWS.SimpleQueueService.NonExistentQueue in its query
 * form), which a queue deleted in the last 60 seconds, still listed,
 * answers (SQS API Reference, DeleteQueue). */
int rec__code_names_missing(const char *code)
{
	return strstr(code, "NotFound") || !strncmp(code, "NoSuch", 6) ||
	       strstr(code, "DoesNotExist") || strstr(code, "NonExistent");
}

/* The window of a service; NULL past REC_MAX_SERVICES (no window). */
static rec_window_t *window_of(rec_run_t *run, const char *service)
{
	size_t i;

	for (i = 0; i < run->n_windows; i++)
		if (!strcmp(run->windows[i].service, service))
			return &run->windows[i];
	if (run->n_windows == REC_MAX_SERVICES)
		return NULL;
	run->windows[run->n_windows].service = service;
	run->windows[run->n_windows].in_flight = 0;
	return &run->windows[run->n_windows++];
}

static void issue_read_each(rec_read_t *rd, cJSON *it);

/* Starts the queued items' read_each calls while their service's window
 * has room, oldest read first. Not reentrant: an item that finishes at
 * once only makes room for the loop already running. */
static void each_pump(rec_run_t *run)
{
	rec_window_t *w;
	rec_read_t *rd;
	size_t i;

	int progress;

	if (run->each_pumping)
		return;
	run->each_pumping = 1;
	do {
		/* What a nested step queued is seen on the next turn. */
		progress = 0;
		for (i = 0; i < run->n_reads; i++) {
			rd = &run->reads[i];
			while (rd->next_queued < rd->n_queued) {
				w = window_of(run, rd->type->service);
				if (w && w->in_flight >= REC_EACH_WINDOW)
					break;
				if (w)
					w->in_flight++;
				progress = 1;
				issue_read_each(rd, rd->each_queue[rd->next_queued++]);
			}
			if (rd->next_queued == rd->n_queued && rd->each_queue) {
				free(rd->each_queue);
				rd->each_queue = NULL;
				rd->n_queued = rd->next_queued = rd->cap_queued = 0;
			}
		}
	} while (progress);
	run->each_pumping = 0;
}

/* Queues a listed item (in rd->items) for its read_each calls; the read
 * is not done until they are. */
static void each_queue(rec_read_t *rd, cJSON *it)
{
	cJSON **grown;
	size_t cap;

	if (rd->n_queued == rd->cap_queued) {
		cap = rd->cap_queued ? rd->cap_queued * 2 : 64;
		grown = realloc(rd->each_queue, cap * sizeof(*grown));
		if (!grown) {
			if (!rd->err.code)
				err_set(&rd->err, -ENOMEM, "out of memory");
			return;
		}
		rd->each_queue = grown;
		rd->cap_queued = cap;
	}
	rd->each_queue[rd->n_queued++] = it;
	rd->pending++;
	rd->run->reads_pending++;
}

static void each_item_step(each_item_t *ei)
{
	rec_read_t *rd = ei->rd;
	rec_window_t *w;

	if (--ei->pending)
		return;
	if (ei->gone)
		cJSON_Delete(cJSON_DetachItemViaPointer(rd->items, ei->item));
	else
		rec__fix_live_item(rd, ei->item);
	free(ei);
	if ((w = window_of(rd->run, rd->type->service)) && w->in_flight)
		w->in_flight--;
	each_pump(rd->run);
	rec__read_step(rd);
}

void rec__merge_into(cJSON *item, const res_each_op_t *op, const cJSON *v)
{
	const cJSON *m;

	if (op->into) {
		json_set_path(item, op->into, cJSON_Duplicate(v, 1));
		return;
	}
	if (!cJSON_IsObject(v))
		return;
	cJSON_ArrayForEach(m, v) {
		cJSON_DeleteItemFromObjectCaseSensitive(item, m->string);
		cJSON_AddItemToObject(item, m->string, cJSON_Duplicate(m, 1));
	}
}

static void on_read_each(void *data, cJSON *result, const err_t *e)
{
	each_call_t *c = data;
	each_item_t *ei = c->ei;
	const cJSON *v;

	if (e) {
		if (e->aws_code[0] && c->op->absent &&
		    rec__status_in(e->aws_code, c->op->absent))
			;
		else if (e->aws_code[0] && rec__code_names_missing(e->aws_code))
			ei->gone = 1;
		else if (!ei->rd->err.code)
			ei->rd->err = *e;
	} else {
		v = c->op->result ? json_get_path(result, c->op->result) : result;
		if (v)
			rec__merge_into(ei->item, c->op, v);
	}
	cJSON_Delete(result);
	free(c);
	each_item_step(ei);
}

/* Issues the read_each calls of one listed item (already in rd->items). */
static void issue_read_each(rec_read_t *rd, cJSON *it)
{
	rec_run_t *run = rd->run;
	const res_type_t *t = rd->type;
	each_item_t *ei = calloc(1, sizeof(*ei));
	const cJSON *id;
	each_call_t *c;
	tmpl_values_t v;
	cJSON *params;
	size_t k;
	err_t e;

	if (!ei) {
		rec_window_t *w = window_of(run, t->service);

		err_set(&rd->err, -ENOMEM, "out of memory");
		if (w && w->in_flight)
			w->in_flight--;
		rec__read_step(rd);   /* counted when it was queued */
		return;
	}
	ei->rd = rd;
	ei->item = it;
	ei->pending = 1;
	id = json_get_path(it, t->id_path);
	memset(&v, 0, sizeof(v));
	v.env = run->env;
	v.id = cJSON_IsString(id) ? id->valuestring : NULL;
	v.live = it;
	for (k = 0; k < RES_MAX_EACH && t->read_each[k].op; k++) {
		c = calloc(1, sizeof(*c));
		params = NULL;
		if (!c || tmpl_fill(t->read_each[k].params, &v, &params, &e)) {
			if (!c)
				err_set(&e, -ENOMEM, "out of memory");
			if (!rd->err.code)
				rd->err = e;
			free(c);
			continue;
		}
		c->ei = ei;
		c->op = &t->read_each[k];
		if (rec__call(run, t->service, rd->region, c->op->op,
			     params, AWS_ALL_PAGES, on_read_each, c, &e)) {
			if (!rd->err.code)
				rd->err = e;
			free(c);
		} else {
			ei->pending++;
		}
		cJSON_Delete(params);
	}
	each_item_step(ei);
}

/* One call of a read is done: the read is done when none is left, the
 * read pass when no read has calls left. */
void rec__read_step(rec_read_t *rd)
{
	rec_run_t *run = rd->run;

	if (--rd->pending == 0)
		rd->done = 1;
	if (--run->reads_pending == 0)
		rec__after_reads(run);
}

/* Takes node, found at the dotted path in root, out of root: an answer's
 * items are moved into the read, not copied (10,000 security groups are
 * tens of MiB). NULL when node's parent is not where path says. */
static cJSON *detach_at(cJSON *root, const char *path, cJSON *node)
{
	const char *dot = strrchr(path, '.');
	char parent_path[256];
	cJSON *parent = root;

	if (dot) {
		if ((size_t)(dot - path) >= sizeof(parent_path))
			return NULL;
		memcpy(parent_path, path, (size_t)(dot - path));
		parent_path[dot - path] = 0;
		parent = json_get_path(root, parent_path);
	}
	return parent ? cJSON_DetachItemViaPointer(parent, node) : NULL;
}

/* A scoped read's items get their scope where the answer leaves it out. */
static void add_scope(cJSON *it, const cJSON *scope)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, scope)
		if (!json_get_path(it, m->string))
			json_set_path(it, m->string, cJSON_Duplicate(m, 1));
}

/* Moves one page's items into the read (result keeps what is left of the
 * page: the caller deletes it). */
static void take_page(rec_read_t *rd, cJSON *result, const cJSON *scope)
{
	const res_type_t *t = rd->type;
	cJSON *items, *it, *page, *obj;

	items = json_get_path(result, t->read.result);
	/* A scoped read may name one object (GetFoundationModel's
	 * modelDetails); its items are every scope's, together. */
	page = !cJSON_IsArray(items) ? cJSON_CreateArray() :
	       items == result ? result :
	       detach_at(result, t->read.result, items);
	if (page && page != result && (rd->scoped ||
	    t->identity == RES_ID_SINGLETON) && cJSON_IsObject(items))
		cJSON_AddItemToArray(page, cJSON_Duplicate(items, 1));
	if (!rd->items)
		rd->items = cJSON_CreateArray();
	while (page && page->child && rd->items) {
		it = cJSON_DetachItemViaPointer(page, page->child);
		/* ListClusters lists names: the item is {id: name}, with a
		 * scoped read's scope (ListNodegroups' clusterName). */
		if (cJSON_IsString(it) && t->id_path) {
			obj = scope ? cJSON_Duplicate(scope, 1) :
				      cJSON_CreateObject();
			if (!obj || json_set_path(obj, t->id_path, it)) {
				cJSON_Delete(obj);
				err_set(&rd->err, -ENOMEM, "out of memory");
				continue;
			}
			it = obj;
		}
		cJSON_AddItemToArray(rd->items, it);
		add_scope(it, scope);
		if (t->read_each[0].op)
			each_queue(rd, it);
		else
			rec__fix_live_item(rd, it);
	}
	if (page != result)
		cJSON_Delete(page);
}

static void on_page(void *data, cJSON *result, const err_t *e);

/* Asks for the page pc->params names. */
static int call_page(page_call_t *pc, err_t *e)
{
	rec_read_t *rd = pc->rd;

	return rec__call(rd->run, rd->type->service, rd->region,
			 rd->type->read.op, pc->params, 0, on_page, pc, e);
}

static void page_call_free(page_call_t *pc)
{
	cJSON_Delete(pc->params);
	cJSON_Delete(pc->scope);
	free(pc);
}

/* One page is in: its items are taken (compacted as they are), then the
 * next page is asked for, the paginator's token copied into the request
 * (proto_page_next), or the call is done. */
static void on_page(void *data, cJSON *result, const err_t *e)
{
	page_call_t *pc = data;
	rec_read_t *rd = pc->rd;
	int more = 0;
	err_t pe;

	if (e) {
		if (!rd->err.code)
			rd->err = *e;
	} else {
		more = proto_page_next(service_find(rd->type->service),
				       rd->type->read.op, result, pc->params, &pe);
		if (more < 0 && !rd->err.code)
			rd->err = pe;
		/* A page that does not parse as the list is the read's
		 * error; its items so far stay out of matching. */
		if (result)
			take_page(rd, result, pc->scope);
	}
	cJSON_Delete(result);
	/* This page's listed items start their read_each calls now, not
	 * when the last page is in. */
	each_pump(rd->run);
	if (more > 0 && !call_page(pc, &pe))
		return;
	if (more > 0 && !rd->err.code)
		rd->err = pe;
	page_call_free(pc);
	each_pump(rd->run);
	rec__read_step(rd);
}

/* Starts one read call, page by page; params and scope (may be NULL) are
 * taken, freed on failure too. The caller counts it pending on success. */
int rec__start_read_call(rec_read_t *rd, cJSON *params, cJSON *scope,
			 err_t *e)
{
	page_call_t *pc = calloc(1, sizeof(*pc));

	if (!pc) {
		cJSON_Delete(params);
		cJSON_Delete(scope);
		return err_set(e, -ENOMEM, "out of memory");
	}
	pc->rd = rd;
	pc->params = params ? params : cJSON_CreateObject();
	pc->scope = scope;
	if (call_page(pc, e)) {
		page_call_free(pc);
		return e->code;
	}
	return 0;
}
