/* rec_compact — compact live state: a listed item keeps only the top-level
 * members the engine can use, dropped as each page of a read is taken
 * (issue 17). An EC2 Describe answer carries a dozen members per item that
 * no table compares; at 10,000 security groups they were most of the
 * plan's memory, three allocations per value.
 *
 * What an item keeps (its read's keep set, built once per read):
 *   - every attribute's live path, the identity (id_path, arn_path, the
 *     name attributes, the tags) and the status path;
 *   - every member a template of the type names as "$live:Path" (deletes,
 *     updates, read_one and read_each requests), what read_each merges in
 *     (into) and a scoped read's scope;
 *   - every attribute the config's references name on a resource of the
 *     type (${ec2.vpc.main.VpcId}), and the daemon's alert topic's.
 * Paths go as deep as they are named: a topic keeps Attributes.Policy,
 * not the rest of Attributes. A type with C code of its own that sees the
 * item after it is read (plan functions, a driver) keeps every member:
 * that code may read any of them. fix_live runs before compaction. */
#include "rec.h"

#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"

/* Adds the dotted path (its first len bytes) to the keep set. */
static void keep_add(rec_read_t *rd, const char *path, size_t len)
{
	char **grown;
	size_t i;

	if (!path || !*path)
		return;
	for (i = 0; i < rd->n_keep; i++)
		if (strlen(rd->keep[i]) == len && !strncmp(rd->keep[i], path, len))
			return;
	grown = realloc(rd->keep, (rd->n_keep + 1) * sizeof(*grown));
	if (!grown) {
		rd->keep_all = 1;
		return;
	}
	rd->keep = grown;
	if (!(rd->keep[rd->n_keep] = strndup(path, len))) {
		rd->keep_all = 1;
		return;
	}
	rd->n_keep++;
}

static void keep_path(rec_read_t *rd, const char *path)
{
	if (path)
		keep_add(rd, path, strlen(path));
}

/* Every "$live:Path" of a template. */
static void keep_template(rec_read_t *rd, const char *tmpl)
{
	const char *p = tmpl, *end;

	while (p && (p = strstr(p, "\"$live:"))) {
		p += 7;
		end = strchr(p, '"');
		if (!end)
			return;
		keep_add(rd, p, (size_t)(end - p));
		p = end;
	}
}

static void keep_op(rec_read_t *rd, const res_op_t *op)
{
	keep_template(rd, op->params);
}

/* The attribute a reference names, when the reference's address is of
 * rd's type: "ec2.vpc.main" is of "ec2.vpc". */
static void keep_ref(rec_read_t *rd, const char *address, const char *attr)
{
	size_t n = strlen(rd->type->name);

	if (address && attr && !strncmp(address, rd->type->name, n) &&
	    address[n] == '.' && !strchr(address + n + 1, '.'))
		keep_path(rd, attr);
}

/* fix_live runs before an item is compacted; plan functions and drivers
 * see the live item later and may read any member. */
int rec__type_has_code(const res_type_t *t)
{
	size_t i;

	if (t->driver)
		return 1;
	for (i = 0; i < t->n_attrs; i++)
		if (t->attrs[i].plan)
			return 1;
	return 0;
}

static void build_keep(rec_read_t *rd)
{
	const res_type_t *t = rd->type;
	const config_t *cfg = rd->run->o.config;
	const config_settings_t *s = config_settings(cfg);
	const config_resource_t *res;
	const char *const *n;
	const res_attr_t *a;
	size_t i, j;

	rd->keep_built = 1;
	if (rec__type_has_code(t)) {
		rd->keep_all = 1;
		return;
	}
	for (i = 0; i < t->n_attrs; i++) {
		a = &t->attrs[i];
		keep_path(rd, a->live_path ? a->live_path : a->name);
		keep_template(rd, a->update_params);
		keep_template(rd, a->remove_params);
	}
	for (n = t->name_attrs; n && *n; n++)
		keep_path(rd, rec__attr_live_path(t, *n));
	keep_path(rd, t->id_path);
	keep_path(rd, t->arn_path);
	keep_path(rd, t->status_path);
	keep_op(rd, &t->read);
	keep_op(rd, &t->read_one);
	keep_op(rd, &t->create);
	keep_op(rd, &t->remove);
	keep_op(rd, &t->tag);
	keep_op(rd, &t->untag);
	for (i = 0; i < RES_MAX_EACH && t->read_each[i].op; i++) {
		keep_template(rd, t->read_each[i].params);
		keep_path(rd, t->read_each[i].into);
	}
	/* A scoped read's scope: "$attr:Name" members of its request. */
	if (t->read.params) {
		const char *p = t->read.params, *end;
		char name[128];

		while ((p = strstr(p, "\"$attr:"))) {
			p += 7;
			end = strchr(p, '"');
			if (!end || (size_t)(end - p) >= sizeof(name))
				break;
			memcpy(name, p, (size_t)(end - p));
			name[end - p] = 0;
			keep_path(rd, rec__attr_live_path(t, name));
			p = end;
		}
	}
	for (i = 0; i < config_resource_count(cfg); i++) {
		res = config_resource_at(cfg, i);
		for (j = 0; j < res->nrefs; j++)
			keep_ref(rd, res->refs[j].address, res->refs[j].attribute);
	}
	if (s && s->alert_topic_ref)
		keep_ref(rd, s->alert_topic_ref->address,
			 s->alert_topic_ref->attribute);
}

enum { DROP, KEEP, DESCEND };

/* What becomes of the member at path (len bytes): kept whole when a kept
 * path is it or leads to it, descended into when a kept path lies inside
 * it ("Attributes.Policy" inside "Attributes"), else dropped. */
static int fate(const rec_read_t *rd, const char *path, size_t len)
{
	const char *k;
	size_t i, n;
	int r = DROP;

	for (i = 0; i < rd->n_keep; i++) {
		k = rd->keep[i];
		n = strlen(k);
		if (n <= len && !strncmp(k, path, n) &&
		    (n == len || path[n] == '.'))
			return KEEP;
		if (n > len && !strncmp(k, path, len) && k[len] == '.')
			r = DESCEND;
	}
	return r;
}

static void compact(const rec_read_t *rd, cJSON *obj, char *path,
		    size_t len, size_t cap)
{
	cJSON *m, *next;
	size_t n;
	int f;

	for (m = obj->child; m; m = next) {
		next = m->next;
		n = m->string ? strlen(m->string) : 0;
		if (!m->string || len + n + 2 > cap) {
			/* Deeper than any path a table names: kept. */
			continue;
		}
		if (len)
			path[len] = '.';
		memcpy(path + len + !!len, m->string, n + 1);
		f = fate(rd, path, len + !!len + n);
		if (f == DROP)
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, m));
		else if (f == DESCEND && cJSON_IsObject(m))
			compact(rd, m, path, len + !!len + n, cap);
		path[len] = 0;
	}
}

void rec__compact_item(rec_read_t *rd, cJSON *it)
{
	char path[512];

	if (!rd->keep_built)
		build_keep(rd);
	if (rd->keep_all || !cJSON_IsObject(it))
		return;
	path[0] = 0;
	compact(rd, it, path, 0, sizeof(path));
}

/* Live items at rest are packed (json_pack: their compact JSON text, one
 * allocation), from the page that brought them until the item is judged,
 * and opened while the engine works on it. What reads a live item that
 * may be packed:
 *   - matching (identity keys, ids, tags) reads a passing view of it;
 *   - rec__evaluate, and a read_one or a reference to the item, open it
 *     (json_unpack: an ordinary tree), and it stays open;
 *   - a plan-only run whose caller asks for it (rec_opts_t.pack_live)
 *     packs an item again once it is judged.
 * Types with code of their own (plan functions, drivers) keep ordinary
 * trees while a run reads them: that code may change them. Between runs
 * the daemon's kept result packs them too (rec_result_keep): a cached
 * item is opened before that code sees it (rec__evaluate, read_one). */

/* A compacted item of rd->items is replaced there by its packed copy.
 * Out of memory leaves the item as it is. */
void rec__pack_item(rec_read_t *rd, cJSON *it)
{
	cJSON *packed;

	if (rd->keep_all || !(packed = json_pack(it)))
		return;
	cJSON_ReplaceItemViaPointer(rd->items, it, packed);
}

/* Opens a packed item of rd->items in place; returns what is there now
 * (it, when it was not packed or memory ran out). */
cJSON *rec__items_open(rec_read_t *rd, cJSON *it)
{
	cJSON *open;

	if (!json_is_packed(it) || !(open = json_unpack(it)))
		return it;
	cJSON_ReplaceItemViaPointer(rd->items, it, open);
	return open;
}

/* A copy of a live item, packed when it is. */
cJSON *rec__live_copy(const cJSON *live)
{
	return cJSON_Duplicate(live, 1);
}

/* item->live readable as a tree. 0, or -ENOMEM with the item's err set. */
int rec__live_open(rec_item_t *item)
{
	cJSON *open;

	if (!json_is_packed(item->live))
		return 0;
	if (!(open = json_unpack(item->live)))
		return err_set(rec__item_err(item), -ENOMEM, "%s: out of memory",
			       item->address);
	cJSON_Delete(item->live);
	item->live = open;
	return 0;
}

/* After a plan-only run has judged item, when the caller asked for it
 * (pack_live): its live item packed again, when its read packs items;
 * and, when it is in sync, its desired state dropped (wiped when it held
 * a secret's value): a plan shows the desired state of creates only, and
 * nothing judged reads it again (references resolve from live state). At
 * 100,000 resources the desired trees were 60 MiB, twice that with
 * malloc's overhead; packed, still 22 MB at the end of the run, where the
 * plan's peak is. */
void rec__live_pack(rec_run_t *run, rec_item_t *item)
{
	const rec_read_t *rd = rec__read_for(run, item->type, item->region);
	cJSON *packed;

	if (run->o.apply || !run->o.pack_live)
		return;
	if (item->state == REC_S_IN_SYNC) {
		json_delete_wiped(item->desired);
		item->desired = NULL;
	}
	if (!rd || !rd->keep_built || rd->keep_all ||
	    json_is_packed(item->live) || !(packed = json_pack(item->live)))
		return;
	cJSON_Delete(item->live);
	item->live = packed;
}

/* Before item->live is changed: a packed item is replaced by its tree.
 * 0 or -ENOMEM. */
int rec__live_thaw(rec_item_t *item)
{
	return json_thaw(&item->live);
}

void rec__keep_free(rec_read_t *rd)
{
	size_t i;

	for (i = 0; i < rd->n_keep; i++)
		free(rd->keep[i]);
	free(rd->keep);
	rd->keep = NULL;
	rd->n_keep = 0;
	rd->keep_built = 0;
}
