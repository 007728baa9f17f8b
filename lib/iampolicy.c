#include "iampolicy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "reconcile.h"
#include "services.h"
#include "strbuf.h"

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
		if ((a->flags & (RES_SECRET_REF | RES_SECRET_VALUE)) &&
		    (rc = add_ops(set, "secretsmanager", "GetSecretValue")))
			break;
		if ((a->flags & (RES_SECRET_REF | RES_SECRET_VALUE)) &&
		    (rc = add_ops(set, "kms", "Decrypt")))
			break;
		if (!(rc = add_ops(set, t->service, a->update_op)) &&
		    !(rc = add_ops(set, t->service, a->remove_op)) &&
		    !(rc = add_ops(set, t->service, a->plan_ops)))
			if (!(rc = add_ops(set, t->service, a->live_read.op)))
				rc = add_ops(set, t->service, a->generate.op);
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

/* ---- what AWS authorizes how ----------------------------------------- */

/* Write actions driftd calls that AWS authorizes on no resource: the
 * action's "Resource types" column in the Service Authorization Reference
 * is empty, so "*" is the only Resource that names them. Each is printed
 * in a statement of its own service, with nothing else in it. */
static const struct {
	const char *action, *why;
} unscoped[] = {
	{ "acm:RequestCertificate", "ACM defines no resource for a request: the certificate's ARN exists only once AWS made it" },
	{ "ce:CreateAnomalyMonitor", "Cost Explorer authorizes creates on no resource: the monitor's ARN is AWS's answer" },
	{ "ce:CreateAnomalySubscription", "Cost Explorer authorizes creates on no resource: the subscription's ARN is AWS's answer" },
	{ "cloudwatch:PutMetricData", "metrics are no resource; scoped by the cloudwatch:namespace condition instead" },
	{ "eks:CreateCluster", "EKS authorizes CreateCluster on no resource (tags on create by aws:RequestTag)" },
	{ "kms:CreateKey", "a key's ARN is AWS's answer; KMS authorizes CreateKey on no resource" },
	{ "route53:CreateHealthCheck", "Route 53 authorizes CreateHealthCheck on no resource: the id is AWS's answer" },
	{ "route53:CreateHostedZone", "Route 53 authorizes CreateHostedZone on no resource: the id is AWS's answer" },
	{ "ses:PutAccountDetails", "the account's SES settings are no resource" },
	{ "sns:SetSubscriptionAttributes", "SNS defines no subscription resource; only the topic is one" },
	{ "sns:Unsubscribe", "SNS defines no subscription resource; only the topic is one" },
};

/* Writes to resources driftd made, whose every resource type carries
 * aws:ResourceTag (Service Authorization Reference, "Resource types" of
 * the service): allowed only on resources tagged driftd:env = ENV. Tag
 * and untag actions are not here, so that driftd can tag a resource it
 * adopts; creates are not, as their resource has no tags yet; nor is an
 * action that may also name a resource AWS made untagged (rds:
 * ModifyDBInstance names the engine's default parameter and option
 * groups). */
static const char *const by_resource_tag[] = {
	"ec2:AssociateRouteTable", "ec2:AttachInternetGateway", "ec2:CreateRoute",
	"ec2:DeleteInternetGateway", "ec2:DeleteNatGateway", "ec2:DeleteRoute",
	"ec2:DeleteRouteTable", "ec2:DeleteSecurityGroup", "ec2:DeleteSubnet",
	"ec2:DeleteVpc", "ec2:DetachInternetGateway", "ec2:DisassociateRouteTable",
	"ec2:ModifySubnetAttribute", "ec2:ModifyVpcAttribute", "ec2:ReleaseAddress",
	"elasticloadbalancing:DeleteListener", "elasticloadbalancing:DeleteLoadBalancer",
	"elasticloadbalancing:DeleteRule", "elasticloadbalancing:DeleteTargetGroup",
	"elasticloadbalancing:ModifyListener",
	"elasticloadbalancing:ModifyLoadBalancerAttributes",
	"elasticloadbalancing:ModifyRule", "elasticloadbalancing:ModifyTargetGroup",
	"elasticloadbalancing:ModifyTargetGroupAttributes",
	"elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
	"iam:AddClientIDToOpenIDConnectProvider", "iam:AddRoleToInstanceProfile",
	"iam:AttachRolePolicy", "iam:CreatePolicyVersion", "iam:DeleteInstanceProfile",
	"iam:DeleteOpenIDConnectProvider", "iam:DeletePolicy", "iam:DeletePolicyVersion",
	"iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
	"iam:PutRolePermissionsBoundary", "iam:PutRolePolicy",
	"iam:RemoveClientIDFromOpenIDConnectProvider",
	"iam:RemoveRoleFromInstanceProfile", "iam:UpdateAssumeRolePolicy",
	"iam:UpdateOpenIDConnectProviderThumbprint", "iam:UpdateRole",
	"kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey",
	"kms:EnableKeyRotation", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion",
	"kms:UpdateKeyDescription",
	"logs:AssociateKmsKey", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
	"rds:DeleteDBInstance",
	"secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy",
	"secretsmanager:RotateSecret", "secretsmanager:UpdateSecret",
};

/* Creates that carry their tags (driftd's ownership tags among them) and
 * take aws:RequestTag: allowed only when the new resource is tagged
 * driftd:env = ENV. */
static const char *const by_request_tag[] = {
	"ec2:AllocateAddress", "ec2:CreateInternetGateway", "ec2:CreateNatGateway",
	"ec2:CreateRouteTable", "ec2:CreateSecurityGroup", "ec2:CreateSubnet",
	"ec2:CreateVpc",
	"elasticloadbalancing:CreateListener", "elasticloadbalancing:CreateLoadBalancer",
	"elasticloadbalancing:CreateRule", "elasticloadbalancing:CreateTargetGroup",
	"iam:CreateInstanceProfile", "iam:CreateOpenIDConnectProvider",
	"iam:CreatePolicy", "iam:CreateRole",
	"kms:CreateKey", "logs:CreateLogGroup", "rds:CreateDBInstance",
	"secretsmanager:CreateSecret",
};

/* What makes or widens a role's permissions: allowed only for roles that
 * carry driftd's permissions boundary (iam:PermissionsBoundary), so no
 * role driftd makes can do more than the boundary allows, whatever
 * policy the config gives it (IAM User Guide, "Permissions boundaries
 * for IAM entities"). */
static const char *const within_boundary[] = {
	"iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePermissionsBoundary",
	"iam:PutRolePolicy",
};

/* Reads of secrets (a driver's password, restable.h "Drivers"): reads,
 * but of what no one else should get, so scoped like writes. */
static const struct {
	const char *action, *arn, *via;
} secret_reads[] = {
	{ "secretsmanager:GetSecretValue",
	  "arn:{partition}:secretsmanager:{region}:{account}:secret:*", NULL },
	{ "kms:Decrypt", "arn:{partition}:kms:{region}:{account}:key/*",
	  "secretsmanager.{region}.amazonaws.com" },
};

static int in_list(const char *const *list, size_t n, const char *action)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i], action))
			return 1;
	return 0;
}

const char *iampolicy_unscoped_reason(const char *action)
{
	size_t i;

	for (i = 0; i < N_ELEMS(unscoped); i++)
		if (!strcmp(unscoped[i].action, action))
			return unscoped[i].why;
	return NULL;
}

static int is_secret_read(const char *action)
{
	size_t i;

	for (i = 0; i < N_ELEMS(secret_reads); i++)
		if (!strcmp(secret_reads[i].action, action))
			return 1;
	return 0;
}

int iampolicy_is_read(const char *action)
{
	static const char *const verbs[] = { "Describe", "List", "Get", "Head", "View" };
	const char *op = strchr(action, ':');
	size_t i;

	if (!op || is_secret_read(action))
		return 0;
	for (i = 0; i < N_ELEMS(verbs); i++)
		if (!strncmp(op + 1, verbs[i], strlen(verbs[i])))
			return 1;
	return 0;
}

/* ---- ARN patterns ----------------------------------------------------- */

typedef struct gen {
	const config_t *cfg;
	const iampolicy_opts_t *o;
	const char *env;
	err_t *err;
	int oom;
} gen_t;

static void add_patterns(gen_t *g, cJSON *set, const config_resource_t *res,
			 int depth);

/* The resource a value that is one whole ${svc.type.name.Attr} reference
 * names, and its Attr in *attr; NULL for anything else. */
static const config_resource_t *referenced(const gen_t *g, const char *v,
					   const char **attr)
{
	const char *q, *dot3 = NULL;
	char addr[256];
	int dots = 0;

	if (strncmp(v, "${", 2) || v[strlen(v) - 1] != '}' || strstr(v + 2, "${"))
		return NULL;
	for (q = v + 2; *q && *q != '}'; q++)
		if (*q == '.' && ++dots == 3 && !dot3)
			dot3 = q;
	if (!dot3 || (size_t)(dot3 - v - 2) >= sizeof(addr))
		return NULL;
	snprintf(addr, sizeof(addr), "%.*s", (int)(dot3 - v - 2), v + 2);
	*attr = dot3 + 1;
	return config_resource_find(g->cfg, addr);
}

/* Fills {partition}, {region}, {account} and {Attr.Path} of one pattern
 * for res, into set. A value that is one whole reference takes the
 * referenced resource's configured value of that attribute; when it has
 * none and the pattern is only that value (an ARN: "{TopicArn}"), the
 * referenced resource's own patterns are added instead. */
static void fill_pattern(gen_t *g, cJSON *set, const config_resource_t *res,
			 const char *pat, size_t len, int depth)
{
	const config_settings_t *st = config_settings(g->cfg);
	strbuf_t out = STRBUF_INIT;
	const char *p = pat, *end = pat + len, *close, *attr;
	const config_resource_t *to;
	char name[128], path[128];
	const cJSON *v, *lit;

	while (p < end) {
		if (*p != '{' || !(close = memchr(p, '}', (size_t)(end - p)))) {
			strbuf_addn(&out, p++, 1);
			continue;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(close - p - 1), p + 1);
		p = close + 1;
		v = res ? json_get_path(res->body, name) : NULL;
		if (!strcmp(name, "partition")) {
			strbuf_add(&out, g->o && g->o->partition ? g->o->partition : "aws");
		} else if (!strcmp(name, "account")) {
			strbuf_add(&out, g->o && g->o->account ? g->o->account : "*");
		} else if (!strcmp(name, "region")) {
			strbuf_add(&out, res && res->region ? res->region :
				   st->region ? st->region : "*");
		} else if (cJSON_IsString(v) && !strstr(v->valuestring, "${")) {
			strbuf_add(&out, v->valuestring);
		} else if (cJSON_IsString(v) && depth < 4 &&
			   (to = referenced(g, v->valuestring, &attr))) {
			snprintf(path, sizeof(path), "%.*s", (int)strlen(attr) - 1, attr);
			lit = json_get_path(to->body, path);
			if (cJSON_IsString(lit) && !strstr(lit->valuestring, "${")) {
				strbuf_add(&out, lit->valuestring);
			} else if (len == (size_t)(close + 1 - pat) && pat[0] == '{') {
				add_patterns(g, set, to, depth + 1);
				strbuf_free(&out);
				return;
			} else {
				strbuf_add(&out, "*");
			}
		} else {
			strbuf_add(&out, "*");
		}
	}
	if (out.failed) {
		g->oom = 1;
	} else if (out.data && strcmp(out.data, "*")) {
		cJSON *el, *str;

		cJSON_ArrayForEach(el, set)
			if (!strcmp(el->valuestring, out.data))
				break;
		if (!el && (!(str = cJSON_CreateString(out.data)) ||
			    !cJSON_AddItemToArray(set, str)))
			g->oom = 1;
	}
	strbuf_free(&out);
}

/* Every pattern of the type's arn (space-separated) for res. */
static void add_patterns(gen_t *g, cJSON *set, const config_resource_t *res,
			 int depth)
{
	char name[128];
	const res_type_t *t;
	const char *p, *sp;

	snprintf(name, sizeof(name), "%s.%s", res->service, res->type);
	if (!(t = res_table_find(name)) || !t->arn)
		return;
	for (p = t->arn; *p; p = sp + (*sp == ' ')) {
		sp = strchr(p, ' ');
		if (!sp)
			sp = p + strlen(p);
		fill_pattern(g, set, res, p, (size_t)(sp - p), depth);
	}
}

/* ---- statements ------------------------------------------------------- */

static cJSON *add_statement(cJSON *stmts, const char *sid, const char *effect,
			    cJSON *actions, cJSON *resource)
{
	cJSON *st = cJSON_CreateObject();

	if (!st || !cJSON_AddStringToObject(st, "Sid", sid) ||
	    !cJSON_AddStringToObject(st, "Effect", effect)) {
		cJSON_Delete(st);
		cJSON_Delete(actions);
		cJSON_Delete(resource);
		return NULL;
	}
	cJSON_AddItemToObject(st, "Action", actions);
	cJSON_AddItemToObject(st, "Resource", resource);
	cJSON_AddItemToArray(stmts, st);
	return st;
}

/* {"<op>": {"<key>": value}} added as st's Condition (merged). */
static int add_condition(cJSON *st, const char *op, const char *key,
			 const char *value)
{
	cJSON *cond = cJSON_GetObjectItemCaseSensitive(st, "Condition"), *o;

	if (!cond && !(cond = cJSON_AddObjectToObject(st, "Condition")))
		return -ENOMEM;
	if (!(o = cJSON_GetObjectItemCaseSensitive(cond, op)) &&
	    !(o = cJSON_AddObjectToObject(cond, op)))
		return -ENOMEM;
	return cJSON_AddStringToObject(o, key, value) ? 0 : -ENOMEM;
}

/* "Ec2" from "ec2", "Elasticloadbalancing" from "elasticloadbalancing". */
static void sid_of(char *buf, size_t size, const char *prefix, const char *what)
{
	size_t n = 0;
	const char *p;
	int up = 1;

	for (p = prefix; *p && n + 1 < size; p++) {
		if (*p == '-') {
			up = 1;
			continue;
		}
		buf[n++] = up ? (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p) : *p;
		up = 0;
	}
	buf[n] = 0;
	snprintf(buf + n, size - n, "%s", what);
}

static cJSON *strings_of(const cJSON *from)
{
	cJSON *arr = cJSON_Duplicate(from, 1);

	if (arr)
		json_sort_array(arr);
	return arr;
}

static const char *env_of(const config_t *cfg, const iampolicy_opts_t *o)
{
	return o && o->environment ? o->environment :
	       config_settings(cfg)->environment ? config_settings(cfg)->environment : "*";
}

char *iampolicy_boundary_arn(const config_t *cfg, const iampolicy_opts_t *o)
{
	char *arn;

	if (asprintf(&arn, "arn:%s:iam::%s:policy/driftd-%s-boundary",
		     o && o->partition ? o->partition : "aws",
		     o && o->account ? o->account : "*", env_of(cfg, o)) < 0)
		return NULL;
	return arn;
}

/* One service's statements: reads on "*"; creates by aws:RequestTag,
 * changes by aws:ResourceTag, other writes, each on the service's ARN
 * patterns; role writes within the boundary; and the writes AWS
 * authorizes on no resource, on "*". */
static int service_statements(gen_t *g, cJSON *stmts, const char *prefix,
			      const cJSON *actions, const cJSON *patterns,
			      const char *boundary)
{
	enum { READ, CREATE, CHANGE, BOUNDED_CREATE, BOUNDED_CHANGE, WRITE,
	       UNSCOPED, N_CLASSES };
	static const char *const sids[N_CLASSES] = {
		"Read", "CreateTagged", "ChangeTagged", "CreateRoleWithinBoundary",
		"ChangeRoleWithinBoundary", "Write", "WriteUnscoped",
	};
	cJSON *cls[N_CLASSES] = { 0 }, *st, *s;
	const cJSON *a;
	char sid[96];
	int c, rc = 0;

	for (c = 0; c < N_CLASSES; c++)
		if (!(cls[c] = cJSON_CreateArray()))
			rc = -ENOMEM;
	cJSON_ArrayForEach(a, actions) {
		const char *act = a->valuestring;
		int bounded = in_list(within_boundary, N_ELEMS(within_boundary), act);

		if (strncmp(act, prefix, strlen(prefix)) || act[strlen(prefix)] != ':' ||
		    is_secret_read(act))
			continue;
		c = iampolicy_is_read(act) ? READ :
		    iampolicy_unscoped_reason(act) ? UNSCOPED :
		    in_list(by_request_tag, N_ELEMS(by_request_tag), act) ?
			(bounded ? BOUNDED_CREATE : CREATE) :
		    in_list(by_resource_tag, N_ELEMS(by_resource_tag), act) ?
			(bounded ? BOUNDED_CHANGE : CHANGE) : WRITE;
		if (!rc && (!(s = cJSON_CreateString(act)) ||
			    !cJSON_AddItemToArray(cls[c], s)))
			rc = -ENOMEM;
	}
	for (c = 0; !rc && c < N_CLASSES; c++) {
		cJSON *res;

		if (!cJSON_GetArraySize(cls[c]))
			continue;
		if (c != READ && c != UNSCOPED && !cJSON_GetArraySize(patterns)) {
			rc = err_set(g->err, -EINVAL, "%s writes need an ARN pattern "
				     "(restable.h arn) of a configured type", prefix);
			break;
		}
		res = c == READ || c == UNSCOPED ? cJSON_CreateString("*") :
		      strings_of(patterns);
		sid_of(sid, sizeof(sid), prefix, sids[c]);
		if (!(st = add_statement(stmts, sid, "Allow", cls[c], res))) {
			cls[c] = NULL;
			rc = -ENOMEM;
			break;
		}
		cls[c] = NULL;
		if (c == CREATE || c == BOUNDED_CREATE)
			rc = add_condition(st, "StringEquals", "aws:RequestTag/" REC_TAG_ENV,
					   g->env);
		if (!rc && (c == CHANGE || c == BOUNDED_CHANGE))
			rc = add_condition(st, "StringEquals", "aws:ResourceTag/" REC_TAG_ENV,
					   g->env);
		if (!rc && (c == BOUNDED_CREATE || c == BOUNDED_CHANGE))
			rc = add_condition(st, "StringEquals", "iam:PermissionsBoundary",
					   boundary);
		if (!rc && !strcmp(prefix, "cloudwatch") && c == UNSCOPED)
			rc = add_condition(st, "StringEquals", "cloudwatch:namespace",
					   config_settings(g->cfg)->metrics_namespace);
	}
	for (c = 0; c < N_CLASSES; c++)
		cJSON_Delete(cls[c]);
	return rc;
}

/* The service principals a role's trust policy names: where driftd may
 * pass it (iam:PassedToService). */
static int trusted_services(const config_resource_t *role, cJSON *out)
{
	const cJSON *doc = cJSON_GetObjectItemCaseSensitive(role->body,
							     "AssumeRolePolicyDocument");
	cJSON *parsed = NULL, *st, *svc, *el, *s;
	const cJSON *stmts;

	if (cJSON_IsString(doc))
		doc = parsed = cJSON_Parse(doc->valuestring);
	stmts = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
	cJSON_ArrayForEach(st, stmts) {
		svc = json_get_path(st, "Principal.Service");
		if (cJSON_IsString(svc)) {
			if (!(s = cJSON_CreateString(svc->valuestring)))
				goto oom;
			cJSON_AddItemToArray(out, s);
		} else if (cJSON_IsArray(svc)) {
			cJSON_ArrayForEach(el, svc) {
				if (!cJSON_IsString(el))
					continue;
				if (!(s = cJSON_CreateString(el->valuestring)))
					goto oom;
				cJSON_AddItemToArray(out, s);
			}
		}
	}
	cJSON_Delete(parsed);
	json_sort_array(out);
	return 0;
oom:
	cJSON_Delete(parsed);
	return -ENOMEM;
}

/* iam:PassRole on each configured role a service may assume, to that
 * service only. */
static int pass_role_statements(gen_t *g, cJSON *stmts)
{
	const config_resource_t *res;
	cJSON *services, *arns, *st;
	char sid[64];
	size_t i, n = 0;
	int rc = 0;

	for (i = 0; !rc && i < config_resource_count(g->cfg); i++) {
		res = config_resource_at(g->cfg, i);
		if (strcmp(res->service, "iam") || strcmp(res->type, "role"))
			continue;
		if (!(services = cJSON_CreateArray()) || trusted_services(res, services)) {
			cJSON_Delete(services);
			return -ENOMEM;
		}
		if (!cJSON_GetArraySize(services)) {
			cJSON_Delete(services);
			continue;
		}
		if (!(arns = cJSON_CreateArray())) {
			cJSON_Delete(services);
			return -ENOMEM;
		}
		add_patterns(g, arns, res, 0);
		snprintf(sid, sizeof(sid), "PassConfiguredRole%zu", ++n);
		if (!(st = add_statement(stmts, sid, "Allow",
					 cJSON_CreateString("iam:PassRole"), arns))) {
			cJSON_Delete(services);
			return -ENOMEM;
		}
		if (!(cJSON_AddObjectToObject(st, "Condition")) ||
		    !cJSON_AddObjectToObject(cJSON_GetObjectItem(st, "Condition"),
					     "StringEquals")) {
			cJSON_Delete(services);
			return -ENOMEM;
		}
		cJSON_AddItemToObject(json_get_path(st, "Condition.StringEquals"),
				      "iam:PassedToService", services);
	}
	return rc;
}

/* driftd may not loosen or remove the boundary it works within. */
static int boundary_guard(cJSON *stmts, const char *boundary)
{
	static const char *const guarded[] = {
		"iam:CreatePolicyVersion", "iam:DeletePolicy",
		"iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion",
	};
	cJSON *acts = cJSON_CreateStringArray(guarded, (int)N_ELEMS(guarded)), *st;

	if (!add_statement(stmts, "DenyChangingTheBoundary", "Deny", acts,
			   cJSON_CreateString(boundary)))
		return -ENOMEM;
	acts = cJSON_CreateStringArray((const char *const[]){
		"iam:DeleteRolePermissionsBoundary",
		"iam:PutRolePermissionsBoundary" }, 2);
	if (!(st = add_statement(stmts, "DenyRolesWithoutTheBoundary", "Deny", acts,
				 cJSON_CreateString("*"))))
		return -ENOMEM;
	return add_condition(st, "StringNotEquals", "iam:PermissionsBoundary", boundary);
}

/* settings.lease (lib/lease.h): its one table, read and written
 * conditionally, and created when the config says so. */
static int lease_statement(gen_t *g, cJSON *stmts)
{
	const config_lease_t *l = config_settings(g->cfg)->lease;
	cJSON *acts, *tables;
	char pat[400];

	if (!l)
		return 0;
	snprintf(pat, sizeof(pat), "arn:{partition}:dynamodb:{region}:"
		 "{account}:table/%s", l->table);
	acts = cJSON_CreateArray();
	tables = cJSON_CreateArray();
	if (!acts || !tables) {
		cJSON_Delete(acts);
		cJSON_Delete(tables);
		return -ENOMEM;
	}
	fill_pattern(g, tables, NULL, pat, strlen(pat), 0);
	cJSON_AddItemToArray(acts, cJSON_CreateString("dynamodb:DescribeTable"));
	cJSON_AddItemToArray(acts, cJSON_CreateString("dynamodb:GetItem"));
	cJSON_AddItemToArray(acts, cJSON_CreateString("dynamodb:UpdateItem"));
	if (l->create_table)
		cJSON_AddItemToArray(acts,
				     cJSON_CreateString("dynamodb:CreateTable"));
	return add_statement(stmts, "DynamoDbLease", "Allow", acts, tables) ?
	       0 : -ENOMEM;
}

/* Event-driven mode (settings.event_queues, daemon/events.c): the queues'
 * URLs, their messages, and deleting them once handled. DeleteMessage
 * covers DeleteMessageBatch ("You cannot set permissions explicitly for
 * ... DeleteMessageBatch", SQS Developer Guide, Amazon SQS batch
 * actions). A queue ARN as written, or a referenced queue's own ARN
 * patterns (its type's arn); unknown: the account's queues. */
static int event_queue_statement(gen_t *g, cJSON *stmts)
{
	const config_settings_t *st = config_settings(g->cfg);
	cJSON *arns, *acts;
	size_t i, n;

	if (!st->nevent_queues)
		return 0;
	if (!(arns = cJSON_CreateArray()))
		return -ENOMEM;
	for (i = 0; i < st->nevent_queues; i++) {
		const config_event_queue_t *q = &st->event_queues[i];
		const config_resource_t *to = q->ref ?
			config_resource_find(g->cfg, q->ref->address) : NULL;

		n = (size_t)cJSON_GetArraySize(arns);
		if (!q->ref)
			add_unique(arns, q->value);
		else if (to)
			add_patterns(g, arns, to, 0);
		if (q->ref && (size_t)cJSON_GetArraySize(arns) == n)
			fill_pattern(g, arns, NULL, "arn:{partition}:sqs:*:{account}:*",
				     strlen("arn:{partition}:sqs:*:{account}:*"), 0);
	}
	if (!(acts = cJSON_CreateArray()) ||
	    !cJSON_AddItemToArray(acts, cJSON_CreateString("sqs:DeleteMessage")) ||
	    !cJSON_AddItemToArray(acts, cJSON_CreateString("sqs:GetQueueUrl")) ||
	    !cJSON_AddItemToArray(acts, cJSON_CreateString("sqs:ReceiveMessage"))) {
		cJSON_Delete(acts);
		cJSON_Delete(arns);
		return -ENOMEM;
	}
	return add_statement(stmts, "SqsEventQueues", "Allow", acts, arns) ?
	       0 : -ENOMEM;
}

/* What the daemon calls besides the tables (lib/session.c, metrics,
 * alerts, the lease, lib/cloudtrail.c): who it is, who changed a
 * drifted resource (LookupEvents authorizes no resource type: "*",
 * Service Authorization Reference, AWS CloudTrail), its metrics
 * (PutMetricData, in the cloudwatch statements), its lease table, and
 * alerts to settings.alert_topic only. */
static int reporting_statements(gen_t *g, cJSON *stmts)
{
	const config_settings_t *st = config_settings(g->cfg);
	cJSON *topics;

	if (!add_statement(stmts, "StsRead", "Allow",
			   cJSON_CreateString("sts:GetCallerIdentity"),
			   cJSON_CreateString("*")) ||
	    !add_statement(stmts, "CloudTrailLookup", "Allow",
			   cJSON_CreateString("cloudtrail:LookupEvents"),
			   cJSON_CreateString("*")) ||
	    lease_statement(g, stmts) || event_queue_statement(g, stmts))
		return -ENOMEM;
	if (!st->alert_topic)
		return 0;
	if (!(topics = cJSON_CreateArray()))
		return -ENOMEM;
	if (st->alert_topic_ref) {
		const config_resource_t *to =
			config_resource_find(g->cfg, st->alert_topic_ref->address);

		if (to)
			add_patterns(g, topics, to, 0);
	} else {
		cJSON_AddItemToArray(topics, cJSON_CreateString(st->alert_topic));
	}
	if (!cJSON_GetArraySize(topics)) {
		cJSON_Delete(topics);
		return 0;
	}
	return add_statement(stmts, "SnsPublishAlerts", "Allow",
			     cJSON_CreateString("sns:Publish"), topics) ? 0 : -ENOMEM;
}

/* The secrets drivers are handed (RES_SECRET_REF attributes) and secret
 * values are read from (RES_SECRET_VALUE) when config
 * names each by its ARN; none added when any is a reference (its ARN is
 * AWS's answer, and the account's secrets in the region are the scope). */
static int secret_arns(gen_t *g, cJSON *set)
{
	const config_resource_t *res;
	const res_type_t *t;
	const cJSON *v;
	char name[128];
	size_t i, k;

	for (i = 0; i < config_resource_count(g->cfg); i++) {
		res = config_resource_at(g->cfg, i);
		snprintf(name, sizeof(name), "%s.%s", res->service, res->type);
		if (!(t = res_table_find(name)))
			continue;
		for (k = 0; k < t->n_attrs; k++) {
			if (!(t->attrs[k].flags & (RES_SECRET_REF | RES_SECRET_VALUE)) ||
			    !(v = cJSON_GetObjectItemCaseSensitive(res->body,
								   t->attrs[k].name)))
				continue;
			/* A secret's value names its secret {"secret": ID}; one
			 * written in config names none. */
			if ((t->attrs[k].flags & RES_SECRET_VALUE) &&
			    !(v = cJSON_GetObjectItemCaseSensitive(v, "secret")))
				continue;
			if (!cJSON_IsString(v) || strncmp(v->valuestring, "arn:", 4)) {
				while (cJSON_GetArraySize(set))
					cJSON_DeleteItemFromArray(set, 0);
				return 0;
			}
			if (!cJSON_AddItemToArray(set, cJSON_CreateString(v->valuestring)))
				return -ENOMEM;
		}
	}
	json_sort_array(set);
	return 0;
}

static int secret_statements(gen_t *g, cJSON *stmts, const cJSON *actions)
{
	cJSON *set, *st;
	char sid[64], via[128];
	size_t i;

	for (i = 0; i < N_ELEMS(secret_reads); i++) {
		const cJSON *a;

		cJSON_ArrayForEach(a, actions)
			if (!strcmp(a->valuestring, secret_reads[i].action))
				break;
		if (!a)
			continue;
		if (!(set = cJSON_CreateArray()))
			return -ENOMEM;
		if (i == 0 && secret_arns(g, set)) {
			cJSON_Delete(set);
			return -ENOMEM;
		}
		if (!cJSON_GetArraySize(set))
			fill_pattern(g, set, NULL, secret_reads[i].arn,
				     strlen(secret_reads[i].arn), 0);
		snprintf(sid, sizeof(sid), "SecretRead%zu", i + 1);
		if (!(st = add_statement(stmts, sid, "Allow",
					 cJSON_CreateString(secret_reads[i].action), set)))
			return -ENOMEM;
		if (secret_reads[i].via) {
			const char *region = config_settings(g->cfg)->region;

			snprintf(via, sizeof(via), "secretsmanager.%s.amazonaws.com",
				 region ? region : "*");
			if (add_condition(st, region ? "StringEquals" : "StringLike",
					  "kms:ViaService", via))
				return -ENOMEM;
		}
	}
	return 0;
}

/* The IAM prefix of a driftd service ("elbv2" -> "elasticloadbalancing"). */
static void prefix_of(const char *service, char *buf, size_t size)
{
	char action[ACTION_MAX], *colon;

	iampolicy_action(service, "X", action, sizeof(action));
	colon = strchr(action, ':');
	snprintf(buf, size, "%.*s", (int)(colon ? colon - action : 0), action);
}

int iampolicy_for_config(const config_t *cfg, const iampolicy_opts_t *o,
			 cJSON **out, err_t *err)
{
	gen_t g = { cfg, o, NULL, err, 0 };
	cJSON *doc = cJSON_CreateObject(), *stmts = NULL, *actions = cJSON_CreateArray();
	cJSON *prefixes = cJSON_CreateObject(), *p;
	const config_resource_t *res;
	const res_type_t *t;
	char name[128], prefix[64], *boundary = NULL;
	size_t i;
	int rc = -ENOMEM;

	*out = NULL;
	g.env = env_of(cfg, o);
	if (!doc || !actions || !prefixes || !(boundary = iampolicy_boundary_arn(cfg, o)) ||
	    !cJSON_AddStringToObject(doc, "Version", "2012-10-17") ||
	    !(stmts = cJSON_AddArrayToObject(doc, "Statement")))
		goto out;
	rc = 0;
	for (i = 0; !rc && i < config_resource_count(cfg); i++) {
		res = config_resource_at(cfg, i);
		snprintf(name, sizeof(name), "%s.%s", res->service, res->type);
		if (!(t = res_table_find(name))) {
			rc = err_set(err, -EINVAL, "%s: unknown resource type %s",
				     res->address, name);
			goto out;
		}
		rc = add_type(actions, t);
		/* the service's patterns, by IAM prefix */
		prefix_of(res->service, prefix, sizeof(prefix));
		if (!rc && !(p = cJSON_GetObjectItemCaseSensitive(prefixes, prefix)) &&
		    !(p = cJSON_AddArrayToObject(prefixes, prefix)))
			rc = -ENOMEM;
		if (!rc)
			add_patterns(&g, p, res, 0);
	}
	/* The engine also lists the other types of each service used, to
	 * find orphans of types gone from config. */
	for (i = 0; !rc && (t = res_table_at(i)); i++)
		if (res_type_listable(t) && uses_service(cfg, t->service))
			rc = add_reads(actions, t);
	if (!rc)
		rc = add_unique(actions, "cloudwatch:PutMetricData");
	/* Every action gets a statement: a service only another's types
	 * call (no patterns of its own) has its reads on "*", and its writes
	 * are an error below rather than left out. */
	cJSON_ArrayForEach(p, actions) {
		const char *colon = strchr(p->valuestring, ':');

		snprintf(prefix, sizeof(prefix), "%.*s",
			 (int)(colon ? colon - p->valuestring : 0), p->valuestring);
		if (!rc && !is_secret_read(p->valuestring) &&
		    !cJSON_GetObjectItemCaseSensitive(prefixes, prefix) &&
		    !cJSON_AddArrayToObject(prefixes, prefix))
			rc = -ENOMEM;
	}
	json_sort_array(actions);
	if (!rc)
		rc = reporting_statements(&g, stmts);
	cJSON_ArrayForEach(p, prefixes) {
		if (rc)
			break;
		json_sort_array(p);
		rc = service_statements(&g, stmts, p->string, actions, p, boundary);
	}
	if (!rc)
		rc = secret_statements(&g, stmts, actions);
	if (!rc)
		rc = pass_role_statements(&g, stmts);
	if (!rc && uses_service(cfg, "iam"))
		rc = boundary_guard(stmts, boundary);
	if (!rc && g.oom)
		rc = -ENOMEM;
out:
	free(boundary);
	cJSON_Delete(actions);
	cJSON_Delete(prefixes);
	if (rc) {
		if (rc == -ENOMEM)
			err_set(err, rc, "out of memory");
		cJSON_Delete(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

/* A permissions boundary for the roles driftd makes: everything but IAM,
 * Organizations and account changes, so that a role the config gives
 * administrator access still cannot make or widen another role, or
 * itself (IAM User Guide, "Permissions boundaries for IAM entities"). */
int iampolicy_boundary(cJSON **out, err_t *err)
{
	static const char *const denied[] = {
		"account:*", "iam:Add*", "iam:Attach*", "iam:Create*", "iam:Delete*",
		"iam:Detach*", "iam:PassRole", "iam:Put*", "iam:Remove*", "iam:Set*",
		"iam:Tag*", "iam:Untag*", "iam:Update*", "iam:Upload*",
		"organizations:*", "sts:AssumeRole",
	};
	cJSON *doc = cJSON_CreateObject(), *stmts;

	*out = NULL;
	if (!doc || !cJSON_AddStringToObject(doc, "Version", "2012-10-17") ||
	    !(stmts = cJSON_AddArrayToObject(doc, "Statement")) ||
	    !add_statement(stmts, "AllowWhatTheRolePolicyAllows", "Allow",
			   cJSON_CreateString("*"), cJSON_CreateString("*")) ||
	    !add_statement(stmts, "DenyIdentityAndAccountChanges", "Deny",
			   cJSON_CreateStringArray(denied, (int)N_ELEMS(denied)),
			   cJSON_CreateString("*"))) {
		cJSON_Delete(doc);
		return err_set(err, -ENOMEM, "out of memory");
	}
	*out = doc;
	return 0;
}
