#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgmem.h"
#include "intern.h"
#include "testutil.h"

/* Between begin and end, cJSON's nodes come from the arena (and only
 * nodes: the strings stay in malloc until cfgmem_strings); cJSON_Delete
 * finds them by address and frees them there. */
START_TEST(nodes_parsed_between_begin_and_end_are_the_arenas)
{
	cJSON *a, *b;

	cfgmem_begin();
	a = cJSON_Parse("{\"Name\": \"web\", \"Ports\": [1, 2, 3]}");
	cfgmem_end();
	b = cJSON_Parse("{\"Name\": \"db\"}");
	ck_assert_ptr_nonnull(a);
	ck_assert(cfgmem_owns(a));
	ck_assert(cfgmem_owns(cJSON_GetObjectItem(a, "Ports")->child->next));
	ck_assert(!cfgmem_owns(cJSON_GetObjectItem(a, "Name")->valuestring));
	ck_assert(!cfgmem_owns(b));
	ck_assert(!cfgmem_owns(b->child));
	ck_assert_uint_eq(cfgmem_live(), 6);
	ck_assert_uint_eq(cfgmem_blocks(), 1);
	cJSON_Delete(b);
	cJSON_Delete(a);
	ck_assert_uint_eq(cfgmem_live(), 0);
	ck_assert_uint_eq(cfgmem_blocks(), 0);
}
END_TEST

/* Strings move in, the shared (interned) keys stay shared; cJSON's own
 * functions then free and replace them one at a time: a longer value
 * (cJSON_SetValuestring), a node detached and deleted, a key replaced. */
START_TEST(strings_move_in_and_cjson_frees_them_one_by_one)
{
	const char *shared = intern("GroupName");
	char *text;
	cJSON *a, *n;

	cfgmem_begin();
	a = cJSON_Parse("{\"GroupName\": \"g1\", \"VpcId\": \"${ec2.vpc.main.VpcId}\","
			" \"Rules\": [{\"CidrIp\": \"10.0.0.0/16\"}]}");
	cfgmem_end();
	intern_keys(a);
	cfgmem_strings(a);
	n = cJSON_GetObjectItem(a, "GroupName");
	ck_assert_ptr_eq(n->string, shared);
	ck_assert(cfgmem_owns(n->valuestring));
	ck_assert(cfgmem_owns(cJSON_GetObjectItem(a, "VpcId")->valuestring));
	ck_assert(cfgmem_owns(cJSON_GetArrayItem(cJSON_GetObjectItem(a, "Rules"), 0)->child->valuestring));
	/* 6 nodes and 3 strings ("GroupName" and the like are interned) */
	ck_assert_uint_eq(cfgmem_live(), 9);
	ck_assert_ptr_nonnull(cJSON_SetValuestring(n, "a-much-longer-group-name"));
	ck_assert(!cfgmem_owns(n->valuestring));
	ck_assert_uint_eq(cfgmem_live(), 8);
	/* the array, its object and CidrIp, and "10.0.0.0/16" */
	cJSON_Delete(cJSON_DetachItemFromObject(a, "Rules"));
	ck_assert_uint_eq(cfgmem_live(), 4);
	ck_assert(cJSON_ReplaceItemInObject(a, "VpcId", cJSON_CreateString("vpc-1")));
	ck_assert_uint_eq(cfgmem_live(), 2);
	text = cJSON_PrintUnformatted(a);
	ck_assert_str_eq(text, "{\"GroupName\":\"a-much-longer-group-name\",\"VpcId\":\"vpc-1\"}");
	cJSON_free(text);
	cJSON_Delete(a);
	ck_assert_uint_eq(cfgmem_live(), 0);
	ck_assert_uint_eq(cfgmem_blocks(), 0);
}
END_TEST

/* A tree over many blocks: each block is given back as its last
 * allocation goes, whatever the order, and reused after. */
START_TEST(blocks_are_given_back_when_empty_and_reused)
{
	enum { N = 20000 };             /* 1.3 MB of nodes: 20 blocks */
	cJSON *arr, *item;
	size_t i, blocks;

	cfgmem_begin();
	arr = cJSON_CreateArray();
	for (i = 0; i < N; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)i));
	cfgmem_end();
	ck_assert_uint_eq(cfgmem_live(), N + 1);
	blocks = cfgmem_blocks();
	ck_assert_uint_ge(blocks, (N + 1) * sizeof(cJSON) / CFGMEM_BLOCK);
	/* every other one first: no block empties */
	for (i = 0; i < N; i += 2)
		cJSON_DeleteItemFromArray(arr, (int)(N - 1 - i));
	ck_assert_uint_eq(cfgmem_live(), N / 2 + 1);
	ck_assert_uint_eq(cfgmem_blocks(), blocks);
	/* the first half of the rest: about half the blocks go */
	for (i = 0; i < N / 4; i++)
		cJSON_DeleteItemFromArray(arr, 0);
	ck_assert_uint_le(cfgmem_blocks(), blocks / 2 + 2);
	item = cJSON_GetArrayItem(arr, 0);
	ck_assert_double_eq(item->valuedouble, (double)(N / 2));
	cfgmem_begin();
	for (i = 0; i < N / 4; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber(-1.0));
	cfgmem_end();
	ck_assert_uint_le(cfgmem_blocks(), blocks);
	cJSON_Delete(arr);
	ck_assert_uint_eq(cfgmem_live(), 0);
	ck_assert_uint_eq(cfgmem_blocks(), 0);
}
END_TEST

static void *parse_outside(void *arg)
{
	(void)arg;
	return cJSON_Parse("[1, 2]");
}

/* begin is this thread's: another thread's nodes stay in malloc. */
START_TEST(begin_is_per_thread)
{
	pthread_t t;
	cJSON *other;

	cfgmem_begin();
	ck_assert_int_eq(pthread_create(&t, NULL, parse_outside, NULL), 0);
	ck_assert_int_eq(pthread_join(t, (void **)&other), 0);
	cfgmem_end();
	ck_assert_ptr_nonnull(other);
	ck_assert(!cfgmem_owns(other));
	ck_assert_uint_eq(cfgmem_live(), 0);
	cJSON_Delete(other);
}
END_TEST

TESTUTIL_MAIN("cfgmem",
	      nodes_parsed_between_begin_and_end_are_the_arenas,
	      strings_move_in_and_cjson_frees_them_one_by_one,
	      blocks_are_given_back_when_empty_and_reused,
	      begin_is_per_thread)
