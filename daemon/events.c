/* Event-driven mode of `driftd run` (issue 16 item 3): the daemon
 * long-polls the SQS queues of settings.event_queues on its libuv loop,
 * and an event that touches a managed resource (lib/events.h decides)
 * makes an immediate read-one and reconcile of it, an incremental run
 * against the last full cycle's result (reconcile.h, rec_opts_t.cached).
 * The full poll still runs at its interval.
 *
 * Each queue is a small state machine (EVQ_STATE_MAP), changed only by
 * set_state, which logs every transition with its reason:
 *   WAITING_ARN  the first full cycle has not read the estate yet, or
 *                its setting is a reference whose resource was not read
 *                yet; every full cycle tries again. The ARN found is kept
 *                while the setting stays the same (as alert_topic's).
 *   LOOKING_UP   GetQueueUrl (QueueName, QueueOwnerAWSAccountId).
 *   POLLING      one ReceiveMessage out at a time, WaitTimeSeconds 20
 *                (the longest long poll), MaxNumberOfMessages 10 (the
 *                most), VisibilityTimeout 10 s, on the existing async AWS
 *                client: the loop stays free for signals, the control
 *                socket and the watchdog. A reload swaps the session
 *                and its client: the old one is held until the poll out
 *                on it is answered (daemon_events_hold_session), so that
 *                no message is handed to a cancelled poll.
 *   BACKING_OFF  a failed call waits 1, 2, 4 ... 60 s; a queue that does
 *                not exist (or cannot be read) is reported in the journal
 *                and `driftd status`, and tried again: never fatal.
 *   STANDBY      with settings.lease, only the daemon that holds it
 *                polls (a message goes to one receiver: a standby, which
 *                never writes, would take it from the writer); checked
 *                every 2 s.
 *   RETIRED      the setting changed; freed once its calls are back.
 * Stopping closes the session's client, which cancels the poll in
 * flight: SIGTERM does not wait for a 20 s poll.
 *
 * Messages: each is read (ev_parse); read-only events, driftd's own
 * writes, other detail-types and events that touch nothing managed are
 * counted and deleted; a malformed body is logged and deleted (it would
 * only come back). Matched addresses are gathered for EVQ_COALESCE_MS so
 * that a burst makes one run, which never overlaps a full cycle: it waits
 * behind it. A message is deleted (DeleteMessage with its ReceiptHandle)
 * once handled; one that could not be handled (out of memory, the
 * pending list full) is left to reappear after its visibility timeout.
 * The event's userIdentity names who made the change at once
 * (attrib_drift_known): no LookupEvents. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>
#include <uv.h>

#include "config.h"
#include "daemon.h"
#include "events.h"
#include "jsonutil.h"
#include "log.h"

#define EVQ_WAIT_S          20
#define EVQ_MAX_MESSAGES    10
/* How long a received message stays hidden from other receives: longer
 * than handling it takes (it is deleted at once), short so that one
 * handed to a poll that stopping cancelled comes back soon to the next
 * start. */
#define EVQ_VISIBILITY_S    10
#define EVQ_COALESCE_MS     200
#define EVQ_BACKOFF_MIN_MS  1000
#define EVQ_BACKOFF_MAX_MS  60000
#define EVQ_STANDBY_MS      2000  /* a standby asks the lease this often */
#define EVQ_PENDING_MAX     256   /* addresses waiting for one run */
#define EVQ_SESSIONS_MAX    8     /* sessions with calls out         */

/* XX(name, text) */
#define EVQ_STATE_MAP(XX)                                                     \
	XX(WAITING_ARN, "waiting for its ARN")                               \
	XX(LOOKING_UP,  "getting its URL")                                   \
	XX(POLLING,     "polling")                                           \
	XX(BACKING_OFF, "backing off")                                       \
	XX(STANDBY,     "standby")        /* another daemon holds the lease */ \
	XX(RETIRED,     "retired")

typedef enum evq_state {
#define XX(name, text) EVQ_##name,
	EVQ_STATE_MAP(XX)
#undef XX
} evq_state_t;

static const char *const evq_state_names[] = {
#define XX(name, text) text,
	EVQ_STATE_MAP(XX)
#undef XX
};

typedef struct events events_t;

typedef struct evq {
	events_t   *ev;
	char       *setting;       /* as configured: ARN or reference */
	char        arn[256], url[1024], region[64], account[16], name[96];
	evq_state_t state;
	uv_timer_t  timer;         /* backoff                            */
	unsigned    failures;      /* in a row                           */
	int         in_flight;     /* calls out (a poll, deletes)        */
	int         closed;        /* the timer's close is done          */
	char        error[ERR_MSG_MAX + 512]; /* the last failure; ""    */
	uint64_t    received;
	time_t      last_message;
} evq_t;

/* One call out, and the session whose client it went through. */
typedef struct evcall {
	evq_t     *q;
	session_t *s;
} evcall_t;

/* A session with calls out. A reload's old session is held (not closed)
 * until its last call is back, so that a long poll out is answered
 * rather than cancelled: a message AWS handed to a cancelled poll stays
 * hidden for the visibility timeout. */
typedef struct evsession {
	session_t *s;
	unsigned   calls;
	int        held;
} evsession_t;

/* An address waiting for (or in) an event run, with who changed it. */
typedef struct evpend {
	char       *address;
	ct_change_t change;
} evpend_t;

struct events {
	daemon_t     *d;
	evq_t       **q;
	size_t        nq;
	uv_timer_t    coalesce;
	int           coalesce_open;
	evpend_t      pending[EVQ_PENDING_MAX];
	size_t        npending;
	evpend_t      current[EVQ_PENDING_MAX]; /* the running event run's */
	size_t        ncurrent;
	ev_managed_t *managed;     /* from the last full result (a copy)  */
	size_t        nmanaged;
	const rec_result_t *managed_of;
	uint64_t      received, matched, ignored, malformed, runs;
	uint64_t      received_reported, matched_reported; /* metrics */
	evsession_t   sessions[EVQ_SESSIONS_MAX];
	time_t        last_message;
	int           closing;
};

static log_ctx_t ectx(const daemon_t *d, const char *address, const err_t *e,
		      const char *const *fields)
{
	log_ctx_t c = { d->environment[0] ? d->environment : NULL, address,
			"events", e, fields };

	return c;
}

/* ---- queues: state ----------------------------------------------------- */

static void start_lookup(evq_t *q);
static void start_poll(evq_t *q);

/* THE transition: every change of a queue's state, logged with why. */
static void set_state(evq_t *q, evq_state_t to, const char *why)
{
	char field[300];
	const char *fields[] = { field, NULL };
	log_ctx_t c = ectx(q->ev->d, NULL, NULL, fields);

	snprintf(field, sizeof(field), "DRIFTD_QUEUE=%s",
		 q->arn[0] ? q->arn : q->setting);
	if (q->state != to)
		log_msg(to == EVQ_POLLING || to == EVQ_RETIRED ? LOG_INFO :
			LOG_DEBUG, &c, "Event queue %s: %s -> %s: %s.",
			q->arn[0] ? q->arn : q->setting,
			evq_state_names[q->state], evq_state_names[to], why);
	q->state = to;
}

static void on_queue_closed(uv_handle_t *h)
{
	evq_t *q = h->data;

	q->closed = 1;
	if (!q->in_flight) {
		free(q->setting);
		free(q);
	}
}

/* A retired queue goes once its calls are back; its slot is reused. */
static void retire(evq_t *q, const char *why)
{
	set_state(q, EVQ_RETIRED, why);
	uv_timer_stop(&q->timer);
	if (!uv_is_closing((uv_handle_t *)&q->timer))
		uv_close((uv_handle_t *)&q->timer, on_queue_closed);
}

static evsession_t *session_of(events_t *ev, const session_t *s)
{
	size_t i;

	for (i = 0; i < EVQ_SESSIONS_MAX; i++)
		if (ev->sessions[i].s == s && ev->sessions[i].calls)
			return &ev->sessions[i];
	return NULL;
}

static void session_used(events_t *ev, session_t *s)
{
	evsession_t *x = session_of(ev, s);
	size_t i;

	for (i = 0; !x && i < EVQ_SESSIONS_MAX; i++)
		if (!ev->sessions[i].calls) {
			x = &ev->sessions[i];
			x->s = s;
			x->held = 0;
		}
	if (x)        /* else untracked: its calls are cancelled on reload */
		x->calls++;
}

static void session_done(events_t *ev, const session_t *s)
{
	evsession_t *x = session_of(ev, s);

	if (!x || --x->calls)
		return;
	if (x->held)
		session_close_async(x->s, NULL, NULL);
	x->s = NULL;
	x->held = 0;
}

/* A call came back (data: its evcall_t): a retired queue whose timer is
 * closed is freed. Returns the queue, or NULL when it is gone or must do
 * nothing more. */
static evq_t *call_back(void *data)
{
	evcall_t *c = data;
	evq_t *q = c->q;

	session_done(q->ev, c->s);
	free(c);
	q->in_flight--;
	if (q->state != EVQ_RETIRED && !q->ev->closing)
		return q;
	if (q->closed && !q->in_flight) {
		free(q->setting);
		free(q);
	}
	return NULL;
}

static void on_backoff(uv_timer_t *t)
{
	evq_t *q = t->data;

	if (q->url[0])
		start_poll(q);
	else
		start_lookup(q);
}

/* A call failed: reported (the first failure of a run at warning, the
 * rest at debug: the status shows the last), then tried again later. */
static void failed(evq_t *q, const char *what, const err_t *e)
{
	char line[ERR_MSG_MAX + 256], field[300];
	const char *fields[] = { field, NULL };
	log_ctx_t c = ectx(q->ev->d, NULL, e, fields);
	uint64_t ms = EVQ_BACKOFF_MIN_MS;
	unsigned i;

	for (i = 0; i < q->failures && ms < EVQ_BACKOFF_MAX_MS; i++)
		ms *= 2;
	if (ms > EVQ_BACKOFF_MAX_MS)
		ms = EVQ_BACKOFF_MAX_MS;
	err_format(e, line, sizeof(line));
	snprintf(q->error, sizeof(q->error), "%s failed: %s", what, line);
	snprintf(field, sizeof(field), "DRIFTD_QUEUE=%s", q->arn);
	log_msg(q->failures ? LOG_DEBUG : LOG_WARNING, &c, "The event queue "
		"%s cannot be read: %s failed: %s. driftd keeps polling on its "
		"interval and tries the queue again in %.0f s.", q->arn, what,
		line, (double)ms / 1000.0);
	q->failures++;
	set_state(q, EVQ_BACKING_OFF, q->error);
	uv_timer_start(&q->timer, on_backoff, ms, 0);
}

/* ---- queues: calls ----------------------------------------------------- */

/* One SQS call in q's region, through the current session's client (a
 * reload swaps it); params are the caller's. 0, or a negative errno with
 * e set and no callback. */
static int sqs_call(evq_t *q, const char *op, const cJSON *params,
		    aws_done_cb cb, err_t *e)
{
	session_t *s = q->ev->d->session;
	aws_client_t *aws = s ? session_aws(s, e) : NULL;
	evcall_t *c;

	if (!aws) {
		if (!e->code)
			err_set(e, -EIO, "no AWS client");
		return e->code;
	}
	if (!(c = malloc(sizeof(*c))))
		return err_set(e, -ENOMEM, "out of memory");
	c->q = q;
	c->s = s;
	if (aws_call(aws, "sqs", q->region, op, params, 0, cb, c, e)) {
		free(c);
		return e->code;
	}
	session_used(q->ev, s);
	q->in_flight++;
	return 0;
}

static void on_url(void *data, cJSON *result, const err_t *e)
{
	evq_t *q = call_back(data);
	const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(result,
								    "QueueUrl"));
	err_t bad;

	if (!q)
		goto out;
	if (e && e->code == -ECANCELED) {
		start_lookup(q);      /* a reload swapped the client */
		goto out;
	}
	if (e && e->code) {
		failed(q, "GetQueueUrl", e);
		goto out;
	}
	if (!url || !*url || strlen(url) >= sizeof(q->url)) {
		err_clear(&bad);
		err_set(&bad, -EPROTO, "GetQueueUrl answered without a QueueUrl");
		failed(q, "GetQueueUrl", &bad);
		goto out;
	}
	snprintf(q->url, sizeof(q->url), "%s", url);
	start_poll(q);
out:
	cJSON_Delete(result);
}

static void start_lookup(evq_t *q)
{
	cJSON *p = cJSON_CreateObject();
	err_t e;

	err_clear(&e);
	set_state(q, EVQ_LOOKING_UP, "its ARN is known");
	cJSON_AddStringToObject(p, "QueueName", q->name);
	cJSON_AddStringToObject(p, "QueueOwnerAWSAccountId", q->account);
	if (sqs_call(q, "GetQueueUrl", p, on_url, &e))
		failed(q, "GetQueueUrl", &e);
	cJSON_Delete(p);
}

static void on_deleted(void *data, cJSON *result, const err_t *e)
{
	evq_t *q = call_back(data);
	char line[ERR_MSG_MAX + 256];
	log_ctx_t c;

	cJSON_Delete(result);
	if (!q)
		return;
	c = ectx(q->ev->d, NULL, e, NULL);
	if (e && e->code && e->code != -ECANCELED)
		log_warning(&c, "A handled event could not be deleted from %s: "
			    "%s; it comes back after its visibility timeout "
			    "and is handled again.", q->arn,
			    err_format(e, line, sizeof(line)));
}

static void delete_message(evq_t *q, const char *receipt)
{
	cJSON *p = cJSON_CreateObject();
	err_t e;

	err_clear(&e);
	cJSON_AddStringToObject(p, "QueueUrl", q->url);
	cJSON_AddStringToObject(p, "ReceiptHandle", receipt ? receipt : "");
	sqs_call(q, "DeleteMessage", p, on_deleted, &e);
	cJSON_Delete(p);
}

static int handle_message(events_t *ev, evq_t *q, const cJSON *m);

/* SQS names a queue that is not there with the JSON protocol's
 * QueueDoesNotExist (AWS.SimpleQueueService.NonExistentQueue in the
 * query protocol): its URL is asked again, as it may be made again. */
static int queue_gone(const err_t *e)
{
	return strstr(e->aws_code, "QueueDoesNotExist") ||
	       strstr(e->aws_code, "NonExistentQueue");
}

static void on_messages(void *data, cJSON *result, const err_t *e)
{
	evq_t *q = call_back(data);
	const cJSON *m;

	if (!q)
		goto out;
	if (e && e->code == -ECANCELED) {
		start_poll(q);         /* a reload swapped the client */
		goto out;
	}
	if (e && e->code) {
		if (queue_gone(e))
			q->url[0] = '\0';
		failed(q, "ReceiveMessage", e);
		goto out;
	}
	q->failures = 0;
	q->error[0] = '\0';
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(result, "Messages")) {
		q->received++;
		q->ev->received++;
		q->last_message = q->ev->last_message = time(NULL);
		if (!handle_message(q->ev, q, m))
			delete_message(q, cJSON_GetStringValue(
				cJSON_GetObjectItem(m, "ReceiptHandle")));
	}
	start_poll(q);
out:
	cJSON_Delete(result);
}

static void start_poll(evq_t *q)
{
	cJSON *p;
	err_t e;

	if (!daemon_lease_may_write(q->ev->d)) {
		if (q->state != EVQ_STANDBY)
			set_state(q, EVQ_STANDBY, "another daemon holds the "
				  "lease and polls");
		uv_timer_start(&q->timer, on_backoff, EVQ_STANDBY_MS, 0);
		return;
	}
	p = cJSON_CreateObject();
	err_clear(&e);
	if (q->state != EVQ_POLLING)
		set_state(q, EVQ_POLLING, "its URL is known");
	cJSON_AddStringToObject(p, "QueueUrl", q->url);
	cJSON_AddNumberToObject(p, "WaitTimeSeconds", EVQ_WAIT_S);
	cJSON_AddNumberToObject(p, "MaxNumberOfMessages", EVQ_MAX_MESSAGES);
	cJSON_AddNumberToObject(p, "VisibilityTimeout", EVQ_VISIBILITY_S);
	if (sqs_call(q, "ReceiveMessage", p, on_messages, &e))
		failed(q, "ReceiveMessage", &e);
	cJSON_Delete(p);
}

/* ---- messages ---------------------------------------------------------- */

static void on_coalesced(uv_timer_t *t);

static void add_pending(events_t *ev, const char *address,
			const ct_change_t *ch)
{
	size_t i;

	for (i = 0; i < ev->npending; i++)
		if (!strcmp(ev->pending[i].address, address)) {
			ev->pending[i].change = *ch;  /* the newest names who */
			return;
		}
	if (!(ev->pending[ev->npending].address = strdup(address)))
		return;
	ev->pending[ev->npending++].change = *ch;
}

/* 0: handled (delete it); else leave it to come back. */
static int handle_message(events_t *ev, evq_t *q, const cJSON *m)
{
	const char *body = cJSON_GetStringValue(cJSON_GetObjectItem(m, "Body"));
	size_t idx[EVQ_PENDING_MAX], n, i;
	char line[ERR_MSG_MAX + 256], f_event[200], f_queue[300], f_by[600];
	const char *fields[] = { f_event, f_queue, f_by, NULL };
	log_ctx_t c = ectx(ev->d, NULL, NULL, fields);
	ev_event_t e_;
	err_t e;

	err_clear(&e);
	if (ev_parse(body, body ? strlen(body) : 0, NULL, &e_, &e))
		return -1;
	snprintf(f_event, sizeof(f_event), "DRIFTD_CLOUDTRAIL_EVENT=%s",
		 e_.change.event_name);
	snprintf(f_queue, sizeof(f_queue), "DRIFTD_QUEUE=%s", q->arn);
	snprintf(f_by, sizeof(f_by), "DRIFTD_CHANGED_BY=%s",
		 e_.change.principal);
	if (e_.kind == EV_MALFORMED) {
		ev->malformed++;
		fields[0] = f_queue;    /* it names no event nor principal */
		fields[1] = NULL;
		log_warning(&c, "A message on %s was dropped: %s.", q->arn,
			    err_format(&e, line, sizeof(line)));
		return 0;
	}
	if (e_.kind != EV_API_CALL) {
		ev->ignored++;
		log_debug(&c, "Event %s ignored: %s.", e_.change.event_name,
			  ev_kind_name(e_.kind));
		ev_event_free(&e_);
		return 0;
	}
	n = ev_match(&e_, ev->managed, ev->nmanaged, idx, EVQ_PENDING_MAX);
	if (!n) {
		ev->ignored++;
		log_debug(&c, "Event %s by %s touches nothing managed.",
			  e_.change.event_name, e_.change.principal);
		ev_event_free(&e_);
		return 0;
	}
	if (ev->npending + n > EVQ_PENDING_MAX) {
		ev_event_free(&e_);
		return -1;
	}
	ev->matched++;
	for (i = 0; i < n; i++) {
		c.address = ev->managed[idx[i]].address;
		log_info(&c, "Event %s by %s touches %s: reconciling it now.",
			 e_.change.event_name, e_.change.principal,
			 ev->managed[idx[i]].address);
		add_pending(ev, ev->managed[idx[i]].address, &e_.change);
	}
	ev_event_free(&e_);
	if (!uv_is_active((uv_handle_t *)&ev->coalesce))
		uv_timer_start(&ev->coalesce, on_coalesced, EVQ_COALESCE_MS, 0);
	return 0;
}

/* The gathered addresses in one run, unless a run is going: then when it
 * ends (daemon_events_kick). */
static void start_event_run(events_t *ev)
{
	const char *only[EVQ_PENDING_MAX];
	size_t i;
	int rc;

	if (!ev->npending || ev->closing || ev->ncurrent)
		return;
	for (i = 0; i < ev->npending; i++)
		only[i] = ev->pending[i].address;
	rc = daemon_reconcile_only(ev->d, only, ev->npending);
	if (rc == -ENOENT && !ev->d->running) {
		/* No full result to run against (after a reload): the full
		 * cycle reads everything, these included. */
		daemon_request_cycle(ev->d, NULL);
	} else if (rc) {
		return;
	}
	ev->runs++;
	memcpy(ev->current, ev->pending, ev->npending * sizeof(evpend_t));
	ev->ncurrent = ev->npending;
	ev->npending = 0;
}

static void on_coalesced(uv_timer_t *t)
{
	start_event_run(t->data);
}

/* ---- the daemon's interface -------------------------------------------- */

static void clear_current(events_t *ev)
{
	size_t i;

	for (i = 0; i < ev->ncurrent; i++)
		free(ev->current[i].address);
	ev->ncurrent = 0;
}

void daemon_events_run_ended(daemon_t *d)
{
	if (d->events)
		clear_current(d->events);
}

void daemon_events_kick(daemon_t *d)
{
	if (d->events)
		start_event_run(d->events);
}

const ct_change_t *daemon_events_change(const daemon_t *d, const char *address)
{
	const events_t *ev = d->events;
	size_t i;

	for (i = 0; ev && i < ev->ncurrent; i++)
		if (!strcmp(ev->current[i].address, address))
			return ev->current[i].change.event_name[0] ?
			       &ev->current[i].change : NULL;
	return NULL;
}

/* The queue ARN a setting names: itself, or the referenced resource's
 * attribute in the last full result; NULL when not known yet. The caller
 * frees it. */
static char *resolve(const daemon_t *d, const config_event_queue_t *cq)
{
	size_t i;

	if (!cq->ref)
		return cq->value ? strdup(cq->value) : NULL;
	for (i = 0; d->last && i < d->last->n_items; i++) {
		const rec_item_t *it = &d->last->items[i];

		if (strcmp(it->address, cq->ref->address) || !it->live)
			continue;
		return daemon_live_string(it, cq->ref->attribute);
	}
	return NULL;
}

static void try_resolve(events_t *ev, evq_t *q, const config_event_queue_t *cq)
{
	char *arn = resolve(ev->d, cq);
	char line[ERR_MSG_MAX + 256];
	log_ctx_t c = ectx(ev->d, NULL, NULL, NULL);
	err_t e;

	if (q->state != EVQ_WAITING_ARN || !arn)
		goto out;
	err_clear(&e);
	if (strlen(arn) >= sizeof(q->arn) ||
	    ev_queue_arn_parse(arn, q->region, sizeof(q->region), q->account,
			       sizeof(q->account), q->name, sizeof(q->name),
			       &e)) {
		if (!e.code)
			err_set(&e, -EINVAL, "the queue ARN is too long");
		err_format(&e, line, sizeof(line));
		if (strcmp(q->error, line))
			log_warning(&c, "settings.event_queues names %s, which "
				    "is not polled: %s.", q->setting, line);
		snprintf(q->error, sizeof(q->error), "%s", line);
		goto out;
	}
	q->error[0] = '\0';
	snprintf(q->arn, sizeof(q->arn), "%s", arn);
	start_lookup(q);
out:
	free(arn);
}

static int same_settings(const events_t *ev, const config_settings_t *st)
{
	size_t i, n = 0;

	for (i = 0; i < ev->nq; i++)
		if (ev->q[i]->state != EVQ_RETIRED)
			n++;
	if (n != st->nevent_queues)
		return 0;
	for (i = 0, n = 0; i < ev->nq; i++)
		if (ev->q[i]->state != EVQ_RETIRED &&
		    strcmp(ev->q[i]->setting, st->event_queues[n++].value))
			return 0;
	return 1;
}

/* Retired queues leave the list (they free themselves); new ones join. */
static int replace_queues(events_t *ev, const config_settings_t *st)
{
	evq_t **list = calloc(st->nevent_queues + 1, sizeof(*list));
	size_t i;

	if (!list)
		return -ENOMEM;
	for (i = 0; i < ev->nq; i++)
		if (ev->q[i]->state != EVQ_RETIRED)
			retire(ev->q[i], "settings.event_queues changed");
	free(ev->q);
	ev->q = list;
	ev->nq = 0;
	for (i = 0; i < st->nevent_queues; i++) {
		evq_t *q = calloc(1, sizeof(*q));

		if (!q || !(q->setting = strdup(st->event_queues[i].value))) {
			free(q);
			return -ENOMEM;
		}
		q->ev = ev;
		q->state = EVQ_WAITING_ARN;
		uv_timer_init(ev->d->loop, &q->timer);
		q->timer.data = q;
		ev->q[ev->nq++] = q;
	}
	return 0;
}

void daemon_events_configure(daemon_t *d)
{
	const config_settings_t *st;
	events_t *ev = d->events;
	log_ctx_t c = ectx(d, NULL, NULL, NULL);
	size_t i;
	int rc;

	if (!d->session || d->stopping)
		return;
	st = config_settings(session_config(d->session));
	if (!ev) {
		if (!st->nevent_queues || !(ev = calloc(1, sizeof(*ev))))
			return;
		ev->d = d;
		d->events = ev;
		uv_timer_init(d->loop, &ev->coalesce);
		ev->coalesce.data = ev;
		ev->coalesce_open = 1;
	}
	if (!same_settings(ev, st) && replace_queues(ev, st))
		log_error(&c, "Event-driven mode could not be set up: out of "
			  "memory; driftd polls on its interval only.");
	/* A reload leaves no result until the next full cycle: the copy of
	 * the last one still matches events meanwhile. */
	if (d->last && ev->managed_of != d->last) {
		free(ev->managed);
		ev->managed = ev_managed_from(d->last, &ev->nmanaged, &rc);
		ev->managed_of = d->last;
	}
	/* Polling starts once the first full cycle has read the estate: an
	 * event taken before could be matched against nothing and lost. */
	if (!ev->managed_of)
		return;
	for (i = 0; i < ev->nq && i < st->nevent_queues; i++)
		try_resolve(ev, ev->q[i], &st->event_queues[i]);
}

static void close_if_open(uv_handle_t *h)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

int daemon_events_hold_session(daemon_t *d, session_t *old)
{
	evsession_t *x = d->events ? session_of(d->events, old) : NULL;

	if (!x || d->events->closing)
		return 0;
	x->held = 1;
	return 1;
}

void daemon_events_close(daemon_t *d)
{
	events_t *ev = d->events;
	size_t i;

	if (!ev || ev->closing)
		return;
	ev->closing = 1;
	/* Held sessions close now: their calls are cancelled. */
	for (i = 0; i < EVQ_SESSIONS_MAX; i++)
		if (ev->sessions[i].calls && ev->sessions[i].held) {
			ev->sessions[i].held = 0;
			session_close_async(ev->sessions[i].s, NULL, NULL);
		}
	if (ev->coalesce_open)
		close_if_open((uv_handle_t *)&ev->coalesce);
	for (i = 0; i < ev->nq; i++)
		if (ev->q[i]->state != EVQ_RETIRED)
			retire(ev->q[i], "driftd stops");
	free(ev->q);
	ev->q = NULL;
	ev->nq = 0;
}

void daemon_events_free(daemon_t *d)
{
	events_t *ev = d->events;
	size_t i;

	if (!ev)
		return;
	for (i = 0; i < ev->npending; i++)
		free(ev->pending[i].address);
	clear_current(ev);
	free(ev->managed);
	free(ev->q);
	free(ev);
	d->events = NULL;
}

void daemon_events_json(const daemon_t *d, cJSON *doc)
{
	const events_t *ev = d->events;
	cJSON *o, *list, *qo;
	char when[32];
	struct tm tm;
	size_t i;

	if (!ev)
		return;
	o = cJSON_AddObjectToObject(doc, "events");
	cJSON_AddNumberToObject(o, "received", (double)ev->received);
	cJSON_AddNumberToObject(o, "matched", (double)ev->matched);
	cJSON_AddNumberToObject(o, "ignored", (double)ev->ignored);
	cJSON_AddNumberToObject(o, "malformed", (double)ev->malformed);
	cJSON_AddNumberToObject(o, "runs", (double)ev->runs);
	snprintf(when, sizeof(when), "-");
	if (ev->last_message && gmtime_r(&ev->last_message, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(o, "last_message", when);
	list = cJSON_AddArrayToObject(o, "queues");
	for (i = 0; i < ev->nq; i++) {
		const evq_t *q = ev->q[i];

		qo = cJSON_CreateObject();
		cJSON_AddStringToObject(qo, "queue", q->arn[0] ? q->arn :
					q->setting);
		cJSON_AddStringToObject(qo, "state", evq_state_names[q->state]);
		cJSON_AddNumberToObject(qo, "received", (double)q->received);
		if (q->error[0])
			cJSON_AddStringToObject(qo, "error", q->error);
		cJSON_AddItemToArray(list, qo);
	}
}

void daemon_events_add_metrics(daemon_t *d, double now)
{
	events_t *ev = d->events;

	if (!ev)
		return;
	metrics_add(d->metrics, "EventsReceived", "Count",
		    (double)(ev->received - ev->received_reported), NULL, now);
	metrics_add(d->metrics, "EventsMatched", "Count",
		    (double)(ev->matched - ev->matched_reported), NULL, now);
	ev->received_reported = ev->received;
	ev->matched_reported = ev->matched;
}
