#include "iampolicy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "jsonutil.h"
#include "services.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define ACTION_MAX 160

/* Where the IAM action is not "<signing name>:<operation>": CloudWatch
 * signs as monitoring but is authorized as cloudwatch; Budgets and S3
 * authorize some operations under other action names (Service
 * Authorization Reference, "Actions, resources, and condition keys"). */
static const struct {
	const char *service, *op, *action;
} renamed[] = {
	{ "budgets", "CreateBudget", "budgets:ModifyBudget" },
	{ "budgets", "UpdateBudget", "budgets:ModifyBudget" },
	{ "budgets", "DeleteBudget", "budgets:ModifyBudget" },
	{ "budgets", "CreateNotification", "budgets:ModifyBudget" },
	{ "budgets", "UpdateNotification", "budgets:ModifyBudget" },
	{ "budgets", "DeleteNotification", "budgets:ModifyBudget" },
	{ "budgets", "CreateSubscriber", "budgets:ModifyBudget" },
	{ "budgets", "DeleteSubscriber", "budgets:ModifyBudget" },
	{ "budgets", "DescribeBudget", "budgets:ViewBudget" },
	{ "budgets", "DescribeBudgets", "budgets:ViewBudget" },
	{ "budgets", "DescribeNotificationsForBudget", "budgets:ViewBudget" },
	{ "budgets", "DescribeSubscribersForNotification", "budgets:ViewBudget" },
	{ "s3", "ListBuckets", "s3:ListAllMyBuckets" },
	{ "s3", "HeadBucket", "s3:ListBucket" },
	{ "s3", "ListObjectsV2", "s3:ListBucket" },
	{ "s3", "DeleteBucketTagging", "s3:PutBucketTagging" },
};

static const struct {
	const char *service, *prefix;
} prefixes[] = {
	{ "cloudwatch", "cloudwatch" },
};

/* What the daemon calls besides the tables (lib/session.c, metrics,
 * alerts, who changed a drifted resource: lib/cloudtrail.c). */
static const char *const reporting[] = {
	"sts:GetCallerIdentity", "cloudwatch:PutMetricData", "sns:Publish",
	"cloudtrail:LookupEvents",
};

const char *iampolicy_action(const char *service, const char *op, char *buf,
			     size_t size)
{
	const service_def_t *svc = service_find(service);
	const char *prefix = svc ? svc->signing_name : service;
	size_t i;

	for (i = 0; i < N_ELEMS(renamed); i++)
		if (!strcmp(renamed[i].service, service) && !strcmp(renamed[i].op, op)) {
			snprintf(buf, size, "%s", renamed[i].action);
			return buf;
		}
	for (i = 0; i < N_ELEMS(prefixes); i++)
		if (!strcmp(prefixes[i].service, service))
			prefix = prefixes[i].prefix;
	snprintf(buf, size, "%s:%s", prefix, op);
	return buf;
}

/* Adds text to set unless it is there (set is sorted when complete:
 * cJSON_InsertItemInArray of libcjson 1.7.15 loses items). */
static int add_unique(cJSON *set, const char *text)
{
	cJSON *el, *s;

	cJSON_ArrayForEach(el, set)
		if (!strcmp(el->valuestring, text))
			return 0;
	if (!(s = cJSON_CreateString(text)))
		return -ENOMEM;
	cJSON_AddItemToArray(set, s);
	return 0;
}

/* Adds the action of each operation in ops ("A|B", or one name). */
static int add_ops(cJSON *set, const char *service, const char *ops)
{
	char op[ACTION_MAX], action[ACTION_MAX];
	const char *p = ops, *bar;
	size_t n;
	int rc;

	while (p && *p) {
		bar = strchr(p, '|');
		n = bar ? (size_t)(bar - p) : strlen(p);
		snprintf(op, sizeof(op), "%.*s", (int)n, p);
		if (*op && (rc = add_unique(set, iampolicy_action(service, op, action,
								  sizeof(action)))))
			return rc;
		p = bar ? bar + 1 : NULL;
	}
	return 0;
}

static int add_type(cJSON *set, const res_type_t *t)
{
	const char *type_ops[] = {
		t->read.op, t->read_one.op, t->create.op, t->remove.op,
		t->tag.op, t->untag.op,
	};
	const res_attr_t *a;
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < N_ELEMS(type_ops); i++)
		rc = add_ops(set, t->service, type_ops[i]);
	for (i = 0; !rc && i < RES_MAX_EACH; i++)
		rc = add_ops(set, t->service, t->read_each[i].op);
	for (i = 0; !rc && i < t->n_attrs; i++) {
		a = &t->attrs[i];
		/* The secret a driver is handed (restable.h, "Drivers"),
		 * and the key that decrypts it. */
		if ((a->flags & RES_SECRET_REF) &&
		    (rc = add_ops(set, "secretsmanager", "GetSecretValue")))
			break;
		if ((a->flags & RES_SECRET_REF) && (rc = add_ops(set, "kms", "Decrypt")))
			break;
		if (!(rc = add_ops(set, t->service, a->update_op)) &&
		    !(rc = add_ops(set, t->service, a->remove_op)) &&
		    !(rc = add_ops(set, t->service, a->plan_ops)))
			rc = add_ops(set, t->service, a->live_read.op);
	}
	return rc;
}

/* The read of a type driftd lists for orphans (res_type_listable). */
static int add_reads(cJSON *set, const res_type_t *t)
{
	size_t i;
	int rc = add_ops(set, t->service, t->read.op);

	for (i = 0; !rc && i < RES_MAX_EACH; i++)
		rc = add_ops(set, t->service, t->read_each[i].op);
	return rc;
}

/* Whether the config has a resource of service. */
static int uses_service(const config_t *cfg, const char *service)
{
	size_t i;

	for (i = 0; i < config_resource_count(cfg); i++)
		if (!strcmp(config_resource_at(cfg, i)->service, service))
			return 1;
	return 0;
}

int iampolicy_add_type(cJSON *set, const res_type_t *t)
{
	int rc = add_type(set, t);

	json_sort_array(set);
	return rc;
}

int iampolicy_for_config(const config_t *cfg, cJSON **out, err_t *err)
{
	cJSON *doc = cJSON_CreateObject(), *stmts, *stmt, *actions = NULL;
	const config_resource_t *res;
	const res_type_t *t;
	char name[128];
	size_t i;
	int rc = -ENOMEM;

	*out = NULL;
	if (!doc || !cJSON_AddStringToObject(doc, "Version", "2012-10-17") ||
	    !(stmts = cJSON_AddArrayToObject(doc, "Statement")) ||
	    !(stmt = cJSON_CreateObject()))
		goto out;
	cJSON_AddItemToArray(stmts, stmt);
	if (!cJSON_AddStringToObject(stmt, "Sid", "DriftdConvergesTheConfiguredTypes") ||
	    !cJSON_AddStringToObject(stmt, "Effect", "Allow") ||
	    !(actions = cJSON_AddArrayToObject(stmt, "Action")) ||
	    !cJSON_AddStringToObject(stmt, "Resource", "*"))
		goto out;
	rc = 0;
	for (i = 0; !rc && i < N_ELEMS(reporting); i++)
		rc = add_unique(actions, reporting[i]);
	for (i = 0; !rc && i < config_resource_count(cfg); i++) {
		res = config_resource_at(cfg, i);
		snprintf(name, sizeof(name), "%s.%s", res->service, res->type);
		if (!(t = res_table_find(name))) {
			rc = err_set(err, -EINVAL, "%s: unknown resource type %s",
				     res->address, name);
			goto out;
		}
		rc = add_type(actions, t);
	}
	/* The engine also lists the other types of each service used, to
	 * find orphans of types gone from config. */
	for (i = 0; !rc && (t = res_table_at(i)); i++)
		if (res_type_listable(t) && uses_service(cfg, t->service))
			rc = add_reads(actions, t);
	json_sort_array(actions);
out:
	if (rc) {
		if (rc == -ENOMEM)
			err_set(err, rc, "out of memory");
		cJSON_Delete(doc);
		return rc;
	}
	*out = doc;
	return 0;
}
