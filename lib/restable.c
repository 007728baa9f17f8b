#include "restable.h"

#include <string.h>

#include "resources/resources.h"
#include "suggest.h"

/* Every service file's table, in the order types are listed. */
static const struct {
	const res_type_t *types;
	const size_t *n;
} services[] = {
	{ res_ec2_types, &res_ec2_n_types },
	{ res_iam_types, &res_iam_n_types },
	{ res_elbv2_types, &res_elbv2_n_types },
	{ res_kms_types, &res_kms_n_types },
	{ res_rds_types, &res_rds_n_types },
	{ res_elasticache_types, &res_elasticache_n_types },
	{ res_secretsmanager_types, &res_secretsmanager_n_types },
	{ res_bedrock_types, &res_bedrock_n_types },
	{ res_logs_types, &res_logs_n_types },
	{ res_cloudwatch_types, &res_cloudwatch_n_types },
	{ res_budgets_types, &res_budgets_n_types },
	{ res_ce_types, &res_ce_n_types },
	{ res_sns_types, &res_sns_n_types },
	{ res_s3_types, &res_s3_n_types },
	{ res_backup_types, &res_backup_n_types },
	{ res_postgres_types, &res_postgres_n_types },
	{ res_eks_types, &res_eks_n_types },
	{ res_route53_types, &res_route53_n_types },
	{ res_acm_types, &res_acm_n_types },
	{ res_sesv2_types, &res_sesv2_n_types },
	{ res_sqs_types, &res_sqs_n_types },
	{ res_events_types, &res_events_n_types },
	{ res_cloudtrail_types, &res_cloudtrail_n_types },
};

#define N_SERVICES (sizeof(services) / sizeof(services[0]))
/* Enough for every type and every attribute of the largest type. */
#define NAMES_MAX 256

const res_type_t *res_table_at(size_t index)
{
	size_t s;

	for (s = 0; s < N_SERVICES; s++) {
		if (index < *services[s].n)
			return &services[s].types[index];
		index -= *services[s].n;
	}
	return NULL;
}

const res_type_t *res_table_find(const char *type_name)
{
	const res_type_t *t;
	size_t i;

	for (i = 0; type_name && (t = res_table_at(i)); i++)
		if (!strcmp(t->name, type_name))
			return t;
	return NULL;
}

const res_attr_t *res_type_attr(const res_type_t *t, const char *name)
{
	size_t i;

	for (i = 0; t && name && i < t->n_attrs; i++)
		if (!strcmp(t->attrs[i].name, name))
			return &t->attrs[i];
	return NULL;
}

int res_template_places(const char *template_json, const char *attr)
{
	size_t n = strlen(attr);
	const char *p = template_json;

	while (p && (p = strstr(p, "\"$attr:"))) {
		p += 7;
		if (!strncmp(p, attr, n) && p[n] == '"')
			return 1;
	}
	return 0;
}

int res_type_listable(const res_type_t *t)
{
	return t->create.op && t->read.op && !t->driver &&
	       !(t->read.params && strstr(t->read.params, "\"$attr:"));
}

const char *res_table_suggest_type(const char *type_name)
{
	const char *names[NAMES_MAX];
	const res_type_t *t;
	size_t n;

	for (n = 0; n < NAMES_MAX && (t = res_table_at(n)); n++)
		names[n] = t->name;
	return suggest_nearest(type_name, names, n);
}

const char *res_type_suggest_attr(const res_type_t *t, const char *name)
{
	const char *names[NAMES_MAX];
	size_t n;

	for (n = 0; n < NAMES_MAX && n < t->n_attrs; n++)
		names[n] = t->attrs[n].name;
	return suggest_nearest(name, names, n);
}
