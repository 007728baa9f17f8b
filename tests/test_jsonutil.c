#include <check.h>
#include <stdlib.h>

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

/* A frozen tree reads, compares, prints and copies as the tree it was
 * made from, is freed whole by cJSON_Delete (in an array too: valgrind
 * finds no leak), and thawed becomes an ordinary tree that can change. */
START_TEST(frozen_tree_reads_as_the_original_and_thaws_to_change)
{
	static const char text[] =
		"{\"GroupId\":\"sg-1\",\"Tags\":[{\"Key\":\"driftd:env\","
		"\"Value\":\"dev\"},{\"Key\":\"k\",\"Value\":\"\"}],\"Port\":443,"
		"\"Ratio\":0.5,\"On\":true,\"Off\":false,\"None\":null,"
		"\"Empty\":{},\"List\":[],\"Deep\":{\"A\":{\"B\":[1,[2,\"x\"]]}}}";
	cJSON *j = cJSON_Parse(text), *f = json_freeze(j), *copy, *arr;
	char *printed;

	ck_assert_ptr_nonnull(f);
	ck_assert(json_is_frozen(f));
	ck_assert(!json_is_frozen(j));
	ck_assert(json_equal(f, j));
	ck_assert(cJSON_Compare(f, j, 1));
	printed = cJSON_PrintUnformatted(f);
	ck_assert_str_eq(printed, text);
	free(printed);
	ck_assert_str_eq(json_get_path(f, "Tags.1.Key")->valuestring, "k");
	ck_assert_int_eq(json_get_path(f, "Deep.A.B.1.0")->valueint, 2);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(f, "Tags")), 2);
	/* cJSON keeps the last child in the first one's prev. */
	ck_assert_str_eq(cJSON_GetObjectItem(f, "GroupId")->prev->string, "Deep");
	copy = cJSON_Duplicate(f, 1);
	ck_assert(!json_is_frozen(copy));
	ck_assert(json_equal(copy, j));
	cJSON_Delete(copy);

	ck_assert_int_eq(json_thaw(&f), 0);
	ck_assert(!json_is_frozen(f));
	ck_assert(json_equal(f, j));
	ck_assert_int_eq(json_set_path(f, "Deep.A.C", cJSON_CreateString("y")), 0);
	ck_assert_str_eq(json_get_path(f, "Deep.A.C")->valuestring, "y");
	cJSON_Delete(f);

	arr = cJSON_CreateArray();
	cJSON_AddItemToArray(arr, json_freeze(j));
	cJSON_AddItemToArray(arr, json_freeze(cJSON_GetObjectItem(j, "Tags")));
	ck_assert(json_is_frozen(cJSON_GetArrayItem(arr, 1)));
	ck_assert_str_eq(json_get_path(arr, "1.0.Value")->valuestring, "dev");
	cJSON_Delete(cJSON_DetachItemFromArray(arr, 0));
	cJSON_Delete(arr);

	ck_assert_ptr_null(json_freeze(cJSON_GetObjectItem(j, "Port")));
	ck_assert_int_eq(json_thaw(&j), 0);     /* not frozen: left */
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
	frozen_tree_reads_as_the_original_and_thaws_to_change)
