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

#endif
