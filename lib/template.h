/* template — fills the request templates of the resource tables (see
 * restable.h for the placeholders) with one resource's values. */
#ifndef DRIFTD_TEMPLATE_H
#define DRIFTD_TEMPLATE_H

#include <cJSON.h>

#include "err.h"

typedef struct tmpl_values {
	const char  *id, *arn, *env, *address, *name, *token;
	const cJSON *value;     /* $value    */
	const cJSON *added;     /* $added    */
	const cJSON *removed;   /* $removed  */
	const cJSON *element;   /* $element  */
	const cJSON *tags;      /* $tags     */
	const cJSON *tag_keys;  /* $tag_keys, and as [{"Key":k}] for
				   $tag_key_objects */
	const cJSON *desired;   /* $attr:Name looks here  */
	const cJSON *live;      /* $live:Path looks here  */
} tmpl_values_t;

/* Parses template_json (NULL or "": {}) and substitutes every placeholder.
 * A placeholder with no value removes its member or element; a member "*"
 * merges the object it names. *out is the caller's to cJSON_Delete.
 * -EINVAL when the template is not a JSON object or names an unknown
 * placeholder (a table bug, so the message names the template). */
int tmpl_fill(const char *template_json, const tmpl_values_t *v, cJSON **out,
	      err_t *err);
/* The same for a template already parsed (a hook's plan); tmpl is not
 * changed. */
int tmpl_fill_tree(const cJSON *tmpl, const tmpl_values_t *v, cJSON **out,
		   err_t *err);

#endif
