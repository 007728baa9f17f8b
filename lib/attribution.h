/* attribution — who made each drift the daemon finds, recorded: the
 * piece between a reconcile cycle (reconcile.h), CloudTrail
 * (cloudtrail.h) and the drift history (history.h), so that the daemon
 * wires it in with a few calls:
 *
 *   attrib_seen(a, item, drifted, read_start)   every item, every cycle
 *   attrib_drift(a, item, action, read_end, cb)  a drift first found
 *   attrib_retry(a, now)                         once a cycle
 *
 * attrib_drift asks CloudTrail by the resource's id, ARN and name
 * attributes in the window since the address was last seen in sync
 * (attrib_seen; unknown: CT_DEFAULT_WINDOW_S), records the drift in the
 * history, and hands the result (a sentence, journal fields, JSON for the
 * alert, DetectSeconds) to cb. Nothing found yet is recorded "pending";
 * attrib_retry asks again each cycle, settles the record once (found, or
 * given up CT_GIVE_UP_S after the drift), and hands that to cb as late.
 * Pending records outlive a restart (history.h).
 *
 * Owns its cloudtrail lookups and the open history. Never logs. */
#ifndef DRIFTD_ATTRIBUTION_H
#define DRIFTD_ATTRIBUTION_H

#include <time.h>

#include <cJSON.h>
#include <uv.h>

#include "cloudtrail.h"
#include "err.h"
#include "history.h"
#include "reconcile.h"

#define ATTRIB_FIELDS_MAX 8
#define ATTRIB_WAIT_S     10.0   /* longest a drift's result waits        */

typedef struct attrib attrib_t;
typedef struct attrib_result attrib_result_t;

/* r NULL: the lookup was dropped by attrib_free (free what data holds;
 * the daemon is going away). */
typedef void (*attrib_fn)(void *data, const attrib_result_t *r);

typedef struct attrib_opts {
	uv_loop_t  *loop;
	ct_call_fn  call;            /* cloudtrail.h: aws_call's shape      */
	void       *call_ctx;
	const char *state_dir;       /* where history.jsonl lives           */
	size_t      history_max;     /* bytes per file; 0: the default      */
	const char *environment;
	/* A drift's callback runs at most wait_s after attrib_drift (0:
	 * ATTRIB_WAIT_S): a lookup still out then hands over "pending", so
	 * that CloudTrail never holds an alert back for long. */
	double      wait_s;
	/* Results that settle an earlier drift (late): from attrib_retry, or
	 * from a lookup that came back after wait_s. */
	attrib_fn   late;
	void       *late_data;
} attrib_opts_t;

/* What cb gets; valid during the callback only. */
struct attrib_result {
	const char           *address;
	int                   late;        /* settles an earlier drift    */
	history_attribution_t attribution;
	const ct_change_t    *change;      /* HISTORY_FOUND               */
	double                detect_seconds; /* HISTORY_FOUND            */
	time_t                detected;
	const char           *text;        /* one sentence; "" for OFF    */
	/* Journal fields, "NAME=value", NULL-ended: DRIFTD_CHANGED_BY,
	 * DRIFTD_CHANGE_EVENT, DRIFTD_CHANGE_TIME, DRIFTD_SOURCE_IP,
	 * DRIFTD_USER_AGENT, DRIFTD_DETECT_SECONDS (found), or
	 * DRIFTD_ATTRIBUTION alone. */
	const char *const    *fields;
	const cJSON          *json;        /* {"attribution", "changed_by",
					      "detect_seconds"}           */
};

int attrib_open(const attrib_opts_t *o, attrib_t **out, err_t *e);
/* Lookups are dropped: their callbacks run with r NULL, at once for
 * those waiting for a token, later for those on AWS; the module is freed
 * after the last. NULL is a no-op. */
void attrib_free(attrib_t *a);

/* Every item of every cycle: an item not drifted was in sync at
 * read_start (the cycle's start). Its id is remembered (from the cycle
 * that created it, then from each in sync) to look up who deleted it. */
void attrib_seen(attrib_t *a, const rec_item_t *it, int drifted,
		 time_t read_start);

/* A drift first found; read_end: when the cycle's reads ended (driftd's
 * own revert comes after). cb runs once: after the lookup, or wait_s
 * after the call with "pending" (the lookup's answer then goes to the
 * late callback), or at once when the resource has nothing to look it
 * up by. Returns 0, or a negative errno with e set and no callback. */
int attrib_drift(attrib_t *a, const rec_item_t *it, const char *action,
		 time_t read_end, attrib_fn cb, void *data, err_t *e);

/* A drift whose change is known already: event-driven mode's event
 * (events.h) named who made it. Recorded found and handed to cb before
 * the call returns; no CloudTrail lookup. Returns 0, or -ENOMEM with e
 * set and no callback. */
int attrib_drift_known(attrib_t *a, const rec_item_t *it, const char *action,
		       time_t read_end, const ct_change_t *ch, attrib_fn cb,
		       void *data, err_t *e);

/* Once a cycle: asks again for the pending records (one round at a
 * time); the late callback runs once for each one settled. */
void attrib_retry(attrib_t *a, time_t now);

/* The newest result's JSON for an address this process recorded, for
 * `driftd drift`; NULL when none. */
const cJSON *attrib_latest(const attrib_t *a, const char *address);

#endif
