#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "retry.h"
#include "testutil.h"

static retry_state_t standard_state(int max_attempts)
{
	retry_config_t c = { RETRY_MODE_STANDARD, max_attempts };
	retry_state_t s;

	retry_state_init(&s, &c);
	return s;
}

static const char *const throttling_codes[] = {
	"Throttling", "ThrottlingException", "ThrottledException",
	"RequestThrottledException", "TooManyRequestsException",
	"ProvisionedThroughputExceededException",
	"TransactionInProgressException", "RequestLimitExceeded",
	"BandwidthLimitExceeded", "LimitExceededException",
	"RequestThrottled", "SlowDown", "PriorRequestNotComplete",
	"EC2ThrottledException",
};

START_TEST(throttling_codes_classify_as_throttling)
{
	/* The status does not matter for a throttling code (400 and 503
	 * both occur in the wild). */
	ck_assert_int_eq(retry_classify(400, throttling_codes[_i], 0),
			 RETRY_KIND_THROTTLING);
	ck_assert_int_eq(retry_classify(503, throttling_codes[_i], 0),
			 RETRY_KIND_THROTTLING);
}
END_TEST

START_TEST(transient_codes_and_5xx_classify_as_transient)
{
	ck_assert_int_eq(retry_classify(400, "RequestTimeout", 0),
			 RETRY_KIND_TRANSIENT);
	ck_assert_int_eq(retry_classify(408, "RequestTimeoutException", 0),
			 RETRY_KIND_TRANSIENT);
	ck_assert_int_eq(retry_classify(500, "InternalError", 0),
			 RETRY_KIND_TRANSIENT);
	ck_assert_int_eq(retry_classify(500, NULL, 0), RETRY_KIND_TRANSIENT);
	ck_assert_int_eq(retry_classify(502, "", 0), RETRY_KIND_TRANSIENT);
	ck_assert_int_eq(retry_classify(503, "ServiceUnavailable", 0),
			 RETRY_KIND_TRANSIENT);
	ck_assert_int_eq(retry_classify(504, NULL, 0), RETRY_KIND_TRANSIENT);
	ck_assert_int_eq(retry_classify(429, NULL, 0), RETRY_KIND_THROTTLING);
	ck_assert_int_eq(retry_classify(501, NULL, 0), RETRY_KIND_FATAL);
}
END_TEST

START_TEST(transport_errors_classify_by_cause)
{
	ck_assert_int_eq(retry_classify(0, NULL, -ECONNREFUSED),
			 RETRY_KIND_TRANSIENT);
	ck_assert_int_eq(retry_classify(0, NULL, -ECONNRESET),
			 RETRY_KIND_TRANSIENT);
	ck_assert_int_eq(retry_classify(0, NULL, -ETIMEDOUT),
			 RETRY_KIND_TIMEOUT);
	ck_assert_int_eq(retry_classify(0, NULL, -EPROTO), RETRY_KIND_FATAL);
	ck_assert_int_eq(retry_classify(0, NULL, -EFBIG), RETRY_KIND_FATAL);
}
END_TEST

START_TEST(validation_error_400_is_not_retried)
{
	retry_state_t s = standard_state(3);
	static const char *const codes[] = {
		"ValidationError", "InvalidParameterValue", "ValidationException",
		"InvalidParameterCombination", "MalformedPolicyDocument",
	};
	retry_decision_t d;
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		ck_assert_int_eq(retry_classify(400, codes[i], 0),
				 RETRY_KIND_FATAL);
		d = retry_decide(&s, retry_classify(400, codes[i], 0), 1, 0.5);
		ck_assert(!d.retry);
	}
	ck_assert_int_eq(retry_classify(403, "AccessDenied", 0),
			 RETRY_KIND_FATAL);
	ck_assert_int_eq(retry_classify(200, NULL, 0), RETRY_KIND_SUCCESS);
	ck_assert_int_eq(s.quota, RETRY_QUOTA_MAX);
}
END_TEST

START_TEST(backoff_doubles_per_attempt_and_caps_at_20s)
{
	retry_state_t s = standard_state(50);
	/* rand * 1 s * 2^(attempt-1), then the 20 s cap. */
	static const unsigned top[] = { 1000, 2000, 4000, 8000, 16000,
					20000, 20000, 20000 };
	static const unsigned half[] = { 500, 1000, 2000, 4000, 8000,
					 16000, 20000, 20000 };
	retry_decision_t d;
	int attempt;

	for (attempt = 1; attempt <= 8; attempt++) {
		d = retry_decide(&s, RETRY_KIND_THROTTLING, attempt, 0.0);
		ck_assert(d.retry);
		ck_assert_uint_eq(d.delay_ms, 0);
		d = retry_decide(&s, RETRY_KIND_THROTTLING, attempt, 0.999999);
		ck_assert(d.retry);
		ck_assert_uint_le(d.delay_ms, top[attempt - 1]);
		ck_assert_uint_ge(d.delay_ms, top[attempt - 1] - 1);
		d = retry_decide(&s, RETRY_KIND_TRANSIENT, attempt, 0.5);
		ck_assert_uint_eq(d.delay_ms, half[attempt - 1]);
	}
	/* Far attempts stay capped, no overflow; tiny rand still jitters. */
	s = standard_state(100000);
	d = retry_decide(&s, RETRY_KIND_TRANSIENT, 5000, 0.75);
	ck_assert_uint_eq(d.delay_ms, RETRY_MAX_BACKOFF_MS);
	d = retry_decide(&s, RETRY_KIND_TRANSIENT, 7, 0.001);
	ck_assert_uint_eq(d.delay_ms, 64);
}
END_TEST

START_TEST(quota_drains_by_5_and_10_and_stops_retries_when_empty)
{
	retry_state_t s = standard_state(3);
	retry_decision_t d;
	int n = 0;

	d = retry_decide(&s, RETRY_KIND_TRANSIENT, 1, 0.1);
	ck_assert(d.retry);
	ck_assert_int_eq(d.cost, 5);
	ck_assert_int_eq(s.quota, 495);
	d = retry_decide(&s, RETRY_KIND_TIMEOUT, 1, 0.1);
	ck_assert(d.retry);
	ck_assert_int_eq(d.cost, 10);
	ck_assert_int_eq(s.quota, 485);
	while ((d = retry_decide(&s, RETRY_KIND_THROTTLING, 1, 0.1)).retry)
		n++;
	ck_assert_int_eq(n, 97);
	ck_assert_int_eq(s.quota, 0);
	ck_assert_str_eq(d.reason, "retry quota exhausted");
	ck_assert_int_eq(retry_quota_acquire(&s, RETRY_KIND_TRANSIENT),
			 -ENOSPC);
	ck_assert_int_eq(s.quota, 0);
}
END_TEST

START_TEST(quota_refills_on_success)
{
	retry_state_t s = standard_state(3);
	retry_decision_t d;

	s.quota = 7;
	d = retry_decide(&s, RETRY_KIND_TIMEOUT, 1, 0.1);
	ck_assert(!d.retry);     /* 10 > 7 */
	d = retry_decide(&s, RETRY_KIND_TRANSIENT, 1, 0.1);
	ck_assert(d.retry);
	ck_assert_int_eq(s.quota, 2);
	/* The retried request succeeds: its retry cost comes back. */
	retry_quota_release(&s, d.cost);
	ck_assert_int_eq(s.quota, 7);
	/* A first-try success adds one token. */
	retry_quota_release(&s, 0);
	ck_assert_int_eq(s.quota, 8);
	/* Never above the maximum. */
	s.quota = RETRY_QUOTA_MAX;
	retry_quota_release(&s, 0);
	retry_quota_release(&s, 10);
	ck_assert_int_eq(s.quota, RETRY_QUOTA_MAX);
}
END_TEST

START_TEST(max_attempts_is_honoured)
{
	retry_state_t s = standard_state(3);
	retry_decision_t d;

	ck_assert(retry_decide(&s, RETRY_KIND_TRANSIENT, 1, 0.2).retry);
	ck_assert(retry_decide(&s, RETRY_KIND_TRANSIENT, 2, 0.2).retry);
	d = retry_decide(&s, RETRY_KIND_TRANSIENT, 3, 0.2);
	ck_assert(!d.retry);
	ck_assert_str_eq(d.reason, "maximum attempts reached");
	s = standard_state(1);
	ck_assert(!retry_decide(&s, RETRY_KIND_THROTTLING, 1, 0.2).retry);
	ck_assert_int_eq(s.quota, RETRY_QUOTA_MAX);
}
END_TEST

START_TEST(config_from_env_defaults_and_parses)
{
	retry_config_t c;

	ck_assert_int_eq(retry_config_from_env(&c, NULL, NULL, NULL), 0);
	ck_assert_int_eq(c.mode, RETRY_MODE_STANDARD);
	ck_assert_int_eq(c.max_attempts, 3);
	ck_assert_int_eq(retry_config_from_env(&c, "7", "adaptive", NULL), 0);
	ck_assert_int_eq(c.mode, RETRY_MODE_STANDARD);
	ck_assert_int_eq(c.max_attempts, 7);
	ck_assert_int_eq(retry_config_from_env(&c, "", "legacy", NULL), 0);
	ck_assert_int_eq(c.mode, RETRY_MODE_LEGACY);
	ck_assert_int_eq(c.max_attempts, 5);
}
END_TEST

START_TEST(bad_max_attempts_is_rejected_with_a_message)
{
	static const char *const bad[] = { "0", "abc", "-2", "3x", " " };
	retry_config_t c = { RETRY_MODE_STANDARD, 42 };
	err_t e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(retry_config_from_env(&c, bad[i], NULL, &e),
				 -EINVAL);
		ck_assert_int_eq(e.code, -EINVAL);
		ck_assert_ptr_nonnull(strstr(e.message, "AWS_MAX_ATTEMPTS"));
		ck_assert_ptr_nonnull(strstr(e.message, bad[i]));
	}
	ck_assert_int_eq(c.max_attempts, 42);  /* untouched on error */
	ck_assert_int_eq(retry_config_from_env(&c, "3", "fast", &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.message, "AWS_RETRY_MODE"));
}
END_TEST

START_TEST(legacy_mode_has_no_quota)
{
	retry_config_t c = { RETRY_MODE_LEGACY, 1000 };
	retry_state_t s;
	int i;

	retry_state_init(&s, &c);
	for (i = 1; i < 200; i++)
		ck_assert(retry_decide(&s, RETRY_KIND_TIMEOUT, i, 0.3).retry);
	ck_assert_int_eq(s.quota, RETRY_QUOTA_MAX);
}
END_TEST

/* Builds the Date header a server 20 minutes ahead would send and parses
 * it the way http.c does. */
static time_t date_header_at(time_t t)
{
	char buf[64];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return curl_getdate(buf, NULL);
}

START_TEST(skew_offset_comes_from_a_date_header_20_minutes_off)
{
	retry_state_t s = standard_state(3);
	time_t local = 1764000000;   /* 2025-11-24T16:00:00Z */
	retry_decision_t d;

	ck_assert_int_eq(retry_classify(403, "RequestTimeTooSkewed", 0),
			 RETRY_KIND_CLOCK_SKEW);
	ck_assert(retry_skew_observe(&s, date_header_at(local + 1200), local, 0));
	ck_assert_int_eq(retry_skew_offset(&s), 1200);
	ck_assert_int_eq(retry_skew_now(&s, local + 5), local + 1205);
	d = retry_decide(&s, RETRY_KIND_CLOCK_SKEW, 1, 0.5);
	ck_assert(d.retry);
	ck_assert(d.resign);
	/* The corrected clock now agrees with the server: offset is kept. */
	ck_assert(!retry_skew_observe(&s, date_header_at(local + 1260),
				      local + 60, 1200));
	ck_assert_int_eq(retry_skew_offset(&s), 1200);
	/* Server 20 minutes behind. */
	ck_assert(retry_skew_observe(&s, date_header_at(local - 1200), local,
				     1200));
	ck_assert_int_eq(retry_skew_offset(&s), -1200);
}
END_TEST

START_TEST(auth_failure_is_skew_only_when_date_is_off)
{
	retry_state_t s = standard_state(3);
	time_t local = 1764000000;

	ck_assert_int_eq(retry_classify(401, "AuthFailure", 0),
			 RETRY_KIND_MAYBE_SKEW);
	ck_assert_int_eq(retry_classify(400, "InvalidSignatureException", 0),
			 RETRY_KIND_MAYBE_SKEW);
	/* 2 minutes off: a real credential problem, not retried. */
	ck_assert(!retry_skew_observe(&s, local + 120, local, 0));
	ck_assert(!retry_decide(&s, RETRY_KIND_MAYBE_SKEW, 1, 0.5).retry);
	ck_assert_int_eq(retry_skew_offset(&s), 0);
	/* 5 minutes off: beyond the 4 minute threshold, re-sign. */
	ck_assert(retry_skew_observe(&s, local + 300, local, 0));
	ck_assert(retry_decide(&s, RETRY_KIND_MAYBE_SKEW, 1, 0.5).resign);
	ck_assert_int_eq(retry_skew_offset(&s), 300);
}
END_TEST

/* Fault 11 of issue 12: with a 20-minute skew, calls in flight together
 * were all signed with the old clock. The first answer corrects the
 * clock; the others must still sign again (once) with the corrected one,
 * or they fail with "Signature expired". Cases as data: each row is one
 * response, in the order they arrive. */
static const struct skew_step {
	const char  *what;
	int64_t      server_ahead_s;  /* the server's clock - local clock */
	int64_t      signed_offset_s; /* the offset the request used     */
	bool         corrected;       /* retry_skew_observe's result     */
	bool         retry;           /* retry_decide(MAYBE_SKEW, 1)     */
	int64_t      offset_after_s;
} skew_steps[] = {
	{ "first answer corrects and re-signs",   1200,    0, true,  true,  1200 },
	{ "second call in flight re-signs too",   1201,    0, false, true,  1200 },
	{ "third call in flight re-signs too",    1199,    0, false, true,  1200 },
	{ "a re-signed call rejected: not again", 1200, 1200, false, false, 1200 },
	{ "skew cleared: corrected back to 0",       0, 1200, true,  true,     0 },
	{ "a call signed at +1200 in flight",        2, 1200, false, true,     0 },
	{ "signed with the right clock: fatal",      1,    0, false, false,    0 },
};

START_TEST(calls_in_flight_signed_before_a_correction_retry_once_resigned)
{
	retry_state_t s = standard_state(3);
	time_t local = 1764000000;
	retry_decision_t d;
	size_t i;

	for (i = 0; i < sizeof(skew_steps) / sizeof(skew_steps[0]); i++) {
		const struct skew_step *st = &skew_steps[i];

		ck_assert_msg(retry_skew_observe(&s, date_header_at(
				local + st->server_ahead_s), local,
				st->signed_offset_s) == st->corrected,
			      "%s: corrected", st->what);
		d = retry_decide(&s, RETRY_KIND_MAYBE_SKEW, 1, 0.5);
		ck_assert_msg(d.retry == st->retry, "%s: retry", st->what);
		ck_assert_msg(d.resign == st->retry, "%s: resign", st->what);
		ck_assert_msg(retry_skew_offset(&s) == st->offset_after_s,
			      "%s: offset %lld", st->what,
			      (long long)retry_skew_offset(&s));
	}
}
END_TEST

/* Many calls in flight when the clock is corrected, after throttling
 * drained the quota: each signs again, at once and for free; a call that
 * is skewed by its own fault (signed with the current clock) pays. */
START_TEST(a_stale_clock_resign_costs_no_quota_and_no_wait)
{
	retry_state_t s = standard_state(3);
	time_t local = 1764000000;
	retry_decision_t d;
	int i;

	s.quota = 0;
	ck_assert(retry_skew_observe(&s, local + 1200, local, 0));
	for (i = 0; i < 200; i++) {
		ck_assert(!retry_skew_observe(&s, local + 1200, local, 0));
		d = retry_decide(&s, RETRY_KIND_MAYBE_SKEW, 1, 0.9);
		ck_assert(d.retry && d.resign);
		ck_assert_int_eq(d.cost, 0);
		ck_assert_uint_eq(d.delay_ms, 0);
	}
	ck_assert_int_eq(s.quota, 0);
	/* RequestTimeTooSkewed on a call signed with the current clock:
	 * an ordinary retry, which the empty quota refuses. */
	ck_assert(!retry_skew_observe(&s, local + 1200, local, 1200));
	d = retry_decide(&s, RETRY_KIND_CLOCK_SKEW, 1, 0.9);
	ck_assert(!d.retry);
	ck_assert_str_eq(d.reason, "retry quota exhausted");
	/* Max attempts still holds. */
	ck_assert(!retry_skew_observe(&s, local + 1200, local, 0));
	ck_assert(!retry_decide(&s, RETRY_KIND_MAYBE_SKEW, 3, 0.9).retry);
}
END_TEST

/* A response without a Date says nothing about this request's clock: an
 * earlier response's verdict must not leak into it. */
START_TEST(maybe_skew_without_a_date_is_not_retried)
{
	retry_state_t s = standard_state(3);
	time_t local = 1764000000;

	ck_assert(retry_skew_observe(&s, local + 1200, local, 0));
	ck_assert(!retry_skew_observe(&s, 0, local, 0));
	ck_assert(!retry_decide(&s, RETRY_KIND_MAYBE_SKEW, 1, 0.5).retry);
	ck_assert_int_eq(retry_skew_offset(&s), 1200);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("retry");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, throttling_codes_classify_as_throttling, 0,
			    sizeof(throttling_codes) / sizeof(throttling_codes[0]));
	tcase_add_test(tc, transient_codes_and_5xx_classify_as_transient);
	tcase_add_test(tc, transport_errors_classify_by_cause);
	tcase_add_test(tc, validation_error_400_is_not_retried);
	tcase_add_test(tc, backoff_doubles_per_attempt_and_caps_at_20s);
	tcase_add_test(tc, quota_drains_by_5_and_10_and_stops_retries_when_empty);
	tcase_add_test(tc, quota_refills_on_success);
	tcase_add_test(tc, max_attempts_is_honoured);
	tcase_add_test(tc, config_from_env_defaults_and_parses);
	tcase_add_test(tc, bad_max_attempts_is_rejected_with_a_message);
	tcase_add_test(tc, legacy_mode_has_no_quota);
	tcase_add_test(tc, skew_offset_comes_from_a_date_header_20_minutes_off);
	tcase_add_test(tc, auth_failure_is_skew_only_when_date_is_off);
	tcase_add_test(tc, calls_in_flight_signed_before_a_correction_retry_once_resigned);
	tcase_add_test(tc, maybe_skew_without_a_date_is_not_retried);
	tcase_add_test(tc, a_stale_clock_resign_costs_no_quota_and_no_wait);
	suite_add_tcase(s, tc);
	return testutil_run(s);
}
