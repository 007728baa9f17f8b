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
extern const res_type_t res_kms_types[];
extern const size_t res_kms_n_types;
/* kms.c: a normalizer comparing a key ARN as its key id
 * (arn:aws:kms:REGION:ACCOUNT:key/ID is ID); other strings unchanged. */
cJSON *res_kms_key_id(const cJSON *value, err_t *err);
extern const res_type_t res_rds_types[];
extern const size_t res_rds_n_types;
extern const res_type_t res_elasticache_types[];
extern const size_t res_elasticache_n_types;
extern const res_type_t res_secretsmanager_types[];
extern const size_t res_secretsmanager_n_types;
extern const res_type_t res_sqs_types[];
extern const size_t res_sqs_n_types;
extern const res_type_t res_events_types[];
extern const size_t res_events_n_types;
extern const res_type_t res_cloudtrail_types[];
extern const size_t res_cloudtrail_n_types;

/* For plan hooks (res_plan_fn): appends {"op": op, "params": params} to
 * calls, taking params (which may be NULL after a failed allocation).
 * 0 or -ENOMEM. */
int res_plan_call(cJSON *calls, const char *op, cJSON *params);

/* For hooks that build JSON: frees partial (may be NULL), sets err to
 * ENOMEM and returns NULL. */
cJSON *res_nomem(cJSON *partial, err_t *err);

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
/* The libpq sslmode a postgres.migrations resource connects with: its
 * SSLMode, else verify-full. */
const char *pg_sslmode(const cJSON *desired);
/* A plan hook for APIs that replace a whole list in one call
 * (SetSubnets, UpdateOpenIDConnectProviderThumbprint): update_op with
 * update_params plus the attribute's whole desired value at its name. */
cJSON *res_plan_whole_set(const res_attr_t *a, const cJSON *desired,
			  const cJSON *added, const cJSON *removed,
			  const cJSON *item, err_t *err);

/* A normalizer's core: the object {"name": value} or the list
 * [{key_member: name, value_member: value}] as one object of strings (a
 * list element without a value is left out); what names the attribute in
 * the error. */
cJSON *res_kv_map(const cJSON *value, const char *key_member,
		  const char *value_member, const char *what, err_t *err);

/* Parameter groups (RDS, ElastiCache): a normalizer making the object
 * {"name": "value"} or the list [{"ParameterName","ParameterValue"}] one
 * object of strings; a list member without a value is left out. */
cJSON *res_param_map(const cJSON *value, err_t *err);

/* The plan of a parameter group's changed parameters: one call of
 * update_op with update_params plus, at list_member, the desired
 * parameters as [{"ParameterName","ParameterValue"}], each with
 * "ApplyMethod": apply_method when that is not NULL. NULL desired: no
 * call (parameters config drops keep their values). */
cJSON *res_plan_params(const res_attr_t *a, const cJSON *desired,
		       const char *list_member, const char *apply_method,
		       err_t *err);

/* The same for any list of [{key_member: name, value_member: value}]
 * (ELBv2's Modify*Attributes takes [{"Key","Value"}]): the desired object
 * or list, made one object of strings by res_kv_map (what names it in an
 * error), sent whole at list_member. */
cJSON *res_plan_kv_list(const res_attr_t *a, const cJSON *desired,
			const char *list_member, const char *key_member,
			const char *value_member, const char *what,
			const char *apply_method, err_t *err);

/* For fix_live: sets item[into] to the list of each element's member
 * of the array at item[from] (SubnetIds from the subnet group's Subnets'
 * SubnetIdentifier). 0 or -ENOMEM. */
int res_live_pluck(cJSON *item, const char *from, const char *member,
		   const char *into);

/* fix_live of subnet groups (RDS, ElastiCache): SubnetIds from Subnets. */
int res_fix_subnet_ids(const res_type_t *t, cJSON *item, err_t *err);

/* Instance classes and versions, for check hooks (rds.c): the rank of a
 * class's size, the last part of db.t3.micro or cache.r7g.2xlarge (nano 0,
 * micro 1, small 2, medium 3, large 4, xlarge 5, Nxlarge 5+N), -1 when
 * unknown; the major version of "16.3" or "7", -1 when not a version. */
int rds_class_size_rank(const char *cls);
int rds_major_version(const char *version);

/* A plan hook for Put-style updates that send the whole definition
 * (PutMetricAlarm): one call of update_op with update_params, whose
 * "$attr:" placeholders carry every configured member, whatever changed
 * (a set's removals included). */
cJSON *res_plan_update_whole(const res_attr_t *a, const cJSON *desired,
			     const cJSON *added, const cJSON *removed,
			     const cJSON *item, err_t *err);

#endif
