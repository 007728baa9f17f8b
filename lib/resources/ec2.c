/* EC2 networking: VPC, subnet, internet gateway, elastic IP, NAT gateway,
 * route table, security group. Member names are those of the botocore
 * ec2 model (2016-11-15); the EC2 query protocol's list flattening is the
 * AWS layer's business. Every type here is found by its ownership tags:
 * EC2 has no unique names, and the Describe calls filter on tag:driftd:env
 * so one poll reads only this environment's resources. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "normalize.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define ENV_FILTER "{\"Name\":\"tag:driftd:env\",\"Values\":[\"$env\"]}"
#define READ_BY_ENV "{\"Filters\":[" ENV_FILTER "]}"
#define TAG_SPEC "{\"TagSpecifications\":\"$tags\"}"
#define TAG_OP "CreateTags"
#define TAG_PARAMS "{\"Resources\":[\"$id\"],\"Tags\":\"$tags\"}"
#define UNTAG_OP "DeleteTags"
#define UNTAG_PARAMS "{\"Resources\":[\"$id\"],\"Tags\":\"$tag_key_objects\"}"

#define TAGS_ATTR { .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE }

static int check_cidr(const cJSON *value, err_t *err)
{
	return norm_check_cidr(value, err);
}

/* ---- security group rules ------------------------------------------- */

/* AWS accepts a protocol as a name or an IANA number and answers with the
 * name for tcp/udp/icmp/icmpv6 and "-1" for all traffic
 * (AuthorizeSecurityGroupIngress, IpProtocol). */
static char *sg_protocol(const cJSON *p)
{
	static const char *const numbered[][2] = {
		{ "6", "tcp" }, { "17", "udp" }, { "1", "icmp" },
		{ "58", "icmpv6" }, { "all", "-1" },
	};
	char *text = json_scalar_text(p), *c;
	size_t i;

	if (!text || (!cJSON_IsString(p) && !cJSON_IsNumber(p))) {
		free(text);
		return NULL;
	}
	for (c = text; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
	for (i = 0; i < N_ELEMS(numbered); i++)
		if (!strcmp(text, numbered[i][0])) {
			free(text);
			return strdup(numbered[i][1]);
		}
	return text;
}

/* One rule in AWS's IpPermission shape with a single source. */
static cJSON *sg_rule(const char *proto, const cJSON *from, const cJSON *to,
		      const char *list, const char *key, const char *value)
{
	cJSON *rule = cJSON_CreateObject(), *src, *one;

	if (!rule)
		return NULL;
	cJSON_AddStringToObject(rule, "IpProtocol", proto);
	/* All traffic has no ports; AWS answers without them. */
	if (strcmp(proto, "-1")) {
		if (cJSON_IsNumber(from))
			cJSON_AddNumberToObject(rule, "FromPort", from->valuedouble);
		if (cJSON_IsNumber(to))
			cJSON_AddNumberToObject(rule, "ToPort", to->valuedouble);
	}
	src = cJSON_AddArrayToObject(rule, list);
	one = cJSON_CreateObject();
	if (!src || !one || !cJSON_AddStringToObject(one, key, value)) {
		cJSON_Delete(one);
		cJSON_Delete(rule);
		return NULL;
	}
	cJSON_AddItemToArray(src, one);
	return rule;
}

/* Explodes IpPermissions into one rule per (protocol, ports, source) so
 * that rules grouped differently but granting the same compare equal, and
 * each element of the set can be authorized or revoked alone. Descriptions
 * are dropped: AWS does not count them as part of a rule (authorizing a
 * rule that differs only in its description fails as a duplicate), so they
 * are not compared and not managed. */
static cJSON *sg_rules(const cJSON *value, err_t *err)
{
	static const char *const sources[][2] = {
		{ "IpRanges", "CidrIp" }, { "Ipv6Ranges", "CidrIpv6" },
		{ "PrefixListIds", "PrefixListId" },
		{ "UserIdGroupPairs", "GroupId" },
	};
	cJSON *out = cJSON_CreateArray(), *perm, *el, *id, *rule, *canon;
	const cJSON *from, *to;
	char *proto;
	size_t s;
	int n = 0;

	if (!out)
		goto nomem;
	if (!cJSON_IsArray(value)) {
		cJSON_Delete(out);
		err_set(err, -EINVAL, "security group rules must be an array");
		return NULL;
	}
	cJSON_ArrayForEach(perm, value) {
		n++;
		proto = cJSON_IsObject(perm) ?
			sg_protocol(cJSON_GetObjectItemCaseSensitive(perm, "IpProtocol")) : NULL;
		if (!proto) {
			cJSON_Delete(out);
			err_set(err, -EINVAL, "rule %d needs an IpProtocol", n);
			return NULL;
		}
		from = cJSON_GetObjectItemCaseSensitive(perm, "FromPort");
		to = cJSON_GetObjectItemCaseSensitive(perm, "ToPort");
		for (s = 0; s < N_ELEMS(sources); s++) {
			cJSON_ArrayForEach(el, cJSON_GetObjectItemCaseSensitive(perm, sources[s][0])) {
				id = cJSON_GetObjectItemCaseSensitive(el, sources[s][1]);
				if (!cJSON_IsString(id))
					continue;
				canon = s < 2 ? norm_cidr(id, NULL) : NULL;
				rule = sg_rule(proto, from, to, sources[s][0],
					       sources[s][1],
					       cJSON_IsString(canon) ? canon->valuestring
								     : id->valuestring);
				cJSON_Delete(canon);
				if (!rule) {
					free(proto);
					goto nomem;
				}
				cJSON_AddItemToArray(out, rule);
			}
		}
		free(proto);
	}
	json_sort_array(out);
	return out;
nomem:
	cJSON_Delete(out);
	err_set(err, -ENOMEM, "out of memory");
	return NULL;
}

/* ---- route tables ---------------------------------------------------- */

/* Routes AWS made itself are not the operator's: the "local" route every
 * table has (Origin CreateRouteTable) and routes a virtual private gateway
 * propagates (Origin EnableVgwRoutePropagation). See the Route data type
 * in the EC2 API reference. Kept routes lose their read-only members. */
static cJSON *rt_routes(const cJSON *value, err_t *err)
{
	static const char *const read_only[] = {
		"Origin", "State", "InstanceOwnerId",
	};
	static const char *const cidrs[] = {
		"DestinationCidrBlock", "DestinationIpv6CidrBlock",
	};
	cJSON *out, *route, *next, *origin, *gw, *c, *canon;
	size_t i;

	if (!cJSON_IsArray(value)) {
		err_set(err, -EINVAL, "Routes must be an array of routes");
		return NULL;
	}
	if (!(out = cJSON_Duplicate(value, 1))) {
		err_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	for (route = out->child; route; route = next) {
		next = route->next;
		origin = cJSON_GetObjectItemCaseSensitive(route, "Origin");
		gw = cJSON_GetObjectItemCaseSensitive(route, "GatewayId");
		if (!cJSON_IsObject(route) ||
		    (cJSON_IsString(origin) && strcmp(origin->valuestring, "CreateRoute")) ||
		    (cJSON_IsString(gw) && !strcmp(gw->valuestring, "local"))) {
			cJSON_Delete(cJSON_DetachItemViaPointer(out, route));
			continue;
		}
		for (i = 0; i < N_ELEMS(read_only); i++)
			cJSON_DeleteItemFromObjectCaseSensitive(route, read_only[i]);
		for (i = 0; i < N_ELEMS(cidrs); i++) {
			c = cJSON_GetObjectItemCaseSensitive(route, cidrs[i]);
			if (!cJSON_IsString(c) || !(canon = norm_cidr(c, NULL)))
				continue;
			cJSON_ReplaceItemInObjectCaseSensitive(route, cidrs[i], canon);
		}
	}
	json_sort_array(out);
	return out;
}

/* The subnets associated with the table, as the set SubnetIds. */
static int rt_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	cJSON *ids = cJSON_CreateArray(), *a, *subnet;

	(void)t;
	if (!ids)
		return err_set(err, -ENOMEM, "out of memory");
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(item, "Associations")) {
		subnet = cJSON_GetObjectItemCaseSensitive(a, "SubnetId");
		if (cJSON_IsString(subnet))
			cJSON_AddItemToArray(ids, cJSON_CreateString(subnet->valuestring));
	}
	cJSON_DeleteItemFromObjectCaseSensitive(item, "SubnetIds");
	cJSON_AddItemToObject(item, "SubnetIds", ids);
	return 0;
}

static cJSON *member_params(const char *k1, const char *v1, const char *k2,
			    const char *v2)
{
	cJSON *p = cJSON_CreateObject();

	if (p && k1)
		cJSON_AddStringToObject(p, k1, v1);
	if (p && k2)
		cJSON_AddStringToObject(p, k2, v2);
	return p;
}

/* Disassociating takes the association's id, which only the live item's
 * Associations hold (DisassociateRouteTable). */
static cJSON *rt_plan_subnets(const res_attr_t *a, const cJSON *desired,
			      const cJSON *added, const cJSON *removed,
			      const cJSON *item, err_t *err)
{
	cJSON *calls = cJSON_CreateArray(), *s, *assoc, *subnet, *id;
	int rc = calls ? 0 : -ENOMEM;

	(void)desired;
	cJSON_ArrayForEach(s, removed) {
		cJSON_ArrayForEach(assoc, cJSON_GetObjectItemCaseSensitive(item, "Associations")) {
			subnet = cJSON_GetObjectItemCaseSensitive(assoc, "SubnetId");
			id = cJSON_GetObjectItemCaseSensitive(assoc, "RouteTableAssociationId");
			if (!rc && cJSON_IsString(s) && cJSON_IsString(subnet) &&
			    cJSON_IsString(id) && !strcmp(subnet->valuestring, s->valuestring))
				rc = res_plan_call(calls, a->remove_op,
					      member_params("AssociationId", id->valuestring,
							    NULL, NULL));
		}
	}
	cJSON_ArrayForEach(s, added)
		if (!rc && cJSON_IsString(s))
			rc = res_plan_call(calls, a->update_op,
				      member_params("RouteTableId", "$id", "SubnetId",
						    s->valuestring));
	if (rc) {
		cJSON_Delete(calls);
		err_set(err, rc, "out of memory");
		return NULL;
	}
	return calls;
}

/* ---- NAT gateway ----------------------------------------------------- */

/* A public NAT gateway needs an Elastic IP (CreateNatGateway,
 * AllocationId); a private one must not have one. */
static int nat_check(const res_type_t *t, const char *environment,
		     const cJSON *desired, const cJSON **at, err_t *err)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(desired, "ConnectivityType");
	const cJSON *alloc = cJSON_GetObjectItemCaseSensitive(desired, "AllocationId");
	int private = cJSON_IsString(type) && !strcmp(type->valuestring, "private");

	(void)t;
	(void)environment;
	*at = alloc ? alloc : type;
	if (!private && !alloc)
		return err_set(err, -EINVAL, "a public NAT gateway needs AllocationId "
			       "(an Elastic IP); set it or set ConnectivityType to \"private\"");
	if (private && alloc)
		return err_set(err, -EINVAL, "a private NAT gateway takes no AllocationId");
	return 0;
}

/* ---- tables ---------------------------------------------------------- */

static const res_attr_t vpc_attrs[] = {
	{ .name = "CidrBlock", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED, .normalize = norm_cidr, .check = check_cidr },
	/* ModifyVpcTenancy can only go from dedicated to default: replace. */
	{ .name = "InstanceTenancy", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "\"default\"", .enum_values = "default|dedicated|host" },
	/* DescribeVpcs leaves out the DNS settings; DescribeVpcAttribute
	 * answers one per call, so they are live_read: drift in them is
	 * seen at the cost of one call per VPC and attribute per poll. */
	{ .name = "EnableDnsSupport", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .default_json = "true",
	  .update_op = "ModifyVpcAttribute",
	  .update_params = "{\"VpcId\":\"$id\",\"EnableDnsSupport\":{\"Value\":\"$value\"}}",
	  .live_read = { "DescribeVpcAttribute",
			 "{\"VpcId\":\"$id\",\"Attribute\":\"enableDnsSupport\"}",
			 "EnableDnsSupport.Value" } },
	{ .name = "EnableDnsHostnames", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .default_json = "false",
	  .update_op = "ModifyVpcAttribute",
	  .update_params = "{\"VpcId\":\"$id\",\"EnableDnsHostnames\":{\"Value\":\"$value\"}}",
	  .live_read = { "DescribeVpcAttribute",
			 "{\"VpcId\":\"$id\",\"Attribute\":\"enableDnsHostnames\"}",
			 "EnableDnsHostnames.Value" } },
	TAGS_ATTR,
	{ .name = "VpcId", .mutability = RES_READ_ONLY },
	{ .name = "OwnerId", .mutability = RES_READ_ONLY },
	{ .name = "DhcpOptionsId", .mutability = RES_READ_ONLY },
};

static const res_attr_t subnet_attrs[] = {
	{ .name = "VpcId", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "CidrBlock", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED, .normalize = norm_cidr, .check = check_cidr },
	{ .name = "AvailabilityZone", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "MapPublicIpOnLaunch", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .default_json = "false",
	  .update_op = "ModifySubnetAttribute",
	  .update_params = "{\"SubnetId\":\"$id\",\"MapPublicIpOnLaunch\":{\"Value\":\"$value\"}}" },
	TAGS_ATTR,
	{ .name = "SubnetId", .mutability = RES_READ_ONLY },
	{ .name = "SubnetArn", .mutability = RES_READ_ONLY },
	{ .name = "AvailabilityZoneId", .mutability = RES_READ_ONLY },
};

static const res_attr_t igw_attrs[] = {
	/* The VPC it is attached to. Moving it is detach from the old VPC
	 * (remove_op, with the old id from live) then attach to the new. */
	{ .name = "VpcId", .live_path = "Attachments.0.VpcId", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, .flags = RES_NOT_IN_CREATE,
	  .update_op = "AttachInternetGateway",
	  .update_params = "{\"InternetGatewayId\":\"$id\",\"VpcId\":\"$value\"}",
	  .remove_op = "DetachInternetGateway",
	  .remove_params = "{\"InternetGatewayId\":\"$id\",\"VpcId\":\"$live:Attachments.0.VpcId\"}" },
	TAGS_ATTR,
	{ .name = "InternetGatewayId", .mutability = RES_READ_ONLY },
};

static const res_attr_t eip_attrs[] = {
	/* EC2-Classic is retired: every address is a VPC address. */
	{ .name = "Domain", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "\"vpc\"", .enum_values = "vpc" },
	{ .name = "PublicIpv4Pool", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "NetworkBorderGroup", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	TAGS_ATTR,
	{ .name = "AllocationId", .mutability = RES_READ_ONLY },
	{ .name = "PublicIp", .mutability = RES_READ_ONLY },
	{ .name = "AssociationId", .mutability = RES_READ_ONLY },
};

static const res_attr_t nat_attrs[] = {
	{ .name = "SubnetId", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "AllocationId", .live_path = "NatGatewayAddresses.0.AllocationId",
	  .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "ConnectivityType", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "\"public\"", .enum_values = "public|private" },
	{ .name = "PrivateIpAddress", .live_path = "NatGatewayAddresses.0.PrivateIp",
	  .kind = RES_SCALAR, .mutability = RES_REPLACE },
	TAGS_ATTR,
	{ .name = "NatGatewayId", .mutability = RES_READ_ONLY },
	{ .name = "VpcId", .mutability = RES_READ_ONLY },
	{ .name = "PublicIp", .live_path = "NatGatewayAddresses.0.PublicIp",
	  .mutability = RES_READ_ONLY },
};

static const char *const route_fields[] = {
	"DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId",
	"GatewayId", "NatGatewayId", "TransitGatewayId", "VpcPeeringConnectionId",
	"NetworkInterfaceId", "EgressOnlyInternetGatewayId", "LocalGatewayId",
	"CarrierGatewayId", "CoreNetworkArn", NULL,
};

static const res_attr_t rt_attrs[] = {
	{ .name = "VpcId", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "Routes", .kind = RES_SET, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .fields = route_fields, .normalize = rt_routes,
	  .update_op = "CreateRoute",
	  .update_params = "{\"RouteTableId\":\"$id\",\"*\":\"$element\"}",
	  .remove_op = "DeleteRoute",
	  .remove_params = "{\"RouteTableId\":\"$id\","
		"\"DestinationCidrBlock\":\"$element:DestinationCidrBlock\","
		"\"DestinationIpv6CidrBlock\":\"$element:DestinationIpv6CidrBlock\","
		"\"DestinationPrefixListId\":\"$element:DestinationPrefixListId\"}",
	  .per_element = 1 },
	{ .name = "SubnetIds", .kind = RES_SET, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE,
	  .update_op = "AssociateRouteTable",
	  .update_params = "{\"RouteTableId\":\"$id\",\"SubnetId\":\"$element\"}",
	  .remove_op = "DisassociateRouteTable", .per_element = 1,
	  .plan = rt_plan_subnets },
	TAGS_ATTR,
	{ .name = "RouteTableId", .mutability = RES_READ_ONLY },
};

static const res_attr_t sg_attrs[] = {
	{ .name = "GroupName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "Description", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "VpcId", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "IpPermissions", .kind = RES_SET, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .normalize = sg_rules,
	  .update_op = "AuthorizeSecurityGroupIngress",
	  .update_params = "{\"GroupId\":\"$id\",\"IpPermissions\":\"$added\"}",
	  .remove_op = "RevokeSecurityGroupIngress",
	  .remove_params = "{\"GroupId\":\"$id\",\"IpPermissions\":\"$removed\"}" },
	/* AWS gives a new group an allow-all egress rule; as a set, it is
	 * revoked exactly when the config lists egress rules without it. */
	{ .name = "IpPermissionsEgress", .kind = RES_SET, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .normalize = sg_rules,
	  .update_op = "AuthorizeSecurityGroupEgress",
	  .update_params = "{\"GroupId\":\"$id\",\"IpPermissions\":\"$added\"}",
	  .remove_op = "RevokeSecurityGroupEgress",
	  .remove_params = "{\"GroupId\":\"$id\",\"IpPermissions\":\"$removed\"}" },
	TAGS_ATTR,
	{ .name = "GroupId", .mutability = RES_READ_ONLY },
	{ .name = "OwnerId", .mutability = RES_READ_ONLY },
};

/* One ingress rule that admits another group, made on a group driftd does
 * not own: the EKS cluster security group, which EKS makes and puts on
 * the control plane and every managed node (EKS user guide,
 * sec-group-reqs.html). The rule is an item of its own
 * (AuthorizeSecurityGroupIngress answers its SecurityGroupRuleId), tagged
 * like every EC2 resource and read with DescribeSecurityGroupRules; AWS
 * cannot move a rule, so every change is a replacement. */
static const res_attr_t sg_ingress_attrs[] = {
	{ .name = "GroupId", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "IpProtocol", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "FromPort", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "ToPort", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "SourceSecurityGroupId", .live_path = "ReferencedGroupInfo.GroupId",
	  .kind = RES_SCALAR, .mutability = RES_REPLACE, .flags = RES_REQUIRED },
	TAGS_ATTR,
	{ .name = "SecurityGroupRuleId", .mutability = RES_READ_ONLY },
};

/* A VPC flow log, published to a CloudWatch Logs group through a role
 * (EC2 API reference, CreateFlowLogs). CreateFlowLogs takes a list of
 * resources and answers only their new ids; driftd makes one flow log per
 * resource, so ResourceId is the one resource, sent as ResourceIds, and
 * flow_log_fix_live takes the new item's id from the answer. AWS cannot
 * change a flow log: every change is a replacement. */
static const res_attr_t flow_log_attrs[] = {
	{ .name = "ResourceId", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	/* What ResourceId is; DescribeFlowLogs does not say. */
	{ .name = "ResourceType", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .flags = RES_REQUIRED | RES_WRITE_ONLY,
	  .enum_values = "VPC|Subnet|NetworkInterface|TransitGateway|TransitGatewayAttachment" },
	{ .name = "TrafficType", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .enum_values = "ACCEPT|REJECT|ALL" },
	{ .name = "LogDestinationType", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "\"cloud-watch-logs\"",
	  .enum_values = "cloud-watch-logs|s3|kinesis-data-firehose" },
	{ .name = "LogGroupName", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "LogDestination", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "DeliverLogsPermissionArn", .kind = RES_SCALAR, .mutability = RES_REPLACE },
	{ .name = "MaxAggregationInterval", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .default_json = "600" },
	TAGS_ATTR,
	{ .name = "FlowLogId", .mutability = RES_READ_ONLY },
	{ .name = "FlowLogStatus", .mutability = RES_READ_ONLY },
};

/* CreateFlowLogs answers {"FlowLogIds": [id]}: the made item's id. */
static int flow_log_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	const cJSON *id = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(item, "FlowLogIds"), 0);

	(void)t;
	if (cJSON_GetObjectItemCaseSensitive(item, "FlowLogId") || !cJSON_IsString(id))
		return 0;
	if (!cJSON_AddStringToObject(item, "FlowLogId", id->valuestring))
		return err_set(err, -ENOMEM, "out of memory");
	return 0;
}

static const res_hooks_t flow_log_hooks = { .fix_live = flow_log_fix_live };
static const res_hooks_t rt_hooks = { .fix_live = rt_fix_live };
static const res_hooks_t nat_hooks = { .check = nat_check };

static const char *const after_vpc[] = { "ec2.vpc", NULL };
static const char *const after_subnet_eip[] = { "ec2.subnet", "ec2.eip", NULL };
static const char *const after_sg[] = { "ec2.security_group", NULL };

#define EC2_TAGGED(spec) \
	.service = "ec2", .identity = RES_ID_TAGS, \
	.tag = { TAG_OP, TAG_PARAMS, NULL }, \
	.untag = { UNTAG_OP, UNTAG_PARAMS, NULL }, \
	.tag_style = RES_TAGS_SPEC, .tag_resource_type = spec

const res_type_t res_ec2_types[] = {
	{ .name = "ec2.vpc", .arn = "arn:{partition}:ec2:{region}:{account}:vpc/*", .summary = "a VPC: an isolated IPv4 network",
	  EC2_TAGGED("vpc"), .id_path = "VpcId",
	  .read = { "DescribeVpcs", READ_BY_ENV, "Vpcs" },
	  .read_one = { "DescribeVpcs", "{\"VpcIds\":[\"$id\"]}", "Vpcs.0" },
	  .create = { "CreateVpc", TAG_SPEC, "Vpc" },
	  .remove = { "DeleteVpc", "{\"VpcId\":\"$id\"}", NULL },
	  .status_path = "State", .ready = "available",
	  .attrs = vpc_attrs, .n_attrs = N_ELEMS(vpc_attrs) },
	{ .name = "ec2.subnet", .arn = "arn:{partition}:ec2:{region}:{account}:subnet/*", .summary = "a subnet: one CIDR block of a VPC in one zone",
	  EC2_TAGGED("subnet"), .id_path = "SubnetId",
	  .arn_path = "SubnetArn",
	  .read = { "DescribeSubnets", READ_BY_ENV, "Subnets" },
	  .read_one = { "DescribeSubnets", "{\"SubnetIds\":[\"$id\"]}", "Subnets.0" },
	  .create = { "CreateSubnet", TAG_SPEC, "Subnet" },
	  .remove = { "DeleteSubnet", "{\"SubnetId\":\"$id\"}", NULL },
	  .status_path = "State", .ready = "available",
	  .depends_on_types = after_vpc,
	  .attrs = subnet_attrs, .n_attrs = N_ELEMS(subnet_attrs) },
	{ .name = "ec2.internet_gateway", .arn = "arn:{partition}:ec2:{region}:{account}:internet-gateway/*",
	  .summary = "an internet gateway, attached to one VPC",
	  EC2_TAGGED("internet-gateway"),
	  .id_path = "InternetGatewayId",
	  .read = { "DescribeInternetGateways", READ_BY_ENV, "InternetGateways" },
	  .read_one = { "DescribeInternetGateways",
			"{\"InternetGatewayIds\":[\"$id\"]}", "InternetGateways.0" },
	  .create = { "CreateInternetGateway", TAG_SPEC, "InternetGateway" },
	  .remove = { "DeleteInternetGateway", "{\"InternetGatewayId\":\"$id\"}", NULL },
	  .depends_on_types = after_vpc,
	  .attrs = igw_attrs, .n_attrs = N_ELEMS(igw_attrs) },
	{ .name = "ec2.eip", .arn = "arn:{partition}:ec2:{region}:{account}:elastic-ip/*", .summary = "an Elastic IP address",
	  EC2_TAGGED("elastic-ip"), .id_path = "AllocationId",
	  .read = { "DescribeAddresses", READ_BY_ENV, "Addresses" },
	  .read_one = { "DescribeAddresses", "{\"AllocationIds\":[\"$id\"]}", "Addresses.0" },
	  .create = { "AllocateAddress", "{\"Domain\":\"vpc\",\"TagSpecifications\":\"$tags\"}",
		      NULL },
	  .remove = { "ReleaseAddress", "{\"AllocationId\":\"$id\"}", NULL },
	  .attrs = eip_attrs, .n_attrs = N_ELEMS(eip_attrs) },
	/* DescribeNatGateways spells its filter list "Filter"; deleted
	 * gateways stay listed for about an hour and are not ours to match. */
	{ .name = "ec2.nat_gateway", .arn = "arn:{partition}:ec2:{region}:{account}:natgateway/*", .summary = "a NAT gateway in a subnet",
	  EC2_TAGGED("natgateway"), .id_path = "NatGatewayId",
	  .read = { "DescribeNatGateways",
		    "{\"Filter\":[" ENV_FILTER ",{\"Name\":\"state\","
		    "\"Values\":[\"pending\",\"available\",\"failed\"]}]}",
		    "NatGateways" },
	  .read_one = { "DescribeNatGateways", "{\"NatGatewayIds\":[\"$id\"]}",
			"NatGateways.0" },
	  .create = { "CreateNatGateway",
		      "{\"ClientToken\":\"$token\",\"TagSpecifications\":\"$tags\"}",
		      "NatGateway" },
	  .remove = { "DeleteNatGateway", "{\"NatGatewayId\":\"$id\"}", NULL },
	  .status_path = "State", .ready = "available", .failed = "failed",
	  .depends_on_types = after_subnet_eip,
	  .attrs = nat_attrs, .n_attrs = N_ELEMS(nat_attrs), .hooks = &nat_hooks },
	{ .name = "ec2.route_table", .arn = "arn:{partition}:ec2:{region}:{account}:route-table/*",
	  .summary = "a route table with its routes and subnet associations",
	  EC2_TAGGED("route-table"), .id_path = "RouteTableId",
	  .read = { "DescribeRouteTables", READ_BY_ENV, "RouteTables" },
	  .read_one = { "DescribeRouteTables", "{\"RouteTableIds\":[\"$id\"]}",
			"RouteTables.0" },
	  .create = { "CreateRouteTable", TAG_SPEC, "RouteTable" },
	  .remove = { "DeleteRouteTable", "{\"RouteTableId\":\"$id\"}", NULL },
	  .depends_on_types = after_vpc,
	  .attrs = rt_attrs, .n_attrs = N_ELEMS(rt_attrs), .hooks = &rt_hooks },
	{ .name = "ec2.security_group", .arn = "arn:{partition}:ec2:{region}:{account}:security-group/* arn:{partition}:ec2:{region}:{account}:security-group-rule/*",
	  .summary = "a VPC security group with its ingress and egress rules",
	  EC2_TAGGED("security-group"), .id_path = "GroupId",
	  .read = { "DescribeSecurityGroups", READ_BY_ENV, "SecurityGroups" },
	  .read_one = { "DescribeSecurityGroups", "{\"GroupIds\":[\"$id\"]}",
			"SecurityGroups.0" },
	  .create = { "CreateSecurityGroup", TAG_SPEC, NULL },
	  .remove = { "DeleteSecurityGroup", "{\"GroupId\":\"$id\"}", NULL },
	  .depends_on_types = after_vpc,
	  .attrs = sg_attrs, .n_attrs = N_ELEMS(sg_attrs) },
	{ .name = "ec2.security_group_ingress",
	  .arn = "arn:{partition}:ec2:{region}:{account}:security-group/* "
		 "arn:{partition}:ec2:{region}:{account}:security-group-rule/*",
	  .summary = "one ingress rule from another group, on a group made elsewhere",
	  EC2_TAGGED("security-group-rule"), .id_path = "SecurityGroupRuleId",
	  .read = { "DescribeSecurityGroupRules", READ_BY_ENV, "SecurityGroupRules" },
	  .read_one = { "DescribeSecurityGroupRules",
			"{\"SecurityGroupRuleIds\":[\"$id\"]}", "SecurityGroupRules.0" },
	  .create = { "AuthorizeSecurityGroupIngress",
		      "{\"GroupId\":\"$attr:GroupId\",\"IpPermissions\":[{"
		      "\"IpProtocol\":\"$attr:IpProtocol\",\"FromPort\":\"$attr:FromPort\","
		      "\"ToPort\":\"$attr:ToPort\",\"UserIdGroupPairs\":[{"
		      "\"GroupId\":\"$attr:SourceSecurityGroupId\"}]}],"
		      "\"TagSpecifications\":\"$tags\"}", "SecurityGroupRules.0" },
	  .remove = { "RevokeSecurityGroupIngress",
		      "{\"GroupId\":\"$live:GroupId\",\"SecurityGroupRuleIds\":[\"$id\"]}",
		      NULL },
	  .depends_on_types = after_sg,
	  .attrs = sg_ingress_attrs, .n_attrs = N_ELEMS(sg_ingress_attrs) },
	{ .name = "ec2.flow_log",
	  /* CreateFlowLogs authorizes on the flow log and the resource it
	   * watches (a VPC here); DeleteFlowLogs on the flow log. */
	  .arn = "arn:{partition}:ec2:{region}:{account}:vpc-flow-log/* "
		 "arn:{partition}:ec2:{region}:{account}:vpc/*",
	  .summary = "a flow log of a VPC (or subnet) to CloudWatch Logs or S3",
	  EC2_TAGGED("vpc-flow-log"), .id_path = "FlowLogId",
	  .read = { "DescribeFlowLogs", "{\"Filter\":[" ENV_FILTER "]}", "FlowLogs" },
	  .read_one = { "DescribeFlowLogs", "{\"FlowLogIds\":[\"$id\"]}", "FlowLogs.0" },
	  .create = { "CreateFlowLogs",
		      "{\"ResourceIds\":[\"$attr:ResourceId\"],\"TagSpecifications\":\"$tags\"}",
		      NULL },
	  .remove = { "DeleteFlowLogs", "{\"FlowLogIds\":[\"$id\"]}", NULL },
	  .depends_on_types = after_vpc,
	  .attrs = flow_log_attrs, .n_attrs = N_ELEMS(flow_log_attrs), .hooks = &flow_log_hooks },
};

const size_t res_ec2_n_types = N_ELEMS(res_ec2_types);
