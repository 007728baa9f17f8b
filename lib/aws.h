/* aws — one signed AWS API call, end to end: endpoint, wire protocol,
 * credentials, SigV4, HTTP on the libuv loop, the SDKs' standard retries
 * and clock-skew correction, and the parsed result or the AWS error.
 *
 * Everything above this module (the engine, the CLI, the daemon's metrics
 * and alerts) speaks cJSON in the operation's AWS shapes:
 *   aws_call(c, "ec2", NULL, "DescribeVpcs", params, done, data, &err);
 * and receives either the result tree or an err_t carrying the AWS error
 * code, message, request id and HTTP status. */
#ifndef DRIFTD_AWS_H
#define DRIFTD_AWS_H

#include <stdint.h>
#include <time.h>

#include <cJSON.h>
#include <uv.h>

#include "err.h"
#include "profile.h"

typedef struct aws_client aws_client_t;

typedef struct aws_options {
	uv_loop_t    *loop;
	profile_env_t env;           /* environment lookup; getenv NULL: the
					process environment                  */
	const char   *profile;       /* NULL: AWS_PROFILE, else "default"     */
	const char   *region;        /* NULL: AWS_REGION, AWS_DEFAULT_REGION,
					the profile's region                 */
	const char   *user_agent;    /* NULL: "driftd/VERSION"                */
	int           pool_cap;      /* requests in flight per service; 0: 8 */
	long          timeout_ms;    /* per attempt; 0: 60 s                  */
	long          connect_timeout_ms;
	int           allow_plain_http;  /* settings.allow_plain_http: http://
					    to a host that is not loopback  */
	int           credential_process_timeout_ms; /* 0: 60 s              */
	/* Injected for tests; NULL: time() and a seeded PRNG. */
	time_t      (*now)(void *ctx);
	double      (*rand01)(void *ctx);
	void         *ctx;
} aws_options_t;

/* Counters since the client was made, for metrics and tests. */
typedef struct aws_stats {
	uint64_t calls;        /* aws_call requests finished                 */
	uint64_t attempts;     /* HTTP requests sent, retries included       */
	uint64_t errors;       /* calls that finished with an error          */
	uint64_t throttles;    /* attempts answered with a throttling error  */
	uint64_t retries;
	uint64_t skew_corrections;
} aws_stats_t;

/* Loads the shared config (a malformed file fails here, naming file and
 * line) and reads AWS_MAX_ATTEMPTS / AWS_RETRY_MODE. Free with
 * aws_client_close. */
int aws_client_new(const aws_options_t *opts, aws_client_t **out, err_t *e);

/* Cancels what is in flight (callbacks run with -ECANCELED), closes the
 * loop handles and frees the client once they are closed, then calls cb.
 * NULL is a no-op. */
void aws_client_close(aws_client_t *c, void (*cb)(void *data), void *data);

/* result is the receiver's to cJSON_Delete (NULL on error). Called exactly
 * once per accepted call, never before aws_call returns. */
typedef void (*aws_done_cb)(void *data, cJSON *result, const err_t *e);

enum aws_call_flags {
	AWS_ALL_PAGES = 1u << 0,  /* follow the paginator; the arrays of every
				     page are concatenated into one result   */
};

/* Starts one call. region NULL: the client's region (global services use
 * their own). params NULL: {}. Returns 0, or a negative errno with e set
 * (unknown service or operation, bad parameters, no region) and no
 * callback. */
int aws_call(aws_client_t *c, const char *service, const char *region,
	     const char *operation, const cJSON *params, unsigned flags,
	     aws_done_cb cb, void *data, err_t *e);

void aws_client_stats(const aws_client_t *c, aws_stats_t *out);
/* The region calls go to when none is given; "" when none is configured. */
const char *aws_client_region(const aws_client_t *c);

/* Runs the loop until one call finishes: for the CLI and tests. Returns 0
 * with *result set, or the call's error. */
int aws_call_sync(aws_client_t *c, const char *service, const char *region,
		  const char *operation, const cJSON *params, unsigned flags,
		  cJSON **result, err_t *e);

#endif
