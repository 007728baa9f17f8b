/* rec_plan — planning: what converging one resource would do (evaluate), and the
 * counts of a result. */
#include "rec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "jsonutil.h"
#include "secret.h"
#include "services.h"
#include "template.h"

/* ---- evaluation: what would converging do ------------------------------ */

static const char *recorded_secret(void *journal, const char *address,
				   const char *attribute)
{
	return journal_secret(journal, address, attribute);
}

/* secret.h: with the per-host key and a journal, item's write-only
 * secrets are compared by the fingerprint the journal kept after their
 * last write. 1 with c filled; 0 when they are compared as any member. */
int rec__secret_check(const rec_run_t *run, const rec_item_t *item,
		      secret_check_t *c)
{
	if (!run->o.secret_key || !run->o.journal)
		return 0;
	c->key = run->o.secret_key;
	c->address = item->address;
	c->recorded = recorded_secret;
	c->ctx = run->o.journal;
	return 1;
}

/* The secret check of one item: check first, so that it is also a
 * secret_check_t for secret_check_changed. */
typedef struct item_secret_check {
	secret_check_t    check;
	const rec_item_t *item;
} item_secret_check_t;

/* A RES_SECRET_VALUE attribute changed: its value was read from a secret
 * (a value written in config stays write-only) and its fingerprint is
 * not the one the journal kept after its last write. */
static int secret_value_changed(void *ctx, const res_attr_t *a,
				const cJSON *desired)
{
	item_secret_check_t *c = ctx;

	return cJSON_GetObjectItemCaseSensitive(c->item->secret_values, a->name) &&
	       secret_check_changed(&c->check, a, desired);
}

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

/* Unknown is not missing: a resource whose reference or depends_on names
 * a resource that could not be read (or is blocked itself) is blocked,
 * with that read's error (AWS code, request id), and never planned as a
 * create or an update. Returns the dependency, or NULL. */
static const rec_item_t *unread_dependency(rec_run_t *run,
					   const rec_item_t *item)
{
	const rec_item_t *dep;
	size_t i;

	for (i = 0; i < item->res->nrefs; i++) {
		dep = rec__item_find(run, item->res->refs[i].address);
		if (dep && dep != item && (dep->state == REC_S_UNREADABLE ||
					   dep->state == REC_S_BLOCKED))
			return dep;
	}
	return NULL;
}

/* The identity text of a live item (its first name attribute, else its
 * id), for messages. */
static const char *identity_of(const rec_item_t *item, const cJSON *live)
{
	const res_type_t *t = item->type;
	const cJSON *v = NULL;

	if (t->name_attrs && t->name_attrs[0])
		v = json_get_path(live, rec__attr_live_path(t, t->name_attrs[0]));
	if (!cJSON_IsString(v))
		v = json_get_path(live, t->id_path);
	return cJSON_IsString(v) ? v->valuestring : "?";
}

/* Identity change: the config names a new identity (a renamed log group)
 * while the item this address had (the journal's record of what this
 * environment created, or this environment's and address's ownership
 * tags) still exists. It is planned as -/+ only with allow_replace, and
 * never with prevent_destroy; refused, the old item stays in view. */
static rec_state_t identity_change(rec_item_t *item,
				   const cJSON *old, rec_action_t *action)
{
	const config_policy_t *p = &item->res->policy;
	const cJSON *want = item->type->name_attrs ?
		json_get_path(item->desired ? item->desired : item->res->body,
			      item->type->name_attrs[0]) : NULL;
	const char *was = identity_of(item, old);
	const char *now = cJSON_IsString(want) ? want->valuestring : "?";

	if (!item->live || item->live != old) {
		rec__set_live(item, cJSON_Duplicate(old, 1));
		free(item->old_id);
		item->old_id = item->id ? strdup(item->id) : NULL;
	}
	if (p->prevent_destroy) {
		*action = REC_REPLACE_REFUSED;
		err_set(rec__item_err(item), -EPERM, "%s: its identity changed from \"%s\" "
			"to \"%s\", which needs a replacement, and policy."
			"prevent_destroy forbids deleting \"%s\"", item->address,
			was, now, was);
		return REC_S_REFUSED;
	}
	if (!p->allow_replace) {
		*action = REC_REPLACE_REFUSED;
		err_set(rec__item_err(item), -EPERM, "%s: its identity changed from \"%s\" "
			"to \"%s\": driftd would delete \"%s\" and create \"%s\". "
			"Set policy.allow_replace to do that, or put \"%s\" back "
			"in the config", item->address, was, now, was, now, was);
		return REC_S_REFUSED;
	}
	*action = REC_REPLACE;
	return REC_S_DRIFTED;
}

/* What converging one resource would do: its action, and the state the
 * plan leaves it in. */
static rec_state_t judge(rec_run_t *run, rec_item_t *item)
{
	const config_resource_t *res = item->res;
	const rec_item_t *dep;
	const cJSON *old;
	item_secret_check_t sc;
	diff_opts_t dopts;
	cJSON *extra = NULL;
	char *env;
	err_t e;
	int rc;

	if (item->read_failed) {
		item->action = REC_READ_FAILED;
		return REC_S_UNREADABLE;
	}
	if (rec__read_for(run, item->type, item->region)->err.code) {
		item->action = REC_READ_FAILED;
		rec__item_set_err(item,
				  &rec__read_for(run, item->type, item->region)->err);
		return REC_S_UNREADABLE;
	}
	if ((dep = unread_dependency(run, item))) {
		item->action = REC_READ_FAILED;
		e = *rec_item_err(dep);
		snprintf(e.message, sizeof(e.message),
			 "%s: blocked: %s, which it depends on, could not be read: "
			 "%.300s", item->address, dep->address,
			 rec_item_err(dep)->message);
		rec__item_set_err(item, &e);
		return REC_S_BLOCKED;
	}
	rc = config_resolve(run->o.config, res, rec__lookup_ref, run,
			    &item->desired, &e);
	if (rc == -EAGAIN)
		item->unknown = 1;
	else if (rc) {
		item->action = REC_READ_FAILED;
		rec__item_set_err(item, &e);
		return REC_S_FAILED;
	}
	rec__use_secret_values(item);
	if (item->desired && item->type->driver && item->type->driver->expand &&
	    item->type->driver->expand(item->type, item->desired, &e)) {
		item->action = REC_READ_FAILED;
		rec__item_set_err(item, &e);
		return REC_S_FAILED;
	}
	if (!item->live)
		rec__match_live(run, item, item->desired ? item->desired : res->body);
	/* Ownership: another environment's item is never adopted, retagged
	 * or changed. */
	env = item->live ? rec__live_tag(item->type, item->live, REC_TAG_ENV) : NULL;
	if (env && *env && strcmp(env, run->env)) {
		snprintf(item->owner_env, sizeof(item->owner_env), "%s", env);
		item->action = REC_READ_FAILED;
		err_set(rec__item_err(item), -EPERM, "%s: the live %s \"%s\" belongs to "
			"environment \"%s\" (tag %s); driftd does not adopt or "
			"change it. Give this environment's resource another name, "
			"or remove it from this config", item->address,
			item->type->name, identity_of(item, item->live), env,
			REC_TAG_ENV);
		free(env);
		return REC_S_OWNED_ELSEWHERE;
	}
	/* Adoption: an untagged item with the configured name becomes this
	 * environment's (the update pass tags it), unless settings.adopt is
	 * off or it is one this environment's journal says it made. */
	if (!env && item->live && !config_settings(run->o.config)->adopt &&
	    item->type->identity == RES_ID_NAME && rec__tags_attr(item->type) &&
	    !journal_made_find(run->o.journal, item->type->name, item->id)) {
		item->action = REC_READ_FAILED;
		err_set(rec__item_err(item), -EPERM, "%s: the live %s \"%s\" carries no "
			"driftd tags, and settings.adopt is false: driftd does not "
			"take it over. Tag it %s=%s and %s=%s, or set "
			"settings.adopt to true", item->address, item->type->name,
			identity_of(item, item->live), REC_TAG_ENV, run->env,
			REC_TAG_ADDRESS, item->address);
		return REC_S_REFUSED;
	}
	free(env);
	/* old_id: an identity change seen before in this run; while the
	 * live item is still the old one, the decision stands. */
	if (res->ensure != CONFIG_ENSURE_ABSENT) {
		old = item->old_id ? (item->id && !strcmp(item->id, item->old_id) ?
				      item->live : NULL) :
		      !item->live ? rec__previous_identity(run, item) : NULL;
		if (old)
			return identity_change(item, old, &item->action);
	}
	if (res->ensure == CONFIG_ENSURE_ABSENT) {
		item->action = !item->live ? REC_ABSENT :
			       res->policy.prevent_destroy ? REC_DELETE_REFUSED :
							      REC_DELETE;
		if (item->action == REC_DELETE_REFUSED)
			err_set(rec__item_err(item), -EPERM, "%s: \"ensure\": \"absent\", "
				"and policy.prevent_destroy forbids deleting it",
				item->address);
		return item->action == REC_ABSENT ? REC_S_ABSENT :
		       item->action == REC_DELETE ? REC_S_DRIFTED : REC_S_REFUSED;
	}
	if (!item->live && !item->type->create.op && !item->type->driver &&
	    item->unknown) {
		/* A check of what this run makes (a certificate's issue):
		 * read when its turn comes in the apply. */
		item->action = REC_NOOP;
		return REC_S_IN_SYNC;
	}
	if (!item->live && !item->type->create.op && !item->type->driver) {
		item->action = REC_READ_FAILED;
		err_set(rec__item_err(item), -ENOENT, "%s does not exist, and driftd only "
			"checks %s", item->address, item->type->name);
		return REC_S_FAILED;
	}
	if (!item->live) {
		item->action = REC_CREATE;
		return REC_S_DRIFTED;
	}
	if (item->unknown) {
		/* Its dependencies are being made: evaluated again then. */
		item->action = REC_UPDATE;
		return REC_S_DRIFTED;
	}
	memset(&dopts, 0, sizeof(dopts));
	dopts.ignore = (const char *const *)res->policy.ignore;
	extra = cJSON_Duplicate(config_settings(run->o.config)->default_tags, 1);
	if (extra && rec__tags_attr(item->type)) {
		cJSON_AddStringToObject(extra, REC_TAG_ADDRESS, item->address);
		cJSON_AddStringToObject(extra, REC_TAG_ENV, run->env);
		dopts.extra_tags = extra;
	}
	if (rec__secret_check(run, item, &sc.check)) {
		sc.item = item;
		dopts.secret_changed = secret_check_changed;
		dopts.secret_value_changed = secret_value_changed;
		dopts.secret_ctx = &sc;
	}
	rc = diff_resource(item->type, item->desired, item->live, &dopts,
			   &item->diff, &e);
	cJSON_Delete(extra);
	if (rc) {
		item->action = REC_READ_FAILED;
		err_set(rec__item_err(item), rc, "%s: %s", item->address, e.message);
		return REC_S_FAILED;
	}
	if (!item->diff->n_changes) {
		item->action = REC_NOOP;
		return REC_S_IN_SYNC;
	}
	if (rec__held(item, &e)) {
		rec__item_set_err(item, &e);
		item->action = REC_READ_FAILED;
		return REC_S_FAILED;
	}
	if (!item->diff->replace) {
		item->action = REC_UPDATE;
		return REC_S_DRIFTED;
	}
	/* prevent_destroy refuses a replacement whatever allow_replace says:
	 * a replacement deletes. */
	if (res->policy.prevent_destroy) {
		item->action = REC_REPLACE_REFUSED;
		err_set(rec__item_err(item), -EPERM, "%s needs a replacement, and policy."
			"prevent_destroy forbids deleting it", item->address);
		return REC_S_REFUSED;
	}
	if (!res->policy.allow_replace) {
		item->action = REC_REPLACE_REFUSED;
		err_set(rec__item_err(item), -EPERM, "%s needs a replacement; set policy."
			"allow_replace to let driftd delete and create it",
			item->address);
		return REC_S_REFUSED;
	}
	item->action = REC_REPLACE;
	return REC_S_DRIFTED;
}

void rec__evaluate(rec_run_t *run, rec_item_t *item)
{
	rec_state_t st;

	diff_free(item->diff);
	item->diff = NULL;
	json_delete_wiped(item->desired);
	item->desired = NULL;
	item->unknown = 0;
	if (!item->res)
		return;
	if (rec__live_open(item))
		st = REC_S_FAILED;
	else
		st = judge(run, item);
	/* Mid-apply (creating, waiting, ...) the task owns the state; the
	 * evaluation only finds what is left to do. */
	if (item->state == REC_S_PENDING || rec_state_final(item->state))
		rec__set_state(run, item, st, "%s", st == REC_S_IN_SYNC ?
			       "live state matches the config" :
			       st == REC_S_DRIFTED ? rec_action_name(item->action) :
			       rec_item_err(item)->message);
	rec__live_pack(run, item);
}

void rec__count(rec_result_t *r, int applied)
{
	const rec_item_t *it;
	size_t i;

	memset(&r->applied, 0, sizeof(r->applied));
	for (i = 0; applied && i < r->n_items; i++) {
		it = &r->items[i];
		switch (it->state) {
		case REC_S_CHANGED:
			if (it->action == REC_CREATE)
				r->applied.created++;
			else if (it->action == REC_REPLACE)
				r->applied.replaced++;
			else if (it->action == REC_DELETE)
				r->applied.deleted++;
			else
				r->applied.changed++;
			break;
		case REC_S_FAILED:
		case REC_S_UNREADABLE:
		case REC_S_BLOCKED:
		case REC_S_OWNED_ELSEWHERE:
			r->applied.failed++;
			break;
		case REC_S_REFUSED:
			r->applied.refused++;
			break;
		default:
			break;
		}
	}

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
