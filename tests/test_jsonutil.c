#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "testutil.h"

START_TEST(path_lookup_walks_objects_and_array_indexes)
{
	cJSON *j = cJSON_Parse("{\"Endpoint\":{\"Address\":\"db.local\"},"
			       "\"Items\":[{\"Name\":\"a\"},{\"Name\":\"b\"}]}");

	ck_assert_str_eq(json_get_path(j, "Endpoint.Address")->valuestring,
			 "db.local");
	ck_assert_str_eq(json_get_path(j, "Items.1.Name")->valuestring, "b");
	ck_assert_ptr_null(json_get_path(j, "Items.2.Name"));
	ck_assert_ptr_null(json_get_path(j, "Endpoint.Port"));
	ck_assert_ptr_null(json_get_path(j, "Items.x"));
	cJSON_Delete(j);
}
END_TEST

START_TEST(set_path_creates_parents_and_replaces)
{
	cJSON *j = cJSON_CreateObject();
	char *txt;

	ck_assert_int_eq(json_set_path(j, "A.B", cJSON_CreateNumber(1)), 0);
	ck_assert_int_eq(json_set_path(j, "A.B", cJSON_CreateNumber(2)), 0);
	ck_assert_int_eq(json_delete_path(j, "A.C"), -2);
	txt = json_canonical(j);
	ck_assert_str_eq(txt, "{\"A\":{\"B\":2}}");
	free(txt);
	ck_assert_int_eq(json_delete_path(j, "A.B"), 0);
	txt = json_canonical(j);
	ck_assert_str_eq(txt, "{\"A\":{}}");
	free(txt);
	cJSON_Delete(j);
}
END_TEST

START_TEST(canonical_text_ignores_key_order_and_number_form)
{
	cJSON *a = cJSON_Parse("{\"b\":[1,2.5,{\"y\":true,\"x\":null}],\"a\":\"s\"}");
	cJSON *b = cJSON_Parse("{ \"a\" : \"s\", \"b\" : [1.0, 2.5, {\"x\":null,\"y\":true}] }");
	char *txt = json_canonical(a);

	ck_assert_str_eq(txt, "{\"a\":\"s\",\"b\":[1,2.5,{\"x\":null,\"y\":true}]}");
	ck_assert(json_equal(a, b));
	free(txt);
	cJSON_Delete(a);
	cJSON_Delete(b);
}
END_TEST

START_TEST(array_order_matters_until_sorted)
{
	cJSON *a = cJSON_Parse("[\"b\",\"a\",\"b\"]");
	cJSON *b = cJSON_Parse("[\"a\",\"b\"]");

	ck_assert(!json_equal(a, b));
	json_sort_array(a);
	ck_assert(json_equal(a, b));
	cJSON_Delete(a);
	cJSON_Delete(b);
}
END_TEST

START_TEST(scalar_text_of_each_type)
{
	cJSON *j = cJSON_Parse("[\"x\",7,7.25,true,null,[1]]");
	const char *want[] = { "x", "7", "7.25", "true", "null" };
	char *t;
	int i;

	for (i = 0; i < 5; i++) {
		t = json_scalar_text(cJSON_GetArrayItem(j, i));
		ck_assert_str_eq(t, want[i]);
		free(t);
	}
	ck_assert_ptr_null(json_scalar_text(cJSON_GetArrayItem(j, 5)));
	cJSON_Delete(j);
}
END_TEST

START_TEST(wipe_zeroes_every_string_at_any_depth)
{
	cJSON *j = cJSON_Parse("{\"password\":\"hunter22\",\"n\":1,"
			       "\"deep\":[{\"token\":\"abc\"}]}");
	const cJSON *pw = cJSON_GetObjectItem(j, "password");
	const cJSON *token = json_get_path(j, "deep.0.token");

	json_wipe(j);
	ck_assert_mem_eq(pw->valuestring, "\0\0\0\0\0\0\0\0", 8);
	ck_assert_mem_eq(token->valuestring, "\0\0\0", 3);
	ck_assert_int_eq(cJSON_GetObjectItem(j, "n")->valueint, 1);
	json_delete_wiped(j);
	json_delete_wiped(NULL);
}
END_TEST

/* A packed value holds the compact text of the tree, is freed whole by
 * cJSON_Delete (valgrind finds no leak), copies as a packed value, unpacks
 * to a tree equal to the original (numbers to the last bit), and thaws
 * to a tree that can change. */
START_TEST(packed_value_unpacks_to_the_tree_it_was_made_from)
{
	static const char text[] =
		"{\"GroupId\":\"sg-1\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"a\\\"b\\u00e9\"}],"
		"\"Port\":443,\"Big\":12345678901234567,\"Ratio\":0.1,\"On\":true,"
		"\"None\":null,\"Empty\":{},\"List\":[]}";
	cJSON *j = cJSON_Parse(text), *p = json_pack(j), *copy, *open;

	ck_assert_ptr_nonnull(p);
	ck_assert(json_is_packed(p));
	ck_assert(!json_is_packed(j));
	ck_assert_ptr_null(json_get_path(p, "GroupId"));   /* not a tree */
	open = json_unpack(p);
	ck_assert(!json_is_packed(open));
	ck_assert(cJSON_Compare(open, j, 1));
	ck_assert(json_get_path(open, "Ratio")->valuedouble == 0.1);
	ck_assert(json_get_path(open, "Big")->valuedouble == 12345678901234567.0);
	cJSON_Delete(open);
	copy = cJSON_Duplicate(p, 1);
	ck_assert(json_is_packed(copy));
	open = json_unpack(copy);
	ck_assert(json_equal(open, j));
	cJSON_Delete(open);
	cJSON_Delete(copy);
	ck_assert_int_eq(json_thaw(&p), 0);
	ck_assert(!json_is_packed(p));
	ck_assert(json_equal(p, j));
	ck_assert_int_eq(json_set_path(p, "Empty.A", cJSON_CreateString("y")), 0);
	ck_assert_str_eq(json_get_path(p, "Empty.A")->valuestring, "y");
	cJSON_DeleteItemFromObject(p, "Empty");
	cJSON_Delete(p);
	ck_assert_ptr_null(json_pack(cJSON_GetObjectItem(j, "Port")));
	{       /* larger than json_pack's stack buffer */
		char *big = malloc(6001);
		cJSON *arr = cJSON_CreateArray(), *back;

		memset(big, 'x', 6000);
		big[6000] = 0;
		cJSON_AddItemToArray(arr, cJSON_CreateString(big));
		p = json_pack(arr);
		ck_assert(json_is_packed(p));
		back = json_unpack(p);
		ck_assert(json_equal(back, arr));
		cJSON_Delete(back);
		cJSON_Delete(p);
		cJSON_Delete(arr);
		free(big);
	}
	ck_assert_ptr_null(json_unpack(j));
	ck_assert_int_eq(json_thaw(&j), 0);     /* not packed: left */
	cJSON_Delete(j);
}
END_TEST

TESTUTIL_MAIN("jsonutil",
	path_lookup_walks_objects_and_array_indexes,
	set_path_creates_parents_and_replaces,
	canonical_text_ignores_key_order_and_number_form,
	array_order_matters_until_sorted,
	scalar_text_of_each_type,
	wipe_zeroes_every_string_at_any_depth,
	packed_value_unpacks_to_the_tree_it_was_made_from)
