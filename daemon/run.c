/* driftd run — the long-running daemon: one libuv loop that reconciles on
 * a jittered timer, reloads on SIGHUP / `driftd reload` / a change to the
 * config files, backs off resources whose action failed, reports to
 * systemd (sd_notify(3), spoken by sdproto.h), CloudWatch (metrics.h)
 * and SNS (alerts.h), and answers the control socket (daemon/ctl.c).
 * Between cycles nothing runs: the loop sleeps in epoll until a timer, a
 * signal, a file or a client wakes it. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>
#include <uv.h>

#include "alerts.h"
#include "cli.h"
#include "config.h"
#include "daemon.h"
#include "jsonutil.h"
#include "log.h"
#include "metrics.h"
#include "num.h"
#include "planfmt.h"
#include "reconcile.h"
#include "schema.h"
#include "sdproto.h"
#include "session.h"
#include "tracker.h"

#define DEBOUNCE_MS      200
/* A change is tried this soon: a config that loads is reconciled at once
 * (an incremental run), one that does not (an editor mid-write) waits the
 * debounce before it is reported. */
#define QUICK_MS         20
#define STOP_GRACE_MS    7000   /* then exit anyway: systemd waits 15 s */
#define MAX_WATCHES      (sizeof(((daemon_t *)0)->watch) / sizeof(uv_fs_event_t *))

struct run_args {
	const char *config_dir, *state_dir, *environment, *socket_path;
	double      interval;       /* 0: settings.poll_interval */
	unsigned    unreadable_cycles; /* 0: TRACKER_UNREADABLE_CYCLES */
};

static const char *const usage_text =
	"usage: driftd run --config DIR [--state-dir DIR] [--env NAME] "
	"[--interval SECONDS] [--socket PATH] [--unreadable-cycles N]\n";

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
		} else if (!strcmp(argv[i], "--unreadable-cycles") &&
			   i + 1 < argc) {
			char *end;
			long n = strtol(argv[++i], &end, 10);

			if (*end || end == argv[i] || n < 1 || n > 1000) {
				fprintf(stderr, "driftd run: --unreadable-cycles "
					"must be a whole number from 1 to "
					"1000\n");
				return -1;
			}
			a->unreadable_cycles = (unsigned)n;
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
			event, e, NULL };

	return c;
}

int daemon_knows(const daemon_t *d, const char *address)
{
	return tracker_find(d->tracker, address) != NULL;
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
	sdproto_notifyf("STATUS=%zu resources, %zu drifted, last cycle at %s "
			"took %.1f s%s", d->n_managed, d->n_drifted, when,
			d->last_cycle_s, d->config_valid ? "" :
			"; config rejected, running the last good one");
}

static void on_watchdog(uv_timer_t *t)
{
	(void)t;
	sdproto_notify("WATCHDOG=1");
}

static void start_watchdog(daemon_t *d)
{
	uint64_t usec = 0;

	if (sdproto_watchdog_usec(&usec) <= 0 || !usec)
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

/* The alert topic is an ARN, or a reference to a topic resource in the
 * config resolved from the engine's live state (its TopicArn). After each
 * cycle the value read is remembered: a later cycle whose read of the
 * topic failed (throttling, an outage of the SNS read API) must not stop
 * alerts, since publishing may still work. The remembered value is
 * forgotten when the setting changes. */
static void remember_topic(daemon_t *d)
{
	const config_settings_t *st = config_settings(session_config(d->session));
	const config_ref_t *ref = st->alert_topic_ref;
	char *found = NULL;
	size_t i;

	if (d->topic_setting && (!st->alert_topic ||
				 strcmp(d->topic_setting, st->alert_topic))) {
		free(d->topic_arn);
		free(d->topic_setting);
		d->topic_arn = d->topic_setting = NULL;
	}
	for (i = 0; ref && d->last && i < d->last->n_items && !found; i++) {
		rec_item_t *it = &d->last->items[i];

		if (strcmp(it->address, ref->address))
			continue;
		if (!(found = daemon_live_string(it, ref->attribute)) &&
		    it->id && !strcmp(ref->attribute, "TopicArn"))
			found = strdup(it->id);
	}
	if (!found || (d->topic_arn && !strcmp(found, d->topic_arn))) {
		free(found);
		return;
	}
	free(d->topic_arn);
	free(d->topic_setting);
	d->topic_arn = found;
	d->topic_setting = strdup(st->alert_topic);
}

char *daemon_live_string(const rec_item_t *it, const char *path)
{
	cJSON *tmp;
	const cJSON *live = json_view(it->live, &tmp), *v;
	char *s = NULL;

	v = live ? json_get_path(live, path) : NULL;
	if (cJSON_IsString(v))
		s = strdup(v->valuestring);
	cJSON_Delete(tmp);
	return s;
}

/* The topic to publish to, or NULL with why in *why. */
static const char *alert_topic(daemon_t *d, char *why, size_t len)
{
	const config_settings_t *st = config_settings(session_config(d->session));
	const config_ref_t *ref = st->alert_topic_ref;
	const tracker_entry_t *t;

	if (!st->alert_topic || !*st->alert_topic) {
		snprintf(why, len, "settings.alert_topic is not set");
		return NULL;
	}
	if (!ref)
		return st->alert_topic;
	if (d->topic_arn)
		return d->topic_arn;
	t = tracker_find(d->tracker, ref->address);
	snprintf(why, len, "settings.alert_topic names %s, whose %s %s",
		 ref->address, ref->attribute,
		 t && t->state == TRACKER_UNREADABLE ?
		 "could not be read (see the journal for the AWS error)" :
		 "is not known yet (the topic is not read or not made yet)");
	return NULL;
}

static void flush_alerts(daemon_t *d);

static void on_summary_timer(uv_timer_t *t)
{
	flush_alerts(t->data);
}

/* The summary of what the hourly cap held back has its own timer: it
 * must not wait for a later alert or cycle. */
static void arm_summary_timer(daemon_t *d)
{
	double due = alerts_summary_due(d->alerts);
	double in = due - (double)time(NULL);

	/* Past due means this flush could not send it: every cycle's flush
	 * tries again, no timer needed. */
	if (due < 0 || in <= 0 || d->stopping) {
		uv_timer_stop(&d->summary_timer);
		return;
	}
	uv_timer_start(&d->summary_timer, on_summary_timer,
		       (uint64_t)(in * 1000.0) + 1, 0);
}

static void on_alert_sent(void *data, cJSON *result, const err_t *e)
{
	daemon_t *d = data;
	char line[ERR_MSG_MAX + 256];
	log_ctx_t c = lctx(d, NULL, "alert", e);

	cJSON_Delete(result);
	d->alert_in_flight = 0;
	alerts_sent(d->alerts, !e);
	if (e) {
		err_format(e, line, sizeof(line));
		snprintf(d->alert_block, sizeof(d->alert_block), "publishing "
			 "to SNS failed: %s", line);
		log_warning(&c, "Publishing an alert to SNS failed: %s; %zu "
			    "alerts stay queued and are retried next cycle.",
			    line, alerts_queued(d->alerts));
		return;
	}
	d->alert_block[0] = '\0';
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
	char line[ERR_MSG_MAX + 256], why[512];
	double now = (double)time(NULL);

	memset(&e, 0, sizeof(e));
	if (d->alert_in_flight || !alerts_pending(d->alerts, now))
		goto report;
	if (!(topic = alert_topic(d, why, sizeof(why)))) {
		snprintf(d->alert_block, sizeof(d->alert_block),
			 "no alert topic is known: %s", why);
		if (!d->warned_no_topic) {
			log_warning(&c, "No alert topic is known (%s); %zu "
				    "alerts are queued and only logged.", why,
				    alerts_queued(d->alerts));
			d->warned_no_topic = 1;
		}
		goto report;
	}
	d->warned_no_topic = 0;
	if (!(aws = session_aws(d->session, &e))) {
		snprintf(d->alert_block, sizeof(d->alert_block), "no AWS "
			 "client: %s", err_format(&e, line, sizeof(line)));
		goto report;
	}
	if (!(al = alerts_next(d->alerts, now)))
		goto report;
	params = alerts_publish_params(d->alerts, al, topic);
	if (!params || aws_call(aws, "sns", NULL, "Publish", params, 0,
				on_alert_sent, d, &e)) {
		alerts_sent(d->alerts, 0);
		if (params) {
			err_format(&e, line, sizeof(line));
			snprintf(d->alert_block, sizeof(d->alert_block),
				 "publishing to SNS failed: %s", line);
			log_warning(&c, "An alert could not be published: "
				    "%s; it stays queued.", line);
		}
	} else {
		d->alert_in_flight = 1;
	}
	cJSON_Delete(params);
report:
	arm_summary_timer(d);
	/* A drop says why alerts piled up: the reason the last send could
	 * not happen, or else that more were raised at once than the queue
	 * holds. */
	if (alerts_dropped(d->alerts) > d->alerts_dropped_logged) {
		c.err = NULL;
		log_error(&c, "%llu alerts were dropped because the alert queue "
			  "was full: %s; see the journal for what they said.",
			  (unsigned long long)(alerts_dropped(d->alerts) -
					       d->alerts_dropped_logged),
			  d->alert_block[0] ? d->alert_block :
			  "more alerts were raised at once than the queue "
			  "holds");
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

/* The drift of one item as {attribute, expected, live} with secrets
 * masked as plans mask them (history.h); NULL when out of memory. */
static cJSON *drift_json(const rec_item_t *it)
{
	return history_changes_json(it);
}

/* ---- who changed it (attribution.h) ----------------------------------- */

/* The last cycle's start, or (reads) when its reads ended: a drift was
 * made before that, and driftd's own revert after. */
static time_t cycle_time(const daemon_t *d, const rec_result_t *r, int reads)
{
	return (time_t)num_floor((double)d->last_cycle_wall - d->last_cycle_s +
				 (reads && r ? r->read_seconds : 0));
}

/* CloudTrail is asked through the current session's client: a reload
 * swaps it. */
static int call_aws(void *ctx, const char *service, const char *region,
		    const char *operation, const cJSON *params, unsigned flags,
		    aws_done_cb cb, void *data, err_t *e)
{
	aws_client_t *c = session_aws(((daemon_t *)ctx)->session, e);

	return c ? aws_call(c, service, region, operation, params, flags, cb,
			    data, e) : -EIO;
}

/* A drift alert waiting for who made the change. */
typedef struct drift_alert {
	daemon_t     *d;
	alert_event_t event;
	char         *address, *subject, *text;
	cJSON        *details;
} drift_alert_t;

/* The attribution goes into the alert's text and details, the log (with
 * its journal fields) and DetectSeconds; then the alert is raised. r
 * NULL: dropped at exit. */
static void on_attributed(void *data, const attrib_result_t *r)
{
	drift_alert_t *da = data;
	daemon_t *d = da->d;
	log_ctx_t c = lctx(d, da->address, "drift", NULL);
	char *text = NULL;

	if (r && r->text[0]) {
		if (asprintf(&text, "%s\n%s", da->text, r->text) < 0)
			text = NULL;
		cJSON_AddItemToObject(da->details, "attribution",
				      cJSON_Duplicate(r->json, 1));
		c.fields = r->fields;
		log_info(&c, "Drift on %s: %s", da->address, r->text);
	}
	if (r && r->change)
		metrics_add(d->metrics, "DetectSeconds", "Seconds",
			    r->detect_seconds, NULL, (double)time(NULL));
	if (r) {
		raise_alert(d, da->event, NULL, da->address, da->subject,
			    text ? text : da->text, da->details);
		flush_alerts(d);
	}
	free(text);
	free(da->address);
	free(da->subject);
	free(da->text);
	cJSON_Delete(da->details);
	free(da);
}

/* A later cycle found who made an earlier drift (or gave up): the history
 * is updated by attribution.c; here the log and DetectSeconds. */
static void on_attributed_late(void *data, const attrib_result_t *r)
{
	daemon_t *d = data;
	log_ctx_t c;

	if (!r)
		return;
	c = lctx(d, r->address, "drift", NULL);
	c.fields = r->fields;
	log_info(&c, "Drift on %s found earlier: %s", r->address, r->text);
	if (r->change)
		metrics_add(d->metrics, "DetectSeconds", "Seconds",
			    r->detect_seconds, NULL, (double)time(NULL));
}

/* A drift (or refused drift) alert the tracker raised waits for who made
 * the change; 0 when it was taken, else the caller raises it as it is. */
static int attribute_alert(daemon_t *d, const rec_result_t *r,
			   const tracker_notice_t *n)
{
	static const attrib_result_t unknown = { .text = "" };
	const rec_item_t *it = NULL;
	const ct_change_t *known = daemon_events_change(d, n->address);
	const char *action;
	drift_alert_t *da;
	size_t i;

	for (i = 0; d->attrib && !it && i < r->n_items; i++)
		if (!strcmp(r->items[i].address, n->address))
			it = &r->items[i];
	if (!it || (n->event != ALERT_DRIFT && n->event != ALERT_REFUSED) ||
	    !(da = calloc(1, sizeof(*da))))
		return -1;
	*da = (drift_alert_t){ d, n->event, strdup(n->address),
			       strdup(n->subject), strdup(n->text),
			       cJSON_Duplicate(n->details, 1) };
	action = cJSON_GetStringValue(cJSON_GetObjectItem(n->details, "action"));
	/* In event-driven mode the event named who made it (events.c). */
	if (!da->address || !da->subject || !da->text || !da->details ||
	    (known ? attrib_drift_known(d->attrib, it, action,
					cycle_time(d, r, 1), known,
					on_attributed, da, NULL) :
	     attrib_drift(d->attrib, it, action, cycle_time(d, r, 1),
			  on_attributed, da, NULL)))
		on_attributed(da, &unknown);   /* alerts without */
	return 0;
}

static tracker_action_t action_of(rec_action_t a)
{
	switch (a) {
	case REC_CREATE:          return TRACKER_ACT_CREATE;
	case REC_UPDATE:          return TRACKER_ACT_UPDATE;
	case REC_REPLACE:
	case REC_REPLACE_REFUSED: return TRACKER_ACT_REPLACE;
	case REC_DELETE:
	case REC_DELETE_REFUSED:  return TRACKER_ACT_DELETE;
	default:                  return TRACKER_ACT_NONE;
	}
}

/* THE mapping from the engine's result to the daemon's policy: every
 * other part of the daemon sees resources only through the tracker. The
 * engine's final states map one to one; a state a run never ends in
 * (it would be an engine bug) says nothing new, as blocked does.
 * o->changes is the caller's to cJSON_Delete. */
static void observe_item(const rec_item_t *it, tracker_obs_t *o)
{
	static const tracker_state_t map[REC_STATE_COUNT] = {
		[REC_S_PENDING]         = TRACKER_BLOCKED,
		[REC_S_UNREADABLE]      = TRACKER_UNREADABLE,
		[REC_S_IN_SYNC]         = TRACKER_IN_SYNC,
		[REC_S_DRIFTED]         = TRACKER_DRIFTED,
		[REC_S_CREATING]        = TRACKER_BLOCKED,
		[REC_S_WAITING]         = TRACKER_BLOCKED,
		[REC_S_UPDATING]        = TRACKER_BLOCKED,
		[REC_S_REPLACING]       = TRACKER_BLOCKED,
		[REC_S_DELETING]        = TRACKER_BLOCKED,
		[REC_S_CHANGED]         = TRACKER_CHANGED,
		[REC_S_REFUSED]         = TRACKER_REFUSED,
		[REC_S_FAILED]          = TRACKER_FAILED,
		[REC_S_BLOCKED]         = TRACKER_BLOCKED,
		[REC_S_DEFERRED]        = TRACKER_DEFERRED,
		[REC_S_OWNED_ELSEWHERE] = TRACKER_OWNED_ELSEWHERE,
		[REC_S_ORPHAN]          = TRACKER_ORPHAN,
		[REC_S_ABSENT]          = TRACKER_ABSENT,
	};
	const err_t *err = rec_item_err(it);

	memset(o, 0, sizeof(*o));
	o->address = it->address;
	o->type = it->type ? it->type->name : "";
	o->state = (unsigned)it->state < REC_STATE_COUNT ? map[it->state] :
		   TRACKER_BLOCKED;
	o->action = action_of(it->action);
	o->present = it->live != NULL;
	o->id = it->id;
	o->owner_env = it->owner_env;
	o->err_code = err->aws_code;
	o->err_message = err->code ? err->message : NULL;
	o->err_request_id = err->request_id;
	o->changes = it->res ? drift_json(it) : NULL;
	/* An orphan (no config resource) that settings.prune deleted. */
	if (!it->res && o->state == TRACKER_CHANGED)
		o->state = TRACKER_ORPHAN;
	else if (!it->res && o->state == TRACKER_DRIFTED) {
		o->state = TRACKER_ORPHAN;
		o->action = TRACKER_ACT_NONE;
	}
	if (o->state == TRACKER_REFUSED)
		o->reason = err->code ? err->message :
			    it->action == REC_DELETE_REFUSED ?
			    "not changed: policy prevent_destroy" :
			    "not changed: needs a replacement and "
			    "allow_replace is not set";
}

/* Carries out what the tracker decided: logs, then alerts (each alert is
 * logged too, so that none is ever lost silently). */
static void carry_out(daemon_t *d, const rec_result_t *r,
		      const tracker_report_t *rep)
{
	size_t i;

	for (i = 0; i < rep->n_notices; i++) {
		const tracker_notice_t *n = &rep->notices[i];
		log_ctx_t c;

		if (n->kind == TRACKER_NOTICE_LOG) {
			c = lctx(d, n->address, n->log_event, NULL);
			log_msg(n->priority, &c, "%s", n->text);
		} else if (attribute_alert(d, r, n)) {
			raise_alert(d, n->event, NULL, n->address, n->subject,
				    n->text, n->details);
		}
	}
}

static void add_metrics(daemon_t *d, const rec_result_t *r,
			const tracker_report_t *rep)
{
	double now = (double)time(NULL);
	aws_stats_t st;
	aws_client_t *aws = session_aws(d->session, NULL);
	size_t j;

	/* An edit's or an event's run sees a few resources: the estate's
	 * gauges are the full cycles'. */
	if (!d->incremental) {
		metrics_add(d->metrics, "ManagedResources", "Count",
			    (double)rep->managed, NULL, now);
		metrics_add(d->metrics, "UnreadableResources", "Count",
			    (double)rep->unreadable, NULL, now);
	}
	metrics_add(d->metrics, "DriftedResources", "Count",
		    (double)rep->drifted, NULL, now);
	for (j = 0; j < rep->n_types; j++)
		metrics_add(d->metrics, "DriftedResources", "Count",
			    (double)rep->types[j].drifted, rep->types[j].type,
			    now);
	metrics_add(d->metrics, "ActionsSucceeded", "Count",
		    (double)rep->succeeded, NULL, now);
	metrics_add(d->metrics, "ActionsFailed", "Count", (double)rep->failed,
		    NULL, now);
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
	/* DetectSeconds (from the change's CloudTrail event to the cycle
	 * that found it) is added when the attribution comes back. */
	metrics_add(d->metrics, "ConfigValid", "Count", d->config_valid ? 1 : 0,
		    NULL, now);
	daemon_events_add_metrics(d, now);
}

/* One cycle's result through the tracker: notices carried out, counts
 * kept for status and metrics. */
static void process_result(daemon_t *d, const rec_result_t *r, time_t now)
{
	tracker_obs_t *obs = calloc(r->n_items ? r->n_items : 1, sizeof(*obs));
	tracker_clock_t clk = { d->environment, cycle_interval(d), now,
				mono_s(d), d->incremental };
	tracker_report_t rep;
	log_ctx_t c = lctx(d, NULL, "cycle", NULL);
	size_t i;

	if (!obs) {
		log_error(&c, "The cycle's outcome could not be processed: "
			  "out of memory.");
		return;
	}
	for (i = 0; i < r->n_items; i++) {
		observe_item(&r->items[i], &obs[i]);
		if (d->attrib)
			attrib_seen(d->attrib, &r->items[i], obs[i].state !=
				    TRACKER_IN_SYNC, cycle_time(d, r, 0));
	}
	if (tracker_cycle(d->tracker, obs, r->n_items, &clk, &rep))
		log_error(&c, "The cycle's outcome was processed only in part: "
			  "out of memory.");
	d->n_managed = rep.managed;
	d->n_drifted = rep.drifted;
	remember_topic(d);
	carry_out(d, r, &rep);
	if (d->attrib)
		attrib_retry(d->attrib, now);
	add_metrics(d, r, &rep);
	tracker_report_free(&rep);
	for (i = 0; i < r->n_items; i++)
		cJSON_Delete((cJSON *)obs[i].changes);
	free(obs);
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
	int event_run = d->event_run;

	d->running = 0;
	d->event_run = 0;
	d->cycles++;
	d->last_cycle_wall = now;
	d->last_cycle_s = r ? r->total_seconds : 0;
	if (err && err->code)
		log_error(&c, "The reconcile cycle failed as a whole: %s. "
			  "driftd tries again next cycle.",
			  err_format(err, line, sizeof(line)));
	if (r && d->incremental) {
		/* An edit's run holds only what the edit touched: the estate's
		 * counts and the last full result stay the last full cycle's. */
		size_t managed = d->n_managed, drifted = d->n_drifted;

		process_result(d, r, now);
		d->n_managed = managed;
		d->n_drifted = drifted;
		/* The next edit's cache: the one this run was made from,
		 * with what it read in place (rec_result_carry). */
		if (d->carry && !d->last) {
			d->last = rec_result_carry(d->carry,
						   session_config(d->session), r);
			d->carry = NULL;
			daemon_events_configure(d);
		} else {
			rec_result_free(r);
		}
	} else if (r) {
		rec_result_free(d->last);
		d->last = r;
		daemon_events_configure(d);
		process_result(d, r, now);
		/* Kept until the next full cycle for edits' and events' runs,
		 * and read for the alert topic and event queues: only what
		 * they read, the live items packed (rec_result_keep). */
		rec_result_keep(d->last);
	}
	d->incremental = 0;
	daemon_events_run_ended(d);
	/* Between cycles the heap in use is flat (about 2 MB for the dev
	 * estate, massif over 150 cycles) while RSS crept up 132 KiB over
	 * 900 cycles: freed memory glibc kept, not objects driftd holds.
	 * Hand it back once a cycle. */
	malloc_trim(0);
	if (!d->ready) {
		d->ready = 1;
		sdproto_notify("READY=1");
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
	/* Events that came during a run are reconciled now; an event's run
	 * leaves the full cycle's timer as it was. */
	daemon_events_kick(d);
	if (!d->running && !(event_run &&
			     uv_is_active((uv_handle_t *)&d->cycle_timer)))
		schedule_next(d);
}

static int skip_backing_off(void *ctx, const rec_item_t *item)
{
	daemon_t *d = ctx;

	if (!daemon_lease_may_write(d))
		return 1;
	return tracker_backing_off(d->tracker, item->address, mono_s(d));
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
	else if (ev == REC_EVENT_STATE) {
		/* Every transition goes to the journal (DRIFTD_EVENT=state);
		 * the one every resource makes every cycle only at debug. */
		c.event = "state";
		log_msg(item->state == REC_S_IN_SYNC &&
			!strncmp(message, "pending -> ", 11) ? LOG_DEBUG :
			LOG_INFO, &c, "%s: %s", item->address, message);
	}
	/* Failures are logged once, with their backoff, after the cycle. */
}

/* A cycle; with cached set, an edit's incremental run of the n_only
 * addresses at only and their dependants against it (reconcile.h). */
static void start_run(daemon_t *d, const rec_result_t *cached,
		      const char *const *only, size_t n_only)
{
	rec_opts_t o;
	err_t e;
	char line[ERR_MSG_MAX + 256];
	log_ctx_t c = lctx(d, NULL, "cycle", &e);

	if (d->running || d->stopping)
		return;
	if (!d->event_run)
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
	o.cached = cached;
	o.only = only;
	o.n_only = n_only;
	if (!(o.aws = session_aws(d->session, &e)) ||
	    !(o.journal = session_journal(d->session, &e)) ||
	    !(o.secret_key = session_secret_key(d->session)) ||
	    rec_run(&o, on_cycle_done, d, &e)) {
		log_error(&c, "A reconcile cycle could not start: %s. driftd "
			  "tries again next interval.",
			  err_format(&e, line, sizeof(line)));
		if (!d->event_run)
			schedule_next(d);
		return;
	}
	d->running = 1;
	d->incremental = cached != NULL;
}

static void start_cycle(daemon_t *d)
{
	start_run(d, NULL, NULL, 0);
}

/* A full cycle due while an event's run goes waits for it. */
static void on_cycle_timer(uv_timer_t *t)
{
	daemon_t *d = t->data;

	if (d->running)
		d->cycle_pending = 1;
	else
		start_cycle(d);
}

int daemon_reconcile_only(daemon_t *d, const char *const *only, size_t n)
{
	if (d->running || d->stopping || d->reload_pending)
		return -EBUSY;
	if (!d->last)
		return -ENOENT;
	d->event_run = 1;
	start_run(d, d->last, only, n);
	if (!d->running) {
		d->event_run = 0;
		return -EAGAIN;
	}
	return 0;
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
	if (address)
		tracker_retry_now(d->tracker, address);
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

static int reload(daemon_t *d, int quiet);

static void on_debounce(uv_timer_t *t)
{
	daemon_t *d = t->data;

	if (d->quick) {
		d->quick = 0;
		/* Quick try: a config that does not load yet is an editor
		 * mid-write until the debounce says otherwise. Whether a run
		 * goes is asked first: asked after the try, which starts
		 * one, every edit that loaded was loaded again when its run
		 * ended, found unchanged, and a full cycle ran at once. */
		if (d->running)
			d->reload_pending = 1;
		else if (!d->stopping && reload(d, 1))
			uv_timer_start(&d->debounce_timer, on_debounce,
				       DEBOUNCE_MS - QUICK_MS, 0);
		return;
	}
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
	d->quick = 1;
	uv_timer_start(&d->debounce_timer, on_debounce, QUICK_MS, 0);
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

/* Loads the config again and reconciles it: what the edit changed at
 * once, in an incremental run against the last cycle's result
 * (rec_edited, reconcile.h), else a full cycle. quiet: a config that does
 * not load is not reported (returns 1; the caller tries again later). */
static int reload(daemon_t *d, int quiet)
{
	config_errors_t *errs = NULL;
	session_t *s, *old;
	rec_result_t *cached;
	char **only = NULL;
	size_t n_only = 0, i;
	int edited = 1;
	err_t e;
	log_ctx_t c = lctx(d, NULL, "config", NULL);

	d->reload_pending = 0;
	if (d->stopping)
		return 0;
	s = load_session(d, &errs, &e);
	if (!s && quiet) {
		config_errors_free(errs);
		return 1;
	}
	sdproto_notify("RELOADING=1");
	if (!s) {
		d->config_valid = 0;
		config_rejected(d, errs, &e);
		config_errors_free(errs);
		metrics_add(d->metrics, "ConfigValid", "Count", 0, NULL,
			    (double)time(NULL));
		daemon_flush_metrics(d);
		flush_alerts(d);
		sdproto_notify("READY=1");
		notify_status(d);
		if (!d->running && !uv_is_active((uv_handle_t *)&d->cycle_timer))
			schedule_next(d);
		return 0;
	}
	config_errors_free(errs);
	alerts_resolve(d->alerts, "config|");
	/* The last result points into the old config: the incremental run
	 * copies what it needs from it as it starts; both go after. */
	cached = d->last;
	d->last = NULL;
	old = d->session;
	if (cached && d->config_valid)
		edited = rec_edited(session_config(old), session_config(s),
				    &only, &n_only, &e);
	d->session = s;
	daemon_events_configure(d);
	snprintf(d->environment, sizeof(d->environment), "%s",
		 session_environment(s));
	memset(&d->stats, 0, sizeof(d->stats));
	d->config_valid = 1;
	watch_config(d);
	if (edited == 0 && n_only)
		log_info(&c, "The config in %s was reloaded (%zu resources); "
			 "reconciling the %zu it changes now, all of them "
			 "next interval.", d->args->config_dir,
			 config_resource_count(session_config(s)), n_only);
	else
		log_info(&c, "The config in %s was reloaded (%zu resources); "
			 "reconciling it now.", d->args->config_dir,
			 config_resource_count(session_config(s)));
	sdproto_notify("READY=1");
	if (edited == 0 && n_only)
		start_run(d, cached, (const char *const *)only, n_only);
	else
		start_cycle(d);
	for (i = 0; i < n_only; i++)
		free(only[i]);
	free(only);
	/* An edit's run keeps only what it touched: the cache goes on, on
	 * the new config, for the edit after (its end carries it over). */
	rec_result_free(d->carry);
	d->carry = NULL;
	if (d->running && d->incremental && cached)
		d->carry = rec_result_carry(cached, session_config(s), NULL);
	else
		rec_result_free(cached);
	if (!daemon_events_hold_session(d, old))
		session_close_async(old, NULL, NULL);
	return 0;
}

static void do_reload(daemon_t *d)
{
	reload(d, 0);
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
	close_if((uv_handle_t *)&d->summary_timer);
	close_if((uv_handle_t *)&d->sig_hup);
	close_if((uv_handle_t *)&d->sig_term);
	close_if((uv_handle_t *)&d->sig_int);
	unwatch(d);
	ctl_server_close(d);
	daemon_events_close(d);
	attrib_free(d->attrib);
	d->attrib = NULL;
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
	sdproto_notify("STATUS=Stopped during a cycle.");
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
	sdproto_notify("STOPPING=1");
	log_info(&c, "%s received: driftd stops %s.", strsignal(signum),
		 d->running ? "once the running cycle finishes" : "now");
	uv_timer_stop(&d->cycle_timer);
	uv_timer_start(&d->stop_timer, on_stop_timeout, STOP_GRACE_MS, 0);
	uv_unref((uv_handle_t *)&d->stop_timer);
	daemon_lease_release(d);
	daemon_maybe_exit(d);
}

/* ---- the command ------------------------------------------------------ */

static int start_attribution(daemon_t *d, err_t *e)
{
	char *dir = daemon_state_dir(d);
	attrib_opts_t o = { d->loop, call_aws, d, dir, config_settings(
			    session_config(d->session))->history_max_bytes,
			    d->environment, 0, on_attributed_late, d };
	int rc = dir ? attrib_open(&o, &d->attrib, e) :
		       err_set(e, -ENOMEM, "out of memory");

	free(dir);
	return rc;
}

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
	tracker_opts_t to = { 0, 0 };
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
	to.unreadable_cycles = a.unreadable_cycles;
	d.tracker = tracker_new(&to);
	if (!d.metrics || !d.alerts || !d.tracker) {
		log_error(&c, "driftd cannot start: out of memory.");
		goto out;
	}
	if (start_attribution(&d, &e))
		log_warning(&c, "Who changes drifted resources will not be "
			    "looked up nor drift recorded: %s.",
			    err_format(&e, line, sizeof(line)));
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
	uv_timer_init(&loop, &d.summary_timer);
	d.cycle_timer.data = d.watchdog_timer.data = d.debounce_timer.data =
		d.stop_timer.data = d.summary_timer.data = &d;
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
	daemon_events_configure(&d);
	start_cycle(&d);
	uv_run(&loop, UV_RUN_DEFAULT);
	rc = 0;
	log_info(&c, "driftd stopped.");
out:
	daemon_events_close(&d);
	attrib_free(d.attrib);
	if (d.session)
		session_close_async(d.session, NULL, NULL);
	ctl_server_close(&d);
	daemon_lease_close(&d);
	uv_walk(&loop, on_walk_close, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	daemon_events_free(&d);
	rec_result_free(d.last);
	rec_result_free(d.carry);
	tracker_free(d.tracker);
	free(d.topic_arn);
	free(d.topic_setting);
	metrics_free(d.metrics);
	alerts_free(d.alerts);
	return rc;
}
