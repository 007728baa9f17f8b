/* jsonc — JSON with // and block comments, parsed into a cJSON tree plus a
 * position index that maps every value and object key back to
 * file:line:column.
 *
 * The data model is cJSON's; this module only adds what cJSON lacks:
 * comments, strict syntax errors that say what was expected (cJSON accepts
 * or rejects without saying why), a trailing-comma error, limits on size and
 * nesting, and positions. Lines and columns are 1-based; columns count
 * bytes.
 *
 * Memory: the file's text is not kept, only its strings that hold an
 * escape (in any other, a decoded byte is a written byte). */
#ifndef DRIFTD_JSONC_H
#define DRIFTD_JSONC_H

#include <stddef.h>
#include <cJSON.h>

#include "err.h"

#define JSONC_MAX_SIZE  (4u << 20)  /* bytes per file */
#define JSONC_MAX_DEPTH 64          /* nested arrays/objects */
#define JSONC_ARENA_MIN (256u << 10) /* bytes from which a file's tree
				     * lives in cfgmem's arena */

typedef struct jsonc_doc jsonc_doc_t;

typedef struct jsonc_pos {
	const char *file;                /* owned by the doc */
	int line, column;
} jsonc_pos_t;

/* Parses len bytes of text; file is the name used in positions and errors.
 * On success *out is a new doc (free with jsonc_free). On failure returns
 * -EINVAL (syntax), -EFBIG (too large) or -ENOMEM, with err positioned. */
int jsonc_parse(const char *file, const char *text, size_t len,
		jsonc_doc_t **out, err_t *err);

/* Reads and parses a file; path is also the name used in positions. */
int jsonc_load_file(const char *path, jsonc_doc_t **out, err_t *err);

void jsonc_free(jsonc_doc_t *doc);

/* Forgets the positions of every node but the n in keep (sorted by
 * address; repeats allowed): for a doc read and checked, whose later
 * errors can only be at a few nodes. A forgotten node's positions are
 * then the file's start, with -ENOENT. */
void jsonc_retain(jsonc_doc_t *doc, const cJSON *const *keep, size_t n);

/* The tree stays owned by the doc. */
cJSON *jsonc_root(const jsonc_doc_t *doc);
const char *jsonc_file(const jsonc_doc_t *doc);

/* Position of a value (its first byte) or of the key naming it, for any
 * node of this doc's tree. Returns 0, or -ENOENT for a foreign node (the
 * position is then the start of the file). A node without a key (array
 * element, root) gives its value position for the key. */
int jsonc_value_pos(const jsonc_doc_t *doc, const cJSON *node, jsonc_pos_t *pos);
int jsonc_key_pos(const jsonc_doc_t *doc, const cJSON *node, jsonc_pos_t *pos);

/* Position of byte offset (in the decoded valuestring) inside a string
 * value as written, escapes accounted for: where a "${" inside the string
 * sits in the file. -ENOENT for a foreign or non-string node (pos is then
 * the value's or the file's start). The string must still be the one
 * parsed: a caller that rewrites one asks before it does. */
int jsonc_string_pos(const jsonc_doc_t *doc, const cJSON *node, size_t offset,
		     jsonc_pos_t *pos);

/* The same inside the key naming node: where byte offset of node->string
 * sits in the file. -ENOENT for a foreign or keyless node (pos is then the
 * key's, value's or file's start). */
int jsonc_key_string_pos(const jsonc_doc_t *doc, const cJSON *node,
			 size_t offset, jsonc_pos_t *pos);

#endif
