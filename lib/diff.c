#include "diff.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "secret.h"

static const char *live_path(const res_attr_t *a)
{
	return a->live_path ? a->live_path : a->name;
}

cJSON *diff_tags_to_map(const cJSON *tags)
{
	static const char *const keys[][2] = {
		{ "Key", "Value" }, { "key", "value" }, { "TagKey", "TagValue" },
	};
	cJSON *map = cJSON_CreateObject(), *t, *k, *v;
	size_t i;

	if (!map)
		return NULL;
	if (cJSON_IsObject(tags)) {
		cJSON_ArrayForEach(t, tags)
			if (cJSON_IsString(t))
				cJSON_AddStringToObject(map, t->string,
							t->valuestring);
		return map;
	}
	cJSON_ArrayForEach(t, tags) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			k = cJSON_GetObjectItemCaseSensitive(t, keys[i][0]);
			v = cJSON_GetObjectItemCaseSensitive(t, keys[i][1]);
			if (cJSON_IsString(k)) {
				cJSON_DeleteItemFromObjectCaseSensitive(map,
						k->valuestring);
				cJSON_AddStringToObject(map, k->valuestring,
					cJSON_IsString(v) ? v->valuestring : "");
				break;
			}
		}
	}
	return map;
}

/* Is the attribute (or a path under it) ignored? Sub-paths are returned
 * through *sub one at a time by the caller's walk. */
static int ignored(const diff_opts_t *o, const char *name)
{
	size_t i;

	for (i = 0; o && o->ignore && o->ignore[i]; i++)
		if (!strcmp(o->ignore[i], name))
			return 1;
	return 0;
}

static void drop_ignored_subpaths(const diff_opts_t *o, const char *name,
				  cJSON *desired, cJSON *live)
{
	size_t i, n = strlen(name);

	for (i = 0; o && o->ignore && o->ignore[i]; i++) {
		const char *p = o->ignore[i];

		if (strncmp(p, name, n) || p[n] != '.')
			continue;
		if (cJSON_IsObject(desired))
			json_delete_path(desired, p + n + 1);
		if (cJSON_IsObject(live))
			json_delete_path(live, p + n + 1);
	}
}

/* Members of attribute a that another controller owns: the type's
 * RES_OWNED_ELSEWHERE attributes named "a.member" (restable.h). */
static void drop_owned_members(const res_type_t *t, const res_attr_t *a,
			       cJSON *desired, cJSON *live)
{
	size_t i, n = strlen(a->name);
	const char *p;

	for (i = 0; t && i < t->n_attrs; i++) {
		p = t->attrs[i].name;
		if (!(t->attrs[i].flags & RES_OWNED_ELSEWHERE) ||
		    strncmp(p, a->name, n) || p[n] != '.')
			continue;
		if (cJSON_IsObject(desired))
			json_delete_path(desired, p + n + 1);
		if (cJSON_IsObject(live))
			json_delete_path(live, p + n + 1);
	}
}

static void lower_all(cJSON *v)
{
	cJSON *c;
	char *p;

	if (cJSON_IsString(v)) {
		for (p = v->valuestring; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		return;
	}
	cJSON_ArrayForEach(c, v)
		lower_all(c);
}

/* Keeps only the members of live that desired sets, recursively; AWS
 * returns many members the operator never wrote. */
static void project_onto(const cJSON *desired, cJSON *live)
{
	cJSON *c = live ? live->child : NULL, *next, *d;

	if (!cJSON_IsObject(desired) || !cJSON_IsObject(live))
		return;
	for (; c; c = next) {
		next = c->next;
		d = cJSON_GetObjectItemCaseSensitive(desired, c->string);
		if (!d)
			cJSON_DeleteItemFromObjectCaseSensitive(live, c->string);
		else
			project_onto(d, c);
	}
}

static void keep_fields(cJSON *array, const char *const *fields)
{
	cJSON *el, *m, *next;
	size_t i;
	int keep;

	if (!fields || !cJSON_IsArray(array))
		return;
	cJSON_ArrayForEach(el, array) {
		if (!cJSON_IsObject(el))
			continue;
		for (m = el->child; m; m = next) {
			next = m->next;
			keep = 0;
			for (i = 0; fields[i]; i++)
				if (!strcmp(fields[i], m->string))
					keep = 1;
			if (!keep)
				cJSON_DeleteItemFromObjectCaseSensitive(el,
								m->string);
		}
	}
}

/* Elements of a not found (by canonical text) in b, as a new array. */
static cJSON *set_minus(const cJSON *a, const cJSON *b)
{
	cJSON *out = cJSON_CreateArray(), *x, *y;
	char *tx, *ty;
	int found;

	cJSON_ArrayForEach(x, a) {
		tx = json_canonical(x);
		found = 0;
		cJSON_ArrayForEach(y, b) {
			ty = json_canonical(y);
			found = tx && ty && !strcmp(tx, ty);
			free(ty);
			if (found)
				break;
		}
		free(tx);
		if (!found)
			cJSON_AddItemToArray(out, cJSON_Duplicate(x, 1));
	}
	return out;
}

static int scalar_equal(const cJSON *a, const cJSON *b)
{
	char *x = json_scalar_text(a), *y = json_scalar_text(b);
	int eq = x && y && !strcmp(x, y);

	free(x);
	free(y);
	return eq ? 1 : json_equal(a, b);
}

static int normalize(const res_attr_t *a, cJSON **v, err_t *err)
{
	cJSON *n;

	if (!*v || !a->normalize)
		return 0;
	n = a->normalize(*v, err);
	if (!n)
		return err ? err->code : -EINVAL;
	cJSON_Delete(*v);
	*v = n;
	return 0;
}

static void free_values(cJSON *a, cJSON *b, cJSON *c, cJSON *d)
{
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
	cJSON_Delete(d);
}

/* Records a change, taking ownership of the four values either way. */
static int add_change(diff_t *d, const res_attr_t *a, cJSON *desired,
		      cJSON *live, cJSON *added, cJSON *removed)
{
	diff_change_t *c, *grown;

	grown = realloc(d->changes, (d->n_changes + 1) * sizeof(*grown));
	if (!grown) {
		free_values(desired, live, added, removed);
		return -ENOMEM;
	}
	d->changes = grown;
	c = &d->changes[d->n_changes++];
	c->attr = a;
	c->desired = desired;
	c->live = live;
	c->added = added;
	c->removed = removed;
	c->kind = a->mutability == RES_REPLACE ? DIFF_REPLACE :
		  a->mutability == RES_CREATE_ONLY ? DIFF_CREATE_ONLY :
						     DIFF_UPDATE;
	if (c->kind == DIFF_REPLACE)
		d->replace = 1;
	return 0;
}

/* Tags: every key driftd wants must be there with its value; keys others
 * added are theirs (EKS and the load balancer controller tag subnets), and
 * aws: keys are AWS's own. */
static int diff_tags(diff_t *d, const res_attr_t *a, const cJSON *desired,
		     const cJSON *live, const diff_opts_t *o)
{
	cJSON *want = desired ? diff_tags_to_map(desired) : cJSON_CreateObject();
	cJSON *have = diff_tags_to_map(live), *added = cJSON_CreateObject();
	cJSON *t, *h;
	int rc = -ENOMEM;

	if (!want || !have || !added)
		goto out;
	if (o && cJSON_IsObject(o->extra_tags))
		cJSON_ArrayForEach(t, o->extra_tags)
			if (!cJSON_GetObjectItemCaseSensitive(want, t->string))
				cJSON_AddItemToObject(want, t->string,
						      cJSON_Duplicate(t, 1));
	cJSON_ArrayForEach(t, want) {
		if (ignored(o, "Tags") ||
		    !strncmp(t->string, "aws:", 4))
			continue;
		h = cJSON_GetObjectItemCaseSensitive(have, t->string);
		if (!h || !scalar_equal(h, t))
			cJSON_AddItemToObject(added, t->string,
					      cJSON_Duplicate(t, 1));
	}
	if (o)
		drop_ignored_subpaths(o, "Tags", added, NULL);
	if (added->child)
		return add_change(d, a, want, have, added, NULL);
	rc = 0;
out:
	free_values(want, have, added, NULL);
	return rc;
}

static int diff_attr(diff_t *d, const res_type_t *t, const res_attr_t *a,
		     const cJSON *desired_v, const cJSON *live_v,
		     const diff_opts_t *o, err_t *err)
{
	cJSON *want = NULL, *have = NULL, *added = NULL, *removed = NULL;
	cJSON *shown = NULL;
	int rc = -ENOMEM, differ, secret;

	want = cJSON_Duplicate(desired_v, 1);
	if (live_v)
		have = cJSON_Duplicate(live_v, 1);
	else if (a->default_json)
		have = cJSON_Parse(a->default_json);
	if (!want || (live_v && !have))
		goto out;
	rc = normalize(a, &want, err);
	if (!rc)
		rc = normalize(a, &have, err);
	if (rc) {
		err_set(err, rc, "cannot compare %s: %s", a->name,
			err ? err->message : "invalid value");
		goto out;
	}
	drop_ignored_subpaths(o, a->name, want, have);
	drop_owned_members(t, a, want, have);
	/* What a change shows as desired: the config's write-only secrets
	 * masked where they sit (compared without them), so that a plan
	 * still says one is set, or changed. */
	if (o && o->secret_changed && a->secret_members &&
	    !(shown = secret_masked(a, want))) {
		rc = -ENOMEM;
		goto out;
	}
	secret = o && o->secret_changed && secret_strip(a, want) +
		 secret_strip(a, have) > 0 &&
		 o->secret_changed(o->secret_ctx, a, desired_v);
	if (a->flags & RES_CASE_INSENSITIVE) {
		lower_all(want);
		lower_all(have);
	}
	switch (a->kind) {
	case RES_SET:
		keep_fields(want, a->fields);
		keep_fields(have, a->fields);
		if (!cJSON_IsArray(have)) {
			cJSON_Delete(have);
			have = cJSON_CreateArray();
		}
		added = set_minus(want, have);
		removed = set_minus(have, want);
		differ = cJSON_GetArraySize(added) || cJSON_GetArraySize(removed);
		break;
	case RES_LIST:
		keep_fields(want, a->fields);
		keep_fields(have, a->fields);
		differ = !json_equal(want, have);
		break;
	case RES_OBJECT:
	case RES_MAP:
		project_onto(want, have);
		differ = !json_equal(want, have);
		break;
	case RES_DOCUMENT:
		differ = !json_equal(want, have);
		break;
	default:
		differ = !have || !scalar_equal(want, have);
		break;
	}
	if (differ || secret) {
		if (shown) {
			cJSON_Delete(want);
			want = shown;
		}
		return add_change(d, a, want, have, added, removed);
	}
	rc = 0;
out:
	cJSON_Delete(shown);
	free_values(want, have, added, removed);
	return rc;
}

int diff_resource(const res_type_t *t, const cJSON *desired,
		  const cJSON *live, const diff_opts_t *opts, diff_t **out,
		  err_t *err)
{
	diff_t *d = calloc(1, sizeof(*d));
	const res_attr_t *a;
	const cJSON *want, *have;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!d)
		return err_set(err, -ENOMEM, "out of memory");
	for (i = 0; i < t->n_attrs && !rc; i++) {
		a = &t->attrs[i];
		want = cJSON_GetObjectItemCaseSensitive(desired, a->name);
		/* A secret's value (RES_SECRET_VALUE): AWS never returns it;
		 * it changed when the engine says so (restable.h, "Secret
		 * values"). */
		if ((a->flags & RES_SECRET_VALUE) && opts && opts->secret_value_changed &&
		    cJSON_IsString(want) && !ignored(opts, a->name) &&
		    opts->secret_value_changed(opts->secret_ctx, a, want)) {
			rc = add_change(d, a, cJSON_CreateString(SECRET_MASK),
					NULL, NULL, NULL);
			continue;
		}
		if (a->mutability == RES_READ_ONLY ||
		    (a->flags & (RES_OWNED_ELSEWHERE | RES_WRITE_ONLY)))
			continue;
		have = json_get_path(live, live_path(a));
		if (a->kind == RES_TAGS) {
			if (!ignored(opts, a->name))
				rc = diff_tags(d, a, want, have, opts);
			continue;
		}
		if (!want || ignored(opts, a->name))
			continue;
		rc = diff_attr(d, t, a, want, have, opts, err);
	}
	if (rc) {
		if (rc == -ENOMEM)
			err_set(err, rc, "out of memory");
		diff_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void diff_free(diff_t *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n_changes; i++) {
		cJSON_Delete(d->changes[i].desired);
		cJSON_Delete(d->changes[i].live);
		cJSON_Delete(d->changes[i].added);
		cJSON_Delete(d->changes[i].removed);
	}
	free(d->changes);
	free(d);
}
