/* lease — two daemons for one environment, one writer: a lease held in an
 * item of a DynamoDB table, taken and kept with conditional writes.
 *
 * The item (key attribute "name", a string) holds:
 *   owner    who holds it: "host:pid:random" (absent once released);
 *   fence    the fencing counter, +1 on every acquisition, never reset;
 *   version  +1 on every write to the item (acquire, renew, release);
 *   expires  the holder's wall clock + duration, epoch seconds (for
 *            operators and `driftd status`; no decision reads it).
 * AWS documents the conditional writes this rests on in the DynamoDB API
 * reference (UpdateItem: "ConditionExpression ... If the condition is not
 * met, the update fails" with ConditionalCheckFailedException; GetItem
 * with ConsistentRead) and in the developer guide's "Condition
 * expressions" page.
 *
 * No decision compares two hosts' clocks. As AWS's DynamoDB Lock Client
 * does (its "lease duration" and "record version number"), a standby
 * takes the lease over only after it has seen the same (fence, version)
 * for duration + margin by its own monotonic clock, with a write
 * conditioned on exactly that (fence, version); the holder stops writing
 * once duration - margin has passed, by its monotonic clock, since it
 * *sent* its last successful renewal. Since the standby's observation
 * comes after that send, the holder has stopped at least 2 * margin
 * before a takeover can happen. margin = duration / 6, at least 1 s, so
 * only the two clocks' rates (not their settings) must agree to within
 * that. The holder renews every duration / 3.
 *
 * States (LEASE_STATES below), changed only by one transition function
 * that reports the reason through opts.event:
 *   STARTING  checking the table (and creating it if asked);
 *   STANDBY   someone else holds the lease, or nobody yet: read-only;
 *   ACQUIRING the conditional acquisition is in flight;
 *   HOLDER    this daemon holds it and may write until its deadline;
 *   LOST      it held the lease and no longer does (taken over, or no
 *             renewal succeeded in time): writes stop at once; the next
 *             read decides between STANDBY and HOLDER again.
 * A network error never changes the state by itself: a holder stays the
 * holder until its deadline, a standby stays standby.
 *
 * AWS is reached through an injected caller, so the whole machine runs in
 * tests with scripted answers. With a loop, a uv timer drives it; without
 * one (tests), the caller of lease_tick does, with opts.now_ms as clock.
 * Times are taken when a call is handed over (a holder's deadline runs
 * from there: the request leaves later, never earlier) and when an answer
 * is handled (a standby's wait runs from there: after DynamoDB read the
 * item, never before).
 * Library code: it never logs; opts.event says what happened. */
#ifndef DRIFTD_LEASE_H
#define DRIFTD_LEASE_H

#include <stdint.h>
#include <time.h>

#include <cJSON.h>
#include <uv.h>

#include "err.h"

#define LEASE_STATES(X)                                                   \
	X(STARTING,  "starting")                                          \
	X(STANDBY,   "standby")                                           \
	X(ACQUIRING, "acquiring")                                         \
	X(HOLDER,    "holder")                                            \
	X(LOST,      "lost")

typedef enum lease_state {
#define LEASE_ENUM_(n, s) LEASE_##n,
	LEASE_STATES(LEASE_ENUM_)
#undef LEASE_ENUM_
} lease_state_t;

#define LEASE_OWNER_MAX 160
#define LEASE_DURATION_MIN_S 3
#define LEASE_DURATION_MAX_S 3600

typedef struct lease lease_t;

/* Answers one call: result is the receiver's (NULL on error). */
typedef void (*lease_reply_fn)(void *data, cJSON *result, const err_t *e);

/* Calls DynamoDB operation with params. Returns 0 and answers done exactly
 * once, never before returning; or a negative errno with e set and no
 * answer. The daemon's calls aws_call(aws, "dynamodb", ...). */
typedef int (*lease_call_fn)(void *ctx, const char *operation,
			     const cJSON *params, lease_reply_fn done,
			     void *data, err_t *e);

/* A transition (from != to) with its reason, or a problem while staying
 * in a state (from == to, e set; reported once until the next success). */
typedef void (*lease_event_fn)(void *ctx, lease_state_t from,
			       lease_state_t to, const char *why,
			       const err_t *e);

typedef struct lease_opts {
	uv_loop_t     *loop;         /* NULL: no timer, the caller ticks   */
	const char    *table;
	const char    *name;         /* the item's key                     */
	const char    *owner;        /* unique per process; NULL: made from
					hostname, pid and random bytes     */
	int            duration_s;   /* LEASE_DURATION_MIN_S..MAX_S        */
	int            create_table; /* create it when DescribeTable says
					ResourceNotFoundException          */
	lease_call_fn  call;
	void          *call_ctx;
	lease_event_fn event;        /* may be NULL */
	void          *event_ctx;
	/* Injected for tests. NULL: uv_hrtime() in ms and time(NULL). */
	uint64_t     (*now_ms)(void *ctx);
	time_t       (*wall)(void *ctx);
	void          *clock_ctx;
} lease_opts_t;

/* What `driftd status` shows. */
typedef struct lease_info {
	lease_state_t state;
	int           may_write;            /* lease_may_write now       */
	char          me[LEASE_OWNER_MAX];
	char          owner[LEASE_OWNER_MAX]; /* as last read; "" none    */
	uint64_t      fence;                /* the item's, as last read  */
	int64_t       expires;              /* the item's, as last read  */
	char          table[256], name[256];
	int           duration_s;
} lease_info_t;

/* Copies what opts points to. Starts at STARTING; the first tick is at
 * once (with a loop) or the caller's. */
int lease_new(const lease_opts_t *opts, lease_t **out, err_t *e);

/* Frees it; a call still in flight is abandoned (its answer is dropped).
 * NULL is a no-op. */
void lease_free(lease_t *l);

/* Advances the machine by the clock: sends what is due. */
void lease_tick(lease_t *l);

/* Whether this daemon may write now: HOLDER and within its deadline. */
int lease_may_write(const lease_t *l);

/* Before an apply batch: returns 1 when no check is needed (not the
 * holder, or a renewal sent within max_age_ms succeeded), else 0 and
 * renews at once; done is called once that answer is in (whatever it
 * was; lease_may_write says the outcome). */
int lease_check(lease_t *l, uint64_t max_age_ms, void (*done)(void *data),
		void *data);

/* Releases the lease when held (the next holder need not wait for it to
 * run out). Returns 0 and calls done once the answer is in, or 1 when
 * there is nothing to release (done not called). The timer stops. */
int lease_release(lease_t *l, void (*done)(void *data), void *data);

void lease_info(const lease_t *l, lease_info_t *out);
lease_state_t lease_state(const lease_t *l);
const char *lease_state_name(lease_state_t s);

/* The margin and renewal period for a duration, in ms (see above). */
uint64_t lease_margin_ms(int duration_s);
uint64_t lease_period_ms(int duration_s);

#endif
