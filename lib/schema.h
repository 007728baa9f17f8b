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

#endif
