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

typedef struct iampolicy_opts {
	const char *account;      /* 12 digits; NULL: "*" in ARNs           */
	const char *partition;    /* NULL: "aws"                            */
	const char *environment;  /* NULL: settings.environment             */
} iampolicy_opts_t;

/* Whether an action only reads ("ec2:DescribeVpcs"): Describe, List, Get,
 * Head or View, and not a read of a secret (GetSecretValue, Decrypt). */
int iampolicy_is_read(const char *action);

/* Why AWS authorizes the write action on no resource, so that only "*"
 * names it (a table in iampolicy.c, from the Service Authorization
 * Reference); NULL for an action AWS authorizes on resources. */
const char *iampolicy_unscoped_reason(const char *action);

/* The policy document for a loaded config, per IAM service prefix:
 *   <Svc>Read                  reads, on "*"
 *   <Svc>CreateTagged          creates, aws:RequestTag/driftd:env = ENV
 *   <Svc>ChangeTagged          writes, aws:ResourceTag/driftd:env = ENV
 *   IamCreate/ChangeRoleWithinBoundary  the same, and
 *                              iam:PermissionsBoundary = the boundary
 *   <Svc>Write                 other writes
 *   <Svc>WriteUnscoped         writes AWS authorizes on no resource, "*"
 * every statement but Read and WriteUnscoped on the ARN patterns of the
 * configured resources of that service (restable.h arn); iam:PassRole on
 * each configured role, to the services its trust policy names
 * (iam:PassedToService); Deny statements that keep driftd from changing
 * or dropping its boundary (arn:aws:iam::ACCOUNT:policy/driftd-ENV-
 * boundary); sts:GetCallerIdentity, cloudtrail:LookupEvents,
 * cloudwatch:PutMetricData in settings.metrics_namespace, and sns:Publish
 * on settings.alert_topic.
 * The tables in iampolicy.c say which action is which, from the Service
 * Authorization Reference. *out is the caller's. 0 or negative with err
 * set (-EINVAL: a service's writes with no ARN pattern). */
int iampolicy_for_config(const config_t *cfg, const iampolicy_opts_t *o,
			 cJSON **out, err_t *err);

/* arn:PARTITION:iam::ACCOUNT:policy/driftd-ENV-boundary, malloc'd; NULL
 * on allocation failure. The roles driftd creates must name it in their
 * PermissionsBoundary, or the policy above refuses to create them. */
char *iampolicy_boundary_arn(const config_t *cfg, const iampolicy_opts_t *o);

/* The permissions boundary document the roles driftd creates must carry
 * (driftd policy --boundary): allows what the role's own policies allow,
 * but no IAM, Organizations or account change and no sts:AssumeRole. */
int iampolicy_boundary(cJSON **out, err_t *err);

#endif
