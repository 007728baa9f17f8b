/* intern — one shared copy of the short strings a config repeats by the
 * thousand: object keys (AWS attribute names: "GroupName", "CidrBlock"),
 * services and types ("ec2", "security_group"). At 10,000 resources the
 * config's keys alone were 82,000 allocations of a few bytes each.
 *
 * The copies live as long as the process and are never freed: a cJSON
 * node whose key is one is marked cJSON_StringIsConst, and cJSON_Duplicate
 * hands that pointer on to its copies, which may outlive the config they
 * came from. So that input that never repeats (a fuzzer's) cannot grow
 * it without end, the table is bounded (INTERN_MAX strings, each under
 * INTERN_MAX_LEN bytes); past that, intern() declines and the caller keeps
 * its own copy. Thread-safe. */
#ifndef DRIFTD_INTERN_H
#define DRIFTD_INTERN_H

#include <cJSON.h>

#define INTERN_MAX     8192
#define INTERN_MAX_LEN 64

/* The shared copy of s, or NULL when s is too long, the table is full or
 * memory ran out (keep your own copy then). */
const char *intern(const char *s);

/* Every object key under node (not node's own) becomes its shared copy
 * where intern() gives one, marked cJSON_StringIsConst as cJSON's own
 * functions expect. For keys that recur (attribute names), not for keys
 * that never do (resource addresses), which would only fill the table. */
void intern_keys(cJSON *node);

/* How many strings are interned (for tests). */
unsigned intern_count(void);

#endif
