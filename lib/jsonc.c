#include "jsonc.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfgmem.h"
#include "readfile.h"

/* One scanned value in document order: where it starts and where its key
 * starts (the value offset again for keyless values). Document order is
 * cJSON's pre-order, which is how records are matched to nodes. */
typedef struct scan_rec {
	size_t value_off, key_off;
} scan_rec_t;

typedef struct pos_entry {
	const cJSON *node;
	int line, column, key_line, key_column;
} pos_entry_t;

/* A string (a value, or the key naming node) as written, from its opening
 * quote: kept only where a written byte may not be a decoded byte (it
 * holds an escape). In every other string the n-th decoded byte is the
 * n-th written one, and the file's text is not kept. */
typedef struct raw_string {
	const cJSON *node;
	int in_key;
	size_t at, len;                  /* in the doc's raw arena */
} raw_string_t;

struct jsonc_doc {
	char *file;
	cJSON *root;
	pos_entry_t *index;              /* sorted by node address */
	size_t count;
	raw_string_t *raw;               /* sorted by node, then in_key */
	size_t nraw;
	char *arena;
};

typedef struct scanner {
	char *s;                         /* comments get blanked in place */
	size_t n, i;
	const char *file;
	err_t *err;
	scan_rec_t *recs;
	size_t nrecs, caprecs;
	int failed;
} scanner_t;

static void advance(const char *s, size_t from, size_t to, int *line,
		    int *column)
{
	for (; from < to; from++) {
		if (s[from] == '\n') {
			(*line)++;
			*column = 1;
		} else {
			(*column)++;
		}
	}
}

static void offset_to_line_col(const char *s, size_t n, size_t off,
			       int *line, int *column)
{
	*line = 1;
	*column = 1;
	advance(s, 0, off < n ? off : n, line, column);
}

static int fail_at(scanner_t *sc, size_t off, int code, const char *msg)
{
	int line, column;

	if (!sc->failed) {
		offset_to_line_col(sc->s, sc->n, off, &line, &column);
		err_set_at(sc->err, code, sc->file, line, column, "%s", msg);
		sc->failed = 1;
	}
	return code;
}

/* Skips whitespace and comments, overwriting comment bytes (but not
 * newlines) with spaces so that cJSON sees plain JSON at the same offsets. */
static int skip_space(scanner_t *sc)
{
	while (sc->i < sc->n) {
		char c = sc->s[sc->i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			sc->i++;
		} else if (c == '/' && sc->i + 1 < sc->n && sc->s[sc->i + 1] == '/') {
			while (sc->i < sc->n && sc->s[sc->i] != '\n')
				sc->s[sc->i++] = ' ';
		} else if (c == '/' && sc->i + 1 < sc->n && sc->s[sc->i + 1] == '*') {
			size_t start = sc->i;

			sc->s[sc->i++] = ' ';
			sc->s[sc->i++] = ' ';
			for (;;) {
				if (sc->i + 1 >= sc->n)
					return fail_at(sc, start, -EINVAL,
						       "unterminated comment");
				if (sc->s[sc->i] == '*' && sc->s[sc->i + 1] == '/')
					break;
				if (sc->s[sc->i] != '\n')
					sc->s[sc->i] = ' ';
				sc->i++;
			}
			sc->s[sc->i++] = ' ';
			sc->s[sc->i++] = ' ';
		} else {
			break;
		}
	}
	return 0;
}

static int record(scanner_t *sc, size_t value_off, size_t key_off)
{
	if (sc->nrecs == sc->caprecs) {
		size_t cap = sc->caprecs ? sc->caprecs * 2 : 64;
		scan_rec_t *r = realloc(sc->recs, cap * sizeof(*r));

		if (!r)
			return fail_at(sc, value_off, -ENOMEM, "out of memory");
		sc->recs = r;
		sc->caprecs = cap;
	}
	sc->recs[sc->nrecs].value_off = value_off;
	sc->recs[sc->nrecs].key_off = key_off;
	sc->nrecs++;
	return 0;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex4(const char *p)
{
	int v = 0, k;

	for (k = 0; k < 4; k++)
		v = v * 16 + (isdigit((unsigned char)p[k]) ? p[k] - '0' :
			      (tolower((unsigned char)p[k]) - 'a' + 10));
	return v;
}

static int scan_string(scanner_t *sc)
{
	size_t start = sc->i++;

	for (;;) {
		unsigned char c;

		if (sc->i >= sc->n)
			return fail_at(sc, start, -EINVAL, "unterminated string");
		c = (unsigned char)sc->s[sc->i];
		if (c == '"') {
			sc->i++;
			return 0;
		}
		if (c == '\n')
			return fail_at(sc, start, -EINVAL, "unterminated string");
		if (c < 0x20)
			return fail_at(sc, sc->i, -EINVAL,
				       "control character in string (escape it)");
		if (c == '\\') {
			char e = sc->i + 1 < sc->n ? sc->s[sc->i + 1] : 0;

			if (e == 'u') {
				int k, cp;

				for (k = 2; k < 6; k++)
					if (sc->i + k >= sc->n || !is_hex(sc->s[sc->i + k]))
						return fail_at(sc, sc->i, -EINVAL,
							       "expected four hex digits after '\\u'");
				cp = hex4(sc->s + sc->i + 2);
				/* cJSON would end the string at a NUL and
				 * refuses a lone surrogate without saying so */
				if (cp == 0)
					return fail_at(sc, sc->i, -EINVAL,
						       "\\u0000 is not allowed in strings");
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return fail_at(sc, sc->i, -EINVAL,
						       "unpaired UTF-16 surrogate in '\\u' escape");
				if (cp >= 0xd800 && cp <= 0xdbff) {
					int lo = -1;

					if (sc->i + 12 <= sc->n && sc->s[sc->i + 6] == '\\' &&
					    sc->s[sc->i + 7] == 'u') {
						for (k = 8; k < 12 && is_hex(sc->s[sc->i + k]); k++)
							;
						if (k == 12)
							lo = hex4(sc->s + sc->i + 8);
					}
					if (lo < 0xdc00 || lo > 0xdfff)
						return fail_at(sc, sc->i, -EINVAL,
							       "unpaired UTF-16 surrogate in '\\u' escape");
					sc->i += 6;
				}
				sc->i += 6;
				continue;
			}
			if (!e || !strchr("\"\\/bfnrt", e))
				return fail_at(sc, sc->i, -EINVAL,
					       "invalid escape in string");
			sc->i += 2;
			continue;
		}
		sc->i++;
	}
}

static int scan_number(scanner_t *sc)
{
	size_t start = sc->i;
	const char *s = sc->s;
	size_t n = sc->n;

	if (sc->i < n && s[sc->i] == '-')
		sc->i++;
	if (sc->i < n && s[sc->i] == '0') {
		sc->i++;
	} else if (sc->i < n && is_digit(s[sc->i])) {
		while (sc->i < n && is_digit(s[sc->i]))
			sc->i++;
	} else {
		return fail_at(sc, start, -EINVAL, "invalid number");
	}
	if (sc->i < n && s[sc->i] == '.') {
		sc->i++;
		if (sc->i >= n || !is_digit(s[sc->i]))
			return fail_at(sc, start, -EINVAL, "invalid number");
		while (sc->i < n && is_digit(s[sc->i]))
			sc->i++;
	}
	if (sc->i < n && (s[sc->i] == 'e' || s[sc->i] == 'E')) {
		sc->i++;
		if (sc->i < n && (s[sc->i] == '+' || s[sc->i] == '-'))
			sc->i++;
		if (sc->i >= n || !is_digit(s[sc->i]))
			return fail_at(sc, start, -EINVAL, "invalid number");
		while (sc->i < n && is_digit(s[sc->i]))
			sc->i++;
	}
	if (sc->i < n && (isalnum((unsigned char)s[sc->i]) || s[sc->i] == '.'))
		return fail_at(sc, start, -EINVAL, "invalid number");
	return 0;
}

static int scan_value(scanner_t *sc, int depth, size_t key_off);

static int scan_container(scanner_t *sc, int depth, int object)
{
	char close = object ? '}' : ']';
	size_t comma = 0;
	int have_comma = 0;
	int rc;

	if (depth >= JSONC_MAX_DEPTH)
		return fail_at(sc, sc->i, -EINVAL, "nesting deeper than 64 levels");
	sc->i++;
	if ((rc = skip_space(sc)))
		return rc;
	if (sc->i < sc->n && sc->s[sc->i] == close) {
		sc->i++;
		return 0;
	}
	for (;;) {
		size_t key_off = SIZE_MAX;

		if (sc->i < sc->n && sc->s[sc->i] == close && have_comma)
			return fail_at(sc, comma, -EINVAL, object ?
				       "trailing comma before '}'" :
				       "trailing comma before ']'");
		if (object) {
			if (sc->i >= sc->n || sc->s[sc->i] != '"')
				return fail_at(sc, sc->i, -EINVAL,
					       "expected '\"' to start an object key");
			key_off = sc->i;
			if ((rc = scan_string(sc)) || (rc = skip_space(sc)))
				return rc;
			if (sc->i >= sc->n || sc->s[sc->i] != ':')
				return fail_at(sc, sc->i, -EINVAL,
					       "expected ':' after object key");
			sc->i++;
			if ((rc = skip_space(sc)))
				return rc;
		}
		if ((rc = scan_value(sc, depth + 1, key_off)) || (rc = skip_space(sc)))
			return rc;
		if (sc->i < sc->n && sc->s[sc->i] == close) {
			sc->i++;
			return 0;
		}
		if (sc->i >= sc->n || sc->s[sc->i] != ',')
			return fail_at(sc, sc->i, -EINVAL, object ?
				       "expected ',' or '}' after object member" :
				       "expected ',' or ']' after array element");
		comma = sc->i++;
		have_comma = 1;
		if ((rc = skip_space(sc)))
			return rc;
	}
}

static int scan_literal(scanner_t *sc, const char *word)
{
	size_t len = strlen(word);

	if (sc->n - sc->i < len || memcmp(sc->s + sc->i, word, len) ||
	    (sc->n - sc->i > len && isalnum((unsigned char)sc->s[sc->i + len])))
		return fail_at(sc, sc->i, -EINVAL, "expected a value");
	sc->i += len;
	return 0;
}

static int scan_value(scanner_t *sc, int depth, size_t key_off)
{
	size_t at = sc->i;
	int rc;

	if (sc->i >= sc->n)
		return fail_at(sc, sc->i, -EINVAL,
			       "unexpected end of file, expected a value");
	if ((rc = record(sc, at, key_off == SIZE_MAX ? at : key_off)))
		return rc;
	switch (sc->s[sc->i]) {
	case '{':
		return scan_container(sc, depth, 1);
	case '[':
		return scan_container(sc, depth, 0);
	case '"':
		return scan_string(sc);
	case 't':
		return scan_literal(sc, "true");
	case 'f':
		return scan_literal(sc, "false");
	case 'n':
		return scan_literal(sc, "null");
	case '\'':
		return fail_at(sc, at, -EINVAL,
			       "expected a value (strings use double quotes)");
	default:
		if (sc->s[sc->i] == '-' || is_digit(sc->s[sc->i]))
			return scan_number(sc);
		return fail_at(sc, at, -EINVAL, "expected a value");
	}
}

typedef struct assign {
	const scanner_t *sc;
	pos_entry_t *index;
	size_t next;
} assign_t;

/* Pairs cJSON's nodes with the scanner's records, both in document order. */
static int assign_positions(assign_t *a, const cJSON *node)
{
	const cJSON *child;

	if (a->next >= a->sc->nrecs)
		return -EINVAL;
	a->index[a->next++].node = node;
	for (child = node->child; child; child = child->next)
		if (assign_positions(a, child))
			return -EINVAL;
	return 0;
}

static int cmp_entry(const void *x, const void *y)
{
	uintptr_t a = (uintptr_t)((const pos_entry_t *)x)->node;
	uintptr_t b = (uintptr_t)((const pos_entry_t *)y)->node;

	return a < b ? -1 : a > b;
}

/* One pass over the text per kind instead of offset_to_line_col per
 * record, which would be quadratic in the file size. Both kinds of offset
 * increase with the record index. */
static void fill_positions(const scanner_t *sc, pos_entry_t *index)
{
	size_t r, voff = 0, koff = 0;
	int vline = 1, vcol = 1, kline = 1, kcol = 1;

	for (r = 0; r < sc->nrecs; r++) {
		advance(sc->s, voff, sc->recs[r].value_off, &vline, &vcol);
		advance(sc->s, koff, sc->recs[r].key_off, &kline, &kcol);
		voff = sc->recs[r].value_off;
		koff = sc->recs[r].key_off;
		index[r].line = vline;
		index[r].column = vcol;
		index[r].key_line = kline;
		index[r].key_column = kcol;
	}
}

/* The written length of the string at s[quote], quotes included (the
 * scanner has checked it is whole); *keep: it holds an escape. */
static size_t raw_span(const char *s, size_t quote, int *keep)
{
	size_t i = quote + 1;

	*keep = 0;
	for (; s[i] != '"'; i++) {
		if (s[i] == '\\') {
			*keep = 1;
			i++;
		}
	}
	return i + 1 - quote;
}

static int cmp_raw(const void *x, const void *y)
{
	const raw_string_t *a = x, *b = y;
	uintptr_t na = (uintptr_t)a->node, nb = (uintptr_t)b->node;

	if (na != nb)
		return na < nb ? -1 : 1;
	return (a->in_key > b->in_key) - (a->in_key < b->in_key);
}

/* Copies the strings raw_string_t keeps (index still in document order,
 * matching sc->recs) into doc->arena. 0 or -ENOMEM. */
static int keep_raw_strings(const scanner_t *sc, jsonc_doc_t *doc)
{
	size_t r, k, bytes = 0, n = 0, len, off[2];
	int keep, pass;

	for (pass = 0; pass < 2; pass++) {
		for (r = 0; r < sc->nrecs; r++) {
			off[0] = sc->recs[r].value_off;
			off[1] = sc->recs[r].key_off;
			for (k = 0; k < 2; k++) {
				if (sc->s[off[k]] != '"' || (k == 1 && off[1] == off[0]))
					continue;
				len = raw_span(sc->s, off[k], &keep);
				if (!keep)
					continue;
				if (pass == 1) {
					doc->raw[n] = (raw_string_t){ .node = doc->index[r].node,
								     .in_key = (int)k,
								     .at = bytes, .len = len };
					memcpy(doc->arena + bytes, sc->s + off[k], len);
				}
				n++;
				bytes += len;
			}
		}
		if (pass == 1 || !n)
			break;
		if (!(doc->raw = malloc(n * sizeof(*doc->raw))) ||
		    !(doc->arena = malloc(bytes)))
			return -ENOMEM;
		n = bytes = 0;
	}
	doc->nraw = n;
	if (n)
		qsort(doc->raw, n, sizeof(*doc->raw), cmp_raw);
	return 0;
}

static const pos_entry_t *lookup(const jsonc_doc_t *doc, const cJSON *node);

typedef struct keyed {
	const cJSON *node;
	size_t index;                    /* among its siblings: written order */
} keyed_t;

static int cmp_keyed(const void *x, const void *y)
{
	const keyed_t *a = x, *b = y;
	int c = strcmp(a->node->string, b->node->string);

	return c ? c : (a->index > b->index) - (a->index < b->index);
}

static int duplicate_key(const jsonc_doc_t *doc, const cJSON *first,
			 const cJSON *again, err_t *err)
{
	const pos_entry_t *p = lookup(doc, again), *q = lookup(doc, first);

	return err_set_at(err, -EINVAL, doc->file, p->key_line, p->key_column,
			  "duplicate key \"%s\" (first at line %d, column %d)",
			  again->string, q->key_line, q->key_column);
}

/* Objects this small compare every pair of keys: no allocation, no sort. */
#define SMALL_OBJECT 8

/* cJSON keeps both members of {"a": 1, "a": 2} and lookups see only the
 * first, so a repeated key would be silently ignored: refuse it, naming
 * the first repeat in key order (then written order). Sorting keeps this
 * O(n log n) per object. */
static int check_duplicate_keys(const jsonc_doc_t *doc, const cJSON *node,
				err_t *err)
{
	const cJSON *child, *other, *first = NULL, *again = NULL;
	keyed_t *keys;
	size_t n = 0, i;
	int rc = 0;

	for (child = node->child; child; child = child->next)
		if ((rc = check_duplicate_keys(doc, child, err)))
			return rc;
	if (!cJSON_IsObject(node) || !node->child || !node->child->next)
		return 0;
	for (child = node->child; child; child = child->next)
		n++;
	if (n <= SMALL_OBJECT) {
		for (child = node->child->next; child; child = child->next)
			for (other = node->child; other != child; other = other->next)
				if (!strcmp(child->string, other->string)) {
					if (!again || strcmp(child->string, again->string) < 0) {
						first = other;
						again = child;
					}
					break;
				}
		return again ? duplicate_key(doc, first, again, err) : 0;
	}
	if (!(keys = malloc(n * sizeof(*keys))))
		return err_set(err, -ENOMEM, "out of memory");
	for (i = 0, child = node->child; child; child = child->next, i++)
		keys[i] = (keyed_t){ .node = child, .index = i };
	qsort(keys, n, sizeof(*keys), cmp_keyed);
	for (i = 1; i < n && !rc; i++)
		if (!strcmp(keys[i].node->string, keys[i - 1].node->string))
			rc = duplicate_key(doc, keys[i - 1].node, keys[i].node, err);
	free(keys);
	return rc;
}

int jsonc_parse(const char *file, const char *text, size_t len,
		jsonc_doc_t **out, err_t *err)
{
	scanner_t sc = { 0 };
	jsonc_doc_t *doc = NULL;
	assign_t a;
	int rc;

	*out = NULL;
	if (!file)
		file = "<input>";
	if (len > JSONC_MAX_SIZE)
		return err_set_at(err, -EFBIG, file, 1, 1,
				  "file is larger than %u bytes", JSONC_MAX_SIZE);
	sc.s = malloc(len + 1);
	doc = calloc(1, sizeof(*doc));
	if (!sc.s || !doc || !(doc->file = strdup(file))) {
		rc = err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	memcpy(sc.s, text, len);
	sc.s[len] = 0;
	/* a UTF-8 byte order mark from some editors; blanked, so columns
	 * still count from the file's first byte */
	if (len >= 3 && !memcmp(sc.s, "\xef\xbb\xbf", 3))
		memset(sc.s, ' ', 3);
	sc.n = len;
	sc.file = file;
	sc.err = err;
	if ((rc = skip_space(&sc)) || (rc = scan_value(&sc, 0, SIZE_MAX)) ||
	    (rc = skip_space(&sc)))
		goto out;
	if (sc.i < sc.n) {
		rc = fail_at(&sc, sc.i, -EINVAL,
			     "unexpected content after the top-level value");
		goto out;
	}
	/* a large file's nodes go to the arena (cfgmem.h) */
	if (len >= JSONC_ARENA_MIN)
		cfgmem_begin();
	doc->root = cJSON_ParseWithLengthOpts(sc.s, sc.n, NULL, 0);
	if (len >= JSONC_ARENA_MIN)
		cfgmem_end();
	if (!doc->root) {
		/* The scanner accepts only what cJSON accepts; this is the
		 * allocation failure path, or a disagreement worth a message. */
		rc = fail_at(&sc, 0, -EINVAL, "JSON parser rejected the file");
		goto out;
	}
	doc->index = calloc(sc.nrecs ? sc.nrecs : 1, sizeof(*doc->index));
	if (!doc->index) {
		rc = err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	a.sc = &sc;
	a.index = doc->index;
	a.next = 0;
	if (assign_positions(&a, doc->root) || a.next != sc.nrecs) {
		rc = fail_at(&sc, 0, -EINVAL, "JSON parser disagreed with the scanner");
		goto out;
	}
	fill_positions(&sc, doc->index);
	doc->count = sc.nrecs;
	if (keep_raw_strings(&sc, doc)) {
		rc = err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	qsort(doc->index, doc->count, sizeof(*doc->index), cmp_entry);
	if ((rc = check_duplicate_keys(doc, doc->root, err)))
		goto out;
	*out = doc;
	doc = NULL;
	rc = 0;
out:
	free(sc.s);
	free(sc.recs);
	jsonc_free(doc);
	return rc;
}

int jsonc_load_file(const char *path, jsonc_doc_t **out, err_t *err)
{
	char *text;
	size_t len;
	int rc;

	*out = NULL;
	rc = readfile(path, JSONC_MAX_SIZE, &text, &len, err);
	if (rc == -EFBIG)
		return err_set_at(err, rc, path, 1, 1,
				  "file is larger than %u bytes", JSONC_MAX_SIZE);
	if (rc)
		return rc;
	rc = jsonc_parse(path, text, len, out, err);
	free(text);
	return rc;
}

void jsonc_free(jsonc_doc_t *doc)
{
	if (!doc)
		return;
	cJSON_Delete(doc->root);
	free(doc->index);
	free(doc->raw);
	free(doc->arena);
	free(doc->file);
	free(doc);
}

void jsonc_retain(jsonc_doc_t *doc, const cJSON *const *keep, size_t n)
{
	size_t i, k = 0, out = 0;

	for (i = 0; i < doc->count; i++) {
		while (k < n && (uintptr_t)keep[k] < (uintptr_t)doc->index[i].node)
			k++;
		if (k < n && keep[k] == doc->index[i].node)
			doc->index[out++] = doc->index[i];
	}
	doc->count = out;
	for (i = k = out = 0; i < doc->nraw; i++) {
		while (k < n && (uintptr_t)keep[k] < (uintptr_t)doc->raw[i].node)
			k++;
		if (k < n && keep[k] == doc->raw[i].node)
			doc->raw[out++] = doc->raw[i];
	}
	doc->nraw = out;
	/* shrinking: a failure keeps the larger block, which is as good */
	if (!doc->count) {
		free(doc->index);
		doc->index = NULL;
	} else {
		pos_entry_t *fit = realloc(doc->index, doc->count * sizeof(*fit));

		if (fit)
			doc->index = fit;
	}
}

cJSON *jsonc_root(const jsonc_doc_t *doc)
{
	return doc ? doc->root : NULL;
}

const char *jsonc_file(const jsonc_doc_t *doc)
{
	return doc ? doc->file : NULL;
}

static const pos_entry_t *lookup(const jsonc_doc_t *doc, const cJSON *node)
{
	pos_entry_t key = { .node = node };

	if (!doc || !node || !doc->count)
		return NULL;
	return bsearch(&key, doc->index, doc->count, sizeof(key), cmp_entry);
}

/* Where node (or its key) was written; 1:1 of the file when unknown. */
static int node_pos(const jsonc_doc_t *doc, const cJSON *node, int of_key,
		    jsonc_pos_t *pos)
{
	const pos_entry_t *p = lookup(doc, node);

	pos->file = doc ? doc->file : NULL;
	pos->line = !p ? 1 : of_key ? p->key_line : p->line;
	pos->column = !p ? 1 : of_key ? p->key_column : p->column;
	return p ? 0 : -ENOENT;
}

int jsonc_value_pos(const jsonc_doc_t *doc, const cJSON *node, jsonc_pos_t *pos)
{
	return node_pos(doc, node, 0, pos);
}

int jsonc_key_pos(const jsonc_doc_t *doc, const cJSON *node, jsonc_pos_t *pos)
{
	return node_pos(doc, node, 1, pos);
}

/* Moves pos (the opening quote's position) to the byte at offset of the
 * decoded string s (node's value, or its key when in_key), counting the
 * bytes each escape of the string as written decodes to (as cJSON decodes
 * them: \uXXXX to 1-3 UTF-8 bytes, a surrogate pair to 4). The scanner
 * has validated the escapes, and a string never spans lines. */
static void pos_in_string(const jsonc_doc_t *doc, const cJSON *node, int in_key,
			  const char *s, size_t offset, jsonc_pos_t *pos)
{
	raw_string_t key = { .node = node, .in_key = in_key };
	const raw_string_t *r = doc->nraw ? bsearch(&key, doc->raw, doc->nraw,
						    sizeof(key), cmp_raw) : NULL;
	const char *text;
	size_t raw = 1, decoded = 0, len;

	if (!r) {
		/* written as decoded: no escape */
		len = strlen(s);
		pos->column += 1 + (int)(offset < len ? offset : len);
		return;
	}
	text = doc->arena + r->at;
	len = r->len;
	while (decoded < offset && raw < len && text[raw] != '"') {
		if (text[raw] != '\\') {
			raw++;
			decoded++;
		} else if (text[raw + 1] != 'u') {
			raw += 2;
			decoded++;
		} else {
			int cp = hex4(text + raw + 2);

			raw += 6;
			if (cp >= 0xd800 && cp < 0xdc00 && text[raw] == '\\' &&
			    text[raw + 1] == 'u') {
				raw += 6;
				decoded += 4;
			} else {
				decoded += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
			}
		}
	}
	pos->column += (int)raw;
}

int jsonc_string_pos(const jsonc_doc_t *doc, const cJSON *node, size_t offset,
		     jsonc_pos_t *pos)
{
	if (jsonc_value_pos(doc, node, pos) || !cJSON_IsString(node))
		return -ENOENT;
	pos_in_string(doc, node, 0, node->valuestring, offset, pos);
	return 0;
}

int jsonc_key_string_pos(const jsonc_doc_t *doc, const cJSON *node,
			 size_t offset, jsonc_pos_t *pos)
{
	/* a keyless node's key position is its value's */
	if (jsonc_key_pos(doc, node, pos) || !node->string)
		return -ENOENT;
	pos_in_string(doc, node, 1, node->string, offset, pos);
	return 0;
}
