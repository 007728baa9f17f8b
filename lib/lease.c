/* lease — the DynamoDB lease's state machine (see lease.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "lease.h"

#define A_KEY     "name"
#define A_OWNER   "owner"
#define A_FENCE   "fence"
#define A_VERSION "version"
#define A_EXPIRES "expires"

/* How soon a table still CREATING is looked at again. */
#define TABLE_POLL_MS 1000

typedef enum lease_op {
	OP_NONE, OP_DESCRIBE, OP_CREATE, OP_READ, OP_ACQUIRE, OP_RENEW,
	OP_RELEASE,
} lease_op_t;

/* One call in flight. Its lease pointer is cleared when the lease is
 * freed first, so that the answer is dropped. */
typedef struct lease_call {
	lease_t    *l;
	lease_op_t  op;
	uint64_t    sent_ms;
	uint64_t    fence, version;   /* what the write sets */
} lease_call_t;

struct lease {
	lease_opts_t  o;
	char          table[256], name[256], me[LEASE_OWNER_MAX];
	lease_state_t state;
	uv_timer_t   *timer;          /* NULL without a loop */
	lease_call_t *call;           /* in flight, or NULL */
	int           table_ready, released, release_pending;
	/* Ours, while HOLDER (and remembered through LOST). */
	uint64_t      fence, version, deadline_ms, last_ok_sent_ms;
	int           have_ok;
	/* The item as last read. */
	char          owner[LEASE_OWNER_MAX];
	uint64_t      item_fence, item_version;
	int64_t       item_expires;
	int           item_present;
	/* A standby's observation: the (fence, version) seen since when. */
	uint64_t      obs_fence, obs_version, obs_at_ms;
	int           obs_valid;
	char          last_problem[ERR_CODE_MAX + 64];
	void        (*check_done)(void *data);
	void         *check_data;
	void        (*release_done)(void *data);
	void         *release_data;
};

static const char *const state_names[] = {
#define LEASE_NAME_(n, s) s,
	LEASE_STATES(LEASE_NAME_)
#undef LEASE_NAME_
};

const char *lease_state_name(lease_state_t s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(*state_names) ?
	       state_names[s] : "?";
}

uint64_t lease_margin_ms(int duration_s)
{
	uint64_t m = (uint64_t)duration_s * 1000 / 6;

	return m < 1000 ? 1000 : m;
}

uint64_t lease_period_ms(int duration_s)
{
	return (uint64_t)duration_s * 1000 / 3;
}

/* Monotonic, read afresh: uv_now is the loop's cached time, which lags
 * within a long loop iteration (a holder must not think it is earlier
 * than it is when it asks whether it may still write). */
static uint64_t now_ms(const lease_t *l)
{
	if (l->o.now_ms)
		return l->o.now_ms(l->o.clock_ctx);
	return uv_hrtime() / 1000000;
}

static time_t wall(const lease_t *l)
{
	return l->o.wall ? l->o.wall(l->o.clock_ctx) : time(NULL);
}

static uint64_t duration_ms(const lease_t *l)
{
	return (uint64_t)l->o.duration_s * 1000;
}

/* The one place the state changes; every change says why. */
static void set_state(lease_t *l, lease_state_t to, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_state(lease_t *l, lease_state_t to, const char *fmt, ...)
{
	lease_state_t from = l->state;
	char why[512];
	va_list ap;

	if (from == to)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	l->state = to;
	if (l->o.event)
		l->o.event(l->o.event_ctx, from, to, why, NULL);
}

/* A failed call while the state stays: reported once per distinct code
 * until a call succeeds. */
static void problem(lease_t *l, const char *what, const err_t *e)
{
	char key[sizeof(l->last_problem)];

	snprintf(key, sizeof(key), "%s|%s", what,
		 e->aws_code[0] ? e->aws_code : "-");
	if (!strcmp(key, l->last_problem))
		return;
	snprintf(l->last_problem, sizeof(l->last_problem), "%s", key);
	if (l->o.event)
		l->o.event(l->o.event_ctx, l->state, l->state, what, e);
}

static void schedule(lease_t *l, uint64_t delay_ms);

/* A holder whose deadline has passed has lost the lease: its writes stop
 * (lease_may_write says so already; this names the state). */
static void check_deadline(lease_t *l)
{
	if (l->state == LEASE_HOLDER && now_ms(l) >= l->deadline_ms)
		set_state(l, LEASE_LOST, "no renewal succeeded within %" PRIu64
			  " ms (the lease time less the margin); writes stop",
			  duration_ms(l) - lease_margin_ms(l->o.duration_s));
}

/* ---- requests ---------------------------------------------------------- */

static void add_s(cJSON *obj, const char *key, const char *s)
{
	cJSON *v = cJSON_AddObjectToObject(obj, key);

	if (v)
		cJSON_AddStringToObject(v, "S", s);
}

static void add_n(cJSON *obj, const char *key, uint64_t n)
{
	char buf[32];
	cJSON *v = cJSON_AddObjectToObject(obj, key);

	snprintf(buf, sizeof(buf), "%" PRIu64, n);
	if (v)
		cJSON_AddStringToObject(v, "N", buf);
}

static cJSON *item_request(const lease_t *l)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "TableName", l->table);
	add_s(cJSON_AddObjectToObject(p, "Key"), A_KEY, l->name);
	return p;
}

/* Every name the expressions use, and only those: DynamoDB rejects an
 * unused one (ValidationException). names: "#k" ... as a string. */
static void add_names(cJSON *p, const char *which)
{
	static const struct { const char *ph, *attr; } all[] = {
		{ "#k", A_KEY }, { "#o", A_OWNER }, { "#f", A_FENCE },
		{ "#v", A_VERSION }, { "#e", A_EXPIRES },
	};
	cJSON *n = cJSON_AddObjectToObject(p, "ExpressionAttributeNames");
	size_t i;

	for (i = 0; n && i < sizeof(all) / sizeof(*all); i++)
		if (strstr(which, all[i].ph))
			cJSON_AddStringToObject(n, all[i].ph, all[i].attr);
}

static void on_reply(void *data, cJSON *result, const err_t *e);

static void send_call(lease_t *l, lease_op_t op, const char *operation,
		      cJSON *params, uint64_t fence, uint64_t version)
{
	lease_call_t *c = calloc(1, sizeof(*c));
	err_t e;

	memset(&e, 0, sizeof(e));
	if (l->released && op != OP_RELEASE) {
		free(c);
		cJSON_Delete(params);
		return;
	}
	if (!c || !params) {
		err_set(&e, -ENOMEM, "out of memory");
		goto fail;
	}
	c->l = l;
	c->op = op;
	c->sent_ms = now_ms(l);
	c->fence = fence;
	c->version = version;
	l->call = c;
	if (l->o.call(l->o.call_ctx, operation, params, on_reply, c, &e)) {
		l->call = NULL;
		goto fail;
	}
	cJSON_Delete(params);
	/* An answer may take long (retries): the deadline is kept anyway. */
	if (l->state == LEASE_HOLDER)
		schedule(l, l->deadline_ms > c->sent_ms ?
			 l->deadline_ms - c->sent_ms : 0);
	return;
fail:
	free(c);
	cJSON_Delete(params);
	problem(l, operation, &e);
	schedule(l, lease_period_ms(l->o.duration_s));
}

static void send_describe(lease_t *l)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "TableName", l->table);
	send_call(l, OP_DESCRIBE, "DescribeTable", p, 0, 0);
}

static void send_create(lease_t *l)
{
	cJSON *p = cJSON_CreateObject(), *a;

	cJSON_AddStringToObject(p, "TableName", l->table);
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "AttributeName", A_KEY);
	cJSON_AddStringToObject(a, "AttributeType", "S");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "AttributeDefinitions"), a);
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "AttributeName", A_KEY);
	cJSON_AddStringToObject(a, "KeyType", "HASH");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "KeySchema"), a);
	cJSON_AddStringToObject(p, "BillingMode", "PAY_PER_REQUEST");
	send_call(l, OP_CREATE, "CreateTable", p, 0, 0);
}

static void send_read(lease_t *l)
{
	cJSON *p = item_request(l);

	/* Eventually consistent reads may miss the last write. */
	cJSON_AddBoolToObject(p, "ConsistentRead", 1);
	send_call(l, OP_READ, "GetItem", p, 0, 0);
}

/* Takes the lease: the item absent, or exactly as observed. */
static void send_acquire(lease_t *l, int absent)
{
	cJSON *p = item_request(l), *v;
	uint64_t fence = absent ? 1 : l->item_fence + 1;
	uint64_t version = absent ? 1 : l->item_version + 1;
	const char *cond = absent ? "attribute_not_exists(#k)" :
			   "#f = :of AND #v = :ov";

	cJSON_AddStringToObject(p, "UpdateExpression",
				"SET #o = :me, #f = :f, #v = :v, #e = :e");
	cJSON_AddStringToObject(p, "ConditionExpression", cond);
	add_names(p, absent ? "#k #o #f #v #e" : "#o #f #v #e");
	v = cJSON_AddObjectToObject(p, "ExpressionAttributeValues");
	add_s(v, ":me", l->me);
	add_n(v, ":f", fence);
	add_n(v, ":v", version);
	add_n(v, ":e", (uint64_t)wall(l) + (uint64_t)l->o.duration_s);
	if (!absent) {
		add_n(v, ":of", l->item_fence);
		add_n(v, ":ov", l->item_version);
	}
	set_state(l, LEASE_ACQUIRING, absent ?
		  "the lease item %s does not exist yet" :
		  l->owner[0] ? "the lease of %s was not renewed for the "
		  "lease time and a margin" : "the lease %s was released",
		  l->name);
	send_call(l, OP_ACQUIRE, "UpdateItem", p, fence, version);
}

/* Renews (or releases) what this daemon holds, conditioned on the
 * fencing counter: a takeover changes owner and fence, so a stale holder's
 * write fails with ConditionalCheckFailedException. */
static void send_renew(lease_t *l, int release)
{
	cJSON *p = item_request(l), *v;
	uint64_t version = l->version + 1;

	cJSON_AddStringToObject(p, "UpdateExpression", release ?
				"SET #v = :v, #e = :e REMOVE #o" :
				"SET #v = :v, #e = :e");
	cJSON_AddStringToObject(p, "ConditionExpression",
				"#o = :me AND #f = :mf");
	add_names(p, "#o #f #v #e");
	v = cJSON_AddObjectToObject(p, "ExpressionAttributeValues");
	add_s(v, ":me", l->me);
	add_n(v, ":mf", l->fence);
	add_n(v, ":v", version);
	add_n(v, ":e", release ? 0 :
	      (uint64_t)wall(l) + (uint64_t)l->o.duration_s);
	send_call(l, release ? OP_RELEASE : OP_RENEW, "UpdateItem", p,
		  l->fence, version);
}

/* ---- answers ----------------------------------------------------------- */

static int is_code(const err_t *e, const char *code)
{
	return e && !strcmp(e->aws_code, code);
}

static uint64_t attr_n(const cJSON *item, const char *name)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(item, name), "N"));

	return s ? strtoull(s, NULL, 10) : 0;
}

static void held_since(lease_t *l, const lease_call_t *c)
{
	l->fence = c->fence;
	l->version = c->version;
	l->deadline_ms = c->sent_ms + duration_ms(l) -
			 lease_margin_ms(l->o.duration_s);
	l->last_ok_sent_ms = c->sent_ms;
	l->have_ok = 1;
	snprintf(l->owner, sizeof(l->owner), "%s", l->me);
	l->item_fence = c->fence;
	l->item_version = c->version;
	l->item_present = 1;
	l->item_expires = (int64_t)wall(l) + l->o.duration_s;
	l->obs_valid = 0;
}

/* The item as read: take it, keep waiting, or renew what is ours. */
static void read_answered(lease_t *l, const cJSON *result)
{
	const cJSON *item = cJSON_GetObjectItem(result, "Item");
	const char *owner = cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(item, A_OWNER), "S"));
	uint64_t now = now_ms(l), wait = duration_ms(l) +
		lease_margin_ms(l->o.duration_s), period;

	l->item_present = cJSON_IsObject(item);
	snprintf(l->owner, sizeof(l->owner), "%s", owner ? owner : "");
	l->item_fence = attr_n(item, A_FENCE);
	l->item_version = attr_n(item, A_VERSION);
	l->item_expires = (int64_t)attr_n(item, A_EXPIRES);
	if (!l->item_present) {
		send_acquire(l, 1);
		return;
	}
	if (!owner) {
		send_acquire(l, 0);
		return;
	}
	if (!strcmp(owner, l->me)) {
		/* Ours (an acquisition whose answer was lost, or a holder
		 * whose renewals failed): renew with the item's counter. */
		l->fence = l->item_fence;
		l->version = l->item_version;
		send_renew(l, 0);
		return;
	}
	if (!l->obs_valid || l->obs_fence != l->item_fence ||
	    l->obs_version != l->item_version) {
		l->obs_valid = 1;
		l->obs_fence = l->item_fence;
		l->obs_version = l->item_version;
		l->obs_at_ms = now;
	} else if (now - l->obs_at_ms >= wait) {
		send_acquire(l, 0);
		return;
	}
	set_state(l, LEASE_STANDBY, "%s holds the lease (fencing counter "
		  "%" PRIu64 ")", owner, l->item_fence);
	period = lease_period_ms(l->o.duration_s);
	if (l->obs_at_ms + wait - now < period)
		period = l->obs_at_ms + wait - now;
	schedule(l, period);
}

static void table_answered(lease_t *l, const lease_call_t *c,
			   const cJSON *result, const err_t *e)
{
	const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(result, "Table"), "TableStatus"));

	if (c->op == OP_CREATE) {
		/* ResourceInUseException: created by the other daemon. */
		if (e && !is_code(e, "ResourceInUseException")) {
			problem(l, "CreateTable", e);
			schedule(l, lease_period_ms(l->o.duration_s));
			return;
		}
		schedule(l, TABLE_POLL_MS);
		return;
	}
	if (is_code(e, "ResourceNotFoundException") && l->o.create_table) {
		send_create(l);
		return;
	}
	if (e) {
		problem(l, "DescribeTable", e);
		schedule(l, lease_period_ms(l->o.duration_s));
		return;
	}
	if (!status || strcmp(status, "ACTIVE")) {
		schedule(l, TABLE_POLL_MS);
		return;
	}
	l->table_ready = 1;
	set_state(l, LEASE_STANDBY, "the lease table %s is active", l->table);
	schedule(l, 0);
}

static void write_answered(lease_t *l, const lease_call_t *c,
			   const err_t *e)
{
	uint64_t period = lease_period_ms(l->o.duration_s);

	if (!e) {
		l->last_problem[0] = '\0';
		if (c->op == OP_RELEASE) {
			l->owner[0] = '\0';
			l->item_version = c->version;
			set_state(l, LEASE_STANDBY, "the lease was released");
			return;
		}
		held_since(l, c);
		if (now_ms(l) >= l->deadline_ms) {
			set_state(l, LEASE_LOST, "the answer came after the "
				  "lease time less the margin");
			schedule(l, 0);
			return;
		}
		set_state(l, LEASE_HOLDER, c->op == OP_ACQUIRE ?
			  "acquired with fencing counter %" PRIu64 :
			  "renewed with fencing counter %" PRIu64, c->fence);
		schedule(l, period);
		return;
	}
	if (is_code(e, "ConditionalCheckFailedException")) {
		l->obs_valid = 0;
		if (c->op == OP_ACQUIRE)
			set_state(l, LEASE_STANDBY, "another daemon wrote the "
				  "lease item first");
		else
			set_state(l, LEASE_LOST, "the lease item no longer "
				  "names this daemon with fencing counter "
				  "%" PRIu64 ": another daemon took it over",
				  c->fence);
		if (c->op != OP_RELEASE)
			schedule(l, 0);
		return;
	}
	problem(l, c->op == OP_ACQUIRE ? "acquiring the lease" :
		c->op == OP_RENEW ? "renewing the lease" :
		"releasing the lease", e);
	if (c->op == OP_ACQUIRE)
		set_state(l, LEASE_STANDBY, "the acquisition failed; the "
			  "next read shows whether it was made");
	if (c->op == OP_RELEASE)
		return;
	/* A holder tries again sooner, and looks at its deadline on time. */
	if (l->state == LEASE_HOLDER) {
		period /= 2;
		if (l->deadline_ms > now_ms(l) &&
		    l->deadline_ms - now_ms(l) < period)
			period = l->deadline_ms - now_ms(l);
	}
	schedule(l, period);
}

static void on_reply(void *data, cJSON *result, const err_t *e)
{
	lease_call_t *c = data;
	lease_t *l = c->l;
	void (*done)(void *);
	void *done_data;

	if (!l)
		goto out;
	l->call = NULL;
	switch (c->op) {
	case OP_DESCRIBE:
	case OP_CREATE:
		table_answered(l, c, result, e);
		break;
	case OP_READ:
		if (e) {
			problem(l, "reading the lease item", e);
			schedule(l, lease_period_ms(l->o.duration_s));
		} else {
			l->last_problem[0] = '\0';
			read_answered(l, result);
		}
		break;
	default:
		write_answered(l, c, e);
		break;
	}
	check_deadline(l);
	if (l->release_pending && !l->call) {
		l->release_pending = 0;
		if (l->state == LEASE_HOLDER)
			send_renew(l, 1);
		if (l->call)
			goto out;
	}
	if ((c->op == OP_RELEASE || !l->call) && l->release_done) {
		done = l->release_done;
		done_data = l->release_data;
		l->release_done = NULL;
		done(done_data);
	} else if (l->check_done && c->op != OP_RELEASE && !l->call) {
		done = l->check_done;
		done_data = l->check_data;
		l->check_done = NULL;
		done(done_data);
	}
out:
	cJSON_Delete(result);
	free(c);
}

/* ---- the clock --------------------------------------------------------- */

void lease_tick(lease_t *l)
{
	if (!l || l->released)
		return;
	check_deadline(l);
	if (l->call)
		return;
	if (!l->table_ready) {
		send_describe(l);
		return;
	}
	if (l->state == LEASE_HOLDER)
		send_renew(l, 0);
	else
		send_read(l);
}

static void on_timer(uv_timer_t *t)
{
	lease_tick(t->data);
}

static void schedule(lease_t *l, uint64_t delay_ms)
{
	if (l->timer && !l->released)
		uv_timer_start(l->timer, on_timer, delay_ms, 0);
}

/* ---- the interface ----------------------------------------------------- */

static int make_owner(char *out, size_t len, err_t *e)
{
	unsigned char r[6];
	char host[64] = "host";

	if (RAND_bytes(r, sizeof(r)) != 1)
		return err_set(e, -EIO, "no random bytes for the lease owner");
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	snprintf(out, len, "%s:%ld:%02x%02x%02x%02x%02x%02x", host,
		 (long)getpid(), r[0], r[1], r[2], r[3], r[4], r[5]);
	return 0;
}

int lease_new(const lease_opts_t *opts, lease_t **out, err_t *e)
{
	lease_t *l;

	*out = NULL;
	if (!opts->table || !*opts->table || !opts->name || !*opts->name ||
	    !opts->call)
		return err_set(e, -EINVAL, "a lease needs a table, a name and "
			       "a caller");
	if (opts->duration_s < LEASE_DURATION_MIN_S ||
	    opts->duration_s > LEASE_DURATION_MAX_S)
		return err_set(e, -EINVAL, "the lease duration must be %d to "
			       "%d seconds", LEASE_DURATION_MIN_S,
			       LEASE_DURATION_MAX_S);
	if (!(l = calloc(1, sizeof(*l))))
		return err_set(e, -ENOMEM, "out of memory");
	l->o = *opts;
	snprintf(l->table, sizeof(l->table), "%s", opts->table);
	snprintf(l->name, sizeof(l->name), "%s", opts->name);
	if (opts->owner)
		snprintf(l->me, sizeof(l->me), "%s", opts->owner);
	else if (make_owner(l->me, sizeof(l->me), e))
		goto err;
	l->o.table = l->table;
	l->o.name = l->name;
	l->o.owner = l->me;
	l->state = LEASE_STARTING;
	if (opts->loop) {
		if (!(l->timer = malloc(sizeof(*l->timer)))) {
			err_set(e, -ENOMEM, "out of memory");
			goto err;
		}
		uv_timer_init(opts->loop, l->timer);
		l->timer->data = l;
		schedule(l, 0);
	}
	*out = l;
	return 0;
err:
	free(l);
	return e ? e->code : -EINVAL;
}

static void on_timer_closed(uv_handle_t *h)
{
	free(h);
}

void lease_free(lease_t *l)
{
	if (!l)
		return;
	if (l->call)
		l->call->l = NULL;
	if (l->timer)
		uv_close((uv_handle_t *)l->timer, on_timer_closed);
	free(l);
}

int lease_may_write(const lease_t *l)
{
	return l && l->state == LEASE_HOLDER && now_ms(l) < l->deadline_ms;
}

int lease_check(lease_t *l, uint64_t max_age_ms, void (*done)(void *data),
		void *data)
{
	uint64_t now;

	if (!l || l->state != LEASE_HOLDER || l->released)
		return 1;
	now = now_ms(l);
	if (l->have_ok && now - l->last_ok_sent_ms <= max_age_ms &&
	    now < l->deadline_ms)
		return 1;
	l->check_done = done;
	l->check_data = data;
	if (!l->call)
		send_renew(l, 0);
	/* send_renew could fail before sending: then nothing will answer. */
	if (!l->call) {
		l->check_done = NULL;
		return 1;
	}
	return 0;
}

int lease_release(lease_t *l, void (*done)(void *data), void *data)
{
	if (!l || l->released)
		return 1;
	l->released = 1;
	if (l->timer)
		uv_timer_stop(l->timer);
	if (l->state != LEASE_HOLDER)
		return 1;
	l->release_done = done;
	l->release_data = data;
	if (l->call) {
		/* released once what is in flight has answered */
		l->release_pending = 1;
		return 0;
	}
	send_renew(l, 1);
	if (!l->call) {
		l->release_done = NULL;
		return 1;
	}
	return 0;
}

lease_state_t lease_state(const lease_t *l)
{
	return l->state;
}

void lease_info(const lease_t *l, lease_info_t *out)
{
	memset(out, 0, sizeof(*out));
	out->state = l->state;
	out->may_write = lease_may_write(l);
	snprintf(out->me, sizeof(out->me), "%s", l->me);
	snprintf(out->owner, sizeof(out->owner), "%s", l->owner);
	out->fence = l->item_fence;
	out->expires = l->item_expires;
	snprintf(out->table, sizeof(out->table), "%s", l->table);
	snprintf(out->name, sizeof(out->name), "%s", l->name);
	out->duration_s = l->o.duration_s;
}
