#include <check.h>
#include <stdint.h>
#include <string.h>

#include "pool.h"
#include "testutil.h"

/* Records come zeroed, aligned, apart from each other, and packed into
 * few blocks: what the pool is for (pool.h). */
START_TEST(records_are_zeroed_aligned_and_packed)
{
	pool_t p = { 0 };
	char *a = pool_alloc(&p, 40), *b = pool_alloc(&p, 3);
	char *c = pool_strdup(&p, "ec2.vpc.main");
	size_t i;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	for (i = 0; i < 40; i++)
		ck_assert_int_eq(a[i], 0);
	ck_assert_uint_eq((uintptr_t)a % _Alignof(max_align_t), 0);
	ck_assert_uint_eq((uintptr_t)b % _Alignof(max_align_t), 0);
	ck_assert(b >= a + 40);
	ck_assert_str_eq(c, "ec2.vpc.main");
	/* the three are in one block */
	ck_assert_int_lt(c - a, 256);
	pool_free(&p);
	ck_assert_ptr_null(p.blocks);
}
END_TEST

/* A large record gets a block of its own behind the current one, which
 * goes on filling; many records take new blocks; everything is freed
 * (valgrind's make valgrind checks that). */
START_TEST(large_records_and_many_blocks)
{
	pool_t p = { 0 };
	char *small = pool_alloc(&p, 16), *big, *next;
	size_t i;

	big = pool_alloc(&p, 100000);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 100000);
	next = pool_alloc(&p, 16);
	ck_assert_int_eq(next - small, 16 > _Alignof(max_align_t) ? 16 :
			 _Alignof(max_align_t));
	for (i = 0; i < 10000; i++)
		ck_assert_ptr_nonnull(pool_strdup(&p, "arn:aws:iam::123456789012:role/app"));
	ck_assert_int_eq(big[99999], 'x');
	pool_free(&p);
	pool_free(&p);
}
END_TEST

TESTUTIL_MAIN("pool",
	      records_are_zeroed_aligned_and_packed,
	      large_records_and_many_blocks)
