/* tracker — the daemon's per-address policy across cycles: the state each
 * resource was last seen in, how long a failing one backs off, which
 * events are alerted, and the counts behind the cycle's metrics.
 *
 * Pure policy: no I/O, no clock (the caller passes the times), no
 * logging. After each engine run the daemon maps every result item to a
 * tracker_obs_t (one mapping function, daemon/run.c observe_item) and
 * hands the cycle to tracker_cycle, which returns notices: alerts to
 * raise, lines to log, and the metric counts. The daemon carries them
 * out; this module never sees an AWS call or a rec_item_t.
 *
 * The rules (contrib/docs/daemon.md, "Alerts"):
 *   - one alert per distinct event until it changes: drift left in place
 *     (observe), a refused change, a failed change, a resource owned by
 *     another environment, an orphan. A reverted drift is alerted once;
 *     the same drift reverted again before the resource was seen in sync
 *     is the same event. When an alerted problem ends the resource is
 *     reported converged (drift, refused, owned elsewhere) or recovered
 *     (failed, unreadable), once.
 *   - unknown is not missing: an unreadable resource is never alerted as
 *     drift, and is alerted (once, with the AWS error code and request id)
 *     only after it stayed unreadable for unreadable_cycles cycles in a
 *     row. It does not count as absent for "was it ever there".
 *   - creating what was never there is provisioning, not drift.
 *   - a failed change backs off: interval * 2^(failures-1), at most
 *     backoff_cap_s; a failed read is read again every cycle.
 *   - blocked (a dependency failed) and deferred (held back by this
 *     backoff) say nothing new about the resource. */
#ifndef DRIFTD_TRACKER_H
#define DRIFTD_TRACKER_H

#include <stddef.h>
#include <time.h>

#include <cJSON.h>

#include "alerts.h"

/* A resource's final state in one cycle, as the daemon sees it; the
 * engine's rec_state_t maps onto it one to one where it has the state.
 * X(enum, name shown by `driftd status`). */
#define TRACKER_STATES(X) \
	X(TRACKER_IN_SYNC,         "in sync")           \
	X(TRACKER_DRIFTED,         "drifted (observe)") \
	X(TRACKER_CHANGED,         "changed")           \
	X(TRACKER_REFUSED,         "drifted (refused)") \
	X(TRACKER_FAILED,          "failed")            \
	X(TRACKER_BLOCKED,         "blocked")           \
	X(TRACKER_DEFERRED,        "backing off")       \
	X(TRACKER_UNREADABLE,      "unreadable")        \
	X(TRACKER_OWNED_ELSEWHERE, "owned elsewhere")   \
	X(TRACKER_ORPHAN,          "orphan")            \
	X(TRACKER_ABSENT,          "absent")

typedef enum tracker_state {
#define TRACKER_ENUM_(e, name) e,
	TRACKER_STATES(TRACKER_ENUM_)
#undef TRACKER_ENUM_
	TRACKER_STATE_COUNT_
} tracker_state_t;

/* What a change was, for CHANGED, FAILED, REFUSED and DEFERRED; for
 * ORPHAN, DELETE says settings.prune deleted it. */
typedef enum tracker_action {
	TRACKER_ACT_NONE,
	TRACKER_ACT_CREATE,
	TRACKER_ACT_UPDATE,
	TRACKER_ACT_REPLACE,
	TRACKER_ACT_DELETE,
} tracker_action_t;

/* One resource in one cycle. Strings and changes are the caller's and
 * need live only during tracker_cycle. */
typedef struct tracker_obs {
	const char      *address;
	const char      *type;        /* "ec2.vpc"                          */
	tracker_state_t  state;
	tracker_action_t action;
	int              present;     /* the live item exists               */
	const char      *id;          /* live id, for orphans (may be NULL) */
	const char      *owner_env;   /* OWNED_ELSEWHERE: the other env     */
	const char      *reason;      /* REFUSED: why, for people           */
	/* The differences, [{attribute, expected, live}] with secrets
	 * masked (may be NULL): in alerts, and the drift's identity. */
	const cJSON     *changes;
	/* FAILED, UNREADABLE: the error. */
	const char      *err_code;    /* AWS error code, or ""              */
	const char      *err_message;
	const char      *err_request_id;
} tracker_obs_t;

typedef enum tracker_notice_kind {
	TRACKER_NOTICE_ALERT,   /* raise an alert (and log that it was)   */
	TRACKER_NOTICE_LOG,     /* log a line                              */
} tracker_notice_kind_t;

typedef struct tracker_notice {
	tracker_notice_kind_t kind;
	alert_event_t event;    /* ALERT                                  */
	int           priority; /* LOG: syslog priority (LOG_ERR, ...)   */
	const char   *log_event;/* LOG: DRIFTD_EVENT ("drift", "apply"...)*/
	char         *address;
	char         *subject;  /* ALERT: "driftd ENV: ..."               */
	char         *text;     /* ALERT: the sentences; LOG: the line    */
	cJSON        *details;  /* ALERT: the JSON block                  */
} tracker_notice_t;

typedef struct tracker_type_count {
	const char *type;       /* points into the tracker               */
	size_t      drifted;
} tracker_type_count_t;

/* The outcome of one cycle: notices in order, and counts. */
typedef struct tracker_report {
	tracker_notice_t     *notices;
	size_t                n_notices;
	size_t                managed, drifted, unreadable, succeeded,
			      failed;
	tracker_type_count_t *types;      /* types with drift             */
	size_t                n_types;
} tracker_report_t;

typedef struct tracker_opts {
	double   backoff_cap_s;      /* 0: 1800                            */
	unsigned unreadable_cycles;  /* 0: TRACKER_UNREADABLE_CYCLES      */
} tracker_opts_t;

#define TRACKER_UNREADABLE_CYCLES 3

/* The cycle's context: the environment's name for texts, the interval
 * backoff is counted in, the wall time for "last change" and the
 * monotonic time backoff runs on. */
typedef struct tracker_clock {
	const char *environment;
	double      interval_s;
	time_t      wall;
	double      mono;
	/* An incremental run's observations (an edit's or an event's,
	 * reconcile.h): a few resources seen again within the last full
	 * cycle, which still counts as the cycle that saw them. */
	int         partial;
} tracker_clock_t;

/* What `driftd status` shows of one address. */
typedef struct tracker_entry {
	const char      *address;
	tracker_state_t  state;
	time_t           last_change;
	size_t           drift;          /* differences, last cycle       */
	unsigned         failures;       /* consecutive failed changes    */
	double           next_try;       /* mono time; 0: not backing off */
	unsigned         unreadable;     /* consecutive unreadable cycles */
	tracker_action_t action;         /* the last cycle's              */
	const cJSON     *changes;        /* the last cycle's, or NULL     */
	unsigned long    seen;           /* the cycle that last saw it    */
} tracker_entry_t;

typedef struct tracker tracker_t;

tracker_t *tracker_new(const tracker_opts_t *o);   /* NULL: no memory */
void tracker_free(tracker_t *t);

/* One cycle's observations; fills *out (free with tracker_report_free).
 * 0 or -ENOMEM (then *out holds what was made before). */
int tracker_cycle(tracker_t *t, const tracker_obs_t *obs, size_t n,
		  const tracker_clock_t *clk, tracker_report_t *out);
void tracker_report_free(tracker_report_t *r);

/* Whether a change to address is held back at mono time now. */
int tracker_backing_off(const tracker_t *t, const char *address, double now);
/* An operator's `driftd reconcile ADDRESS`: try it now. 0, or -ENOENT
 * when the address was never seen. */
int tracker_retry_now(tracker_t *t, const char *address);

unsigned long tracker_cycles(const tracker_t *t);
size_t tracker_count(const tracker_t *t);
const tracker_entry_t *tracker_entry(const tracker_t *t, size_t i);
const tracker_entry_t *tracker_find(const tracker_t *t, const char *address);

const char *tracker_state_name(tracker_state_t s);
const char *tracker_action_name(tracker_action_t a);  /* "update" ... */

#endif
