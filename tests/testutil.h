/* testutil — shared by the Check suites. */
#ifndef DRIFTD_TESTUTIL_H
#define DRIFTD_TESTUTIL_H

#include <check.h>

/* Runs every test of one suite; the exit status of the test binary. */
static inline int testutil_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

/* One suite named NAME with one test case holding the tests listed. */
#define TESTUTIL_MAIN(name, ...) \
	int main(void) \
	{ \
		Suite *s_ = suite_create(name); \
		TCase *tc_ = tcase_create("core"); \
		const TTest *tests_[] = { __VA_ARGS__ }; \
		size_t i_; \
		for (i_ = 0; i_ < sizeof(tests_) / sizeof(tests_[0]); i_++) \
			_tcase_add_test(tc_, tests_[i_], 0, 0, 0, 1); \
		tcase_set_timeout(tc_, 60); \
		suite_add_tcase(s_, tc_); \
		return testutil_run(s_); \
	}

#endif
