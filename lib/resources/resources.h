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
extern const res_type_t res_logs_types[];
extern const size_t res_logs_n_types;
extern const res_type_t res_cloudwatch_types[];
extern const size_t res_cloudwatch_n_types;
extern const res_type_t res_budgets_types[];
extern const size_t res_budgets_n_types;
extern const res_type_t res_ce_types[];
extern const size_t res_ce_n_types;
extern const res_type_t res_sns_types[];
extern const size_t res_sns_n_types;

/* For plan hooks (res_plan_fn): appends {"op": op, "params": params} to
 * calls, taking params (which may be NULL after a failed allocation).
 * 0 or -ENOMEM. */
int res_plan_call(cJSON *calls, const char *op, cJSON *params);

/* A plan hook (res_plan_fn) for APIs that take a whole list or value at
 * once (SetSubnets, UpdateAnomalySubscription's Subscribers): one call of
 * update_op with update_params plus the desired value at the attribute's
 * own name; nothing when config drops it. */
cJSON *res_plan_whole_value(const res_attr_t *a, const cJSON *desired,
			    const cJSON *added, const cJSON *removed,
			    const cJSON *item, err_t *err);

/* A plan hook for Put-style updates that send the whole definition
 * (PutMetricAlarm): one call of update_op with update_params, whose
 * "$attr:" placeholders carry every configured member, whatever changed
 * (a set's removals included). */
cJSON *res_plan_update_whole(const res_attr_t *a, const cJSON *desired,
			     const cJSON *added, const cJSON *removed,
			     const cJSON *item, err_t *err);

#endif
