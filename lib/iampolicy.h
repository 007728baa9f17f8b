/* iampolicy — the least-privilege IAM policy driftd itself needs: the
 * actions its tables call for the types a config uses, plus what the
 * daemon calls to report (who it is, metrics, alerts). */
#ifndef DRIFTD_IAMPOLICY_H
#define DRIFTD_IAMPOLICY_H

#include <cJSON.h>

#include "config.h"
#include "err.h"
#include "restable.h"

/* Adds every IAM action ("eks:DescribeCluster") the type's table names
 * (reads, read_each, create, remove, tags, attribute updates, removals,
 * plan operations and live reads) to set, a JSON array kept sorted and
 * without duplicates. 0 or -ENOMEM. */
int iampolicy_add_type(cJSON *set, const res_type_t *t);

/* The IAM action AWS checks for one operation of a driftd service:
 * "elbv2", "DescribeLoadBalancers" gives
 * "elasticloadbalancing:DescribeLoadBalancers". Written into buf. */
const char *iampolicy_action(const char *service, const char *op, char *buf,
			     size_t size);

/* The policy document for a loaded config: one Allow statement of the
 * sorted actions of the types the config uses and the reporting actions
 * (sts:GetCallerIdentity, cloudwatch:PutMetricData, sns:Publish,
 * cloudtrail:LookupEvents), on "*".
 * *out is the caller's. 0 or negative with err set. */
int iampolicy_for_config(const config_t *cfg, cJSON **out, err_t *err);

#endif
