#include "aws.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "credentials.h"
#include "endpoints.h"
#include "http.h"
#include "jsonutil.h"
#include "model.h"
#include "proto.h"
#include "retry.h"
#include "secret.h"
#include "services.h"
#include "sigv4.h"
#include "version.h"

#define MAX_HEADERS 64
#define HOST_MAX    512

typedef struct aws_req aws_req_t;

struct aws_client {
	uv_loop_t       *loop;
	profile_t       *profile;
	http_client_t   *http;
	sigv4_signer_t  *signer;
	cred_provider_t *creds;
	retry_state_t    retry;
	aws_stats_t      stats;
	char             region[64];
	char             user_agent[128];
	long             timeout_ms, connect_timeout_ms;
	int              allow_plain_http;
	time_t         (*now)(void *ctx);
	double         (*rand01)(void *ctx);
	void            *ctx;
	uint64_t         rng;
	aws_req_t       *reqs;        /* every request not yet delivered */
	unsigned long    seq;
	int              closing;
	int              http_closed;
	void           (*close_cb)(void *data);
	void            *close_data;
};

typedef enum req_state {
	REQ_QUEUED,    /* its service's max_in_flight is reached */
	REQ_CREDS,     /* waiting for credentials            */
	REQ_HTTP,      /* handed to the HTTP client          */
	REQ_BACKOFF,   /* waiting on the timer before retry  */
	REQ_DONE,      /* result or error stored, delivering */
} req_state_t;

/* One aws_call: one or more pages, each one or more attempts. */
struct aws_req {
	aws_client_t        *c;
	aws_req_t           *prev, *next;
	const service_def_t *svc;
	char                 op[128];
	endpoint_t           ep;
	char                 host[HOST_MAX];
	char                 base_path[256];
	cJSON               *params;
	unsigned             flags;
	proto_request_t     *preq;
	cJSON               *pages;      /* AWS_ALL_PAGES: merged so far */
	int                  attempt;    /* 1-based, per page */
	int                  retry_cost; /* quota taken by the last retry */
	int64_t              signed_offset; /* clock offset of the last
					       signature (retry.h)      */
	req_state_t          state;
	int                  in_flight;  /* counts toward max_in_flight */
	unsigned long        seq;        /* call order, for the queue */
	uv_timer_t           timer;
	/* Internal calls (STS for the credential chain) bring their own
	 * credentials, or none for an unsigned call. */
	int                  fixed_creds;
	int                  unsigned_call;
	cred_t               creds;
	cJSON               *result;
	err_t                err;
	aws_done_cb          cb;
	void                *data;
};

static time_t now_of(aws_client_t *c)
{
	return c->now ? c->now(c->ctx) : time(NULL);
}

/* Jitter only needs to spread clients apart, not to be unpredictable. */
static double rand_of(aws_client_t *c)
{
	if (c->rand01)
		return c->rand01(c->ctx);
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return (double)(c->rng >> 11) / (double)(1ull << 53);
}

static void maybe_finish_close(aws_client_t *c);

static void request_free_wiped(proto_request_t *p)
{
	if (p && p->body)
		secret_wipe(p->body, p->body_len);
	proto_request_free(p);
}

static void req_free(uv_handle_t *h)
{
	aws_req_t *r = h->data;
	aws_client_t *c = r->c;

	if (r->prev)
		r->prev->next = r->next;
	else
		c->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	/* Requests carry secrets (an OIDC client secret, a secret value) and
	 * results too (GetSecretValue): wiped, not just freed. */
	json_delete_wiped(r->params);
	json_delete_wiped(r->pages);
	json_delete_wiped(r->result);
	request_free_wiped(r->preq);
	cred_wipe(&r->creds);
	free(r);
	maybe_finish_close(c);
}

static void deliver(uv_timer_t *t)
{
	aws_req_t *r = t->data;
	cJSON *result = r->result;

	r->result = NULL;
	r->c->stats.calls++;
	if (r->err.code)
		r->c->stats.errors++;
	r->cb(r->data, r->err.code ? NULL : result, r->err.code ? &r->err : NULL);
	if (r->err.code)
		cJSON_Delete(result);
	uv_close((uv_handle_t *)&r->timer, req_free);
}

/* Every outcome reaches the caller from the loop, never from inside
 * aws_call or a callback of ours further up the stack. */
static void start_attempt(aws_req_t *r);

static int in_flight_of(const aws_client_t *c, const service_def_t *svc)
{
	const aws_req_t *r;
	int n = 0;

	for (r = c->reqs; r; r = r->next)
		n += r->svc == svc && r->in_flight;
	return n;
}

/* A call of a capped service has ended: the oldest one queued behind the
 * cap starts. */
static void start_queued(aws_client_t *c, const service_def_t *svc)
{
	aws_req_t *r, *oldest = NULL;

	if (!svc->max_in_flight || in_flight_of(c, svc) >= svc->max_in_flight)
		return;
	for (r = c->reqs; r; r = r->next)
		if (r->svc == svc && r->state == REQ_QUEUED &&
		    (!oldest || r->seq < oldest->seq))
			oldest = r;
	if (!oldest)
		return;
	oldest->in_flight = 1;
	start_attempt(oldest);
}

static void finish(aws_req_t *r, cJSON *result, const err_t *e)
{
	if (r->state == REQ_DONE) {
		cJSON_Delete(result);
		return;
	}
	r->state = REQ_DONE;
	if (r->in_flight) {
		r->in_flight = 0;
		start_queued(r->c, r->svc);
	}
	r->result = result;
	if (e)
		r->err = *e;
	if (r->err.code && !r->err.message[0])
		err_set(&r->err, r->err.code, "%s %s failed", r->svc->name,
			r->op);
	uv_timer_stop(&r->timer);
	uv_timer_start(&r->timer, deliver, 0, 0);
}

static void finish_code(aws_req_t *r, int code, const char *msg)
{
	err_t e;

	err_set(&e, code, "%s %s: %s", r->svc->name, r->op, msg);
	finish(r, NULL, &e);
}

/* Splits the endpoint URL into the Host header value and a base path. */
static int parse_endpoint(aws_req_t *r, err_t *e)
{
	const char *p = strstr(r->ep.url, "://"), *slash;
	size_t n;

	if (!p)
		return err_set(e, -EINVAL, "endpoint URL \"%s\" has no scheme",
			       r->ep.url);
	p += 3;
	slash = strchr(p, '/');
	n = slash ? (size_t)(slash - p) : strlen(p);
	if (!n || n >= sizeof(r->host))
		return err_set(e, -EINVAL, "endpoint URL \"%s\" has no host",
			       r->ep.url);
	memcpy(r->host, p, n);
	r->host[n] = 0;
	snprintf(r->base_path, sizeof(r->base_path), "%s",
		 slash && strcmp(slash, "/") ? slash : "");
	n = strlen(r->base_path);
	if (n && r->base_path[n - 1] == '/')
		r->base_path[n - 1] = 0;
	return 0;
}

static void on_http(const http_response_t *resp, const err_t *e, void *data);

static void send_signed(aws_req_t *r, const cred_t *cred)
{
	aws_client_t *c = r->c;
	sigv4_header_t sh[MAX_HEADERS];
	http_header_t hh[MAX_HEADERS];
	sigv4_request_t sreq;
	sigv4_params_t sp;
	sigv4_result_t sig;
	http_request_t hreq;
	proto_request_t *p = r->preq;
	char *path = NULL, *url = NULL;
	size_t n = 0, i;
	err_t e;
	int rc;

	if (p->n_headers + 1 + SIGV4_MAX_ADD > MAX_HEADERS) {
		finish_code(r, -E2BIG, "too many request headers");
		return;
	}
	if (asprintf(&path, "%s%s", r->base_path, p->path) < 0 ||
	    asprintf(&url, "%.*s%s%s%s%s", (int)(strstr(r->ep.url, "://") + 3 -
						  r->ep.url), r->ep.url,
		     r->host, path, p->query[0] ? "?" : "", p->query) < 0) {
		free(path);
		finish_code(r, -ENOMEM, "out of memory");
		return;
	}
	hh[n].name = "Host";
	hh[n].value = r->host;
	n++;
	for (i = 0; i < p->n_headers; i++, n++) {
		hh[n].name = p->headers[i].name;
		hh[n].value = p->headers[i].value;
	}
	if (!r->unsigned_call) {
		for (i = 0; i < n; i++) {
			sh[i].name = hh[i].name;
			sh[i].name_len = strlen(hh[i].name);
			sh[i].value = hh[i].value;
			sh[i].value_len = strlen(hh[i].value);
		}
		memset(&sreq, 0, sizeof(sreq));
		sreq.method = p->method;
		sreq.path = path;
		sreq.path_len = strlen(path);
		sreq.query = p->query;
		sreq.query_len = strlen(p->query);
		sreq.headers = sh;
		sreq.n_headers = n;
		sreq.body = p->body;
		sreq.body_len = p->body_len;
		memset(&sp, 0, sizeof(sp));
		sp.creds.access_key_id = cred->access_key_id;
		sp.creds.secret_access_key = cred->secret_access_key;
		sp.creds.session_token = cred->session_token;
		sp.region = r->ep.signing_region;
		sp.service = r->svc->signing_name;
		sp.time = retry_skew_now(&c->retry, now_of(c));
		r->signed_offset = retry_skew_offset(&c->retry);
		/* S3 requires x-amz-content-sha256 on every request. */
		if (!strcmp(r->svc->signing_name, "s3"))
			sp.flags |= SIGV4_SIGN_BODY;
		rc = sigv4_sign(c->signer, &sreq, &sp, &sig, &e);
		if (rc) {
			free(path);
			free(url);
			finish(r, NULL, &e);
			return;
		}
		/* The signer's strings live until its next sign; http_submit
		 * copies them before that. */
		for (i = 0; i < sig.n_add; i++, n++) {
			hh[n].name = strndup(sig.add[i].name, sig.add[i].name_len);
			hh[n].value = strndup(sig.add[i].value,
					      sig.add[i].value_len);
		}
	}
	memset(&hreq, 0, sizeof(hreq));
	hreq.method = p->method;
	hreq.url = url;
	hreq.headers = hh;
	hreq.n_headers = n;
	hreq.body = p->body;
	hreq.body_len = p->body_len;
	hreq.pool = r->svc->name;
	hreq.timeout_ms = c->timeout_ms;
	hreq.connect_timeout_ms = c->connect_timeout_ms;
	r->state = REQ_HTTP;
	rc = http_submit(c->http, &hreq, on_http, r, &e);
	for (i = 1 + p->n_headers; i < n; i++) {
		free((char *)hh[i].name);
		free((char *)hh[i].value);
	}
	free(path);
	free(url);
	if (rc)
		finish(r, NULL, &e);
}

static void on_creds(void *data, const cred_t *cred, const err_t *e)
{
	aws_req_t *r = data;

	if (r->state == REQ_DONE)
		return;
	if (e) {
		err_t why = *e;

		err_set(&why, e->code, "%s %s: no credentials: %s",
			r->svc->name, r->op, e->message);
		finish(r, NULL, &why);
		return;
	}
	send_signed(r, cred);
}

static void start_attempt(aws_req_t *r)
{
	if (r->c->closing) {
		finish_code(r, -ECANCELED, "driftd is shutting down");
		return;
	}
	if (r->fixed_creds || r->unsigned_call) {
		send_signed(r, &r->creds);
		return;
	}
	r->state = REQ_CREDS;
	cred_provider_get(r->c->creds, on_creds, r);
}

static void on_backoff(uv_timer_t *t)
{
	start_attempt(t->data);
}

/* Appends every array of page to the same member of acc: the paginated
 * result keys (Vpcs, Reservations, ResourceRecordSets ...). */
static void merge_page(cJSON *acc, cJSON *page)
{
	cJSON *m, *dst, *el;

	cJSON_ArrayForEach(m, page) {
		if (!cJSON_IsArray(m))
			continue;
		dst = cJSON_GetObjectItemCaseSensitive(acc, m->string);
		if (!cJSON_IsArray(dst))
			continue;
		while ((el = cJSON_DetachItemFromArray(m, 0)))
			cJSON_AddItemToArray(dst, el);
	}
}

static int build(aws_req_t *r, err_t *e)
{
	request_free_wiped(r->preq);
	r->preq = NULL;
	return proto_build_request(r->svc, r->op, r->params, &r->preq, e);
}

static void on_success(aws_req_t *r, cJSON *result)
{
	err_t e;
	int more;

	retry_quota_release(&r->c->retry, r->retry_cost);
	r->retry_cost = 0;
	if (!(r->flags & AWS_ALL_PAGES)) {
		finish(r, result, NULL);
		return;
	}
	more = proto_page_next(r->svc, r->op, result, r->params, &e);
	if (!r->pages) {
		r->pages = result;
	} else {
		merge_page(r->pages, result);
		cJSON_Delete(result);
	}
	if (more < 0) {
		finish(r, NULL, &e);
		return;
	}
	if (!more) {
		result = r->pages;
		r->pages = NULL;
		finish(r, result, NULL);
		return;
	}
	if (build(r, &e)) {
		finish(r, NULL, &e);
		return;
	}
	r->attempt = 1;
	start_attempt(r);
}

static void on_http(const http_response_t *resp, const err_t *e, void *data)
{
	aws_req_t *r = data;
	aws_client_t *c = r->c;
	retry_decision_t d;
	retry_kind_t kind;
	cJSON *result = NULL;
	err_t err;
	proto_header_t ph[MAX_HEADERS];
	size_t i, n;
	int rc;

	if (r->state == REQ_DONE)
		return;
	c->stats.attempts++;
	if (e) {
		err = *e;
		err_set(&err, e->code, "%s %s: %s", r->svc->name, r->op,
			e->message);
		kind = retry_classify(0, NULL, e->code);
	} else {
		n = resp->n_headers < MAX_HEADERS ? resp->n_headers : MAX_HEADERS;
		for (i = 0; i < n; i++) {
			ph[i].name = (char *)resp->headers[i].name;
			ph[i].value = (char *)resp->headers[i].value;
		}
		rc = proto_parse_response(r->svc, r->op, (int)resp->status, ph,
					  n, resp->body, resp->body_len,
					  &result, &err);
		if (!rc) {
			on_success(r, result);
			return;
		}
		kind = retry_classify((int)resp->status, err.aws_code, 0);
		if ((kind == RETRY_KIND_MAYBE_SKEW ||
		     kind == RETRY_KIND_CLOCK_SKEW) &&
		    retry_skew_observe(&c->retry, resp->date, now_of(c),
				       r->signed_offset))
			c->stats.skew_corrections++;
	}
	if (kind == RETRY_KIND_THROTTLING)
		c->stats.throttles++;
	if (c->closing) {
		finish(r, NULL, &err);
		return;
	}
	d = retry_decide(&c->retry, kind, r->attempt, rand_of(c));
	if (!d.retry) {
		finish(r, NULL, &err);
		return;
	}
	c->stats.retries++;
	r->attempt++;
	r->retry_cost = d.cost;
	r->state = REQ_BACKOFF;
	uv_timer_start(&r->timer, on_backoff, d.delay_ms, 0);
}

static aws_req_t *req_new(aws_client_t *c, const char *service,
			  const char *region, const char *operation,
			  const cJSON *params, unsigned flags, aws_done_cb cb,
			  void *data, err_t *e)
{
	aws_req_t *r;
	const char *reg = region && *region ? region : c->region;

	if (c->closing) {
		err_set(e, -ESHUTDOWN, "driftd is shutting down");
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		err_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	r->c = c;
	r->cb = cb;
	r->data = data;
	r->flags = flags;
	r->attempt = 1;
	r->svc = service_find(service);
	snprintf(r->op, sizeof(r->op), "%s", operation);
	r->params = params ? cJSON_Duplicate(params, 1) : cJSON_CreateObject();
	if (!r->svc) {
		err_set(e, -EINVAL, "unknown service \"%s\"", service);
		goto fail;
	}
	if (!r->params) {
		err_set(e, -ENOMEM, "out of memory");
		goto fail;
	}
	if (endpoint_resolve(c->profile, r->svc, *reg ? reg : NULL, &r->ep, e) ||
	    endpoint_check_transport(r->ep.url, c->allow_plain_http,
				     r->ep.source, e) ||
	    parse_endpoint(r, e) || build(r, e))
		goto fail;
	r->unsigned_call = model_operation_no_auth(model_operation_find(
		r->svc->name, r->op));
	uv_timer_init(c->loop, &r->timer);
	r->timer.data = r;
	r->next = c->reqs;
	if (c->reqs)
		c->reqs->prev = r;
	c->reqs = r;
	return r;
fail:
	json_delete_wiped(r->params);
	request_free_wiped(r->preq);
	free(r);
	return NULL;
}

int aws_call(aws_client_t *c, const char *service, const char *region,
	     const char *operation, const cJSON *params, unsigned flags,
	     aws_done_cb cb, void *data, err_t *e)
{
	aws_req_t *r = req_new(c, service, region, operation, params, flags,
			       cb, data, e);

	if (!r)
		return e && e->code ? e->code : -EINVAL;
	r->seq = c->seq++;
	if (r->svc->max_in_flight &&
	    in_flight_of(c, r->svc) >= r->svc->max_in_flight) {
		r->state = REQ_QUEUED;
		return 0;
	}
	r->in_flight = 1;
	start_attempt(r);
	return 0;
}

/* The credential chain's transport: plain HTTP for ECS and IMDS. */
typedef struct cred_http_ctx {
	cred_http_cb cb;
	void        *data;
} cred_http_ctx_t;

static void cred_http_done(const http_response_t *resp, const err_t *e,
			   void *data)
{
	cred_http_ctx_t *x = data;

	if (e)
		x->cb(x->data, 0, NULL, 0, e);
	else
		x->cb(x->data, (int)resp->status, resp->body, resp->body_len,
		      NULL);
	free(x);
}

static int cred_http(void *ctx, const char *method, const char *url,
		     const char *const *headers, const char *body,
		     long timeout_ms, cred_http_cb cb, void *data, err_t *e)
{
	aws_client_t *c = ctx;
	http_header_t hh[16];
	char names[16][64];
	http_request_t req;
	cred_http_ctx_t *x;
	size_t n = 0, len;
	const char *colon;
	int rc;

	for (; headers && headers[n]; n++) {
		colon = strchr(headers[n], ':');
		len = colon ? (size_t)(colon - headers[n]) : 0;
		if (n >= 16 || !len || len >= sizeof(names[0]))
			return err_set(e, -EINVAL, "bad credential request header");
		memcpy(names[n], headers[n], len);
		names[n][len] = 0;
		hh[n].name = names[n];
		hh[n].value = colon + 1 + strspn(colon + 1, " ");
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		return err_set(e, -ENOMEM, "out of memory");
	x->cb = cb;
	x->data = data;
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = hh;
	req.n_headers = n;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.pool = "credentials";
	req.timeout_ms = timeout_ms;
	req.connect_timeout_ms = timeout_ms;
	rc = http_submit(c->http, &req, cred_http_done, x, e);
	if (rc)
		free(x);
	return rc;
}

/* ... and STS, signed with the source credentials or not at all. */
typedef struct cred_sts_ctx {
	cred_sts_cb cb;
	void       *data;
} cred_sts_ctx_t;

static void cred_sts_done(void *data, cJSON *result, const err_t *e)
{
	cred_sts_ctx_t *x = data;
	cJSON *cr = cJSON_GetObjectItemCaseSensitive(result, "Credentials");
	const char *fields[] = { "AccessKeyId", "SecretAccessKey",
				 "SessionToken", "Expiration" };
	const cJSON *v[4];
	cred_t cred;
	err_t err;
	int i;

	if (e) {
		x->cb(x->data, NULL, e);
		goto out;
	}
	memset(&cred, 0, sizeof(cred));
	for (i = 0; i < 4; i++) {
		v[i] = cJSON_GetObjectItemCaseSensitive(cr, fields[i]);
		if (!cJSON_IsString(v[i])) {
			err_set(&err, -EPROTO, "STS response has no "
				"Credentials.%s", fields[i]);
			x->cb(x->data, NULL, &err);
			goto out;
		}
	}
	snprintf(cred.access_key_id, sizeof(cred.access_key_id), "%s",
		 v[0]->valuestring);
	snprintf(cred.secret_access_key, sizeof(cred.secret_access_key), "%s",
		 v[1]->valuestring);
	snprintf(cred.session_token, sizeof(cred.session_token), "%s",
		 v[2]->valuestring);
	if (cred_parse_time(v[3]->valuestring, &cred.expiration)) {
		err_set(&err, -EPROTO, "STS response has an unreadable "
			"Expiration");
		x->cb(x->data, NULL, &err);
	} else {
		x->cb(x->data, &cred, NULL);
	}
	cred_wipe(&cred);
out:
	cJSON_Delete(result);
	free(x);
}

static int cred_sts(void *ctx, const char *region, const char *action,
		    const char *const *params, const cred_t *source,
		    cred_sts_cb cb, void *data, err_t *e)
{
	aws_client_t *c = ctx;
	cJSON *p = cJSON_CreateObject();
	cred_sts_ctx_t *x = calloc(1, sizeof(*x));
	aws_req_t *r = NULL;
	size_t i;
	int rc = -ENOMEM;

	if (!p || !x) {
		err_set(e, rc, "out of memory");
		goto fail;
	}
	for (i = 0; params && params[i] && params[i + 1]; i += 2)
		cJSON_AddStringToObject(p, params[i], params[i + 1]);
	x->cb = cb;
	x->data = data;
	r = req_new(c, "sts", region, action, p, 0, cred_sts_done, x, e);
	if (!r) {
		rc = e && e->code ? e->code : -EINVAL;
		goto fail;
	}
	if (source) {
		r->fixed_creds = 1;
		r->creds = *source;
	} else {
		r->unsigned_call = 1;
	}
	cJSON_Delete(p);
	start_attempt(r);
	return 0;
fail:
	cJSON_Delete(p);
	free(x);
	return rc;
}

int aws_client_new(const aws_options_t *opts, aws_client_t **out, err_t *e)
{
	aws_client_t *c = calloc(1, sizeof(*c));
	cred_provider_opts_t co;
	http_options_t ho;
	retry_config_t rc_cfg;
	char ca[ENDPOINT_PATH_MAX];
	int rc = -ENOMEM;

	*out = NULL;
	if (!c)
		return err_set(e, rc, "out of memory");
	c->loop = opts->loop;
	c->now = opts->now;
	c->rand01 = opts->rand01;
	c->ctx = opts->ctx;
	c->timeout_ms = opts->timeout_ms;
	c->connect_timeout_ms = opts->connect_timeout_ms;
	c->allow_plain_http = opts->allow_plain_http;
	c->rng = uv_hrtime() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ull;
	snprintf(c->user_agent, sizeof(c->user_agent), "%s",
		 opts->user_agent ? opts->user_agent : "driftd/" DRIFTD_VERSION);
	rc = profile_load(&opts->env, opts->profile, &c->profile, e);
	if (rc)
		goto fail;
	if (opts->region && *opts->region)
		snprintf(c->region, sizeof(c->region), "%s", opts->region);
	else if (endpoint_region(c->profile, c->region, sizeof(c->region),
				 NULL))
		c->region[0] = 0;
	rc = retry_config_from_env(&rc_cfg,
				   profile_getenv(c->profile, "AWS_MAX_ATTEMPTS"),
				   profile_getenv(c->profile, "AWS_RETRY_MODE"),
				   e);
	if (rc)
		goto fail;
	retry_state_init(&c->retry, &rc_cfg);
	rc = endpoint_ca_bundle(c->profile, ca, sizeof(ca), e);
	if (rc)
		goto fail;
	memset(&ho, 0, sizeof(ho));
	ho.pool_cap = opts->pool_cap;
	ho.ca_bundle = ca[0] ? ca : NULL;
	ho.user_agent = c->user_agent;
	ho.timeout_ms = opts->timeout_ms;
	ho.connect_timeout_ms = opts->connect_timeout_ms;
	c->http = http_client_new(c->loop, &ho, e);
	c->signer = sigv4_signer_new();
	if (!c->http || !c->signer) {
		rc = e && e->code ? e->code : -ENOMEM;
		goto fail;
	}
	memset(&co, 0, sizeof(co));
	co.loop = c->loop;
	co.env = opts->env;
	co.profile = opts->profile;
	co.sts_region = c->region[0] ? c->region : NULL;
	co.transport.ctx = c;
	co.transport.http = cred_http;
	co.transport.sts = cred_sts;
	co.now = opts->now;
	co.now_ctx = opts->ctx;
	co.process_timeout_ms = opts->credential_process_timeout_ms;
	rc = cred_provider_new(&co, &c->creds, e);
	if (rc)
		goto fail;
	*out = c;
	return 0;
fail:
	/* Nothing is in flight yet: the handles close on the next loop run. */
	sigv4_signer_free(c->signer);
	c->signer = NULL;
	profile_free(c->profile);
	c->profile = NULL;
	if (c->http) {
		c->closing = 1;
		http_client_close(c->http, free, c);
	} else {
		free(c);
	}
	return rc;
}

static void maybe_finish_close(aws_client_t *c)
{
	void (*cb)(void *) = c->close_cb;
	void *data = c->close_data;

	if (!c->closing || c->reqs || !c->http_closed)
		return;
	sigv4_signer_free(c->signer);
	profile_free(c->profile);
	free(c);
	if (cb)
		cb(data);
}

static void on_http_closed(void *data)
{
	aws_client_t *c = data;

	c->http_closed = 1;
	maybe_finish_close(c);
}

void aws_client_close(aws_client_t *c, void (*cb)(void *data), void *data)
{
	aws_req_t *r;

	if (!c)
		return;
	c->closing = 1;
	c->close_cb = cb;
	c->close_data = data;
	for (r = c->reqs; r; r = r->next)
		if (r->state == REQ_BACKOFF || r->state == REQ_QUEUED)
			finish_code(r, -ECANCELED, "driftd is shutting down");
	/* Queued credential gets complete with -ECANCELED; requests in the
	 * HTTP client are cancelled by its close. */
	cred_provider_free(c->creds);
	c->creds = NULL;
	http_client_close(c->http, on_http_closed, c);
}

void aws_client_stats(const aws_client_t *c, aws_stats_t *out)
{
	*out = c->stats;
}

const char *aws_client_region(const aws_client_t *c)
{
	return c->region;
}

typedef struct sync_call {
	int    done;
	cJSON *result;
	err_t  err;
} sync_call_t;

static void sync_done(void *data, cJSON *result, const err_t *e)
{
	sync_call_t *s = data;

	s->done = 1;
	s->result = result;
	if (e)
		s->err = *e;
}

int aws_call_sync(aws_client_t *c, const char *service, const char *region,
		  const char *operation, const cJSON *params, unsigned flags,
		  cJSON **result, err_t *e)
{
	sync_call_t s;
	int rc;

	memset(&s, 0, sizeof(s));
	*result = NULL;
	rc = aws_call(c, service, region, operation, params, flags, sync_done,
		      &s, e);
	if (rc)
		return rc;
	while (!s.done)
		uv_run(c->loop, UV_RUN_ONCE);
	if (s.err.code) {
		if (e)
			*e = s.err;
		return s.err.code;
	}
	*result = s.result;
	return 0;
}
