#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "model.h"
#include "restable.h"

#define TYPE_NAME_MAX 128

static int is_reference(const config_resource_t *res, const cJSON *node)
{
	size_t i;

	for (i = 0; i < res->nrefs; i++)
		if (res->refs[i].node == node && !res->refs[i].in_key)
			return 1;
	return 0;
}

static int is_whole_reference(const config_resource_t *res, const cJSON *node)
{
	size_t i;

	for (i = 0; i < res->nrefs; i++)
		if (res->refs[i].node == node && res->refs[i].whole)
			return 1;
	return 0;
}

static int has_interpolation(const cJSON *v)
{
	const cJSON *c;

	if (cJSON_IsString(v))
		return strstr(v->valuestring, "${") != NULL;
	cJSON_ArrayForEach(c, v)
		if (has_interpolation(c))
			return 1;
	return 0;
}

/* What the attribute's kind needs, or NULL when v is acceptable. */
static const char *kind_mismatch(const res_attr_t *a, const cJSON *v)
{
	cJSON *doc;

	switch (a->kind) {
	case RES_SCALAR:
		return cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v) ?
		       NULL : "a string, number or boolean";
	case RES_SET:
	case RES_LIST:
		return cJSON_IsArray(v) ? NULL : "an array";
	case RES_MAP:
	case RES_OBJECT:
		return cJSON_IsObject(v) ? NULL : "an object";
	case RES_TAGS:
		return cJSON_IsObject(v) ? NULL : "an object of tag names to values";
	case RES_DOCUMENT:
		if (cJSON_IsObject(v))
			return NULL;
		if (cJSON_IsString(v) && (doc = cJSON_Parse(v->valuestring))) {
			int ok = cJSON_IsObject(doc);

			cJSON_Delete(doc);
			return ok ? NULL : "a JSON object or the text of one";
		}
		return "a JSON object or the text of one";
	}
	return NULL;
}

/* "a|b|c" holds text as a whole alternative? */
static int enum_has(const char *alternatives, const char *text)
{
	size_t n = strlen(text);
	const char *p = alternatives, *bar;

	for (;;) {
		bar = strchr(p, '|');
		if ((size_t)((bar ? bar : p + strlen(p)) - p) == n && !strncmp(p, text, n))
			return 1;
		if (!bar)
			return 0;
		p = bar + 1;
	}
}

static int check_tags(const config_resource_t *res, const cJSON *tags,
		      config_check_t *chk)
{
	const cJSON *t;
	int bad = 0;

	cJSON_ArrayForEach(t, tags)
		if (!cJSON_IsString(t) && !is_reference(res, t)) {
			config_report(chk, t, 0, "tag \"%s\" must be a string, not %s",
				      t->string, json_type_name(t));
			bad = 1;
		}
	return bad;
}

/* "a|b" as "\"a\", \"b\"" for a message, ", ..." when len is too short
 * for all. */
static const char *enum_list(const char *alternatives, char *buf, size_t len)
{
	size_t used = 0, n;
	const char *p = alternatives, *end;
	int w;

	buf[0] = 0;
	while (*p) {
		end = strchr(p, '|');
		n = end ? (size_t)(end - p) : strlen(p);
		w = snprintf(buf + used, len - used, "%s\"%.*s\"", used ? ", " : "",
			     (int)n, p);
		if (w < 0 || (size_t)w >= len - used - 5) {
			snprintf(buf + used, len - used, ", ...");
			break;
		}
		used += (size_t)w;
		p += n + (end ? 1 : 0);
	}
	return buf;
}

/* The values AWS's model gave the member a sets in t's create request
 * (at create_item), or NULL: the model the tables were generated from,
 * which may predate values AWS has added since. */
static const char *model_enum(const res_type_t *t, const res_attr_t *a)
{
	const model_operation_t *op;
	const model_shape_t *sh;
	const model_member_t *m;
	const char *p, *dot;
	char seg[128];

	if (!t->create.op || !(op = model_operation_find(t->service, t->create.op)))
		return NULL;
	sh = model_shape(op->input);
	for (p = t->create_item; sh && p && *p; p = dot ? dot + 1 : "") {
		dot = strchr(p, '.');
		snprintf(seg, sizeof(seg), "%.*s", (int)(dot ? dot - p : (long)strlen(p)), p);
		m = sh->type == MODEL_LIST ? model_member(sh, 0) : model_member_find(sh, seg);
		sh = m ? model_shape(m->shape) : NULL;
	}
	if (!(m = model_member_find(sh, a->name)) || !(sh = model_shape(m->shape)))
		return NULL;
	if (sh->type == MODEL_LIST && (m = model_member(sh, 0)))
		sh = model_shape(m->shape);
	return sh ? model_str(sh->enum_values) : NULL;
}

/* The alternative of "a|b|c" nearest to text when close enough to be a
 * typo (config_suggest), copied into buf; NULL when none is. */
static const char *enum_suggest(const char *alternatives, const char *text,
				char *buf, size_t len)
{
	const char **v = NULL, *near;
	char *copy, *p, *save = NULL;
	size_t n = 1;

	if (!(copy = strdup(alternatives)))
		return NULL;
	for (p = copy; *p; p++)
		n += *p == '|';
	if ((v = calloc(n, sizeof(*v)))) {
		n = 0;
		for (p = strtok_r(copy, "|", &save); p; p = strtok_r(NULL, "|", &save))
			v[n++] = p;
		if ((near = config_suggest(text, v, n)))
			snprintf(buf, len, "%s", near);
	}
	free(v);
	free(copy);
	return v && buf[0] ? buf : NULL;
}

/* An enum value neither the table nor the model knows is a warning, not
 * an error: AWS adds values (EKS AMI types, instance classes) faster than
 * any model is refreshed, and AWS itself is the judge at apply. */
static void check_enum(const res_type_t *t, const res_attr_t *a, const cJSON *el,
		       int element, config_check_t *chk)
{
	const char *model, *known, *near;
	char alternatives[256], nearest[128] = "";

	if (!cJSON_IsString(el) || strstr(el->valuestring, "${"))
		return;
	model = model_enum(t, a);
	if ((!a->enum_values && !model) ||
	    (a->enum_values && enum_has(a->enum_values, el->valuestring)) ||
	    (model && enum_has(model, el->valuestring)))
		return;
	known = model ? model : a->enum_values;
	near = enum_suggest(known, el->valuestring, nearest, sizeof(nearest));
	config_warn(chk, el, 0, "%s%s \"%s\" is not a value AWS's model knew when "
		    "driftd was built (AWS may have added it since)%s%s%s; known: %s",
		    a->name, element ? " element" : "", el->valuestring,
		    near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "",
		    enum_list(known, alternatives, sizeof(alternatives)));
}

/* {"secret": ID}: a Secrets Manager secret's value, on the attributes
 * that take one (restable.h, "Secret values"); 1 when it is wrong. */
static int check_secret_value(const res_attr_t *a, const cJSON *v,
			      config_check_t *chk)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(v, "secret");

	if (!(a->flags & RES_SECRET_VALUE)) {
		config_report(chk, v, 0, "%s does not take its value from a "
			      "secret: {\"secret\": ...} is only for a secret "
			      "value such as a Redis AuthToken", a->name);
		return 1;
	}
	if (cJSON_GetArraySize(v) != 1) {
		config_report(chk, v, 0, "%s: {\"secret\": ID} takes no other "
			      "member", a->name);
		return 1;
	}
	if (!cJSON_IsString(id) || !*id->valuestring) {
		config_report(chk, id, 0, "%s: \"secret\" names a Secrets Manager "
			      "secret (its ARN or name), a string", a->name);
		return 1;
	}
	return 0;
}

/* Reports what is wrong with one property; 1 when something was. */
static int check_property(const res_type_t *t, const config_resource_t *res,
			   const cJSON *v, config_check_t *chk)
{
	const res_attr_t *a = res_type_attr(t, v->string);
	const char *want, *s;
	const cJSON *el;
	cJSON *normal;
	err_t e = { 0 };

	if (!a) {
		s = res_type_suggest_attr(t, v->string);
		if (s)
			config_report(chk, v, 1, "unknown property \"%s\" of %s; did you mean \"%s\"?",
				      v->string, t->name, s);
		else
			config_report(chk, v, 1, "unknown property \"%s\" of %s",
				      v->string, t->name);
		return 1;
	}
	if (a->mutability == RES_READ_ONLY) {
		config_report(chk, v, 1, "%s of %s is read-only: AWS sets it; "
			      "reference it as ${%s.%s} instead", v->string, t->name,
			      res->address, v->string);
		return 1;
	}
	if (cJSON_IsObject(v) && cJSON_GetObjectItemCaseSensitive(v, "secret"))
		return check_secret_value(a, v, chk);
	if (is_whole_reference(res, v))
		return 0;
	/* An interpolation left as written (an undefined variable, a file
	 * that cannot be read) was already reported by the config loader. */
	if (!is_reference(res, v) && cJSON_IsString(v) && strstr(v->valuestring, "${"))
		return 0;
	if ((want = kind_mismatch(a, v))) {
		config_report(chk, v, 0, "%s must be %s, not %s", a->name, want,
			      json_type_name(v));
		return 1;
	}
	if (a->kind == RES_TAGS)
		return check_tags(res, v, chk);
	/* A reference is known at apply; an interpolation left as written
	 * was already reported by the config loader. */
	if (is_reference(res, v) || (cJSON_IsString(v) && strstr(v->valuestring, "${")))
		return 0;
	/* A set of enum values (MatchingEventTypes): each element. */
	if (cJSON_IsArray(v))
		cJSON_ArrayForEach(el, v)
			check_enum(t, a, el, 1, chk);
	else
		check_enum(t, a, v, 0, chk);
	if (a->check && a->check(v, &e)) {
		config_report(chk, v, 0, "%s: %s", a->name, e.message);
		return 1;
	}
	/* What the normalizer cannot read would fail every diff at apply. */
	if (a->normalize && !has_interpolation(v)) {
		if (!(normal = a->normalize(v, &e))) {
			config_report(chk, v, 0, "%s: %s", a->name, e.message);
			return 1;
		}
		cJSON_Delete(normal);
	}
	return 0;
}

static int validate_resource(void *ctx, const config_resource_t *res,
			     config_check_t *chk)
{
	char name[TYPE_NAME_MAX];
	const res_type_t *t;
	const cJSON *v, *at = NULL;
	const char *s;
	err_t e = { 0 };
	size_t i;
	int bad = 0;

	(void)ctx;
	snprintf(name, sizeof(name), "%s.%s", res->service, res->type);
	if (!(t = res_table_find(name))) {
		if ((s = res_table_suggest_type(name)))
			config_report(chk, NULL, 0, "unknown resource type \"%s\"; did you mean \"%s\"?",
				      name, s);
		else
			config_report(chk, NULL, 0, "unknown resource type \"%s\"", name);
		return 0;
	}
	cJSON_ArrayForEach(v, res->body)
		bad |= check_property(t, res, v, chk);
	for (i = 0; i < t->n_attrs; i++)
		if ((t->attrs[i].flags & RES_REQUIRED) &&
		    !cJSON_GetObjectItemCaseSensitive(res->body, t->attrs[i].name))
			config_report(chk, NULL, 0, "%s needs property \"%s\"", t->name,
				      t->attrs[i].name);
	/* The type's own rules assume well-formed properties. */
	if (!bad && t->hooks && t->hooks->check &&
	    t->hooks->check(t, config_check_environment(chk), res->body, &at, &e))
		config_report(chk, at, 0, "%s", e.message);
	return 0;
}

static int known_type(void *ctx, const char *type_name, const char **near)
{
	(void)ctx;
	if (res_table_find(type_name))
		return 1;
	*near = res_table_suggest_type(type_name);
	return 0;
}

static const config_schema_t schema = { NULL, validate_resource, known_type };

const config_schema_t *schema_config(void)
{
	return &schema;
}

size_t schema_notices(const config_t *cfg,
		      void (*fn)(void *ctx, const char *address, const char *text),
		      void *ctx)
{
	const config_resource_t *r;
	const res_type_t *t;
	char text[512], name[256];
	size_t i, n = 0;

	for (i = 0; (r = config_resource_at(cfg, i)); i++) {
		snprintf(name, sizeof(name), "%s.%s", r->service, r->type);
		t = res_table_find(name);
		if (t && t->driver && t->driver->notice &&
		    t->driver->notice(t, r->body, text, sizeof(text))) {
			fn(ctx, r->address, text);
			n++;
		}
	}
	return n;
}
