#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "testutil.h"

START_TEST(appends_concatenate_and_stay_nul_terminated)
{
	strbuf_t b = STRBUF_INIT;

	ck_assert_int_eq(strbuf_add(&b, "digraph"), 0);
	ck_assert_int_eq(strbuf_addn(&b, " {}xyz", 3), 0);
	ck_assert_int_eq(strbuf_addn(&b, "a\0b", 3), 0);
	ck_assert_uint_eq(b.len, 13);
	ck_assert_int_eq(memcmp(b.data, "digraph {}a\0b", 14), 0);
	ck_assert_int_eq(b.data[b.len], 0);
	ck_assert_int_eq(b.failed, 0);
	strbuf_free(&b);
}
END_TEST

START_TEST(empty_append_makes_an_empty_string)
{
	strbuf_t b = STRBUF_INIT;

	ck_assert_ptr_null(b.data);
	ck_assert_int_eq(strbuf_addn(&b, "", 0), 0);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_str_eq(b.data, "");
	ck_assert_uint_eq(b.len, 0);
	strbuf_free(&b);
}
END_TEST

START_TEST(growth_keeps_every_byte_across_many_appends)
{
	strbuf_t b = STRBUF_INIT;
	char want[20001], one[2] = { 0, 0 };
	size_t i;

	for (i = 0; i < 20000; i++) {
		one[0] = (char)('a' + i % 26);
		want[i] = one[0];
		ck_assert_int_eq(strbuf_add(&b, one), 0);
	}
	want[20000] = 0;
	ck_assert_uint_eq(b.len, 20000);
	ck_assert_uint_gt(b.cap, b.len);
	ck_assert_str_eq(b.data, want);
	strbuf_free(&b);
}
END_TEST

START_TEST(printf_matches_snprintf_short_and_past_capacity)
{
	strbuf_t b = STRBUF_INIT;
	char *big = malloc(5001), want[6000];

	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 5000);
	big[5000] = 0;
	ck_assert_int_eq(strbuf_printf(&b, "%s=%d;", "n", 42), 0);
	ck_assert_int_eq(strbuf_printf(&b, "[%s] %zu %.3f", big, (size_t)7, 0.5), 0);
	ck_assert_int_eq(strbuf_printf(&b, "%s", ""), 0);
	snprintf(want, sizeof(want), "%s=%d;[%s] %zu %.3f", "n", 42, big,
		 (size_t)7, 0.5);
	ck_assert_uint_eq(b.len, strlen(want));
	ck_assert_str_eq(b.data, want);
	free(big);
	strbuf_free(&b);
}
END_TEST

START_TEST(take_hands_over_the_text_and_resets_the_buffer)
{
	strbuf_t b = STRBUF_INIT;
	char *text;

	strbuf_add(&b, "one");
	text = strbuf_take(&b);
	ck_assert_str_eq(text, "one");
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	strbuf_add(&b, "two");
	ck_assert_str_eq(b.data, "two");
	ck_assert_ptr_ne(b.data, text);
	free(text);
	strbuf_free(&b);
}
END_TEST

START_TEST(take_of_an_untouched_buffer_is_an_empty_string)
{
	strbuf_t b = STRBUF_INIT;
	char *text = strbuf_take(&b);

	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, "");
	free(text);
}
END_TEST

START_TEST(failure_is_sticky_and_take_returns_null)
{
	strbuf_t b = STRBUF_INIT;

	ck_assert_int_eq(strbuf_add(&b, "kept so far"), 0);
	/* a length that cannot fit: fails without touching memory */
	ck_assert_int_eq(strbuf_addn(&b, "x", SIZE_MAX - 2), -ENOMEM);
	ck_assert_int_ne(b.failed, 0);
	ck_assert_str_eq(b.data, "kept so far");
	ck_assert_int_eq(strbuf_add(&b, "more"), -ENOMEM);
	ck_assert_int_eq(strbuf_printf(&b, "%d", 1), -ENOMEM);
	ck_assert_str_eq(b.data, "kept so far");
	ck_assert_ptr_null(strbuf_take(&b));
	ck_assert_int_eq(b.failed, 0);
	ck_assert_ptr_null(b.data);
	ck_assert_int_eq(strbuf_add(&b, "again"), 0);
	ck_assert_str_eq(b.data, "again");
	strbuf_free(&b);
}
END_TEST

START_TEST(free_empties_the_buffer_and_accepts_null)
{
	strbuf_t b = STRBUF_INIT;

	strbuf_add(&b, "text");
	strbuf_free(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
	strbuf_free(&b);
	strbuf_free(NULL);
}
END_TEST

TESTUTIL_MAIN("strbuf",
	      appends_concatenate_and_stay_nul_terminated,
	      empty_append_makes_an_empty_string,
	      growth_keeps_every_byte_across_many_appends,
	      printf_matches_snprintf_short_and_past_capacity,
	      take_hands_over_the_text_and_resets_the_buffer,
	      take_of_an_untouched_buffer_is_an_empty_string,
	      failure_is_sticky_and_take_returns_null,
	      free_empties_the_buffer_and_accepts_null)
