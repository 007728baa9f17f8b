/* attribution — see attribution.h. */
#include "attribution.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "pool.h"
#include "proto.h"

typedef struct seen {
	char   *address;      /* in a->pool                                 */
	char   *id;           /* its AWS id when last read: a resource deleted
				 out of band is looked up by it; in a->pool,
				 id_room bytes, written over by a new id
				 that fits                                  */
	size_t  id_room;
	time_t  in_sync;      /* the start of the last cycle it was in sync */
	cJSON  *latest;       /* the newest result's JSON                    */
} seen_t;

struct attrib {
	attrib_opts_t o;
	char         *environment;
	ct_t         *ct;
	history_t    *hist;
	seen_t       *seen;
	size_t        nseen;
	pool_t        pool;          /* the seen addresses and ids (pool.h) */
	size_t        outstanding;   /* lookups started, not come back    */
	int           closing, in_free;
};

/* One lookup: a drift just found, or (late) a pending record. */
typedef struct job {
	attrib_t   *a;
	int         late;
	char        id[HISTORY_ID_MAX];
	char       *address, *type, *region, *resource_id, *action;
	char       *names[CT_NAMES_MAX];
	cJSON      *changes;
	time_t      since, detected;
	time_t      asked;        /* late: the attrib_retry's now          */
	attrib_fn   cb;
	void       *data;
	uv_timer_t  timer;        /* wait_s for a drift's first result     */
	int         timing;       /* the timer is initialized              */
} job_t;

static void job_free_now(job_t *j)
{
	size_t i;

	free(j->address);
	free(j->type);
	free(j->region);
	free(j->resource_id);
	free(j->action);
	for (i = 0; i < CT_NAMES_MAX; i++)
		free(j->names[i]);
	cJSON_Delete(j->changes);
	free(j);
}

static void job_closed(uv_handle_t *h)
{
	job_free_now(h->data);
}

/* A job with a timer is freed once the timer is closed. */
static void job_free(job_t *j)
{
	if (!j)
		return;
	if (j->timing) {
		j->timing = 0;
		uv_close((uv_handle_t *)&j->timer, job_closed);
		return;
	}
	job_free_now(j);
}

static seen_t *seen_of(attrib_t *a, const char *address, int create)
{
	seen_t *grown;
	size_t i;

	for (i = 0; i < a->nseen; i++)
		if (!strcmp(a->seen[i].address, address))
			return &a->seen[i];
	if (!create || !(grown = realloc(a->seen, (a->nseen + 1) * sizeof(*grown))))
		return NULL;
	a->seen = grown;
	memset(&a->seen[a->nseen], 0, sizeof(seen_t));
	if (!(a->seen[a->nseen].address = pool_strdup(&a->pool, address)))
		return NULL;
	return &a->seen[a->nseen++];
}

int attrib_open(const attrib_opts_t *o, attrib_t **out, err_t *e)
{
	attrib_t *a = calloc(1, sizeof(*a));
	ct_opts_t co = { o->loop, o->call, o->call_ctx, NULL };
	int rc;

	*out = NULL;
	if (!a)
		return err_set(e, -ENOMEM, "out of memory");
	a->o = *o;
	a->environment = o->environment ? strdup(o->environment) : NULL;
	if (!(a->ct = ct_new(&co)) || (o->environment && !a->environment)) {
		attrib_free(a);
		return err_set(e, -ENOMEM, "out of memory");
	}
	if ((rc = history_open(o->state_dir, o->history_max, &a->hist, e))) {
		attrib_free(a);
		return rc;
	}
	a->o.state_dir = NULL;     /* not kept: the history has its own copy */
	a->o.environment = a->environment;
	*out = a;
	return 0;
}

static void destroy(attrib_t *a)
{
	size_t i;

	for (i = 0; i < a->nseen; i++)
		cJSON_Delete(a->seen[i].latest);
	free(a->seen);
	pool_free(&a->pool);
	history_free(a->hist);
	free(a->environment);
	free(a);
}

void attrib_free(attrib_t *a)
{
	if (!a)
		return;
	a->closing = 1;
	a->in_free = 1;
	ct_free(a->ct);          /* lookups waiting come back cancelled */
	a->ct = NULL;
	a->in_free = 0;
	if (!a->outstanding)
		destroy(a);
}

void attrib_seen(attrib_t *a, const rec_item_t *it, int drifted,
		 time_t read_start)
{
	seen_t *s;
	char *id;
	size_t n;

	if (!it->res || !it->live || !(s = seen_of(a, it->address, 1)))
		return;
	if (!drifted)
		s->in_sync = read_start;
	/* A drift's id is the one it had before (a recreate has a new one):
	 * kept, unless none was known (driftd just created it). */
	if (!it->id || (s->id && (drifted || !strcmp(s->id, it->id))))
		return;
	n = strlen(it->id) + 1;
	if (s->id && n <= s->id_room) {
		memcpy(s->id, it->id, n);
	} else if ((id = pool_alloc(&a->pool, n))) {
		/* An id that outgrows its room takes more: bounded by the
		 * longest id, as a room never shrinks. */
		s->id = memcpy(id, it->id, n);
		s->id_room = n;
	}
}

/* ---- the result handed to the daemon ---------------------------------- */

static cJSON *result_json(history_attribution_t at, const ct_change_t *ch,
			  double detect_seconds, const err_t *err)
{
	char why[ERR_MSG_MAX + 256];
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "attribution", history_attribution_name(at));
	if (at == HISTORY_FOUND && ch) {
		cJSON_AddItemToObject(o, "changed_by", ct_change_json(ch));
		cJSON_AddNumberToObject(o, "detect_seconds", detect_seconds);
	}
	if (at == HISTORY_FAILED && err)
		cJSON_AddStringToObject(o, "error", err_format(err, why, sizeof(why)));
	return o;
}

/* Journal fields, "NAME=value", NULL-ended. */
typedef struct fields {
	char        buf[ATTRIB_FIELDS_MAX - 1][700];
	const char *ptr[ATTRIB_FIELDS_MAX];
	size_t      n;
} fields_t;

static void add_field(fields_t *f, const char *name, const char *value)
{
	if (f->n + 1 >= ATTRIB_FIELDS_MAX)
		return;
	snprintf(f->buf[f->n], sizeof(f->buf[0]), "%s=%s", name, value);
	f->ptr[f->n] = f->buf[f->n];
	f->ptr[++f->n] = NULL;
}

static void emit(job_t *j, history_attribution_t at, const ct_change_t *ch,
		 const err_t *err)
{
	attrib_t *a = j->a;
	char text[2048], ts[40], num[32], why[ERR_MSG_MAX + 256];
	fields_t f = { .n = 0 };
	attrib_result_t r;
	double detect = ch ? ct_detect_seconds(ch, j->detected) : 0;
	seen_t *s;

	memset(&r, 0, sizeof(r));
	text[0] = '\0';
	if (at == HISTORY_FOUND && ch) {
		proto_time_format((double)ch->event_time, ts, sizeof(ts));
		snprintf(num, sizeof(num), "%.0f", detect);
		snprintf(text, sizeof(text), "Changed by %s (%s at %s from %s, "
			 "%s); driftd found it %s s later.", ch->principal,
			 ch->event_name, ts, ch->source_ip, ch->user_agent, num);
		add_field(&f, "DRIFTD_CHANGED_BY", ch->principal);
		add_field(&f, "DRIFTD_CHANGE_EVENT", ch->event_name);
		add_field(&f, "DRIFTD_CHANGE_TIME", ts);
		add_field(&f, "DRIFTD_SOURCE_IP", ch->source_ip);
		add_field(&f, "DRIFTD_USER_AGENT", ch->user_agent);
		add_field(&f, "DRIFTD_DETECT_SECONDS", num);
	} else {
		if (at == HISTORY_PENDING)
			snprintf(text, sizeof(text), "Who changed it is not in "
				 "CloudTrail yet (it delivers events within "
				 "about 15 minutes); driftd looks again each "
				 "cycle.");
		else if (at == HISTORY_NOT_FOUND)
			snprintf(text, sizeof(text), "CloudTrail showed no "
				 "write to it within %d minutes of the drift; "
				 "who changed it stays unknown.",
				 CT_GIVE_UP_S / 60);
		else if (at == HISTORY_FAILED)
			snprintf(text, sizeof(text), "Who changed it is "
				 "unknown: the CloudTrail lookup failed: %s.",
				 err ? err_format(err, why, sizeof(why)) : "?");
		add_field(&f, "DRIFTD_ATTRIBUTION", history_attribution_name(at));
	}
	r.address = j->address;
	r.late = j->late;
	r.attribution = at;
	r.change = at == HISTORY_FOUND ? ch : NULL;
	r.detect_seconds = detect;
	r.detected = j->detected;
	r.text = text;
	r.fields = f.ptr;
	r.json = result_json(at, ch, detect, err);
	if ((s = seen_of(a, j->address, 1)) && r.json) {
		cJSON_Delete(s->latest);
		s->latest = cJSON_Duplicate(r.json, 1);
	}
	if (j->cb)
		j->cb(j->data, &r);
	cJSON_Delete((cJSON *)r.json);
}

/* ---- a drift just found ------------------------------------------------ */

static void record(job_t *j, history_attribution_t at, const ct_change_t *ch,
		   const err_t *err)
{
	char why[ERR_MSG_MAX + 256];
	history_drift_t d;
	size_t i;

	memset(&d, 0, sizeof(d));
	d.environment = j->a->environment;
	d.address = j->address;
	d.type = j->type;
	d.region = j->region;
	d.resource_id = j->resource_id;
	for (i = 0; i < CT_NAMES_MAX; i++)
		d.names[i] = j->names[i];
	d.changes = j->changes;
	d.action = j->action;
	d.since = j->since;
	d.detected = j->detected;
	d.attribution = at;
	d.changed_by = ch;
	d.error = err ? err_format(err, why, sizeof(why)) : NULL;
	/* A history that cannot be written loses the record, not the alert;
	 * the next drift tries again. A pending one's id is kept for its
	 * update. */
	history_drift(j->a->hist, &d, j->id, NULL);
}

static void on_lookup(void *data, ct_outcome_t outcome, const ct_change_t *ch,
		      const err_t *e)
{
	job_t *j = data;
	attrib_t *a = j->a;
	time_t now = j->late ? j->asked : time(NULL);
	history_attribution_t at = outcome == CT_FOUND ? HISTORY_FOUND :
				   outcome == CT_NOT_FOUND ? HISTORY_PENDING :
				   HISTORY_FAILED;

	a->outstanding--;
	if (j->timing)
		uv_timer_stop(&j->timer);
	if (a->closing) {
		/* Dropped: a drift just found is recorded pending, and a
		 * pending record stays so, for the next start to look up;
		 * the caller frees what data holds. */
		if (!j->late && a->hist)
			record(j, HISTORY_PENDING, NULL, NULL);
		if (j->cb)
			j->cb(j->data, NULL);
	} else if (!j->late) {
		record(j, at, ch, e);
		emit(j, at, ch, e);
	} else if (at == HISTORY_FOUND ||
		   (at != HISTORY_FAILED && now - j->detected > CT_GIVE_UP_S)) {
		if (at == HISTORY_PENDING)
			at = HISTORY_NOT_FOUND;
		if (!history_update(a->hist, j->id, at, ch, NULL, now, NULL))
			emit(j, at, ch, NULL);
	}
	job_free(j);
	if (a->closing && !a->outstanding && !a->in_free)
		destroy(a);
}

static int add_name(job_t *j, size_t *n, const char *v)
{
	size_t i;

	if (!v || !*v || *n >= CT_NAMES_MAX)
		return 0;
	for (i = 0; i < *n; i++)
		if (!strcmp(j->names[i], v))
			return 0;
	return (j->names[(*n)++] = strdup(v)) ? 0 : -ENOMEM;
}

static int start(job_t *j, err_t *e)
{
	ct_query_t q;
	size_t i;
	int rc;

	memset(&q, 0, sizeof(q));
	q.region = j->region;
	for (i = 0; i < CT_NAMES_MAX; i++)
		q.names[i] = j->names[i];
	q.since = j->since;
	q.until = j->detected;
	if ((rc = ct_lookup(j->a->ct, &q, on_lookup, j, e)))
		return rc;
	j->a->outstanding++;
	return 0;
}

/* What CloudTrail names the resource by: the id it had when last read
 * (a resource deleted by hand and recreated this cycle has a new one),
 * its id, its ARN, its name attributes (as configured, else as read). */
static int lookup_names(job_t *j, const rec_item_t *it, const seen_t *s)
{
	const char *const *na;
	const cJSON *v;
	size_t n = 0;
	int rc = add_name(j, &n, s ? s->id : NULL);

	if (!rc)
		rc = add_name(j, &n, it->id);

	if (!rc && it->type->arn_path && it->live)
		rc = add_name(j, &n, cJSON_GetStringValue(
			json_get_path(it->live, it->type->arn_path)));
	for (na = it->type->name_attrs; !rc && na && *na; na++) {
		v = it->desired ? cJSON_GetObjectItem(it->desired, *na) : NULL;
		if (!v && it->live)
			v = cJSON_GetObjectItem(it->live, *na);
		rc = add_name(j, &n, cJSON_GetStringValue(v));
	}
	return rc;
}

/* wait_s passed and the lookup is still out: the drift is handed over
 * (and recorded) as pending, and the lookup's answer settles it late. */
static void on_wait(uv_timer_t *t)
{
	job_t *j = t->data;
	attrib_t *a = j->a;

	record(j, HISTORY_PENDING, NULL, NULL);
	emit(j, HISTORY_PENDING, NULL, NULL);
	j->late = 1;
	j->asked = time(NULL);
	j->cb = a->o.late;
	j->data = a->o.late_data;
}

/* A drift's job, its lookup names filled; NULL: out of memory. */
static job_t *drift_job(attrib_t *a, const rec_item_t *it, const char *action,
			time_t read_end, attrib_fn cb, void *data)
{
	job_t *j = calloc(1, sizeof(*j));
	seen_t *s = seen_of(a, it->address, 0);

	if (!j)
		return NULL;
	j->a = a;
	j->cb = cb;
	j->data = data;
	j->detected = read_end;
	j->since = s && s->in_sync && s->in_sync <= read_end ? s->in_sync : 0;
	j->address = strdup(it->address);
	j->type = strdup(it->type->name);
	j->region = strdup(it->region);
	j->resource_id = it->id ? strdup(it->id) : NULL;
	j->action = strdup(action ? action : "");
	j->changes = history_changes_json(it);
	if (!j->address || !j->type || !j->region || !j->action ||
	    !j->changes || (it->id && !j->resource_id) || lookup_names(j, it, s)) {
		job_free(j);
		return NULL;
	}
	return j;
}

int attrib_drift(attrib_t *a, const rec_item_t *it, const char *action,
		 time_t read_end, attrib_fn cb, void *data, err_t *e)
{
	job_t *j = drift_job(a, it, action, read_end, cb, data);
	int rc;

	if (!j)
		return err_set(e, -ENOMEM, "out of memory");
	if (!j->names[0] || !*j->region) {
		/* A singleton without an id: nothing to ask CloudTrail by. */
		record(j, HISTORY_OFF, NULL, NULL);
		emit(j, HISTORY_OFF, NULL, NULL);
		job_free(j);
		return 0;
	}
	if ((rc = start(j, e))) {
		job_free(j);
		return rc;
	}
	uv_timer_init(a->o.loop, &j->timer);
	j->timer.data = j;
	j->timing = 1;
	uv_timer_start(&j->timer, on_wait, (uint64_t)((a->o.wait_s > 0 ?
			a->o.wait_s : ATTRIB_WAIT_S) * 1000), 0);
	return 0;
}

int attrib_drift_known(attrib_t *a, const rec_item_t *it, const char *action,
		       time_t read_end, const ct_change_t *ch, attrib_fn cb,
		       void *data, err_t *e)
{
	job_t *j = drift_job(a, it, action, read_end, cb, data);

	if (!j)
		return err_set(e, -ENOMEM, "out of memory");
	record(j, HISTORY_FOUND, ch, NULL);
	emit(j, HISTORY_FOUND, ch, NULL);
	job_free(j);
	return 0;
}

/* ---- late: the pending records ---------------------------------------- */

static job_t *late_job(attrib_t *a, const history_pending_t *p, time_t now)
{
	job_t *j = calloc(1, sizeof(*j));
	size_t k;

	if (!j)
		return NULL;
	j->a = a;
	j->late = 1;
	j->asked = now;
	j->cb = a->o.late;
	j->data = a->o.late_data;
	snprintf(j->id, sizeof(j->id), "%s", p->id);
	j->since = p->since;
	j->detected = p->detected;
	j->address = strdup(p->address);
	j->region = strdup(p->region);
	for (k = 0; k < CT_NAMES_MAX && p->names[k]; k++)
		if (!(j->names[k] = strdup(p->names[k])))
			break;
	if (!j->address || !j->region || (k < CT_NAMES_MAX && p->names[k])) {
		job_free(j);
		return NULL;
	}
	return j;
}

void attrib_retry(attrib_t *a, time_t now)
{
	const history_pending_t *p;
	job_t *j;
	size_t i = 0;

	if (a->closing || a->outstanding)
		return;   /* one round at a time: the last one is still out */
	while ((p = history_pending_at(a->hist, i))) {
		if (now - p->detected <= CT_GIVE_UP_S && p->names[0]) {
			i++;
			continue;
		}
		/* Given up: settled once, and taken off the pending list. */
		j = late_job(a, p, now);
		if (history_update(a->hist, p->id, HISTORY_NOT_FOUND, NULL, NULL,
				   now, NULL)) {
			job_free(j);
			i++;
			continue;
		}
		if (j)
			emit(j, HISTORY_NOT_FOUND, NULL, NULL);
		job_free(j);
	}
	for (i = 0; (p = history_pending_at(a->hist, i)); i++)
		if ((j = late_job(a, p, now)) && start(j, NULL))
			job_free(j);
}

const cJSON *attrib_latest(const attrib_t *a, const char *address)
{
	size_t i;

	for (i = 0; i < a->nseen; i++)
		if (!strcmp(a->seen[i].address, address))
			return a->seen[i].latest;
	return NULL;
}
