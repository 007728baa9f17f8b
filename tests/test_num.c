/* num: floor() and lround() without libm give libm's results, bit for bit
 * (-0.0 included), on the edges and on a sweep of every exponent. The
 * suite itself links libm (Check needs it) to compare against. */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "num.h"
#include "testutil.h"

static const double edges[] = {
	0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 2.5, -2.5,
	0.49999999999999994, -0.49999999999999994,   /* below a half: +0.5 rounds up */
	0.5000000000000001, -0.5000000000000001,
	4503599627370495.5, -4503599627370495.5,     /* 2^52 - 0.5 */
	4503599627370496.0, -4503599627370496.0,     /* 2^52 */
	4503599627370497.0, 9007199254740993.0,      /* past 2^52: whole */
	1e-300, -1e-300, 5e-324, -5e-324,            /* subnormal */
	999.9999999999999, 999999.9999999999, 0.9995, 0.0005,
	1733492345.9996, 1733492345.0004, -62135596800.0, 253402300799.999,
	1e15, -1e15, 1e18, -1e18, 9.2233720368547748e18, /* last below 2^63 */
	-9.2233720368547758e18,                       /* -2^63 */
	1e300, -1e300, INFINITY, -INFINITY, NAN,
};

static void assert_same_floor(double x)
{
	double got = num_floor(x), want = floor(x);

	if (isnan(want))
		ck_assert(isnan(got));
	else
		ck_assert_msg(!memcmp(&got, &want, sizeof(got)),
			      "floor(%a): %a, libm %a", x, got, want);
}

static void assert_same_lround(double x)
{
	/* Beyond long, C leaves lround unspecified; num says LONG_MIN. */
	if (!(x >= -0x1p63 && x < 0x1p63)) {
		ck_assert_int_eq(num_lround(x), LONG_MIN);
		return;
	}
	ck_assert_msg(num_lround(x) == lround(x), "lround(%a): %ld, libm %ld",
		      x, num_lround(x), lround(x));
}

START_TEST(edges_round_as_libm_does)
{
	assert_same_floor(edges[_i]);
	assert_same_lround(edges[_i]);
}
END_TEST

/* Doubles of every exponent, from fixed random bits, and the neighbours
 * of each half-way point they pass: where x + 0.5 style shortcuts err. */
START_TEST(a_sweep_of_every_exponent_rounds_as_libm_does)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	double x, h;
	int i;

	for (i = 0; i < 200000; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		memcpy(&x, &s, sizeof(x));
		assert_same_floor(x);
		assert_same_lround(x);
		h = floor(x) + 0.5;
		if (isfinite(h) && fabs(h) < 0x1p52) {
			assert_same_floor(h);
			assert_same_lround(h);
			assert_same_lround(nextafter(h, INFINITY));
			assert_same_lround(nextafter(h, -INFINITY));
		}
	}
}
END_TEST

/* Timestamps' milliseconds and microseconds, the callers' use. */
START_TEST(fractions_of_a_second_round_as_libm_does)
{
	int i;

	for (i = 0; i < 100000; i++) {
		double t = 1733492345.0 + i / 100000.0;

		ck_assert_int_eq(num_lround((t - num_floor(t)) * 1000.0),
				 lround((t - floor(t)) * 1000.0));
		ck_assert_int_eq(num_lround((t - num_floor(t)) * 1e6),
				 lround((t - floor(t)) * 1e6));
	}
}
END_TEST

int main(void)
{
	Suite *su = suite_create("num");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, edges_round_as_libm_does, 0,
			    (int)(sizeof(edges) / sizeof(edges[0])));
	tcase_add_test(tc, a_sweep_of_every_exponent_rounds_as_libm_does);
	tcase_add_test(tc, fractions_of_a_second_round_as_libm_does);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(su, tc);
	return testutil_run(su);
}
