#include "alerts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_S 3600.0
#define KEYS_MAX 4096

typedef struct alert_key {
	char  *key;
	double when;
} alert_key_t;

struct alerts {
	char        *environment;
	double       realert_s;
	unsigned     hourly_cap;
	alert_t     *queue;      /* ring */
	size_t       queue_cap, head, count;
	int          sending;
	alert_t      summary;    /* in flight when summary_sending */
	int          summary_sending;
	alert_key_t *keys;
	size_t       nkeys;
	double       window_start;
	unsigned     sent_in_window;
	uint64_t     held, dropped;
	unsigned     held_by_event[ALERT_EVENT_COUNT_];
};

static const struct {
	const char *name, *severity;
} event_info[] = {
#define ALERT_INFO_(e, name, severity) [e] = { name, severity },
	ALERT_EVENTS(ALERT_INFO_)
#undef ALERT_INFO_
};

const char *alerts_event_name(alert_event_t ev)
{
	return event_info[ev].name;
}

const char *alerts_severity(alert_event_t ev)
{
	return event_info[ev].severity;
}

alerts_t *alerts_new(const alerts_opts_t *o)
{
	alerts_t *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->environment = strdup(o && o->environment ? o->environment : "");
	a->realert_s = o && o->realert_s > 0 ? o->realert_s : 86400.0;
	a->hourly_cap = o && o->hourly_cap ? o->hourly_cap : 20;
	a->queue_cap = o && o->queue_cap ? o->queue_cap : 100;
	a->queue = calloc(a->queue_cap, sizeof(*a->queue));
	a->window_start = -1;
	if (!a->environment || !a->queue) {
		alerts_free(a);
		return NULL;
	}
	return a;
}

static void alert_clear(alert_t *al)
{
	free(al->subject);
	free(al->message);
	memset(al, 0, sizeof(*al));
}

void alerts_free(alerts_t *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->count; i++)
		alert_clear(&a->queue[(a->head + i) % a->queue_cap]);
	alert_clear(&a->summary);
	for (i = 0; i < a->nkeys; i++)
		free(a->keys[i].key);
	free(a->keys);
	free(a->queue);
	free(a->environment);
	free(a);
}

/* SNS subjects are ASCII text on one line; anything else is replaced. */
static char *subject_text(const char *s)
{
	char *out = malloc(ALERTS_SUBJECT_MAX + 1);
	size_t n = 0, len = strlen(s);

	if (!out)
		return NULL;
	for (; *s && n < ALERTS_SUBJECT_MAX; s++)
		out[n++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	if (len > ALERTS_SUBJECT_MAX)
		memcpy(out + ALERTS_SUBJECT_MAX - 3, "...", 3);
	out[n] = '\0';
	return out;
}

static alert_key_t *key_find(const alerts_t *a, const char *key)
{
	size_t i;

	for (i = 0; i < a->nkeys; i++)
		if (!strcmp(a->keys[i].key, key))
			return &a->keys[i];
	return NULL;
}

static int key_remember(alerts_t *a, const char *key, double now)
{
	alert_key_t *k = key_find(a, key), *grown;
	char *copy;

	if (k) {
		k->when = now;
		return 0;
	}
	if (!(copy = strdup(key)))
		return -ENOMEM;
	if (a->nkeys == KEYS_MAX) {
		/* The oldest remembered drift may alert again; memory stays
		 * bounded whatever the estate does. */
		free(a->keys[0].key);
		memmove(a->keys, a->keys + 1, (a->nkeys - 1) * sizeof(*a->keys));
		a->nkeys--;
	}
	grown = realloc(a->keys, (a->nkeys + 1) * sizeof(*a->keys));
	if (!grown) {
		free(copy);
		return -ENOMEM;
	}
	a->keys = grown;
	a->keys[a->nkeys].key = copy;
	a->keys[a->nkeys].when = now;
	a->nkeys++;
	return 0;
}

static char *message_text(const char *text, const cJSON *details)
{
	char *json = details ? cJSON_Print(details) : NULL, *out = NULL;

	if (asprintf(&out, "%s%s%s\n", text, json ? "\n\nDetails:\n" : "",
		     json ? json : "") < 0)
		out = NULL;
	free(json);
	return out;
}

int alerts_raise(alerts_t *a, alert_event_t ev, const char *key,
		 const char *subject, const char *text, const cJSON *details,
		 double now)
{
	alert_key_t *k;
	alert_t al = { ev, NULL, NULL, now };

	if (key && (k = key_find(a, key)) && now - k->when < a->realert_s)
		return 0;
	al.subject = subject_text(subject);
	al.message = message_text(text, details);
	if (!al.subject || !al.message ||
	    (key && key_remember(a, key, now))) {
		alert_clear(&al);
		return -ENOMEM;
	}
	if (a->count == a->queue_cap) {
		/* The head may be in flight; the oldest waiting one goes. */
		size_t victim = a->sending ? 1 : 0;
		size_t i;

		if (victim >= a->count) {
			alert_clear(&al);
			a->dropped++;
			return 1;
		}
		alert_clear(&a->queue[(a->head + victim) % a->queue_cap]);
		for (i = victim; i + 1 < a->count; i++)
			a->queue[(a->head + i) % a->queue_cap] =
				a->queue[(a->head + i + 1) % a->queue_cap];
		a->count--;
		a->dropped++;
	}
	a->queue[(a->head + a->count) % a->queue_cap] = al;
	a->count++;
	return 1;
}

size_t alerts_resolve(alerts_t *a, const char *prefix)
{
	size_t i = 0, n = 0, len = strlen(prefix);

	while (i < a->nkeys) {
		if (!strncmp(a->keys[i].key, prefix, len)) {
			free(a->keys[i].key);
			memmove(a->keys + i, a->keys + i + 1,
				(a->nkeys - i - 1) * sizeof(*a->keys));
			a->nkeys--;
			n++;
		} else {
			i++;
		}
	}
	return n;
}

int alerts_known(const alerts_t *a, const char *prefix)
{
	size_t i, len = strlen(prefix);

	for (i = 0; i < a->nkeys; i++)
		if (!strncmp(a->keys[i].key, prefix, len))
			return 1;
	return 0;
}

static int make_summary(alerts_t *a, double now)
{
	char text[1024], subject[128];
	size_t off;
	int ev;

	snprintf(subject, sizeof(subject), "driftd %s: %llu alerts held back "
		 "in the last hour", a->environment,
		 (unsigned long long)a->held);
	off = (size_t)snprintf(text, sizeof(text), "driftd sent %u alerts "
			       "for environment %s within one hour, its hourly "
			       "cap, and held back %llu more:", a->hourly_cap,
			       a->environment, (unsigned long long)a->held);
	for (ev = 0; ev < ALERT_EVENT_COUNT_ && off < sizeof(text); ev++)
		if (a->held_by_event[ev])
			off += (size_t)snprintf(text + off, sizeof(text) - off,
						" %u %s,", a->held_by_event[ev],
						event_info[ev].name);
	if (off < sizeof(text) && text[off - 1] == ',')
		text[off - 1] = '.';
	if (off < sizeof(text))
		snprintf(text + off, sizeof(text) - off, " See the journal "
			 "(DRIFTD_ENV=%s) or 'driftd status' for each one.",
			 a->environment);
	a->summary.event = ALERT_SUMMARY;
	a->summary.raised = now;
	a->summary.subject = subject_text(subject);
	a->summary.message = message_text(text, NULL);
	if (!a->summary.subject || !a->summary.message) {
		alert_clear(&a->summary);
		return -ENOMEM;
	}
	return 0;
}

const alert_t *alerts_next(alerts_t *a, double now)
{
	alert_t *al;

	if (a->sending || a->summary_sending)
		return NULL;
	if (a->window_start < 0 || now - a->window_start >= HOUR_S) {
		if (a->held && !a->summary.subject && make_summary(a, now))
			return NULL;
		a->window_start = now;
		a->sent_in_window = 0;
		if (a->summary.subject) {
			a->summary_sending = 1;
			return &a->summary;
		}
	}
	/* Over the cap, queued alerts are held back: counted for the
	 * summary, never sent late with stale content. */
	while (a->count && a->sent_in_window >= a->hourly_cap) {
		al = &a->queue[a->head];
		a->held++;
		a->held_by_event[al->event]++;
		alert_clear(al);
		a->head = (a->head + 1) % a->queue_cap;
		a->count--;
	}
	if (!a->count)
		return NULL;
	a->sending = 1;
	return &a->queue[a->head];
}

static int summary_is_due(const alerts_t *a, double now)
{
	return (a->held || a->summary.subject) &&
	       (a->window_start < 0 || now - a->window_start >= HOUR_S);
}

int alerts_pending(const alerts_t *a, double now)
{
	if (a->sending || a->summary_sending)
		return 0;
	/* Queued ones over the cap are handed to alerts_next too: it counts
	 * them as held back. */
	return a->count || summary_is_due(a, now);
}

double alerts_summary_due(const alerts_t *a)
{
	if (!a->held && !a->summary.subject)
		return -1;
	return a->window_start < 0 ? 0 : a->window_start + HOUR_S;
}

void alerts_sent(alerts_t *a, int ok)
{
	if (a->summary_sending) {
		a->summary_sending = 0;
		if (ok) {
			alert_clear(&a->summary);
			a->held = 0;
			memset(a->held_by_event, 0, sizeof(a->held_by_event));
			a->sent_in_window++;
		}
		return;
	}
	if (!a->sending)
		return;
	a->sending = 0;
	if (!ok)
		return;
	alert_clear(&a->queue[a->head]);
	a->head = (a->head + 1) % a->queue_cap;
	a->count--;
	a->sent_in_window++;
}

static int add_attribute(cJSON *attrs, const char *name, const char *value)
{
	cJSON *v = cJSON_AddObjectToObject(attrs, name);

	return v && cJSON_AddStringToObject(v, "DataType", "String") &&
	       cJSON_AddStringToObject(v, "StringValue", value) ? 0 : -ENOMEM;
}

cJSON *alerts_publish_params(const alerts_t *a, const alert_t *al,
			     const char *topic_arn)
{
	cJSON *p = cJSON_CreateObject(), *attrs;

	if (!p || !cJSON_AddStringToObject(p, "TopicArn", topic_arn) ||
	    !cJSON_AddStringToObject(p, "Subject", al->subject) ||
	    !cJSON_AddStringToObject(p, "Message", al->message) ||
	    !(attrs = cJSON_AddObjectToObject(p, "MessageAttributes")) ||
	    add_attribute(attrs, "severity", alerts_severity(al->event)) ||
	    add_attribute(attrs, "environment", a->environment[0] ?
			  a->environment : "unknown") ||
	    add_attribute(attrs, "event", alerts_event_name(al->event))) {
		cJSON_Delete(p);
		return NULL;
	}
	return p;
}

size_t alerts_queued(const alerts_t *a)
{
	return a->count;
}

uint64_t alerts_dropped(const alerts_t *a)
{
	return a->dropped;
}

uint64_t alerts_held(const alerts_t *a)
{
	return a->held;
}
