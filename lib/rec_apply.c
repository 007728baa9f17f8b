/* rec_apply — applying: one task per resource, its queued writes (batched where the
 * type says so), create, refresh and readiness, and the dispatcher that
 * starts tasks in dependency order. */
#include "rec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "graph.h"
#include "jsonutil.h"
#include "secret.h"
#include "services.h"
#include "template.h"

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
			if (rec__call(bc->run, p->type->service, p->region,
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
		if (rec__call(run, head->type->service, head->region,
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
	if (rec__call(run, head->type->service, head->region, head->op,
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
 * rec__held for the end of the loop turn, the rest go out at once. */
static int task_call(rec_task_t *task, const char *op, const cJSON *params,
		     aws_done_cb cb, err_t *e)
{
	rec_run_t *run = task->run;
	const res_type_t *t = task->item->type;
	batch_part_t *p;

	if (!t->batch.op || strcmp(op, t->batch.op) ||
	    !cJSON_IsArray(json_get_path(params, t->batch.list)))
		return rec__call(run, t->service, task->item->region, op,
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

static void task_next(rec_task_t *task);

static void task_closed(uv_handle_t *h)
{
	rec_task_t *task = h->data;
	rec_run_t *run = task->run;
	size_t i;

	for (i = 0; i < task->n_ops; i++) {
		free(task->ops[i].op);
		json_delete_wiped(task->ops[i].params);   /* may hold a secret */
	}
	free(task->ops);
	json_delete_wiped(task->create_request);
	free(task);
	run->tasks_running--;
	rec__pump(run);
}

void rec__task_end(rec_task_t *task, rec_status_t status)
{
	rec_run_t *run = task->run;
	rec_item_t *item = task->item;
	err_t e;

	item->status = status;
	item->seconds = rec__now_s(run) - task->started;
	if (status == REC_STATUS_FAILED) {
		/* Unreadable, blocked, owned elsewhere and refused (an
		 * adoption settings.adopt forbids) keep their own name; their
		 * dependants are blocked. */
		if (item->state != REC_S_UNREADABLE &&
		    item->state != REC_S_BLOCKED &&
		    item->state != REC_S_OWNED_ELSEWHERE &&
		    item->state != REC_S_REFUSED)
			rec__set_state(run, item, REC_S_FAILED, "%s",
				       rec_item_err(item)->message);
		graph_mark_failed(run->graph, item->address);
		rec__emit(run, REC_EVENT_FAILED, item, "%s", rec_item_err(item)->message);
	} else if (status == REC_STATUS_DEFERRED) {
		rec__set_state(run, item, REC_S_DEFERRED, "held back by the "
			       "daemon's backoff");
		graph_mark_failed(run->graph, item->address);
	} else {
		if (status == REC_STATUS_OBSERVED)
			rec__set_state(run, item, REC_S_DRIFTED, "observe mode: "
				       "reported, not changed");
		else if (rec_action_changes(item->action))
			rec__set_state(run, item, REC_S_CHANGED, "%s done",
				       rec_action_name(item->action));
		else if (!rec_state_final(item->state))
			rec__set_state(run, item, REC_S_IN_SYNC, "ready");
		graph_mark_done(run->graph, item->address);
		if (run->o.journal &&
		    journal_done(run->o.journal, item->address, &e))
			rec__emit(run, REC_EVENT_FAILED, item, "journal: %s",
			     e.message);
	}
	uv_close((uv_handle_t *)&task->timer, task_closed);
}

void rec__task_fail(rec_task_t *task, const err_t *e)
{
	rec__item_set_err(task->item, e);
	rec__task_end(task, REC_STATUS_FAILED);
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
	const res_attr_t *a = rec__tags_attr(item->type);
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
	secret_check_t sc;
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
	/* The operator's own value, not its normalized form; its write-only
	 * secret only when it changed (secret.h). */
	value = request_value(a, want);
	if (value && a->secret_members && rec__secret_check(task->run, item, &sc) &&
	    !secret_check_changed(&sc, a, want) &&
	    secret_keep_existing(a, value) < 0) {
		cJSON_Delete(value);
		return err_set(e, -ENOMEM, "out of memory");
	}
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
	    rec__call(task->run, item->type->service, item->region,
		     item->type->read_one.op, params, 0, on_read_one, task, &e)) {
		cJSON_Delete(params);
		rec__task_fail(task, &e);
		return;
	}
	cJSON_Delete(params);
}

static void on_poll_timer(uv_timer_t *t)
{
	start_read_one(t->data);
}

static void task_step(rec_task_t *task);
static void start_create(rec_task_t *task);

static void check_status(void *ctx);

/* The single-item read is merged over what the batched read had: some
 * types' read_one returns less (GetRole has no inline policies). */
void rec__merge_live(rec_item_t *item, cJSON *fresh)
{
	cJSON *m;

	if (!item->live || rec__live_thaw(item)) {
		/* Out of memory: the fresh read alone, rather than nothing. */
		rec__set_live(item, fresh);
		return;
	}
	while ((m = fresh->child)) {
		cJSON_DetachItemViaPointer(fresh, m);
		cJSON_DeleteItemFromObjectCaseSensitive(item->live, m->string);
		cJSON_AddItemToObject(item->live, m->string, m);
	}
	cJSON_Delete(fresh);
	rec__update_id(item);
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

int rec__read_one_item(const rec_item_t *item, cJSON *result, cJSON **out,
		       err_t *err)
{
	const res_type_t *t = item->type;
	cJSON *found, *live;

	*out = NULL;
	found = t->read_one.result && *t->read_one.result ?
		json_get_path(result, t->read_one.result) : result;
	if (cJSON_IsArray(found))
		found = list_find(found, t->id_path, item->id);
	if (!found) {
		cJSON_Delete(result);
		return 0;
	}
	live = cJSON_Duplicate(found, 1);
	cJSON_Delete(result);
	/* A Get by id need not echo the id (GetOpenIDConnectProvider): the
	 * item gets it, so that fix_live sees what a listed item has. */
	if (live && item->id && t->id_path && !json_get_path(live, t->id_path) &&
	    json_set_path(live, t->id_path, cJSON_CreateString(item->id))) {
		cJSON_Delete(live);
		return err_set(err, -ENOMEM, "out of memory");
	}
	if (!live)
		return err_set(err, -ENOMEM, "out of memory");
	if (t->hooks && t->hooks->fix_live && t->hooks->fix_live(t, live, err)) {
		cJSON_Delete(live);
		return err->code;
	}
	*out = live;
	return 0;
}

static void on_read_one(void *data, cJSON *result, const err_t *e)
{
	rec_task_t *task = data;
	rec_item_t *item = task->item;
	cJSON *live;
	err_t err;

	if (e) {
		rec__task_fail(task, e);
		return;
	}
	if (rec__read_one_item(item, result, &live, &err)) {
		rec__task_fail(task, &err);
		return;
	}
	if (!live) {
		err_set(&err, -ENOENT, "%s (%s) was not found after it was "
			"written", item->address, item->id ? item->id : "?");
		rec__task_fail(task, &err);
		return;
	}
	rec__merge_live(item, live);
	task->batch.pending = 1;
	task->batch.done = check_status;
	task->batch.ctx = task;
	if (item->res)
		rec__issue_live_reads(task->run, item, &task->batch);
	rec__batch_step(&task->batch);
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
		rec__task_fail(task, rec_item_err(item));
		return;
	}
	if (rec__held(item, &err)) {
		rec__task_fail(task, &err);
		return;
	}
	if (cJSON_IsString(st)) {
		if (t->failed && rec__status_in(st->valuestring, t->failed)) {
			err_set(&err, -EIO, "%s entered state %s", item->address,
				st->valuestring);
			rec__task_fail(task, &err);
			return;
		}
		if (t->ready && !rec__status_in(st->valuestring, t->ready)) {
			if (rec__now_s(task->run) - task->wait_started >
			    task->run->o.wait_timeout_s) {
				err_set(&err, -ETIMEDOUT, "%s is still %s after "
					"%.0f s", item->address, st->valuestring,
					task->run->o.wait_timeout_s);
				rec__task_fail(task, &err);
				return;
			}
			rec__emit(task->run, REC_EVENT_WAITING, item, "Still %s...",
			     st->valuestring);
			uv_timer_start(&task->timer, on_poll_timer,
				       (uint64_t)(task->poll_delay_s * 1000), 0);
			task->poll_delay_s *= 2;
			if (task->poll_delay_s > task->run->o.poll_max_s)
				task->poll_delay_s = task->run->o.poll_max_s;
			return;
		}
	}
	task_step(task);
}

/* Reads the resource again: for readiness (status_path) and so that what
 * dependants resolve and what is diffed next is what AWS now has. */
static void refresh(rec_task_t *task, const char *why)
{
	rec_item_t *item = task->item;

	task->resume = item->state;
	rec__set_state(task->run, item, REC_S_WAITING, "%s", why);
	if (!item->type->read_one.op || !item->id) {
		task_step(task);
		return;
	}
	task->wait_started = rec__now_s(task->run);
	task->poll_delay_s = 0.2;
	start_read_one(task);
}

/* secret.h: once a write of a (with write-only secret members) has
 * succeeded, the journal keeps the fingerprint of what config wants, which
 * AWS now holds (the secret sent, or kept because its fingerprint had not
 * changed); a value without a secret leaves no record. */
static void journal_secret_written(rec_task_t *task, const res_attr_t *a)
{
	rec_item_t *item = task->item;
	char fp[SECRET_FP_HEX];
	secret_check_t sc;
	err_t e;
	int rc;

	if (!(a->secret_members || (a->flags & RES_SECRET_VALUE)) ||
	    !rec__secret_check(task->run, item, &sc))
		return;
	rc = secret_fingerprint(sc.key, item->address, a,
				cJSON_GetObjectItemCaseSensitive(item->desired,
								 a->name), fp);
	if (rc < 0)
		err_set(&e, rc, "out of memory");
	if (rc < 0 || (rc ? journal_secret_set(task->run->o.journal,
					       item->address, a->name, fp, &e) :
			    journal_secret_forget(task->run->o.journal,
						  item->address, a->name, &e)))
		rec__emit(task->run, REC_EVENT_FAILED, item, "journal: %s",
			  e.message);
}

/* ---- the dispatcher: one function per state a task passes through ----- */

/* Creating: the create (and its tagging) is made; read it back. */
static void task_creating(rec_task_t *task)
{
	refresh(task, "created; until it is ready");
}

/* Updating: the changes are made; read it back. */
static void task_updating(rec_task_t *task)
{
	const diff_t *d = task->item->diff;
	size_t i;

	for (i = 0; d && i < d->n_changes; i++)
		if (d->changes[i].kind == DIFF_UPDATE)
			journal_secret_written(task, d->changes[i].attr);
	refresh(task, "changed; until it reads back");
}

/* A deleted item leaves the journal's record of what this environment
 * made. */
static void forget_deleted(rec_task_t *task)
{
	rec_item_t *item = task->item;
	err_t e;

	if (task->run->o.journal && ((item->id &&
	    journal_forget(task->run->o.journal, item->type->name, item->id,
			   &e)) || journal_secret_forget(task->run->o.journal,
							 item->address, NULL,
							 &e)))
		rec__emit(task->run, REC_EVENT_FAILED, item, "journal: %s",
			  e.message);
}

/* Replacing: the old item is deleted; the new one is created. */
static void task_replacing(rec_task_t *task)
{
	forget_deleted(task);
	rec__set_state(task->run, task->item, REC_S_CREATING, "the old one "
		       "is deleted");
	rec__set_live(task->item, NULL);
	start_create(task);
}

/* Deleting: done. */
static void task_deleting(rec_task_t *task)
{
	forget_deleted(task);
	rec__task_end(task, REC_STATUS_OK);
}

/* Waiting: it is ready. After a create, the same update pass as for drift
 * converges what is set after create (RES_NOT_IN_CREATE) and whatever AWS
 * set otherwise; after that pass, or an update, the task is done. */
static void task_waiting(rec_task_t *task)
{
	rec_item_t *item = task->item;
	rec_action_t planned;
	int todo;
	err_t e;

	if (task->resume != REC_S_CREATING) {
		rec__task_end(task, REC_STATUS_OK);
		return;
	}
	/* The item keeps the action it was applied for (create, replace)
	 * for the summary; the evaluation only finds what is left to set. */
	planned = item->action;
	rec__evaluate(task->run, item);
	todo = item->action == REC_UPDATE && !item->unknown;
	item->action = planned;
	if (!todo) {
		rec__task_end(task, REC_STATUS_OK);
		return;
	}
	rec__set_state(task->run, item, REC_S_UPDATING, "%zu attribute(s) to "
		       "set after create", item->diff->n_changes);
	rec__emit(task->run, REC_EVENT_START, item, "Setting %zu attribute(s) "
	     "after create...", item->diff->n_changes);
	if (queue_updates(task, &e)) {
		rec__task_fail(task, &e);
		return;
	}
	task_next(task);
}

/* The step of the task's state is done: on to the next (curl's
 * multi_runsingle, one function per state). */
static void task_step(rec_task_t *task)
{
	static void (*const step[REC_STATE_COUNT])(rec_task_t *) = {
		[REC_S_CREATING] = task_creating,
		[REC_S_UPDATING] = task_updating,
		[REC_S_REPLACING] = task_replacing,
		[REC_S_DELETING] = task_deleting,
		[REC_S_WAITING] = task_waiting,
	};
	rec_state_t st = task->item->state;

	if (st < REC_STATE_COUNT && step[st])
		step[st](task);
	else
		rec__task_end(task, REC_STATUS_OK);
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
		rec__task_fail(task, &err);
		return;
	}
	task->next_op++;
	task_next(task);
}

/* Makes the task's next queued write; when none is left, its state's
 * step is done. */
static void task_next(rec_task_t *task)
{
	rec_op_t *op;
	err_t e;

	if (task->next_op < task->n_ops) {
		op = &task->ops[task->next_op];
		if (task_call(task, op->op, op->params, on_op, &e))
			rec__task_fail(task, &e);
		return;
	}
	task_step(task);
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

/* A document the create sent and its answer leaves out is what AWS now
 * holds: CreatePolicy makes v1 of the document sent and sets it as the
 * default, and GetPolicy "returns metadata about the policy" only (IAM
 * API reference, CreatePolicy and GetPolicy). A refresh that did not see
 * the document made the update pass send it again as CreatePolicyVersion
 * (issue 12, fault 10). */
static void keep_sent_documents(rec_item_t *item, const cJSON *request)
{
	const res_attr_t *a;
	const char *path;
	const cJSON *sent;
	size_t i;

	if (rec__live_thaw(item))
		return;
	for (i = 0; item->live && i < item->type->n_attrs; i++) {
		a = &item->type->attrs[i];
		path = a->live_path ? a->live_path : a->name;
		if (a->kind != RES_DOCUMENT ||
		    !(sent = cJSON_GetObjectItemCaseSensitive(request, a->name)) ||
		    json_get_path(item->live, path))
			continue;
		json_set_path(item->live, path, cJSON_Duplicate(sent, 1));
	}
}

/* The same for tags the create call carried (CreateQueue's tags,
 * CreateTrail's TagsList) where neither its answer nor the refresh holds
 * them (a queue URL; GetQueueAttributes, GetTrail): AWS tagged the item in
 * the create, and the update pass after it must not tag it again. Tags
 * read again at each refresh (a live_read) need nothing, nor EC2's
 * TagSpecifications, whose create form is not the read's. */
static void keep_sent_tags(rec_item_t *item, const cJSON *request)
{
	const res_type_t *t = item->type;
	const res_attr_t *a = rec__tags_attr(t);
	const cJSON *m, *sent;
	cJSON *tmpl;
	const char *path;

	if (!a || a->live_read.op || t->tag_style == RES_TAGS_SPEC || !item->live ||
	    !t->create.params || !(tmpl = cJSON_Parse(t->create.params)))
		return;
	path = a->live_path ? a->live_path : a->name;
	cJSON_ArrayForEach(m, tmpl) {
		if (!cJSON_IsString(m) || strcmp(m->valuestring, "$tags"))
			continue;
		sent = cJSON_GetObjectItemCaseSensitive(request, m->string);
		if (sent && !json_get_path(item->live, path))
			json_set_path(item->live, path, cJSON_Duplicate(sent, 1));
	}
	cJSON_Delete(tmpl);
}

static void on_create(void *data, cJSON *result, const err_t *e)
{
	rec_task_t *task = data;
	rec_item_t *item = task->item;
	const res_type_t *t = item->type;
	const cJSON *sent;
	cJSON *made, *tags;
	tmpl_values_t v;
	size_t i;
	err_t err;

	if (e) {
		on_op(data, result, e);
		return;
	}
	made = t->create.result && *t->create.result ?
	       json_get_path(result, t->create.result) : result;
	if (cJSON_IsArray(made))
		made = cJSON_GetArrayItem(made, 0);
	rec__set_live(item, made ? cJSON_Duplicate(made, 1) : NULL);
	sent = NULL;
	if (!item->id && (sent = sent_item(t, task->create_request))) {
		/* PutMetricAlarm answers nothing: what was sent is the item. */
		rec__set_live(item, cJSON_Duplicate(sent, 1));
		if (cJSON_IsObject(made))
			rec__merge_into(item->live, &(res_each_op_t){ 0 }, made);
	}
	/* The id may be one fix_live derives (a zone's bare id). */
	if (!item->id && item->live && t->hooks && t->hooks->fix_live &&
	    !t->hooks->fix_live(t, item->live, &err))
		rec__update_id(item);
	/* ... or derives from the request (a name the read calls Name). */
	if (!sent && task->create_request)
		sent = t->create_item ? json_get_path(task->create_request,
						      t->create_item) :
					task->create_request;
	if (!item->id && sent && cJSON_IsObject(sent) && t->hooks &&
	    t->hooks->fix_live) {
		rec__set_live(item, cJSON_Duplicate(sent, 1));
		if (item->live && cJSON_IsObject(made))
			rec__merge_into(item->live, &(res_each_op_t){ 0 }, made);
		if (item->live && !t->hooks->fix_live(t, item->live, &err))
			rec__update_id(item);
	}
	keep_sent_documents(item, task->create_request);
	keep_sent_tags(item, task->create_request);
	json_delete_wiped(task->create_request);
	task->create_request = NULL;
	cJSON_Delete(result);
	if (!item->id) {
		err_set(&err, -EPROTO, "%s: %s returned no %s", item->address,
			t->create.op, t->id_path);
		rec__task_fail(task, &err);
		return;
	}
	/* The journal keeps what this environment made: the proof of
	 * ownership that identity changes and pruning go by. */
	if (task->run->o.journal &&
	    (journal_created(task->run->o.journal, item->address, item->id, &err) ||
	     journal_record_created(task->run->o.journal, item->address,
				    item->type->name, item->id, &err)))
		rec__emit(task->run, REC_EVENT_FAILED, item, "journal: %s",
		     err.message);
	for (i = 0; i < t->n_attrs; i++)
		if (!(t->attrs[i].flags & RES_NOT_IN_CREATE))
			journal_secret_written(task, &t->attrs[i]);
	rec__emit(task->run, REC_EVENT_DONE, item, "Created [id=%s]", item->id);
	/* Types that cannot tag in the create call are tagged right after. */
	if (t->tag.op && (!t->create.params ||
			  !strstr(t->create.params, "\"$tags\""))) {
		base_values(task, &v);
		tags = create_tags(task->run, item);
		v.tags = tags_in_style(t, tags, 0);
		cJSON_Delete(tags);
		if (queue_template(task, t->tag.op, t->tag.params, &v, &err)) {
			cJSON_Delete((cJSON *)v.tags);
			rec__task_fail(task, &err);
			return;
		}
		cJSON_Delete((cJSON *)v.tags);
	}
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

/* The next attribute of the create request whose value a call makes
 * (restable.h, "Generated values", "Secret values"), NULL when none is
 * left. */
static const res_attr_t *generated(const res_type_t *t, const cJSON *request)
{
	const cJSON *v;
	size_t i;

	for (i = 0; i < t->n_attrs; i++) {
		v = cJSON_GetObjectItemCaseSensitive(request, t->attrs[i].name);
		if (v && (t->attrs[i].generate.op || rec__secret_ref(&t->attrs[i], v)))
			return &t->attrs[i];
	}
	return NULL;
}

static void generate_next(rec_task_t *task);

/* The generated value replaces its attribute in the create request, or
 * the secret's value its reference (also kept for the item: the journal
 * records its fingerprint once the create is made); the answer is wiped. */
static void on_generated(void *data, cJSON *result, const err_t *e)
{
	rec_task_t *task = data;
	rec_item_t *item = task->item;
	const res_attr_t *a = generated(item->type, task->create_request);
	const char *id = a->generate.op ? NULL :
		rec__secret_ref(a, cJSON_GetObjectItemCaseSensitive(
			task->create_request, a->name));
	cJSON *value = json_get_path(result, id ? "SecretString" :
					     a->generate.result);
	cJSON *copy;
	err_t err;

	if (e) {
		json_delete_wiped(result);
		on_op(data, NULL, e);
		return;
	}
	if (id && rec__keep_secret_value(item, a, id, result, &err)) {
		json_delete_wiped(result);
		rec__task_fail(task, &err);
		return;
	}
	if (id)
		rec__use_secret_values(item);
	if (!cJSON_IsString(value) ||
	    !(copy = cJSON_CreateString(value->valuestring))) {
		json_delete_wiped(result);
		err_set(&err, cJSON_IsString(value) ? -ENOMEM : -EPROTO,
			"%s: %s returned no %s", task->item->address,
			a->generate.op, a->generate.result);
		rec__task_fail(task, &err);
		return;
	}
	json_delete_wiped(result);
	json_delete_wiped(cJSON_DetachItemFromObjectCaseSensitive(
		task->create_request, a->name));
	if (!id)
		json_delete_wiped(cJSON_DetachItemFromObjectCaseSensitive(
			task->create_request, a->generate_into));
	cJSON_AddItemToObject(task->create_request,
			      id ? a->name : a->generate_into, copy);
	generate_next(task);
}

/* Makes the create request's generated values, one call each, then the
 * create. */
static void generate_next(rec_task_t *task)
{
	rec_item_t *item = task->item;
	const res_attr_t *a = generated(item->type, task->create_request);
	const char *id = a ? rec__secret_ref(a, cJSON_GetObjectItemCaseSensitive(
		task->create_request, a->name)) : NULL;
	err_t e;

	if (a && a->generate.op &&
	    rec__call(task->run, item->type->service, item->region,
		      a->generate.op,
		      cJSON_GetObjectItemCaseSensitive(task->create_request,
						       a->name),
		      0, on_generated, task, &e))
		rec__task_fail(task, &e);
	else if (id && rec__read_secret(task->run, id, item->region,
					on_generated, task, &e))
		rec__task_fail(task, &e);
	else if (!a && task_call(task, item->type->create.op,
				 task->create_request, on_create, &e))
		rec__task_fail(task, &e);
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
		rec__evaluate(run, item);
		if (!item->desired) {
			if (!rec_item_err(item)->code)
				err_set(rec__item_err(item), -EAGAIN, "%s: references "
					"could not be resolved", item->address);
			rec__task_end(task, REC_STATUS_FAILED);
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
		rec__task_fail(task, &e);
		return;
	}
	if (run->o.journal && journal_intent(run->o.journal, item->address,
					     item->type->name, task->token, &e)) {
		cJSON_Delete(params);
		rec__task_fail(task, &e);
		return;
	}
	rec__emit(run, REC_EVENT_START, item, "Creating...");
	json_delete_wiped(task->create_request);
	task->create_request = params;
	generate_next(task);
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
	return t->ready && cJSON_IsString(st) && !rec__status_in(st->valuestring, t->ready);
}

void rec__start_task(rec_run_t *run, rec_item_t *item)
{
	rec_task_t *task;
	tmpl_values_t v;
	err_t e;

	/* An incremental run leaves the rest as the cache has them. */
	if (!rec__incr_selected(run, item)) {
		graph_mark_done(run->graph, item->address);
		return;
	}
	task = calloc(1, sizeof(*task));

	if (!task || rec__live_open(item)) {
		free(task);
		err_set(rec__item_err(item), -ENOMEM, "out of memory");
		item->status = REC_STATUS_FAILED;
		graph_mark_failed(run->graph, item->address);
		return;
	}
	task->run = run;
	task->item = item;
	task->started = rec__now_s(run);
	uv_timer_init(run->o.loop, &task->timer);
	task->timer.data = task;
	run->tasks_running++;
	/* Dependencies may have just been made: their values resolve now. */
	if (item->res)
		rec__evaluate(run, item);
	if (item->res && item->observe && rec_action_changes(item->action)) {
		rec__task_end(task, REC_STATUS_OBSERVED);
		return;
	}
	if (run->o.skip && rec_action_changes(item->action) &&
	    run->o.skip(run->o.skip_ctx, item)) {
		rec__task_end(task, REC_STATUS_DEFERRED);
		return;
	}
	if (item->type->driver && rec_action_changes(item->action)) {
		rec__set_state(run, item, item->action == REC_CREATE ?
			       REC_S_CREATING : REC_S_UPDATING, "the driver "
			       "applies it");
		rec__start_driver_apply(task);
		return;
	}
	if (check_waits(item)) {
		if (item->action == REC_READ_FAILED && !item->live)
			item->action = REC_NOOP;
		task->resume = REC_S_PENDING;
		rec__set_state(run, item, REC_S_WAITING, "a check: until it is %s",
			       item->type->ready ? item->type->ready : "readable");
		rec__emit(run, REC_EVENT_START, item, "Waiting until it is %s...",
		     item->type->ready ? item->type->ready : "readable");
		task->wait_started = rec__now_s(run);
		task->poll_delay_s = 0.2;
		start_read_one(task);
		return;
	}
	switch (item->action) {
	case REC_CREATE:
		rec__set_state(run, item, REC_S_CREATING, "it does not exist");
		start_create(task);
		return;
	case REC_UPDATE:
		if (item->unknown) {
			err_set(&e, -EAGAIN, "%s: references could not be "
				"resolved", item->address);
			rec__task_fail(task, &e);
			return;
		}
		rec__set_state(run, item, REC_S_UPDATING, "%zu attribute(s) "
			       "differ", item->diff ? item->diff->n_changes : 0);
		rec__emit(run, REC_EVENT_START, item, "Modifying [id=%s]...",
		     item->id ? item->id : "?");
		if (queue_updates(task, &e)) {
			rec__task_fail(task, &e);
			return;
		}
		task_next(task);
		return;
	case REC_REPLACE:
	case REC_DELETE:
		rec__set_state(run, item, item->action == REC_REPLACE ?
			       REC_S_REPLACING : REC_S_DELETING, "%s",
			       item->action == REC_REPLACE ? "delete, then create"
							   : "\"ensure\": \"absent\" or pruned");
		rec__emit(run, REC_EVENT_START, item, "Destroying [id=%s]...",
		     item->id ? item->id : "?");
		base_values(task, &v);
		if (queue_clear(task, &e) ||
		    queue_template(task, item->type->remove.op,
				   item->type->remove.params, &v, &e)) {
			rec__task_fail(task, &e);
			return;
		}
		task_next(task);
		return;
	case REC_READ_FAILED:
		rec__task_end(task, REC_STATUS_FAILED);
		return;
	default:
		rec__task_end(task, REC_STATUS_OK);
		return;
	}
}

/* How many types a type stands on (a security group on its VPC). */
void rec__pump(rec_run_t *run)
{
	const char *name;
	rec_item_t *item;
	size_t i;

	if (run->delivered)
		return;
	while ((name = graph_next_ready(run->graph))) {
		item = rec__item_find(run, name);
		if (item)
			rec__start_task(run, item);
		else
			graph_mark_done(run->graph, name);
	}
	if (!graph_finished(run->graph) || run->tasks_running)
		return;
	if (rec__start_next_prune(run))
		return;
	for (i = 0; i < run->res->n_items; i++) {
		item = &run->res->items[i];
		if (item->res && graph_state_of(run->graph, item->address) ==
				 GRAPH_BLOCKED) {
			item->status = REC_STATUS_BLOCKED;
			/* Blocked by an unreadable one: its AWS error stays. */
			if (item->state != REC_S_BLOCKED)
				err_set(rec__item_err(item), -EAGAIN, "%s was not applied: "
					"a resource it depends on failed",
					item->address);
			rec__set_state(run, item, REC_S_BLOCKED, "%s",
				       rec_item_err(item)->message);
		}
	}
	rec__finish_run(run);
}
