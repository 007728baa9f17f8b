/* resources — the per-service tables restable.c registers. Private to
 * lib/: the public face is restable.h. One pair per lib/resources/<svc>.c. */
#ifndef DRIFTD_RESOURCES_H
#define DRIFTD_RESOURCES_H

#include <stddef.h>

#include "restable.h"

extern const res_type_t res_ec2_types[];
extern const size_t res_ec2_n_types;
extern const res_type_t res_iam_types[];
extern const size_t res_iam_n_types;
extern const res_type_t res_elbv2_types[];
extern const size_t res_elbv2_n_types;
extern const res_type_t res_bedrock_types[];
extern const size_t res_bedrock_n_types;
extern const res_type_t res_sns_types[];
extern const size_t res_sns_n_types;
extern const res_type_t res_s3_types[];
extern const size_t res_s3_n_types;
extern const res_type_t res_backup_types[];
extern const size_t res_backup_n_types;
extern const res_type_t res_postgres_types[];
extern const size_t res_postgres_n_types;
extern const res_type_t res_eks_types[];
extern const size_t res_eks_n_types;
extern const res_type_t res_route53_types[];
extern const size_t res_route53_n_types;
extern const res_type_t res_acm_types[];
extern const size_t res_acm_n_types;
extern const res_type_t res_sesv2_types[];
extern const size_t res_sesv2_n_types;

/* route53.c: a DNS name as compared (lower case, trailing dot, octal
 * escapes decoded); NULL on ENOMEM. Caller frees. */
char *route53_name_canonical(const char *name);

/* For plan hooks (res_plan_fn): appends {"op": op, "params": params} to
 * calls, taking params (which may be NULL after a failed allocation).
 * 0 or -ENOMEM. */
int res_plan_call(cJSON *calls, const char *op, cJSON *params);

/* For normalizers: orders the array at member key of obj by each
 * element's member by (numbers by value, strings by bytes; elements
 * without it last, in their order), or by the elements themselves when by
 * is NULL. Lists AWS answers in no promised order then compare equal.
 * Nothing to do when key is not an array. 0 or -ENOMEM. */
int res_sort_members(cJSON *obj, const char *key, const char *by);

/* postgres.c's migration files, for its driver and tests: whether a
 * directory entry is a migration (NAME.sql, not hidden); the migrations of
 * dir in the order they are applied (byte order of names) as a
 * NULL-terminated array freed with pg_names_free; a text's sha256 as 64
 * lower-case hex digits. 0 or a negative code (err set). */
int pg_migration_is_file(const char *name);
int pg_migration_names(const char *dir, char ***out, err_t *err);
void pg_names_free(char **names);
int pg_checksum(const char *text, size_t len, char hex[65]);
/* A plan hook for APIs that replace a whole list in one call
 * (SetSubnets, UpdateOpenIDConnectProviderThumbprint): update_op with
 * update_params plus the attribute's whole desired value at its name. */
cJSON *res_plan_whole_set(const res_attr_t *a, const cJSON *desired,
			  const cJSON *added, const cJSON *removed,
			  const cJSON *item, err_t *err);

#endif
