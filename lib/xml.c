#include "xml.h"
#include "intern.h"

#include <errno.h>
#include <expat.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct xml_ctx {
	XML_Parser parser;
	cJSON     *root;
	cJSON     *stack[XML_DEPTH_MAX];
	char      *text[XML_DEPTH_MAX];   /* accumulated character data */
	size_t     text_len[XML_DEPTH_MAX];
	int        depth;
	const char *fail;                 /* set when we stopped the parser */
} xml_ctx_t;

/* Member keys of the element objects are string literals: added with
 * cJSON_AddItemToObjectCS they cost no copy (a 1000-item page has tens of
 * thousands of elements). item NULL: NULL. */
static cJSON *attach(cJSON *obj, const char *key, cJSON *item)
{
	if (!item || !cJSON_AddItemToObjectCS(obj, key, item)) {
		cJSON_Delete(item);
		return NULL;
	}
	return item;
}

/* Values that recur (element names, empty text) refer to a shared copy:
 * intern()'s, or their own when the table declines. Text is shared only
 * when empty: values that never repeat would fill the table. 0: ENOMEM. */
static int add_str(cJSON *obj, const char *key, const char *value, int recurs)
{
	const char *shared = !*value ? "" : recurs ? intern(value) : NULL;

	return attach(obj, key, shared ? cJSON_CreateStringReference(shared) :
		      cJSON_CreateString(value)) != NULL;
}

static const char *local_name(const char *name)
{
	const char *colon = strrchr(name, ':');

	return colon ? colon + 1 : name;
}

static void stop(xml_ctx_t *c, const char *why)
{
	if (!c->fail)
		c->fail = why;
	XML_StopParser(c->parser, XML_FALSE);
}

static void on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	xml_ctx_t *c = ud;
	cJSON *el, *a = NULL;
	int i;

	if (c->fail)
		return;
	if (c->depth >= XML_DEPTH_MAX)
		return stop(c, "XML nesting is deeper than the limit");
	el = cJSON_CreateObject();
	if (!el || !add_str(el, "name", local_name(name), 1))
		goto nomem;
	if (attrs && attrs[0]) {
		a = attach(el, "attrs", cJSON_CreateObject());
		if (!a)
			goto nomem;
		for (i = 0; attrs[i] && attrs[i + 1]; i += 2)
			if (!cJSON_AddStringToObject(a, local_name(attrs[i]), attrs[i + 1]))
				goto nomem;
	}
	if (c->depth == 0) {
		if (c->root) {
			cJSON_Delete(el);
			return stop(c, "XML has more than one root element");
		}
		c->root = el;
	} else {
		cJSON *kids = cJSON_GetObjectItemCaseSensitive(c->stack[c->depth - 1], "children");
		if (!kids)
			kids = attach(c->stack[c->depth - 1], "children",
				      cJSON_CreateArray());
		if (!kids)
			goto nomem;     /* which deletes el */
		cJSON_AddItemToArray(kids, el);
	}
	c->stack[c->depth] = el;
	c->text[c->depth] = NULL;
	c->text_len[c->depth] = 0;
	c->depth++;
	return;
nomem:
	cJSON_Delete(el);
	stop(c, "out of memory");
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static void on_end(void *ud, const XML_Char *name)
{
	xml_ctx_t *c = ud;
	cJSON *el;
	char *t;
	size_t len, start = 0;

	(void)name;
	if (c->fail || c->depth == 0)
		return;
	c->depth--;
	el = c->stack[c->depth];
	t = c->text[c->depth];
	len = c->text_len[c->depth];
	c->text[c->depth] = NULL;
	if (t && cJSON_GetObjectItemCaseSensitive(el, "children")) {
		/* Mixed content: only the indentation between children. */
		while (start < len && is_space(t[start]))
			start++;
		while (len > start && is_space(t[len - 1]))
			len--;
	}
	if (t) {
		t[len] = '\0';
		if (!add_str(el, "text", t + start, 0))
			stop(c, "out of memory");
	} else if (!add_str(el, "text", "", 0)) {
		stop(c, "out of memory");
	}
	free(t);
}

static void on_chars(void *ud, const XML_Char *s, int len)
{
	xml_ctx_t *c = ud;
	int d = c->depth - 1;
	char *grown;

	if (c->fail || d < 0 || len <= 0)
		return;
	grown = realloc(c->text[d], c->text_len[d] + (size_t)len + 1);
	if (!grown)
		return stop(c, "out of memory");
	memcpy(grown + c->text_len[d], s, (size_t)len);
	c->text[d] = grown;
	c->text_len[d] += (size_t)len;
}

static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
		       const XML_Char *pubid, int has_internal)
{
	(void)name; (void)sysid; (void)pubid; (void)has_internal;
	stop(ud, "XML document type declarations are not accepted");
}

static void on_entity(void *ud, const XML_Char *name, int is_param,
		      const XML_Char *value, int value_len, const XML_Char *base,
		      const XML_Char *sysid, const XML_Char *pubid,
		      const XML_Char *notation)
{
	(void)name; (void)is_param; (void)value; (void)value_len; (void)base;
	(void)sysid; (void)pubid; (void)notation;
	stop(ud, "XML entity declarations are not accepted");
}

int xml_parse(const char *data, size_t len, cJSON **root, err_t *e)
{
	xml_ctx_t c;
	int rc = 0, i;

	*root = NULL;
	memset(&c, 0, sizeof(c));
	if (len > (size_t)INT32_MAX)
		return err_set(e, -EMSGSIZE, "XML document is too large");
	c.parser = XML_ParserCreate("UTF-8");
	if (!c.parser)
		return err_set(e, -ENOMEM, "out of memory creating XML parser");
	XML_SetUserData(c.parser, &c);
	XML_SetElementHandler(c.parser, on_start, on_end);
	XML_SetCharacterDataHandler(c.parser, on_chars);
	XML_SetStartDoctypeDeclHandler(c.parser, on_doctype);
	XML_SetEntityDeclHandler(c.parser, on_entity);
	if (XML_Parse(c.parser, data ? data : "", (int)len, XML_TRUE) != XML_STATUS_OK) {
		if (c.fail)
			rc = err_set(e, strcmp(c.fail, "out of memory") ? -EBADMSG : -ENOMEM,
				     "%s", c.fail);
		else
			rc = err_set(e, -EBADMSG, "malformed XML at line %lu: %s",
				     (unsigned long)XML_GetCurrentLineNumber(c.parser),
				     XML_ErrorString(XML_GetErrorCode(c.parser)));
		goto out;
	}
	if (!c.root)
		rc = err_set(e, -EBADMSG, "XML document has no root element");
out:
	for (i = 0; i < XML_DEPTH_MAX; i++)
		free(c.text[i]);
	XML_ParserFree(c.parser);
	if (rc)
		cJSON_Delete(c.root);
	else
		*root = c.root;
	return rc;
}

const char *xml_name(const cJSON *el)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(el, "name"));

	return s ? s : "";
}

const char *xml_text(const cJSON *el)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(el, "text"));

	return s ? s : "";
}

const char *xml_attr(const cJSON *el, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(el, "attrs"), name));
}

cJSON *xml_child(const cJSON *el, const char *name)
{
	cJSON *kid;

	cJSON_ArrayForEach(kid, cJSON_GetObjectItemCaseSensitive(el, "children"))
		if (!strcmp(xml_name(kid), name))
			return kid;
	return NULL;
}

const char *xml_path_text(const cJSON *el, const char *path)
{
	char part[128];
	const char *p = path, *slash;
	size_t n;

	while (el && *p) {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, p, n);
		part[n] = '\0';
		el = xml_child(el, part);
		p += n + (slash ? 1 : 0);
	}
	return el ? xml_text(el) : NULL;
}

char *xml_escape(const char *s)
{
	size_t n = 1;
	const char *p;
	char *out, *o;

	for (p = s; *p; p++)
		n += (*p == '&') ? 5 : (*p == '<' || *p == '>') ? 4 :
		     (*p == '"' || *p == '\'') ? 6 : (*p == '\r') ? 5 : 1;
	out = o = malloc(n);
	if (!out)
		return NULL;
	for (p = s; *p; p++) {
		switch (*p) {
		case '&':  o = stpcpy(o, "&amp;");  break;
		case '<':  o = stpcpy(o, "&lt;");   break;
		case '>':  o = stpcpy(o, "&gt;");   break;
		case '"':  o = stpcpy(o, "&quot;"); break;
		case '\'': o = stpcpy(o, "&apos;"); break;
		case '\r': o = stpcpy(o, "&#13;");  break;
		default:   *o++ = *p;
		}
	}
	*o = '\0';
	return out;
}
