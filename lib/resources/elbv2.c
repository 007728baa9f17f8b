/* Elastic Load Balancing v2: application load balancers, target groups,
 * listeners and listener rules. Member names are the botocore elbv2 model's
 * (2015-12-01). Load balancers and target groups have unique names per
 * region and are read in one paginated Describe call each. Listeners can
 * only be described per load balancer and rules per listener
 * (DescribeListeners, DescribeRules), so those reads are scoped: one call
 * per load balancer or listener the config names. Tags and attributes are
 * not in any Describe answer: DescribeTags and Describe*Attributes are
 * live_reads, one call per resource (DescribeTags takes up to 20 ARNs, but
 * the engine has no batched per-type extra read yet). Registered targets
 * are not modelled: the cluster's load balancer controller
 * (TargetGroupBinding) owns them, so they are never drift. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define TAGS_ATTR \
	{ .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE, \
	  .live_read = { "DescribeTags", "{\"ResourceArns\":[\"$id\"]}", \
			 "TagDescriptions.0.Tags" } }

/* ---- attributes: [{"Key","Value"}] in AWS, a map in config ----------- */

/* Load balancer and target group attributes are strings in AWS
 * ("deletion_protection.enabled": "true"); config may say true or 60. */
static cJSON *elb_attr_map(const cJSON *value, err_t *err)
{
	return res_kv_map(value, "Key", "Value", "Attributes", err);
}

/* Modify*Attributes takes only the attributes it changes, as a list;
 * update_params names the resource, the hook adds the list. */
static cJSON *elb_plan_attrs(const res_attr_t *a, const cJSON *desired,
			     const cJSON *added, const cJSON *removed,
			     const cJSON *item, err_t *err)
{
	(void)added;
	(void)removed;
	(void)item;
	return res_plan_kv_list(a, desired, "Attributes", "Key", "Value",
				"Attributes", NULL, err);
}

/* ---- listener and rule actions --------------------------------------- */

/* AWS fills in what a redirect leaves out with the request's own parts
 * (RedirectActionConfig: "#{protocol}", "#{port}", "#{host}", "/#{path}",
 * "#{query}"); both sides get the defaults so that a config without them
 * is in sync. */
static int redirect_defaults(cJSON *cfg)
{
	static const char *const defaults[][2] = {
		{ "Protocol", "#{protocol}" }, { "Port", "#{port}" },
		{ "Host", "#{host}" }, { "Path", "/#{path}" },
		{ "Query", "#{query}" },
	};
	size_t i;

	for (i = 0; i < N_ELEMS(defaults); i++)
		if (!cJSON_GetObjectItemCaseSensitive(cfg, defaults[i][0]) &&
		    !cJSON_AddStringToObject(cfg, defaults[i][0], defaults[i][1]))
			return -ENOMEM;
	return 0;
}

/* A forward to one target group is answered with both TargetGroupArn and
 * a ForwardConfig of that group at weight 1 without stickiness (Action
 * data type, ForwardActionConfig). One group without stickiness becomes
 * TargetGroupArn alone; weighted forwards keep ForwardConfig, with AWS's
 * defaults (weight 1, stickiness off) made explicit. */
static int forward_canonical(cJSON *action)
{
	cJSON *fc = cJSON_GetObjectItemCaseSensitive(action, "ForwardConfig");
	cJSON *groups = cJSON_GetObjectItemCaseSensitive(fc, "TargetGroups");
	cJSON *sticky = cJSON_GetObjectItemCaseSensitive(fc, "TargetGroupStickinessConfig");
	cJSON *enabled = cJSON_GetObjectItemCaseSensitive(sticky, "Enabled");
	cJSON *g, *arn;

	if (!fc)
		return 0;
	if (cJSON_GetArraySize(groups) == 1 && !cJSON_IsTrue(enabled)) {
		arn = cJSON_GetObjectItemCaseSensitive(groups->child, "TargetGroupArn");
		if (!cJSON_IsString(arn))
			return 0;
		cJSON_DeleteItemFromObjectCaseSensitive(action, "TargetGroupArn");
		if (!cJSON_AddStringToObject(action, "TargetGroupArn", arn->valuestring))
			return -ENOMEM;
		cJSON_DeleteItemFromObjectCaseSensitive(action, "ForwardConfig");
		return 0;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(action, "TargetGroupArn");
	cJSON_ArrayForEach(g, groups)
		if (!cJSON_GetObjectItemCaseSensitive(g, "Weight") &&
		    !cJSON_AddNumberToObject(g, "Weight", 1))
			return -ENOMEM;
	if (!sticky && !(sticky = cJSON_AddObjectToObject(fc, "TargetGroupStickinessConfig")))
		return -ENOMEM;
	if (!cJSON_GetObjectItemCaseSensitive(sticky, "Enabled") &&
	    !cJSON_AddFalseToObject(sticky, "Enabled"))
		return -ENOMEM;
	return 0;
}

/* Actions as compared: Order dropped (the list's order is the order),
 * redirect defaults filled in, forwards in one form. */
static cJSON *elb_actions(const cJSON *value, err_t *err)
{
	cJSON *out, *action, *type, *rc;
	int rc_code = 0;

	if (!cJSON_IsArray(value)) {
		err_set(err, -EINVAL, "actions must be an array of actions");
		return NULL;
	}
	if (!(out = cJSON_Duplicate(value, 1)))
		return res_nomem(NULL, err);
	cJSON_ArrayForEach(action, out) {
		type = cJSON_GetObjectItemCaseSensitive(action, "Type");
		if (!cJSON_IsObject(action) || !cJSON_IsString(type)) {
			cJSON_Delete(out);
			err_set(err, -EINVAL, "every action needs a Type");
			return NULL;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(action, "Order");
		rc = cJSON_GetObjectItemCaseSensitive(action, "RedirectConfig");
		if (!strcmp(type->valuestring, "redirect") && cJSON_IsObject(rc))
			rc_code = redirect_defaults(rc);
		else if (!strcmp(type->valuestring, "forward"))
			rc_code = forward_canonical(action);
		if (rc_code)
			return res_nomem(out, err);
	}
	return out;
}

/* A condition's values are answered twice, in the legacy Values and in
 * the field's own config (RuleCondition data type); compared as the
 * field's config with its values sorted, conditions in any order. */
static cJSON *elb_conditions(const cJSON *value, err_t *err)
{
	static const char *const fields[][2] = {
		{ "host-header", "HostHeaderConfig" },
		{ "path-pattern", "PathPatternConfig" },
	};
	cJSON *out, *cond, *field, *legacy, *cfg, *vals;
	size_t i;

	if (!cJSON_IsArray(value)) {
		err_set(err, -EINVAL, "Conditions must be an array of conditions");
		return NULL;
	}
	if (!(out = cJSON_Duplicate(value, 1)))
		return res_nomem(NULL, err);
	cJSON_ArrayForEach(cond, out) {
		field = cJSON_GetObjectItemCaseSensitive(cond, "Field");
		legacy = cJSON_DetachItemFromObjectCaseSensitive(cond, "Values");
		for (i = 0; cJSON_IsString(field) && i < N_ELEMS(fields); i++) {
			if (strcmp(field->valuestring, fields[i][0]))
				continue;
			cfg = cJSON_GetObjectItemCaseSensitive(cond, fields[i][1]);
			if (!cfg && cJSON_GetArraySize(legacy) &&
			    (cfg = cJSON_AddObjectToObject(cond, fields[i][1])))
				cJSON_AddItemToObject(cfg, "Values", cJSON_Duplicate(legacy, 1));
			vals = cJSON_GetObjectItemCaseSensitive(cfg, "Values");
			if (cJSON_IsArray(vals))
				json_sort_array(vals);
		}
		/* Fields without a config of their own keep Values. */
		if (cJSON_IsArray(legacy) && cJSON_GetArraySize(cond) == 1 &&
		    cJSON_GetArraySize(legacy))
			cJSON_AddItemToObject(cond, "Values", legacy);
		else
			cJSON_Delete(legacy);
	}
	json_sort_array(out);
	return out;
}

/* DescribeRules answers Priority as a string ("10", "default");
 * CreateRule takes a number. */
static cJSON *elb_priority(const cJSON *value, err_t *err)
{
	char *end;
	double n;

	if (cJSON_IsNumber(value))
		return cJSON_CreateNumber(value->valuedouble);
	if (cJSON_IsString(value)) {
		n = strtod(value->valuestring, &end);
		if (end != value->valuestring && !*end)
			return cJSON_CreateNumber(n);
		return cJSON_CreateString(value->valuestring);
	}
	err_set(err, -EINVAL, "Priority must be a number");
	return NULL;
}

/* ---- live fixes ------------------------------------------------------ */

/* A load balancer's subnets are only in AvailabilityZones; Subnets is
 * made from them, the list SetSubnets takes. */
/* CloudWatch names a load balancer by the end of its ARN
 * (arn:...:loadbalancer/app/NAME/ID gives the LoadBalancer dimension
 * app/NAME/ID; Application Load Balancer metrics), which alarms need. */
static int lb_full_name(cJSON *item)
{
	const cJSON *arn = cJSON_GetObjectItemCaseSensitive(item, "LoadBalancerArn");
	const char *at;

	cJSON_DeleteItemFromObjectCaseSensitive(item, "LoadBalancerFullName");
	if (!cJSON_IsString(arn) || !(at = strstr(arn->valuestring, ":loadbalancer/")))
		return 0;
	return cJSON_AddStringToObject(item, "LoadBalancerFullName",
				       at + strlen(":loadbalancer/")) ? 0 : -ENOMEM;
}

static int lb_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	cJSON *ids = cJSON_CreateArray(), *az, *subnet;

	(void)t;
	if (!ids || lb_full_name(item)) {
		cJSON_Delete(ids);
		return err_set(err, -ENOMEM, "out of memory");
	}
	cJSON_ArrayForEach(az, cJSON_GetObjectItemCaseSensitive(item, "AvailabilityZones")) {
		subnet = cJSON_GetObjectItemCaseSensitive(az, "SubnetId");
		if (cJSON_IsString(subnet))
			cJSON_AddItemToArray(ids, cJSON_CreateString(subnet->valuestring));
	}
	cJSON_DeleteItemFromObjectCaseSensitive(item, "Subnets");
	cJSON_AddItemToObject(item, "Subnets", ids);
	return 0;
}

/* A rule does not name its listener; its ARN does
 * (arn:...:listener-rule/app/NAME/LB-ID/LISTENER-ID/RULE-ID is the rule
 * of arn:...:listener/app/NAME/LB-ID/LISTENER-ID; see Elastic Load
 * Balancing's resource types in the Service Authorization Reference). */
static int rule_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	static const char rule_part[] = ":listener-rule/", listener_part[] = ":listener/";
	const cJSON *arn = cJSON_GetObjectItemCaseSensitive(item, "RuleArn");
	const char *at, *last;
	char *listener;
	size_t head;

	(void)t;
	if (!cJSON_IsString(arn) || !(at = strstr(arn->valuestring, rule_part)) ||
	    !(last = strrchr(arn->valuestring, '/')) || last < at + sizeof(rule_part) - 1)
		return 0;
	head = (size_t)(at - arn->valuestring);
	listener = malloc(strlen(arn->valuestring) + 1);
	if (!listener)
		return err_set(err, -ENOMEM, "out of memory");
	memcpy(listener, arn->valuestring, head);
	memcpy(listener + head, listener_part, sizeof(listener_part) - 1);
	head += sizeof(listener_part) - 1;
	at += sizeof(rule_part) - 1;
	memcpy(listener + head, at, (size_t)(last - at));
	listener[head + (size_t)(last - at)] = '\0';
	cJSON_DeleteItemFromObjectCaseSensitive(item, "ListenerArn");
	cJSON_AddStringToObject(item, "ListenerArn", listener);
	free(listener);
	return 0;
}

/* ---- tables ---------------------------------------------------------- */

#define MODIFY_TG(member) \
	.update_op = "ModifyTargetGroup", \
	.update_params = "{\"TargetGroupArn\":\"$id\",\"" member "\":\"$value\"}"
#define MODIFY_LISTENER(member) \
	.update_op = "ModifyListener", \
	.update_params = "{\"ListenerArn\":\"$id\",\"" member "\":\"$value\"}"
#define MODIFY_RULE(member) \
	.update_op = "ModifyRule", \
	.update_params = "{\"RuleArn\":\"$id\",\"" member "\":\"$value\"}"

/* Attributes: Describe<what>Attributes per resource, Modify<what>Attributes
 * with the changed keys. Only the keys config names are compared: AWS
 * lists every one. */
#define ATTRIBUTES_ATTR(what, arn_member) \
	{ .name = "Attributes", .kind = RES_MAP, .mutability = RES_IN_PLACE, \
	  .flags = RES_NOT_IN_CREATE, .normalize = elb_attr_map, \
	  .update_op = "Modify" what "Attributes", \
	  .update_params = "{\"" arn_member "\":\"$id\"}", .plan = elb_plan_attrs, \
	  .live_read = { "Describe" what "Attributes", \
			 "{\"" arn_member "\":\"$id\"}", "Attributes" } }

static const res_attr_t lb_attrs[] = {
	{ .name = "Name", .live_path = "LoadBalancerName", .kind = RES_SCALAR,
	  .mutability = RES_REPLACE, .flags = RES_REQUIRED },
	{ .name = "Type", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "\"application\"", .enum_values = "application|network|gateway" },
	{ .name = "Scheme", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "\"internet-facing\"", .enum_values = "internet-facing|internal" },
	{ .name = "IpAddressType", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .default_json = "\"ipv4\"" },
	{ .name = "Subnets", .kind = RES_SET, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .update_op = "SetSubnets",
	  .update_params = "{\"LoadBalancerArn\":\"$id\"}", .plan = res_plan_whole_set },
	{ .name = "SecurityGroups", .kind = RES_SET, .mutability = RES_IN_PLACE,
	  .update_op = "SetSecurityGroups",
	  .update_params = "{\"LoadBalancerArn\":\"$id\"}", .plan = res_plan_whole_set },
	ATTRIBUTES_ATTR("LoadBalancer", "LoadBalancerArn"),
	TAGS_ATTR,
	{ .name = "LoadBalancerArn", .mutability = RES_READ_ONLY },
	{ .name = "LoadBalancerFullName", .mutability = RES_READ_ONLY },
	{ .name = "DNSName", .mutability = RES_READ_ONLY },
	{ .name = "CanonicalHostedZoneId", .mutability = RES_READ_ONLY },
	{ .name = "VpcId", .mutability = RES_READ_ONLY },
};

static const res_attr_t tg_attrs[] = {
	{ .name = "Name", .live_path = "TargetGroupName", .kind = RES_SCALAR,
	  .mutability = RES_REPLACE, .flags = RES_REQUIRED },
	{ .name = "TargetType", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "\"instance\"", .enum_values = "instance|ip|lambda|alb" },
	{ .name = "Protocol", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "ProtocolVersion", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "Port", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "VpcId", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "HealthCheckEnabled", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "true", MODIFY_TG("HealthCheckEnabled") },
	{ .name = "HealthCheckProtocol", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  MODIFY_TG("HealthCheckProtocol") },
	{ .name = "HealthCheckPort", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "\"traffic-port\"", MODIFY_TG("HealthCheckPort") },
	{ .name = "HealthCheckPath", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  MODIFY_TG("HealthCheckPath") },
	{ .name = "HealthCheckIntervalSeconds", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, MODIFY_TG("HealthCheckIntervalSeconds") },
	{ .name = "HealthCheckTimeoutSeconds", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, MODIFY_TG("HealthCheckTimeoutSeconds") },
	{ .name = "HealthyThresholdCount", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, MODIFY_TG("HealthyThresholdCount") },
	{ .name = "UnhealthyThresholdCount", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, MODIFY_TG("UnhealthyThresholdCount") },
	{ .name = "Matcher", .kind = RES_OBJECT, .mutability = RES_IN_PLACE,
	  MODIFY_TG("Matcher") },
	ATTRIBUTES_ATTR("TargetGroup", "TargetGroupArn"),
	TAGS_ATTR,
	{ .name = "TargetGroupArn", .mutability = RES_READ_ONLY },
	{ .name = "LoadBalancerArns", .mutability = RES_READ_ONLY },
};

static const char *const certificate_fields[] = { "CertificateArn", NULL };

/* An OIDC action's client secret: never returned by DescribeListeners or
 * DescribeRules; a modify may leave it out with UseExistingClientSecret
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_AuthenticateOidcActionConfig.html). */
static const res_secret_member_t action_secrets[] = {
	{ "AuthenticateOidcConfig.ClientSecret", "UseExistingClientSecret" },
	{ NULL, NULL },
};

static const res_attr_t listener_attrs[] = {
	{ .name = "LoadBalancerArn", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "Port", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "Protocol", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .enum_values = "HTTP|HTTPS|TCP|TLS|UDP|TCP_UDP|GENEVE",
	  MODIFY_LISTENER("Protocol") },
	{ .name = "SslPolicy", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  MODIFY_LISTENER("SslPolicy") },
	{ .name = "Certificates", .kind = RES_LIST, .mutability = RES_IN_PLACE,
	  .fields = certificate_fields, MODIFY_LISTENER("Certificates") },
	{ .name = "DefaultActions", .kind = RES_LIST, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .normalize = elb_actions,
	  .secret_members = action_secrets, MODIFY_LISTENER("DefaultActions") },
	TAGS_ATTR,
	{ .name = "ListenerArn", .mutability = RES_READ_ONLY },
};

static const res_attr_t rule_attrs[] = {
	{ .name = "ListenerArn", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	/* The rule's identity with its listener: a new priority is a new
	 * rule, so SetRulePriorities is not used. */
	{ .name = "Priority", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED, .normalize = elb_priority },
	{ .name = "Conditions", .kind = RES_LIST, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .normalize = elb_conditions,
	  MODIFY_RULE("Conditions") },
	{ .name = "Actions", .kind = RES_LIST, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .normalize = elb_actions,
	  .secret_members = action_secrets, MODIFY_RULE("Actions") },
	TAGS_ATTR,
	{ .name = "RuleArn", .mutability = RES_READ_ONLY },
};

static const res_hooks_t lb_hooks = { .fix_live = lb_fix_live };
static const res_hooks_t rule_hooks = { .fix_live = rule_fix_live };

static const char *const by_name[] = { "Name", NULL };
static const char *const listener_identity[] = { "LoadBalancerArn", "Port", NULL };
static const char *const rule_identity[] = { "ListenerArn", "Priority", NULL };
static const char *const after_lb[] = { "ec2.subnet", "ec2.security_group", NULL };
static const char *const after_tg[] = { "ec2.vpc", NULL };
/* A listener is deleted before the certificate it uses (ACM refuses to
 * delete a certificate in use). */
static const char *const after_lb_tg[] = {
	"elbv2.load_balancer", "elbv2.target_group", "acm.certificate_validation", NULL,
};
static const char *const after_listener[] = {
	"elbv2.listener", "elbv2.target_group", NULL,
};

#define ELB_TAGGED \
	.service = "elbv2", .identity = RES_ID_NAME, \
	.tag = { "AddTags", "{\"ResourceArns\":[\"$id\"],\"Tags\":\"$tags\"}", NULL }, \
	.untag = { "RemoveTags", \
		   "{\"ResourceArns\":[\"$id\"],\"TagKeys\":\"$tag_keys\"}", NULL }, \
	.tag_style = RES_TAGS_LIST

const res_type_t res_elbv2_types[] = {
	{ .name = "elbv2.load_balancer", .arn = "arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/*/{Name}/*",
	  .summary = "an application or network load balancer in its subnets",
	  ELB_TAGGED, .name_attrs = by_name,
	  .id_path = "LoadBalancerArn", .arn_path = "LoadBalancerArn",
	  .read = { "DescribeLoadBalancers", "{}", "LoadBalancers" },
	  .read_one = { "DescribeLoadBalancers", "{\"LoadBalancerArns\":[\"$id\"]}",
			"LoadBalancers.0" },
	  .create = { "CreateLoadBalancer", "{\"Tags\":\"$tags\"}", "LoadBalancers" },
	  .remove = { "DeleteLoadBalancer", "{\"LoadBalancerArn\":\"$id\"}", NULL },
	  .status_path = "State.Code", .ready = "active", .failed = "failed",
	  .depends_on_types = after_lb,
	  .attrs = lb_attrs, .n_attrs = N_ELEMS(lb_attrs), .hooks = &lb_hooks },
	{ .name = "elbv2.target_group", .arn = "arn:{partition}:elasticloadbalancing:{region}:{account}:targetgroup/{Name}/*",
	  .summary = "a target group with its health check (targets are not managed)",
	  ELB_TAGGED, .name_attrs = by_name,
	  .id_path = "TargetGroupArn", .arn_path = "TargetGroupArn",
	  .read = { "DescribeTargetGroups", "{}", "TargetGroups" },
	  .read_one = { "DescribeTargetGroups", "{\"TargetGroupArns\":[\"$id\"]}",
			"TargetGroups.0" },
	  .create = { "CreateTargetGroup", "{\"Tags\":\"$tags\"}", "TargetGroups" },
	  .remove = { "DeleteTargetGroup", "{\"TargetGroupArn\":\"$id\"}", NULL },
	  .depends_on_types = after_tg,
	  .attrs = tg_attrs, .n_attrs = N_ELEMS(tg_attrs) },
	{ .name = "elbv2.listener", .arn = "arn:{partition}:elasticloadbalancing:{region}:{account}:listener/*",
	  .summary = "a load balancer listener: port, protocol, certificate, default action",
	  ELB_TAGGED, .name_attrs = listener_identity,
	  .id_path = "ListenerArn", .arn_path = "ListenerArn",
	  .read = { "DescribeListeners", "{\"LoadBalancerArn\":\"$attr:LoadBalancerArn\"}",
		    "Listeners" },
	  .read_one = { "DescribeListeners", "{\"ListenerArns\":[\"$id\"]}", "Listeners.0" },
	  .create = { "CreateListener", "{\"Tags\":\"$tags\"}", "Listeners" },
	  .remove = { "DeleteListener", "{\"ListenerArn\":\"$id\"}", NULL },
	  .depends_on_types = after_lb_tg,
	  .attrs = listener_attrs, .n_attrs = N_ELEMS(listener_attrs) },
	{ .name = "elbv2.listener_rule", .arn = "arn:{partition}:elasticloadbalancing:{region}:{account}:listener-rule/*",
	  .summary = "a listener rule: conditions on a request and the actions taken",
	  ELB_TAGGED, .name_attrs = rule_identity,
	  .id_path = "RuleArn", .arn_path = "RuleArn",
	  .read = { "DescribeRules", "{\"ListenerArn\":\"$attr:ListenerArn\"}", "Rules" },
	  .read_one = { "DescribeRules", "{\"RuleArns\":[\"$id\"]}", "Rules.0" },
	  .create = { "CreateRule", "{\"Tags\":\"$tags\"}", "Rules" },
	  .remove = { "DeleteRule", "{\"RuleArn\":\"$id\"}", NULL },
	  .depends_on_types = after_listener,
	  .attrs = rule_attrs, .n_attrs = N_ELEMS(rule_attrs), .hooks = &rule_hooks },
};

const size_t res_elbv2_n_types = N_ELEMS(res_elbv2_types);
