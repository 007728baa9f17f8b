/* ini — the AWS shared config and credentials file format.
 *
 * Sections are "[name]" headers kept verbatim ("default", "profile dev",
 * "services local"). "key = value" or "key: value"; keys are lower-cased like
 * botocore's configparser (lookups ignore case); values
 * are trimmed and taken verbatim (no inline comments). A key with an empty
 * value followed by indented "key = value" lines is a nested sub-section, as
 * the config file uses for "s3 =" settings and "[services name]" sections:
 *
 *   [services local]
 *   ec2 =
 *     endpoint_url = http://127.0.0.1:4566
 *
 * Whole-line comments start with '#' or ';'. Malformed input gives an err_t
 * naming the file and line. */
#ifndef DRIFTD_INI_H
#define DRIFTD_INI_H

#include <stddef.h>

#include "err.h"

#define INI_MAX_FILE  (1024 * 1024)   /* bytes; larger files are refused */
#define INI_MAX_LINE  4096            /* bytes per line, newline excluded */

typedef struct ini ini_t;

/* Parses len bytes of text; name is used in error messages and kept for
 * ini_file(). On success *out is a new ini_t the caller frees with
 * ini_free(). Returns 0 or -EINVAL/-EFBIG/-ENOMEM. */
int ini_parse(const char *name, const char *text, size_t len, ini_t **out,
	      err_t *e);

/* Reads and parses the file at path. A missing file is -ENOENT (with e
 * set), so callers can treat an absent ~/.aws/config as empty. */
int ini_load(const char *path, ini_t **out, err_t *e);

void ini_free(ini_t *ini);

/* The name given to ini_parse or the path given to ini_load. */
const char *ini_file(const ini_t *ini);

/* Non-zero when a "[section]" header with that exact name appears. */
int ini_has_section(const ini_t *ini, const char *section);

/* Section headers in file order (a repeated header appears again);
 * NULL past the end. */
const char *ini_section_at(const ini_t *ini, int index);

/* Calls fn for every setting in file order; subkey is NULL for a top-level
 * key. Stops at the first non-zero return of fn and returns it. */
typedef int (*ini_visit_fn)(void *ctx, const char *section, const char *key,
			    const char *subkey, const char *value, int line);
int ini_foreach(const ini_t *ini, ini_visit_fn fn, void *ctx);

/* The value of key in section, or NULL. Later duplicates win. When line is
 * not NULL it receives the 1-based line the value was set on. The string
 * lives as long as ini. A nested sub-section key has value "". */
const char *ini_get(const ini_t *ini, const char *section, const char *key,
		    int *line);

/* The value of subkey nested under key in section, or NULL. */
const char *ini_get_sub(const ini_t *ini, const char *section,
			const char *key, const char *subkey, int *line);

#endif
