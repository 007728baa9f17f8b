/* rec_orphan — orphans and pruning: live items tagged for this environment whose
 * address left the config, and the deletes settings.prune allows. */
#include "rec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "jsonutil.h"
#include "services.h"
#include "template.h"

static int pruned(const rec_run_t *run, const res_type_t *t)
{
	const config_settings_t *s = config_settings(run->o.config);
	size_t i;

	for (i = 0; i < s->nprune; i++)
		if (!strcmp(s->prune[i], t->name))
			return 1;
	return 0;
}

/* Pruning deletes only what this environment's journal proves it created
 * (its record of the id, for this address): ownership tags alone are no
 * proof, as anyone may write them (issue 14, item 14). At most
 * settings.prune_max_per_cycle per run; the rest wait for the next. */
static void judge_orphan(rec_run_t *run, rec_item_t *item, size_t *n_pruned)
{
	const config_settings_t *s = config_settings(run->o.config);
	const journal_entry_t *je = journal_made_find(run->o.journal,
						      item->type->name, item->id);

	item->action = REC_ORPHAN;
	if (!pruned(run, item->type)) {
		rec__set_state(run, item, REC_S_ORPHAN, "tagged for this "
			       "environment or created by it, and its address "
			       "is not in the config");
		return;
	}
	if (!je || strcmp(je->address, item->address)) {
		err_set(rec__item_err(item), -EPERM, "%s: not pruned: this environment's "
			"journal has no record of creating %s (ownership tags "
			"are no proof)", item->address, item->id ? item->id : "it");
		rec__set_state(run, item, REC_S_ORPHAN, "%s", rec_item_err(item)->message);
		return;
	}
	if (*n_pruned >= (size_t)s->prune_max_per_cycle) {
		err_set(rec__item_err(item), -EAGAIN, "%s: not pruned in this run: "
			"settings.prune_max_per_cycle (%d) is reached",
			item->address, s->prune_max_per_cycle);
		rec__set_state(run, item, REC_S_ORPHAN, "%s", rec_item_err(item)->message);
		return;
	}
	(*n_pruned)++;
	item->action = REC_DELETE;
	rec__set_state(run, item, REC_S_DRIFTED, "settings.prune: the journal "
		       "proves this environment created it, and its address is "
		       "not in the config");
}

static int add_orphan(rec_run_t *run, const rec_read_t *rd, const cJSON *it,
		      char *addr, size_t *n_pruned)
{
	rec_item_t *grown, *item;
	size_t i;

	for (i = 0; i < run->res->n_items; i++)
		if (!strcmp(run->res->items[i].address, addr) &&
		    run->res->items[i].type == rd->type &&
		    !run->res->items[i].res) {
			free(addr);     /* found by its tags and its record */
			return 0;
		}
	grown = realloc(run->res->items, (run->res->n_items + 1) *
			sizeof(*grown));
	if (!grown) {
		free(addr);
		return -ENOMEM;
	}
	run->res->items = grown;
	item = &run->res->items[run->res->n_items++];
	memset(item, 0, sizeof(*item));
	item->address = addr;
	item->type = rd->type;
	if (rec__item_region(item, rd->region))
		return -ENOMEM;
	rec__set_live(item, rec__live_copy(it));
	if (rec__live_open(item))
		return -ENOMEM;
	judge_orphan(run, item, n_pruned);
	return 0;
}

/* Orphans: live items that no configured resource matched, and that carry
 * this environment's ownership tags or are recorded in its journal, under
 * an address that is no longer in the config. */
void rec__add_orphans(rec_run_t *run)
{
	const journal_entry_t *je;
	const cJSON *it, *id;
	size_t i, n_pruned = 0;
	char *addr, *env;
	cJSON *tmp;

	for (i = 0; i < run->n_reads; i++) {
		if (!run->reads[i].items)
			continue;
		cJSON_ArrayForEach(it, run->reads[i].items) {
			env = rec__live_tag(run->reads[i].type, it, REC_TAG_ENV);
			addr = rec__live_tag(run->reads[i].type, it, REC_TAG_ADDRESS);
			if (!addr || !env || strcmp(env, run->env)) {
				free(addr);
				addr = NULL;
				id = json_get_path(json_view(it, &tmp),
						   run->reads[i].type->id_path);
				je = cJSON_IsString(id) ? journal_made_find(
					run->o.journal, run->reads[i].type->name,
					id->valuestring) : NULL;
				cJSON_Delete(tmp);
				/* Another environment's tags win over a record. */
				if (je && !env)
					addr = strdup(je->address);
			}
			free(env);
			if (!addr || config_resource_find(run->o.config, addr)) {
				free(addr);
				continue;
			}
			if (add_orphan(run, &run->reads[i], it, addr, &n_pruned))
				return;
		}
	}
}

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
int rec__start_next_prune(rec_run_t *run)
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
	rec__start_task(run, next);
	return 1;
}
