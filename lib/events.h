/* events — event-driven mode's decisions (issue 16 item 3): what an SQS
 * message from the event queue says, and which managed resources it
 * touches. Pure functions over injected inputs; the daemon's long-poll
 * loop (daemon/events.c) calls them and acts on the answer.
 *
 * The message body is an EventBridge event as text (the SQS target sends
 * "the entire event" unless an input transformer says otherwise, User
 * Guide "Amazon EventBridge targets"). Events of detail-type "AWS API Call
 * via CloudTrail" carry the CloudTrail record as their detail (User Guide,
 * "Events from AWS services"; CloudTrail "record contents"): eventName,
 * eventSource, eventTime, awsRegion, userIdentity, sourceIPAddress,
 * userAgent, requestParameters, responseElements, readOnly, resources.
 * EventBridge delivers no read-only calls for CloudTrail events, but a
 * record saying readOnly true is ignored anyway.
 *
 * Matching: an event touches a managed resource when its region is where
 * that resource's events arrive (its own region; a global service's, such
 * as IAM's or Route 53's, in its signing region us-east-1) and one of the
 * event's identifiers (a string anywhere in requestParameters or
 * responseElements, an ARN in resources) is the resource's id, ARN or a
 * name attribute. The last path segment of an identifier ("/hostedzone/Z1",
 * a queue URL, "role/name" in an ARN) counts as well when the event's
 * service (eventSource "<prefix>.amazonaws.com") is the resource's
 * (services.h endpoint_prefix), so a short name never matches another
 * service's path. Events made by driftd itself (userAgent starting with
 * "driftd/", as cloudtrail.h skips them) are its own reverts, not drift.
 *
 * The module never logs. */
#ifndef DRIFTD_EVENTS_H
#define DRIFTD_EVENTS_H

#include <stddef.h>

#include "cloudtrail.h"
#include "err.h"

#define EV_DETAIL_TYPE  "AWS API Call via CloudTrail"
#define EV_IDS_MAX      64      /* identifiers kept from one event        */
#define EV_ID_LEN_MAX   2048    /* longer strings are not identifiers      */
#define EV_DEPTH_MAX    8       /* nesting walked in request/response      */
#define EV_NAMES_MAX    6       /* names one managed resource is known by  */
#define EV_BODY_MAX     (1024 * 1024) /* SQS's largest message: 1 MiB     */

/* What a message is, and so what the daemon does with it. Every kind but
 * EV_MALFORMED is deleted once handled. XX(name, text). */
#define EV_KIND_MAP(XX)                                                       \
	XX(API_CALL,   "api call")     /* a write to match                 */ \
	XX(READ_ONLY,  "read only")                                          \
	XX(OWN,        "own")          /* driftd's own write                */ \
	XX(OTHER,      "other")        /* another detail-type: not ours     */ \
	XX(MALFORMED,  "malformed")    /* not JSON, or not an event         */

typedef enum ev_kind {
#define XX(name, text) EV_##name,
	EV_KIND_MAP(XX)
#undef XX
	EV_KIND_COUNT
} ev_kind_t;

const char *ev_kind_name(ev_kind_t k);

typedef struct ev_event {
	ev_kind_t   kind;
	char        id[128];          /* the EventBridge event's id         */
	char        region[64];       /* detail.awsRegion, else region       */
	char        source_prefix[64];/* eventSource's first label: "ec2"   */
	ct_change_t change;           /* who, what, when (cloudtrail.h)     */
	char       *ids[EV_IDS_MAX];  /* identifiers, deduplicated          */
	size_t      n_ids;
} ev_event_t;

/* Reads one message body (len bytes, not NUL-terminated). own_ua: the
 * user-agent prefix of driftd's own calls (NULL: "driftd/"). Returns 0
 * with *ev filled (ev->kind says what it is; EV_MALFORMED with e set), or
 * -ENOMEM. Free with ev_event_free. */
int ev_parse(const char *body, size_t len, const char *own_ua,
	     ev_event_t *ev, err_t *e);
void ev_event_free(ev_event_t *ev);

struct rec_result;

/* One managed resource as matching sees it. */
typedef struct ev_managed {
	const char *address;
	const char *region;           /* where its events arrive            */
	const char *service_prefix;   /* services.h endpoint_prefix         */
	const char *names[EV_NAMES_MAX]; /* id, ARN, name attributes; NULL-
					   ended early                      */
} ev_managed_t;

/* The managed resources of a finished run's result: configured items
 * that exist, with the names of their live item (id, its type's ARN, its
 * name attributes). One allocation holds the array and its strings: it
 * outlives r (a config reload frees the result; events still match).
 * Returns it (free it; NULL with *n 0 when r has none, or out of memory:
 * -ENOMEM in *rc). */
ev_managed_t *ev_managed_from(const struct rec_result *r, size_t *n, int *rc);

/* The indexes into m of the resources ev touches, at most max, each once,
 * in m's order. Returns how many. */
size_t ev_match(const ev_event_t *ev, const ev_managed_t *m, size_t n,
		size_t *out, size_t max);

/* The queue ARN's parts: arn:PARTITION:sqs:REGION:ACCOUNT:NAME. 0, or
 * -EINVAL with e set. */
int ev_queue_arn_parse(const char *arn, char *region, size_t region_len,
		       char *account, size_t account_len, char *name,
		       size_t name_len, err_t *e);

#endif
