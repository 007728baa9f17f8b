#include "ini.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "readfile.h"

typedef struct ini_entry {
	int   section;      /* index into ini->sections */
	char *key;
	char *subkey;       /* NULL for a top-level key */
	char *value;
	int   line;
} ini_entry_t;

struct ini {
	char        *file;
	char       **sections;
	int          nsections, capsections;
	ini_entry_t *entries;
	int          nentries, capentries;
};

static char *dup_range(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static int grow(void **arr, int *cap, int need, size_t elem)
{
	void *p;
	int ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	p = realloc(*arr, (size_t)ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int add_section(ini_t *ini, const char *name, size_t n)
{
	char *s;

	if (grow((void **)&ini->sections, &ini->capsections,
		 ini->nsections + 1, sizeof(char *)))
		return -ENOMEM;
	if (!(s = dup_range(name, n)))
		return -ENOMEM;
	ini->sections[ini->nsections++] = s;
	return 0;
}

static int add_entry(ini_t *ini, const char *key, size_t keylen,
		     const char *parent, const char *value, size_t vallen,
		     int line)
{
	ini_entry_t *en;
	size_t i;

	if (grow((void **)&ini->entries, &ini->capentries, ini->nentries + 1,
		 sizeof(ini_entry_t)))
		return -ENOMEM;
	en = &ini->entries[ini->nentries];
	memset(en, 0, sizeof(*en));
	en->section = ini->nsections - 1;
	en->line = line;
	if (parent) {
		en->key = strdup(parent);
		en->subkey = dup_range(key, keylen);
	} else {
		en->key = dup_range(key, keylen);
	}
	en->value = dup_range(value, vallen);
	if (!en->key || !en->value || (parent && !en->subkey)) {
		free(en->key);
		free(en->subkey);
		free(en->value);
		return -ENOMEM;
	}
	/* botocore's configparser lower-cases option names, but not the
	 * keys of a nested block, which it splits itself. */
	for (i = 0; !parent && en->key[i]; i++)
		en->key[i] = (char)tolower((unsigned char)en->key[i]);
	ini->nentries++;
	return 0;
}

/* One logical line: s[0..n) without its newline. parent is the key of the
 * open nested sub-section (empty-valued key), or NULL. */
static int parse_line(ini_t *ini, const char *s, size_t n, int line,
		      const char **parent, err_t *e)
{
	const char *eq, *key, *val;
	size_t keylen, vallen;
	int indented = n && (s[0] == ' ' || s[0] == '\t');

	trim(&s, &n);
	if (!n || s[0] == '#' || s[0] == ';')
		return 0;
	if (s[0] == '[') {
		if (indented || s[n - 1] != ']')
			return err_set_at(e, -EINVAL, ini->file, line, 1,
					  "section header is not terminated by ']'");
		s++;
		n -= 2;
		trim(&s, &n);
		if (!n)
			return err_set_at(e, -EINVAL, ini->file, line, 1,
					  "empty section name");
		*parent = NULL;
		return add_section(ini, s, n) ?
			err_set(e, -ENOMEM, "out of memory") : 0;
	}
	if (!ini->nsections)
		return err_set_at(e, -EINVAL, ini->file, line, 1,
				  "setting outside of any [section]");
	/* configparser also accepts ':' as the delimiter, except in a nested
	 * block, which botocore splits on '=' alone. */
	eq = memchr(s, '=', n);
	if (!(indented && *parent)) {
		const char *colon = memchr(s, ':', n);

		if (colon && (!eq || colon < eq))
			eq = colon;
	}
	if (!eq)
		return err_set_at(e, -EINVAL, ini->file, line, 1,
				  "expected \"key = value\"");
	key = s;
	keylen = (size_t)(eq - s);
	val = eq + 1;
	vallen = n - keylen - 1;
	trim(&key, &keylen);
	trim(&val, &vallen);
	if (!keylen)
		return err_set_at(e, -EINVAL, ini->file, line, 1,
				  "empty key before '='");
	/* configparser would make this a continuation of the previous value;
	 * no AWS setting uses one, so it is far likelier a mistake. */
	if (indented && !*parent && ini->nentries &&
	    ini->entries[ini->nentries - 1].section == ini->nsections - 1)
		return err_set_at(e, -EINVAL, ini->file, line, 1,
				  "indented setting does not follow a \"key =\" sub-section");
	if (!*parent)
		indented = 0;
	if (add_entry(ini, key, keylen, indented ? *parent : NULL, val,
		      vallen, line))
		return err_set(e, -ENOMEM, "out of memory");
	if (!indented)
		*parent = vallen ? NULL : ini->entries[ini->nentries - 1].key;
	return 0;
}

int ini_parse(const char *name, const char *text, size_t len, ini_t **out,
	      err_t *e)
{
	ini_t *ini = NULL;
	const char *parent = NULL, *p = text, *end = text + len, *nl;
	int rc = 0, line = 0;

	*out = NULL;
	if (len > INI_MAX_FILE)
		return err_set_at(e, -EFBIG, name, 0, 0,
				  "file is larger than %d bytes", INI_MAX_FILE);
	ini = calloc(1, sizeof(*ini));
	if (!ini || !(ini->file = strdup(name ? name : "")))  {
		rc = err_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	if (memchr(text, 0, len)) {
		line = 1;
		for (p = text; *p; p++)
			line += *p == '\n';
		rc = err_set_at(e, -EINVAL, ini->file, line, 1,
				"NUL byte in file");
		goto out;
	}
	while (p < end) {
		size_t n;

		line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > INI_MAX_LINE) {
			rc = err_set_at(e, -EINVAL, ini->file, line, 1,
					"line longer than %d bytes",
					INI_MAX_LINE);
			goto out;
		}
		if (n && p[n - 1] == '\r')
			n--;
		rc = parse_line(ini, p, n, line, &parent, e);
		if (rc)
			goto out;
		p = nl ? nl + 1 : end;
	}
	*out = ini;
	ini = NULL;
out:
	ini_free(ini);
	return rc;
}

int ini_load(const char *path, ini_t **out, err_t *e)
{
	char *text;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = readfile(path, INI_MAX_FILE, &text, &len, e)))
		return rc;
	rc = ini_parse(path, text, len, out, e);
	free(text);
	return rc;
}

void ini_free(ini_t *ini)
{
	int i;

	if (!ini)
		return;
	for (i = 0; i < ini->nentries; i++) {
		free(ini->entries[i].key);
		free(ini->entries[i].subkey);
		free(ini->entries[i].value);
	}
	for (i = 0; i < ini->nsections; i++)
		free(ini->sections[i]);
	free(ini->entries);
	free(ini->sections);
	free(ini->file);
	free(ini);
}

const char *ini_file(const ini_t *ini)
{
	return ini ? ini->file : NULL;
}

int ini_has_section(const ini_t *ini, const char *section)
{
	int i;

	for (i = 0; ini && i < ini->nsections; i++)
		if (!strcmp(ini->sections[i], section))
			return 1;
	return 0;
}

static const char *lookup(const ini_t *ini, const char *section,
			  const char *key, const char *subkey, int *line)
{
	int i;

	if (!ini)
		return NULL;
	/* Walk backwards so that a later duplicate key or section wins. */
	for (i = ini->nentries - 1; i >= 0; i--) {
		const ini_entry_t *en = &ini->entries[i];

		if (strcasecmp(en->key, key) ||
		    strcmp(ini->sections[en->section], section))
			continue;
		if (subkey ? !en->subkey || strcasecmp(en->subkey, subkey)
			   : en->subkey != NULL)
			continue;
		if (line)
			*line = en->line;
		return en->value;
	}
	return NULL;
}

const char *ini_section_at(const ini_t *ini, int index)
{
	if (!ini || index < 0 || index >= ini->nsections)
		return NULL;
	return ini->sections[index];
}

int ini_foreach(const ini_t *ini, ini_visit_fn fn, void *ctx)
{
	int i, rc;

	for (i = 0; ini && i < ini->nentries; i++) {
		const ini_entry_t *en = &ini->entries[i];

		rc = fn(ctx, ini->sections[en->section], en->key, en->subkey,
			en->value, en->line);
		if (rc)
			return rc;
	}
	return 0;
}

const char *ini_get(const ini_t *ini, const char *section, const char *key,
		    int *line)
{
	return lookup(ini, section, key, NULL, line);
}

const char *ini_get_sub(const ini_t *ini, const char *section,
			const char *key, const char *subkey, int *line)
{
	return lookup(ini, section, key, subkey, line);
}
