#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "jsonutil.h"
#include "template.h"
#include "testutil.h"

static char *filled(const char *tmpl, const tmpl_values_t *v)
{
	cJSON *out = NULL;
	err_t e;
	char *txt;

	ck_assert_int_eq(tmpl_fill(tmpl, v, &out, &e), 0);
	txt = json_canonical(out);
	cJSON_Delete(out);
	return txt;
}

START_TEST(string_and_tree_placeholders_are_substituted)
{
	cJSON *value = cJSON_Parse("{\"Value\":true}");
	tmpl_values_t v = { .id = "vpc-1", .value = value };
	char *t = filled("{\"VpcId\":\"$id\",\"EnableDnsHostnames\":\"$value\"}", &v);

	ck_assert_str_eq(t, "{\"EnableDnsHostnames\":{\"Value\":true},\"VpcId\":\"vpc-1\"}");
	free(t);
	cJSON_Delete(value);
}
END_TEST

START_TEST(absent_values_remove_their_member)
{
	tmpl_values_t v = { .id = "sg-1" };
	char *t = filled("{\"GroupId\":\"$id\",\"ClientToken\":\"$token\","
			 "\"List\":[\"$arn\",\"x\"]}", &v);

	ck_assert_str_eq(t, "{\"GroupId\":\"sg-1\",\"List\":[\"x\"]}");
	free(t);
}
END_TEST

START_TEST(star_member_merges_an_element)
{
	cJSON *el = cJSON_Parse("{\"DestinationCidrBlock\":\"0.0.0.0/0\","
				"\"GatewayId\":\"igw-1\"}");
	tmpl_values_t v = { .id = "rtb-1", .element = el };
	char *t = filled("{\"RouteTableId\":\"$id\",\"*\":\"$element\"}", &v);

	ck_assert_str_eq(t, "{\"DestinationCidrBlock\":\"0.0.0.0/0\","
			    "\"GatewayId\":\"igw-1\",\"RouteTableId\":\"rtb-1\"}");
	free(t);
	cJSON_Delete(el);
}
END_TEST

START_TEST(attr_live_and_nested_placeholders)
{
	cJSON *desired = cJSON_Parse("{\"Engine\":\"postgres\"}");
	cJSON *live = cJSON_Parse("{\"Attachments\":[{\"VpcId\":\"vpc-9\"}]}");
	tmpl_values_t v = { .env = "staging", .desired = desired, .live = live };
	char *t = filled("{\"Filters\":[{\"Name\":\"tag:driftd:env\",\"Values\":[\"$env\"]}],"
			 "\"E\":\"$attr:Engine\",\"Old\":\"$live:Attachments.0.VpcId\"}", &v);

	ck_assert_str_eq(t, "{\"E\":\"postgres\",\"Filters\":[{\"Name\":\"tag:driftd:env\","
			    "\"Values\":[\"staging\"]}],\"Old\":\"vpc-9\"}");
	free(t);
	cJSON_Delete(desired);
	cJSON_Delete(live);
}
END_TEST

START_TEST(literal_dollar_strings_and_unknown_placeholders)
{
	tmpl_values_t v = { 0 };
	cJSON *out = NULL;
	err_t e;
	char *t = filled("{\"Price\":\"$$5\",\"Plain\":\"$\"}", &v);

	ck_assert_str_eq(t, "{\"Plain\":\"$\",\"Price\":\"$$5\"}");
	free(t);
	ck_assert_int_eq(tmpl_fill("{\"A\":\"$nope\"}", &v, &out, &e), -EINVAL);
	ck_assert_str_eq(e.message, "template placeholder \"$nope\" is unknown");
	ck_assert_int_eq(tmpl_fill("[1]", &v, &out, &e), -EINVAL);
	ck_assert_ptr_null(out);
}
END_TEST

START_TEST(element_members_and_tag_key_objects)
{
	cJSON *el = cJSON_Parse("{\"AssociationId\":\"rtbassoc-1\",\"SubnetId\":\"s-1\"}");
	cJSON *keys = cJSON_Parse("[\"team\",\"owner\"]");
	tmpl_values_t v = { .element = el, .tag_keys = keys, .id = "vpc-1" };
	char *t = filled("{\"AssociationId\":\"$element:AssociationId\","
			 "\"Resources\":[\"$id\"],\"Tags\":\"$tag_key_objects\"}", &v);

	ck_assert_str_eq(t, "{\"AssociationId\":\"rtbassoc-1\",\"Resources\":[\"vpc-1\"],"
			    "\"Tags\":[{\"Key\":\"team\"},{\"Key\":\"owner\"}]}");
	free(t);
	cJSON_Delete(el);
	cJSON_Delete(keys);
}
END_TEST

START_TEST(parsed_templates_are_filled_without_change)
{
	cJSON *tmpl = cJSON_Parse("{\"RoleName\":\"$id\",\"PolicyName\":\"p\"}");
	tmpl_values_t v = { .id = "app" };
	cJSON *out = NULL;
	char *a, *b;
	err_t e;

	ck_assert_int_eq(tmpl_fill_tree(tmpl, &v, &out, &e), 0);
	a = json_canonical(out);
	b = json_canonical(tmpl);
	ck_assert_str_eq(a, "{\"PolicyName\":\"p\",\"RoleName\":\"app\"}");
	ck_assert_str_eq(b, "{\"PolicyName\":\"p\",\"RoleName\":\"$id\"}");
	free(a);
	free(b);
	cJSON_Delete(out);
	cJSON_Delete(tmpl);
}
END_TEST

/* Found by fuzzing: merging "*" deleted the member "" that the walk held as
 * `next` (heap use-after-free under ASan). Members merged in are final:
 * placeholders inside the value are not filled a second time. */
START_TEST(star_merge_replacing_a_later_member_is_safe)
{
	cJSON *value = cJSON_Parse("{\"\":\"\"}");
	cJSON *el = cJSON_Parse("{\"Name\":\"$id\",\"Key\":\"k\"}");
	tmpl_values_t v = { .value = value };
	tmpl_values_t w = { .element = el, .id = "i-1" };
	char *t = filled("{\"*\":\"$value\",\"\":\"\"}", &v);

	ck_assert_str_eq(t, "{\"\":\"\"}");
	free(t);
	t = filled("{\"*\":\"$element\",\"Key\":\"$id\",\"Other\":\"$id\"}", &w);
	ck_assert_str_eq(t, "{\"Key\":\"k\",\"Name\":\"$id\",\"Other\":\"i-1\"}");
	free(t);
	cJSON_Delete(value);
	cJSON_Delete(el);
}
END_TEST

TESTUTIL_MAIN("template",
	star_merge_replacing_a_later_member_is_safe,
	string_and_tree_placeholders_are_substituted,
	absent_values_remove_their_member,
	star_member_merges_an_element,
	attr_live_and_nested_placeholders,
	literal_dollar_strings_and_unknown_placeholders,
	element_members_and_tag_key_objects,
	parsed_templates_are_filled_without_change)
