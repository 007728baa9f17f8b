/* estate — checks across the resources of one configuration (see estate.h).
 * Each check is a row of ESTATE_CHECKS; each walks the loaded config and
 * reports through report(). Nothing here calls AWS. */
#include "estate.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonutil.h"

typedef struct estate {
	const config_t *cfg;
	config_errors_t *errs;
	char today[11];              /* YYYY-MM-DD, UTC */
	int found, oom;
} estate_t;

#define ESTATE_CHECKS(X) \
	X(alert_keys) X(backup_tags) X(health_checks) X(eks_support) X(sg_sources)

#define DECLARE(name) static void check_##name(estate_t *st);
ESTATE_CHECKS(DECLARE)
#undef DECLARE

/* ---- reporting and lookups ------------------------------------------ */

static void report(estate_t *st, const config_resource_t *res, const cJSON *node,
		   const config_pos_t *at, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* One error at node (a value of res's body), at *at, or else at res's
 * address. */
static void report(estate_t *st, const config_resource_t *res, const cJSON *node,
		   const config_pos_t *at, const char *fmt, ...)
{
	config_pos_t p = res->pos;
	char msg[ERR_MSG_MAX];
	va_list ap;
	err_t e;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (at)
		p = *at;
	else if (node) {
		config_pos_t q;

		if (!jsonc_value_pos(res->doc, node, &q))
			p = q;
	}
	st->found++;
	err_set_at(&e, -EINVAL, p.file, p.line, p.column, "%s", msg);
	if (config_errors_add(st->errs, &e))
		st->oom = 1;
}

static int is_type(const config_resource_t *res, const char *type)
{
	size_t n = strlen(res->service);

	return !strncmp(type, res->service, n) && type[n] == '.' &&
	       !strcmp(type + n + 1, res->type);
}

/* "sns.topic" of "sns.topic.alerts" */
static int address_is_type(const char *address, const char *type)
{
	size_t n = strlen(type);

	return !strncmp(address, type, n) && address[n] == '.' &&
	       !strchr(address + n + 1, '.');
}

/* The whole reference that node (a string of res's body) is, or NULL. */
static const config_ref_t *ref_at(const config_resource_t *res, const cJSON *node)
{
	size_t i;

	for (i = 0; node && i < res->nrefs; i++)
		if (res->refs[i].node == node && res->refs[i].attribute &&
		    !res->refs[i].in_key)
			return &res->refs[i];
	return NULL;
}

static const char *str(const cJSON *obj, const char *path)
{
	const cJSON *v = json_get_path(obj, path);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A string the config fixes now, not one that waits for apply. */
static int literal(const char *s)
{
	return s && !strstr(s, "${");
}

/* A JSON document given as an object or as its text: *owned is set when
 * the text was parsed and must be freed. */
static const cJSON *document(const cJSON *v, cJSON **owned)
{
	*owned = NULL;
	if (cJSON_IsString(v))
		return *owned = cJSON_Parse(v->valuestring);
	return cJSON_IsObject(v) ? v : NULL;
}

/* A JSON value that is one string or a list of strings contains s (IAM's
 * way: "Action": "x" or ["x", "y"]), under fnmatch patterns when glob. */
static int strings_match(const cJSON *v, const char *s, int glob)
{
	const cJSON *item;

	if (cJSON_IsString(v))
		return glob ? !fnmatch(v->valuestring, s, FNM_CASEFOLD) :
			      !strcasecmp(v->valuestring, s);
	cJSON_ArrayForEach(item, (cJSON_IsArray(v) ? v : NULL))
		if (strings_match(item, s, glob))
			return 1;
	return 0;
}

/* ---- alert_keys ------------------------------------------------------ */

/* Who publishes alerts to SNS on the account's behalf, as the service
 * principal its key policy statement must name. */
#define ALERT_PUBLISHERS(X) \
	X("cloudwatch.metric_alarm",  "CloudWatch alarms",      "cloudwatch.amazonaws.com") \
	X("budgets.budget",           "AWS Budgets",            "budgets.amazonaws.com") \
	X("ce.anomaly_subscription",  "Cost Anomaly Detection", "costalerts.amazonaws.com")

static const struct publisher {
	const char *type, *what, *principal;
} publishers[] = {
#define ROW(type, what, principal) { type, what, principal },
	ALERT_PUBLISHERS(ROW)
#undef ROW
};

/* What a service needs of the key to publish to a topic it encrypts. */
static const char *const key_actions[] = { "kms:GenerateDataKey", "kms:Decrypt" };

/* The first resource of type that refers to address. */
static const config_resource_t *first_user(const config_t *cfg, const char *type,
					   const char *address)
{
	size_t i, r;

	for (i = 0; i < config_resource_count(cfg); i++) {
		const config_resource_t *res = config_resource_at(cfg, i);

		if (!is_type(res, type))
			continue;
		for (r = 0; r < res->nrefs; r++)
			if (res->refs[r].attribute && !strcmp(res->refs[r].address, address))
				return res;
	}
	return NULL;
}

/* "alias/aws/sns", or its ARN: keys AWS manages for a service. */
static int aws_managed_key(const char *id)
{
	return !strncmp(id, "alias/aws/", 10) || strstr(id, ":alias/aws/");
}

/* The kms.key a topic's KmsMasterKeyId names through a reference to the
 * key or to a kms.alias of the config, or by an alias name the config
 * defines; NULL when the config does not say which key it is. */
static const config_resource_t *topic_key(const config_t *cfg,
					  const config_resource_t *topic,
					  const cJSON *kms)
{
	const config_ref_t *ref = ref_at(topic, kms);
	const config_resource_t *res = NULL;
	size_t i;

	if (ref)
		res = config_resource_find(cfg, ref->address);
	else
		for (i = 0; i < config_resource_count(cfg) && !res; i++) {
			const config_resource_t *a = config_resource_at(cfg, i);
			const char *name = str(a->body, "AliasName");

			if (is_type(a, "kms.alias") && name && !strcmp(name, kms->valuestring))
				res = a;
		}
	if (res && is_type(res, "kms.alias")) {
		ref = ref_at(res, cJSON_GetObjectItemCaseSensitive(res->body, "TargetKeyId"));
		res = ref ? config_resource_find(cfg, ref->address) : NULL;
	}
	return res && is_type(res, "kms.key") ? res : NULL;
}

#define N_KEY_ACTIONS (sizeof(key_actions) / sizeof(key_actions[0]))

/* The bits of key_actions one statement allows principal. */
static unsigned statement_allows(const cJSON *s, const char *principal)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(s, "Principal");
	unsigned bits = 0;
	size_t a;

	if (!cJSON_IsObject(s) ||
	    !strings_match(cJSON_GetObjectItemCaseSensitive(s, "Effect"), "Allow", 0))
		return 0;
	/* Everyone counts only without a condition: a condition on
	 * everyone (kms:ViaService, kms:CallerAccount) is how a key lets the
	 * account's own principals use it, which says nothing of a service. */
	if (!strings_match(cJSON_GetObjectItemCaseSensitive(p, "Service"), principal, 0) &&
	    (cJSON_GetObjectItemCaseSensitive(s, "Condition") ||
	     (!strings_match(p, "*", 0) &&
	      !strings_match(cJSON_GetObjectItemCaseSensitive(p, "AWS"), "*", 0))))
		return 0;
	for (a = 0; a < N_KEY_ACTIONS; a++)
		if (strings_match(cJSON_GetObjectItemCaseSensitive(s, "Action"),
				  key_actions[a], 1))
			bits |= 1u << a;
	return bits;
}

/* Whether the key policy's Allow statements let principal do every one of
 * key_actions. A key without a policy in config has the default one,
 * which names only the account. */
static int key_allows(const cJSON *policy, const char *principal)
{
	const cJSON *stmts = cJSON_GetObjectItemCaseSensitive(policy, "Statement");
	const cJSON *s;
	unsigned bits = 0;

	if (cJSON_IsObject(stmts))
		bits = statement_allows(stmts, principal);
	cJSON_ArrayForEach(s, (cJSON_IsArray(stmts) ? stmts : NULL))
		bits |= statement_allows(s, principal);
	return bits == (1u << N_KEY_ACTIONS) - 1;
}

static void check_topic_key(estate_t *st, const config_resource_t *topic,
			    const struct publisher *pub, const config_resource_t *user)
{
	const cJSON *kms = cJSON_GetObjectItemCaseSensitive(topic->body, "KmsMasterKeyId");
	const config_resource_t *key;
	const cJSON *policy;
	cJSON *owned;

	if (!cJSON_IsString(kms))
		return;              /* not encrypted */
	if (literal(kms->valuestring) && aws_managed_key(kms->valuestring)) {
		report(st, topic, kms, NULL, "KmsMasterKeyId \"%s\" is an AWS managed key, "
		       "whose key policy cannot allow %s: %s (%s) cannot publish to %s; use a "
		       "customer managed key whose policy allows %s kms:GenerateDataKey* and "
		       "kms:Decrypt", kms->valuestring, pub->principal, pub->what,
		       user->address, topic->address, pub->principal);
		return;
	}
	if (!(key = topic_key(st->cfg, topic, kms)))
		return;              /* a key the config does not hold */
	policy = document(cJSON_GetObjectItemCaseSensitive(key->body, "KeyPolicy"), &owned);
	if (!policy || !key_allows(policy, pub->principal))
		report(st, key, cJSON_GetObjectItemCaseSensitive(key->body, "KeyPolicy"), NULL,
		       "%s encrypts %s, to which %s (%s) publishes, but its key policy "
		       "does not allow %s kms:GenerateDataKey* and kms:Decrypt: every "
		       "message is dropped", key->address, topic->address, user->address, pub->what,
		       pub->principal);
	cJSON_Delete(owned);
}

static void check_alert_keys(estate_t *st)
{
	size_t i, p;

	for (i = 0; i < config_resource_count(st->cfg); i++) {
		const config_resource_t *topic = config_resource_at(st->cfg, i);

		if (!is_type(topic, "sns.topic"))
			continue;
		for (p = 0; p < sizeof(publishers) / sizeof(publishers[0]); p++) {
			const config_resource_t *user =
				first_user(st->cfg, publishers[p].type, topic->address);

			if (user)
				check_topic_key(st, topic, &publishers[p], user);
		}
	}
}

/* ---- backup_tags ----------------------------------------------------- */

/* What AWS Backup can select among the config's resources: the ARN's
 * service and resource part (matched against the selection's Resources
 * patterns) and where the item's tags are. EBS volumes are made by the
 * EBS CSI driver, which tags them with its add-on's
 * controller.extraVolumeTags. */
typedef struct candidate {
	const config_resource_t *res;
	const char *service;
	char resource[256];
	const cJSON *tags;           /* object, or [{Key, Value}] */
	int default_tags;            /* settings.default_tags apply */
} candidate_t;

static int backup_candidate(const config_resource_t *res, candidate_t *c,
			    cJSON **owned)
{
	const char *name;

	memset(c, 0, sizeof(*c));
	*owned = NULL;
	c->res = res;
	if (is_type(res, "rds.db_instance")) {
		name = str(res->body, "DBInstanceIdentifier");
		c->service = "rds";
		snprintf(c->resource, sizeof(c->resource), "db:%s", name ? name : "");
		c->tags = cJSON_GetObjectItemCaseSensitive(res->body, "Tags");
		c->default_tags = 1;
		return 1;
	}
	if (is_type(res, "s3.bucket")) {
		name = str(res->body, "Bucket");
		c->service = "s3";
		snprintf(c->resource, sizeof(c->resource), "%s", name ? name : "");
		c->tags = cJSON_GetObjectItemCaseSensitive(res->body, "Tags");
		c->default_tags = 1;
		return 1;
	}
	name = str(res->body, "addonName");
	if (is_type(res, "eks.addon") && name && !strcmp(name, "aws-ebs-csi-driver")) {
		const cJSON *values = document(cJSON_GetObjectItemCaseSensitive(
			res->body, "configurationValues"), owned);

		c->service = "ec2";
		snprintf(c->resource, sizeof(c->resource), "volume/vol-0");
		c->tags = json_get_path(values, "controller.extraVolumeTags");
		return 1;
	}
	return 0;
}

static const char *tag_value(const estate_t *st, const candidate_t *c,
			     const char *key)
{
	const cJSON *t, *k;

	if (cJSON_IsObject(c->tags) &&
	    (t = cJSON_GetObjectItemCaseSensitive(c->tags, key)))
		return cJSON_IsString(t) ? t->valuestring : NULL;
	cJSON_ArrayForEach(t, (cJSON_IsArray(c->tags) ? c->tags : NULL)) {
		k = cJSON_GetObjectItemCaseSensitive(t, "Key");
		if (cJSON_IsString(k) && !strcmp(k->valuestring, key))
			return str(t, "Value");
	}
	if (c->default_tags)
		return str(config_settings(st->cfg)->default_tags, key);
	return NULL;
}

/* Whether one of the selection's Resources covers c: "*", an ARN
 * pattern (service and resource part; region and account are the
 * account's own), or a reference to c's resource. */
static int covered(const config_resource_t *sel, const cJSON *resources,
		   const candidate_t *c)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, resources) {
		const config_ref_t *ref = ref_at(sel, item);
		char pat[512], *f[6];
		int n = 0;

		if (ref) {
			if (!strcmp(ref->address, c->res->address))
				return 1;
			continue;
		}
		if (!cJSON_IsString(item))
			continue;
		if (!strcmp(item->valuestring, "*"))
			return 1;
		/* arn:partition:service:region:account:resource, where the
		 * resource part may hold ':' itself (db:name) */
		snprintf(pat, sizeof(pat), "%s", item->valuestring);
		for (f[0] = pat, n = 1; n < 6 && (f[n] = strchr(f[n - 1], ':')); n++)
			*f[n]++ = '\0';
		if (n < 6)
			continue;
		if (!fnmatch(f[2], c->service, 0) && !fnmatch(f[5], c->resource, 0))
			return 1;
	}
	return 0;
}

typedef struct tag_cond {
	const cJSON *at;             /* where to report */
	const char *key, *value;
	int like;
} tag_cond_t;

static int cond_holds(const estate_t *st, const candidate_t *c, const tag_cond_t *t)
{
	const char *v = tag_value(st, c, t->key);

	return v && (t->like ? !fnmatch(t->value, v, 0) : !strcmp(t->value, v));
}

/* Whether some resource the selection covers meets every condition of
 * conds (AND; one condition for ListOfTags, whose entries are ORed). */
static int selects_something(estate_t *st, const config_resource_t *sel,
			     const cJSON *resources, const tag_cond_t *conds,
			     size_t n)
{
	size_t i, k;
	int hit = 0;

	for (i = 0; i < config_resource_count(st->cfg) && !hit; i++) {
		candidate_t c;
		cJSON *owned;

		if (!backup_candidate(config_resource_at(st->cfg, i), &c, &owned))
			continue;
		if (covered(sel, resources, &c))
			for (hit = 1, k = 0; k < n && hit; k++)
				hit = cond_holds(st, &c, &conds[k]);
		cJSON_Delete(owned);
	}
	return hit;
}

static void report_unmatched(estate_t *st, const config_resource_t *sel,
			     const tag_cond_t *t)
{
	report(st, sel, t->at, NULL, "no resource of the config that the selection's "
	       "Resources cover carries the tag %s=%s: %s backs up nothing (tag the "
	       "databases and, through the EBS CSI driver's controller.extraVolumeTags, "
	       "the volumes, or select them by ARN)", t->key, t->value, sel->address);
}

#define MAX_CONDS 32

static void check_selection(estate_t *st, const config_resource_t *sel)
{
	const cJSON *bs = cJSON_GetObjectItemCaseSensitive(sel->body, "BackupSelection");
	const cJSON *resources = cJSON_GetObjectItemCaseSensitive(bs, "Resources");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(bs, "ListOfTags");
	const cJSON *conds = cJSON_GetObjectItemCaseSensitive(bs, "Conditions");
	static const char *const ops[] = { "StringEquals", "StringLike" };
	tag_cond_t all[MAX_CONDS];
	const cJSON *item;
	size_t n = 0, o;

	/* ListOfTags: each entry selects on its own (OR) */
	cJSON_ArrayForEach(item, (cJSON_IsArray(list) ? list : NULL)) {
		tag_cond_t t = { cJSON_GetObjectItemCaseSensitive(item, "ConditionValue"),
				 str(item, "ConditionKey"), str(item, "ConditionValue"), 0 };

		if (literal(t.key) && literal(t.value) &&
		    !selects_something(st, sel, resources, &t, 1))
			report_unmatched(st, sel, &t);
	}
	/* Conditions: all must hold (AND); only the positive ones select */
	for (o = 0; o < 2; o++)
		cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(conds, ops[o])) {
			const char *key = str(item, "ConditionKey");

			if (n == MAX_CONDS || !literal(key) ||
			    strncmp(key, "aws:ResourceTag/", 16) ||
			    !literal(str(item, "ConditionValue")))
				continue;
			all[n].at = cJSON_GetObjectItemCaseSensitive(item, "ConditionValue");
			all[n].key = key + 16;
			all[n].value = str(item, "ConditionValue");
			all[n++].like = o == 1;
		}
	for (o = 0; o < n; o++)
		if (!selects_something(st, sel, resources, &all[o], 1)) {
			report_unmatched(st, sel, &all[o]);
			return;
		}
	if (n > 1 && !selects_something(st, sel, resources, all, n))
		report(st, sel, conds, NULL, "no resource of the config that the "
		       "selection's Resources cover meets all of its Conditions: %s backs "
		       "up nothing", sel->address);
}

static void check_backup_tags(estate_t *st)
{
	size_t i;

	for (i = 0; i < config_resource_count(st->cfg); i++)
		if (is_type(config_resource_at(st->cfg, i), "backup.selection"))
			check_selection(st, config_resource_at(st->cfg, i));
}

/* ---- health_checks --------------------------------------------------- */

/* DNS names compare without case and without the root's dot. */
static int same_dns_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	la -= la && a[la - 1] == '.';
	lb -= lb && b[lb - 1] == '.';
	return la == lb && !strncasecmp(a, b, la);
}

static void check_health_checks(estate_t *st)
{
	size_t i;

	for (i = 0; i < config_resource_count(st->cfg); i++) {
		const config_resource_t *rr = config_resource_at(st->cfg, i), *hc;
		const config_ref_t *ref;
		const cJSON *fqdn;
		const char *name = str(rr->body, "Name");

		if (!is_type(rr, "route53.record_set") || !str(rr->body, "Failover") ||
		    !literal(name))
			continue;
		ref = ref_at(rr, cJSON_GetObjectItemCaseSensitive(rr->body, "HealthCheckId"));
		if (!ref || !address_is_type(ref->address, "route53.health_check") ||
		    !(hc = config_resource_find(st->cfg, ref->address)))
			continue;
		fqdn = json_get_path(hc->body, "HealthCheckConfig.FullyQualifiedDomainName");
		if (cJSON_IsString(fqdn) && literal(fqdn->valuestring) &&
		    same_dns_name(fqdn->valuestring, name))
			report(st, hc, fqdn, NULL, "FullyQualifiedDomainName \"%s\" is the name "
			       "of the failover record %s that this health check guards: Route 53 "
			       "says the results are then unpredictable; check the primary's own "
			       "endpoint (its load balancer's DNS name)", fqdn->valuestring,
			       rr->address);
	}
}

/* ---- eks_support ----------------------------------------------------- */

/* Amazon EKS User Guide, "Understand the Kubernetes version lifecycle on
 * EKS" (kubernetes-versions.html): a minor version has 14 months of
 * standard support from its EKS release, then 12 months of extended
 * support (paid), then the cluster is upgraded by AWS. Versions older than
 * the first row are past both. Rows: version, end of standard support,
 * end of extended support. */
#define EKS_VERSIONS(X) \
	X("1.28", "2024-11-26", "2025-11-26") \
	X("1.29", "2025-03-23", "2026-03-23") \
	X("1.30", "2025-07-23", "2026-07-23") \
	X("1.31", "2025-11-26", "2026-11-26") \
	X("1.32", "2026-03-23", "2027-03-23") \
	X("1.33", "2026-07-29", "2027-07-29") \
	X("1.34", "2026-12-02", "2027-12-02") \
	X("1.35", "2027-03-27", "2028-03-27")

/* Amazon EKS User Guide, "Upgrade from Amazon Linux 2 to Amazon Linux
 * 2023" (al2023.html): EKS stopped publishing EKS optimized Amazon Linux
 * 2 AMIs on 26 November 2025. Rows: AMI type, end of support, successor. */
#define EKS_AMI_TYPES(X) \
	X("AL2_x86_64",     "2025-11-26", "AL2023_x86_64_STANDARD") \
	X("AL2_x86_64_GPU", "2025-11-26", "AL2023_x86_64_NVIDIA") \
	X("AL2_ARM_64",     "2025-11-26", "AL2023_ARM_64_STANDARD")

static const struct eks_version {
	const char *version, *standard_end, *extended_end;
} eks_versions[] = {
#define ROW(v, s, e) { v, s, e },
	EKS_VERSIONS(ROW)
#undef ROW
};

static const struct eks_ami {
	const char *type, *end, *successor;
} eks_amis[] = {
#define ROW(t, e, s) { t, e, s },
	EKS_AMI_TYPES(ROW)
#undef ROW
};

#define N_VERSIONS (sizeof(eks_versions) / sizeof(eks_versions[0]))

static int minor_of(const char *v)
{
	char *end;
	long minor;

	if (strncmp(v, "1.", 2))
		return -1;
	minor = strtol(v + 2, &end, 10);
	return *end || end == v + 2 ? -1 : (int)minor;
}

/* The newest version the table knows is what a message suggests: a
 * message that changed with the date would make no two runs agree. */
static void check_version(estate_t *st, const config_resource_t *res)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(res->body, "version");
	const char *newest = eks_versions[N_VERSIONS - 1].version;
	size_t i;
	int minor;

	if (!cJSON_IsString(v) || (minor = minor_of(v->valuestring)) < 0)
		return;
	if (minor < minor_of(eks_versions[0].version)) {
		report(st, res, v, NULL, "Kubernetes %s is no longer supported by EKS "
		       "(extended support ended before %s); use %s", v->valuestring,
		       eks_versions[0].extended_end, newest);
		return;
	}
	for (i = 0; i < N_VERSIONS; i++)
		if (!strcmp(eks_versions[i].version, v->valuestring) &&
		    strcmp(st->today, eks_versions[i].standard_end) > 0)
			report(st, res, v, NULL, "Kubernetes %s is past the end of its standard "
			       "support in EKS (%s; extended support, at extra cost, until %s); "
			       "use %s", v->valuestring, eks_versions[i].standard_end,
			       eks_versions[i].extended_end, newest);
}

static void check_ami_type(estate_t *st, const config_resource_t *res)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(res->body, "amiType");
	size_t i;

	for (i = 0; cJSON_IsString(t) && i < sizeof(eks_amis) / sizeof(eks_amis[0]); i++)
		if (!strcmp(eks_amis[i].type, t->valuestring) &&
		    strcmp(st->today, eks_amis[i].end) > 0)
			report(st, res, t, NULL, "amiType %s is past its end of support in EKS "
			       "(%s: no new AMIs, no fixes); use %s", t->valuestring,
			       eks_amis[i].end, eks_amis[i].successor);
}

static void check_eks_support(estate_t *st)
{
	size_t i;

	for (i = 0; i < config_resource_count(st->cfg); i++) {
		const config_resource_t *res = config_resource_at(st->cfg, i);

		if (is_type(res, "eks.cluster") || is_type(res, "eks.nodegroup"))
			check_version(st, res);
		if (is_type(res, "eks.nodegroup"))
			check_ami_type(st, res);
	}
}

/* ---- sg_sources ------------------------------------------------------ */

/* Types whose references to a group are rules, not attachments: the
 * group's own rules, and a rule made on its own (whose GroupId is the
 * group it is on; any other reference is its source). */
static int is_rule_type(const config_resource_t *res)
{
	return is_type(res, "ec2.security_group") ||
	       is_type(res, "ec2.security_group_ingress");
}

static int is_source_ref(const config_resource_t *res, const config_ref_t *ref)
{
	return is_rule_type(res) && ref->attribute && !strcmp(ref->attribute, "GroupId") &&
	       ref->node != cJSON_GetObjectItemCaseSensitive(res->body, "GroupId") &&
	       strcmp(ref->address, res->address);
}

/* Whether a resource that is not a rule names the group's id: a load
 * balancer, database, cache, cluster, node group or anything else the
 * group is put on. */
static int attached(const config_t *cfg, const char *group)
{
	size_t i, r;

	for (i = 0; i < config_resource_count(cfg); i++) {
		const config_resource_t *res = config_resource_at(cfg, i);

		if (is_rule_type(res))
			continue;
		for (r = 0; r < res->nrefs; r++)
			if (res->refs[r].attribute && !strcmp(res->refs[r].address, group) &&
			    !strcmp(res->refs[r].attribute, "GroupId"))
				return 1;
	}
	return 0;
}

static void check_sg_sources(estate_t *st)
{
	size_t i, r;

	for (i = 0; i < config_resource_count(st->cfg); i++) {
		const config_resource_t *res = config_resource_at(st->cfg, i);

		for (r = 0; r < res->nrefs; r++) {
			const config_ref_t *ref = &res->refs[r];

			if (!is_source_ref(res, ref) ||
			    !address_is_type(ref->address, "ec2.security_group") ||
			    attached(st->cfg, ref->address))
				continue;
			report(st, res, NULL, &ref->pos, "%s admits %s as a source, but nothing "
			       "in the config attaches %s (no load balancer, database, cache, "
			       "cluster or node group names it): the rule admits no traffic",
			       res->address, ref->address, ref->address);
		}
	}
}

/* ---- entry ----------------------------------------------------------- */

int estate_check(const config_t *cfg, time_t now, config_errors_t *errs)
{
	estate_t st = { .cfg = cfg, .errs = errs };
	struct tm tm;

	if (!gmtime_r(&now, &tm) || !strftime(st.today, sizeof(st.today), "%Y-%m-%d", &tm))
		return -EINVAL;
#define RUN(name) check_##name(&st);
	ESTATE_CHECKS(RUN)
#undef RUN
	config_errors_sort(errs);
	return st.oom ? -ENOMEM : st.found;
}
