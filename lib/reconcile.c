#include "reconcile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "graph.h"
#include "jsonutil.h"
#include "services.h"
#include "template.h"

/* Calls in flight that something waits for; done runs when none is left. */
typedef struct lr_batch {
	size_t pending;
	void (*done)(void *ctx);
	void  *ctx;
} lr_batch_t;

/* One batched read: every live item of one type in one region. */
typedef struct rec_read {
	struct rec_run   *run;
	const res_type_t *type;
	char              region[64];
	cJSON            *items;      /* array; NULL until read */
	err_t             err;
	int               scoped;     /* read.params names "$attr:": read once
					 per distinct scope after the reads
					 of the types it depends on */
	int               started, done;
	size_t            pending;    /* its calls in flight */
	struct live_key  *index;      /* items by identity key, built once
					 the read is done (see match_live) */
	size_t            n_index;
} rec_read_t;

/* What a scoped read's answer leaves out of its items, the scope it was
 * read in: {"HostedZoneId": "Z1"} for ListResourceRecordSets. */
typedef struct scoped_call {
	rec_read_t *rd;
	cJSON      *scope;
} scoped_call_t;

/* An operation the apply of one resource still has to make. */
typedef struct rec_op {
	char  *op;
	cJSON *params;
} rec_op_t;

/* What a task does once its queued operations are done. */
typedef enum task_then {
	THEN_REFRESH,    /* read it again (and wait for readiness), then end */
	THEN_CREATE,     /* replace: the old one is deleted, create anew     */
	THEN_END,
} task_then_t;

/* The apply of one resource. */
typedef struct rec_task {
	struct rec_run *run;
	rec_item_t     *item;
	rec_op_t       *ops;
	size_t          n_ops, next_op;
	task_then_t     then;
	int             created;      /* the create succeeded in this task */
	int             converged;    /* its update pass was made          */
	int             waiting;      /* polling for readiness             */
	lr_batch_t      batch;        /* the refresh's attribute reads     */
	uv_timer_t      timer;
	double          poll_delay_s;
	double          wait_started;
	double          started;
	char            token[40];
	cJSON          *create_request;  /* until on_create: the item of a
					    create that answers nothing */
} rec_task_t;

typedef struct rec_run {
	rec_opts_t    o;
	rec_caller_t  caller;
	rec_done_fn   done;
	void         *ctx;
	const char   *env;
	rec_read_t   *reads;
	size_t        n_reads, reads_pending;
	rec_result_t *res;
	graph_t      *graph;
	size_t        tasks_running;
	lr_batch_t    live_batch;
	int           delivered;
	uv_timer_t    finish_timer;
	struct batch_part *parts;   /* batched writes not yet made */
	uv_timer_t    batch_timer;
	double        started;
} rec_run_t;

/* One resource's call of a batched operation (restable.h). */
typedef struct batch_part {
	struct batch_part *next;
	const res_type_t  *type;
	char               region[64];
	char              *op;
	cJSON             *params;
	aws_done_cb        cb;
	void              *data;
} batch_part_t;

/* The parts made together in one call. */
typedef struct batch_call {
	rec_run_t     *run;
	batch_part_t **parts;
	size_t         n;
} batch_call_t;

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
static int rec_call(rec_run_t *run, const char *service, const char *region,
		    const char *operation, const cJSON *params, unsigned flags,
		    aws_done_cb cb, void *data, err_t *e)
{
	return run->caller.call(run->caller.ctx, service, region, operation,
				params, flags, cb, data, e);
}

static double now_s(rec_run_t *run)
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

static void emit(rec_run_t *run, rec_event_t ev, const rec_item_t *item,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void emit(rec_run_t *run, rec_event_t ev, const rec_item_t *item,
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

/* ---- identity and live state ------------------------------------------ */

static int status_in(const char *status, const char *list);
static void merge_into(cJSON *item, const res_each_op_t *op, const cJSON *v);

static const res_attr_t *tags_attr(const res_type_t *t)
{
	size_t i;

	for (i = 0; i < t->n_attrs; i++)
		if (t->attrs[i].kind == RES_TAGS)
			return &t->attrs[i];
	return NULL;
}

/* The value of tag key on a live item, or NULL. Caller frees. */
static char *live_tag(const res_type_t *t, const cJSON *live, const char *key)
{
	const res_attr_t *a = tags_attr(t);
	cJSON *map, *v;
	char *out = NULL;

	if (!a || !live)
		return NULL;
	map = diff_tags_to_map(json_get_path(live, a->live_path ? a->live_path
								  : a->name));
	v = cJSON_GetObjectItemCaseSensitive(map, key);
	if (cJSON_IsString(v))
		out = strdup(v->valuestring);
	cJSON_Delete(map);
	return out;
}

static const char *attr_live_path(const res_type_t *t, const char *name)
{
	const res_attr_t *a = res_type_attr(t, name);

	return a && a->live_path ? a->live_path : name;
}

/* An identifying value as compared: through the attribute's normalizer
 * and case rule, so that "API.Example.com" names the item AWS lists as
 * "api.example.com.". Caller frees; NULL when absent. */
static char *identity_text(const res_attr_t *a, const cJSON *v)
{
	cJSON *norm = NULL;
	char *text, *p;
	err_t e;

	if (!v)
		return NULL;
	if (a && a->normalize && (norm = a->normalize(v, &e)))
		v = norm;
	text = json_scalar_text(v);
	cJSON_Delete(norm);
	if (text && a && (a->flags & RES_CASE_INSENSITIVE))
		for (p = text; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	return text;
}

/* RES_ID_TAGS: the ownership tags. RES_ID_NAME: every name attribute
 * equal, an optional one (a record's SetIdentifier) absent on both sides
 * counting as equal; at least one must be present. */
static int identity_matches(rec_run_t *run, const rec_item_t *item,
			    const cJSON *desired, const cJSON *live)
{
	const res_type_t *t = item->type;
	const res_attr_t *attr;
	const cJSON *want, *have;
	char *a, *b;
	size_t i;
	int eq, present = 0;

	if (t->identity == RES_ID_SINGLETON)
		return 1;
	if (t->identity == RES_ID_TAGS) {
		a = live_tag(t, live, REC_TAG_ADDRESS);
		b = live_tag(t, live, REC_TAG_ENV);
		eq = a && b && !strcmp(a, item->address) && !strcmp(b, run->env);
		free(a);
		free(b);
		return eq;
	}
	for (i = 0; t->name_attrs && t->name_attrs[i]; i++) {
		attr = res_type_attr(t, t->name_attrs[i]);
		want = json_get_path(desired, t->name_attrs[i]);
		have = json_get_path(live, attr_live_path(t, t->name_attrs[i]));
		if (!want && !have && attr && !(attr->flags & RES_REQUIRED))
			continue;
		a = identity_text(attr, want);
		b = identity_text(attr, have);
		eq = a && b && !strcmp(a, b);
		free(a);
		free(b);
		if (!eq)
			return 0;
		present = 1;
	}
	return present;
}

static rec_read_t *read_for(rec_run_t *run, const res_type_t *t,
			    const char *region)
{
	size_t i;

	for (i = 0; i < run->n_reads; i++)
		if (run->reads[i].type == t &&
		    !strcmp(run->reads[i].region, region))
			return &run->reads[i];
	return NULL;
}

static void update_id(rec_item_t *item)
{
	const cJSON *id = json_get_path(item->live, item->type->id_path);

	free(item->id);
	item->id = cJSON_IsString(id) ? strdup(id->valuestring) : NULL;
	/* A singleton without an id of its own is its region's. */
	if (!item->id && item->live && !item->type->id_path &&
	    item->type->identity == RES_ID_SINGLETON)
		item->id = strdup(item->region);
}

static void set_live(rec_item_t *item, cJSON *live)
{
	cJSON_Delete(item->live);
	item->live = live;
	update_id(item);
}

/* A read's items sorted by identity key: the driftd:address tag, or the
 * first name attribute. Matching every configured resource against every
 * live item was quadratic: 7,000 security groups took over a minute. */
typedef struct live_key {
	char              *key;
	size_t             pos;   /* in the read, so equal keys keep read order */
	cJSON             *live;  /* in the read's items until taken */
	struct rec_item   *taken; /* the item it was moved to: its live */
} live_key_t;

static char *identity_key(const res_type_t *t, const cJSON *live)
{
	if (t->identity == RES_ID_TAGS)
		return live_tag(t, live, REC_TAG_ADDRESS);
	if (!t->name_attrs || !t->name_attrs[0])
		return NULL;
	/* Compared as identity_matches compares: normalized, case folded. */
	return identity_text(res_type_attr(t, t->name_attrs[0]),
			     json_get_path(live, attr_live_path(t, t->name_attrs[0])));
}

static int cmp_live_key(const void *a, const void *b)
{
	const live_key_t *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

static void index_free(rec_read_t *rd)
{
	size_t i;

	for (i = 0; i < rd->n_index; i++)
		free(rd->index[i].key);
	free(rd->index);
	rd->index = NULL;
	rd->n_index = 0;
}

/* Builds rd's index; items without a key cannot match and are left out. */
static int index_build(rec_read_t *rd)
{
	size_t n = (size_t)cJSON_GetArraySize(rd->items), pos = 0;
	cJSON *it;
	char *key;

	rd->index = calloc(n ? n : 1, sizeof(*rd->index));
	if (!rd->index)
		return -ENOMEM;
	cJSON_ArrayForEach(it, rd->items) {
		key = identity_key(rd->type, it);
		if (key)
			rd->index[rd->n_index++] = (live_key_t){ key, pos, it, NULL };
		pos++;
	}
	qsort(rd->index, rd->n_index, sizeof(*rd->index), cmp_live_key);
	return 0;
}

/* Finds item's live counterpart in its read; desired may be the raw body
 * when references are not resolved yet (names are usually literals). The
 * index narrows the candidates to those with item's key; identity_matches
 * decides, as before, and the first in read order wins. */
static void match_live(rec_run_t *run, rec_item_t *item, const cJSON *desired)
{
	rec_read_t *rd = read_for(run, item->type, item->region);
	const res_type_t *t = item->type;
	size_t lo = 0, hi, mid;
	char *key;

	if (!rd || !rd->items || !rd->done)
		return;
	if (t->identity == RES_ID_SINGLETON) {
		/* The read's answer is the one item (restable.h). */
		if (rd->items->child)
			set_live(item, cJSON_Duplicate(rd->items->child, 1));
		return;
	}
	if (!rd->index && index_build(rd))
		return;
	if (t->identity == RES_ID_TAGS)
		key = strdup(item->address);
	else
		key = t->name_attrs && t->name_attrs[0] ?
		      identity_text(res_type_attr(t, t->name_attrs[0]),
				    json_get_path(desired, t->name_attrs[0])) : NULL;
	if (!key)
		return;
	hi = rd->n_index;
	while (lo < hi) {        /* the first entry whose key is >= key */
		mid = lo + (hi - lo) / 2;
		if (strcmp(rd->index[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < rd->n_index && !strcmp(rd->index[lo].key, key); lo++) {
		live_key_t *k = &rd->index[lo];
		cJSON *live = k->taken ? k->taken->live : k->live;

		if (!live || !identity_matches(run, item, desired, live))
			continue;
		if (k->taken) {
			/* Two resources of the config name one live item. */
			set_live(item, cJSON_Duplicate(live, 1));
		} else {
			/* Moved, not copied: the read keeps only what no
			 * configured resource is, the orphans. */
			set_live(item, cJSON_DetachItemViaPointer(rd->items, live));
			k->taken = item;
		}
		break;
	}
	free(key);
}

static int cmp_item_address(const void *key, const void *elem)
{
	return strcmp(key, ((const rec_item_t *)elem)->address);
}

/* The first items are the configured resources in config order, which is
 * sorted by address (config.c); orphans follow them, unsorted. */
static rec_item_t *item_find(rec_run_t *run, const char *address)
{
	size_t n_config = config_resource_count(run->o.config), i;
	rec_item_t *item;

	if (n_config > run->res->n_items)
		n_config = run->res->n_items;
	item = bsearch(address, run->res->items, n_config,
		       sizeof(*run->res->items), cmp_item_address);
	if (item)
		return item;
	for (i = n_config; i < run->res->n_items; i++)
		if (!strcmp(run->res->items[i].address, address))
			return &run->res->items[i];
	return NULL;
}

/* References resolve from live state: ${ec2.vpc.main.VpcId} is VpcId in
 * the VPC's live item. Unknown until the VPC exists. */
static const cJSON *lookup_ref(const char *address, const char *attribute,
			       void *ctx)
{
	rec_item_t *item = item_find(ctx, address);

	if (!item || !item->live || item->action == REC_REPLACE)
		return NULL;
	return json_get_path(item->live, attribute);
}

/* ---- evaluation: what would converging do ------------------------------ */

/* restable.h, "Held": the item is in a status only AWS ends. Sets err,
 * naming the status and what config still wants. */
static int held(const rec_item_t *item, err_t *err)
{
	const res_type_t *t = item->type;
	const cJSON *st = json_get_path(item->live, t->status_path);
	char wants[256] = "";
	size_t i, n = 0;

	if (!t->held || !cJSON_IsString(st) || !status_in(st->valuestring, t->held))
		return 0;
	for (i = 0; item->diff && i < item->diff->n_changes && n < sizeof(wants); i++)
		n += (size_t)snprintf(wants + n, sizeof(wants) - n, "%s%s",
				      i ? ", " : "", item->diff->changes[i].attr->name);
	err_set(err, -EAGAIN, "%s is %s: only AWS ends that, and driftd "
		"changes nothing until it does%s%s", t->status_path,
		st->valuestring, *wants ? "; config still wants " : "", wants);
	return 1;
}

static void evaluate(rec_run_t *run, rec_item_t *item)
{
	const config_resource_t *res = item->res;
	diff_opts_t dopts;
	cJSON *extra = NULL;
	err_t e;
	int rc;

	diff_free(item->diff);
	item->diff = NULL;
	cJSON_Delete(item->desired);
	item->desired = NULL;
	item->unknown = 0;
	if (!res)
		return;
	if (item->read_failed) {
		item->action = REC_READ_FAILED;
		return;
	}
	if (read_for(run, item->type, item->region)->err.code) {
		item->action = REC_READ_FAILED;
		item->err = read_for(run, item->type, item->region)->err;
		return;
	}
	rc = config_resolve(run->o.config, res, lookup_ref, run,
			    &item->desired, &e);
	if (rc == -EAGAIN)
		item->unknown = 1;
	else if (rc) {
		item->action = REC_READ_FAILED;
		item->err = e;
		return;
	}
	if (item->desired && item->type->driver && item->type->driver->expand &&
	    item->type->driver->expand(item->type, item->desired, &e)) {
		item->action = REC_READ_FAILED;
		item->err = e;
		return;
	}
	if (!item->live)
		match_live(run, item, item->desired ? item->desired : res->body);
	if (res->ensure == CONFIG_ENSURE_ABSENT) {
		item->action = !item->live ? REC_ABSENT :
			       res->policy.prevent_destroy ? REC_DELETE_REFUSED :
							      REC_DELETE;
		return;
	}
	if (!item->live && !item->type->create.op && !item->type->driver &&
	    item->unknown) {
		/* A check of what this run makes (a certificate's issue):
		 * read when its turn comes in the apply. */
		item->action = REC_NOOP;
		return;
	}
	if (!item->live && !item->type->create.op && !item->type->driver) {
		item->action = REC_READ_FAILED;
		err_set(&item->err, -ENOENT, "%s does not exist, and driftd only "
			"checks %s", item->address, item->type->name);
		return;
	}
	if (!item->live) {
		item->action = REC_CREATE;
		return;
	}
	if (item->unknown) {
		/* Its dependencies are being made: evaluated again then. */
		item->action = REC_UPDATE;
		return;
	}
	memset(&dopts, 0, sizeof(dopts));
	dopts.ignore = (const char *const *)res->policy.ignore;
	extra = cJSON_Duplicate(config_settings(run->o.config)->default_tags, 1);
	if (extra && tags_attr(item->type)) {
		cJSON_AddStringToObject(extra, REC_TAG_ADDRESS, item->address);
		cJSON_AddStringToObject(extra, REC_TAG_ENV, run->env);
		dopts.extra_tags = extra;
	}
	rc = diff_resource(item->type, item->desired, item->live, &dopts,
			   &item->diff, &e);
	cJSON_Delete(extra);
	if (rc) {
		item->action = REC_READ_FAILED;
		err_set(&item->err, rc, "%s: %s", item->address, e.message);
		return;
	}
	if (!item->diff->n_changes)
		item->action = REC_NOOP;
	else if (held(item, &item->err))
		item->action = REC_READ_FAILED;
	else if (item->diff->replace)
		item->action = res->policy.allow_replace ? REC_REPLACE
							 : REC_REPLACE_REFUSED;
	else
		item->action = REC_UPDATE;
}

static void count(rec_result_t *r)
{
	size_t i;

	r->n_create = r->n_update = r->n_replace = r->n_delete = 0;
	r->n_refused = r->n_orphan = r->n_failed = r->n_in_sync = 0;
	for (i = 0; i < r->n_items; i++) {
		switch (r->items[i].action) {
		case REC_CREATE: r->n_create++; break;
		case REC_UPDATE: r->n_update++; break;
		case REC_REPLACE: r->n_replace++; break;
		case REC_DELETE: r->n_delete++; break;
		case REC_REPLACE_REFUSED:
		case REC_DELETE_REFUSED: r->n_refused++; break;
		case REC_ORPHAN: r->n_orphan++; break;
		case REC_READ_FAILED: r->n_failed++; break;
		default: r->n_in_sync++; break;
		}
		if (r->items[i].status == REC_STATUS_FAILED &&
		    r->items[i].action != REC_READ_FAILED)
			r->n_failed++;
	}
}

/* settings.prune names the types whose orphans are deleted. */
static int pruned(const rec_run_t *run, const res_type_t *t)
{
	const config_settings_t *s = config_settings(run->o.config);
	size_t i;

	for (i = 0; i < s->nprune; i++)
		if (!strcmp(s->prune[i], t->name))
			return 1;
	return 0;
}

static void add_orphans(rec_run_t *run)
{
	rec_item_t *grown, *item;
	const cJSON *it;
	char *addr, *env;
	size_t i;

	for (i = 0; i < run->n_reads; i++) {
		if (!run->reads[i].items)
			continue;
		cJSON_ArrayForEach(it, run->reads[i].items) {
			env = live_tag(run->reads[i].type, it, REC_TAG_ENV);
			addr = live_tag(run->reads[i].type, it, REC_TAG_ADDRESS);
			if (!env || !addr || strcmp(env, run->env) ||
			    config_resource_find(run->o.config, addr)) {
				free(env);
				free(addr);
				continue;
			}
			free(env);
			grown = realloc(run->res->items, (run->res->n_items + 1) *
					sizeof(*grown));
			if (!grown) {
				free(addr);
				return;
			}
			run->res->items = grown;
			item = &run->res->items[run->res->n_items++];
			memset(item, 0, sizeof(*item));
			item->address = addr;
			item->type = run->reads[i].type;
			snprintf(item->region, sizeof(item->region), "%s",
				 run->reads[i].region);
			item->action = pruned(run, item->type) ? REC_DELETE
							       : REC_ORPHAN;
			set_live(item, cJSON_Duplicate(it, 1));
		}
	}
}

/* ---- per-resource attribute reads ------------------------------------- */

/* Attributes with a live_read are read for each resource that exists and
 * whose config sets them: one call per resource, as the API has no batch. */
typedef struct live_read_call {
	rec_run_t        *run;
	rec_item_t       *item;
	const res_attr_t *attr;
	lr_batch_t       *batch;
} live_read_call_t;

static void batch_step(lr_batch_t *b)
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
	    status_in(e->aws_code, c->attr->live_read.absent)) {
		/* AWS's way of saying the attribute is not set. */
	} else if (e) {
		c->item->err = *e;
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
	batch_step(b);
}

static void issue_live_reads(rec_run_t *run, rec_item_t *item, lr_batch_t *b)
{
	live_read_call_t *c;
	const res_attr_t *a;
	tmpl_values_t v;
	cJSON *params;
	size_t j;
	err_t e;

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
		if (rec_call(run, item->type->service, item->region,
			     a->live_read.op, params, AWS_ALL_PAGES,
			     on_live_read, c, &e)) {
			item->err = e;
			item->read_failed = 1;
			free(c);
		} else {
			b->pending++;
		}
		cJSON_Delete(params);
	}
}

/* ---- finishing -------------------------------------------------------- */

static void run_free(rec_run_t *run)
{
	size_t i;

	for (i = 0; i < run->n_reads; i++) {
		index_free(&run->reads[i]);
		cJSON_Delete(run->reads[i].items);
	}
	free(run->reads);
	graph_free(run->graph);
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

	run->res = NULL;
	count(res);
	res->total_seconds = now_s(run) - run->started;
	run->done(run->ctx, res, NULL);
	uv_close((uv_handle_t *)&run->batch_timer, on_batch_timer_closed);
}

static void finish_run(rec_run_t *run)
{
	if (run->delivered)
		return;
	run->delivered = 1;
	uv_timer_start(&run->finish_timer, deliver, 0, 0);
}

/* ---- apply ------------------------------------------------------------ */

/* ---- batched writes (restable.h) -------------------------------------- */

static void part_free(batch_part_t *p)
{
	if (!p)
		return;
	free(p->op);
	cJSON_Delete(p->params);
	free(p);
}

static void on_part_alone(void *data, cJSON *result, const err_t *e)
{
	batch_part_t *p = data;

	p->cb(p->data, result, e);
	part_free(p);
}

static void on_batch_call(void *data, cJSON *result, const err_t *e)
{
	batch_call_t *bc = data;
	batch_part_t *p;
	err_t err;
	size_t i;

	for (i = 0; i < bc->n; i++) {
		p = bc->parts[i];
		if (e && bc->n > 1) {
			/* All or nothing: each part again alone, so that the
			 * error names its own resource. */
			if (rec_call(bc->run, p->type->service, p->region,
				     p->op, p->params, 0, on_part_alone, p, &err)) {
				p->cb(p->data, NULL, &err);
				part_free(p);
			}
			continue;
		}
		p->cb(p->data, e ? NULL : cJSON_Duplicate(result, 1), e);
		part_free(p);
	}
	cJSON_Delete(result);
	free(bc->parts);
	free(bc);
}

/* The request without its batched list: parts with equal keys merge. */
static cJSON *batch_key(const batch_part_t *p)
{
	cJSON *key = cJSON_Duplicate(p->params, 1);

	if (key)
		json_delete_path(key, p->type->batch.list);
	return key;
}

static int same_batch(const batch_part_t *a, const batch_part_t *b,
		      const cJSON *key_a)
{
	cJSON *key_b;
	int eq;

	if (a->type != b->type || strcmp(a->region, b->region) ||
	    strcmp(a->op, b->op))
		return 0;
	key_b = batch_key(b);
	eq = key_b && json_equal(key_a, key_b);
	cJSON_Delete(key_b);
	return eq;
}

/* Makes one call of head and the parts after it that merge with it, up
 * to batch.max list elements; they leave the pending list. */
static void issue_batch(rec_run_t *run, batch_part_t **pending)
{
	batch_part_t *head = *pending, **pp, *p;
	batch_call_t *bc = calloc(1, sizeof(*bc));
	cJSON *key = batch_key(head), *params = NULL, *list, *els, *el;
	int max = head->type->batch.max > 0 ? head->type->batch.max : 1;
	int count = 0, n;
	err_t e;

	if (bc)
		bc->parts = calloc((size_t)max, sizeof(*bc->parts));
	params = cJSON_Duplicate(head->params, 1);
	list = params ? json_get_path(params, head->type->batch.list) : NULL;
	if (!bc || !bc->parts || !key || !cJSON_IsArray(list)) {
		/* No memory to merge: head alone, as it was asked. */
		*pending = head->next;
		if (bc)
			free(bc->parts);
		free(bc);
		cJSON_Delete(key);
		cJSON_Delete(params);
		if (rec_call(run, head->type->service, head->region,
			     head->op, head->params, 0, on_part_alone, head, &e)) {
			head->cb(head->data, NULL, &e);
			part_free(head);
		}
		return;
	}
	bc->run = run;
	count = cJSON_GetArraySize(list);
	*pending = head->next;
	bc->parts[bc->n++] = head;
	for (pp = pending; (p = *pp) && (size_t)bc->n < (size_t)max;) {
		els = json_get_path(p->params, p->type->batch.list);
		n = cJSON_GetArraySize(els);
		if (!same_batch(head, p, key) || count + n > max) {
			pp = &p->next;
			continue;
		}
		cJSON_ArrayForEach(el, els)
			cJSON_AddItemToArray(list, cJSON_Duplicate(el, 1));
		count += n;
		*pp = p->next;
		bc->parts[bc->n++] = p;
	}
	cJSON_Delete(key);
	if (rec_call(run, head->type->service, head->region, head->op,
		     params, 0, on_batch_call, bc, &e))
		on_batch_call(bc, NULL, &e);
	cJSON_Delete(params);
}

static void on_batch_timer(uv_timer_t *t)
{
	rec_run_t *run = t->data;
	batch_part_t *pending = NULL, *p;

	/* Oldest first: parts were pushed at the head. */
	while ((p = run->parts)) {
		run->parts = p->next;
		p->next = pending;
		pending = p;
	}
	while (pending)
		issue_batch(run, &pending);
}

/* Every write of a task goes through here: a batched operation's call is
 * held for the end of the loop turn, the rest go out at once. */
static int task_call(rec_task_t *task, const char *op, const cJSON *params,
		     aws_done_cb cb, err_t *e)
{
	rec_run_t *run = task->run;
	const res_type_t *t = task->item->type;
	batch_part_t *p;

	if (!t->batch.op || strcmp(op, t->batch.op) ||
	    !cJSON_IsArray(json_get_path(params, t->batch.list)))
		return rec_call(run, t->service, task->item->region, op,
				params, 0, cb, task, e);
	p = calloc(1, sizeof(*p));
	if (p) {
		p->op = strdup(op);
		p->params = cJSON_Duplicate(params, 1);
	}
	if (!p || !p->op || !p->params) {
		part_free(p);
		return err_set(e, -ENOMEM, "out of memory");
	}
	p->type = t;
	snprintf(p->region, sizeof(p->region), "%s", task->item->region);
	p->cb = cb;
	p->data = task;
	p->next = run->parts;
	run->parts = p;
	if (!uv_is_active((uv_handle_t *)&run->batch_timer))
		uv_timer_start(&run->batch_timer, on_batch_timer, 0, 0);
	return 0;
}

static void pump(rec_run_t *run);
static void task_next(rec_task_t *task);

static void task_closed(uv_handle_t *h)
{
	rec_task_t *task = h->data;
	rec_run_t *run = task->run;
	size_t i;

	for (i = 0; i < task->n_ops; i++) {
		free(task->ops[i].op);
		cJSON_Delete(task->ops[i].params);
	}
	free(task->ops);
	cJSON_Delete(task->create_request);
	free(task);
	run->tasks_running--;
	pump(run);
}

static void task_end(rec_task_t *task, rec_status_t status)
{
	rec_run_t *run = task->run;
	rec_item_t *item = task->item;
	err_t e;

	item->status = status;
	item->seconds = now_s(run) - task->started;
	if (status == REC_STATUS_FAILED) {
		graph_mark_failed(run->graph, item->address);
		emit(run, REC_EVENT_FAILED, item, "%s", item->err.message);
	} else if (status == REC_STATUS_DEFERRED) {
		graph_mark_failed(run->graph, item->address);
	} else {
		graph_mark_done(run->graph, item->address);
		if (run->o.journal &&
		    journal_done(run->o.journal, item->address, &e))
			emit(run, REC_EVENT_FAILED, item, "journal: %s",
			     e.message);
	}
	uv_close((uv_handle_t *)&task->timer, task_closed);
}

static void task_fail(rec_task_t *task, const err_t *e)
{
	task->item->err = *e;
	task_end(task, REC_STATUS_FAILED);
}

static int queue_op(rec_task_t *task, const char *op, cJSON *params)
{
	rec_op_t *grown;
	char *name;
	size_t i;

	/* One whole-item write for two changed attributes is made once. */
	for (i = task->next_op; i < task->n_ops; i++)
		if (!strcmp(task->ops[i].op, op) &&
		    json_equal(task->ops[i].params, params)) {
			cJSON_Delete(params);
			return 0;
		}
	grown = realloc(task->ops, (task->n_ops + 1) * sizeof(*grown));
	name = strdup(op);

	if (!grown || !name) {
		free(grown == task->ops ? NULL : grown);
		free(name);
		cJSON_Delete(params);
		return -ENOMEM;
	}
	task->ops = grown;
	task->ops[task->n_ops].op = name;
	task->ops[task->n_ops].params = params;
	task->n_ops++;
	return 0;
}

/* Tags in the type's style: the map {"k":"v"} as the API wants it. EC2's
 * create calls take them wrapped in TagSpecifications, its CreateTags the
 * plain list (for_create 0). */
static cJSON *tags_in_style(const res_type_t *t, const cJSON *map,
			    int for_create)
{
	static const char *const kv[][2] = {
		[RES_TAGS_LIST] = { "Key", "Value" },
		[RES_TAGS_SPEC] = { "Key", "Value" },
		[RES_TAGS_LIST_LC] = { "key", "value" },
		[RES_TAGS_TAGKEY] = { "TagKey", "TagValue" },
	};
	cJSON *list, *el, *spec, *tag;

	if (t->tag_style == RES_TAGS_NONE)
		return NULL;
	if (t->tag_style == RES_TAGS_MAP)
		return cJSON_Duplicate(map, 1);
	list = cJSON_CreateArray();
	cJSON_ArrayForEach(tag, map) {
		el = cJSON_CreateObject();
		cJSON_AddStringToObject(el, kv[t->tag_style][0], tag->string);
		cJSON_AddStringToObject(el, kv[t->tag_style][1],
					cJSON_IsString(tag) ? tag->valuestring : "");
		cJSON_AddItemToArray(list, el);
	}
	if (t->tag_style != RES_TAGS_SPEC || !for_create)
		return list;
	spec = cJSON_CreateArray();
	el = cJSON_CreateObject();
	cJSON_AddStringToObject(el, "ResourceType", t->tag_resource_type);
	cJSON_AddItemToObject(el, "Tags", list);
	cJSON_AddItemToArray(spec, el);
	return spec;
}

/* default_tags + the config's Tags + ownership, as a map. */
static cJSON *create_tags(rec_run_t *run, const rec_item_t *item)
{
	const res_attr_t *a = tags_attr(item->type);
	cJSON *map = cJSON_Duplicate(config_settings(run->o.config)->default_tags, 1);
	cJSON *own = a ? diff_tags_to_map(cJSON_GetObjectItemCaseSensitive(
					item->desired, a->name)) : NULL;
	cJSON *t;

	cJSON_ArrayForEach(t, own) {
		cJSON_DeleteItemFromObjectCaseSensitive(map, t->string);
		cJSON_AddItemToObject(map, t->string, cJSON_Duplicate(t, 1));
	}
	cJSON_Delete(own);
	cJSON_DeleteItemFromObjectCaseSensitive(map, REC_TAG_ADDRESS);
	cJSON_DeleteItemFromObjectCaseSensitive(map, REC_TAG_ENV);
	cJSON_AddStringToObject(map, REC_TAG_ADDRESS, item->address);
	cJSON_AddStringToObject(map, REC_TAG_ENV, run->env);
	return map;
}

static void base_values(rec_task_t *task, tmpl_values_t *v)
{
	rec_item_t *item = task->item;
	const cJSON *arn = json_get_path(item->live, item->type->arn_path);

	memset(v, 0, sizeof(*v));
	v->id = item->id;
	v->arn = cJSON_IsString(arn) ? arn->valuestring : NULL;
	v->env = task->run->env;
	v->address = item->address;
	v->name = item->res ? item->res->name : NULL;
	v->token = task->token;
	v->desired = item->desired;
	v->live = item->live;
}

/* A value as the request takes it: AWS takes policy documents and
 * dashboard bodies as JSON text, the config may write them as objects. */
static cJSON *request_value(const res_attr_t *a, const cJSON *v)
{
	char *text;
	cJSON *s;

	if (!v)
		return NULL;
	if (a->kind != RES_DOCUMENT || cJSON_IsString(v))
		return cJSON_Duplicate(v, 1);
	text = cJSON_PrintUnformatted(v);
	s = text ? cJSON_CreateString(text) : NULL;
	free(text);
	return s;
}

static int queue_template(rec_task_t *task, const char *op, const char *tmpl,
			  const tmpl_values_t *v, err_t *e)
{
	cJSON *params;
	int rc = tmpl_fill(tmpl, v, &params, e);

	if (rc)
		return rc;
	rc = queue_op(task, op, params);
	return rc ? err_set(e, rc, "out of memory") : 0;
}

/* Set attributes: removals first, so a changed element (a route to a new
 * target) never collides with its old self. */
static int queue_set_change(rec_task_t *task, const res_attr_t *a,
			    const diff_change_t *c, err_t *e)
{
	struct { const char *op, *tmpl; const cJSON *els; int add; } steps[] = {
		{ a->remove_op, a->remove_params, c->removed, 0 },
		{ a->update_op, a->update_params, c->added, 1 },
	};
	tmpl_values_t v;
	const cJSON *el;
	size_t s;
	int rc;

	for (s = 0; s < 2; s++) {
		if (!steps[s].op || !cJSON_GetArraySize(steps[s].els))
			continue;
		base_values(task, &v);
		if (!a->per_element) {
			if (steps[s].add)
				v.added = steps[s].els;
			else
				v.removed = steps[s].els;
			rc = queue_template(task, steps[s].op, steps[s].tmpl,
					    &v, e);
			if (rc)
				return rc;
			continue;
		}
		cJSON_ArrayForEach(el, steps[s].els) {
			v.element = el;
			rc = queue_template(task, steps[s].op, steps[s].tmpl,
					    &v, e);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* A hook's calls, [{"op": NAME, "params": TEMPLATE}], queued in order. */
static int queue_planned(rec_task_t *task, const cJSON *calls, err_t *e)
{
	const cJSON *call, *op;
	tmpl_values_t v;
	cJSON *params;
	int rc;

	cJSON_ArrayForEach(call, calls) {
		op = cJSON_GetObjectItemCaseSensitive(call, "op");
		if (!cJSON_IsString(op))
			return err_set(e, -EINVAL, "%s: a plan hook returned a "
				       "call without an op", task->item->address);
		base_values(task, &v);
		rc = tmpl_fill_tree(cJSON_GetObjectItemCaseSensitive(call,
								     "params"),
				    &v, &params, e);
		if (!rc)
			rc = queue_op(task, op->valuestring, params);
		if (rc)
			return rc;
	}
	return 0;
}

/* One changed attribute, as restable.h's update rules say. */
static int queue_change(rec_task_t *task, const diff_change_t *c, err_t *e)
{
	rec_item_t *item = task->item;
	const res_attr_t *a = c->attr;
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(item->desired,
							     a->name);
	tmpl_values_t v;
	cJSON *calls, *value, *tags;
	int rc;

	base_values(task, &v);
	if (a->plan) {
		calls = a->plan(a, want, c->added, c->removed, item->live, e);
		if (!calls)
			return e && e->code ? e->code : -EINVAL;
		rc = queue_planned(task, calls, e);
		cJSON_Delete(calls);
		return rc;
	}
	if (a->kind == RES_SET && (a->remove_op || a->update_op))
		return queue_set_change(task, a, c, e);
	if (a->kind == RES_TAGS) {
		if (!item->type->tag.op)
			return 0;
		tags = tags_in_style(item->type, c->added, 0);
		v.tags = tags;
		rc = queue_template(task, item->type->tag.op,
				    item->type->tag.params, &v, e);
		cJSON_Delete(tags);
		return rc;
	}
	if (!a->update_op && !a->remove_op)
		return err_set(e, -ENOTSUP, "%s: %s cannot be changed in place "
			       "(no update operation)", item->address, a->name);
	/* Detach the old value first (an internet gateway's VPC). */
	if (a->remove_op && c->live && !cJSON_IsNull(c->live)) {
		rc = queue_template(task, a->remove_op, a->remove_params, &v, e);
		if (rc)
			return rc;
	}
	if (!a->update_op || !want)
		return 0;
	/* The operator's own value, not its normalized form. */
	value = request_value(a, want);
	v.value = value;
	rc = queue_template(task, a->update_op, a->update_params, &v, e);
	cJSON_Delete(value);
	return rc;
}

static int empty_value(const cJSON *v)
{
	return !v || cJSON_IsNull(v) ||
	       ((cJSON_IsArray(v) || cJSON_IsObject(v)) && !v->child);
}

/* Before a delete, what was attached after create is taken off again
 * (routes, associations, rules, inline policies, an attached VPC), as AWS
 * refuses to delete what still holds them. The same update rules do it,
 * against a desired state in which each such attribute is empty. */
static int queue_clear(rec_task_t *task, err_t *e)
{
	rec_item_t *item = task->item;
	const res_type_t *t = item->type;
	cJSON *empty = cJSON_CreateObject(), *saved = item->desired;
	const res_attr_t *a;
	diff_t *d = NULL;
	tmpl_values_t v;
	size_t i;
	int rc = 0;

	if (!empty)
		return err_set(e, -ENOMEM, "out of memory");
	for (i = 0; i < t->n_attrs; i++) {
		a = &t->attrs[i];
		if (!(a->flags & RES_NOT_IN_CREATE) || a->kind == RES_TAGS ||
		    empty_value(json_get_path(item->live, a->live_path ?
					      a->live_path : a->name)))
			continue;
		if (a->kind == RES_SET || a->kind == RES_LIST)
			cJSON_AddItemToObject(empty, a->name, cJSON_CreateArray());
		else if (a->kind == RES_DOCUMENT || a->kind == RES_MAP)
			cJSON_AddItemToObject(empty, a->name, cJSON_CreateObject());
		else if (a->remove_op) {
			base_values(task, &v);
			rc = queue_template(task, a->remove_op, a->remove_params,
					    &v, e);
			if (rc)
				goto out;
		}
	}
	rc = diff_resource(t, empty, item->live, NULL, &d, e);
	if (rc)
		goto out;
	item->desired = empty;
	for (i = 0; i < d->n_changes && !rc; i++)
		if (d->changes[i].attr->kind != RES_TAGS)
			rc = queue_change(task, &d->changes[i], e);
	item->desired = saved;
out:
	diff_free(d);
	cJSON_Delete(empty);
	return rc;
}

static int queue_updates(rec_task_t *task, err_t *e)
{
	rec_item_t *item = task->item;
	size_t i;
	int rc;

	for (i = 0; item->diff && i < item->diff->n_changes; i++) {
		if (item->diff->changes[i].kind != DIFF_UPDATE)
			continue;
		rc = queue_change(task, &item->diff->changes[i], e);
		if (rc)
			return rc;
	}
	return 0;
}

static void on_read_one(void *data, cJSON *result, const err_t *e);

static void start_read_one(rec_task_t *task)
{
	rec_item_t *item = task->item;
	tmpl_values_t v;
	cJSON *params;
	err_t e;

	base_values(task, &v);
	if (tmpl_fill(item->type->read_one.params, &v, &params, &e) ||
	    rec_call(task->run, item->type->service, item->region,
		     item->type->read_one.op, params, 0, on_read_one, task, &e)) {
		cJSON_Delete(params);
		task_fail(task, &e);
		return;
	}
	cJSON_Delete(params);
}

static void on_poll_timer(uv_timer_t *t)
{
	start_read_one(t->data);
}

static int status_in(const char *status, const char *list)
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

static void after_fresh_state(rec_task_t *task);

static void check_status(void *ctx);

/* The single-item read is merged over what the batched read had: some
 * types' read_one returns less (GetRole has no inline policies). */
static void merge_live(rec_item_t *item, cJSON *fresh)
{
	cJSON *m;

	if (!item->live) {
		set_live(item, fresh);
		return;
	}
	while ((m = fresh->child)) {
		cJSON_DetachItemViaPointer(fresh, m);
		cJSON_DeleteItemFromObjectCaseSensitive(item->live, m->string);
		cJSON_AddItemToObject(item->live, m->string, m);
	}
	cJSON_Delete(fresh);
	update_id(item);
}

/* The element of a read_one list that is the item: the one whose id_path
 * is id (the first, when elements carry no id). */
static cJSON *list_find(cJSON *list, const char *id_path, const char *id)
{
	const cJSON *v;
	cJSON *el;

	cJSON_ArrayForEach(el, list) {
		v = json_get_path(el, id_path);
		if (!cJSON_IsString(v))
			return cJSON_GetArrayItem(list, 0);
		if (id && !strcmp(v->valuestring, id))
			return el;
	}
	return NULL;
}

static void on_read_one(void *data, cJSON *result, const err_t *e)
{
	rec_task_t *task = data;
	rec_item_t *item = task->item;
	const res_type_t *t = item->type;
	cJSON *found = NULL, *live;
	err_t err;

	if (e) {
		task_fail(task, e);
		return;
	}
	found = t->read_one.result && *t->read_one.result ?
		json_get_path(result, t->read_one.result) : result;
	if (cJSON_IsArray(found))
		found = list_find(found, t->id_path, item->id);
	if (!found) {
		err_set(&err, -ENOENT, "%s (%s) was not found after it was "
			"written", item->address, item->id ? item->id : "?");
		cJSON_Delete(result);
		task_fail(task, &err);
		return;
	}
	live = cJSON_Duplicate(found, 1);
	cJSON_Delete(result);
	/* A Get by id need not echo the id (GetOpenIDConnectProvider): the
	 * item gets it, so that fix_live sees what a listed item has. */
	if (live && item->id && t->id_path && !json_get_path(live, t->id_path) &&
	    json_set_path(live, t->id_path, cJSON_CreateString(item->id))) {
		cJSON_Delete(live);
		err_set(&err, -ENOMEM, "out of memory");
		task_fail(task, &err);
		return;
	}
	if (t->hooks && t->hooks->fix_live && t->hooks->fix_live(t, live, &err)) {
		cJSON_Delete(live);
		task_fail(task, &err);
		return;
	}
	merge_live(item, live);
	task->batch.pending = 1;
	task->batch.done = check_status;
	task->batch.ctx = task;
	if (item->res)
		issue_live_reads(task->run, item, &task->batch);
	batch_step(&task->batch);
}

static void check_status(void *ctx)
{
	rec_task_t *task = ctx;
	rec_item_t *item = task->item;
	const res_type_t *t = item->type;
	const cJSON *st = json_get_path(item->live, t->status_path);
	err_t err;

	if (item->read_failed) {
		item->read_failed = 0;
		task_fail(task, &item->err);
		return;
	}
	if (held(item, &err)) {
		task_fail(task, &err);
		return;
	}
	if (task->waiting && cJSON_IsString(st)) {
		if (t->failed && status_in(st->valuestring, t->failed)) {
			err_set(&err, -EIO, "%s entered state %s", item->address,
				st->valuestring);
			task_fail(task, &err);
			return;
		}
		if (t->ready && !status_in(st->valuestring, t->ready)) {
			if (now_s(task->run) - task->wait_started >
			    task->run->o.wait_timeout_s) {
				err_set(&err, -ETIMEDOUT, "%s is still %s after "
					"%.0f s", item->address, st->valuestring,
					task->run->o.wait_timeout_s);
				task_fail(task, &err);
				return;
			}
			emit(task->run, REC_EVENT_WAITING, item, "Still %s...",
			     st->valuestring);
			uv_timer_start(&task->timer, on_poll_timer,
				       (uint64_t)(task->poll_delay_s * 1000), 0);
			task->poll_delay_s *= 2;
			if (task->poll_delay_s > task->run->o.poll_max_s)
				task->poll_delay_s = task->run->o.poll_max_s;
			return;
		}
	}
	after_fresh_state(task);
}

/* Reads the resource again: for readiness (status_path) and so that what
 * dependants resolve and what is diffed next is what AWS now has. */
static void refresh(rec_task_t *task)
{
	rec_item_t *item = task->item;

	if (!item->type->read_one.op || !item->id) {
		after_fresh_state(task);
		return;
	}
	task->waiting = item->type->status_path != NULL;
	task->wait_started = now_s(task->run);
	task->poll_delay_s = 0.2;
	start_read_one(task);
}

static void task_next(rec_task_t *task);

/* After a create and its readiness, the same update pass as for drift
 * converges what is set after create (RES_NOT_IN_CREATE) and whatever AWS
 * set otherwise. */
static void after_fresh_state(rec_task_t *task)
{
	rec_item_t *item = task->item;
	rec_action_t planned;
	int todo;
	err_t e;

	task->waiting = 0;
	if (!task->created || task->converged) {
		task_end(task, REC_STATUS_OK);
		return;
	}
	task->converged = 1;
	/* The item keeps the action it was applied for (create, replace)
	 * for the summary; the evaluation only finds what is left to set. */
	planned = item->action;
	evaluate(task->run, item);
	todo = item->action == REC_UPDATE && !item->unknown;
	item->action = planned;
	if (!todo) {
		task_end(task, REC_STATUS_OK);
		return;
	}
	emit(task->run, REC_EVENT_START, item, "Setting %zu attribute(s) "
	     "after create...", item->diff->n_changes);
	if (queue_updates(task, &e)) {
		task_fail(task, &e);
		return;
	}
	task->then = THEN_REFRESH;
	task_next(task);
}

static void on_op(void *data, cJSON *result, const err_t *e)
{
	rec_task_t *task = data;
	err_t err;

	cJSON_Delete(result);
	if (e) {
		err = *e;
		err_set_aws(&err, e->code, e->http_status, e->aws_code,
			    e->request_id, "%s: %s", task->item->address,
			    e->message);
		task_fail(task, &err);
		return;
	}
	task->next_op++;
	task_next(task);
}

static void start_create(rec_task_t *task);

static void task_next(rec_task_t *task)
{
	rec_op_t *op;
	err_t e;

	if (task->next_op < task->n_ops) {
		op = &task->ops[task->next_op];
		if (task_call(task, op->op, op->params, on_op, &e))
			task_fail(task, &e);
		return;
	}
	switch (task->then) {
	case THEN_REFRESH:
		refresh(task);
		break;
	case THEN_CREATE:
		set_live(task->item, NULL);
		start_create(task);
		break;
	default:
		task_end(task, REC_STATUS_OK);
		break;
	}
}

/* The item a Put-style create sent: the part at create_item (a record set
 * inside its change batch) when the type has one; else the request itself
 * when it holds the id, else the one object member that does
 * (CreateBudget wraps the budget in Budget). NULL when none does. */
static const cJSON *sent_item(const res_type_t *t, const cJSON *request)
{
	const cJSON *m;

	if (request && t->create_item)
		request = json_get_path(request, t->create_item);
	if (!request || json_get_path(request, t->id_path))
		return request;
	cJSON_ArrayForEach(m, request)
		if (cJSON_IsObject(m) && json_get_path(m, t->id_path))
			return m;
	return NULL;
}

static void on_create(void *data, cJSON *result, const err_t *e)
{
	rec_task_t *task = data;
	rec_item_t *item = task->item;
	const res_type_t *t = item->type;
	const cJSON *sent;
	cJSON *made, *tags;
	tmpl_values_t v;
	err_t err;

	if (e) {
		on_op(data, result, e);
		return;
	}
	made = t->create.result && *t->create.result ?
	       json_get_path(result, t->create.result) : result;
	if (cJSON_IsArray(made))
		made = cJSON_GetArrayItem(made, 0);
	set_live(item, made ? cJSON_Duplicate(made, 1) : NULL);
	sent = NULL;
	if (!item->id && (sent = sent_item(t, task->create_request))) {
		/* PutMetricAlarm answers nothing: what was sent is the item. */
		set_live(item, cJSON_Duplicate(sent, 1));
		if (cJSON_IsObject(made))
			merge_into(item->live, &(res_each_op_t){ 0 }, made);
	}
	/* The id may be one fix_live derives (a zone's bare id). */
	if (!item->id && item->live && t->hooks && t->hooks->fix_live &&
	    !t->hooks->fix_live(t, item->live, &err))
		update_id(item);
	/* ... or derives from the request (a name the read calls Name). */
	if (!sent && task->create_request)
		sent = t->create_item ? json_get_path(task->create_request,
						      t->create_item) :
					task->create_request;
	if (!item->id && sent && cJSON_IsObject(sent) && t->hooks &&
	    t->hooks->fix_live) {
		set_live(item, cJSON_Duplicate(sent, 1));
		if (item->live && cJSON_IsObject(made))
			merge_into(item->live, &(res_each_op_t){ 0 }, made);
		if (item->live && !t->hooks->fix_live(t, item->live, &err))
			update_id(item);
	}
	cJSON_Delete(task->create_request);
	task->create_request = NULL;
	cJSON_Delete(result);
	if (!item->id) {
		err_set(&err, -EPROTO, "%s: %s returned no %s", item->address,
			t->create.op, t->id_path);
		task_fail(task, &err);
		return;
	}
	task->created = 1;
	if (task->run->o.journal &&
	    journal_created(task->run->o.journal, item->address, item->id, &err))
		emit(task->run, REC_EVENT_FAILED, item, "journal: %s",
		     err.message);
	emit(task->run, REC_EVENT_DONE, item, "Created [id=%s]", item->id);
	/* Types that cannot tag in the create call are tagged right after. */
	if (t->tag.op && (!t->create.params ||
			  !strstr(t->create.params, "\"$tags\""))) {
		base_values(task, &v);
		tags = create_tags(task->run, item);
		v.tags = tags_in_style(t, tags, 0);
		cJSON_Delete(tags);
		if (queue_template(task, t->tag.op, t->tag.params, &v, &err)) {
			cJSON_Delete((cJSON *)v.tags);
			task_fail(task, &err);
			return;
		}
		cJSON_Delete((cJSON *)v.tags);
	}
	task->then = THEN_REFRESH;
	task_next(task);
}

/* The create request: the template, then every configured attribute that
 * is set at create and that the template does not place itself, under its
 * own name (restable.h). */
static int create_params(rec_task_t *task, cJSON **out, err_t *e)
{
	rec_item_t *item = task->item;
	const res_type_t *t = item->type;
	const res_attr_t *a;
	const cJSON *want;
	cJSON *tags, *params;
	tmpl_values_t v;
	size_t i;
	int rc;

	base_values(task, &v);
	tags = create_tags(task->run, item);
	v.tags = tags_in_style(t, tags, 1);
	cJSON_Delete(tags);
	rc = tmpl_fill(t->create.params, &v, &params, e);
	cJSON_Delete((cJSON *)v.tags);
	if (rc)
		return rc;
	for (i = 0; i < t->n_attrs; i++) {
		a = &t->attrs[i];
		if (a->kind == RES_TAGS || a->mutability == RES_READ_ONLY ||
		    (a->flags & RES_NOT_IN_CREATE))
			continue;
		want = cJSON_GetObjectItemCaseSensitive(item->desired, a->name);
		if (want && !cJSON_GetObjectItemCaseSensitive(params, a->name) &&
		    !res_template_places(t->create.params, a->name))
			cJSON_AddItemToObject(params, a->name,
					      request_value(a, want));
	}
	if (t->hooks && t->hooks->fix_create &&
	    (rc = t->hooks->fix_create(t, item->desired, params, e))) {
		cJSON_Delete(params);
		return rc;
	}
	*out = params;
	return 0;
}

static void start_create(rec_task_t *task)
{
	rec_item_t *item = task->item;
	rec_run_t *run = task->run;
	const journal_entry_t *je;
	unsigned char raw[16];
	cJSON *params = NULL;
	err_t e;
	int i;

	if (item->unknown || !item->desired) {
		evaluate(run, item);
		if (!item->desired) {
			if (!item->err.code)
				err_set(&item->err, -EAGAIN, "%s: references "
					"could not be resolved", item->address);
			task_end(task, REC_STATUS_FAILED);
			return;
		}
	}
	/* An interrupted run's token is used again: where the API is
	 * idempotent on it, AWS returns what that run made. */
	je = run->o.journal ? journal_find(run->o.journal, item->address) : NULL;
	if (je) {
		snprintf(task->token, sizeof(task->token), "%s", je->token);
	} else {
		if (RAND_bytes(raw, sizeof(raw)) != 1)
			memset(raw, 0, sizeof(raw));
		for (i = 0; i < 16; i++)
			snprintf(task->token + 2 * i, 3, "%02x", raw[i]);
	}
	if (create_params(task, &params, &e)) {
		task_fail(task, &e);
		return;
	}
	if (run->o.journal && journal_intent(run->o.journal, item->address,
					     item->type->name, task->token, &e)) {
		cJSON_Delete(params);
		task_fail(task, &e);
		return;
	}
	emit(run, REC_EVENT_START, item, "Creating...");
	cJSON_Delete(task->create_request);
	task->create_request = cJSON_Duplicate(params, 1);
	if (task_call(task, item->type->create.op, params, on_create, &e))
		task_fail(task, &e);
	cJSON_Delete(params);
}

/* ---- drivers: types driftd reaches without AWS ----------------------- */

/* One driver call on libuv's thread pool: a read (rd set) or an apply
 * and the read after it (task set). The worker touches only this. */
typedef struct driver_work {
	uv_work_t         req;
	rec_run_t        *run;
	const res_type_t *type;
	rec_read_t       *rd;
	rec_task_t       *task;
	char              region[64];
	cJSON            *desired;   /* owned */
	cJSON            *before;    /* owned: the live item before apply */
	cJSON            *live;      /* the read's answer */
	cJSON            *secrets;   /* owned, wiped: attribute -> secret */
	size_t            next_attr; /* the secret reference to read next */
	uv_after_work_cb  done;
	err_t             err;
	int               rc;
} driver_work_t;

static void driver_work_free(driver_work_t *w)
{
	cJSON_Delete(w->desired);
	cJSON_Delete(w->before);
	cJSON_Delete(w->live);
	json_delete_wiped(w->secrets);
	free(w);
}

static void driver_run(uv_work_t *req)
{
	driver_work_t *w = req->data;
	const res_driver_t *d = w->type->driver;

	memset(&w->err, 0, sizeof(w->err));
	if (w->task && (w->rc = d->apply(w->type, w->desired, w->before,
					 w->secrets, &w->err)))
		return;
	w->rc = d->read(w->type, w->desired, w->secrets, &w->live, &w->err);
}

static int read_secret(driver_work_t *w);

/* A failure after driver_start returned: reported through done, as the
 * driver's own failure would be. */
static void driver_fail(driver_work_t *w, const err_t *e)
{
	w->err = *e;
	w->rc = e->code ? e->code : -EIO;
	w->done(&w->req, 0);
}

/* GetSecretValue's answer: the SecretString, parsed when it is a JSON
 * object (RDS's {"username","password"}), kept for the driver only. The
 * answer is wiped before it is freed. */
static void on_secret(void *data, cJSON *result, const err_t *e)
{
	driver_work_t *w = data;
	const res_attr_t *a = &w->type->attrs[w->next_attr - 1];
	cJSON *text = cJSON_GetObjectItemCaseSensitive(result, "SecretString");
	cJSON *value = NULL;
	err_t fail;

	if (e) {
		/* AWS's message names the secret, never its value. */
		err_set(&fail, e->code, "%s: cannot read the secret of %s: %s",
			w->type->name, a->name, e->message);
		json_delete_wiped(result);
		driver_fail(w, &fail);
		return;
	}
	if (cJSON_IsString(text)) {
		value = cJSON_Parse(text->valuestring);
		if (!cJSON_IsObject(value)) {
			json_delete_wiped(value);
			value = cJSON_CreateString(text->valuestring);
		}
	}
	json_delete_wiped(result);
	if (!value) {
		err_set(&fail, -EINVAL, "%s: the secret of %s has no SecretString",
			w->type->name, a->name);
		driver_fail(w, &fail);
		return;
	}
	cJSON_AddItemToObject(w->secrets, a->name, value);
	if (read_secret(w))
		driver_fail(w, &w->err);
}

/* The region of a secret's ARN (arn:aws:secretsmanager:REGION:...), else
 * fallback. */
static void secret_region(const char *id, const char *fallback, char *out,
			  size_t size)
{
	const char *p = id;
	size_t n = 0;
	int field;

	for (field = 0; field < 3 && p; field++)
		p = (p = strchr(p, ':')) ? p + 1 : NULL;
	if (p)
		n = strcspn(p, ":");
	if (!strncmp(id, "arn:", 4) && n > 0 && p[n] == ':')
		snprintf(out, size, "%.*s", (int)n, p);
	else
		snprintf(out, size, "%s", fallback);
}

/* Reads the next RES_SECRET_REF attribute's secret or, when every one is
 * read, queues the driver. 0 when a call or the work is under way (done
 * follows), else the error, in w->err. */
static int read_secret(driver_work_t *w)
{
	const res_type_t *t = w->type;
	const cJSON *id = NULL;
	cJSON *params;
	char region[64];

	for (; w->next_attr < t->n_attrs; w->next_attr++) {
		id = cJSON_GetObjectItemCaseSensitive(w->desired,
						      t->attrs[w->next_attr].name);
		if ((t->attrs[w->next_attr].flags & RES_SECRET_REF) &&
		    cJSON_IsString(id))
			break;
	}
	if (w->next_attr == t->n_attrs) {
		if (uv_queue_work(w->run->o.loop, &w->req, driver_run, w->done))
			return err_set(&w->err, -EIO, "%s: cannot start the driver",
				       t->name);
		return 0;
	}
	w->next_attr++;
	secret_region(id->valuestring, w->region, region, sizeof(region));
	params = cJSON_CreateObject();
	if (!params || !cJSON_AddStringToObject(params, "SecretId", id->valuestring)) {
		cJSON_Delete(params);
		return err_set(&w->err, -ENOMEM, "out of memory");
	}
	if (rec_call(w->run, "secretsmanager", region, "GetSecretValue",
		     params, 0, on_secret, w, &w->err)) {
		cJSON_Delete(params);
		return w->err.code ? w->err.code : -EIO;
	}
	cJSON_Delete(params);
	return 0;
}

/* Starts a driver read or apply: its secrets first (restable.h,
 * "Drivers"), on the loop, then the driver on the thread pool. 0: done
 * runs once, later; else nothing was started and w->err says why. */
static int driver_start(rec_run_t *run, driver_work_t *w, const char *region,
			uv_after_work_cb done)
{
	w->run = run;
	w->done = done;
	w->req.data = w;
	snprintf(w->region, sizeof(w->region), "%s", region);
	if (!w->secrets && !(w->secrets = cJSON_CreateObject()))
		return err_set(&w->err, -ENOMEM, "out of memory");
	return read_secret(w);
}

static void on_driver_applied(uv_work_t *req, int status)
{
	driver_work_t *w = req->data;
	rec_task_t *task = w->task;
	rec_item_t *item = task->item;

	if (status)
		err_set(&w->err, status, "%s: %s", item->address, uv_strerror(status));
	if (status || w->rc) {
		task_fail(task, &w->err);
	} else {
		set_live(item, w->live);
		w->live = NULL;
		emit(task->run, REC_EVENT_DONE, item, "Applied");
		task_end(task, REC_STATUS_OK);
	}
	driver_work_free(w);
}

/* Create and update of a driver type are one apply. */
static void start_driver_apply(rec_task_t *task)
{
	rec_item_t *item = task->item;
	driver_work_t *w;
	err_t e;

	if (item->action != REC_CREATE && item->action != REC_UPDATE) {
		err_set(&e, -ENOTSUP, "%s: driftd does not delete or replace a %s",
			item->address, item->type->name);
		task_fail(task, &e);
		return;
	}
	if (item->unknown || !item->desired)
		evaluate(task->run, item);
	if (!item->desired || item->unknown) {
		err_set(&e, -EAGAIN, "%s: references could not be resolved",
			item->address);
		task_fail(task, &e);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (!w || !(w->desired = cJSON_Duplicate(item->desired, 1)) ||
	    (item->live && !(w->before = cJSON_Duplicate(item->live, 1)))) {
		if (w)
			driver_work_free(w);
		err_set(&e, -ENOMEM, "out of memory");
		task_fail(task, &e);
		return;
	}
	w->type = item->type;
	w->task = task;
	emit(task->run, REC_EVENT_START, item, "Applying...");
	if (driver_start(task->run, w, item->region, on_driver_applied)) {
		e = w->err;
		driver_work_free(w);
		task_fail(task, &e);
	}
}

static void read_step(rec_read_t *rd);
static void fix_live_item(rec_read_t *rd, cJSON *it);

static void on_driver_read(uv_work_t *req, int status)
{
	driver_work_t *w = req->data;
	rec_read_t *rd = w->rd;

	if (status && !rd->err.code)
		err_set(&rd->err, status, "%s: %s", rd->type->name, uv_strerror(status));
	else if (w->rc && !rd->err.code)
		rd->err = w->err;
	else if (!status && !w->rc && w->live && rd->items) {
		cJSON_AddItemToArray(rd->items, w->live);
		fix_live_item(rd, w->live);
		w->live = NULL;
	}
	driver_work_free(w);
	read_step(rd);
}

/* A driver read of one configured resource; takes desired. */
static void start_driver_read(rec_run_t *run, rec_read_t *rd, cJSON *desired)
{
	driver_work_t *w = calloc(1, sizeof(*w));

	if (!w) {
		cJSON_Delete(desired);
		err_set(&rd->err, -ENOMEM, "out of memory");
		return;
	}
	w->type = rd->type;
	w->rd = rd;
	w->desired = desired;
	if (driver_start(run, w, rd->region, on_driver_read)) {
		rd->err = w->err;
		driver_work_free(w);
		return;
	}
	rd->pending++;
	run->reads_pending++;
}

static int is_check(const res_type_t *t)
{
	return !t->create.op && !t->remove.op;
}

/* A check to wait for (restable.h, "Checks that wait"): not read yet, or
 * read and not ready. */
static int check_waits(const rec_item_t *item)
{
	const res_type_t *t = item->type;
	const cJSON *st;

	if (!item->res || !is_check(t) || !t->read_one.op || !item->desired ||
	    item->unknown || item->read_failed)
		return 0;
	if (!item->live)
		return 1;
	st = json_get_path(item->live, t->status_path);
	return t->ready && cJSON_IsString(st) && !status_in(st->valuestring, t->ready);
}

static void start_task(rec_run_t *run, rec_item_t *item)
{
	rec_task_t *task = calloc(1, sizeof(*task));
	tmpl_values_t v;
	err_t e;

	if (!task) {
		err_set(&item->err, -ENOMEM, "out of memory");
		item->status = REC_STATUS_FAILED;
		graph_mark_failed(run->graph, item->address);
		return;
	}
	task->run = run;
	task->item = item;
	task->started = now_s(run);
	uv_timer_init(run->o.loop, &task->timer);
	task->timer.data = task;
	run->tasks_running++;
	/* Dependencies may have just been made: their values resolve now. */
	if (item->res)
		evaluate(run, item);
	if (item->res && item->observe && rec_action_changes(item->action)) {
		task_end(task, REC_STATUS_OBSERVED);
		return;
	}
	if (run->o.skip && rec_action_changes(item->action) &&
	    run->o.skip(run->o.skip_ctx, item)) {
		task_end(task, REC_STATUS_DEFERRED);
		return;
	}
	if (item->type->driver && rec_action_changes(item->action)) {
		start_driver_apply(task);
		return;
	}
	if (check_waits(item)) {
		if (item->action == REC_READ_FAILED && !item->live)
			item->action = REC_NOOP;
		emit(run, REC_EVENT_START, item, "Waiting until it is %s...",
		     item->type->ready ? item->type->ready : "readable");
		task->waiting = item->type->status_path != NULL;
		task->wait_started = now_s(run);
		task->poll_delay_s = 0.2;
		start_read_one(task);
		return;
	}
	switch (item->action) {
	case REC_CREATE:
		start_create(task);
		return;
	case REC_UPDATE:
		if (item->unknown) {
			err_set(&e, -EAGAIN, "%s: references could not be "
				"resolved", item->address);
			task_fail(task, &e);
			return;
		}
		emit(run, REC_EVENT_START, item, "Modifying [id=%s]...",
		     item->id ? item->id : "?");
		if (queue_updates(task, &e)) {
			task_fail(task, &e);
			return;
		}
		task->then = THEN_REFRESH;
		task_next(task);
		return;
	case REC_REPLACE:
	case REC_DELETE:
		emit(run, REC_EVENT_START, item, "Destroying [id=%s]...",
		     item->id ? item->id : "?");
		base_values(task, &v);
		if (queue_clear(task, &e) ||
		    queue_template(task, item->type->remove.op,
				   item->type->remove.params, &v, &e)) {
			task_fail(task, &e);
			return;
		}
		task->then = item->action == REC_REPLACE ? THEN_CREATE : THEN_END;
		task_next(task);
		return;
	case REC_READ_FAILED:
		task_end(task, REC_STATUS_FAILED);
		return;
	default:
		task_end(task, REC_STATUS_OK);
		return;
	}
}

/* How many types a type stands on (a security group on its VPC). */
static int type_depth(const res_type_t *t, int bound)
{
	const res_type_t *dep;
	int d = 0, i, sub;

	for (i = 0; bound > 0 && t->depends_on_types &&
		    t->depends_on_types[i]; i++)
		if ((dep = res_table_find(t->depends_on_types[i])) &&
		    (sub = 1 + type_depth(dep, bound - 1)) > d)
			d = sub;
	return d;
}

/* Pruned orphans are not in the dependency graph: they are deleted once
 * the configured resources are done, one at a time, the types that stand
 * on others first. Returns 1 when one was started. */
static int start_next_prune(rec_run_t *run)
{
	rec_item_t *item, *next = NULL;
	int depth = -1, d;
	size_t i;

	for (i = 0; i < run->res->n_items; i++) {
		item = &run->res->items[i];
		if (item->res || item->action != REC_DELETE ||
		    item->status != REC_STATUS_PLANNED)
			continue;
		d = type_depth(item->type, 16);
		if (d > depth) {
			depth = d;
			next = item;
		}
	}
	if (!next)
		return 0;
	start_task(run, next);
	return 1;
}

static void pump(rec_run_t *run)
{
	const char *name;
	rec_item_t *item;
	size_t i;

	if (run->delivered)
		return;
	while ((name = graph_next_ready(run->graph))) {
		item = item_find(run, name);
		if (item)
			start_task(run, item);
		else
			graph_mark_done(run->graph, name);
	}
	if (!graph_finished(run->graph) || run->tasks_running)
		return;
	if (start_next_prune(run))
		return;
	for (i = 0; i < run->res->n_items; i++) {
		item = &run->res->items[i];
		if (item->res && graph_state_of(run->graph, item->address) ==
				 GRAPH_BLOCKED) {
			item->status = REC_STATUS_BLOCKED;
			err_set(&item->err, -EAGAIN, "%s was not applied: a "
				"resource it depends on failed", item->address);
		}
	}
	finish_run(run);
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
		item = item_find(run, je->address);
		if (item && item->live) {
			emit(run, REC_EVENT_RECOVERED, item, "An interrupted run "
			     "created %s [id=%s]; driftd adopts it.",
			     je->address, item->id ? item->id : "?");
			if (journal_done(run->o.journal, je->address, &e))
				return;
			continue;
		}
		if (item)
			emit(run, REC_EVENT_RECOVERED, item, "An interrupted run "
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
static void on_read(void *data, cJSON *result, const err_t *e);

/* Matches the configured items of the reads that are in, with their
 * references resolved where the resources they name are matched already
 * (a listener is found by its load balancer's ARN). */
static void match_read_items(rec_run_t *run)
{
	rec_item_t *item;
	rec_read_t *rd;
	cJSON *desired;
	size_t i;
	err_t e;

	for (i = 0; i < run->res->n_items; i++) {
		item = &run->res->items[i];
		rd = item->res ? read_for(run, item->type, item->region) : NULL;
		if (!rd || !rd->done || rd->err.code || item->live)
			continue;
		desired = NULL;
		if (config_resolve(run->o.config, item->res, lookup_ref, run,
				   &desired, &e)) {
			cJSON_Delete(desired);
			desired = NULL;
		}
		match_live(run, item, desired ? desired : item->res->body);
		cJSON_Delete(desired);
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
			cJSON_AddItemToObject(scope, attr_live_path(t, name),
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
static void on_scoped_read(void *data, cJSON *result, const err_t *e);

static void start_scoped_read(rec_run_t *run, rec_read_t *rd)
{
	scoped_call_t *call;
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
		if (config_resolve(run->o.config, item->res, lookup_ref, run,
				   &desired, &e)) {
			cJSON_Delete(desired);
			continue;
		}
		if (rd->type->driver) {
			start_driver_read(run, rd, desired);
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
		call = calloc(1, sizeof(*call));
		if (call) {
			call->rd = rd;
			call->scope = read_scope(rd->type, params);
		}
		if (!call || rec_call(run, rd->type->service, rd->region,
				      rd->type->read.op, params, AWS_ALL_PAGES,
				      on_scoped_read, call, &e)) {
			if (!call)
				err_set(&e, -ENOMEM, "out of memory");
			rd->err = e;
			if (call)
				cJSON_Delete(call->scope);
			free(call);
			cJSON_Delete(params);
			continue;
		}
		cJSON_AddItemToArray(seen, params);
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
 * in flight (on_read comes back here), 0 when every read is done. A cycle
 * among scoped reads starts them all, scopes unresolved. */
static int start_scoped_reads(rec_run_t *run)
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
static void after_reads(rec_run_t *run)
{
	rec_item_t *item;
	size_t i;

	if (start_scoped_reads(run))
		return;
	run->res->read_seconds = now_s(run) - run->started;
	run->live_batch.pending = 1;
	run->live_batch.done = after_live_reads;
	run->live_batch.ctx = run;
	for (i = 0; i < run->res->n_items; i++) {
		item = &run->res->items[i];
		if (!item->res || read_for(run, item->type, item->region)->err.code)
			continue;
		match_live(run, item, item->res->body);
		issue_live_reads(run, item, &run->live_batch);
	}
	batch_step(&run->live_batch);
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
			if ((item = item_find(run, order[i])))
				evaluate(run, item);
		free(order);
	}
	add_orphans(run);
	if (!run->o.apply) {
		finish_run(run);
		return;
	}
	recover_journal(run);
	pump(run);
}

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

static void read_step(rec_read_t *rd);

/* Runs fix_live on an item of rd->items; drops it when its status says
 * it is on its way out (res_type_t.gone). */
static void fix_live_item(rec_read_t *rd, cJSON *it)
{
	const res_type_t *t = rd->type;
	const cJSON *st;
	err_t err;

	if (t->hooks && t->hooks->fix_live && t->hooks->fix_live(t, it, &err) &&
	    !rd->err.code)
		rd->err = err;
	st = t->gone ? json_get_path(it, t->status_path) : NULL;
	if (cJSON_IsString(st) && status_in(st->valuestring, t->gone))
		cJSON_Delete(cJSON_DetachItemViaPointer(rd->items, it));
}

static int names_missing(const char *code)
{
	return strstr(code, "NotFound") || !strncmp(code, "NoSuch", 6);
}

static void each_item_step(each_item_t *ei)
{
	rec_read_t *rd = ei->rd;

	if (--ei->pending)
		return;
	if (ei->gone)
		cJSON_Delete(cJSON_DetachItemViaPointer(rd->items, ei->item));
	else
		fix_live_item(rd, ei->item);
	free(ei);
	read_step(rd);
}

static void merge_into(cJSON *item, const res_each_op_t *op, const cJSON *v)
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
		    status_in(e->aws_code, c->op->absent))
			;
		else if (e->aws_code[0] && names_missing(e->aws_code))
			ei->gone = 1;
		else if (!ei->rd->err.code)
			ei->rd->err = *e;
	} else {
		v = c->op->result ? json_get_path(result, c->op->result) : result;
		if (v)
			merge_into(ei->item, c->op, v);
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
		err_set(&rd->err, -ENOMEM, "out of memory");
		return;
	}
	ei->rd = rd;
	ei->item = it;
	ei->pending = 1;
	rd->pending++;
	run->reads_pending++;
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
		if (rec_call(run, t->service, rd->region, c->op->op,
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
static void read_step(rec_read_t *rd)
{
	rec_run_t *run = rd->run;

	if (--rd->pending == 0)
		rd->done = 1;
	if (--run->reads_pending == 0)
		after_reads(run);
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

static void read_answer(rec_read_t *rd, cJSON *result, const err_t *e,
			const cJSON *scope)
{
	const res_type_t *t = rd->type;
	cJSON *items, *it, *page, *obj;

	if (e) {
		if (!rd->err.code)
			rd->err = *e;
	} else {
		items = json_get_path(result, t->read.result);
		/* A scoped read may name one object (GetFoundationModel's
		 * modelDetails); its items are every scope's, together. */
		page = !cJSON_IsArray(items) ? cJSON_CreateArray() :
		       items == result ? result :
		       detach_at(result, t->read.result, items);
		if (page == result)
			result = NULL;
		if (page && (rd->scoped || t->identity == RES_ID_SINGLETON) &&
		    cJSON_IsObject(items))
			cJSON_AddItemToArray(page, cJSON_Duplicate(items, 1));
		if (!rd->items)
			rd->items = cJSON_CreateArray();
		while (page && page->child && rd->items) {
			it = cJSON_DetachItemViaPointer(page, page->child);
			/* ListClusters lists names: the item is {id: name},
			 * with a scoped read's scope (ListNodegroups'
			 * clusterName). */
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
				issue_read_each(rd, it);
			else
				fix_live_item(rd, it);
		}
		cJSON_Delete(page);
	}
	cJSON_Delete(result);
	read_step(rd);
}

static void on_read(void *data, cJSON *result, const err_t *e)
{
	read_answer(data, result, e, NULL);
}

static void on_scoped_read(void *data, cJSON *result, const err_t *e)
{
	scoped_call_t *c = data;

	read_answer(c->rd, result, e, c->scope);
	cJSON_Delete(c->scope);
	free(c);
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
			    read_for(run, t, run->reads[i].region))
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
		snprintf(item->region, sizeof(item->region), "%s",
			 region_of(run, res, item->type));
		if (read_for(run, item->type, item->region)) {
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
		if (rd->scoped)
			continue;
		rd->started = 1;
		rc = tmpl_fill(rd->type->read.params, &v, &params, e);
		if (!rc)
			rc = rec_call(run, rd->type->service, rd->region,
				      rd->type->read.op, params, AWS_ALL_PAGES,
				      on_read, rd, e);
		cJSON_Delete(params);
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
	if (rc)
		goto fail;
	uv_timer_init(opts->loop, &run->finish_timer);
	run->finish_timer.data = run;
	uv_timer_init(opts->loop, &run->batch_timer);
	run->batch_timer.data = run;
	run->started = now_s(run);
	start_reads(run, err);
	if (!run->reads_pending)
		after_reads(run);
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

void rec_result_free(rec_result_t *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n_items; i++) {
		free(r->items[i].address);
		free(r->items[i].id);
		diff_free(r->items[i].diff);
		cJSON_Delete(r->items[i].desired);
		cJSON_Delete(r->items[i].live);
	}
	free(r->items);
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
