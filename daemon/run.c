/* driftd run — the long-running daemon: one libuv loop that reconciles on
 * a jittered timer, reloads on SIGHUP / `driftd reload` / a change to the
 * config files, backs off resources whose action failed, reports to
 * systemd (sd_notify), CloudWatch (metrics.h) and SNS (alerts.h), and
 * answers the control socket (daemon/ctl.c). Between cycles nothing runs:
 * the loop sleeps in epoll until a timer, a signal, a file or a client
 * wakes it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>
#include <systemd/sd-daemon.h>
#include <uv.h>

#include "alerts.h"
#include "cli.h"
#include "config.h"
#include "daemon.h"
#include "jsonutil.h"
#include "log.h"
#include "metrics.h"
#include "planfmt.h"
#include "reconcile.h"
#include "schema.h"
#include "session.h"

#define DEBOUNCE_MS      200
#define STOP_GRACE_MS    7000   /* then exit anyway: systemd waits 15 s */
#define BACKOFF_CAP_S    1800.0
#define MAX_WATCHES      (sizeof(((daemon_t *)0)->watch) / sizeof(uv_fs_event_t *))

struct run_args {
	const char *config_dir, *state_dir, *environment, *socket_path;
	double      interval;       /* 0: settings.poll_interval */
};

static const char *const usage_text =
	"usage: driftd run --config DIR [--state-dir DIR] [--env NAME] "
	"[--interval SECONDS] [--socket PATH]\n";

static int parse_args(int argc, char **argv, run_args_t *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			a->config_dir = argv[++i];
		else if (!strcmp(argv[i], "--state-dir") && i + 1 < argc)
			a->state_dir = argv[++i];
		else if (!strcmp(argv[i], "--env") && i + 1 < argc)
			a->environment = argv[++i];
		else if (!strcmp(argv[i], "--socket") && i + 1 < argc)
			a->socket_path = argv[++i];
		else if (!strcmp(argv[i], "--interval") && i + 1 < argc) {
			a->interval = strtod(argv[++i], NULL);
			if (!(a->interval >= 0.1 && a->interval <= 86400)) {
				fprintf(stderr, "driftd run: --interval must be "
					"between 0.1 and 86400 seconds\n");
				return -1;
			}
		} else {
			fprintf(stderr, "driftd run: unknown argument \"%s\"\n%s",
				argv[i], usage_text);
			return -1;
		}
	}
	if (!a->config_dir) {
		fputs(usage_text, stderr);
		return -1;
	}
	return 0;
}

/* ---- small helpers ---------------------------------------------------- */

static double mono_s(daemon_t *d)
{
	return (double)uv_now(d->loop) / 1000.0;
}

static log_ctx_t lctx(daemon_t *d, const char *address, const char *event,
		      const err_t *e)
{
	log_ctx_t c = { d->environment[0] ? d->environment : NULL, address,
			event, e };

	return c;
}

track_t *daemon_track(daemon_t *d, const char *address, int create)
{
	track_t *grown;
	size_t i;

	for (i = 0; i < d->ntrack; i++)
		if (!strcmp(d->track[i].address, address))
			return &d->track[i];
	if (!create)
		return NULL;
	grown = realloc(d->track, (d->ntrack + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	d->track = grown;
	memset(&d->track[d->ntrack], 0, sizeof(*d->track));
	if (!(d->track[d->ntrack].address = strdup(address)))
		return NULL;
	snprintf(d->track[d->ntrack].state, sizeof(d->track->state), "new");
	return &d->track[d->ntrack++];
}

static void tracks_free(daemon_t *d)
{
	size_t i;

	for (i = 0; i < d->ntrack; i++)
		free(d->track[i].address);
	free(d->track);
	d->track = NULL;
	d->ntrack = 0;
}

static double cycle_interval(daemon_t *d)
{
	const config_t *cfg = session_config(d->session);

	if (d->args->interval > 0)
		return d->args->interval;
	return config_settings(cfg)->poll_interval > 0 ?
	       config_settings(cfg)->poll_interval : 60;
}

/* ---- systemd ---------------------------------------------------------- */

static void notify_status(daemon_t *d)
{
	char when[32] = "never";
	struct tm tm;

	if (d->last_cycle_wall) {
		gmtime_r(&d->last_cycle_wall, &tm);
		strftime(when, sizeof(when), "%H:%M:%S UTC", &tm);
	}
	sd_notifyf(0, "STATUS=%zu resources, %zu drifted, last cycle at %s "
		   "took %.1f s%s", d->n_managed, d->n_drifted, when,
		   d->last_cycle_s, d->config_valid ? "" :
		   "; config rejected, running the last good one");
}

static void on_watchdog(uv_timer_t *t)
{
	(void)t;
	sd_notify(0, "WATCHDOG=1");
}

static void start_watchdog(daemon_t *d)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0 || !usec)
		return;
	uv_timer_start(&d->watchdog_timer, on_watchdog, 0,
		       usec / 2000 ? usec / 2000 : 1);
}

/* ---- metrics and alerts: sending -------------------------------------- */

static void on_metrics_sent(void *data, cJSON *result, const err_t *e)
{
	daemon_t *d = data;
	char line[ERR_MSG_MAX + 256];
	log_ctx_t c = lctx(d, NULL, "metrics", e);

	cJSON_Delete(result);
	d->metrics_in_flight = 0;
	metrics_sent(d->metrics, !e);
	if (e)
		log_warning(&c, "Sending metrics to CloudWatch failed: %s; "
			    "%zu data points stay buffered for the next cycle.",
			    err_format(e, line, sizeof(line)),
			    metrics_pending(d->metrics));
	if (d->stopping)
		daemon_maybe_exit(d);
}

void daemon_flush_metrics(daemon_t *d)
{
	aws_client_t *aws;
	cJSON *params;
	err_t e;
	log_ctx_t c = lctx(d, NULL, "metrics", &e);
	char line[ERR_MSG_MAX + 256];

	memset(&e, 0, sizeof(e));
	if (d->metrics_in_flight || !(aws = session_aws(d->session, &e)))
		return;
	if (!(params = metrics_take(d->metrics)))
		return;
	if (aws_call(aws, "cloudwatch", NULL, "PutMetricData", params, 0,
		     on_metrics_sent, d, &e)) {
		metrics_sent(d->metrics, 0);
		log_warning(&c, "Metrics could not be sent: %s.",
			    err_format(&e, line, sizeof(line)));
	} else {
		d->metrics_in_flight = 1;
	}
	cJSON_Delete(params);
}

/* The topic is an ARN, or a reference to a topic resource in the config
 * resolved from the engine's live state (its TopicArn). */
static const char *alert_topic(daemon_t *d)
{
	const config_settings_t *st = config_settings(session_config(d->session));
	const config_ref_t *ref = st->alert_topic_ref;
	const cJSON *v;
	size_t i;

	if (!st->alert_topic || !*st->alert_topic)
		return NULL;
	if (!ref)
		return st->alert_topic;
	for (i = 0; d->last && i < d->last->n_items; i++) {
		rec_item_t *it = &d->last->items[i];

		if (strcmp(it->address, ref->address))
			continue;
		v = it->live ? json_get_path(it->live, ref->attribute) : NULL;
		if (cJSON_IsString(v))
			return v->valuestring;
		if (it->id && !strcmp(ref->attribute, "TopicArn"))
			return it->id;
	}
	return NULL;
}

static void flush_alerts(daemon_t *d);

static void on_alert_sent(void *data, cJSON *result, const err_t *e)
{
	daemon_t *d = data;
	char line[ERR_MSG_MAX + 256];
	log_ctx_t c = lctx(d, NULL, "alert", e);

	cJSON_Delete(result);
	d->alert_in_flight = 0;
	alerts_sent(d->alerts, !e);
	if (e) {
		log_warning(&c, "Publishing an alert to SNS failed: %s; %zu "
			    "alerts stay queued and are retried next cycle.",
			    err_format(e, line, sizeof(line)),
			    alerts_queued(d->alerts));
		return;
	}
	if (!d->stopping)
		flush_alerts(d);
}

static void flush_alerts(daemon_t *d)
{
	const alert_t *al;
	const char *topic;
	aws_client_t *aws;
	cJSON *params;
	err_t e;
	log_ctx_t c = lctx(d, NULL, "alert", &e);
	char line[ERR_MSG_MAX + 256];

	memset(&e, 0, sizeof(e));
	if (d->alert_in_flight || !alerts_queued(d->alerts))
		goto report;
	if (!(topic = alert_topic(d))) {
		if (!d->warned_no_topic) {
			log_warning(&c, "No alert topic is known (settings."
				    "alert_topic unset or its topic not read "
				    "yet); %zu alerts are queued and only "
				    "logged.", alerts_queued(d->alerts));
			d->warned_no_topic = 1;
		}
		goto report;
	}
	if (!(aws = session_aws(d->session, &e)) ||
	    !(al = alerts_next(d->alerts, (double)time(NULL))))
		goto report;
	params = alerts_publish_params(d->alerts, al, topic);
	if (!params || aws_call(aws, "sns", NULL, "Publish", params, 0,
				on_alert_sent, d, &e)) {
		alerts_sent(d->alerts, 0);
		if (params)
			log_warning(&c, "An alert could not be published: "
				    "%s; it stays queued.",
				    err_format(&e, line, sizeof(line)));
	} else {
		d->alert_in_flight = 1;
	}
	cJSON_Delete(params);
report:
	if (alerts_dropped(d->alerts) > d->alerts_dropped_logged) {
		c.err = NULL;
		log_error(&c, "%llu alerts were dropped because the queue was "
			  "full (SNS unreachable?); see the journal for what "
			  "they said.", (unsigned long long)
			  (alerts_dropped(d->alerts) - d->alerts_dropped_logged));
		d->alerts_dropped_logged = alerts_dropped(d->alerts);
	}
}

/* Every alert is logged too, so that none is ever lost silently. */
static void raise_alert(daemon_t *d, alert_event_t ev, const char *key,
			const char *address, const char *subject,
			const char *text, const cJSON *details)
{
	log_ctx_t c = lctx(d, address, alerts_event_name(ev), NULL);

	if (alerts_raise(d->alerts, ev, key, subject, text, details,
			 (double)time(NULL)) == 1)
		log_info(&c, "Alert queued: %s", subject);
}

/* ---- one cycle's outcome ---------------------------------------------- */

static int is_drifted(const rec_item_t *it)
{
	return it->res && (rec_action_changes(it->action) ||
			   it->action == REC_REPLACE_REFUSED ||
			   it->action == REC_DELETE_REFUSED);
}

static const char *state_of(const rec_item_t *it)
{
	if (it->action == REC_READ_FAILED)
		return "read failed";
	if (it->action == REC_ORPHAN)
		return "orphan";
	switch (it->status) {
	case REC_STATUS_FAILED:   return "failed";
	case REC_STATUS_BLOCKED:  return "blocked";
	case REC_STATUS_DEFERRED: return "backing off";
	case REC_STATUS_OBSERVED: return "drifted (observe)";
	default: break;
	}
	if (it->action == REC_REPLACE_REFUSED || it->action == REC_DELETE_REFUSED)
		return "drifted (refused)";
	if (it->action == REC_ABSENT || it->action == REC_DELETE)
		return "absent";
	return "in sync";
}

static const char *taken(const rec_item_t *it)
{
	if (it->status == REC_STATUS_OBSERVED)
		return "observe only";
	if (it->action == REC_REPLACE_REFUSED)
		return "not changed: needs a replacement and allow_replace "
		       "is not set";
	if (it->action == REC_DELETE_REFUSED)
		return "not changed: policy prevent_destroy";
	if (it->status != REC_STATUS_OK)
		return "the change failed";
	switch (it->action) {
	case REC_CREATE:  return "recreated";
	case REC_UPDATE:  return "reverted in place";
	case REC_REPLACE: return "replaced";
	case REC_DELETE:  return "deleted";
	default:          return "none";
	}
}

/* The drift of one item as {attribute, expected, live} with secrets
 * masked by planfmt_value; NULL when out of memory. */
cJSON *daemon_drift_json(const rec_item_t *it)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	char *exp, *live;
	size_t i;

	for (i = 0; arr && it->diff && i < it->diff->n_changes; i++) {
		const diff_change_t *ch = &it->diff->changes[i];

		exp = planfmt_value(ch->attr, ch->attr->kind == RES_TAGS ?
				    ch->added : ch->desired);
		live = planfmt_value(ch->attr, ch->live);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "attribute", ch->attr->name);
		cJSON_AddStringToObject(o, "expected", exp ? exp : "?");
		cJSON_AddStringToObject(o, "live", live ? live : "(absent)");
		cJSON_AddItemToArray(arr, o);
		free(exp);
		free(live);
	}
	if (arr && it->action == REC_CREATE && !cJSON_GetArraySize(arr)) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "attribute", "(resource)");
		cJSON_AddStringToObject(o, "expected", "present");
		cJSON_AddStringToObject(o, "live", "missing");
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static void alert_drift(daemon_t *d, const rec_item_t *it, track_t *t)
{
	cJSON *changes = daemon_drift_json(it), *details = cJSON_CreateObject();
	char *key = NULL, *canon = NULL, subject[512], text[2048];
	const cJSON *ch;
	size_t off;
	int fresh;
	log_ctx_t c = lctx(d, it->address, "drift", NULL);

	if (!changes || !details)
		goto out;
	canon = cJSON_PrintUnformatted(changes);
	if (!canon || asprintf(&key, "drift|%s|%s", it->address, canon) < 0) {
		key = NULL;
		goto out;
	}
	/* A drift left in place (observe, refused) is logged once, as it is
	 * alerted once, not every cycle. */
	fresh = !alerts_known(d->alerts, key);
	off = (size_t)snprintf(text, sizeof(text), "driftd found drift on %s "
			       "in environment %s; action: %s.",
			       it->address, d->environment, taken(it));
	cJSON_ArrayForEach(ch, changes) {
		const char *a = cJSON_GetStringValue(cJSON_GetObjectItem(ch, "attribute"));
		const char *e = cJSON_GetStringValue(cJSON_GetObjectItem(ch, "expected"));
		const char *l = cJSON_GetStringValue(cJSON_GetObjectItem(ch, "live"));

		if (fresh)
			log_warning(&c, "Drift on %s: %s is %s, the config says "
				    "%s; action: %s.", it->address, a, l, e,
				    taken(it));
		if (off < sizeof(text))
			off += (size_t)snprintf(text + off, sizeof(text) - off,
						"\n  %s: expected %s, live %s",
						a, e, l);
	}
	snprintf(subject, sizeof(subject), "driftd %s: drift on %s (%s)",
		 d->environment, it->address,
		 it->status == REC_STATUS_OBSERVED ? "observe only" :
		 it->status == REC_STATUS_OK ? "reverted" : "not fixed");
	cJSON_AddStringToObject(details, "event", "drift");
	cJSON_AddStringToObject(details, "environment", d->environment);
	cJSON_AddStringToObject(details, "address", it->address);
	cJSON_AddStringToObject(details, "action", taken(it));
	cJSON_AddItemToObject(details, "changes", changes);
	changes = NULL;
	raise_alert(d, ALERT_DRIFT, key, it->address, subject, text, details);
	/* A drift reverted this cycle is over; the next one alerts again. */
	if (it->status == REC_STATUS_OK)
		alerts_resolve(d->alerts, key);
	else
		t->drift_alerted = 1;
out:
	cJSON_Delete(changes);
	cJSON_Delete(details);
	free(canon);
	free(key);
}

static void alert_simple(daemon_t *d, alert_event_t ev, const char *key,
			 const rec_item_t *it, const char *what,
			 const char *text)
{
	cJSON *details = cJSON_CreateObject();
	char subject[512];

	snprintf(subject, sizeof(subject), "driftd %s: %s %s", d->environment,
		 it->address, what);
	cJSON_AddStringToObject(details, "event", alerts_event_name(ev));
	cJSON_AddStringToObject(details, "environment", d->environment);
	cJSON_AddStringToObject(details, "address", it->address);
	if (it->err.code) {
		cJSON_AddStringToObject(details, "aws_error_code", it->err.aws_code);
		cJSON_AddStringToObject(details, "message", it->err.message);
		cJSON_AddStringToObject(details, "request_id", it->err.request_id);
	}
	raise_alert(d, ev, key, it->address, subject, text, details);
	cJSON_Delete(details);
}

static void item_failed(daemon_t *d, const rec_item_t *it, track_t *t)
{
	double delay = cycle_interval(d) * pow(2, t->failures < 16 ?
						      t->failures : 16);
	char key[600], text[1024], line[ERR_MSG_MAX + 256];
	log_ctx_t c = lctx(d, it->address, "apply", &it->err);

	if (delay > BACKOFF_CAP_S)
		delay = BACKOFF_CAP_S;
	/* Reads are not held back (skip only sees changes): every cycle
	 * reads again. */
	if (it->action == REC_READ_FAILED)
		delay = cycle_interval(d);
	t->failures++;
	t->next_try = mono_s(d) + delay;
	err_format(&it->err, line, sizeof(line));
	log_error(&c, "%s %s failed: %s. driftd retries it in %.0f s "
		  "(attempt %u) while the other resources converge.",
		  it->action == REC_READ_FAILED ? "Reading" : "Applying",
		  it->address, line, delay, t->failures);
	snprintf(key, sizeof(key), "failed|%s|%s", it->address,
		 it->err.aws_code);
	snprintf(text, sizeof(text), "driftd could not %s %s in environment "
		 "%s: %s. It retries with backoff (next in %.0f s).",
		 it->action == REC_READ_FAILED ? "read" : "apply",
		 it->address, d->environment, line, delay);
	alert_simple(d, ALERT_ACTION_FAILED, key, it, "action failed", text);
}

static void process_item(daemon_t *d, const rec_item_t *it, time_t now)
{
	track_t *t = daemon_track(d, it->address, 1);
	const char *state = state_of(it);
	char key[600], text[1024];
	log_ctx_t c = lctx(d, it->address, "converged", NULL);

	if (!t)
		return;
	if (it->status == REC_STATUS_DEFERRED && !daemon_lease_may_write(d))
		state = "standby";       /* held back by the lease */
	t->seen = d->cycles;
	t->drift = it->diff ? it->diff->n_changes : (size_t)is_drifted(it);
	if (strcmp(t->state, state)) {
		snprintf(t->state, sizeof(t->state), "%s", state);
		t->last_change = now;
	}
	if (it->status == REC_STATUS_DEFERRED)
		return;
	if (it->action == REC_ORPHAN) {
		snprintf(key, sizeof(key), "orphan|%s", it->address);
		snprintf(text, sizeof(text), "driftd found %s (id %s) tagged "
			 "for environment %s but no longer in the config. "
			 "driftd never deletes it; remove it or add it back.",
			 it->address, it->id ? it->id : "?", d->environment);
		if (!alerts_known(d->alerts, key))
			log_warning(&c, "%s", text);
		alert_simple(d, ALERT_ORPHAN, key, it, "orphan found", text);
		return;
	}
	snprintf(key, sizeof(key), "orphan|%s", it->address);
	alerts_resolve(d->alerts, key);
	/* Creating what was never there is provisioning, not drift. */
	if (is_drifted(it) && (it->action != REC_CREATE || t->was_present))
		alert_drift(d, it, t);
	if (it->live)
		t->was_present = 1;
	if (it->status == REC_STATUS_FAILED) {
		item_failed(d, it, t);
		return;
	}
	if (it->status == REC_STATUS_BLOCKED || it->action == REC_READ_FAILED)
		return;
	if (t->failures) {
		t->failures = 0;
		t->next_try = 0;
		snprintf(key, sizeof(key), "failed|%s|", it->address);
		if (alerts_resolve(d->alerts, key)) {
			snprintf(text, sizeof(text), "%s in environment %s was "
				 "applied after earlier failures and is in "
				 "sync.", it->address, d->environment);
			log_info(&c, "%s", text);
			alert_simple(d, ALERT_RECOVERED, NULL, it, "recovered",
				     text);
		}
	}
	snprintf(key, sizeof(key), "drift|%s|", it->address);
	if (!is_drifted(it) && t->drift_alerted &&
	    alerts_resolve(d->alerts, key)) {
		t->drift_alerted = 0;
		snprintf(text, sizeof(text), "The drift on %s in environment "
			 "%s is gone: live state matches the config again.",
			 it->address, d->environment);
		log_info(&c, "%s", text);
		alert_simple(d, ALERT_CONVERGED, NULL, it, "converged", text);
	}
}

static void add_metrics(daemon_t *d, const rec_result_t *r)
{
	double now = (double)time(NULL);
	size_t i, j, ok = 0, failed = 0;
	aws_stats_t st;
	aws_client_t *aws = session_aws(d->session, NULL);
	const char *types[64];
	size_t type_drift[64], ntypes = 0;

	for (i = 0; i < r->n_items; i++) {
		const rec_item_t *it = &r->items[i];

		if (rec_action_changes(it->action) && it->status == REC_STATUS_OK)
			ok++;
		if (it->status == REC_STATUS_FAILED)
			failed++;
		if (!is_drifted(it))
			continue;
		for (j = 0; j < ntypes && strcmp(types[j], it->type->name); j++)
			;
		if (j == ntypes && ntypes < 64) {
			types[ntypes] = it->type->name;
			type_drift[ntypes++] = 0;
		}
		if (j < ntypes)
			type_drift[j]++;
	}
	metrics_add(d->metrics, "ManagedResources", "Count", (double)d->n_managed,
		    NULL, now);
	metrics_add(d->metrics, "DriftedResources", "Count", (double)d->n_drifted,
		    NULL, now);
	for (j = 0; j < ntypes; j++)
		metrics_add(d->metrics, "DriftedResources", "Count",
			    (double)type_drift[j], types[j], now);
	metrics_add(d->metrics, "ActionsSucceeded", "Count", (double)ok, NULL, now);
	metrics_add(d->metrics, "ActionsFailed", "Count", (double)failed, NULL, now);
	if (aws) {
		aws_client_stats(aws, &st);
		metrics_add(d->metrics, "ApiCalls", "Count",
			    (double)(st.calls - d->stats.calls), NULL, now);
		metrics_add(d->metrics, "ApiErrors", "Count",
			    (double)(st.errors - d->stats.errors), NULL, now);
		metrics_add(d->metrics, "ApiThrottles", "Count",
			    (double)(st.throttles - d->stats.throttles), NULL, now);
		d->stats = st;
	}
	metrics_add(d->metrics, "ReconcileSeconds", "Seconds", r->total_seconds,
		    NULL, now);
	/* DetectSeconds is not sent: the read APIs driftd uses return no
	 * modification time for most types, so detection latency is unknown. */
	metrics_add(d->metrics, "ConfigValid", "Count", d->config_valid ? 1 : 0,
		    NULL, now);
}

static void schedule_next(daemon_t *d);
static void start_cycle(daemon_t *d);
static void do_reload(daemon_t *d);

static void on_cycle_done(void *ctx, rec_result_t *r, const err_t *err)
{
	daemon_t *d = ctx;
	time_t now = time(NULL);
	char line[ERR_MSG_MAX + 256];
	log_ctx_t c = lctx(d, NULL, "cycle", err);
	size_t i;

	d->running = 0;
	d->cycles++;
	d->last_cycle_wall = now;
	d->last_cycle_s = r ? r->total_seconds : 0;
	if (err && err->code)
		log_error(&c, "The reconcile cycle failed as a whole: %s. "
			  "driftd tries again next cycle.",
			  err_format(err, line, sizeof(line)));
	if (r) {
		d->n_managed = 0;
		d->n_drifted = 0;
		for (i = 0; i < r->n_items; i++) {
			if (r->items[i].res)
				d->n_managed++;
			if (is_drifted(&r->items[i]))
				d->n_drifted++;
		}
		rec_result_free(d->last);
		d->last = r;
		for (i = 0; i < r->n_items; i++)
			process_item(d, &r->items[i], now);
		add_metrics(d, r);
	}
	if (!d->ready) {
		d->ready = 1;
		sd_notify(0, "READY=1");
		c.err = NULL;
		log_info(&c, "driftd is ready: the first cycle read %zu "
			 "resources in environment %s, %zu drifted.",
			 d->n_managed, d->environment, d->n_drifted);
	}
	notify_status(d);
	daemon_flush_metrics(d);
	flush_alerts(d);
	if (d->stopping) {
		daemon_maybe_exit(d);
		return;
	}
	if (d->reload_pending) {
		do_reload(d);
		return;
	}
	if (d->cycle_pending) {
		d->cycle_pending = 0;
		start_cycle(d);
		return;
	}
	schedule_next(d);
}

static int skip_backing_off(void *ctx, const rec_item_t *item)
{
	daemon_t *d = ctx;
	track_t *t = daemon_track(d, item->address, 0);

	if (!daemon_lease_may_write(d))
		return 1;
	return t && t->failures && t->next_try > mono_s(d);
}

static void on_rec_event(void *ctx, rec_event_t ev, const rec_item_t *item,
			 const char *message)
{
	daemon_t *d = ctx;
	log_ctx_t c = lctx(d, item->address, "apply", NULL);

	if (ev == REC_EVENT_START || ev == REC_EVENT_RECOVERED)
		log_info(&c, "%s: %s", item->address, message);
	else if (ev == REC_EVENT_DONE)
		log_info(&c, "%s: %s", item->address, message);
	/* Failures are logged once, with their backoff, after the cycle. */
}

static void start_cycle(daemon_t *d)
{
	rec_opts_t o;
	err_t e;
	char line[ERR_MSG_MAX + 256];
	log_ctx_t c = lctx(d, NULL, "cycle", &e);

	if (d->running || d->stopping)
		return;
	uv_timer_stop(&d->cycle_timer);
	if (!daemon_lease_check(d))
		return;
	memset(&o, 0, sizeof(o));
	o.loop = d->loop;
	o.config = session_config(d->session);
	o.environment = d->environment;
	o.apply = 1;
	o.event = on_rec_event;
	o.event_ctx = d;
	o.skip = skip_backing_off;
	o.skip_ctx = d;
	if (!(o.aws = session_aws(d->session, &e)) ||
	    !(o.journal = session_journal(d->session, &e)) ||
	    rec_run(&o, on_cycle_done, d, &e)) {
		log_error(&c, "A reconcile cycle could not start: %s. driftd "
			  "tries again next interval.",
			  err_format(&e, line, sizeof(line)));
		schedule_next(d);
		return;
	}
	d->running = 1;
}

static void on_cycle_timer(uv_timer_t *t)
{
	start_cycle(t->data);
}

static void schedule_next(daemon_t *d)
{
	double iv = cycle_interval(d);
	/* ±10 % so that many daemons started together spread their calls. */
	double jitter = iv * 0.1 * (2.0 * (double)random() / RAND_MAX - 1.0);

	uv_timer_start(&d->cycle_timer, on_cycle_timer,
		       (uint64_t)((iv + jitter) * 1000.0), 0);
}

void daemon_request_cycle(daemon_t *d, const char *address)
{
	track_t *t;

	if (address && (t = daemon_track(d, address, 0)))
		t->next_try = 0;
	if (d->running)
		d->cycle_pending = 1;
	else
		start_cycle(d);
}

/* ---- config: load, watch, reload -------------------------------------- */

static void on_fs_event(uv_fs_event_t *h, const char *name, int events,
			int status);

static void on_handle_free(uv_handle_t *h)
{
	free(h);
}

static void unwatch(daemon_t *d)
{
	size_t i;

	for (i = 0; i < d->nwatch; i++)
		uv_close((uv_handle_t *)d->watch[i], on_handle_free);
	d->nwatch = 0;
}

static void watch_dir(daemon_t *d, const char *dir)
{
	uv_fs_event_t *h;
	size_t i;

	for (i = 0; i < d->nwatch; i++) {
		char path[4096];
		size_t len = sizeof(path);

		if (!uv_fs_event_getpath(d->watch[i], path, &len) &&
		    !strcmp(path, dir))
			return;
	}
	if (d->nwatch == MAX_WATCHES || !(h = malloc(sizeof(*h))))
		return;
	uv_fs_event_init(d->loop, h);
	h->data = d;
	if (uv_fs_event_start(h, on_fs_event, dir, 0)) {
		uv_close((uv_handle_t *)h, on_handle_free);
		return;
	}
	d->watch[d->nwatch++] = h;
}

/* The config directory and the directory of every file it included. */
static void watch_config(daemon_t *d)
{
	const config_t *cfg = session_config(d->session);
	char *copy, *slash, real[4096];
	const char *p;
	size_t i;

	unwatch(d);
	if (realpath(d->args->config_dir, real))
		watch_dir(d, real);
	for (i = 0; (p = config_file_path(cfg, i)); i++) {
		if (!(copy = strdup(p)))
			continue;
		if ((slash = strrchr(copy, '/')) && slash != copy) {
			*slash = '\0';
			watch_dir(d, copy);
		}
		free(copy);
	}
}

static void on_debounce(uv_timer_t *t)
{
	daemon_t *d = t->data;

	d->reload_pending = 1;
	if (!d->running)
		do_reload(d);
}

static void on_fs_event(uv_fs_event_t *h, const char *name, int events,
			int status)
{
	daemon_t *d = h->data;

	(void)events;
	(void)status;
	/* Editors write temp files next to the real one; only JSON counts. */
	if (name && !strstr(name, ".json"))
		return;
	uv_timer_start(&d->debounce_timer, on_debounce, DEBOUNCE_MS, 0);
}

/* Group- or world-writable config lets another user change what driftd
 * does with the service's AWS credentials. */
static int check_loaded_files(const config_t *cfg, err_t *e)
{
	struct stat st;
	const char *p;
	size_t i;

	for (i = 0; (p = config_file_path(cfg, i)); i++)
		if (!stat(p, &st) && (st.st_mode & (S_IWGRP | S_IWOTH)))
			return err_set(e, -EPERM, "%s is writable by group or "
				       "others; driftd refuses it (chmod "
				       "go-w)", p);
	return 0;
}

/* A safeguard the config weakens on purpose (schema_notices) is said at
 * every load. */
static void log_notice_cb(void *ctx, const char *address, const char *text)
{
	log_ctx_t c = lctx(ctx, address, "config", NULL);

	log_warning(&c, "%s: %s.", address, text);
}

static session_t *load_session(daemon_t *d, config_errors_t **errs,
			       err_t *e)
{
	session_opts_t so = { d->loop, d->args->config_dir, d->args->state_dir,
			      d->args->environment };
	session_t *s = NULL;

	*errs = NULL;
	if (config_check_permissions(d->args->config_dir, e))
		return NULL;
	if (session_open(&so, &s, errs, e))
		return NULL;
	if (check_loaded_files(session_config(s), e)) {
		session_close(s);
		return NULL;
	}
	schema_notices(session_config(s), log_notice_cb, d);
	return s;
}

static void config_rejected(daemon_t *d, const config_errors_t *errs,
			    const err_t *e)
{
	char line[ERR_MSG_MAX + ERR_FILE_MAX + 64], text[4096], key[700];
	log_ctx_t c = lctx(d, NULL, "config", NULL);
	cJSON *details = cJSON_CreateObject(), *list;
	size_t i, off;
	char subject[512];

	list = cJSON_AddArrayToObject(details, "errors");
	off = (size_t)snprintf(text, sizeof(text), "driftd rejected the "
			       "changed config in %s and keeps running the last "
			       "good one:", d->args->config_dir);
	for (i = 0; errs && i < errs->count; i++) {
		err_format(&errs->items[i], line, sizeof(line));
		log_error(&c, "The changed config is invalid: %s. driftd keeps "
			  "running the last good config.", line);
		cJSON_AddItemToArray(list, cJSON_CreateString(line));
		if (off < sizeof(text))
			off += (size_t)snprintf(text + off, sizeof(text) - off,
						"\n  %s", line);
	}
	if (!errs || !errs->count) {
		err_format(e, line, sizeof(line));
		log_error(&c, "The changed config could not be loaded: %s. "
			  "driftd keeps running the last good config.", line);
		cJSON_AddItemToArray(list, cJSON_CreateString(line));
		if (off < sizeof(text))
			snprintf(text + off, sizeof(text) - off, "\n  %s", line);
	}
	snprintf(subject, sizeof(subject), "driftd %s: config rejected",
		 d->environment);
	snprintf(key, sizeof(key), "config|%s",
		 errs && errs->count ? errs->items[0].message : e->message);
	cJSON_AddStringToObject(details, "event", "config_rejected");
	cJSON_AddStringToObject(details, "environment", d->environment);
	raise_alert(d, ALERT_CONFIG_REJECTED, key, NULL, subject, text, details);
	cJSON_Delete(details);
}

static void do_reload(daemon_t *d)
{
	config_errors_t *errs = NULL;
	session_t *s;
	err_t e;
	log_ctx_t c = lctx(d, NULL, "config", NULL);

	d->reload_pending = 0;
	if (d->stopping)
		return;
	sd_notify(0, "RELOADING=1");
	s = load_session(d, &errs, &e);
	if (!s) {
		d->config_valid = 0;
		config_rejected(d, errs, &e);
		config_errors_free(errs);
		metrics_add(d->metrics, "ConfigValid", "Count", 0, NULL,
			    (double)time(NULL));
		daemon_flush_metrics(d);
		flush_alerts(d);
		sd_notify(0, "READY=1");
		notify_status(d);
		if (!d->running && !uv_is_active((uv_handle_t *)&d->cycle_timer))
			schedule_next(d);
		return;
	}
	config_errors_free(errs);
	alerts_resolve(d->alerts, "config|");
	/* The last result points into the old config: drop it before the
	 * old session goes. */
	rec_result_free(d->last);
	d->last = NULL;
	session_close_async(d->session, NULL, NULL);
	d->session = s;
	snprintf(d->environment, sizeof(d->environment), "%s",
		 session_environment(s));
	memset(&d->stats, 0, sizeof(d->stats));
	d->config_valid = 1;
	watch_config(d);
	log_info(&c, "The config in %s was reloaded (%zu resources); "
		 "reconciling it now.", d->args->config_dir,
		 config_resource_count(session_config(s)));
	sd_notify(0, "READY=1");
	start_cycle(d);
}

void daemon_request_reload(daemon_t *d)
{
	d->reload_pending = 1;
	if (!d->running)
		do_reload(d);
}

/* ---- stopping --------------------------------------------------------- */

static void close_if(uv_handle_t *h)
{
	if (h->loop && !uv_is_closing(h))
		uv_close(h, NULL);
}

/* Exits the loop once the in-flight cycle and metrics send are done. */
void daemon_maybe_exit(daemon_t *d)
{
	if (d->running || d->exiting)
		return;
	if (!d->flushed) {
		d->flushed = 1;
		daemon_flush_metrics(d);
	}
	if (d->metrics_in_flight || d->lease_releasing)
		return;
	d->exiting = 1;
	daemon_lease_close(d);
	close_if((uv_handle_t *)&d->cycle_timer);
	close_if((uv_handle_t *)&d->watchdog_timer);
	close_if((uv_handle_t *)&d->debounce_timer);
	close_if((uv_handle_t *)&d->stop_timer);
	close_if((uv_handle_t *)&d->sig_hup);
	close_if((uv_handle_t *)&d->sig_term);
	close_if((uv_handle_t *)&d->sig_int);
	unwatch(d);
	ctl_server_close(d);
	session_close_async(d->session, NULL, NULL);
	d->session = NULL;
}

static void on_stop_timeout(uv_timer_t *t)
{
	daemon_t *d = t->data;
	log_ctx_t c = lctx(d, NULL, "stop", NULL);

	log_warning(&c, "The running cycle did not finish within %d s of the "
		    "stop request; exiting now. The journal lets the next start "
		    "find anything it was creating.", STOP_GRACE_MS / 1000);
	sd_notify(0, "STATUS=Stopped during a cycle.");
	fflush(NULL);
	_exit(0);
}

static void on_signal(uv_signal_t *h, int signum)
{
	daemon_t *d = h->data;
	log_ctx_t c = lctx(d, NULL, "signal", NULL);

	if (signum == SIGHUP) {
		log_info(&c, "SIGHUP received: reloading the config.");
		daemon_request_reload(d);
		return;
	}
	if (d->stopping)
		return;
	d->stopping = 1;
	sd_notify(0, "STOPPING=1");
	log_info(&c, "%s received: driftd stops %s.", strsignal(signum),
		 d->running ? "once the running cycle finishes" : "now");
	uv_timer_stop(&d->cycle_timer);
	uv_timer_start(&d->stop_timer, on_stop_timeout, STOP_GRACE_MS, 0);
	uv_unref((uv_handle_t *)&d->stop_timer);
	daemon_lease_release(d);
	daemon_maybe_exit(d);
}

/* ---- the command ------------------------------------------------------ */

static void on_walk_close(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

int cmd_run(int argc, char **argv)
{
	run_args_t a;
	daemon_t d;
	config_errors_t *errs = NULL;
	uv_loop_t loop;
	err_t e;
	char line[ERR_MSG_MAX + ERR_FILE_MAX + 64];
	alerts_opts_t ao;
	log_ctx_t c;
	int rc = 1;

	if (parse_args(argc, argv, &a))
		return 2;
	log_open("driftd", LOG_TARGET_AUTO, LOG_INFO);
	memset(&d, 0, sizeof(d));
	d.args = &a;
	d.loop = &loop;
	d.config_valid = 1;
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	uv_loop_init(&loop);
	c = lctx(&d, NULL, "start", NULL);
	if (!(d.session = load_session(&d, &errs, &e))) {
		if (errs && errs->count)
			cli_print_config_errors(a.config_dir, errs);
		else
			log_error(&c, "driftd cannot start: %s.",
				  err_format(&e, line, sizeof(line)));
		config_errors_free(errs);
		goto out;
	}
	config_errors_free(errs);
	snprintf(d.environment, sizeof(d.environment), "%s",
		 session_environment(d.session));
	c.env = d.environment;
	if (!session_aws(d.session, &e) || !session_journal(d.session, &e)) {
		log_error(&c, "driftd cannot start: %s.",
			  err_format(&e, line, sizeof(line)));
		goto out;
	}
	memset(&ao, 0, sizeof(ao));
	ao.environment = d.environment;
	d.metrics = metrics_new(config_settings(session_config(d.session))->
				metrics_namespace, d.environment, 0);
	d.alerts = alerts_new(&ao);
	if (!d.metrics || !d.alerts) {
		log_error(&c, "driftd cannot start: out of memory.");
		goto out;
	}
	if (daemon_lease_open(&d, &e) ||
	    ctl_server_open(&d, a.socket_path, &e)) {
		log_error(&c, "driftd cannot start: %s.",
			  err_format(&e, line, sizeof(line)));
		goto out;
	}
	uv_timer_init(&loop, &d.cycle_timer);
	uv_timer_init(&loop, &d.watchdog_timer);
	uv_timer_init(&loop, &d.debounce_timer);
	uv_timer_init(&loop, &d.stop_timer);
	d.cycle_timer.data = d.watchdog_timer.data = d.debounce_timer.data =
		d.stop_timer.data = &d;
	uv_signal_init(&loop, &d.sig_hup);
	uv_signal_init(&loop, &d.sig_term);
	uv_signal_init(&loop, &d.sig_int);
	d.sig_hup.data = d.sig_term.data = d.sig_int.data = &d;
	uv_signal_start(&d.sig_hup, on_signal, SIGHUP);
	uv_signal_start(&d.sig_term, on_signal, SIGTERM);
	uv_signal_start(&d.sig_int, on_signal, SIGINT);
	start_watchdog(&d);
	watch_config(&d);
	log_info(&c, "driftd started for environment %s with %zu resources "
		 "from %s; reconciling every %.1f s.", d.environment,
		 config_resource_count(session_config(d.session)), a.config_dir,
		 cycle_interval(&d));
	start_cycle(&d);
	uv_run(&loop, UV_RUN_DEFAULT);
	rc = 0;
	log_info(&c, "driftd stopped.");
out:
	if (d.session)
		session_close_async(d.session, NULL, NULL);
	ctl_server_close(&d);
	daemon_lease_close(&d);
	uv_walk(&loop, on_walk_close, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	rec_result_free(d.last);
	tracks_free(&d);
	metrics_free(d.metrics);
	alerts_free(d.alerts);
	return rc;
}
