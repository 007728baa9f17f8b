#include <check.h>
#include <stdio.h>
#include <string.h>

#include "intern.h"
#include "testutil.h"

START_TEST(equal_strings_share_one_copy)
{
	char a[] = "CidrBlock", b[] = "CidrBlock";
	const char *x = intern(a), *y = intern(b);

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_eq(x, y);
	ck_assert_ptr_ne(x, a);
	a[0] = 'X';                     /* a copy, not the caller's string */
	ck_assert_str_eq(x, "CidrBlock");
	ck_assert_ptr_ne(intern("GroupName"), x);
}
END_TEST

/* A fuzzer's keys never repeat: the table stops growing at INTERN_MAX
 * strings (and takes none of INTERN_MAX_LEN bytes or more), and what is
 * in it stays shared. */
START_TEST(the_table_is_bounded)
{
	char key[32], big[INTERN_MAX_LEN + 1];
	const char *first = intern("k0");
	unsigned i;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	ck_assert_ptr_null(intern(big));
	big[INTERN_MAX_LEN - 1] = 0;
	ck_assert_ptr_nonnull(intern(big));
	for (i = 1; i < 2 * INTERN_MAX; i++) {
		snprintf(key, sizeof(key), "k%u", i);
		intern(key);
	}
	ck_assert_uint_eq(intern_count(), INTERN_MAX);
	ck_assert_ptr_null(intern("one more"));
	ck_assert_ptr_eq(intern("k0"), first);
}
END_TEST

START_TEST(keys_of_a_tree_are_shared_below_the_node)
{
	cJSON *a = cJSON_Parse("{\"web\": {\"Port\": 1, \"Tags\": [{\"Key\": \"k\"}]}}");
	cJSON *b = cJSON_Parse("{\"db\": {\"Port\": 2}}");
	cJSON *copy;

	intern_keys(a->child);
	intern_keys(b->child);
	ck_assert(!(a->child->type & cJSON_StringIsConst));     /* the node's own key */
	ck_assert_ptr_eq(a->child->child->string, b->child->child->string);
	ck_assert(a->child->child->type & cJSON_StringIsConst);
	ck_assert_ptr_eq(a->child->child->next->child->child->string, intern("Key"));
	copy = cJSON_Duplicate(a, 1);
	cJSON_Delete(a);
	cJSON_Delete(b);
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(copy, "web"), "Port")->valueint, 1);
	cJSON_Delete(copy);
}
END_TEST

TESTUTIL_MAIN("intern",
	      equal_strings_share_one_copy,
	      keys_of_a_tree_are_shared_below_the_node,
	      the_table_is_bounded)       /* last: it fills the table */
