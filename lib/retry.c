#include "retry.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Error codes by kind. Throttling and transient lists are botocore's
 * retries/standard.py (the SDK standard-mode spec); InternalError is
 * added because some query services send it with a 500 that a proxy may
 * rewrite. Clock-skew codes are the AWS SDK for Java v2's; the ambiguous
 * ones also mean plain bad credentials, so they count as skew only when
 * the response Date is off too. */
static const struct {
	const char  *code;
	retry_kind_t kind;
} code_table[] = {
	{ "Throttling",                             RETRY_KIND_THROTTLING },
	{ "ThrottlingException",                    RETRY_KIND_THROTTLING },
	{ "ThrottledException",                     RETRY_KIND_THROTTLING },
	{ "RequestThrottledException",              RETRY_KIND_THROTTLING },
	{ "TooManyRequestsException",               RETRY_KIND_THROTTLING },
	{ "ProvisionedThroughputExceededException", RETRY_KIND_THROTTLING },
	{ "TransactionInProgressException",         RETRY_KIND_THROTTLING },
	{ "RequestLimitExceeded",                   RETRY_KIND_THROTTLING },
	{ "BandwidthLimitExceeded",                 RETRY_KIND_THROTTLING },
	{ "LimitExceededException",                 RETRY_KIND_THROTTLING },
	{ "RequestThrottled",                       RETRY_KIND_THROTTLING },
	{ "SlowDown",                               RETRY_KIND_THROTTLING },
	{ "PriorRequestNotComplete",                RETRY_KIND_THROTTLING },
	{ "EC2ThrottledException",                  RETRY_KIND_THROTTLING },
	{ "RequestTimeout",                         RETRY_KIND_TRANSIENT },
	{ "RequestTimeoutException",                RETRY_KIND_TRANSIENT },
	{ "InternalError",                          RETRY_KIND_TRANSIENT },
	{ "RequestTimeTooSkewed",                   RETRY_KIND_CLOCK_SKEW },
	{ "RequestExpired",                         RETRY_KIND_CLOCK_SKEW },
	{ "RequestInTheFuture",                     RETRY_KIND_CLOCK_SKEW },
	{ "SignatureExpired",                       RETRY_KIND_CLOCK_SKEW },
	{ "InvalidSignatureException",              RETRY_KIND_MAYBE_SKEW },
	{ "SignatureDoesNotMatch",                  RETRY_KIND_MAYBE_SKEW },
	{ "AuthFailure",                            RETRY_KIND_MAYBE_SKEW },
};

/* Transport failures (negative errno from http.h). A TLS failure is
 * usually a certificate that will fail verification again; a body over
 * the size limit will be as large next time. */
static const struct {
	int          err;
	retry_kind_t kind;
} transport_table[] = {
	{ -ETIMEDOUT,    RETRY_KIND_TIMEOUT },
	{ -ECONNREFUSED, RETRY_KIND_TRANSIENT },
	{ -ECONNRESET,   RETRY_KIND_TRANSIENT },
	{ -EHOSTUNREACH, RETRY_KIND_TRANSIENT },
	{ -ENETUNREACH,  RETRY_KIND_TRANSIENT },
	{ -EPIPE,        RETRY_KIND_TRANSIENT },
	{ -EIO,          RETRY_KIND_TRANSIENT },
	{ -EPROTO,       RETRY_KIND_FATAL },
	{ -EFBIG,        RETRY_KIND_FATAL },
	{ -ECANCELED,    RETRY_KIND_FATAL },
};

static const char *const kind_names[] = {
	[RETRY_KIND_SUCCESS]    = "success",
	[RETRY_KIND_FATAL]      = "not retryable",
	[RETRY_KIND_TRANSIENT]  = "transient error",
	[RETRY_KIND_THROTTLING] = "throttled",
	[RETRY_KIND_TIMEOUT]    = "timeout",
	[RETRY_KIND_CLOCK_SKEW] = "clock skew",
	[RETRY_KIND_MAYBE_SKEW] = "signature rejected",
};

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

int retry_config_from_env(retry_config_t *out, const char *max_attempts,
			  const char *mode, err_t *e)
{
	retry_config_t c = { .mode = RETRY_MODE_STANDARD, .max_attempts = 0 };
	char *end;
	long n;

	if (!mode || !*mode || !strcmp(mode, "standard") ||
	    !strcmp(mode, "adaptive")) {
		/* adaptive = standard + client-side rate limiting; driftd's
		 * per-pool concurrency caps already bound its request rate. */
		c.mode = RETRY_MODE_STANDARD;
	} else if (!strcmp(mode, "legacy")) {
		c.mode = RETRY_MODE_LEGACY;
	} else {
		return err_set(e, -EINVAL,
			       "AWS_RETRY_MODE \"%.40s\" is not one of standard, legacy, adaptive",
			       mode);
	}
	if (max_attempts && *max_attempts) {
		errno = 0;
		n = strtol(max_attempts, &end, 10);
		if (errno || *end || end == max_attempts || n < 1 ||
		    n > 100)
			return err_set(e, -EINVAL,
				       "AWS_MAX_ATTEMPTS \"%.40s\" is not a whole number from 1 to 100",
				       max_attempts);
		c.max_attempts = (int)n;
	} else {
		c.max_attempts = c.mode == RETRY_MODE_LEGACY ? 5 : 3;
	}
	*out = c;
	return 0;
}

void retry_state_init(retry_state_t *s, const retry_config_t *config)
{
	memset(s, 0, sizeof(*s));
	s->config = *config;
	if (s->config.max_attempts < 1)
		s->config.max_attempts = 1;
	s->quota = RETRY_QUOTA_MAX;
}

retry_kind_t retry_classify(int http_status, const char *aws_code,
			    int transport_err)
{
	size_t i;

	if (transport_err) {
		for (i = 0; i < N_ELEMENTS(transport_table); i++)
			if (transport_table[i].err == transport_err)
				return transport_table[i].kind;
		return RETRY_KIND_FATAL;
	}
	if (aws_code && *aws_code)
		for (i = 0; i < N_ELEMENTS(code_table); i++)
			if (!strcmp(code_table[i].code, aws_code))
				return code_table[i].kind;
	if (http_status >= 200 && http_status < 400)
		return RETRY_KIND_SUCCESS;
	if (http_status == 429)
		return RETRY_KIND_THROTTLING;
	if (http_status == 500 || http_status == 502 || http_status == 503 ||
	    http_status == 504)
		return RETRY_KIND_TRANSIENT;
	return RETRY_KIND_FATAL;
}

const char *retry_kind_name(retry_kind_t kind)
{
	if ((unsigned)kind >= N_ELEMENTS(kind_names))
		return "unknown";
	return kind_names[kind];
}

int retry_quota_acquire(retry_state_t *s, retry_kind_t kind)
{
	int cost = kind == RETRY_KIND_TIMEOUT ? RETRY_TIMEOUT_COST : RETRY_COST;

	if (s->config.mode == RETRY_MODE_LEGACY)
		return 0;
	if (cost > s->quota)
		return -ENOSPC;
	s->quota -= cost;
	return cost;
}

void retry_quota_release(retry_state_t *s, int cost)
{
	if (s->config.mode == RETRY_MODE_LEGACY || cost < 0)
		return;
	s->quota += cost ? cost : RETRY_NO_RETRY_INCREMENT;
	if (s->quota > RETRY_QUOTA_MAX)
		s->quota = RETRY_QUOTA_MAX;
}

/* "Retry behavior" in the AWS SDKs and Tools reference guide gives
 * sleep = min(b * r^i, MAX_BACKOFF) with b uniform in [0, 1), r = 2 and
 * i the 0-based retry: the jitter is applied before the 20 s cap, so late
 * retries mostly wait the full 20 s (botocore's ExponentialBackoff does
 * the same). The exponent stops at 60, where the cap always wins unless
 * rand01 is below 1e-17. */
static unsigned backoff_ms(int attempt, double rand01)
{
	int i = attempt - 1;
	double ms;

	if (!(rand01 >= 0.0) || rand01 >= 1.0)  /* also catches NaN */
		rand01 = 0.0;
	if (i < 0)
		i = 0;
	if (i > 60)
		i = 60;
	ms = rand01 * (RETRY_BASE_MS * (double)(1ULL << i));
	return ms > RETRY_MAX_BACKOFF_MS ? RETRY_MAX_BACKOFF_MS : (unsigned)ms;
}

/* A request signed with a clock older than the current correction is
 * signed again at once and at no quota cost: it was rejected before AWS
 * did any work, it happens once per request per correction (the re-signed
 * request carries the corrected clock), so it cannot grow into the retry
 * storm the quota guards against. Requests in flight when the clock is
 * corrected would otherwise drain the quota together and fail. */
retry_decision_t retry_decide(retry_state_t *s, retry_kind_t kind,
			      int attempt, double rand01)
{
	retry_decision_t d = { .reason = retry_kind_name(kind) };
	int cost;

	switch (kind) {
	case RETRY_KIND_SUCCESS:
	case RETRY_KIND_FATAL:
		return d;
	case RETRY_KIND_MAYBE_SKEW:
		if (!s->last_date_skewed)
			return d;
		d.resign = true;
		break;
	case RETRY_KIND_CLOCK_SKEW:
		d.resign = true;
		break;
	default:
		break;
	}
	if (attempt >= s->config.max_attempts) {
		d.resign = false;
		d.reason = "maximum attempts reached";
		return d;
	}
	if (d.resign && s->last_date_skewed) {
		d.retry = true;
		d.reason = "signed with an outdated clock: signing again";
		return d;
	}
	cost = retry_quota_acquire(s, kind);
	if (cost < 0) {
		d.resign = false;
		d.reason = "retry quota exhausted";
		return d;
	}
	d.retry = true;
	d.cost = cost;
	d.delay_ms = backoff_ms(attempt, rand01);
	return d;
}

bool retry_skew_observe(retry_state_t *s, time_t server_date,
			time_t local_now, int64_t signed_offset_s)
{
	int64_t diff = (int64_t)server_date - (int64_t)local_now;
	int64_t off = diff - s->clock_offset_s;
	int64_t signed_off = diff - signed_offset_s;
	bool corrected = false;

	s->last_date_skewed = false;
	if (server_date <= 0)
		return false;
	if (off > RETRY_SKEW_THRESHOLD_S || off < -RETRY_SKEW_THRESHOLD_S) {
		s->clock_offset_s = diff;
		corrected = true;
	}
	/* Signed with an offset older than the current correction: the
	 * corrected clock may fix it, so it may sign again. */
	if (signed_off > RETRY_SKEW_THRESHOLD_S ||
	    signed_off < -RETRY_SKEW_THRESHOLD_S)
		s->last_date_skewed = true;
	return corrected;
}

int64_t retry_skew_offset(const retry_state_t *s)
{
	return s->clock_offset_s;
}

time_t retry_skew_now(const retry_state_t *s, time_t local_now)
{
	return (time_t)((int64_t)local_now + s->clock_offset_s);
}
