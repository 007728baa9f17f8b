/* pair — the daemon's side of settings.lease (lib/lease.h): two daemons
 * for one environment, one writer.
 *
 * The lease calls DynamoDB through the session's client (whichever
 * session is current: a reload swaps it), logs every transition, starts
 * a cycle the moment this daemon becomes the holder, and answers the
 * engine's skip hook: while not the holder every change is held back, so
 * a standby reads, plans and reports but never writes. Before each apply
 * batch the holder's lease is checked (a conditional renewal) unless one
 * succeeded within PAIR_CHECK_MAX_AGE_MS; mid-batch, a renewal refused by
 * the condition or a deadline passed stops the writes not yet started.
 * Without settings.lease all of this is a no-op and the daemon writes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "daemon.h"
#include "lease.h"
#include "log.h"

#define PAIR_CHECK_MAX_AGE_MS 1000

static int call_dynamodb(void *ctx, const char *operation,
			 const cJSON *params, lease_reply_fn done, void *data,
			 err_t *e)
{
	daemon_t *d = ctx;
	aws_client_t *aws = d->session ? session_aws(d->session, e) : NULL;

	if (!aws)
		return e->code ? e->code : err_set(e, -ENOTCONN,
						   "no AWS client");
	return aws_call(aws, "dynamodb", NULL, operation, params, 0, done,
			data, e);
}

static void on_lease_event(void *ctx, lease_state_t from, lease_state_t to,
			   const char *why, const err_t *e)
{
	daemon_t *d = ctx;
	log_ctx_t c = { d->environment, NULL, "lease", e, NULL };
	char line[ERR_MSG_MAX + 256];

	if (from == to) {
		log_warning(&c, "Lease: %s failed: %s; still %s.", why,
			    err_format(e, line, sizeof(line)),
			    lease_state_name(to));
		return;
	}
	if (to == LEASE_LOST)
		log_warning(&c, "Lease: %s -> %s: %s.", lease_state_name(from),
			    lease_state_name(to), why);
	else
		log_info(&c, "Lease: %s -> %s: %s.", lease_state_name(from),
			 lease_state_name(to), why);
	if (to == LEASE_HOLDER && from != LEASE_HOLDER && !d->stopping)
		daemon_request_cycle(d, NULL);
}

int daemon_lease_open(daemon_t *d, err_t *e)
{
	const config_lease_t *cl =
		config_settings(session_config(d->session))->lease;
	lease_opts_t o;

	if (!cl)
		return 0;
	memset(&o, 0, sizeof(o));
	o.loop = d->loop;
	o.table = cl->table;
	o.name = cl->name ? cl->name : d->environment;
	o.duration_s = cl->duration_s;
	o.create_table = cl->create_table;
	o.call = call_dynamodb;
	o.call_ctx = d;
	o.event = on_lease_event;
	o.event_ctx = d;
	return lease_new(&o, &d->lease, e);
}

int daemon_lease_may_write(const daemon_t *d)
{
	return !d->lease || lease_may_write(d->lease);
}

static void on_checked(void *data)
{
	daemon_t *d = data;

	d->lease_checked = 1;
	if (!d->stopping)
		daemon_request_cycle(d, NULL);
}

int daemon_lease_check(daemon_t *d)
{
	if (d->lease_checked || !d->lease) {
		d->lease_checked = 0;
		return 1;
	}
	return lease_check(d->lease, PAIR_CHECK_MAX_AGE_MS, on_checked, d);
}

static void on_released(void *data)
{
	daemon_t *d = data;

	d->lease_releasing = 0;
	daemon_maybe_exit(d);
}

/* Only a release is waited for: any other call in flight is cancelled
 * with the session. */
void daemon_lease_release(daemon_t *d)
{
	d->lease_releasing = d->lease &&
			     !lease_release(d->lease, on_released, d);
}

void daemon_lease_close(daemon_t *d)
{
	lease_free(d->lease);
	d->lease = NULL;
}

/* `driftd status`: who holds the lease, as this daemon last read it. */
void daemon_lease_json(const daemon_t *d, cJSON *doc)
{
	lease_info_t in;
	cJSON *o;
	char when[32] = "-";
	struct tm tm;
	time_t t;

	if (!d->lease || !(o = cJSON_AddObjectToObject(doc, "lease")))
		return;
	lease_info(d->lease, &in);
	cJSON_AddStringToObject(o, "state", lease_state_name(in.state));
	cJSON_AddBoolToObject(o, "holder", in.may_write);
	cJSON_AddStringToObject(o, "me", in.me);
	cJSON_AddStringToObject(o, "owner", in.owner);
	cJSON_AddNumberToObject(o, "fencing_counter", (double)in.fence);
	t = (time_t)in.expires;
	if (t > 0 && gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(o, "expires", when);
	cJSON_AddStringToObject(o, "table", in.table);
	cJSON_AddStringToObject(o, "name", in.name);
	cJSON_AddNumberToObject(o, "duration_seconds", in.duration_s);
}
