#include "tracker.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "jsonutil.h"
#include "pool.h"

#define BACKOFF_CAP_S    1800.0
#define BACKOFF_EXP_MAX  16

/* The open alerted problem of an address: what a later "converged" or
 * "recovered" ends. REVERTED is not a problem (it was fixed when it was
 * alerted); it is remembered only so that the same drift reverted again
 * before the resource was seen in sync is not a second alert. */
typedef enum open_kind {
	OPEN_NONE,
	OPEN_DRIFT,        /* observe: left in place */
	OPEN_REFUSED,
	OPEN_FAILED,
	OPEN_OWNED,
	OPEN_ORPHAN,
	OPEN_REVERTED,
} open_kind_t;

typedef struct entry {
	tracker_entry_t pub;
	char           *address, *type;
	cJSON          *changes;
	int             was_present;
	open_kind_t     open;
	char           *open_sig;        /* the alerted event's identity */
	int             unreadable_alerted;
} entry_t;

struct tracker {
	double         backoff_cap_s;
	unsigned       unreadable_cycles;
	entry_t      **entries;
	size_t         n;
	pool_t         pool;             /* the entries, never freed alone */
	unsigned long  cycles;
};

/* One cycle in progress: where notices go, and the first failure. */
typedef struct run {
	tracker_t             *t;
	const tracker_clock_t *clk;
	tracker_report_t      *out;
	int                    rc;
} run_t;

static const char *const state_names[] = {
#define TRACKER_NAME_(e, name) [e] = name,
	TRACKER_STATES(TRACKER_NAME_)
#undef TRACKER_NAME_
};

static const char *const action_names[] = {
	[TRACKER_ACT_NONE] = "none",       [TRACKER_ACT_CREATE] = "create",
	[TRACKER_ACT_UPDATE] = "update",   [TRACKER_ACT_REPLACE] = "replace",
	[TRACKER_ACT_DELETE] = "delete",
};

const char *tracker_state_name(tracker_state_t s)
{
	return (unsigned)s < TRACKER_STATE_COUNT_ ? state_names[s] : "?";
}

const char *tracker_action_name(tracker_action_t a)
{
	return (unsigned)a <= TRACKER_ACT_DELETE ? action_names[a] : "?";
}

tracker_t *tracker_new(const tracker_opts_t *o)
{
	tracker_t *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->backoff_cap_s = o && o->backoff_cap_s > 0 ? o->backoff_cap_s :
			   BACKOFF_CAP_S;
	t->unreadable_cycles = o && o->unreadable_cycles ?
			       o->unreadable_cycles : TRACKER_UNREADABLE_CYCLES;
	return t;
}

static void entry_free(entry_t *e)
{
	if (!e)
		return;
	free(e->open_sig);
	cJSON_Delete(e->changes);
}

void tracker_free(tracker_t *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		entry_free(t->entries[i]);
	free(t->entries);
	pool_free(&t->pool);
	free(t);
}

static entry_t *find(const tracker_t *t, const char *address)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->entries[i]->address, address))
			return t->entries[i];
	return NULL;
}

static entry_t *find_or_add(tracker_t *t, const tracker_obs_t *o)
{
	entry_t *e = find(t, o->address), **grown;
	const char *type = o->type ? o->type : "";
	size_t na = strlen(o->address) + 1, nt = strlen(type) + 1;

	if (e)
		return e;
	/* An entry lives as long as the tracker: from its pool (pool.h). */
	if (!(grown = realloc(t->entries, (t->n + 1) * sizeof(*grown))))
		return NULL;
	t->entries = grown;
	if (!(e = pool_alloc(&t->pool, sizeof(*e) + na + nt)))
		return NULL;
	e->address = memcpy((char *)(e + 1), o->address, na);
	e->type = memcpy(e->address + na, type, nt);
	e->pub.address = e->address;
	e->pub.state = TRACKER_STATE_COUNT_;   /* never seen */
	t->entries[t->n++] = e;
	return e;
}

/* ---- notices ------------------------------------------------------------ */

static tracker_notice_t *notice_add(run_t *r, tracker_notice_kind_t kind,
				    const char *address)
{
	tracker_report_t *out = r->out;
	tracker_notice_t *grown, *n;

	grown = realloc(out->notices, (out->n_notices + 1) * sizeof(*grown));
	if (!grown) {
		r->rc = -ENOMEM;
		return NULL;
	}
	out->notices = grown;
	n = &out->notices[out->n_notices];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	if (address && !(n->address = strdup(address))) {
		r->rc = -ENOMEM;
		return NULL;
	}
	out->n_notices++;
	return n;
}

static char *vformat(const char *fmt, va_list ap)
{
	char *s;

	return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

static void say(run_t *r, int priority, const char *log_event,
		const char *address, const char *fmt, ...)
{
	tracker_notice_t *n = notice_add(r, TRACKER_NOTICE_LOG, address);
	va_list ap;

	if (!n)
		return;
	n->priority = priority;
	n->log_event = log_event;
	va_start(ap, fmt);
	n->text = vformat(fmt, ap);
	va_end(ap);
	if (!n->text)
		r->rc = -ENOMEM;
}

/* An alert with the common details (event, environment, address) and,
 * when err_code or a message is given, the AWS error. Takes extra (may be
 * NULL): more members for the details. */
static void alert(run_t *r, alert_event_t ev, const tracker_obs_t *o,
		  const char *address, cJSON *extra, const char *subject_fmt,
		  const char *text, ...)
{
	tracker_notice_t *n = notice_add(r, TRACKER_NOTICE_ALERT, address);
	cJSON *d = cJSON_CreateObject(), *item;
	char what[256];
	va_list ap;

	if (!n || !d) {
		r->rc = -ENOMEM;
		cJSON_Delete(d);
		cJSON_Delete(extra);
		return;
	}
	n->event = ev;
	va_start(ap, text);
	vsnprintf(what, sizeof(what), subject_fmt, ap);
	va_end(ap);
	if (asprintf(&n->subject, "driftd %s: %s", r->clk->environment,
		     what) < 0)
		n->subject = NULL;
	n->text = strdup(text);
	cJSON_AddStringToObject(d, "event", alerts_event_name(ev));
	cJSON_AddStringToObject(d, "environment", r->clk->environment);
	cJSON_AddStringToObject(d, "address", address);
	if (o && o->err_message && *o->err_message) {
		cJSON_AddStringToObject(d, "aws_error_code",
					o->err_code ? o->err_code : "");
		cJSON_AddStringToObject(d, "message", o->err_message);
		cJSON_AddStringToObject(d, "request_id", o->err_request_id ?
					o->err_request_id : "");
	}
	while (extra && (item = extra->child)) {
		cJSON_DetachItemViaPointer(extra, item);
		cJSON_AddItemToObject(d, item->string, item);
	}
	cJSON_Delete(extra);
	n->details = d;
	if (!n->subject || !n->text)
		r->rc = -ENOMEM;
}

void tracker_report_free(tracker_report_t *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n_notices; i++) {
		free(r->notices[i].address);
		free(r->notices[i].subject);
		free(r->notices[i].text);
		cJSON_Delete(r->notices[i].details);
	}
	free(r->notices);
	free(r->types);
	memset(r, 0, sizeof(*r));
}

/* ---- the rules ---------------------------------------------------------- */

/* The error as one phrase: "MESSAGE (AWS error CODE, request id RID)". */
static void err_phrase(const tracker_obs_t *o, char *buf, size_t len)
{
	const char *msg = o->err_message && *o->err_message ? o->err_message :
			  "unknown error";

	if (o->err_code && *o->err_code && o->err_request_id &&
	    *o->err_request_id)
		snprintf(buf, len, "%s (AWS error %s, request id %s)", msg,
			 o->err_code, o->err_request_id);
	else if (o->err_code && *o->err_code)
		snprintf(buf, len, "%s (AWS error %s)", msg, o->err_code);
	else
		snprintf(buf, len, "%s", msg);
}

static const char *taken(const tracker_obs_t *o)
{
	switch (o->state) {
	case TRACKER_DRIFTED:
		return "observe only";
	case TRACKER_REFUSED:
		return o->reason && *o->reason ? o->reason : "not changed";
	case TRACKER_FAILED:
		return "the change failed";
	case TRACKER_CHANGED:
		switch (o->action) {
		case TRACKER_ACT_CREATE:  return "recreated";
		case TRACKER_ACT_UPDATE:  return "reverted in place";
		case TRACKER_ACT_REPLACE: return "replaced";
		case TRACKER_ACT_DELETE:  return "deleted";
		default:                  break;
		}
		break;
	default:
		break;
	}
	return "none";
}

/* The identity of an event: its kind and what makes it distinct. */
static char *signature(const char *kind, const char *what)
{
	char *s;

	return asprintf(&s, "%s|%s", kind, what ? what : "") < 0 ? NULL : s;
}

static char *changes_sig(const char *kind, const tracker_obs_t *o)
{
	char *canon = o->changes ? cJSON_PrintUnformatted(o->changes) : NULL;
	char *s = signature(kind, canon ? canon : "");

	free(canon);
	return s;
}

/* Opens the event sig (taken) on e. Returns 1 when it is new, so that it
 * is to be alerted, 0 when it is the open one already, -ENOMEM. */
static int open_event(entry_t *e, open_kind_t kind, char *sig)
{
	if (!sig)
		return -ENOMEM;
	if (e->open == kind && e->open_sig && !strcmp(e->open_sig, sig)) {
		free(sig);
		return 0;
	}
	free(e->open_sig);
	e->open_sig = sig;
	e->open = kind;
	return 1;
}

/* open_event for the rules: whether to alert; a failure is kept in r. */
static int opened(run_t *r, entry_t *e, open_kind_t kind, char *sig)
{
	int fresh = open_event(e, kind, sig);

	if (fresh < 0)
		r->rc = fresh;
	return fresh > 0;
}

static void close_event(entry_t *e)
{
	free(e->open_sig);
	e->open_sig = NULL;
	e->open = OPEN_NONE;
}

/* A drift alert: text with one line per difference, details with the
 * changes; each difference is logged too. */
static void drift_alert(run_t *r, const tracker_obs_t *o, alert_event_t ev,
			const char *subject_what)
{
	const char *env = r->clk->environment;
	char text[2048];
	const cJSON *ch;
	cJSON *extra = cJSON_CreateObject();
	size_t off;

	off = (size_t)snprintf(text, sizeof(text), "driftd found drift on %s "
			       "in environment %s; action: %s.", o->address,
			       env, taken(o));
	cJSON_ArrayForEach(ch, o->changes) {
		const char *a = cJSON_GetStringValue(cJSON_GetObjectItem(ch, "attribute"));
		const char *x = cJSON_GetStringValue(cJSON_GetObjectItem(ch, "expected"));
		const char *l = cJSON_GetStringValue(cJSON_GetObjectItem(ch, "live"));

		say(r, LOG_WARNING, "drift", o->address, "Drift on %s: %s is "
		    "%s, the config says %s; action: %s.", o->address,
		    a ? a : "?", l ? l : "?", x ? x : "?", taken(o));
		if (off < sizeof(text))
			off += (size_t)snprintf(text + off, sizeof(text) - off,
						"\n  %s: expected %s, live %s",
						a ? a : "?", x ? x : "?",
						l ? l : "?");
	}
	if (extra) {
		cJSON_AddStringToObject(extra, "action", taken(o));
		cJSON_AddItemToObject(extra, "changes", o->changes ?
				      cJSON_Duplicate(o->changes, 1) :
				      cJSON_CreateArray());
	}
	alert(r, ev, NULL, o->address, extra, "drift on %s (%s)", text,
	      o->address, subject_what);
}

/* The open problem is over: the resource is as the config says. */
static void resolve(run_t *r, entry_t *e)
{
	const char *env = r->clk->environment;
	char text[1024];

	switch (e->open) {
	case OPEN_DRIFT:
	case OPEN_REFUSED:
	case OPEN_OWNED:
		snprintf(text, sizeof(text), "The drift on %s in environment "
			 "%s is gone: live state matches the config again.",
			 e->address, env);
		say(r, LOG_INFO, "converged", e->address, "%s", text);
		alert(r, ALERT_CONVERGED, NULL, e->address, NULL,
		      "%s converged", text, e->address);
		break;
	case OPEN_FAILED:
		snprintf(text, sizeof(text), "%s in environment %s was applied "
			 "after earlier failures and is in sync.", e->address,
			 env);
		say(r, LOG_INFO, "converged", e->address, "%s", text);
		alert(r, ALERT_RECOVERED, NULL, e->address, NULL,
		      "%s recovered", text, e->address);
		break;
	default:
		break;
	}
	close_event(e);
}

static void readable_again(run_t *r, entry_t *e)
{
	char text[1024];

	e->pub.unreadable = 0;
	if (!e->unreadable_alerted)
		return;
	e->unreadable_alerted = 0;
	snprintf(text, sizeof(text), "%s in environment %s can be read "
		 "again.", e->address, r->clk->environment);
	say(r, LOG_INFO, "converged", e->address, "%s", text);
	alert(r, ALERT_RECOVERED, NULL, e->address, NULL, "%s readable again",
	      text, e->address);
}

static void on_unreadable(run_t *r, entry_t *e, const tracker_obs_t *o)
{
	char err[1024], text[2048];

	err_phrase(o, err, sizeof(err));
	e->pub.unreadable++;
	say(r, LOG_WARNING, "read", o->address, "Reading %s failed: %s. "
	    "driftd reads it again next cycle (%u in a row); while unknown "
	    "it is neither changed nor reported as drift.", o->address, err,
	    e->pub.unreadable);
	if (e->pub.unreadable < r->t->unreadable_cycles ||
	    e->unreadable_alerted)
		return;
	e->unreadable_alerted = 1;
	snprintf(text, sizeof(text), "driftd could not read %s in environment "
		 "%s for %u cycles in a row: %s. Its live state is unknown: "
		 "driftd neither changes it nor reports drift on it until it "
		 "can read it again.", o->address, r->clk->environment,
		 e->pub.unreadable, err);
	alert(r, ALERT_UNREADABLE, o, o->address, NULL, "%s unreadable", text,
	      o->address);
}

static void on_failed(run_t *r, entry_t *e, const tracker_obs_t *o)
{
	double delay = r->clk->interval_s *
		       (double)(1u << (e->pub.failures < BACKOFF_EXP_MAX ?
				       e->pub.failures : BACKOFF_EXP_MAX));
	char err[1024], text[2048], *sig;
	cJSON *extra;
	int fresh;

	if (delay > r->t->backoff_cap_s)
		delay = r->t->backoff_cap_s;
	e->pub.failures++;
	e->pub.next_try = r->clk->mono + delay;
	err_phrase(o, err, sizeof(err));
	say(r, LOG_ERR, "apply", o->address, "Applying %s failed: %s. driftd "
	    "retries it in %.0f s (attempt %u) while the other resources "
	    "converge.", o->address, err, delay, e->pub.failures);
	if (asprintf(&sig, "%s|%s", tracker_action_name(o->action),
		     o->err_code ? o->err_code : "") < 0)
		sig = NULL;
	fresh = opened(r, e, OPEN_FAILED, sig ? signature("failed", sig) :
		       NULL);
	free(sig);
	if (!fresh)
		return;
	snprintf(text, sizeof(text), "driftd could not apply %s (%s) in "
		 "environment %s: %s. It retries with backoff (next in "
		 "%.0f s).", o->address, tracker_action_name(o->action),
		 r->clk->environment, err, delay);
	extra = cJSON_CreateObject();
	if (extra && o->changes)
		cJSON_AddItemToObject(extra, "changes",
				      cJSON_Duplicate(o->changes, 1));
	alert(r, ALERT_ACTION_FAILED, o, o->address, extra,
	      "%s action failed", text, o->address);
}

static void on_owned_elsewhere(run_t *r, entry_t *e, const tracker_obs_t *o)
{
	const char *other = o->owner_env && *o->owner_env ? o->owner_env : "?";
	char text[1024];
	cJSON *extra;

	if (!opened(r, e, OPEN_OWNED, signature("owned", other)))
		return;
	snprintf(text, sizeof(text), "%s in environment %s names a resource%s"
		 "%s that belongs to environment %s (its driftd:env tag). "
		 "driftd never adopts, retags or changes it; give this "
		 "environment's resource its own name, or remove it from this "
		 "config.", o->address, r->clk->environment,
		 o->id ? " " : "", o->id ? o->id : "", other);
	say(r, LOG_ERR, "owned", o->address, "%s", text);
	extra = cJSON_CreateObject();
	if (extra)
		cJSON_AddStringToObject(extra, "owner_environment", other);
	alert(r, ALERT_OWNED_ELSEWHERE, NULL, o->address, extra,
	      "%s owned by %s", text, o->address, other);
}

/* An orphan is reported once; one that settings.prune deleted (action
 * delete) is reported as deleted, once. */
static void on_orphan(run_t *r, entry_t *e, const tracker_obs_t *o)
{
	int pruned = o->action == TRACKER_ACT_DELETE;
	char text[1024];

	if (!opened(r, e, OPEN_ORPHAN, signature(pruned ? "pruned" : "orphan",
						 o->id)))
		return;
	if (pruned)
		snprintf(text, sizeof(text), "driftd deleted %s (id %s): it "
			 "was made for environment %s, its address is no "
			 "longer in the config, and settings.prune allows "
			 "deleting it.", o->address, o->id ? o->id : "?",
			 r->clk->environment);
	else
		snprintf(text, sizeof(text), "driftd found %s (id %s) tagged "
			 "for environment %s but no longer in the config. "
			 "driftd does not delete it (settings.prune); remove it "
			 "or add it back.", o->address, o->id ? o->id : "?",
			 r->clk->environment);
	say(r, LOG_WARNING, "orphan", o->address, "%s", text);
	alert(r, ALERT_ORPHAN, NULL, o->address, NULL, pruned ?
	      "%s orphan deleted" : "%s orphan found", text, o->address);
}

/* Drift left in place (observe) or refused: one alert per distinct
 * drift, open until it is gone. */
static void on_drift_left(run_t *r, entry_t *e, const tracker_obs_t *o)
{
	int refused = o->state == TRACKER_REFUSED;

	if (!opened(r, e, refused ? OPEN_REFUSED : OPEN_DRIFT,
		    changes_sig(refused ? "refused" : "drift", o)))
		return;
	drift_alert(r, o, refused ? ALERT_REFUSED : ALERT_DRIFT,
		    refused ? "not fixed: refused" : "observe only");
}

static void on_changed(run_t *r, entry_t *e, const tracker_obs_t *o)
{
	/* A problem that ends with this change is reported as ended. */
	if (e->open != OPEN_NONE && e->open != OPEN_REVERTED &&
	    e->open != OPEN_ORPHAN) {
		resolve(r, e);
		return;
	}
	/* Creating what was never there is provisioning, not drift. */
	if (o->action == TRACKER_ACT_CREATE && !e->was_present)
		return;
	if (opened(r, e, OPEN_REVERTED, changes_sig("reverted", o)))
		drift_alert(r, o, ALERT_DRIFT, "reverted");
}

static void count(run_t *r, const entry_t *e, const tracker_obs_t *o)
{
	tracker_report_t *out = r->out;
	tracker_type_count_t *grown;
	int drifted = 0;
	size_t j;

	if (o->state != TRACKER_ORPHAN)
		out->managed++;
	else if (o->action == TRACKER_ACT_DELETE)
		out->succeeded++;
	switch (o->state) {
	case TRACKER_DRIFTED:
	case TRACKER_REFUSED:
		drifted = 1;
		break;
	case TRACKER_CHANGED:
		out->succeeded++;
		drifted = 1;
		break;
	case TRACKER_FAILED:
		out->failed++;
		drifted = o->action != TRACKER_ACT_NONE;
		break;
	case TRACKER_DEFERRED:
		drifted = o->action != TRACKER_ACT_NONE;
		break;
	case TRACKER_UNREADABLE:
		out->unreadable++;
		break;
	default:
		break;
	}
	if (!drifted)
		return;
	out->drifted++;
	for (j = 0; j < out->n_types && strcmp(out->types[j].type, e->type);
	     j++)
		;
	if (j == out->n_types) {
		grown = realloc(out->types, (j + 1) * sizeof(*grown));
		if (!grown) {
			r->rc = -ENOMEM;
			return;
		}
		out->types = grown;
		out->types[j].type = e->type;
		out->types[j].drifted = 0;
		out->n_types++;
	}
	out->types[j].drifted++;
}

static void observe(run_t *r, entry_t *e, const tracker_obs_t *o)
{
	int any = cJSON_GetArraySize(o->changes) > 0;

	e->pub.seen = r->t->cycles;
	e->pub.drift = o->changes ? (size_t)cJSON_GetArraySize(o->changes) : 0;
	e->pub.action = o->action;
	/* Kept only when there are changes, and not made again while they
	 * stay the same: what the daemon keeps between cycles is not made
	 * again each cycle (README, "The daemon at rest"). */
	if (!any || !json_equal(e->changes, o->changes)) {
		cJSON_Delete(e->changes);
		e->changes = any ? cJSON_Duplicate(o->changes, 1) : NULL;
		e->pub.changes = e->changes;
	}
	if (e->pub.state != o->state) {
		e->pub.state = o->state;
		e->pub.last_change = r->clk->wall;
	}
	count(r, e, o);
	switch (o->state) {
	case TRACKER_UNREADABLE:
		/* Unknown is not missing: nothing else is concluded. */
		on_unreadable(r, e, o);
		return;
	case TRACKER_BLOCKED:
	case TRACKER_DEFERRED:
		return;
	default:
		break;
	}
	readable_again(r, e);
	switch (o->state) {
	case TRACKER_FAILED:
		on_failed(r, e, o);
		break;
	case TRACKER_ORPHAN:
		on_orphan(r, e, o);
		break;
	case TRACKER_OWNED_ELSEWHERE:
		on_owned_elsewhere(r, e, o);
		break;
	case TRACKER_DRIFTED:
	case TRACKER_REFUSED:
		on_drift_left(r, e, o);
		break;
	case TRACKER_CHANGED:
		on_changed(r, e, o);
		break;
	default:   /* IN_SYNC, ABSENT */
		if (e->open == OPEN_ORPHAN || e->open == OPEN_REVERTED)
			close_event(e);
		else if (e->open != OPEN_NONE)
			resolve(r, e);
		break;
	}
	if (o->state != TRACKER_FAILED) {
		e->pub.failures = 0;
		e->pub.next_try = 0;
	}
	if (o->present || (o->state == TRACKER_CHANGED &&
			   o->action != TRACKER_ACT_DELETE))
		e->was_present = 1;
}

int tracker_cycle(tracker_t *t, const tracker_obs_t *obs, size_t n,
		  const tracker_clock_t *clk, tracker_report_t *out)
{
	run_t r = { t, clk, out, 0 };
	entry_t *e;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!clk->partial || !t->cycles)
		t->cycles++;
	for (i = 0; i < n && !r.rc; i++) {
		if (!(e = find_or_add(t, &obs[i])))
			return -ENOMEM;
		observe(&r, e, &obs[i]);
	}
	return r.rc;
}

int tracker_backing_off(const tracker_t *t, const char *address, double now)
{
	const entry_t *e = find(t, address);

	return e && e->pub.failures && e->pub.next_try > now;
}

int tracker_retry_now(tracker_t *t, const char *address)
{
	entry_t *e = find(t, address);

	if (!e)
		return -ENOENT;
	e->pub.next_try = 0;
	return 0;
}

unsigned long tracker_cycles(const tracker_t *t)
{
	return t->cycles;
}

size_t tracker_count(const tracker_t *t)
{
	return t->n;
}

const tracker_entry_t *tracker_entry(const tracker_t *t, size_t i)
{
	return i < t->n ? &t->entries[i]->pub : NULL;
}

const tracker_entry_t *tracker_find(const tracker_t *t, const char *address)
{
	const entry_t *e = find(t, address);

	return e ? &e->pub : NULL;
}
