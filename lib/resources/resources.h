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
extern const res_type_t res_eks_types[];
extern const size_t res_eks_n_types;

/* For plan hooks (res_plan_fn): appends {"op": op, "params": params} to
 * calls, taking params (which may be NULL after a failed allocation).
 * 0 or -ENOMEM. */
int res_plan_call(cJSON *calls, const char *op, cJSON *params);

/* A plan hook for APIs that replace a whole list in one call
 * (SetSubnets, UpdateOpenIDConnectProviderThumbprint): update_op with
 * update_params plus the attribute's whole desired value at its name. */
cJSON *res_plan_whole_set(const res_attr_t *a, const cJSON *desired,
			  const cJSON *added, const cJSON *removed,
			  const cJSON *item, err_t *err);

#endif
