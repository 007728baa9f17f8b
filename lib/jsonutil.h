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

/* Makes *v changeable: a packed value is replaced by its tree (and
 * freed); any other is left. *v must stand alone (in no array or
 * object). 0, or -ENOMEM with *v unchanged. */
int json_thaw(cJSON **v);

/* A packed copy of v, for trees kept long and read seldom (a read's live
 * items): its compact JSON text, in one allocation with the cJSON_Raw
 * node that holds it, marked cJSON_IsReference so that cJSON_Delete frees
 * the one block (cJSON_Duplicate gives an ordinary raw node, packed too).
 * As a cJSON tree, three allocations per value, 10,000 security groups
 * took 48 MiB; packed, 5 MiB. Not readable as a tree: json_unpack gives
 * one. v must be an object or an array; NULL on ENOMEM or for other
 * values. */
cJSON *json_pack(const cJSON *v);
int json_is_packed(const cJSON *v);
/* The tree a packed value holds, an ordinary one (freezing it too cost a
 * large allocation per item, and malloc consolidating its free lists
 * each time: a sixth of a plan's CPU); NULL on ENOMEM, or when v is not
 * packed. Caller deletes. */
cJSON *json_unpack(const cJSON *v);
/* v readable as a tree: v itself, or, when it is packed, its tree in
 * *tmp (the caller deletes *tmp; NULL when v is not packed). NULL when a
 * packed value cannot be opened. */
const cJSON *json_view(const cJSON *v, cJSON **tmp);

#endif
