/* schema — config checks driven by the resource tables: the resource type
 * exists, each property is an attribute of it that config may set, with
 * the JSON kind, enum value and syntax (check function) the table asks for,
 * every required attribute is there, and the type's own check hook
 * passes. Values that hold a ${...} reference are not known until apply
 * and are checked only for what their reference allows. */
#ifndef DRIFTD_SCHEMA_H
#define DRIFTD_SCHEMA_H

#include "config.h"

/* For config_load_with_schema. Static; never freed. */
const config_schema_t *schema_config(void);

/* Calls fn for each resource of cfg whose type's driver has a notice to
 * log (restable.h res_driver_t.notice: a safeguard the config explicitly
 * weakens), with the resource's address and the text; how many. */
size_t schema_notices(const config_t *cfg,
		      void (*fn)(void *ctx, const char *address, const char *text),
		      void *ctx);

#endif
