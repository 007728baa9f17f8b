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

void rec__add_orphans(rec_run_t *run)
{
	rec_item_t *grown, *item;
	const cJSON *it;
	char *addr, *env;
	size_t i;

	for (i = 0; i < run->n_reads; i++) {
		if (!run->reads[i].items)
			continue;
		cJSON_ArrayForEach(it, run->reads[i].items) {
			env = rec__live_tag(run->reads[i].type, it, REC_TAG_ENV);
			addr = rec__live_tag(run->reads[i].type, it, REC_TAG_ADDRESS);
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
			rec__set_live(item, cJSON_Duplicate(it, 1));
			rec__set_state(run, item, item->action == REC_DELETE ?
				       REC_S_DRIFTED : REC_S_ORPHAN,
				       "tagged for this environment, and its "
				       "address is not in the config");
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
