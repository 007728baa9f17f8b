#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "diff.h"
#include "jsonutil.h"
#include "restable.h"
#include "schema.h"
#include "testutil.h"

static const res_type_t *type(const char *name)
{
	const res_type_t *t = res_table_find(name);

	ck_assert_msg(t != NULL, "no table for %s", name);
	return t;
}

static const res_attr_t *attr(const char *type_name, const char *name)
{
	const res_attr_t *a = res_type_attr(type(type_name), name);

	ck_assert_msg(a != NULL, "%s has no attribute %s", type_name, name);
	return a;
}

static cJSON *parse(const char *text)
{
	cJSON *v = cJSON_Parse(text);

	ck_assert_msg(v != NULL, "test JSON does not parse: %s", text);
	return v;
}

/* Call index of a plan is op with params.member = value; returns it. */
static cJSON *assert_call(const cJSON *calls, int index, const char *op,
			  const char *member, const char *value)
{
	cJSON *c = cJSON_GetArrayItem(calls, index), *v;
	char path[128];

	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(cJSON_GetObjectItem(c, "op")->valuestring, op);
	snprintf(path, sizeof(path), "params.%s", member);
	v = json_get_path(c, path);
	ck_assert_msg(cJSON_IsString(v), "call %d has no %s", index, path);
	ck_assert_str_eq(v->valuestring, value);
	return c;
}

/* ---- table shape ------------------------------------------------------ */

static int known_placeholder(const char *s)
{
	static const char *const whole[] = {
		"$id", "$arn", "$value", "$added", "$removed", "$element", "$tags",
		"$tag_keys", "$tag_key_objects", "$token", "$env", "$address", "$name",
	};
	static const char *const prefixed[] = { "$attr:", "$live:", "$element:" };
	size_t i;

	for (i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
		if (!strcmp(s, whole[i]))
			return 1;
	for (i = 0; i < sizeof(prefixed) / sizeof(prefixed[0]); i++)
		if (!strncmp(s, prefixed[i], strlen(prefixed[i])) && s[strlen(prefixed[i])])
			return 1;
	return 0;
}

static void check_placeholders(const char *where, const cJSON *v)
{
	const cJSON *c;

	if (cJSON_IsString(v) && v->valuestring[0] == '$')
		ck_assert_msg(known_placeholder(v->valuestring),
			      "%s: unknown placeholder %s", where, v->valuestring);
	cJSON_ArrayForEach(c, v)
		check_placeholders(where, c);
}

static void check_template(const char *type_name, const char *what,
			   const char *op, const char *params)
{
	char where[256];
	cJSON *t;

	snprintf(where, sizeof(where), "%s %s", type_name, what);
	if (!params)
		return;
	ck_assert_msg(op != NULL, "%s: a template without an operation", where);
	t = cJSON_Parse(params);
	ck_assert_msg(cJSON_IsObject(t), "%s: template is not a JSON object: %s",
		      where, params);
	check_placeholders(where, t);
	cJSON_Delete(t);
}

START_TEST(every_template_is_a_json_object_with_known_placeholders)
{
	const res_type_t *t;
	const res_attr_t *a;
	size_t i, j;

	for (i = 0; (t = res_table_at(i)); i++) {
		check_template(t->name, "read", t->read.op, t->read.params);
		check_template(t->name, "read_one", t->read_one.op, t->read_one.params);
		check_template(t->name, "create", t->create.op, t->create.params);
		check_template(t->name, "remove", t->remove.op, t->remove.params);
		check_template(t->name, "tag", t->tag.op, t->tag.params);
		check_template(t->name, "untag", t->untag.op, t->untag.params);
		/* A driver reads and applies its type itself. Without
		 * read_one the item of a create is the request's
		 * (create_item), or nothing is refreshed after a write
		 * (ListAliases cannot name one alias); waiting needs it. */
		ck_assert_msg((t->read.op && (t->read_one.op || t->create_item ||
					      !t->status_path)) ||
			      (t->driver && t->driver->read && t->driver->apply),
			      "%s lacks a read or read_one operation", t->name);
		/* A type with neither is a check (restable.h). */
		ck_assert_msg(!t->create.op == !t->remove.op,
			      "%s has a create or a remove operation without the other",
			      t->name);
		for (j = 0; j < t->n_attrs; j++) {
			a = &t->attrs[j];
			check_template(t->name, a->name, a->update_op, a->update_params);
			check_template(t->name, a->name, a->remove_op, a->remove_params);
			check_template(t->name, a->name, a->live_read.op, a->live_read.params);
		}
	}
	ck_assert_uint_ge(i, 10);
}
END_TEST

START_TEST(no_type_has_two_attributes_of_one_name)
{
	const res_type_t *t;
	size_t i, j, k;

	for (i = 0; (t = res_table_at(i)); i++)
		for (j = 0; j < t->n_attrs; j++)
			for (k = j + 1; k < t->n_attrs; k++)
				ck_assert_msg(strcmp(t->attrs[j].name, t->attrs[k].name),
					      "%s has %s twice", t->name, t->attrs[j].name);
}
END_TEST

START_TEST(type_names_are_unique_and_found_by_name)
{
	const res_type_t *t, *u;
	size_t i, j;

	for (i = 0; (t = res_table_at(i)); i++) {
		ck_assert_ptr_eq(res_table_find(t->name), t);
		ck_assert_msg(!strncmp(t->name, t->service, strlen(t->service)) &&
			      t->name[strlen(t->service)] == '.',
			      "%s is not named service.type", t->name);
		for (j = i + 1; (u = res_table_at(j)); j++)
			ck_assert_str_ne(t->name, u->name);
	}
	ck_assert_ptr_null(res_table_find("ec2.nothing"));
	ck_assert_ptr_null(res_table_at(i));
}
END_TEST

START_TEST(name_identified_types_name_real_attributes)
{
	const res_type_t *t;
	size_t i, j;

	for (i = 0; (t = res_table_at(i)); i++) {
		if (t->identity != RES_ID_NAME)
			continue;
		ck_assert_msg(t->name_attrs && t->name_attrs[0], "%s has no name_attrs",
			      t->name);
		for (j = 0; t->name_attrs[j]; j++) {
			/* A dotted name is a member of a required attribute. */
			char first[64];
			const res_attr_t *a;

			snprintf(first, sizeof(first), "%.*s",
				 (int)strcspn(t->name_attrs[j], "."), t->name_attrs[j]);
			a = res_type_attr(t, first);

			/* The first is required; others may be absent on
			 * both sides (a record's SetIdentifier). */
			ck_assert_msg(a && (j > 0 || (a->flags & RES_REQUIRED)),
				      "%s: name attribute %s is not a required attribute",
				      t->name, t->name_attrs[j]);
		}
	}
}
END_TEST

START_TEST(spec_tagged_types_say_their_tag_resource_type)
{
	const res_type_t *t;
	size_t i;

	for (i = 0; (t = res_table_at(i)); i++) {
		if (t->tag_style == RES_TAGS_SPEC)
			ck_assert_msg(t->tag_resource_type != NULL,
				      "%s has no tag_resource_type", t->name);
		if (t->identity == RES_ID_TAGS)
			ck_assert_msg(t->tag_style != RES_TAGS_NONE && t->tag.op,
				      "%s is found by tags it cannot write", t->name);
	}
}
END_TEST

START_TEST(every_in_place_attribute_has_a_way_to_change)
{
	const res_type_t *t;
	const res_attr_t *a;
	size_t i, j;

	for (i = 0; (t = res_table_at(i)); i++)
		for (j = 0; j < t->n_attrs; j++) {
			a = &t->attrs[j];
			/* A driver applies its type's attributes itself. */
			if (a->mutability != RES_IN_PLACE || t->driver)
				continue;
			if (a->kind == RES_TAGS)
				ck_assert_msg(t->tag.op && t->untag.op,
					      "%s has Tags but no tag operations", t->name);
			else
				ck_assert_msg(a->plan || (a->update_op && a->update_params),
					      "%s.%s is in place without an update", t->name,
					      a->name);
			if (a->kind == RES_SET && !a->plan)
				ck_assert_msg(a->remove_op && a->remove_params,
					      "%s.%s: a set that can only grow", t->name,
					      a->name);
		}
}
END_TEST

START_TEST(dependencies_name_known_types)
{
	const res_type_t *t;
	size_t i, j;

	for (i = 0; (t = res_table_at(i)); i++)
		for (j = 0; t->depends_on_types && t->depends_on_types[j]; j++)
			ck_assert_msg(res_table_find(t->depends_on_types[j]) != NULL,
				      "%s depends on unknown %s", t->name,
				      t->depends_on_types[j]);
}
END_TEST

START_TEST(near_misses_suggest_the_type_and_attribute)
{
	ck_assert_str_eq(res_table_suggest_type("ec2.vpcc"), "ec2.vpc");
	ck_assert_str_eq(res_table_suggest_type("iam.rol"), "iam.role");
	ck_assert_ptr_null(res_table_suggest_type("quantum.computer"));
	ck_assert_str_eq(res_type_suggest_attr(type("ec2.subnet"), "CidrBlok"), "CidrBlock");
	ck_assert_ptr_null(res_type_suggest_attr(type("ec2.subnet"), "Colour"));
}
END_TEST

/* ---- security group rules -------------------------------------------- */

static cJSON *normalized(const res_attr_t *a, const char *text)
{
	cJSON *v = parse(text), *n = a->normalize(v, NULL);

	cJSON_Delete(v);
	ck_assert_ptr_nonnull(n);
	return n;
}

static int same_rules(const char *x, const char *y)
{
	const res_attr_t *a = attr("ec2.security_group", "IpPermissions");
	cJSON *nx = normalized(a, x), *ny = normalized(a, y);
	int eq = json_equal(nx, ny);

	cJSON_Delete(nx);
	cJSON_Delete(ny);
	return eq;
}

START_TEST(grouped_and_exploded_rules_are_equal)
{
	ck_assert(same_rules(
		"[{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,"
		"\"IpRanges\":[{\"CidrIp\":\"10.0.0.0/16\"},{\"CidrIp\":\"10.1.0.0/16\"}],"
		"\"UserIdGroupPairs\":[{\"GroupId\":\"sg-1\",\"UserId\":\"123456789012\"}]}]",
		"[{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,"
		"\"UserIdGroupPairs\":[{\"GroupId\":\"sg-1\"}]},"
		"{\"IpProtocol\":\"6\",\"FromPort\":443,\"ToPort\":443,"
		"\"IpRanges\":[{\"CidrIp\":\"10.1.0.0/16\",\"Description\":\"b\"}]},"
		"{\"IpProtocol\":\"TCP\",\"FromPort\":443,\"ToPort\":443,"
		"\"IpRanges\":[{\"CidrIp\":\"10.0.0.0/16\"}]}]"));
	ck_assert(!same_rules(
		"[{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,"
		"\"IpRanges\":[{\"CidrIp\":\"10.0.0.0/16\"}]}]",
		"[{\"IpProtocol\":\"tcp\",\"FromPort\":80,\"ToPort\":80,"
		"\"IpRanges\":[{\"CidrIp\":\"10.0.0.0/16\"}]}]"));
}
END_TEST

START_TEST(all_traffic_is_minus_one_without_ports)
{
	ck_assert(same_rules(
		"[{\"IpProtocol\":\"-1\",\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}],"
		"\"Ipv6Ranges\":[{\"CidrIpv6\":\"::/0\"}]}]",
		"[{\"IpProtocol\":\"all\",\"FromPort\":0,\"ToPort\":65535,"
		"\"Ipv6Ranges\":[{\"CidrIpv6\":\"0:0::/0\"}]},"
		"{\"IpProtocol\":-1,\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]"));
	ck_assert(!same_rules("[{\"IpProtocol\":\"-1\",\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]",
			      "[{\"IpProtocol\":\"udp\",\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]"));
}
END_TEST

START_TEST(a_rule_without_protocol_is_an_error)
{
	const res_attr_t *a = attr("ec2.security_group", "IpPermissions");
	cJSON *v = parse("[{\"FromPort\":22}]");
	err_t e = { 0 };

	ck_assert_ptr_null(a->normalize(v, &e));
	ck_assert_int_eq(e.code, -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.message, "IpProtocol"));
	cJSON_Delete(v);
}
END_TEST

static const char *const sg_live =
	"{\"GroupId\":\"sg-1\",\"GroupName\":\"web\",\"Description\":\"web\","
	"\"IpPermissions\":[{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,"
	"\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}],\"Ipv6Ranges\":[],"
	"\"PrefixListIds\":[],\"UserIdGroupPairs\":[]}],"
	"\"IpPermissionsEgress\":[{\"IpProtocol\":\"-1\","
	"\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}],\"Ipv6Ranges\":[],"
	"\"PrefixListIds\":[],\"UserIdGroupPairs\":[]}]}";

START_TEST(default_egress_rule_is_removed_only_when_config_sets_egress)
{
	const res_type_t *t = type("ec2.security_group");
	cJSON *live = parse(sg_live);
	cJSON *silent = parse("{\"GroupName\":\"web\",\"Description\":\"web\","
		"\"IpPermissions\":[{\"IpProtocol\":\"tcp\",\"FromPort\":443,"
		"\"ToPort\":443,\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]}");
	cJSON *explicit = parse("{\"GroupName\":\"web\",\"Description\":\"web\","
		"\"IpPermissionsEgress\":[{\"IpProtocol\":\"tcp\",\"FromPort\":443,"
		"\"ToPort\":443,\"IpRanges\":[{\"CidrIp\":\"10.0.0.0/8\"}]}]}");
	diff_t *d;

	ck_assert_int_eq(diff_resource(t, silent, live, NULL, &d, NULL), 0);
	ck_assert_uint_eq(d->n_changes, 0);
	diff_free(d);
	ck_assert_int_eq(diff_resource(t, explicit, live, NULL, &d, NULL), 0);
	ck_assert_uint_eq(d->n_changes, 1);
	ck_assert_str_eq(d->changes[0].attr->name, "IpPermissionsEgress");
	ck_assert_int_eq(cJSON_GetArraySize(d->changes[0].removed), 1);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(d->changes[0].removed, 0),
					     "IpProtocol")->valuestring, "-1");
	ck_assert_int_eq(cJSON_GetArraySize(d->changes[0].added), 1);
	diff_free(d);
	cJSON_Delete(live);
	cJSON_Delete(silent);
	cJSON_Delete(explicit);
}
END_TEST

/* ---- route tables ----------------------------------------------------- */

static const char *const rt_live =
	"{\"RouteTableId\":\"rtb-1\",\"VpcId\":\"vpc-1\","
	"\"Routes\":[{\"DestinationCidrBlock\":\"10.0.0.0/16\",\"GatewayId\":\"local\","
	"\"Origin\":\"CreateRouteTable\",\"State\":\"active\"},"
	"{\"DestinationCidrBlock\":\"172.16.0.0/12\",\"GatewayId\":\"vgw-1\","
	"\"Origin\":\"EnableVgwRoutePropagation\",\"State\":\"active\"},"
	"{\"DestinationCidrBlock\":\"0.0.0.0/0\",\"NatGatewayId\":\"nat-1\","
	"\"Origin\":\"CreateRoute\",\"State\":\"active\"}],"
	"\"Associations\":[{\"Main\":false,\"RouteTableAssociationId\":\"rtbassoc-a\","
	"\"SubnetId\":\"subnet-a\"},{\"Main\":false,"
	"\"RouteTableAssociationId\":\"rtbassoc-b\",\"SubnetId\":\"subnet-b\"}]}";

START_TEST(local_and_propagated_routes_are_never_drift)
{
	const res_type_t *t = type("ec2.route_table");
	cJSON *live = parse(rt_live), *want = parse("{\"VpcId\":\"vpc-1\","
		"\"Routes\":[{\"DestinationCidrBlock\":\"0.0.0.0/0\",\"NatGatewayId\":\"nat-1\"}]}");
	cJSON *none = parse("{\"VpcId\":\"vpc-1\",\"Routes\":[]}");
	diff_t *d;

	ck_assert_int_eq(t->hooks->fix_live(t, live, NULL), 0);
	ck_assert_int_eq(diff_resource(t, want, live, NULL, &d, NULL), 0);
	ck_assert_uint_eq(d->n_changes, 0);
	diff_free(d);
	/* No routes wanted: only the NAT route is removed. */
	ck_assert_int_eq(diff_resource(t, none, live, NULL, &d, NULL), 0);
	ck_assert_uint_eq(d->n_changes, 1);
	ck_assert_int_eq(cJSON_GetArraySize(d->changes[0].removed), 1);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(d->changes[0].removed, 0),
					     "NatGatewayId")->valuestring, "nat-1");
	diff_free(d);
	cJSON_Delete(live);
	cJSON_Delete(want);
	cJSON_Delete(none);
}
END_TEST

START_TEST(subnet_disassociation_uses_the_live_association_id)
{
	const res_type_t *t = type("ec2.route_table");
	const res_attr_t *a = attr("ec2.route_table", "SubnetIds");
	cJSON *live = parse(rt_live), *want = parse("{\"VpcId\":\"vpc-1\","
		"\"SubnetIds\":[\"subnet-a\",\"subnet-c\"]}"), *calls, *c;
	diff_t *d;

	ck_assert_int_eq(t->hooks->fix_live(t, live, NULL), 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(live, "SubnetIds")), 2);
	ck_assert_int_eq(diff_resource(t, want, live, NULL, &d, NULL), 0);
	ck_assert_uint_eq(d->n_changes, 1);
	calls = a->plan(a, cJSON_GetObjectItem(want, "SubnetIds"), d->changes[0].added,
			d->changes[0].removed, live, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(calls), 2);
	c = assert_call(calls, 0, "DisassociateRouteTable", "AssociationId", "rtbassoc-b");
	c = assert_call(calls, 1, "AssociateRouteTable", "SubnetId", "subnet-c");
	ck_assert_str_eq(json_get_path(c, "params.RouteTableId")->valuestring, "$id");
	cJSON_Delete(calls);
	diff_free(d);
	cJSON_Delete(live);
	cJSON_Delete(want);
}
END_TEST

/* ---- IAM -------------------------------------------------------------- */

/* As GetAccountAuthorizationDetails returns them: documents URL-encoded
 * (%7B = {, %22 = ", %3A = :, %2F = /, %20 = space). */
static const char *const role_live =
	"{\"RoleName\":\"app\",\"Arn\":\"arn:aws:iam::123456789012:role/app\",\"Path\":\"/\","
	"\"AssumeRolePolicyDocument\":\"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A"
	"%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A"
	"%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D\","
	"\"RolePolicyList\":[{\"PolicyName\":\"logs\",\"PolicyDocument\":"
	"\"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22"
	"%2C%22Action%22%3A%22logs%3APutLogEvents%22%2C%22Resource%22%3A%22*%22%7D%7D\"}],"
	"\"AttachedManagedPolicies\":[{\"PolicyName\":\"ReadOnlyAccess\","
	"\"PolicyArn\":\"arn:aws:iam::aws:policy/ReadOnlyAccess\"}],"
	"\"Tags\":[{\"Key\":\"team\",\"Value\":\"web\"}]}";

static const char *const role_desired =
	"{\"RoleName\":\"app\",\"AssumeRolePolicyDocument\":{\"Statement\":[{"
	"\"Action\":[\"sts:AssumeRole\"],\"Effect\":\"Allow\","
	"\"Principal\":{\"Service\":[\"ec2.amazonaws.com\"]}}],\"Version\":\"2012-10-17\"},"
	"\"Policies\":{\"logs\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
	"\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":[\\\"logs:putlogevents\\\"],"
	"\\\"Resource\\\":\\\"*\\\"}]}\"},"
	"\"ManagedPolicyArns\":[\"arn:aws:iam::aws:policy/ReadOnlyAccess\"],"
	"\"Tags\":{\"team\":\"web\"}}";

START_TEST(role_documents_are_url_decoded_and_lists_flattened)
{
	const res_type_t *t = type("iam.role");
	cJSON *live = parse(role_live), *want = parse(role_desired);
	diff_t *d;

	ck_assert_int_eq(t->hooks->fix_live(t, live, NULL), 0);
	ck_assert_str_eq(json_get_path(live, "AssumeRolePolicyDocument.Statement.0.Action")
			 ->valuestring, "sts:AssumeRole");
	ck_assert_str_eq(json_get_path(live, "Policies.logs.Statement.Action")->valuestring,
			 "logs:PutLogEvents");
	ck_assert_str_eq(json_get_path(live, "ManagedPolicyArns.0")->valuestring,
			 "arn:aws:iam::aws:policy/ReadOnlyAccess");
	ck_assert_int_eq(diff_resource(t, want, live, NULL, &d, NULL), 0);
	ck_assert_uint_eq(d->n_changes, 0);
	diff_free(d);
	cJSON_Delete(live);
	cJSON_Delete(want);
}
END_TEST

START_TEST(inline_policy_changes_put_changed_and_delete_dropped)
{
	const res_type_t *t = type("iam.role");
	const res_attr_t *a = attr("iam.role", "Policies");
	cJSON *live = parse(role_live), *want = parse("{\"s3\":{\"Version\":\"2012-10-17\","
		"\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
		"\"Resource\":\"*\"}]}}"), *calls, *c;
	diff_t *d;
	cJSON *desired = cJSON_CreateObject();

	ck_assert_int_eq(t->hooks->fix_live(t, live, NULL), 0);
	cJSON_AddItemToObject(desired, "Policies", cJSON_Duplicate(want, 1));
	ck_assert_int_eq(diff_resource(t, desired, live, NULL, &d, NULL), 0);
	ck_assert_uint_eq(d->n_changes, 1);
	ck_assert_ptr_eq(d->changes[0].attr, a);
	calls = a->plan(a, want, NULL, NULL, live, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(calls), 2);
	c = assert_call(calls, 0, "DeleteRolePolicy", "PolicyName", "logs");
	c = assert_call(calls, 1, "PutRolePolicy", "PolicyName", "s3");
	/* Sent as the operator wrote it, as text: s3:GetObject keeps its case. */
	ck_assert_ptr_nonnull(strstr(json_get_path(c, "params.PolicyDocument")->valuestring,
				     "s3:GetObject"));
	cJSON_Delete(calls);
	diff_free(d);
	cJSON_Delete(live);
	cJSON_Delete(want);
	cJSON_Delete(desired);
}
END_TEST

START_TEST(dropping_all_inline_policies_deletes_each_one)
{
	const res_type_t *t = type("iam.role");
	const res_attr_t *a = attr("iam.role", "Policies");
	cJSON *live = parse(role_live), *calls;

	ck_assert_int_eq(t->hooks->fix_live(t, live, NULL), 0);
	calls = a->plan(a, NULL, NULL, NULL, live, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(calls), 1);
	assert_call(calls, 0, "DeleteRolePolicy", "PolicyName", "logs");
	assert_call(calls, 0, "DeleteRolePolicy", "RoleName", "$id");
	cJSON_Delete(calls);
	cJSON_Delete(live);
}
END_TEST

static const char *policy_live(int versions)
{
	static char buf[4096];
	int i, n;

	n = snprintf(buf, sizeof(buf), "{\"PolicyName\":\"read\",\"Arn\":\"arn:aws:iam::1:policy/read\","
		     "\"DefaultVersionId\":\"v3\",\"PolicyVersionList\":[");
	for (i = 1; i <= versions; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "%s{\"VersionId\":\"v%d\",\"IsDefaultVersion\":%s,"
			      "\"CreateDate\":\"2024-0%d-01T00:00:00Z\",\"Document\":"
			      "\"%%7B%%22Version%%22%%3A%%222012-10-17%%22%%2C%%22Statement%%22%%3A%%5B%%5D"
			      "%%2C%%22Sid%%22%%3A%%22v%d%%22%%7D\"}",
			      i > 1 ? "," : "", i, i == 3 ? "true" : "false",
			      /* v1 is not the oldest: v2 is. */
			      i == 1 ? 5 : i - 1, i);
	snprintf(buf + n, sizeof(buf) - (size_t)n, "]}");
	return buf;
}

START_TEST(policy_document_is_the_default_version_decoded)
{
	const res_type_t *t = type("iam.policy");
	cJSON *live = parse(policy_live(3));

	ck_assert_int_eq(t->hooks->fix_live(t, live, NULL), 0);
	ck_assert_str_eq(json_get_path(live, "PolicyDocument.Sid")->valuestring, "v3");
	cJSON_Delete(live);
}
END_TEST

START_TEST(fifth_policy_version_makes_room_by_deleting_the_oldest_non_default)
{
	const res_type_t *t = type("iam.policy");
	const res_attr_t *a = attr("iam.policy", "PolicyDocument");
	cJSON *live = parse(policy_live(5)), *doc = parse("{\"Version\":\"2012-10-17\","
		"\"Statement\":[]}"), *calls, *c;

	ck_assert_int_eq(t->hooks->fix_live(t, live, NULL), 0);
	calls = a->plan(a, doc, NULL, NULL, live, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(calls), 2);
	c = assert_call(calls, 0, "DeletePolicyVersion", "VersionId", "v2");
	ck_assert_str_eq(json_get_path(c, "params.PolicyArn")->valuestring, "$id");
	c = cJSON_GetArrayItem(calls, 1);
	ck_assert_str_eq(cJSON_GetObjectItem(c, "op")->valuestring, "CreatePolicyVersion");
	ck_assert(cJSON_IsTrue(json_get_path(c, "params.SetAsDefault")));
	ck_assert(cJSON_IsString(json_get_path(c, "params.PolicyDocument")));
	cJSON_Delete(calls);
	cJSON_Delete(live);
	live = parse(policy_live(4));
	ck_assert_int_eq(t->hooks->fix_live(t, live, NULL), 0);
	calls = a->plan(a, doc, NULL, NULL, live, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(calls), 1);
	cJSON_Delete(calls);
	cJSON_Delete(live);
	cJSON_Delete(doc);
}
END_TEST

START_TEST(instance_profile_roles_are_role_names)
{
	const res_type_t *t = type("iam.instance_profile");
	cJSON *live = parse("{\"InstanceProfileName\":\"app\",\"Roles\":[{\"RoleName\":\"app\","
			    "\"Arn\":\"arn:aws:iam::1:role/app\"}]}");

	ck_assert_int_eq(t->hooks->fix_live(t, live, NULL), 0);
	ck_assert_str_eq(json_get_path(live, "Roles.0")->valuestring, "app");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(live, "Roles")), 1);
	cJSON_Delete(live);
}
END_TEST

START_TEST(malformed_url_encoding_leaves_text_not_a_crash)
{
	const res_type_t *t = type("iam.role");
	cJSON *live = parse("{\"RoleName\":\"x\",\"AssumeRolePolicyDocument\":\"%7B%zz%\"}");

	ck_assert_int_eq(t->hooks->fix_live(t, live, NULL), 0);
	ck_assert(cJSON_IsString(cJSON_GetObjectItem(live, "AssumeRolePolicyDocument")));
	cJSON_Delete(live);
}
END_TEST

/* ---- schema ----------------------------------------------------------- */

static char *write_config(const char *text)
{
	char *dir = strdup("/tmp/driftd-restable-XXXXXX"), path[256];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/main.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return dir;
}

static void remove_config(char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/main.json", dir);
	unlink(path);
	rmdir(dir);
	free(dir);
}

START_TEST(schema_reports_each_problem_at_its_position)
{
	char *dir = write_config(
		"{ \"resources\": {\n"
		"  \"ec2.vpc.main\": { \"CidrBlok\": \"10.0.0.0/16\" },\n"
		"  \"ec2.subnet.a\": { \"VpcId\": \"${ec2.vpc.main.VpcId}\",\n"
		"                    \"CidrBlock\": \"10.0.1.1/24\", \"SubnetId\": \"x\" },\n"
		"  \"iam.role.r\": { \"RoleName\": \"r\", \"AssumeRolePolicyDocument\": [] }\n"
		"} }\n");
	static const struct { int line, column; const char *message; } want[] = {
		{ 2, 3, "ec2.vpc needs property \"CidrBlock\"" },
		{ 2, 21, "unknown property \"CidrBlok\" of ec2.vpc; did you mean \"CidrBlock\"?" },
		{ 4, 34, "CidrBlock: invalid CIDR block \"10.0.1.1/24\": host bits are set beyond the /24 prefix" },
		{ 4, 49, "SubnetId of ec2.subnet is read-only: AWS sets it; reference it as ${ec2.subnet.a.SubnetId} instead" },
		{ 5, 64, "AssumeRolePolicyDocument must be a JSON object or the text of one, not an array" },
	};
	config_errors_t *errs = NULL;
	config_t *cfg = NULL;
	size_t i;

	ck_assert_int_eq(config_load_with_schema(dir, schema_config(), &cfg, &errs), -EINVAL);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(errs->count, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < errs->count; i++) {
		ck_assert_int_eq(errs->items[i].line, want[i].line);
		ck_assert_int_eq(errs->items[i].column, want[i].column);
		ck_assert_str_eq(errs->items[i].message, want[i].message);
	}
	config_errors_free(errs);
	remove_config(dir);
}
END_TEST

START_TEST(schema_accepts_references_where_values_are_checked)
{
	char *dir = write_config(
		"{ \"resources\": {\n"
		"  \"ec2.vpc.main\": { \"CidrBlock\": \"10.0.0.0/16\" },\n"
		"  \"ec2.subnet.a\": { \"VpcId\": \"${ec2.vpc.main.VpcId}\",\n"
		"                    \"CidrBlock\": \"${ec2.vpc.main.CidrBlock}\" },\n"
		"  \"ec2.route_table.a\": { \"VpcId\": \"${ec2.vpc.main.VpcId}\",\n"
		"                         \"SubnetIds\": \"${ec2.subnet.a.SubnetId}\" }\n"
		"} }\n");
	config_errors_t *errs = NULL;
	config_t *cfg = NULL;

	ck_assert_int_eq(config_load_with_schema(dir, schema_config(), &cfg, &errs), 0);
	ck_assert_uint_eq(errs->count, 0);
	config_free(cfg);
	config_errors_free(errs);
	remove_config(dir);
}
END_TEST

TESTUTIL_MAIN("restable",
	every_template_is_a_json_object_with_known_placeholders,
	no_type_has_two_attributes_of_one_name,
	type_names_are_unique_and_found_by_name,
	name_identified_types_name_real_attributes,
	spec_tagged_types_say_their_tag_resource_type,
	every_in_place_attribute_has_a_way_to_change,
	dependencies_name_known_types,
	near_misses_suggest_the_type_and_attribute,
	grouped_and_exploded_rules_are_equal,
	all_traffic_is_minus_one_without_ports,
	a_rule_without_protocol_is_an_error,
	default_egress_rule_is_removed_only_when_config_sets_egress,
	local_and_propagated_routes_are_never_drift,
	subnet_disassociation_uses_the_live_association_id,
	role_documents_are_url_decoded_and_lists_flattened,
	inline_policy_changes_put_changed_and_delete_dropped,
	dropping_all_inline_policies_deletes_each_one,
	policy_document_is_the_default_version_decoded,
	fifth_policy_version_makes_room_by_deleting_the_oldest_non_default,
	instance_profile_roles_are_role_names,
	malformed_url_encoding_leaves_text_not_a_crash,
	schema_reports_each_problem_at_its_position,
	schema_accepts_references_where_values_are_checked)
