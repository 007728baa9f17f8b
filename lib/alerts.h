/* alerts — what the daemon tells people through SNS, and how often.
 *
 * State only; the caller sends. alerts_raise offers an alert under a
 * dedupe key ("drift|ADDRESS|ATTRIBUTE|LIVE"): a key already alerted is
 * quiet until alerts_resolve forgets it or the re-alert interval passes.
 * Raised alerts wait in a bounded queue; alerts_next hands out the oldest
 * while the hourly cap allows, and once the hour is over, one summary
 * saying how many were held back. A failed send stays at the head and is
 * retried by the next alerts_next; when the queue is full the oldest is
 * dropped and counted (the caller logs it). */
#ifndef DRIFTD_ALERTS_H
#define DRIFTD_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

/* SNS Publish: "Subject ... must be less than 100 characters" (SNS API
 * Reference, Publish). */
#define ALERTS_SUBJECT_MAX 99

/* Every alert's event: its enum, its name (the SNS message attribute
 * "event") and its severity, written once. What each one means and when
 * it is sent is in contrib/docs/daemon.md ("Alerts"). */
#define ALERT_EVENTS(X) \
	X(ALERT_DRIFT,           "drift",           "warning") \
	X(ALERT_CONVERGED,       "converged",       "info")    \
	X(ALERT_ACTION_FAILED,   "action_failed",   "error")   \
	X(ALERT_CONFIG_REJECTED, "config_rejected", "error")   \
	X(ALERT_ORPHAN,          "orphan",          "warning") \
	X(ALERT_RECOVERED,       "recovered",       "info")    \
	X(ALERT_REFUSED,         "refused",         "warning") \
	X(ALERT_UNREADABLE,      "unreadable",      "error")   \
	X(ALERT_OWNED_ELSEWHERE, "owned_elsewhere", "error")   \
	X(ALERT_SUMMARY,         "summary",         "warning") /* made by the
						module: the hourly cap */

typedef enum alert_event {
#define ALERT_ENUM_(e, name, severity) e,
	ALERT_EVENTS(ALERT_ENUM_)
#undef ALERT_ENUM_
	ALERT_EVENT_COUNT_
} alert_event_t;

typedef struct alert {
	alert_event_t event;
	char         *subject;   /* printable ASCII, <= ALERTS_SUBJECT_MAX */
	char         *message;   /* text, then the details as JSON         */
	double        raised;
} alert_t;

typedef struct alerts_opts {
	const char *environment;
	double      realert_s;   /* 0: 24 h                                */
	unsigned    hourly_cap;  /* 0: 20                                  */
	size_t      queue_cap;   /* 0: 100                                 */
} alerts_opts_t;

typedef struct alerts alerts_t;

alerts_t *alerts_new(const alerts_opts_t *o);   /* NULL: out of memory */
void alerts_free(alerts_t *a);

/* Offers an alert. key NULL: never deduplicated. text: the sentence(s)
 * for people; details (may be NULL, not taken) is appended as JSON. The
 * subject is cut to ALERTS_SUBJECT_MAX. Returns 1 queued, 0 quiet (the
 * key was alerted less than realert_s ago), -ENOMEM. */
int alerts_raise(alerts_t *a, alert_event_t ev, const char *key,
		 const char *subject, const char *text, const cJSON *details,
		 double now);
/* Forgets every key starting with prefix; returns how many. A drift that
 * resolves is forgotten so that its return alerts again. */
size_t alerts_resolve(alerts_t *a, const char *prefix);
/* Whether a key starting with prefix is remembered. */
int alerts_known(const alerts_t *a, const char *prefix);

/* The next alert to send, or NULL (none, or the hour's cap is spent, or
 * one is in flight). Owned by the module until alerts_sent. Once the hour
 * is over it is the summary of what the cap held back, whether or not
 * anything else is queued. */
const alert_t *alerts_next(alerts_t *a, double now);
/* ok: the alert alerts_next gave is done; else it stays for a retry. */
void alerts_sent(alerts_t *a, int ok);
/* Whether alerts_next(a, now) has something to hand out: a queued alert
 * or a due summary. */
int alerts_pending(const alerts_t *a, double now);
/* When the summary of held-back alerts is due (the end of the hour), or
 * -1 when nothing is held back. The caller arms a timer for it: the
 * summary must not wait for a later alert. */
double alerts_summary_due(const alerts_t *a);

/* SNS Publish parameters for al: TopicArn, Subject, Message and the
 * String MessageAttributes severity, environment and event. */
cJSON *alerts_publish_params(const alerts_t *a, const alert_t *al,
			     const char *topic_arn);

const char *alerts_event_name(alert_event_t ev);     /* "drift" ... */
const char *alerts_severity(alert_event_t ev);       /* "warning" ... */
size_t alerts_queued(const alerts_t *a);
uint64_t alerts_dropped(const alerts_t *a);   /* queue full, ever */
uint64_t alerts_held(const alerts_t *a);      /* over the cap, this hour */

#endif
