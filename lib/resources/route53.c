/* Amazon Route 53: hosted zones, record sets and health checks. Member
 * names are the botocore route53 model's (2013-04-01). Route 53 is a
 * global service whose API allows about five requests a second per
 * account (Route 53 quotas, "Limits on API requests"): services.c caps it
 * at two calls in flight and the retry layer backs off on Throttling and
 * PriorRequestNotComplete.
 *
 * Record sets have no id of their own: a record set is its zone, name,
 * type and, for weighted or failover routing, SetIdentifier. They are
 * read per zone (ListResourceRecordSets, paginated) and every write is a
 * ChangeResourceRecordSets change: CREATE at create, a whole-record
 * UPSERT for any change, DELETE with the values Route 53 holds (it
 * refuses a DELETE whose values differ). The engine merges the changes of
 * one zone made in the same turn into one change batch (type.batch). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A change batch holds at most 1,000 ResourceRecord elements and an
 * UPSERT counts twice (Route 53 quotas); 100 changes leaves room for
 * records of several values. */
#define R53_BATCH_MAX 100

/* ---- normalizers ----------------------------------------------------- */

/* A DNS name as Route 53 answers it: lower case, with the trailing dot,
 * and "*" (and other special characters) as an octal escape "\052"
 * (Route 53 Developer Guide, "DNS domain name format"). Both sides are
 * brought to lower case with the dot and the escapes decoded. */
char *route53_name_canonical(const char *name)
{
	size_t n = strlen(name), i, o = 0;
	char *out = malloc(n + 2);

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		if (name[i] == '\\' && i + 3 < n && name[i + 1] >= '0' &&
		    name[i + 1] <= '3' && name[i + 2] >= '0' && name[i + 2] <= '7' &&
		    name[i + 3] >= '0' && name[i + 3] <= '7') {
			out[o++] = (char)((name[i + 1] - '0') * 64 +
					  (name[i + 2] - '0') * 8 + (name[i + 3] - '0'));
			i += 3;
			continue;
		}
		out[o++] = name[i] >= 'A' && name[i] <= 'Z' ?
			   (char)(name[i] - 'A' + 'a') : name[i];
	}
	if (!o || out[o - 1] != '.')
		out[o++] = '.';
	out[o] = '\0';
	return out;
}

static cJSON *r53_name(const cJSON *value, err_t *err)
{
	char *text;
	cJSON *out;

	if (!cJSON_IsString(value) || !*value->valuestring) {
		err_set(err, -EINVAL, "a DNS name must be a non-empty string");
		return NULL;
	}
	text = route53_name_canonical(value->valuestring);
	out = text ? cJSON_CreateString(text) : NULL;
	free(text);
	if (!out)
		err_set(err, -ENOMEM, "out of memory");
	return out;
}

/* ResourceRecords: [{"Value": v}], compared as a set of values. A plain
 * string element is taken as its Value. */
static cJSON *r53_records(const cJSON *value, err_t *err)
{
	cJSON *out, *el, *v;
	const char *text;

	if (!cJSON_IsArray(value)) {
		err_set(err, -EINVAL, "ResourceRecords must be an array of {\"Value\": ...}");
		return NULL;
	}
	if (!(out = cJSON_CreateArray()))
		goto nomem;
	cJSON_ArrayForEach(el, value) {
		v = cJSON_IsObject(el) ? cJSON_GetObjectItemCaseSensitive(el, "Value") : el;
		text = cJSON_IsString(v) ? v->valuestring : NULL;
		if (!text) {
			cJSON_Delete(out);
			err_set(err, -EINVAL, "every ResourceRecords element needs a string Value");
			return NULL;
		}
		if (!(v = cJSON_CreateObject()) || !cJSON_AddStringToObject(v, "Value", text)) {
			cJSON_Delete(v);
			cJSON_Delete(out);
			goto nomem;
		}
		cJSON_AddItemToArray(out, v);
	}
	json_sort_array(out);
	return out;
nomem:
	err_set(err, -ENOMEM, "out of memory");
	return NULL;
}

/* AliasTarget: the DNS name compared as a DNS name (Route 53 answers the
 * load balancer's name in lower case with the dot). */
static cJSON *r53_alias(const cJSON *value, err_t *err)
{
	cJSON *out, *dns, *canon;

	if (!cJSON_IsObject(value)) {
		err_set(err, -EINVAL, "AliasTarget must be an object");
		return NULL;
	}
	if (!(out = cJSON_Duplicate(value, 1))) {
		err_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	dns = cJSON_GetObjectItemCaseSensitive(out, "DNSName");
	if (cJSON_IsString(dns)) {
		if (!(canon = r53_name(dns, err))) {
			cJSON_Delete(out);
			return NULL;
		}
		cJSON_ReplaceItemInObjectCaseSensitive(out, "DNSName", canon);
	}
	return out;
}

/* ---- hooks ----------------------------------------------------------- */

/* A zone's Id is "/hostedzone/Z1..."; the API's URIs and the record
 * sets take the bare "Z1..." (HostedZoneId). */
static int zone_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "Id");
	const char *slash;

	(void)t;
	if (!cJSON_IsString(id))
		return 0;
	slash = strrchr(id->valuestring, '/');
	cJSON_DeleteItemFromObjectCaseSensitive(item, "HostedZoneId");
	if (!cJSON_AddStringToObject(item, "HostedZoneId",
				     slash ? slash + 1 : id->valuestring))
		return err_set(err, -ENOMEM, "out of memory");
	return 0;
}

/* The record is inside the change batch: the engine's top-level copies of
 * the configured attributes are not ChangeResourceRecordSets members. */
static int rrset_fix_create(const res_type_t *t, const cJSON *desired,
			    cJSON *params, err_t *err)
{
	cJSON *m, *next;

	(void)t;
	(void)desired;
	(void)err;
	for (m = params->child; m; m = next) {
		next = m->next;
		if (strcmp(m->string, "HostedZoneId") && strcmp(m->string, "ChangeBatch"))
			cJSON_Delete(cJSON_DetachItemViaPointer(params, m));
	}
	return 0;
}

/* A weighted or failover record needs its SetIdentifier; an alias has no
 * TTL or values, any other record needs both (ResourceRecordSet data
 * type). */
static int rrset_check(const res_type_t *t, const char *environment,
		       const cJSON *desired, const cJSON **at, err_t *err)
{
	int alias = cJSON_HasObjectItem(desired, "AliasTarget");
	int routed = cJSON_HasObjectItem(desired, "Weight") ||
		     cJSON_HasObjectItem(desired, "Failover");

	(void)t;
	(void)environment;
	(void)at;
	if (routed && !cJSON_HasObjectItem(desired, "SetIdentifier"))
		return err_set(err, -EINVAL, "a weighted or failover record "
			       "needs a SetIdentifier");
	if (alias && (cJSON_HasObjectItem(desired, "TTL") ||
		      cJSON_HasObjectItem(desired, "ResourceRecords")))
		return err_set(err, -EINVAL, "an alias record (AliasTarget) "
			       "takes no TTL or ResourceRecords");
	if (!alias && !cJSON_HasObjectItem(desired, "ResourceRecords"))
		return err_set(err, -EINVAL, "a record needs ResourceRecords or "
			       "an AliasTarget");
	return 0;
}

/* UpdateHealthCheck takes the configuration's members at the top level,
 * without those fixed at create (Type, RequestInterval, MeasureLatency,
 * RoutingControlArn). */
static cJSON *hc_plan_update(const res_attr_t *a, const cJSON *desired,
			     const cJSON *added, const cJSON *removed,
			     const cJSON *item, err_t *err)
{
	static const char *const fixed[] = {
		"Type", "RequestInterval", "MeasureLatency", "RoutingControlArn",
	};
	cJSON *calls = cJSON_CreateArray(), *params = NULL, *m;
	size_t i;

	(void)added;
	(void)removed;
	(void)item;
	if (!calls)
		goto nomem;
	if (!desired)
		return calls;
	if (!(params = cJSON_Parse(a->update_params)))
		goto nomem;
	cJSON_ArrayForEach(m, desired) {
		for (i = 0; i < N_ELEMS(fixed) && strcmp(fixed[i], m->string); i++)
			;
		if (i == N_ELEMS(fixed) &&
		    !cJSON_AddItemToObject(params, m->string, cJSON_Duplicate(m, 1)))
			goto nomem;
	}
	if (res_plan_call(calls, a->update_op, params))
		goto nomem_calls;
	return calls;
nomem:
	cJSON_Delete(params);
nomem_calls:
	cJSON_Delete(calls);
	err_set(err, -ENOMEM, "out of memory");
	return NULL;
}

/* ---- tables ---------------------------------------------------------- */

#define R53_TAGS(rtype) \
	{ .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE, \
	  .live_read = { "ListTagsForResource", \
			 "{\"ResourceType\":\"" rtype "\",\"ResourceId\":\"$id\"}", \
			 "ResourceTagSet.Tags" } }

#define R53_TAGGED(rtype) \
	.tag = { "ChangeTagsForResource", "{\"ResourceType\":\"" rtype "\"," \
		 "\"ResourceId\":\"$id\",\"AddTags\":\"$tags\"}", NULL }, \
	.untag = { "ChangeTagsForResource", "{\"ResourceType\":\"" rtype "\"," \
		   "\"ResourceId\":\"$id\",\"RemoveTagKeys\":\"$tag_keys\"}", NULL }, \
	.tag_style = RES_TAGS_LIST

static const res_attr_t zone_attrs[] = {
	{ .name = "Name", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED | RES_CASE_INSENSITIVE, .normalize = r53_name },
	{ .name = "Comment", .live_path = "Config.Comment", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, .flags = RES_NOT_IN_CREATE,
	  .update_op = "UpdateHostedZoneComment",
	  .update_params = "{\"Id\":\"$id\",\"Comment\":\"$value\"}" },
	R53_TAGS("hostedzone"),
	{ .name = "HostedZoneId", .mutability = RES_READ_ONLY },
	{ .name = "Id", .mutability = RES_READ_ONLY },
	/* The four name servers Route 53 gave the zone, which the parent
	 * zone's NS record must name for the zone to answer at all
	 * (GetHostedZone's DelegationSet; ListHostedZones has none). Another
	 * account's config delegates to them: contrib/docs/dns-delegation.md. */
	{ .name = "NameServers", .mutability = RES_READ_ONLY,
	  .live_read = { "GetHostedZone", "{\"Id\":\"$id\"}", "DelegationSet.NameServers",
			 NULL } },
};

/* The record as the change batch carries it, from the desired record. */
#define RRSET_DESIRED \
	"{\"Name\":\"$attr:Name\",\"Type\":\"$attr:Type\"," \
	"\"SetIdentifier\":\"$attr:SetIdentifier\",\"Weight\":\"$attr:Weight\"," \
	"\"Failover\":\"$attr:Failover\",\"MultiValueAnswer\":\"$attr:MultiValueAnswer\"," \
	"\"TTL\":\"$attr:TTL\",\"ResourceRecords\":\"$attr:ResourceRecords\"," \
	"\"AliasTarget\":\"$attr:AliasTarget\",\"HealthCheckId\":\"$attr:HealthCheckId\"}"
/* ... and as Route 53 holds it, for a DELETE. */
#define RRSET_LIVE \
	"{\"Name\":\"$live:Name\",\"Type\":\"$live:Type\"," \
	"\"SetIdentifier\":\"$live:SetIdentifier\",\"Weight\":\"$live:Weight\"," \
	"\"Failover\":\"$live:Failover\",\"MultiValueAnswer\":\"$live:MultiValueAnswer\"," \
	"\"TTL\":\"$live:TTL\",\"ResourceRecords\":\"$live:ResourceRecords\"," \
	"\"AliasTarget\":\"$live:AliasTarget\",\"HealthCheckId\":\"$live:HealthCheckId\"}"
#define RRSET_CHANGE(action, rrset) \
	"{\"HostedZoneId\":\"$attr:HostedZoneId\",\"ChangeBatch\":{\"Changes\":" \
	"[{\"Action\":\"" action "\",\"ResourceRecordSet\":" rrset "}]}}"
/* Every change of a record set is one whole-record UPSERT (the template,
 * filled from the whole desired record); the engine makes it once however
 * many attributes changed. */
#define UPSERT \
	.update_op = "ChangeResourceRecordSets", \
	.update_params = RRSET_CHANGE("UPSERT", RRSET_DESIRED), .plan = res_plan_update_whole

static const res_attr_t rrset_attrs[] = {
	{ .name = "HostedZoneId", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "Name", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED | RES_CASE_INSENSITIVE, .normalize = r53_name },
	{ .name = "Type", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED,
	  .enum_values = "SOA|A|TXT|NS|CNAME|MX|NAPTR|PTR|SRV|SPF|AAAA|CAA|DS" },
	{ .name = "SetIdentifier", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "Weight", .kind = RES_SCALAR, .mutability = RES_IN_PLACE, UPSERT },
	{ .name = "Failover", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .enum_values = "PRIMARY|SECONDARY", UPSERT },
	{ .name = "MultiValueAnswer", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  UPSERT },
	{ .name = "TTL", .kind = RES_SCALAR, .mutability = RES_IN_PLACE, UPSERT },
	{ .name = "ResourceRecords", .kind = RES_SET, .mutability = RES_IN_PLACE,
	  .normalize = r53_records, UPSERT },
	{ .name = "AliasTarget", .kind = RES_OBJECT, .mutability = RES_IN_PLACE,
	  .normalize = r53_alias, UPSERT },
	{ .name = "HealthCheckId", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  UPSERT },
};

static const res_attr_t hc_attrs[] = {
	{ .name = "HealthCheckConfig", .kind = RES_OBJECT, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .update_op = "UpdateHealthCheck",
	  .update_params = "{\"HealthCheckId\":\"$id\"}", .plan = hc_plan_update },
	R53_TAGS("healthcheck"),
	{ .name = "Id", .mutability = RES_READ_ONLY },
	{ .name = "HealthCheckVersion", .mutability = RES_READ_ONLY },
};

static const res_hooks_t zone_hooks = { .fix_live = zone_fix_live };
static const res_hooks_t rrset_hooks = {
	.fix_create = rrset_fix_create, .check = rrset_check,
};

static const char *const zone_identity[] = { "Name", NULL };
static const char *const rrset_identity[] = {
	"HostedZoneId", "Name", "Type", "SetIdentifier", NULL,
};
static const char *const after_zone[] = {
	"route53.hosted_zone", "route53.health_check", "elbv2.load_balancer", NULL,
};

const res_type_t res_route53_types[] = {
	{ .name = "route53.hosted_zone", .arn = "arn:{partition}:route53:::hostedzone/*", .service = "route53",
	  .summary = "a public hosted zone: the DNS of one domain",
	  .identity = RES_ID_NAME, .name_attrs = zone_identity,
	  .id_path = "HostedZoneId",
	  .read = { "ListHostedZones", "{}", "HostedZones" },
	  .read_one = { "GetHostedZone", "{\"Id\":\"$id\"}", "HostedZone" },
	  /* CallerReference makes a retried create return the same zone. */
	  .create = { "CreateHostedZone", "{\"CallerReference\":\"$token\"}", "HostedZone" },
	  .remove = { "DeleteHostedZone", "{\"Id\":\"$id\"}", NULL },
	  R53_TAGGED("hostedzone"),
	  .attrs = zone_attrs, .n_attrs = N_ELEMS(zone_attrs), .hooks = &zone_hooks },
	{ .name = "route53.record_set", .arn = "arn:{partition}:route53:::hostedzone/*", .service = "route53",
	  .summary = "a record set of a hosted zone: simple, alias, weighted or failover",
	  .identity = RES_ID_NAME, .name_attrs = rrset_identity,
	  .id_path = "Name",
	  /* 300 a page, Route 53's most (its default is 100). */
	  .read = { "ListResourceRecordSets",
		    "{\"HostedZoneId\":\"$attr:HostedZoneId\",\"MaxItems\":\"300\"}",
		    "ResourceRecordSets" },
	  .create = { "ChangeResourceRecordSets", RRSET_CHANGE("CREATE", RRSET_DESIRED), NULL },
	  .create_item = "ChangeBatch.Changes.0.ResourceRecordSet",
	  .remove = { "ChangeResourceRecordSets", RRSET_CHANGE("DELETE", RRSET_LIVE), NULL },
	  .batch = { "ChangeResourceRecordSets", "ChangeBatch.Changes", R53_BATCH_MAX },
	  .depends_on_types = after_zone,
	  .attrs = rrset_attrs, .n_attrs = N_ELEMS(rrset_attrs), .hooks = &rrset_hooks },
	{ .name = "route53.health_check", .arn = "arn:{partition}:route53:::healthcheck/*", .service = "route53",
	  .summary = "a health check of an endpoint (failover records use it)",
	  .identity = RES_ID_TAGS, .id_path = "Id",
	  .read = { "ListHealthChecks", "{}", "HealthChecks" },
	  .read_each = {
		{ "ListTagsForResource",
		  "{\"ResourceType\":\"healthcheck\",\"ResourceId\":\"$id\"}",
		  "ResourceTagSet.Tags", "Tags", NULL },
	  },
	  .read_one = { "GetHealthCheck", "{\"HealthCheckId\":\"$id\"}", "HealthCheck" },
	  .create = { "CreateHealthCheck", "{\"CallerReference\":\"$token\"}", "HealthCheck" },
	  .remove = { "DeleteHealthCheck", "{\"HealthCheckId\":\"$id\"}", NULL },
	  R53_TAGGED("healthcheck"),
	  .attrs = hc_attrs, .n_attrs = N_ELEMS(hc_attrs) },
};

const size_t res_route53_n_types = N_ELEMS(res_route53_types);
