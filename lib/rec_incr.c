/* rec_incr — the incremental run (issue 17 item 3): after a config edit,
 * only the resources whose desired state changed and their dependants are
 * planned, each re-read on its own (read_one by the id the last run saw)
 * against live state cached from that run; the rest lend their cached
 * live state to references and are neither read nor judged. A full run
 * still follows at the daemon's interval: this one trades the orphan
 * search and the batched reads for a write within milliseconds of the
 * edit. */
#include "rec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "template.h"

static const rec_item_t *cached_item(const rec_run_t *run,
				     const char *address)
{
	const rec_result_t *c = run->o.cached;
	size_t i;

	for (i = 0; i < c->n_items; i++)
		if (c->items[i].res && !strcmp(c->items[i].address, address))
			return &c->items[i];
	return NULL;
}

static int in_only(const rec_run_t *run, const char *address)
{
	size_t i;

	for (i = 0; i < run->o.n_only; i++)
		if (run->o.only[i] && !strcmp(run->o.only[i], address))
			return 1;
	return 0;
}

/* Whether item can be re-read by itself: its type reads one by id and is
 * not a driver's, and the cache knows its id. */
static int reads_one(const rec_item_t *item, const rec_item_t *was)
{
	return was && was->live && was->id && item->type->read_one.op &&
	       !item->type->driver;
}

int rec__incr_selected(const rec_run_t *run, const rec_item_t *item)
{
	return !run->selected ||
	       (item >= run->res->items &&
		item < run->res->items + run->res->n_items &&
		run->selected[item - run->res->items]);
}

/* Marks the items at o.only and, to a fixed point, every item with a
 * reference or depends_on to a marked one; gives every item its cached
 * live state; marks the reads the run makes. */
int rec__incr_select(rec_run_t *run, err_t *e)
{
	rec_result_t *r = run->res;
	const rec_item_t *was;
	const config_ref_t *ref;
	rec_item_t *item, *dep;
	rec_read_t *rd;
	size_t i, j;
	int grew;

	if (!run->o.cached)
		return 0;
	run->selected = calloc(r->n_items ? r->n_items : 1, 1);
	if (!run->selected)
		return err_set(e, -ENOMEM, "out of memory");
	for (i = 0; i < r->n_items; i++)
		run->selected[i] = in_only(run, r->items[i].address);
	do {
		grew = 0;
		for (i = 0; i < r->n_items; i++) {
			item = &r->items[i];
			for (j = 0; !run->selected[i] && j < item->res->nrefs; j++) {
				ref = &item->res->refs[j];
				dep = rec__item_find(run, ref->address);
				if (dep && run->selected[dep - r->items])
					run->selected[i] = grew = 1;
			}
		}
	} while (grew);
	for (i = 0; i < r->n_items; i++) {
		item = &r->items[i];
		was = cached_item(run, item->address);
		if (was && was->live && (!run->selected[i] || reads_one(item, was))) {
			rec__set_live(item, rec__live_copy(was->live));
			if (!item->live)
				return err_set(e, -ENOMEM, "out of memory");
			if (!item->id && was->id && !(item->id = strdup(was->id)))
				return err_set(e, -ENOMEM, "out of memory");
		}
		if (run->selected[i] && !reads_one(item, was) &&
		    (rd = rec__read_for(run, item->type, item->region)))
			rd->needed = 1;
	}
	for (i = 0; i < run->n_reads; i++)
		if (!run->reads[i].needed)
			run->reads[i].started = run->reads[i].done = 1;
	return 0;
}

/* The cache and the list are the caller's only until rec_run returns. */
static void forget_cache(rec_run_t *run)
{
	run->o.cached = NULL;
	run->o.only = NULL;
	run->o.n_only = 0;
}

typedef struct incr_read {
	rec_run_t  *run;
	rec_item_t *item;
} incr_read_t;

static void on_incr_read(void *data, cJSON *result, const err_t *e)
{
	incr_read_t *c = data;
	rec_run_t *run = c->run;
	rec_item_t *item = c->item;
	rec_read_t *rd = rec__read_for(run, item->type, item->region);
	cJSON *live = NULL;
	err_t err;

	if (e && !(e->aws_code[0] && rec__code_names_missing(e->aws_code))) {
		rec__item_set_err(item, e);
		item->read_failed = 1;
	} else if (!e && rec__read_one_item(item, result, &live, &err)) {
		rec__item_set_err(item, &err);
		item->read_failed = 1;
	} else {
		if (e)
			cJSON_Delete(result);
		/* Gone since the last run: judged as absent. */
		cJSON_Delete(item->live);
		item->live = NULL;
		free(item->id);
		item->id = NULL;
		if (live) {
			if (rd)
				rec__compact_item(rd, live);
			rec__merge_live(item, live);
		}
	}
	free(c);
	if (--run->reads_pending == 0)
		rec__after_reads(run);
}

/* The read_one calls of the selected items the cache knows; each counts
 * as a read in flight. */
void rec__incr_start_reads(rec_run_t *run)
{
	const rec_item_t *was;
	rec_item_t *item;
	incr_read_t *c;
	tmpl_values_t v;
	cJSON *params;
	size_t i;
	err_t e;

	for (i = 0; run->selected && i < run->res->n_items; i++) {
		item = &run->res->items[i];
		was = cached_item(run, item->address);
		if (!run->selected[i] || !reads_one(item, was) ||
		    rec__live_open(item))
			continue;
		memset(&v, 0, sizeof(v));
		v.id = item->id;
		v.env = run->env;
		v.address = item->address;
		v.name = item->res->name;
		v.live = item->live;
		v.desired = item->res->body;
		params = NULL;
		c = calloc(1, sizeof(*c));
		if (!c || tmpl_fill(item->type->read_one.params, &v, &params, &e) ||
		    rec__call(run, item->type->service, item->region,
			      item->type->read_one.op, params, 0, on_incr_read,
			      c, &e)) {
			if (!c)
				err_set(&e, -ENOMEM, "out of memory");
			rec__item_set_err(item, &e);
			item->read_failed = 1;
			free(c);
		} else {
			c->run = run;
			c->item = item;
			run->reads_pending++;
		}
		cJSON_Delete(params);
	}
	forget_cache(run);
}

/* The result holds the selected items only, in config order; the others
 * are freed as a result of their own. */
void rec__incr_trim(rec_run_t *run)
{
	rec_result_t *r = run->res, *drop;
	size_t i, n = 0;

	if (!run->selected)
		return;
	drop = calloc(1, sizeof(*drop));
	if (drop)
		drop->items = calloc(r->n_items ? r->n_items : 1,
				     sizeof(rec_item_t));
	for (i = 0; i < r->n_items; i++) {
		if (r->items[i].res && !run->selected[i] && drop && drop->items) {
			drop->items[drop->n_items++] = r->items[i];
			continue;
		}
		r->items[n++] = r->items[i];
	}
	r->n_items = n;
	if (drop && !drop->items) {
		free(drop);
		drop = NULL;
	}
	rec_result_free(drop);
}

/* ---- the cache a caller keeps ------------------------------------------ */

/* A live item packed as json_pack makes it, at *at in the block. */
static cJSON *place_packed(char **at, const char *text)
{
	cJSON *node = (cJSON *)*at;
	size_t n = strlen(text) + 1;

	memset(node, 0, sizeof(*node));
	node->type = cJSON_Raw | cJSON_IsReference;
	node->valuestring = (char *)(node + 1);
	memcpy(node->valuestring, text, n);
	*at += (sizeof(*node) + n + 15) & ~(size_t)15;
	return node;
}

static char *place_string(char **at, const char *s)
{
	char *to = *at;
	size_t n = strlen(s) + 1;

	memcpy(to, s, n);
	*at += n;
	return to;
}

static size_t packed_size(const char *text)
{
	return (sizeof(cJSON) + strlen(text) + 1 + 15) & ~(size_t)15;
}

/* The items, their address, id and region strings and their packed live
 * items moved into one block (r->kept), made once all the cycle's other
 * memory is freed: made one by one as the cycle goes, each lands in its
 * own hole among the cycle's freed memory and pins its page after
 * malloc_trim (README, "The daemon at rest"). Out of memory leaves them
 * where they are. */
static void keep_in_block(rec_result_t *r)
{
	size_t i, size = (r->n_items * sizeof(rec_item_t) + 15) & ~(size_t)15;
	rec_item_t *items, *it;
	char *block, *at;

	for (i = 0; i < r->n_items; i++) {
		it = &r->items[i];
		if (it->live && !json_is_packed(it->live))
			return;
		size += it->live ? packed_size(it->live->valuestring) : 0;
		size += strlen(it->address) + 1;
		size += it->id ? strlen(it->id) + 1 : 0;
		size += it->region_copy ? strlen(it->region_copy) + 1 : 0;
	}
	if (!(block = malloc(size)))
		return;
	items = (rec_item_t *)block;
	memcpy(items, r->items, r->n_items * sizeof(rec_item_t));
	at = block + ((r->n_items * sizeof(rec_item_t) + 15) & ~(size_t)15);
	for (i = 0; i < r->n_items; i++) {
		it = &items[i];
		if (it->live)
			it->live = place_packed(&at, it->live->valuestring);
	}
	for (i = 0; i < r->n_items; i++) {
		it = &items[i];
		it->address = place_string(&at, it->address);
		if (it->id)
			it->id = place_string(&at, it->id);
		if (it->region_copy) {
			if (it->region == it->region_copy)
				it->region = place_string(&at, it->region_copy);
			it->region_copy = place_string(&at, it->region_copy);
		}
	}
	for (i = 0; i < r->n_items; i++) {
		it = &r->items[i];
		cJSON_Delete(it->live);
		free(it->address);
		free(it->id);
		free(it->region_copy);
	}
	free(r->items);
	r->items = items;
	r->kept = block;
	r->kept_size = size;
}

void rec_result_keep(rec_result_t *r)
{
	rec_item_t *it;
	cJSON *packed;
	size_t i;

	for (i = 0; r && i < r->n_items; i++) {
		it = &r->items[i];
		diff_free(it->diff);
		json_delete_wiped(it->desired);
		json_delete_wiped(it->secret_values);
		free(it->err);
		free(it->owner_env);
		free(it->old_id);
		it->diff = NULL;
		it->desired = it->secret_values = NULL;
		it->err = NULL;
		it->owner_env = it->old_id = NULL;
		if (!it->live || json_is_packed(it->live) ||
		    !(packed = json_pack(it->live)))
			continue;
		cJSON_Delete(it->live);
		it->live = packed;
	}
	if (r && !r->kept && r->n_items)
		keep_in_block(r);
}

/* edit's item of address, or NULL. */
static rec_item_t *edit_item(rec_result_t *edit, const char *address)
{
	size_t i;

	for (i = 0; edit && i < edit->n_items; i++)
		if (edit->items[i].address &&
		    !strcmp(edit->items[i].address, address))
			return &edit->items[i];
	return NULL;
}

/* What a kept item holds besides its owned strings and live state: the
 * one list carry_copy and carry_move share. */
static void carry_fields(rec_item_t *to, const rec_item_t *from)
{
	memset(to, 0, sizeof(*to));
	to->type = from->type;
	to->res = from->res;
	to->region = from->region;
	to->action = from->action;
	to->observe = from->observe;
	to->state = from->state;
	to->status = from->status;
}

/* A copy of c into to, on cfg: what a kept item holds. */
static int carry_copy(rec_item_t *to, const rec_item_t *c, const config_t *cfg)
{
	carry_fields(to, c);
	to->res = c->res ? config_resource_find(cfg, c->address) : NULL;
	if (!(to->address = strdup(c->address)) ||
	    (c->id && !(to->id = strdup(c->id))) ||
	    (c->live && !(to->live = rec__live_copy(c->live))))
		return -1;
	if (c->region_copy) {
		if (!(to->region_copy = strdup(c->region_copy)))
			return -1;
		if (c->region == c->region_copy)
			to->region = to->region_copy;
	}
	return 0;
}

/* e's kept fields moved into to; e keeps the rest, freed with it. */
static void carry_move(rec_item_t *to, rec_item_t *e)
{
	carry_fields(to, e);
	to->address = e->address;
	to->region_copy = e->region_copy;
	to->id = e->id;
	to->live = e->live;
	e->address = e->id = e->region_copy = NULL;
	e->live = NULL;
}

static int carry_has(const rec_result_t *r, const char *address)
{
	size_t i;

	for (i = 0; i < r->n_items; i++)
		if (!strcmp(r->items[i].address, address))
			return 1;
	return 0;
}

rec_result_t *rec_result_carry(rec_result_t *cache, const config_t *cfg,
			       rec_result_t *edit)
{
	size_t n = (cache ? cache->n_items : 0) + (edit ? edit->n_items : 0);
	rec_result_t *r = calloc(1, sizeof(*r));
	rec_item_t *items = calloc(n ? n : 1, sizeof(rec_item_t)), *e;
	size_t i, k = 0;

	if (!r || !items)
		goto fail;
	if (cache)
		*r = *cache;            /* the last full cycle's counts */
	r->items = items;
	r->n_items = 0;
	r->kept = NULL;
	r->kept_size = 0;
	for (i = 0; cache && i < cache->n_items; i++) {
		/* what the edit's run read, or, where its read failed, the
		 * last known: unknown is never missing */
		e = edit_item(edit, cache->items[i].address);
		if (e && e->res && !e->read_failed)
			carry_move(&items[k], e);
		else if (carry_copy(&items[k], &cache->items[i], cfg)) {
			r->n_items = k + 1;     /* what it holds is freed */
			goto fail_items;
		}
		r->n_items = ++k;
	}
	/* what the edit added (the rest of its items are placed or were
	 * read in vain) */
	for (i = 0; edit && i < edit->n_items; i++) {
		if (!edit->items[i].address || !edit->items[i].res ||
		    (edit->items[i].read_failed &&
		     carry_has(r, edit->items[i].address)))
			continue;
		carry_move(&items[k], &edit->items[i]);
		r->n_items = ++k;
	}
	rec_result_free(cache);
	rec_result_free(edit);
	rec_result_keep(r);
	return r;
fail_items:
	rec_result_free(r);
	r = NULL;
	items = NULL;
fail:
	free(items);
	free(r);
	rec_result_free(cache);
	rec_result_free(edit);
	return NULL;
}

/* ---- what an edit changed ---------------------------------------------- */

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int same_settings(const config_settings_t *a, const config_settings_t *b)
{
	size_t i;

	if (!same_str(a->environment, b->environment) ||
	    !same_str(a->region, b->region) || a->mode != b->mode ||
	    !json_equal(a->default_tags, b->default_tags) ||
	    !json_equal(a->endpoints, b->endpoints) || a->adopt != b->adopt ||
	    a->nprune != b->nprune)
		return 0;
	for (i = 0; i < a->nprune; i++)
		if (!same_str(a->prune[i], b->prune[i]))
			return 0;
	return 1;
}

static int same_policy(const config_policy_t *a, const config_policy_t *b)
{
	size_t i;

	if (a->mode != b->mode || a->prevent_destroy != b->prevent_destroy ||
	    a->allow_replace != b->allow_replace || a->nignore != b->nignore)
		return 0;
	for (i = 0; i < a->nignore; i++)
		if (!same_str(a->ignore[i], b->ignore[i]))
			return 0;
	return 1;
}

static int by_address(const void *a, const void *b)
{
	return strcmp((*(const config_resource_t *const *)a)->address,
		      (*(const config_resource_t *const *)b)->address);
}

static int same_resource(const config_resource_t *a, const config_resource_t *b)
{
	return json_equal(a->body, b->body) && same_str(a->region, b->region) &&
	       a->ensure == b->ensure && same_policy(&a->policy, &b->policy);
}

int rec_edited(const config_t *old_cfg, const config_t *new_cfg, char ***out,
	       size_t *n, err_t *e)
{
	size_t n_old = config_resource_count(old_cfg), i;
	const config_resource_t **old = NULL, *res, *const *was;
	char **list = NULL;

	*out = NULL;
	*n = 0;
	if (!same_settings(config_settings(old_cfg), config_settings(new_cfg)))
		return 1;
	old = calloc(n_old ? n_old : 1, sizeof(*old));
	list = calloc(config_resource_count(new_cfg) + 1, sizeof(*list));
	if (!old || !list)
		goto oom;
	for (i = 0; i < n_old; i++)
		old[i] = config_resource_at(old_cfg, i);
	qsort(old, n_old, sizeof(*old), by_address);
	for (i = 0; i < config_resource_count(new_cfg); i++) {
		res = config_resource_at(new_cfg, i);
		was = bsearch(&res, old, n_old, sizeof(*old), by_address);
		if (was && same_resource(*was, res))
			continue;
		if (!(list[*n] = strdup(res->address)))
			goto oom;
		(*n)++;
	}
	free(old);
	*out = list;
	return 0;
oom:
	for (i = 0; list && list[i]; i++)
		free(list[i]);
	free(list);
	free(old);
	*n = 0;
	return err_set(e, -ENOMEM, "out of memory");
}
