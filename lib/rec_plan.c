/* rec_plan — planning: what converging one resource would do (evaluate), and the
 * counts of a result. */
#include "rec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "jsonutil.h"
#include "services.h"
#include "template.h"

/* ---- evaluation: what would converging do ------------------------------ */

/* restable.h, "Held": the item is in a status only AWS ends. Sets err,
 * naming the status and what config still wants. */
int rec__held(const rec_item_t *item, err_t *err)
{
	const res_type_t *t = item->type;
	const cJSON *st = json_get_path(item->live, t->status_path);
	char wants[256] = "";
	size_t i, n = 0;

	if (!t->held || !cJSON_IsString(st) || !rec__status_in(st->valuestring, t->held))
		return 0;
	for (i = 0; item->diff && i < item->diff->n_changes && n < sizeof(wants); i++)
		n += (size_t)snprintf(wants + n, sizeof(wants) - n, "%s%s",
				      i ? ", " : "", item->diff->changes[i].attr->name);
	err_set(err, -EAGAIN, "%s is %s: only AWS ends that, and driftd "
		"changes nothing until it does%s%s", t->status_path,
		st->valuestring, *wants ? "; config still wants " : "", wants);
	return 1;
}

void rec__evaluate(rec_run_t *run, rec_item_t *item)
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
	if (rec__read_for(run, item->type, item->region)->err.code) {
		item->action = REC_READ_FAILED;
		item->err = rec__read_for(run, item->type, item->region)->err;
		return;
	}
	rc = config_resolve(run->o.config, res, rec__lookup_ref, run,
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
		rec__match_live(run, item, item->desired ? item->desired : res->body);
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
	if (extra && rec__tags_attr(item->type)) {
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
	else if (rec__held(item, &item->err))
		item->action = REC_READ_FAILED;
	else if (item->diff->replace)
		item->action = res->policy.allow_replace ? REC_REPLACE
							 : REC_REPLACE_REFUSED;
	else
		item->action = REC_UPDATE;
}

void rec__count(rec_result_t *r)
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
