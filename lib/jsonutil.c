#include "jsonutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "strbuf.h"

/* Path segments are short identifiers; a longer one is not a valid path. */
#define SEGMENT_MAX 256

static const char *next_segment(const char *p, char *seg)
{
	size_t n = strcspn(p, ".");

	if (n >= SEGMENT_MAX)
		return NULL;
	memcpy(seg, p, n);
	seg[n] = 0;
	return p[n] == '.' ? p + n + 1 : p + n;
}

static cJSON *child(const cJSON *node, const char *seg)
{
	char *end;
	long i;

	if (cJSON_IsArray(node)) {
		i = strtol(seg, &end, 10);
		if (*seg && !*end && i >= 0)
			return cJSON_GetArrayItem(node, (int)i);
		return NULL;
	}
	if (cJSON_IsObject(node))
		return cJSON_GetObjectItemCaseSensitive(node, seg);
	return NULL;
}

cJSON *json_get_path(const cJSON *root, const char *path)
{
	char seg[SEGMENT_MAX];
	const cJSON *node = root;

	if (!root || !path)
		return NULL;
	while (node && *path) {
		path = next_segment(path, seg);
		if (!path)
			return NULL;
		node = child(node, seg);
	}
	return (cJSON *)node;
}

int json_set_path(cJSON *root, const char *path, cJSON *value)
{
	char seg[SEGMENT_MAX];
	cJSON *node = root, *next;

	if (!cJSON_IsObject(root) || !path || !*path) {
		cJSON_Delete(value);
		return -EINVAL;
	}
	for (;;) {
		path = next_segment(path, seg);
		if (!path || !cJSON_IsObject(node)) {
			cJSON_Delete(value);
			return -EINVAL;
		}
		if (!*path)
			break;
		next = cJSON_GetObjectItemCaseSensitive(node, seg);
		if (!next) {
			next = cJSON_AddObjectToObject(node, seg);
			if (!next) {
				cJSON_Delete(value);
				return -ENOMEM;
			}
		}
		node = next;
	}
	if (cJSON_GetObjectItemCaseSensitive(node, seg))
		cJSON_ReplaceItemInObjectCaseSensitive(node, seg, value);
	else
		cJSON_AddItemToObject(node, seg, value);
	return 0;
}

int json_delete_path(cJSON *root, const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;
	cJSON *parent = root;
	char head[1024];

	if (!root || !path)
		return -EINVAL;
	if (dot) {
		if ((size_t)(dot - path) >= sizeof(head))
			return -EINVAL;
		memcpy(head, path, (size_t)(dot - path));
		head[dot - path] = 0;
		parent = json_get_path(root, head);
		path = dot + 1;
	}
	if (!cJSON_IsObject(parent) ||
	    !cJSON_GetObjectItemCaseSensitive(parent, path))
		return -ENOENT;
	cJSON_DeleteItemFromObjectCaseSensitive(parent, path);
	return 0;
}

static void number_text(double d, char *buf, size_t n)
{
	if (d == num_floor(d) && d > -1e15 && d < 1e15)  /* not NaN or inf */
		snprintf(buf, n, "%.0f", d);
	else
		snprintf(buf, n, "%.17g", d);
}

static void add_json_string(strbuf_t *b, const char *s)
{
	cJSON *tmp = cJSON_CreateString(s ? s : "");
	char *txt = tmp ? cJSON_PrintUnformatted(tmp) : NULL;

	if (!txt)
		b->failed = 1;
	else
		strbuf_add(b, txt);
	free(txt);
	cJSON_Delete(tmp);
}

const char *json_type_name(const cJSON *v)
{
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	return "null";
}

static int key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

static void canonical(strbuf_t *b, const cJSON *v, int depth)
{
	char num[64];
	const cJSON *c;
	const cJSON **keys;
	size_t n = 0, i;

	if (depth > 128) {
		b->failed = 1;
		return;
	}
	if (cJSON_IsString(v)) {
		add_json_string(b, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		number_text(v->valuedouble, num, sizeof(num));
		strbuf_add(b, num);
	} else if (cJSON_IsBool(v)) {
		strbuf_add(b, cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsArray(v)) {
		strbuf_add(b, "[");
		cJSON_ArrayForEach(c, v) {
			if (c != v->child)
				strbuf_add(b, ",");
			canonical(b, c, depth + 1);
		}
		strbuf_add(b, "]");
	} else if (cJSON_IsObject(v)) {
		cJSON_ArrayForEach(c, v)
			n++;
		keys = calloc(n ? n : 1, sizeof(*keys));
		if (!keys) {
			b->failed = 1;
			return;
		}
		n = 0;
		cJSON_ArrayForEach(c, v)
			keys[n++] = c;
		qsort(keys, n, sizeof(*keys), key_cmp);
		strbuf_add(b, "{");
		for (i = 0; i < n; i++) {
			if (i)
				strbuf_add(b, ",");
			add_json_string(b, keys[i]->string);
			strbuf_add(b, ":");
			canonical(b, keys[i], depth + 1);
		}
		strbuf_add(b, "}");
		free(keys);
	} else {
		strbuf_add(b, "null");
	}
}

char *json_canonical(const cJSON *value)
{
	strbuf_t b = STRBUF_INIT;

	canonical(&b, value, 0);
	return strbuf_take(&b);
}

int json_equal(const cJSON *a, const cJSON *b)
{
	char *x = json_canonical(a), *y = json_canonical(b);
	int eq = x && y && !strcmp(x, y);

	free(x);
	free(y);
	return eq;
}

char *json_scalar_text(const cJSON *v)
{
	char num[64];

	if (cJSON_IsString(v))
		return strdup(v->valuestring);
	if (cJSON_IsNumber(v)) {
		number_text(v->valuedouble, num, sizeof(num));
		return strdup(num);
	}
	if (cJSON_IsBool(v))
		return strdup(cJSON_IsTrue(v) ? "true" : "false");
	if (!v || cJSON_IsNull(v))
		return strdup("null");
	return NULL;
}

typedef struct keyed {
	char  *key;
	cJSON *item;
} keyed_t;

static int keyed_cmp(const void *a, const void *b)
{
	return strcmp(((const keyed_t *)a)->key, ((const keyed_t *)b)->key);
}

void json_sort_array(cJSON *array)
{
	keyed_t *items;
	cJSON *c;
	size_t n = 0, i;

	if (!cJSON_IsArray(array))
		return;
	cJSON_ArrayForEach(c, array)
		n++;
	if (n < 2)
		return;
	items = calloc(n, sizeof(*items));
	if (!items)
		return;
	n = 0;
	while ((c = cJSON_DetachItemFromArray(array, 0))) {
		items[n].key = json_canonical(c);
		items[n].item = c;
		if (!items[n].key)
			items[n].key = strdup("");
		n++;
	}
	qsort(items, n, sizeof(*items), keyed_cmp);
	for (i = 0; i < n; i++) {
		if (i && items[i].key && items[i - 1].key &&
		    !strcmp(items[i].key, items[i - 1].key))
			cJSON_Delete(items[i].item);
		else
			cJSON_AddItemToArray(array, items[i].item);
	}
	for (i = 0; i < n; i++)
		free(items[i].key);
	free(items);
}

/* Recursion is bounded by cJSON_Parse's nesting limit. */
void json_wipe(cJSON *v)
{
	cJSON *c;

	if (cJSON_IsString(v) && v->valuestring)
		explicit_bzero(v->valuestring, strlen(v->valuestring));
	for (c = v ? v->child : NULL; c; c = c->next)
		json_wipe(c);
}

void json_delete_wiped(cJSON *v)
{
	json_wipe(v);
	cJSON_Delete(v);
}

int json_thaw(cJSON **v)
{
	cJSON *tree;

	if (!json_is_packed(*v))
		return 0;
	if (!(tree = json_unpack(*v)))
		return -ENOMEM;
	cJSON_Delete(*v);
	*v = tree;
	return 0;
}

/* ---- packed values --------------------------------------------------- */

cJSON *json_pack(const cJSON *v)
{
	char stack[4096], *text = stack;
	size_t n;
	cJSON *node;

	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return NULL;
	/* Printed on the stack when it fits (most items): no growing buffer. */
	if (!cJSON_PrintPreallocated((cJSON *)v, stack, sizeof(stack), 0) &&
	    !(text = cJSON_PrintUnformatted(v)))
		return NULL;
	n = strlen(text) + 1;
	node = malloc(sizeof(*node) + n);
	if (node) {
		memset(node, 0, sizeof(*node));
		node->type = cJSON_Raw | cJSON_IsReference;
		node->valuestring = (char *)(node + 1);
		memcpy(node->valuestring, text, n);
	}
	if (text != stack)
		free(text);
	return node;
}

int json_is_packed(const cJSON *v)
{
	return cJSON_IsRaw(v) && v->valuestring;
}

cJSON *json_unpack(const cJSON *v)
{
	return json_is_packed(v) ? cJSON_Parse(v->valuestring) : NULL;
}

const cJSON *json_view(const cJSON *v, cJSON **tmp)
{
	*tmp = NULL;
	if (!json_is_packed(v))
		return v;
	*tmp = json_unpack(v);
	return *tmp;
}
