/* xml — parse an untrusted XML document with expat into a cJSON tree.
 *
 * Each element becomes an object {"name": local name, "text": character
 * data (trimmed of surrounding whitespace only when the element has child
 * elements), "attrs": {...} when it has attributes, "children": [...]}.
 * Namespace prefixes are dropped from element names. Document type
 * declarations and entity declarations are rejected (no entity expansion),
 * and so is nesting deeper than XML_DEPTH_MAX. Shape-driven conversion to
 * AWS output lives in proto. */
#ifndef DRIFTD_XML_H
#define DRIFTD_XML_H

#include <stddef.h>
#include <cJSON.h>
#include "err.h"

#define XML_DEPTH_MAX 64

/* On success *root is the root element, freed by cJSON_Delete. */
int xml_parse(const char *data, size_t len, cJSON **root, err_t *e);

/* Helpers over the tree; NULL/"" when absent. */
const char *xml_name(const cJSON *el);
const char *xml_text(const cJSON *el);
const char *xml_attr(const cJSON *el, const char *name);
/* First child element with the given local name, or NULL. */
cJSON *xml_child(const cJSON *el, const char *name);
/* Text of the first descendant path "A/B/C" below el, or NULL. */
const char *xml_path_text(const cJSON *el, const char *path);

/* Malloc'd copy of s with &<>"' escaped (free()), NULL on ENOMEM. */
char *xml_escape(const char *s);

#endif
