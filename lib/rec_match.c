/* rec_match — identity and matching: which live item is a configured resource
 * (name attributes, or the ownership tags), the index that keeps that
 * linear, and references resolved from live state. */
#include "rec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "jsonutil.h"
#include "services.h"
#include "template.h"

/* ---- identity and live state ------------------------------------------ */

const res_attr_t *rec__tags_attr(const res_type_t *t)
{
	size_t i;

	for (i = 0; i < t->n_attrs; i++)
		if (t->attrs[i].kind == RES_TAGS)
			return &t->attrs[i];
	return NULL;
}

/* The value of tag key on a live item, or NULL. Caller frees. */
char *rec__live_tag(const res_type_t *t, const cJSON *live, const char *key)
{
	const res_attr_t *a = rec__tags_attr(t);
	cJSON *map, *v, *tmp;
	char *out = NULL;

	if (!a || !(live = json_view(live, &tmp)))
		return NULL;
	map = diff_tags_to_map(json_get_path(live, a->live_path ? a->live_path
								  : a->name));
	v = cJSON_GetObjectItemCaseSensitive(map, key);
	if (cJSON_IsString(v))
		out = strdup(v->valuestring);
	cJSON_Delete(map);
	cJSON_Delete(tmp);
	return out;
}

const char *rec__attr_live_path(const res_type_t *t, const char *name)
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
	cJSON *tmp = NULL;
	char *a, *b;
	size_t i;
	int eq = 1, present = 0;

	if (t->identity == RES_ID_SINGLETON)
		return 1;
	if (!(live = json_view(live, &tmp)))
		return 0;
	if (t->identity == RES_ID_TAGS) {
		a = rec__live_tag(t, live, REC_TAG_ADDRESS);
		b = rec__live_tag(t, live, REC_TAG_ENV);
		eq = a && b && !strcmp(a, item->address) && !strcmp(b, run->env);
		free(a);
		free(b);
		cJSON_Delete(tmp);
		return eq;
	}
	for (i = 0; eq && t->name_attrs && t->name_attrs[i]; i++) {
		attr = res_type_attr(t, t->name_attrs[i]);
		want = json_get_path(desired, t->name_attrs[i]);
		have = json_get_path(live, rec__attr_live_path(t, t->name_attrs[i]));
		if (!want && !have && attr && !(attr->flags & RES_REQUIRED))
			continue;
		a = identity_text(attr, want);
		b = identity_text(attr, have);
		eq = a && b && !strcmp(a, b);
		free(a);
		free(b);
		present = 1;
	}
	cJSON_Delete(tmp);
	return eq && present;
}

rec_read_t *rec__read_for(rec_run_t *run, const res_type_t *t,
			    const char *region)
{
	size_t i;

	for (i = 0; i < run->n_reads; i++)
		if (run->reads[i].type == t &&
		    !strcmp(run->reads[i].region, region))
			return &run->reads[i];
	return NULL;
}

/* item->id from view, item->live as a tree (it may be packed). */
static void update_id_from(rec_item_t *item, const cJSON *view)
{
	const cJSON *id = json_get_path(view, item->type->id_path);

	free(item->id);
	item->id = cJSON_IsString(id) ? strdup(id->valuestring) : NULL;
	/* A singleton without an id of its own is its region's. */
	if (!item->id && item->live && !item->type->id_path &&
	    item->type->identity == RES_ID_SINGLETON)
		item->id = strdup(item->region);
}

void rec__update_id(rec_item_t *item)
{
	cJSON *tmp;

	update_id_from(item, json_view(item->live, &tmp));
	cJSON_Delete(tmp);
}

void rec__set_live(rec_item_t *item, cJSON *live)
{
	cJSON_Delete(item->live);
	item->live = live;
	rec__update_id(item);
}
static char *identity_key(const res_type_t *t, const cJSON *live)
{
	cJSON *tmp;
	char *key;

	if (t->identity == RES_ID_TAGS)
		return rec__live_tag(t, live, REC_TAG_ADDRESS);
	if (!t->name_attrs || !t->name_attrs[0])
		return NULL;
	/* Compared as identity_matches compares: normalized, case folded. */
	live = json_view(live, &tmp);
	key = identity_text(res_type_attr(t, t->name_attrs[0]),
			    json_get_path(live, rec__attr_live_path(t, t->name_attrs[0])));
	cJSON_Delete(tmp);
	return key;
}

static int cmp_live_key(const void *a, const void *b)
{
	const live_key_t *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

void rec__index_free(rec_read_t *rd)
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
void rec__match_live(rec_run_t *run, rec_item_t *item, const cJSON *desired)
{
	rec_read_t *rd = rec__read_for(run, item->type, item->region);
	const res_type_t *t = item->type;
	size_t lo = 0, hi, mid;
	char *key;

	if (!rd || !rd->items || !rd->done)
		return;
	if (t->identity == RES_ID_SINGLETON) {
		/* The read's answer is the one item (restable.h). */
		if (rd->items->child)
			rec__set_live(item, cJSON_Duplicate(rd->items->child, 1));
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
		cJSON *live = k->taken ? k->taken->live : k->live, *tmp;
		const cJSON *view = json_view(live, &tmp);

		if (!view || !identity_matches(run, item, desired, view)) {
			cJSON_Delete(tmp);
			continue;
		}
		cJSON_Delete(item->live);
		if (k->taken) {
			/* Two resources of the config name one live item. */
			item->live = rec__live_copy(live);
		} else {
			/* Moved, not copied: the read keeps only what no
			 * configured resource is, the orphans. */
			item->live = cJSON_DetachItemViaPointer(rd->items, live);
			k->taken = item;
		}
		update_id_from(item, item->live ? view : NULL);
		cJSON_Delete(tmp);
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
rec_item_t *rec__item_find(rec_run_t *run, const char *address)
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
const cJSON *rec__lookup_ref(const char *address, const char *attribute,
			       void *ctx)
{
	rec_item_t *item = rec__item_find(ctx, address);

	if (!item || !item->live || item->action == REC_REPLACE ||
	    rec__live_open(item))
		return NULL;
	return json_get_path(item->live, attribute);
}

/* The live item that was this address's before its identity changed (a
 * renamed log group): one the journal records this environment created
 * for the address, or one carrying this environment's and address's
 * ownership tags, that no configured resource matched. Name-identified
 * types only: tag-identified ones match by those tags anyway. */
const cJSON *rec__previous_identity(rec_run_t *run, const rec_item_t *item)
{
	rec_read_t *rd = rec__read_for(run, item->type, item->region);
	const res_attr_t *tags = rec__tags_attr(item->type);
	const journal_entry_t *je;
	const cJSON *id;
	cJSON *it, *tmp;
	char *addr, *env;
	size_t i;
	int mine;

	if (!rd || !rd->items || item->type->identity != RES_ID_NAME)
		return NULL;
	/* The journal's records of this address: few, whatever the read. */
	for (i = 0; i < journal_made_count(run->o.journal); i++) {
		je = journal_made_at(run->o.journal, i);
		if (strcmp(je->address, item->address) ||
		    strcmp(je->type, item->type->name))
			continue;
		cJSON_ArrayForEach(it, rd->items) {
			id = json_get_path(json_view(it, &tmp),
					   item->type->id_path);
			mine = cJSON_IsString(id) && !strcmp(id->valuestring, je->id);
			cJSON_Delete(tmp);
			if (mine)
				return rec__items_open(rd, it);
		}
	}
	/* Ownership tags, where the list answer carries them (a DB
	 * instance's TagList); a type whose tags are read per item
	 * (live_read) has none here, and is not scanned. */
	if (!tags || tags->live_read.op)
		return NULL;
	cJSON_ArrayForEach(it, rd->items) {
		id = json_get_path(json_view(it, &tmp), item->type->id_path);
		je = cJSON_IsString(id) ? journal_made_find(run->o.journal,
				item->type->name, id->valuestring) : NULL;
		cJSON_Delete(tmp);
		if (je)     /* recorded for another address: that one's */
			continue;
		addr = rec__live_tag(item->type, it, REC_TAG_ADDRESS);
		env = rec__live_tag(item->type, it, REC_TAG_ENV);
		mine = addr && env && !strcmp(addr, item->address) &&
		       !strcmp(env, run->env);
		free(addr);
		free(env);
		if (mine)
			return rec__items_open(rd, it);
	}
	return NULL;
}

/* Matches a configured item with its references resolved where the
 * resources they name are matched already (a listener is found by its
 * load balancer's ARN), else with its body as written. */
void rec__match_configured(rec_run_t *run, rec_item_t *item)
{
	cJSON *desired = NULL;
	err_t e;

	if (config_resolve(run->o.config, item->res, rec__lookup_ref, run,
			   &desired, &e)) {
		cJSON_Delete(desired);
		desired = NULL;
	}
	rec__match_live(run, item, desired ? desired : item->res->body);
	cJSON_Delete(desired);
}

/* Matches item with its references resolved as far as the resources they
 * name are matched; failing that, takes the item this address had before
 * an identity change (rec__previous_identity), which evaluate then plans
 * as -/+ or refuses. */
void rec__match_resolved(rec_run_t *run, rec_item_t *item)
{
	const cJSON *old;

	if (item->live)
		return;
	rec__match_configured(run, item);
	if (item->live || item->res->ensure == CONFIG_ENSURE_ABSENT ||
	    !(old = rec__previous_identity(run, item)))
		return;
	rec__set_live(item, rec__live_copy(old));
	free(item->old_id);
	item->old_id = item->id ? strdup(item->id) : NULL;
}
