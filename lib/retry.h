/* retry — when and how long to wait before sending an AWS request again.
 *
 * Pure policy: no I/O, no clock, no global state. It implements the AWS
 * SDKs' "standard" retry mode as described in the AWS SDKs and Tools
 * reference guide, page "Retry behavior" (pre-2026 behaviour, the default
 * without AWS_NEW_RETRIES_2026), with botocore's retries/standard.py as the
 * reference implementation:
 *   - max attempts (AWS_MAX_ATTEMPTS) default 3, including the first try;
 *   - truncated binary exponential backoff with jitter:
 *     delay = min(20 s, rand(0,1) * 1 s * 2^(attempt-1)), the jitter
 *     applied before the cap as the guide's min(b*r^i, MAX_BACKOFF) says;
 *   - a retry quota of 500 tokens shared by one client: a retry costs 5,
 *     a retry after a timeout 10; with too few tokens no retry happens; a
 *     success gives back what its retry took, or 1 when it needed none.
 * "legacy" mode keeps the same classification and backoff but has no quota
 * and defaults to 5 attempts (botocore's legacy default). "adaptive" adds
 * client-side rate limiting in the SDKs; driftd maps it to standard.
 *
 * The caller owns a retry_state_t per client (one per process is fine),
 * feeds it each attempt's outcome and sleeps for what it says. Random
 * numbers are injected so tests can pin every delay. */
#ifndef DRIFTD_RETRY_H
#define DRIFTD_RETRY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

#define RETRY_QUOTA_MAX          500
#define RETRY_COST               5
#define RETRY_TIMEOUT_COST       10
#define RETRY_NO_RETRY_INCREMENT 1
#define RETRY_MAX_BACKOFF_MS     20000
#define RETRY_BASE_MS            1000
/* A Date header further than this from local time means our clock is off
 * (the AWS SDK for Java v2's ClockSkew threshold). */
#define RETRY_SKEW_THRESHOLD_S   (4 * 60)

typedef enum retry_mode {
	RETRY_MODE_STANDARD,
	RETRY_MODE_LEGACY,
} retry_mode_t;

typedef struct retry_config {
	retry_mode_t mode;
	int          max_attempts;   /* >= 1, includes the first attempt */
} retry_config_t;

/* What one attempt's outcome means for retrying. */
typedef enum retry_kind {
	RETRY_KIND_SUCCESS,      /* 2xx/3xx: nothing to retry               */
	RETRY_KIND_FATAL,        /* will fail again: validation, 403, TLS   */
	RETRY_KIND_TRANSIENT,    /* 500/502/503/504, RequestTimeout, reset  */
	RETRY_KIND_THROTTLING,   /* Throttling, SlowDown, 429 ...           */
	RETRY_KIND_TIMEOUT,      /* transport timeout: costs 10 tokens      */
	RETRY_KIND_CLOCK_SKEW,   /* RequestTimeTooSkewed ...: re-sign       */
	RETRY_KIND_MAYBE_SKEW,   /* AuthFailure, InvalidSignatureException:
				    skew only if the Date header says so    */
} retry_kind_t;

typedef struct retry_state {
	retry_config_t config;
	int            quota;            /* tokens left, 0..RETRY_QUOTA_MAX   */
	int64_t        clock_offset_s;   /* server time - local time          */
	bool           last_date_skewed; /* set by retry_skew_observe: the
					    request it saw was signed with a
					    clock the server rejects          */
} retry_state_t;

typedef struct retry_decision {
	bool        retry;      /* send again after delay_ms                 */
	bool        resign;     /* sign again with the corrected clock first */
	unsigned    delay_ms;
	int         cost;       /* quota tokens taken; give to
				   retry_quota_release when the request ends */
	const char *reason;     /* static text for logs: why (not) retried   */
} retry_decision_t;

/* Parses AWS_MAX_ATTEMPTS and AWS_RETRY_MODE values (either may be NULL or
 * empty: defaults). Rejects "0", "abc", "3x", "standrad" with a message
 * naming the variable. Returns 0 or -EINVAL. */
int retry_config_from_env(retry_config_t *out, const char *max_attempts,
			  const char *mode, err_t *e);

void retry_state_init(retry_state_t *s, const retry_config_t *config);

/* transport_err: 0 when an HTTP response arrived, else the negative errno
 * from http.h (-ETIMEDOUT, -ECONNREFUSED, -ECONNRESET, -EPROTO for TLS,
 * ...). aws_code may be NULL. */
retry_kind_t retry_classify(int http_status, const char *aws_code,
			    int transport_err);
const char *retry_kind_name(retry_kind_t kind);

/* attempt: 1-based number of the attempt that just failed. rand01: a
 * uniform random number in [0, 1). Takes quota tokens when it says retry.
 * For RETRY_KIND_MAYBE_SKEW call retry_skew_observe with this response's
 * Date first. */
retry_decision_t retry_decide(retry_state_t *s, retry_kind_t kind,
			      int attempt, double rand01);

/* Quota: acquire returns the tokens taken (5 or 10) or -ENOSPC, and takes
 * nothing then. Release is called once when a request finally succeeds,
 * with the tokens its last retry took (0 if it never retried); failures
 * give nothing back. Legacy mode has no quota: acquire always succeeds
 * with cost 0. */
int  retry_quota_acquire(retry_state_t *s, retry_kind_t kind);
void retry_quota_release(retry_state_t *s, int cost);

/* Clock skew: compare a response's Date (server_date) with the local time
 * it was received (local_now). When they differ by more than
 * RETRY_SKEW_THRESHOLD_S after the current offset is applied, the offset
 * becomes server - local and true is returned (a correction). Sign with
 * retry_skew_now(s, time(NULL)) and keep retry_skew_offset(s) of that
 * moment with the request: it is signed_offset_s here.
 *
 * Whether the failed request may be signed again (last_date_skewed, read
 * by retry_decide for RETRY_KIND_MAYBE_SKEW) depends on the clock it was
 * signed with, not on whether this response corrected the clock: requests
 * in flight together were all signed with the old offset, and the first
 * answer corrects the clock for all of them. Each of them re-signs once;
 * a request signed with the corrected clock that is rejected again is not
 * retried as skewed (its signed offset agrees with the server). */
bool    retry_skew_observe(retry_state_t *s, time_t server_date,
			   time_t local_now, int64_t signed_offset_s);
int64_t retry_skew_offset(const retry_state_t *s);
time_t  retry_skew_now(const retry_state_t *s, time_t local_now);

#endif
