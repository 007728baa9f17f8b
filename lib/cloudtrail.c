/* cloudtrail — see cloudtrail.h. A lookup is a small state machine:
 * WAITING (for the region's token) -> CALLING (one LookupEvents page) ->
 * WAITING for the next page or name ... -> DONE. */
#include "cloudtrail.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define CT_REGIONS_MAX 32
#define CT_OWN_UA      "driftd/"

typedef enum ct_state {
	CT_WAITING,
	CT_CALLING,
	CT_DONE,
} ct_state_t;

typedef struct ct_bucket {
	char     region[64];
	uint64_t next_ms;          /* the next slot to reserve (loop time) */
	uint64_t last_ms;          /* when the last call went out          */
	int      used;
} ct_bucket_t;

typedef struct ct_req ct_req_t;

struct ct {
	ct_opts_t   o;
	char        own_ua[64];
	ct_bucket_t buckets[CT_REGIONS_MAX];
	size_t      nbuckets;
	ct_req_t   *active;        /* lookups not DONE                   */
	size_t      open;          /* lookups not yet freed              */
	int         closing;
};

struct ct_req {
	ct_t       *t;
	ct_req_t   *next;
	uv_timer_t  timer;
	ct_state_t  state;
	char        region[64];
	char        names[CT_NAMES_MAX][256];
	size_t      nnames, name_i, pages;
	time_t      since, until;
	char       *token;
	ct_done_fn  done;
	void       *data;
};

int ct_call_aws(void *client, const char *service, const char *region,
		const char *operation, const cJSON *params, unsigned flags,
		aws_done_cb cb, void *data, err_t *e)
{
	return aws_call(client, service, region, operation, params, flags, cb,
			data, e);
}

ct_t *ct_new(const ct_opts_t *o)
{
	ct_t *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->o = *o;
	snprintf(t->own_ua, sizeof(t->own_ua), "%s",
		 o->own_user_agent ? o->own_user_agent : CT_OWN_UA);
	return t;
}

static ct_bucket_t *bucket_of(ct_t *t, const char *region)
{
	ct_bucket_t *b;
	size_t i;

	for (i = 0; i < t->nbuckets; i++)
		if (!strcmp(t->buckets[i].region, region))
			return &t->buckets[i];
	/* More regions than slots share the last one: slower, never faster
	 * than AWS allows. */
	b = &t->buckets[t->nbuckets < CT_REGIONS_MAX ? t->nbuckets++ :
			CT_REGIONS_MAX - 1];
	snprintf(b->region, sizeof(b->region), "%s", region);
	return b;
}

/* The region's token bucket: one token, one more every CT_INTERVAL_MS.
 * Reserving the next slot (rather than polling for a token) keeps the
 * lookups waiting in the order they asked. Returns the wait in ms. */
static uint64_t bucket_reserve(ct_t *t, const char *region)
{
	ct_bucket_t *b = bucket_of(t, region);
	uint64_t now, at;

	uv_update_time(t->o.loop);
	now = uv_now(t->o.loop);
	at = b->next_ms > now ? b->next_ms : now;
	b->next_ms = at + CT_INTERVAL_MS;
	return at - now;
}

/* A slot's timer may fire late and the next one on time: the token is
 * spent when a call goes out, so this is what decides. 0: go now, else
 * the ms still to wait. */
static uint64_t bucket_take(ct_t *t, const char *region)
{
	ct_bucket_t *b = bucket_of(t, region);
	uint64_t now;

	uv_update_time(t->o.loop);
	now = uv_now(t->o.loop);
	if (b->used && now < b->last_ms + CT_INTERVAL_MS)
		return b->last_ms + CT_INTERVAL_MS - now;
	b->used = 1;
	b->last_ms = now;
	if (b->next_ms < now + CT_INTERVAL_MS)
		b->next_ms = now + CT_INTERVAL_MS;
	return 0;
}

static void req_closed(uv_handle_t *h)
{
	ct_req_t *r = h->data;
	ct_t *t = r->t;

	free(r->token);
	free(r);
	if (--t->open == 0 && t->closing)
		free(t);
}

static void req_unlink(ct_req_t *r)
{
	ct_req_t **p;

	for (p = &r->t->active; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			return;
		}
}

/* The one way a lookup ends: its callback, then its handle is closed. */
static void req_finish(ct_req_t *r, ct_outcome_t outcome,
		       const ct_change_t *ch, const err_t *e)
{
	r->state = CT_DONE;
	req_unlink(r);
	uv_timer_stop(&r->timer);
	r->done(r->data, outcome, ch, e);
	uv_close((uv_handle_t *)&r->timer, req_closed);
}

static void req_fail(ct_req_t *r, int code, const char *msg)
{
	err_t e;

	err_clear(&e);
	err_set(&e, code, "%s", msg);
	req_finish(r, CT_FAILED, NULL, &e);
}

static void on_token(uv_timer_t *timer);

static void req_wait(ct_req_t *r)
{
	r->state = CT_WAITING;
	uv_timer_start(&r->timer, on_token, bucket_reserve(r->t, r->region), 0);
}

static void on_page(void *data, cJSON *result, const err_t *e)
{
	ct_req_t *r = data;
	const char *next;
	ct_change_t ch;
	int found;

	if (e && e->code) {
		req_finish(r, CT_FAILED, NULL, e);
		cJSON_Delete(result);
		return;
	}
	memset(&ch, 0, sizeof(ch));
	found = ct_page_change(result, r->since, r->until, r->t->own_ua, &ch);
	next = cJSON_GetStringValue(cJSON_GetObjectItem(result, "NextToken"));
	free(r->token);
	r->token = next && *next ? strdup(next) : NULL;
	cJSON_Delete(result);
	if (found < 0) {
		req_fail(r, -EPROTO, "CloudTrail LookupEvents answered without "
			 "an Events list");
		return;
	}
	if (found) {
		snprintf(ch.resource, sizeof(ch.resource), "%s",
			 r->names[r->name_i]);
		req_finish(r, CT_FOUND, &ch, NULL);
		return;
	}
	if (!r->token || ++r->pages >= CT_PAGES_MAX) {
		free(r->token);
		r->token = NULL;
		r->pages = 0;
		r->name_i++;
	}
	if (r->name_i == r->nnames) {
		req_finish(r, CT_NOT_FOUND, NULL, NULL);
		return;
	}
	if (r->t->closing) {
		req_fail(r, -ECANCELED, "the CloudTrail lookup was cancelled");
		return;
	}
	req_wait(r);
}

static void on_token(uv_timer_t *timer)
{
	ct_req_t *r = timer->data;
	uint64_t wait = bucket_take(r->t, r->region);
	cJSON *params;
	err_t e;

	if (wait) {
		uv_timer_start(&r->timer, on_token, wait, 0);
		return;
	}
	err_clear(&e);
	params = ct_params(r->names[r->name_i], r->since, r->until, r->token);
	if (!params) {
		req_fail(r, -ENOMEM, "out of memory");
		return;
	}
	r->state = CT_CALLING;
	if (r->t->o.call(r->t->o.call_ctx, "cloudtrail", r->region,
			 "LookupEvents", params, 0, on_page, r, &e) < 0)
		req_finish(r, CT_FAILED, NULL, &e);
	cJSON_Delete(params);
}

int ct_lookup(ct_t *t, const ct_query_t *q, ct_done_fn done, void *data,
	      err_t *e)
{
	ct_req_t *r;
	size_t i;

	if (t->closing)
		return err_set(e, -ECANCELED, "the CloudTrail lookups are closing");
	if (!q->region || !*q->region)
		return err_set(e, -EINVAL, "a CloudTrail lookup needs a region");
	if (!(r = calloc(1, sizeof(*r))))
		return err_set(e, -ENOMEM, "out of memory");
	for (i = 0; i < CT_NAMES_MAX && q->names[i]; i++)
		if (*q->names[i] && strlen(q->names[i]) < sizeof(r->names[0]))
			snprintf(r->names[r->nnames++], sizeof(r->names[0]),
				 "%s", q->names[i]);
	r->until = q->until;
	r->since = q->since ? q->since : q->until - CT_DEFAULT_WINDOW_S;
	if (!r->nnames || r->since > r->until) {
		i = r->nnames;
		free(r);
		return err_set(e, -EINVAL, !i ?
			       "a CloudTrail lookup needs a resource name or id" :
			       "a CloudTrail lookup window ends before it starts");
	}
	snprintf(r->region, sizeof(r->region), "%s", q->region);
	r->t = t;
	r->done = done;
	r->data = data;
	uv_timer_init(t->o.loop, &r->timer);
	r->timer.data = r;
	r->next = t->active;
	t->active = r;
	t->open++;
	req_wait(r);
	return 0;
}

void ct_free(ct_t *t)
{
	ct_req_t *r, *next;

	if (!t)
		return;
	t->closing = 1;
	for (r = t->active; r; r = next) {
		next = r->next;
		if (r->state == CT_WAITING)
			req_fail(r, -ECANCELED, "the CloudTrail lookup was "
				 "cancelled");
	}
	if (!t->open)
		free(t);
}

cJSON *ct_params(const char *name, time_t since, time_t until,
		 const char *next_token)
{
	cJSON *p = cJSON_CreateObject(), *attrs, *a;

	if (!p)
		return NULL;
	attrs = cJSON_AddArrayToObject(p, "LookupAttributes");
	a = cJSON_CreateObject();
	if (!attrs || !a) {
		cJSON_Delete(a);
		cJSON_Delete(p);
		return NULL;
	}
	cJSON_AddItemToArray(attrs, a);
	cJSON_AddStringToObject(a, "AttributeKey", "ResourceName");
	cJSON_AddStringToObject(a, "AttributeValue", name);
	cJSON_AddNumberToObject(p, "StartTime", (double)since);
	cJSON_AddNumberToObject(p, "EndTime", (double)until);
	cJSON_AddNumberToObject(p, "MaxResults", CT_PAGE_MAX);
	if (next_token)
		cJSON_AddStringToObject(p, "NextToken", next_token);
	return p;
}

static int event_time(const cJSON *v, double *t)
{
	if (cJSON_IsNumber(v)) {
		*t = v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v) && !proto_time_parse(v->valuestring, t))
		return 0;
	return -EINVAL;
}

static void copy_str(char *dst, size_t len, const cJSON *v)
{
	snprintf(dst, len, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

/* Whether an event is a write: ReadOnly "false", or (when the top-level
 * member is missing) the record's readOnly false. */
static int is_write(const cJSON *ev, const cJSON *rec)
{
	const char *ro = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "ReadOnly"));

	if (ro)
		return !strcmp(ro, "false");
	return cJSON_IsFalse(cJSON_GetObjectItem(rec, "readOnly"));
}

void ct_change_from_record(const cJSON *rec, ct_change_t *ch)
{
	const cJSON *who = cJSON_GetObjectItem(rec, "userIdentity");
	const cJSON *arn = cJSON_GetObjectItem(who, "arn");
	double when = 0;

	memset(ch, 0, sizeof(*ch));
	copy_str(ch->event_name, sizeof(ch->event_name),
		 cJSON_GetObjectItem(rec, "eventName"));
	copy_str(ch->event_source, sizeof(ch->event_source),
		 cJSON_GetObjectItem(rec, "eventSource"));
	copy_str(ch->event_id, sizeof(ch->event_id),
		 cJSON_GetObjectItem(rec, "eventID"));
	copy_str(ch->username, sizeof(ch->username),
		 cJSON_GetObjectItem(who, "userName"));
	copy_str(ch->principal, sizeof(ch->principal), cJSON_IsString(arn) ?
		 arn : cJSON_GetObjectItem(who, "invokedBy"));
	copy_str(ch->source_ip, sizeof(ch->source_ip),
		 cJSON_GetObjectItem(rec, "sourceIPAddress"));
	copy_str(ch->user_agent, sizeof(ch->user_agent),
		 cJSON_GetObjectItem(rec, "userAgent"));
	if (!event_time(cJSON_GetObjectItem(rec, "eventTime"), &when) &&
	    when > 0)
		ch->event_time = (time_t)when;
}

/* A LookupEvents event: the record (CloudTrailEvent, a JSON string) gives
 * who, from where and with what; the event's own members name it. */
static void fill_change(ct_change_t *ch, const cJSON *ev, const cJSON *rec,
			double when)
{
	ct_change_from_record(rec, ch);
	copy_str(ch->event_name, sizeof(ch->event_name),
		 cJSON_GetObjectItem(ev, "EventName"));
	copy_str(ch->event_source, sizeof(ch->event_source),
		 cJSON_GetObjectItem(ev, "EventSource"));
	copy_str(ch->event_id, sizeof(ch->event_id),
		 cJSON_GetObjectItem(ev, "EventId"));
	copy_str(ch->username, sizeof(ch->username),
		 cJSON_GetObjectItem(ev, "Username"));
	ch->event_time = (time_t)when;
}

int ct_page_change(const cJSON *page, time_t since, time_t until,
		   const char *own_user_agent, ct_change_t *ch)
{
	const cJSON *events = cJSON_GetObjectItem(page, "Events"), *ev;
	double best = -1, when;
	int found = 0;

	if (!cJSON_IsObject(page))
		return -EPROTO;
	if (!events)
		return 0;   /* an empty list is left out of the JSON answer */
	if (!cJSON_IsArray(events))
		return -EPROTO;
	cJSON_ArrayForEach(ev, events) {
		const char *text = cJSON_GetStringValue(
			cJSON_GetObjectItem(ev, "CloudTrailEvent"));
		cJSON *rec = text ? cJSON_Parse(text) : NULL;
		const char *ua = cJSON_GetStringValue(
			cJSON_GetObjectItem(rec, "userAgent"));

		if (!event_time(cJSON_GetObjectItem(ev, "EventTime"), &when) &&
		    when >= (double)since && when < (double)until + 1 &&
		    when > best && is_write(ev, rec) &&
		    !(ua && own_user_agent && *own_user_agent &&
		      !strncmp(ua, own_user_agent, strlen(own_user_agent)))) {
			fill_change(ch, ev, rec, when);
			best = when;
			found = 1;
		}
		cJSON_Delete(rec);
	}
	return found;
}

double ct_detect_seconds(const ct_change_t *ch, time_t detected)
{
	return detected > ch->event_time ?
	       (double)(detected - ch->event_time) : 0.0;
}

cJSON *ct_change_json(const ct_change_t *ch)
{
	cJSON *o = cJSON_CreateObject();
	char ts[40];

	if (!o)
		return NULL;
	proto_time_format((double)ch->event_time, ts, sizeof(ts));
	if (!cJSON_AddStringToObject(o, "event", ch->event_name) ||
	    !cJSON_AddStringToObject(o, "time", ts) ||
	    !cJSON_AddStringToObject(o, "principal", ch->principal) ||
	    !cJSON_AddStringToObject(o, "username", ch->username) ||
	    !cJSON_AddStringToObject(o, "source_ip", ch->source_ip) ||
	    !cJSON_AddStringToObject(o, "user_agent", ch->user_agent) ||
	    !cJSON_AddStringToObject(o, "event_id", ch->event_id) ||
	    !cJSON_AddStringToObject(o, "event_source", ch->event_source)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int ct_change_from_json(const cJSON *j, ct_change_t *ch)
{
	double when;

	if (!cJSON_IsObject(j) ||
	    event_time(cJSON_GetObjectItem(j, "time"), &when) ||
	    !cJSON_IsString(cJSON_GetObjectItem(j, "event")))
		return -EINVAL;
	memset(ch, 0, sizeof(*ch));
	copy_str(ch->event_name, sizeof(ch->event_name), cJSON_GetObjectItem(j, "event"));
	copy_str(ch->principal, sizeof(ch->principal), cJSON_GetObjectItem(j, "principal"));
	copy_str(ch->username, sizeof(ch->username), cJSON_GetObjectItem(j, "username"));
	copy_str(ch->source_ip, sizeof(ch->source_ip), cJSON_GetObjectItem(j, "source_ip"));
	copy_str(ch->user_agent, sizeof(ch->user_agent), cJSON_GetObjectItem(j, "user_agent"));
	copy_str(ch->event_id, sizeof(ch->event_id), cJSON_GetObjectItem(j, "event_id"));
	copy_str(ch->event_source, sizeof(ch->event_source), cJSON_GetObjectItem(j, "event_source"));
	ch->event_time = (time_t)when;
	return 0;
}
