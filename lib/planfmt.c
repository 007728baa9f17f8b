#include "planfmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "secret.h"
#include "strbuf.h"

typedef struct out {
	strbuf_t text;
	int      color;
} out_t;

static const char *col(const out_t *o, const char *code)
{
	return o->color ? code : "";
}

#define GREEN  "\033[32m"
#define YELLOW "\033[33m"
#define RED    "\033[31m"
#define BOLD   "\033[1m"
#define RESET  "\033[0m"

char *planfmt_value(const res_attr_t *a, const cJSON *v)
{
	cJSON *m;
	char *s;

	if (a && (a->flags & RES_SENSITIVE))
		return strdup(PLANFMT_MASK);
	if (!v)
		return strdup("(none)");
	m = secret_masked(a, v);
	s = m ? cJSON_PrintUnformatted(m) : NULL;
	cJSON_Delete(m);
	return s ? s : strdup("?");
}

/* The properties of a resource to be created, as configured. Values not
 * known before apply show the reference they come from. */
static void put_create(out_t *o, const rec_item_t *it)
{
	const cJSON *body = it->desired ? it->desired : it->res->body, *p;
	const res_attr_t *a;
	char *v;

	cJSON_ArrayForEach(p, body) {
		a = res_type_attr(it->type, p->string);
		v = planfmt_value(a, p);
		strbuf_printf(&o->text, "      %s+%s %s = %s\n", col(o, GREEN),
			      col(o, RESET), p->string, v);
		free(v);
	}
}

static void put_elements(out_t *o, const res_attr_t *a, const cJSON *els,
			 const char *sign, const char *color)
{
	const cJSON *el;
	char *v;

	cJSON_ArrayForEach(el, els) {
		v = planfmt_value(a, el);
		strbuf_printf(&o->text, "          %s%s%s %s\n", col(o, color),
			      sign, col(o, RESET), v);
		free(v);
	}
}

static void put_changes(out_t *o, const rec_item_t *it)
{
	const diff_change_t *c;
	const char *note;
	char *old, *new;
	size_t i;

	for (i = 0; it->diff && i < it->diff->n_changes; i++) {
		c = &it->diff->changes[i];
		note = c->kind == DIFF_REPLACE ? " # forces replacement" :
		       c->kind == DIFF_CREATE_ONLY ?
				" # set at create; driftd does not change it" : "";
		if (c->attr->kind == RES_SET) {
			strbuf_printf(&o->text, "      %s~%s %s:%s\n",
				      col(o, YELLOW), col(o, RESET),
				      c->attr->name, note);
			put_elements(o, c->attr, c->added, "+", GREEN);
			put_elements(o, c->attr, c->removed, "-", RED);
			continue;
		}
		if (c->attr->kind == RES_TAGS) {
			old = planfmt_value(c->attr, c->live);
			new = planfmt_value(c->attr, c->added);
			strbuf_printf(&o->text,
				      "      %s~%s %s: set %s (now %s)%s\n",
				      col(o, YELLOW), col(o, RESET),
				      c->attr->name, new, old, note);
			free(old);
			free(new);
			continue;
		}
		old = planfmt_value(c->attr, c->live);
		new = planfmt_value(c->attr, c->desired);
		strbuf_printf(&o->text, "      %s~%s %s = %s -> %s%s\n",
			      col(o, YELLOW), col(o, RESET), c->attr->name, old,
			      new, note);
		free(old);
		free(new);
	}
}

/* A resource that cannot be planned, by its state: unknown is not
 * missing, and another environment's item is not ours. */
static void put_failed(out_t *o, const rec_item_t *it)
{
	char line[ERR_MSG_MAX + 512];

	err_format(rec_item_err(it), line, sizeof(line));
	switch (it->state) {
	case REC_S_UNREADABLE:
		strbuf_printf(&o->text, "  # %s is unreadable, not planned: "
			      "%s\n\n", it->address, line);
		break;
	case REC_S_BLOCKED:
		strbuf_printf(&o->text, "  # %s is blocked, not planned: %s\n\n",
			      it->address, line);
		break;
	case REC_S_OWNED_ELSEWHERE:
		strbuf_printf(&o->text, "  # %s is owned by environment \"%s\", "
			      "not changed: %s\n\n", it->address, it->owner_env,
			      rec_item_err(it)->message);
		break;
	case REC_S_REFUSED:
		strbuf_printf(&o->text, "  # %s is refused: %s\n\n",
			      it->address, rec_item_err(it)->message);
		break;
	default:
		strbuf_printf(&o->text, "  # %s could not be planned: %s\n\n",
			      it->address, line);
		break;
	}
}

/* An allowed identity change names both identities: the old item (its
 * id) is deleted, the one the config names is created. */
static void put_identity_change(out_t *o, const rec_item_t *it)
{
	const char *const *names = it->type->name_attrs;
	const cJSON *want = names && names[0] && it->res ?
		json_get_path(it->desired ? it->desired : it->res->body,
			      names[0]) : NULL;

	strbuf_printf(&o->text, "  # its identity changes: \"%s\" is deleted, "
		      "\"%s\" is created (policy.allow_replace)\n", it->old_id,
		      cJSON_IsString(want) ? want->valuestring : "?");
}

static void put_item(out_t *o, const rec_item_t *it)
{
	const char *id = it->id ? it->id : "";
	const char *obs = it->observe ?
		" (observe only: driftd reports it and changes nothing)" : "";

	switch (it->action) {
	case REC_CREATE:
		strbuf_printf(&o->text, "  # %s will be created%s\n",
			      it->address, obs);
		strbuf_printf(&o->text, "  %s+%s %s {\n", col(o, GREEN),
			      col(o, RESET), it->address);
		put_create(o, it);
		strbuf_add(&o->text, "    }\n\n");
		break;
	case REC_UPDATE:
		strbuf_printf(&o->text,
			      "  # %s will be updated in place [id=%s]%s\n",
			      it->address, id, obs);
		strbuf_printf(&o->text, "  %s~%s %s {\n", col(o, YELLOW),
			      col(o, RESET), it->address);
		if (it->unknown)
			strbuf_add(&o->text, "      (values known once its "
				   "dependencies are applied)\n");
		put_changes(o, it);
		strbuf_add(&o->text, "    }\n\n");
		break;
	case REC_REPLACE:
	case REC_REPLACE_REFUSED:
		strbuf_printf(&o->text, "  # %s must be replaced [id=%s]%s%s\n",
			      it->address, id,
			      it->action != REC_REPLACE_REFUSED ? "" :
			      it->res && it->res->policy.prevent_destroy ?
				"; refused: policy.prevent_destroy" :
				"; refused: set policy.allow_replace to allow it",
			      obs);
		if (it->action == REC_REPLACE_REFUSED && rec_item_err(it)->code)
			strbuf_printf(&o->text, "  # %s\n", rec_item_err(it)->message);
		else if (it->old_id)
			put_identity_change(o, it);
		strbuf_printf(&o->text, "%s-/+%s %s {\n", col(o, RED),
			      col(o, RESET), it->address);
		put_changes(o, it);
		strbuf_add(&o->text, "    }\n\n");
		break;
	case REC_DELETE:
		if (!it->res)
			strbuf_printf(&o->text,
				      "  # %s [id=%s] is an orphan of a type "
				      "listed in settings.prune: it will be "
				      "destroyed\n", it->address, id);
		else
			strbuf_printf(&o->text,
				      "  # %s will be destroyed (\"ensure\": "
				      "\"absent\") [id=%s]%s\n", it->address, id,
				      obs);
		strbuf_printf(&o->text, "  %s-%s %s\n\n", col(o, RED),
			      col(o, RESET), it->address);
		break;
	case REC_DELETE_REFUSED:
		strbuf_printf(&o->text,
			      "  # %s is configured absent but "
			      "policy.prevent_destroy keeps it [id=%s]\n\n",
			      it->address, id);
		break;
	case REC_ORPHAN:
		strbuf_printf(&o->text,
			      "  # %s [id=%s] is tagged for this environment "
			      "but is no longer in the config: an orphan, left "
			      "alone\n", it->address, id);
		if (rec_item_err(it)->code)
			strbuf_printf(&o->text, "  # %s\n", rec_item_err(it)->message);
		strbuf_add(&o->text, "\n");
		break;
	case REC_READ_FAILED:
		put_failed(o, it);
		break;
	default:
		break;
	}
}

char *planfmt_summary(const rec_result_t *r)
{
	char *s = NULL;

	if (asprintf(&s, "Plan: %zu to add, %zu to change, %zu to replace, "
		     "%zu to destroy.", r->n_create, r->n_update,
		     r->n_replace, r->n_delete) < 0)
		return NULL;
	return s;
}

char *planfmt_text(const rec_result_t *r, const planfmt_opts_t *opts)
{
	out_t o = { STRBUF_INIT, 0 };
	char *summary;
	size_t i, shown = 0;

	o.color = opts && opts->color;
	for (i = 0; i < r->n_items; i++)
		if (r->items[i].action != REC_NOOP &&
		    r->items[i].action != REC_ABSENT)
			shown++;
	if (!shown) {
		strbuf_printf(&o.text,
			      "No changes. %zu resources match the config.\n",
			      r->n_items);
		return strbuf_take(&o.text);
	}
	strbuf_add(&o.text, "driftd will perform the following actions:\n\n");
	for (i = 0; i < r->n_items; i++)
		put_item(&o, &r->items[i]);
	summary = planfmt_summary(r);
	strbuf_printf(&o.text, "%s%s%s", col(&o, BOLD), summary ? summary : "",
		      col(&o, RESET));
	free(summary);
	if (r->n_refused)
		strbuf_printf(&o.text, " %zu refused.", r->n_refused);
	if (r->n_orphan)
		strbuf_printf(&o.text, " %zu orphaned.", r->n_orphan);
	if (r->n_failed)
		strbuf_printf(&o.text, " %zu could not be planned.",
			      r->n_failed);
	strbuf_add(&o.text, "\n");
	return strbuf_take(&o.text);
}

static cJSON *masked(const res_attr_t *a, const cJSON *v)
{
	if (!v)
		return cJSON_CreateNull();
	return secret_masked(a, v);
}

cJSON *planfmt_json(const rec_result_t *r)
{
	cJSON *doc = cJSON_CreateObject(), *arr, *o, *ch, *c, *after, *p;
	const diff_change_t *dc;
	const rec_item_t *it;
	const err_t *err;
	size_t i, j;

	cJSON_AddNumberToObject(doc, "format_version", 1);
	o = cJSON_AddObjectToObject(doc, "summary");
	cJSON_AddNumberToObject(o, "create", (double)r->n_create);
	cJSON_AddNumberToObject(o, "update", (double)r->n_update);
	cJSON_AddNumberToObject(o, "replace", (double)r->n_replace);
	cJSON_AddNumberToObject(o, "delete", (double)r->n_delete);
	cJSON_AddNumberToObject(o, "refused", (double)r->n_refused);
	cJSON_AddNumberToObject(o, "orphan", (double)r->n_orphan);
	cJSON_AddNumberToObject(o, "failed", (double)r->n_failed);
	cJSON_AddNumberToObject(o, "in_sync", (double)r->n_in_sync);
	arr = cJSON_AddArrayToObject(doc, "resources");
	for (i = 0; i < r->n_items; i++) {
		it = &r->items[i];
		o = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "address", it->address);
		cJSON_AddStringToObject(o, "type", it->type->name);
		cJSON_AddStringToObject(o, "action", rec_action_name(it->action));
		cJSON_AddStringToObject(o, "state", rec_state_name(it->state));
		if (it->id)
			cJSON_AddStringToObject(o, "id", it->id);
		if (it->old_id)
			cJSON_AddStringToObject(o, "old_id", it->old_id);
		if (it->owner_env[0])
			cJSON_AddStringToObject(o, "owner_env", it->owner_env);
		cJSON_AddBoolToObject(o, "observe", it->observe);
		err = rec_item_err(it);
		if (err->code)
			cJSON_AddStringToObject(o, "error", err->message);
		if (err->aws_code[0])
			cJSON_AddStringToObject(o, "aws_code", err->aws_code);
		if (err->request_id[0])
			cJSON_AddStringToObject(o, "request_id", err->request_id);
		if (it->action == REC_CREATE) {
			const cJSON *body = it->desired ? it->desired
							: it->res->body;

			after = cJSON_AddObjectToObject(o, "after");
			cJSON_ArrayForEach(p, body)
				cJSON_AddItemToObject(after, p->string,
					masked(res_type_attr(it->type, p->string), p));
		}
		ch = cJSON_AddArrayToObject(o, "changes");
		for (j = 0; it->diff && j < it->diff->n_changes; j++) {
			dc = &it->diff->changes[j];
			c = cJSON_CreateObject();
			cJSON_AddItemToArray(ch, c);
			cJSON_AddStringToObject(c, "attribute", dc->attr->name);
			cJSON_AddStringToObject(c, "kind",
				dc->kind == DIFF_REPLACE ? "replace" :
				dc->kind == DIFF_CREATE_ONLY ? "create_only" :
							       "update");
			cJSON_AddItemToObject(c, "before", masked(dc->attr, dc->live));
			cJSON_AddItemToObject(c, "after", masked(dc->attr, dc->desired));
			if (dc->added)
				cJSON_AddItemToObject(c, "added",
						      masked(dc->attr, dc->added));
			if (dc->removed)
				cJSON_AddItemToObject(c, "removed",
						      masked(dc->attr, dc->removed));
		}
	}
	return doc;
}
