/* cloudtrail — who changed a drifted resource: the newest write event
 * CloudTrail recorded for it, from LookupEvents.
 *
 * One lookup asks LookupEvents for each of the resource's names in turn
 * (its id first, then its name attributes; "Currently the list can
 * contain only one item", CloudTrail API Reference, LookupEvents), in the
 * window from when driftd last saw it in sync to when it found the drift,
 * page by page (NextToken), and stops at the first name with a write
 * event. Read-only events (ReadOnly "true") are skipped. Events come
 * newest first ("The most recent event is listed first"); the newest write
 * event of the first page holding one is the change.
 *
 * "The rate of lookup requests is limited to two per second, per account,
 * per region": every call takes a token from the region's bucket (one
 * token, refilled every 500 ms), and a lookup without one waits on a loop
 * timer, so lookups started together are spaced, in the order they
 * started.
 *
 * CloudTrail "typically delivers an event within about 15 minutes of the
 * API call" (User Guide, How CloudTrail works): finding nothing is
 * CT_NOT_FOUND, and the caller asks again on a later cycle (same window)
 * until CT_GIVE_UP_S after the drift.
 *
 * AWS is reached through an injected caller with aws_call's shape
 * (ct_call_aws is aws_call itself), so tests script the answers. The
 * module never logs. */
#ifndef DRIFTD_CLOUDTRAIL_H
#define DRIFTD_CLOUDTRAIL_H

#include <time.h>

#include <cJSON.h>
#include <uv.h>

#include "aws.h"
#include "err.h"

#define CT_INTERVAL_MS  500       /* two calls a second, per region       */
#define CT_PAGE_MAX     50        /* MaxResults: "1 through 50"           */
#define CT_PAGES_MAX    20        /* pages read per name, at most         */
#define CT_NAMES_MAX    4         /* names tried per lookup, at most      */
#define CT_GIVE_UP_S    (30 * 60) /* twice CloudTrail's delivery time     */
/* The window when the resource was never seen in sync by this process. */
#define CT_DEFAULT_WINDOW_S (60 * 60)

typedef int (*ct_call_fn)(void *ctx, const char *service, const char *region,
			  const char *operation, const cJSON *params,
			  unsigned flags, aws_done_cb cb, void *data, err_t *e);

/* aws_call with an aws_client_t as ctx. */
int ct_call_aws(void *client, const char *service, const char *region,
		const char *operation, const cJSON *params, unsigned flags,
		aws_done_cb cb, void *data, err_t *e);

typedef struct ct_opts {
	uv_loop_t  *loop;
	ct_call_fn  call;
	void       *call_ctx;
	/* Events whose userAgent starts with this are skipped: driftd's own
	 * reverts are not the drift. NULL: "driftd/". */
	const char *own_user_agent;
} ct_opts_t;

typedef struct ct_query {
	const char *region;
	const char *names[CT_NAMES_MAX];   /* ResourceName values; NULL-ended
					      early; empty strings skipped */
	time_t      since;                 /* 0: until - CT_DEFAULT_WINDOW_S */
	time_t      until;                 /* when the drift was found       */
} ct_query_t;

typedef enum ct_outcome {
	CT_FOUND,
	CT_NOT_FOUND,    /* no write event yet: ask again later        */
	CT_FAILED,       /* the lookup failed: e says why             */
} ct_outcome_t;

/* The change, as CloudTrail names it. Strings are "" when the event does
 * not carry them. */
typedef struct ct_change {
	char   event_name[128];
	char   event_source[128];
	char   event_id[64];
	time_t event_time;
	char   principal[512];    /* userIdentity.arn; for an AWS service,
				     its invokedBy                         */
	char   username[256];     /* the event's Username                  */
	char   source_ip[128];
	char   user_agent[512];
	char   resource[256];     /* the name it was found by              */
} ct_change_t;

/* Called once per accepted lookup, never from inside ct_lookup. ch is set
 * for CT_FOUND, e for CT_FAILED (-ECANCELED when ct_free cancelled it). */
typedef void (*ct_done_fn)(void *data, ct_outcome_t outcome,
			   const ct_change_t *ch, const err_t *e);

typedef struct ct ct_t;

ct_t *ct_new(const ct_opts_t *o);   /* NULL: out of memory */
/* Lookups waiting for a token are cancelled (their callbacks run with
 * -ECANCELED); one waiting on AWS finishes (the caller's client cancels
 * it) and the module is freed after the last one. NULL is a no-op. */
void ct_free(ct_t *t);

/* Starts a lookup. Returns 0, or a negative errno with e set (no name, a
 * window that ends before it starts) and no callback. */
int ct_lookup(ct_t *t, const ct_query_t *q, ct_done_fn done, void *data,
	      err_t *e);

/* The LookupEvents parameters for one page: exposed for the tests. */
cJSON *ct_params(const char *name, time_t since, time_t until,
		 const char *next_token);
/* Reads one page's events into *ch (the newest write event in the
 * window, not made by own_user_agent); returns 1 found, 0 none, -EPROTO
 * when the page is not LookupEvents' answer. */
int ct_page_change(const cJSON *page, time_t since, time_t until,
		   const char *own_user_agent, ct_change_t *ch);
/* A CloudTrail record (an event's CloudTrailEvent, or the detail of an
 * EventBridge "AWS API Call via CloudTrail" event) as a change: who
 * (userIdentity.arn; for an AWS service, its invokedBy), what and when.
 * Missing members are "" (event_time 0). */
void ct_change_from_record(const cJSON *rec, ct_change_t *ch);
/* Seconds from the change to its detection (DetectSeconds); never
 * negative. */
double ct_detect_seconds(const ct_change_t *ch, time_t detected);
/* {"event", "time", "principal", "username", "source_ip", "user_agent",
 *  "event_id", "event_source"}: for alerts, history and `driftd drift`. */
cJSON *ct_change_json(const ct_change_t *ch);
/* The reverse of ct_change_json (history records read back): 0, or
 * -EINVAL when j is not such an object. */
int ct_change_from_json(const cJSON *j, ct_change_t *ch);

#endif
