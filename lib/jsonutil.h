/* jsonutil — small operations on cJSON trees that cJSON itself lacks:
 * dotted-path lookup, canonical text (sorted keys) for semantic comparison,
 * scalar text, and the name of a value's type for messages. */
#ifndef DRIFTD_JSONUTIL_H
#define DRIFTD_JSONUTIL_H

#include <stddef.h>

#include <cJSON.h>

/* Member at a dotted path ("Endpoint.Address"); NULL when absent. An
 * integer segment indexes an array ("Items.0.Name"). */
cJSON *json_get_path(const cJSON *root, const char *path);
/* Creates intermediate objects; takes ownership of value. 0 or -EINVAL. */
int json_set_path(cJSON *root, const char *path, cJSON *value);
/* Detaches and frees the member at path; 0, or -ENOENT when absent. */
int json_delete_path(cJSON *root, const char *path);

/* Canonical text of a value: object keys sorted, no whitespace, numbers
 * printed as integers when integral. Two values are semantically equal
 * when their canonical texts are. Caller frees with free(). NULL on ENOMEM. */
char *json_canonical(const cJSON *value);
int json_equal(const cJSON *a, const cJSON *b);

/* Text of a scalar for comparison and display: strings as is, numbers
 * canonical, booleans "true"/"false", null "null". NULL for arrays and
 * objects. Caller frees. */
char *json_scalar_text(const cJSON *value);

/* What kind of value v is, for messages: "an object", "an array", "a
 * string", "a number", "a boolean" or "null". */
const char *json_type_name(const cJSON *v);

/* Sorts an array's elements by canonical text and drops duplicates. */
void json_sort_array(cJSON *array);

/* Overwrites every string value in v with zeros (the lengths stay):
 * for trees that held a secret. json_delete_wiped wipes, then
 * cJSON_Deletes. NULL is a no-op for both. */
void json_wipe(cJSON *v);
void json_delete_wiped(cJSON *v);

#endif
