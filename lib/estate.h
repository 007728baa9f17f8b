/* estate — checks across resources that need only the config: mistakes no
 * single resource shows and no emulator catches, because AWS itself
 * accepts every call and the estate then silently does nothing:
 *
 *   alert_keys     an SNS topic that CloudWatch alarms, Budgets or Cost
 *                  Anomaly Detection publish to, encrypted with an AWS
 *                  managed key (whose policy no one can change), or with a
 *                  customer key whose policy does not let that service
 *                  principal use it (kms:GenerateDataKey*, kms:Decrypt).
 *                  SNS developer guide, "Enable compatibility between event
 *                  sources from AWS services and encrypted topics"
 *                  (sns-key-management.html#compatibility-with-aws-services).
 *   backup_tags    an AWS Backup selection whose tag condition matches no
 *                  resource of the config that its Resources cover.
 *   health_checks  a Route 53 health check whose FullyQualifiedDomainName
 *                  is the name of the failover records it guards: "health
 *                  check results will be unpredictable" (Route 53 API
 *                  reference, HealthCheckConfig, FullyQualifiedDomainName).
 *   eks_support    an EKS Kubernetes version past the end of its standard
 *                  support, or a node group AMI type past its end of
 *                  support, by the dated tables in estate.c.
 *   sg_sources     a security group that another group admits as a source
 *                  but that nothing in the config attaches to anything: the
 *                  rule admits no traffic.
 *
 * A value the config leaves to apply time (a key given as a literal ARN,
 * a name made of a reference) is not guessed at: only what the config
 * says is checked. Every problem is one error at file:line:column. */
#ifndef DRIFTD_ESTATE_H
#define DRIFTD_ESTATE_H

#include <time.h>

#include "config.h"

/* Appends each problem of cfg to errs (then sorts them all by position);
 * now is today's date for the support tables. Returns the number of
 * problems found, or -ENOMEM. */
int estate_check(const config_t *cfg, time_t now, config_errors_t *errs);

#endif
