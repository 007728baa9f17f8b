#include "template.h"

#include <errno.h>
#include <string.h>

#include "jsonutil.h"

#define MAX_DEPTH 16

/* The value a placeholder stands for: *found 0 for an unknown name, 1 for
 * a known one (whose value may still be absent: NULL). */
static cJSON *lookup(const char *ph, const tmpl_values_t *v, int *found)
{
	static const struct { const char *name; size_t off; } strs[] = {
		{ "$id", offsetof(tmpl_values_t, id) },
		{ "$arn", offsetof(tmpl_values_t, arn) },
		{ "$env", offsetof(tmpl_values_t, env) },
		{ "$address", offsetof(tmpl_values_t, address) },
		{ "$name", offsetof(tmpl_values_t, name) },
		{ "$token", offsetof(tmpl_values_t, token) },
	};
	static const struct { const char *name; size_t off; } trees[] = {
		{ "$value", offsetof(tmpl_values_t, value) },
		{ "$added", offsetof(tmpl_values_t, added) },
		{ "$removed", offsetof(tmpl_values_t, removed) },
		{ "$element", offsetof(tmpl_values_t, element) },
		{ "$tags", offsetof(tmpl_values_t, tags) },
		{ "$tag_keys", offsetof(tmpl_values_t, tag_keys) },
	};
	const char *s;
	const cJSON *t;
	size_t i;

	*found = 1;
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!strcmp(ph, strs[i].name)) {
			s = *(const char *const *)((const char *)v + strs[i].off);
			return s ? cJSON_CreateString(s) : NULL;
		}
	for (i = 0; i < sizeof(trees) / sizeof(trees[0]); i++)
		if (!strcmp(ph, trees[i].name)) {
			t = *(const cJSON *const *)((const char *)v + trees[i].off);
			return t ? cJSON_Duplicate(t, 1) : NULL;
		}
	if (!strcmp(ph, "$tag_key_objects")) {
		cJSON *arr, *o;

		if (!v->tag_keys)
			return NULL;
		arr = cJSON_CreateArray();
		cJSON_ArrayForEach(t, v->tag_keys) {
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "Key", cJSON_IsString(t) ?
						t->valuestring : "");
			cJSON_AddItemToArray(arr, o);
		}
		return arr;
	}
	if (!strncmp(ph, "$element:", 9)) {
		t = json_get_path(v->element, ph + 9);
		return t ? cJSON_Duplicate(t, 1) : NULL;
	}
	if (!strncmp(ph, "$attr:", 6)) {
		t = json_get_path(v->desired, ph + 6);
		return t ? cJSON_Duplicate(t, 1) : NULL;
	}
	if (!strncmp(ph, "$live:", 6)) {
		t = json_get_path(v->live, ph + 6);
		return t ? cJSON_Duplicate(t, 1) : NULL;
	}
	*found = 0;
	return NULL;
}

static int is_placeholder(const cJSON *n)
{
	return cJSON_IsString(n) && n->valuestring[0] == '$' &&
	       n->valuestring[1] && n->valuestring[1] != '$';
}

/* Members of a "*" value join the object after its own members are
 * filled: merging while walking would delete a member the walk holds as
 * `next` (a use-after-free) and would fill placeholders inside the value. */
static void merge_members(cJSON *node, cJSON *merges)
{
	cJSON *val, *m;

	while ((val = merges->child)) {
		cJSON_DetachItemViaPointer(merges, val);
		if (cJSON_IsObject(val))
			while ((m = val->child)) {
				cJSON_DetachItemViaPointer(val, m);
				cJSON_DeleteItemFromObjectCaseSensitive(node, m->string);
				cJSON_AddItemToObject(node, m->string, m);
			}
		cJSON_Delete(val);
	}
}

static int fill(cJSON *node, const tmpl_values_t *v, int depth, err_t *err)
{
	cJSON *c, *next, *val, *merges = NULL;
	int found, rc = 0;

	if (depth > MAX_DEPTH)
		return err_set(err, -EINVAL, "template nested too deeply");
	for (c = node->child; c; c = next) {
		next = c->next;
		if (!is_placeholder(c)) {
			if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
				rc = fill(c, v, depth + 1, err);
				if (rc)
					break;
			}
			continue;
		}
		val = lookup(c->valuestring, v, &found);
		if (!found) {
			rc = err_set(err, -EINVAL, "template placeholder "
				     "\"%s\" is unknown", c->valuestring);
			break;
		}
		if (c->string && !strcmp(c->string, "*")) {
			cJSON_Delete(cJSON_DetachItemViaPointer(node, c));
			if (val) {
				if (!merges)
					merges = cJSON_CreateArray();
				cJSON_AddItemToArray(merges, val);
			}
			continue;
		}
		if (!val) {
			cJSON_Delete(cJSON_DetachItemViaPointer(node, c));
			continue;
		}
		/* By key in objects: replacing via pointer drops the key. */
		if (c->string)
			cJSON_ReplaceItemInObjectCaseSensitive(node, c->string,
							       val);
		else
			cJSON_ReplaceItemViaPointer(node, c, val);
	}
	if (merges && !rc)
		merge_members(node, merges);
	cJSON_Delete(merges);
	return rc;
}

static int fill_owned(cJSON *t, const tmpl_values_t *v, cJSON **out,
		      err_t *err)
{
	int rc = fill(t, v, 0, err);

	if (rc) {
		cJSON_Delete(t);
		return rc;
	}
	*out = t;
	return 0;
}

int tmpl_fill(const char *template_json, const tmpl_values_t *v, cJSON **out,
	      err_t *err)
{
	cJSON *t;

	*out = NULL;
	if (!template_json || !*template_json)
		t = cJSON_CreateObject();
	else
		t = cJSON_ParseWithOpts(template_json, NULL, 1);
	if (!cJSON_IsObject(t)) {
		cJSON_Delete(t);
		return err_set(err, -EINVAL, "template is not a JSON object: %s",
			       template_json);
	}
	return fill_owned(t, v, out, err);
}

int tmpl_fill_tree(const cJSON *tmpl, const tmpl_values_t *v, cJSON **out,
		   err_t *err)
{
	*out = NULL;
	if (!cJSON_IsObject(tmpl))
		return err_set(err, -EINVAL, "template is not a JSON object");
	return fill_owned(cJSON_Duplicate(tmpl, 1), v, out, err);
}
