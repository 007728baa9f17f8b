#include "credentials.h"

#include <cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "endpoints.h"

#define MAX_PROFILE_DEPTH  16
#define MAX_TOKEN_FILE     (64 * 1024)
#define MAX_PROCESS_OUTPUT (64 * 1024)
#define MAX_STDERR_KEPT    200
#define RETRY_AFTER_FAIL_S 10
#define IMDS_TIMEOUT_MS    1000
#define ECS_TIMEOUT_MS     2000
#define PROCESS_TIMEOUT_MS 60000  /* the SDKs allow a helper about a minute */
#define ECS_HOST           "http://169.254.170.2"
#define IMDS_HOST          "http://169.254.169.254"

typedef enum step_kind {
	STEP_STATIC,
	STEP_PROCESS,
	STEP_WEB_IDENTITY,
	STEP_ECS,
	STEP_IMDS,
	STEP_ASSUME_ROLE,
} step_kind_t;

/* One link of the resolved chain: the first step yields credentials, each
 * later one (assume-role) trades them for new ones. */
typedef struct cred_step {
	step_kind_t kind;
	char  label[320];     /* names the source in errors, no secrets */
	char *role_arn, *session_name, *external_id, *duration;
	char *token_file;     /* web identity token; ECS auth token file */
	char *auth_token;     /* ECS auth token value */
	char *command;        /* credential_process */
	char *url;            /* ECS full URL; IMDS base URL */
	cred_t fixed;         /* STEP_STATIC */
} cred_step_t;

typedef struct cred_waiter {
	cred_get_cb cb;
	void       *data;
	struct cred_waiter *next;
} cred_waiter_t;

typedef struct cred_op cred_op_t;

struct cred_provider {
	uv_loop_t        *loop;
	profile_t        *profile;
	cred_transport_t  transport;
	time_t          (*now)(void *ctx);
	void             *now_ctx;
	int               window_s;
	int               process_timeout_ms;
	int               profile_given;   /* opts->profile was set */
	char              sts_region[ENDPOINT_REGION_MAX];
	cred_step_t      *steps;
	int               nsteps;
	cred_t            cached;
	int               have_cached;
	time_t            no_retry_before;
	cred_waiter_t    *waiters, **waiters_tail;
	cred_op_t        *inflight;
	uv_timer_t        timer;
	int               timer_open;
	int               closing;
	int               delivering;
};

/* One refresh: walks p->steps. Lives until its last callback, even when
 * the provider is being freed. */
struct cred_op {
	cred_provider_t *p;
	int     step;
	cred_t  cur;
	int     imds_stage;
	char    imds_token[1024];
	char    imds_role[256];
	/* credential_process */
	uv_process_t proc;
	uv_pipe_t    out_pipe, err_pipe;
	uv_timer_t   kill_timer;
	int          handles_open;
	int          exited, out_done, err_done, timed_out;
	int64_t      exit_status;
	int          term_signal;
	char        *out;
	size_t       out_len;
	int          out_overflow;
	char         err_text[MAX_STDERR_KEPT + 1];
	size_t       err_len;
	char         read_buf[4096];
};

static void op_run(cred_op_t *op);
static void maybe_release(cred_provider_t *p);

/* ---- small helpers ------------------------------------------------------ */

static time_t now_s(const cred_provider_t *p)
{
	return p->now ? p->now(p->now_ctx) : time(NULL);
}

static int copy_field(char *dst, size_t n, const char *src)
{
	size_t len = src ? strlen(src) : 0;

	if (len >= n)
		return -EOVERFLOW;
	memcpy(dst, src ? src : "", len + 1);
	return 0;
}

void cred_wipe(cred_t *cred)
{
	if (!cred)
		return;
	explicit_bzero(cred->secret_access_key,
		       sizeof(cred->secret_access_key));
	explicit_bzero(cred->session_token, sizeof(cred->session_token));
}

const char *cred_describe(const cred_t *cred, char *buf, size_t len)
{
	if (!buf || !len)
		return buf;
	if (!cred)
		snprintf(buf, len, "no credentials");
	else
		snprintf(buf, len, "%s (%s)", cred->access_key_id,
			 cred->source[0] ? cred->source : "unknown source");
	return buf;
}

int cred_parse_time(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, n = 0, oh = 0, om = 0;
	time_t t;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
			 &sec, &n) != 6 || n != 19)
		return -EINVAL;
	s += n;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			;
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if ((*s == '+' || *s == '-') &&
		   isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
		   s[3] == ':' && isdigit((unsigned char)s[4]) &&
		   isdigit((unsigned char)s[5])) {
		oh = (s[1] - '0') * 10 + (s[2] - '0');
		om = (s[4] - '0') * 10 + (s[5] - '0');
		if (*s == '-') {
			oh = -oh;
			om = -om;
		}
		s += 6;
	} else {
		return -EINVAL;
	}
	if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60 || y < 1970)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*out = t - oh * 3600 - om * 60;
	return 0;
}

static const char *json_str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int cred_from_json(const char *body, size_t len, int process_format,
		   const char *what, cred_t *cred, err_t *e)
{
	const char *ak, *sk, *tok, *exp, *code;
	cJSON *doc, *ver;
	int rc = 0;

	memset(cred, 0, sizeof(*cred));
	doc = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(doc)) {
		rc = err_set(e, -EPROTO, "%s: response is not a JSON object",
			     what);
		goto out;
	}
	if (process_format) {
		ver = cJSON_GetObjectItemCaseSensitive(doc, "Version");
		if (!cJSON_IsNumber(ver) || ver->valuedouble != 1) {
			rc = err_set(e, -EPROTO,
				     "%s: output has no \"Version\": 1", what);
			goto out;
		}
	}
	code = json_str(doc, "Code");
	if (code && strcmp(code, "Success")) {
		rc = err_set(e, -EACCES, "%s: returned Code \"%.64s\"", what,
			     code);
		goto out;
	}
	ak = json_str(doc, "AccessKeyId");
	sk = json_str(doc, "SecretAccessKey");
	tok = json_str(doc, process_format ? "SessionToken" : "Token");
	exp = json_str(doc, "Expiration");
	if (!ak || !*ak || !sk || !*sk) {
		rc = err_set(e, -EPROTO,
			     "%s: response lacks AccessKeyId or SecretAccessKey",
			     what);
		goto out;
	}
	if (copy_field(cred->access_key_id, sizeof(cred->access_key_id), ak) ||
	    copy_field(cred->secret_access_key,
		       sizeof(cred->secret_access_key), sk) ||
	    copy_field(cred->session_token, sizeof(cred->session_token), tok)) {
		rc = err_set(e, -EOVERFLOW, "%s: a credential field is too long",
			     what);
		goto out;
	}
	if (exp && cred_parse_time(exp, &cred->expiration)) {
		rc = err_set(e, -EPROTO, "%s: Expiration is not an ISO 8601 time",
			     what);
		goto out;
	}
	if (!exp && !process_format) {
		rc = err_set(e, -EPROTO, "%s: response lacks Expiration", what);
		goto out;
	}
out:
	if (rc)
		cred_wipe(cred);
	cJSON_Delete(doc);
	return rc;
}

/* Reads a small file whole (a token); NUL-terminated, trailing whitespace
 * trimmed. The caller frees *out. */
static int read_token_file(const char *path, char **out)
{
	char *buf = NULL;
	size_t got = 0;
	int fd, rc = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(MAX_TOKEN_FILE + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + got, MAX_TOKEN_FILE + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got > MAX_TOKEN_FILE) {
			rc = -EFBIG;
			goto out;
		}
	}
	while (got && isspace((unsigned char)buf[got - 1]))
		got--;
	buf[got] = 0;
	if (!got || strlen(buf) != got) {
		rc = -EINVAL;
		goto out;
	}
	*out = buf;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

/* A value that goes into an HTTP header must not smuggle in another. */
static int header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* ---- completing gets ---------------------------------------------------- */

static void deliver(cred_provider_t *p, const cred_t *cred, const err_t *e)
{
	cred_waiter_t *w = p->waiters, *next;

	p->waiters = NULL;
	p->waiters_tail = &p->waiters;
	p->delivering++;
	for (; w; w = next) {
		next = w->next;
		w->cb(w->data, cred, e);
		free(w);
	}
	p->delivering--;
}

static void timer_cb(uv_timer_t *t);

static void schedule_refresh(cred_provider_t *p, time_t at)
{
	time_t delay = at - now_s(p);

	if (!p->timer_open || p->closing)
		return;
	if (delay < 1)
		delay = 1;
	uv_timer_start(&p->timer, timer_cb, (uint64_t)delay * 1000, 0);
}

static void op_free(cred_op_t *op)
{
	cred_wipe(&op->cur);
	explicit_bzero(op->imds_token, sizeof(op->imds_token));
	if (op->out)
		explicit_bzero(op->out, op->out_len);
	free(op->out);
	free(op);
}

/* The end of one refresh, with credentials or with e. */
static void op_done(cred_op_t *op, const cred_t *cred, const err_t *e)
{
	cred_provider_t *p = op->p;
	time_t now;

	p->inflight = NULL;
	if (p->closing) {
		op_free(op);
		maybe_release(p);
		return;
	}
	now = now_s(p);
	if (cred) {
		p->cached = *cred;
		p->have_cached = 1;
		p->no_retry_before = 0;
		/* Credentials that arrive already inside the window (a short
		 * credential_process lifetime) must not respawn every second. */
		if (cred->expiration)
			schedule_refresh(p, cred->expiration - p->window_s > now ?
					 cred->expiration - p->window_s :
					 now + RETRY_AFTER_FAIL_S);
	} else if (p->have_cached && p->cached.expiration > now) {
		/* Keep serving what we have; try again shortly. */
		p->no_retry_before = now + RETRY_AFTER_FAIL_S;
		schedule_refresh(p, p->no_retry_before);
	}
	op_free(op);
	deliver(p, cred ? &p->cached : NULL, cred ? NULL : e);
	maybe_release(p);
}

static void op_fail(cred_op_t *op, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void op_fail(cred_op_t *op, int code, const char *fmt, ...)
{
	const cred_step_t *s = &op->p->steps[op->step];
	char msg[ERR_MSG_MAX];
	va_list ap;
	err_t e;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_set(&e, code, "%s: %s", s->label, msg);
	op_done(op, NULL, &e);
}

/* A transport error, with its AWS code and request id kept. */
static void op_fail_from(cred_op_t *op, const err_t *src)
{
	const cred_step_t *s = &op->p->steps[op->step];
	err_t e;

	if (!src) {
		op_fail(op, -EIO, "failed without detail");
		return;
	}
	e = *src;
	if (!e.code)
		e.code = -EIO;
	snprintf(e.message, sizeof(e.message), "%.250s: %.255s", s->label,
		 src->message);
	op_done(op, NULL, &e);
}

static void op_next(cred_op_t *op, const cred_t *cred, const char *source)
{
	op->cur = *cred;
	snprintf(op->cur.source, sizeof(op->cur.source), "%s", source);
	op->step++;
	if (op->step == op->p->nsteps)
		op_done(op, &op->cur, NULL);
	else
		op_run(op);
}

/* ---- STS: assume-role and web identity ---------------------------------- */

static void sts_cb(void *data, const cred_t *cred, const err_t *e)
{
	cred_op_t *op = data;
	const cred_step_t *s = &op->p->steps[op->step];

	if (!cred) {
		op_fail_from(op, e);
		return;
	}
	op_next(op, cred, s->kind == STEP_ASSUME_ROLE ? "assume-role"
						       : "web-identity");
}

static void run_sts(cred_op_t *op, const cred_step_t *s)
{
	cred_provider_t *p = op->p;
	const char *params[12];
	char session[64], *token = NULL;
	int n = 0, rc;
	err_t e;

	if (s->session_name) {
		snprintf(session, sizeof(session), "%s", s->session_name);
	} else {
		snprintf(session, sizeof(session), "driftd-%lld",
			 (long long)now_s(p));
	}
	params[n++] = "RoleArn";
	params[n++] = s->role_arn;
	params[n++] = "RoleSessionName";
	params[n++] = session;
	if (s->kind == STEP_WEB_IDENTITY) {
		rc = read_token_file(s->token_file, &token);
		if (rc) {
			op_fail(op, rc, "cannot read web identity token file %s: %s",
				s->token_file, strerror(-rc));
			return;
		}
		params[n++] = "WebIdentityToken";
		params[n++] = token;
	}
	if (s->external_id) {
		params[n++] = "ExternalId";
		params[n++] = s->external_id;
	}
	if (s->duration) {
		params[n++] = "DurationSeconds";
		params[n++] = s->duration;
	}
	params[n] = NULL;
	err_clear(&e);
	rc = p->transport.sts(p->transport.ctx, p->sts_region,
			      s->kind == STEP_ASSUME_ROLE ? "AssumeRole"
					: "AssumeRoleWithWebIdentity",
			      params,
			      s->kind == STEP_ASSUME_ROLE ? &op->cur : NULL,
			      sts_cb, op, &e);
	if (token) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	if (rc)
		op_fail_from(op, &e);
}

/* ---- ECS container credentials ------------------------------------------ */

static void ecs_cb(void *data, int status, const char *body, size_t len,
		   const err_t *e)
{
	cred_op_t *op = data;
	cred_t cred;
	err_t perr;

	if (!status) {
		op_fail_from(op, e);
		return;
	}
	if (status != 200) {
		op_fail(op, -EACCES, "GET returned HTTP %d", status);
		return;
	}
	if (cred_from_json(body, len, 0, op->p->steps[op->step].label, &cred,
			   &perr)) {
		op_done(op, NULL, &perr);
		return;
	}
	op_next(op, &cred, "container");
	cred_wipe(&cred);
}

static void run_ecs(cred_op_t *op, const cred_step_t *s)
{
	cred_provider_t *p = op->p;
	const char *headers[2] = { NULL, NULL };
	char *token = NULL, *hdr = NULL;
	int rc;
	err_t e;

	if (s->token_file) {
		rc = read_token_file(s->token_file, &token);
		if (rc) {
			op_fail(op, rc, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s",
				s->token_file, strerror(-rc));
			return;
		}
	} else if (s->auth_token && !(token = strdup(s->auth_token))) {
		op_fail(op, -ENOMEM, "out of memory");
		return;
	}
	if (token) {
		if (!header_safe(token)) {
			op_fail(op, -EINVAL, "authorization token contains control characters");
			goto out;
		}
		if (asprintf(&hdr, "Authorization: %s", token) < 0) {
			hdr = NULL;
			op_fail(op, -ENOMEM, "out of memory");
			goto out;
		}
		headers[0] = hdr;
	}
	err_clear(&e);
	rc = p->transport.http(p->transport.ctx, "GET", s->url, headers, NULL,
			       ECS_TIMEOUT_MS, ecs_cb, op, &e);
	if (rc)
		op_fail_from(op, &e);
out:
	if (token) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	if (hdr) {
		explicit_bzero(hdr, strlen(hdr));
		free(hdr);
	}
}

/* ---- EC2 instance metadata (IMDSv2) ------------------------------------- */
/* https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-security-credentials.html */

enum { IMDS_TOKEN, IMDS_ROLE, IMDS_CREDS };

static void imds_request(cred_op_t *op);

static int role_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 128)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("+=,.@_-", *s))
			return 0;
	return 1;
}

static void imds_cb(void *data, int status, const char *body, size_t len,
		    const err_t *e)
{
	static const char *const what[] = {
		"PUT /latest/api/token",
		"GET /latest/meta-data/iam/security-credentials/",
		"GET /latest/meta-data/iam/security-credentials/<role>",
	};
	cred_op_t *op = data;
	cred_t cred;
	err_t perr;
	size_t n;

	if (!status) {
		op_fail_from(op, e);
		return;
	}
	if (status != 200) {
		op_fail(op, -EACCES, "%s returned HTTP %d",
			what[op->imds_stage], status);
		return;
	}
	switch (op->imds_stage) {
	case IMDS_TOKEN:
		for (n = len; n && isspace((unsigned char)body[n - 1]); n--)
			;
		if (!n || n >= sizeof(op->imds_token) ||
		    memchr(body, 0, n)) {
			op_fail(op, -EPROTO, "token response has a bad length");
			return;
		}
		memcpy(op->imds_token, body, n);
		op->imds_token[n] = 0;
		if (!header_safe(op->imds_token)) {
			op_fail(op, -EPROTO, "token contains control characters");
			return;
		}
		break;
	case IMDS_ROLE:
		/* One role per instance profile; take the first line. */
		for (n = 0; n < len && body[n] != '\n' && body[n] != '\r'; n++)
			;
		if (n >= sizeof(op->imds_role)) {
			op_fail(op, -EPROTO, "role name is too long");
			return;
		}
		memcpy(op->imds_role, body, n);
		op->imds_role[n] = 0;
		if (!role_name_ok(op->imds_role)) {
			op_fail(op, -ENOENT, "no valid IAM role attached to the instance");
			return;
		}
		break;
	case IMDS_CREDS:
		if (cred_from_json(body, len, 0,
				   op->p->steps[op->step].label, &cred,
				   &perr)) {
			op_done(op, NULL, &perr);
			return;
		}
		op_next(op, &cred, "imds");
		cred_wipe(&cred);
		return;
	}
	op->imds_stage++;
	imds_request(op);
}

static void imds_request(cred_op_t *op)
{
	cred_provider_t *p = op->p;
	const cred_step_t *s = &p->steps[op->step];
	const char *headers[2] = { NULL, NULL };
	char url[1024], hdr[1100];
	const char *method = "GET";
	int rc;
	err_t e;

	switch (op->imds_stage) {
	case IMDS_TOKEN:
		method = "PUT";
		snprintf(url, sizeof(url), "%s/latest/api/token", s->url);
		snprintf(hdr, sizeof(hdr),
			 "X-aws-ec2-metadata-token-ttl-seconds: 21600");
		break;
	case IMDS_ROLE:
		snprintf(url, sizeof(url),
			 "%s/latest/meta-data/iam/security-credentials/", s->url);
		snprintf(hdr, sizeof(hdr), "X-aws-ec2-metadata-token: %s",
			 op->imds_token);
		break;
	default:
		snprintf(url, sizeof(url),
			 "%s/latest/meta-data/iam/security-credentials/%s",
			 s->url, op->imds_role);
		snprintf(hdr, sizeof(hdr), "X-aws-ec2-metadata-token: %s",
			 op->imds_token);
		break;
	}
	headers[0] = hdr;
	err_clear(&e);
	rc = p->transport.http(p->transport.ctx, method, url, headers, NULL,
			       IMDS_TIMEOUT_MS, imds_cb, op, &e);
	explicit_bzero(hdr, sizeof(hdr));
	if (rc)
		op_fail_from(op, &e);
}

/* ---- credential_process ------------------------------------------------- */
/* https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html */

static void proc_finish(cred_op_t *op)
{
	cred_t cred;
	err_t e;

	if (op->timed_out) {
		op_fail(op, -ETIMEDOUT, "no answer within %d s; the helper was "
			"killed (settings.credential_process_timeout)",
			(op->p->process_timeout_ms + 999) / 1000);
		return;
	}
	if (op->out_overflow) {
		op_fail(op, -EFBIG, "output is larger than %d bytes",
			MAX_PROCESS_OUTPUT);
		return;
	}
	if (op->term_signal) {
		op_fail(op, -ECHILD, "killed by signal %d", op->term_signal);
		return;
	}
	if (op->exit_status) {
		op_fail(op, -ECHILD, "exited with status %lld%s%s",
			(long long)op->exit_status,
			op->err_len ? ": " : "", op->err_text);
		return;
	}
	if (cred_from_json(op->out ? op->out : "", op->out_len, 1,
			   op->p->steps[op->step].label, &cred, &e)) {
		op_done(op, NULL, &e);
		return;
	}
	op_next(op, &cred, "process");
	cred_wipe(&cred);
}

static void proc_closed(uv_handle_t *h)
{
	cred_op_t *op = h->data;

	if (--op->handles_open == 0)
		proc_finish(op);
}

static void proc_maybe_close(cred_op_t *op)
{
	if (!op->exited || !op->out_done || !op->err_done)
		return;
	uv_close((uv_handle_t *)&op->proc, proc_closed);
	uv_close((uv_handle_t *)&op->out_pipe, proc_closed);
	uv_close((uv_handle_t *)&op->err_pipe, proc_closed);
	uv_close((uv_handle_t *)&op->kill_timer, proc_closed);
}

/* A hung helper would stall every AWS call while the watchdog still sees
 * the daemon alive: kill its whole process group (sh and what it started,
 * which may hold the pipes) and stop waiting for end of output. */
static void proc_timeout(uv_timer_t *t)
{
	cred_op_t *op = t->data;

	op->timed_out = 1;
	if (!op->exited && op->proc.pid > 0)
		kill(-op->proc.pid, SIGKILL);
	uv_read_stop((uv_stream_t *)&op->out_pipe);
	uv_read_stop((uv_stream_t *)&op->err_pipe);
	op->out_done = op->err_done = 1;
	proc_maybe_close(op);
}

/* The helper must inherit no descriptor but 0-2 (the daemon's sockets,
 * the journal, inherited listeners): mark every other one close-on-exec
 * before the spawn. libuv offers no hook in the child, and dup2 onto 0-2
 * clears the flag there. */
int cred_cloexec_from(int lowfd)
{
	DIR *d;
	struct dirent *de;
	int fd, dfd, flags;

#ifdef CLOSE_RANGE_CLOEXEC
	if (!close_range((unsigned)lowfd, ~0u, CLOSE_RANGE_CLOEXEC))
		return 0;
#endif
	d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		fd = atoi(de->d_name);
		if (fd < lowfd || fd == dfd || !isdigit((unsigned char)de->d_name[0]))
			continue;
		flags = fcntl(fd, F_GETFD);
		if (flags >= 0 && !(flags & FD_CLOEXEC))
			fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
	}
	closedir(d);
	return 0;
}

static void proc_exit(uv_process_t *proc, int64_t status, int sig)
{
	cred_op_t *op = proc->data;

	op->exited = 1;
	op->exit_status = status;
	op->term_signal = sig;
	proc_maybe_close(op);
}

static void proc_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	cred_op_t *op = h->data;

	(void)hint;
	*buf = uv_buf_init(op->read_buf, sizeof(op->read_buf));
}

static void proc_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	cred_op_t *op = s->data;
	int is_out = s == (uv_stream_t *)&op->out_pipe;
	char *grown;

	if (n == 0)
		return;
	if (n < 0) {
		uv_read_stop(s);
		if (is_out)
			op->out_done = 1;
		else
			op->err_done = 1;
		proc_maybe_close(op);
		return;
	}
	if (!is_out) {
		/* stderr may echo anything; keep a short, printable prefix. */
		for (ssize_t i = 0; i < n && op->err_len < MAX_STDERR_KEPT; i++)
			op->err_text[op->err_len++] =
				isprint((unsigned char)buf->base[i]) ?
				buf->base[i] : ' ';
		op->err_text[op->err_len] = 0;
		return;
	}
	if (op->out_overflow || op->out_len + (size_t)n > MAX_PROCESS_OUTPUT) {
		op->out_overflow = 1;
		return;
	}
	grown = realloc(op->out, op->out_len + (size_t)n + 1);
	if (!grown) {
		op->out_overflow = 1;
		return;
	}
	op->out = grown;
	memcpy(op->out + op->out_len, buf->base, (size_t)n);
	op->out_len += (size_t)n;
	op->out[op->out_len] = 0;
}

static void run_process(cred_op_t *op, const cred_step_t *s)
{
	uv_loop_t *loop = op->p->loop;
	uv_process_options_t o;
	uv_stdio_container_t stdio[3];
	char *args[] = { "/bin/sh", "-c", s->command, NULL };
	int rc;

	memset(&o, 0, sizeof(o));
	uv_pipe_init(loop, &op->out_pipe, 0);
	uv_pipe_init(loop, &op->err_pipe, 0);
	op->proc.data = op->out_pipe.data = op->err_pipe.data = op;
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[1].data.stream = (uv_stream_t *)&op->out_pipe;
	stdio[2].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
	stdio[2].data.stream = (uv_stream_t *)&op->err_pipe;
	o.file = args[0];
	o.args = args;
	o.stdio = stdio;
	o.stdio_count = 3;
	o.exit_cb = proc_exit;
	/* Its own process group, so that a timeout kills all of it. */
	o.flags = UV_PROCESS_DETACHED;
	uv_timer_init(loop, &op->kill_timer);
	op->kill_timer.data = op;
	op->handles_open = 4;
	cred_cloexec_from(3);
	rc = uv_spawn(loop, &op->proc, &o);
	if (rc) {
		op->exited = 1;
		op->exit_status = 127;
		snprintf(op->err_text, sizeof(op->err_text),
			 "cannot start /bin/sh: %s", uv_strerror(rc));
		op->err_len = strlen(op->err_text);
		op->out_done = op->err_done = 1;
		proc_maybe_close(op);
		return;
	}
	uv_timer_start(&op->kill_timer, proc_timeout,
		       (uint64_t)op->p->process_timeout_ms, 0);
	uv_read_start((uv_stream_t *)&op->out_pipe, proc_alloc, proc_read);
	uv_read_start((uv_stream_t *)&op->err_pipe, proc_alloc, proc_read);
}

/* ---- the chain ---------------------------------------------------------- */

static void op_run(cred_op_t *op)
{
	const cred_step_t *s = &op->p->steps[op->step];

	switch (s->kind) {
	case STEP_STATIC:
		op_next(op, &s->fixed, s->fixed.source);
		break;
	case STEP_ASSUME_ROLE:
	case STEP_WEB_IDENTITY:
		run_sts(op, s);
		break;
	case STEP_ECS:
		run_ecs(op, s);
		break;
	case STEP_IMDS:
		op->imds_stage = IMDS_TOKEN;
		imds_request(op);
		break;
	case STEP_PROCESS:
		run_process(op, s);
		break;
	}
}

static void start_refresh(cred_provider_t *p)
{
	cred_op_t *op;
	err_t e;

	if (p->inflight || p->closing)
		return;
	op = calloc(1, sizeof(*op));
	if (!op) {
		err_set(&e, -ENOMEM, "out of memory starting a credential refresh");
		deliver(p, NULL, &e);
		return;
	}
	op->p = p;
	p->inflight = op;
	op_run(op);
}

static void timer_cb(uv_timer_t *t)
{
	start_refresh(t->data);
}

/* ---- planning: which sources, read from env and files ------------------- */

static void step_free(cred_step_t *s)
{
	free(s->role_arn);
	free(s->session_name);
	free(s->external_id);
	free(s->duration);
	free(s->token_file);
	if (s->auth_token)
		explicit_bzero(s->auth_token, strlen(s->auth_token));
	free(s->auth_token);
	free(s->command);
	free(s->url);
	cred_wipe(&s->fixed);
}

static void plan_clear(cred_provider_t *p)
{
	int i;

	for (i = 0; i < p->nsteps; i++)
		step_free(&p->steps[i]);
	free(p->steps);
	p->steps = NULL;
	p->nsteps = 0;
}

static cred_step_t *add_step(cred_provider_t *p, step_kind_t kind,
			     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static cred_step_t *add_step(cred_provider_t *p, step_kind_t kind,
			     const char *fmt, ...)
{
	cred_step_t *steps, *s;
	va_list ap;

	steps = realloc(p->steps, (size_t)(p->nsteps + 1) * sizeof(*steps));
	if (!steps)
		return NULL;
	p->steps = steps;
	s = &steps[p->nsteps++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	va_start(ap, fmt);
	vsnprintf(s->label, sizeof(s->label), fmt, ap);
	va_end(ap);
	return s;
}

/* strdup of optional strings; *ok cleared on allocation failure. */
static char *dup_opt(const char *s, int *ok)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*ok = 0;
	return d;
}

static int static_step(cred_provider_t *p, const char *source,
		       const char *label, const char *ak, const char *sk,
		       const char *tok, err_t *e)
{
	cred_step_t *s = add_step(p, STEP_STATIC, "%s", label);

	if (!s)
		return err_set(e, -ENOMEM, "out of memory");
	if (copy_field(s->fixed.access_key_id, sizeof(s->fixed.access_key_id), ak) ||
	    copy_field(s->fixed.secret_access_key,
		       sizeof(s->fixed.secret_access_key), sk) ||
	    copy_field(s->fixed.session_token, sizeof(s->fixed.session_token),
		       tok))
		return err_set(e, -EOVERFLOW, "%s: a credential value is too long",
			       label);
	snprintf(s->fixed.source, sizeof(s->fixed.source), "%s", source);
	return 0;
}

/* Static keys of a profile from one file (or either): 1 found, 0 none,
 * <0 error (half a pair). */
static int profile_static(cred_provider_t *p, const char *name,
			  profile_file_t which, err_t *e)
{
	const char *ak, *sk, *file = NULL;
	char label[300];
	int line = 0;

	ak = profile_get_in(p->profile, which, name, "aws_access_key_id", &file,
			    &line);
	sk = profile_get_in(p->profile, which, name, "aws_secret_access_key",
			    ak ? NULL : &file, ak ? NULL : &line);
	if (!ak && !sk)
		return 0;
	if (!ak || !sk)
		return err_set_at(e, -EINVAL, file, line, 1,
				  "profile \"%s\" sets %s without %s", name,
				  ak ? "aws_access_key_id" : "aws_secret_access_key",
				  ak ? "aws_secret_access_key" : "aws_access_key_id");
	snprintf(label, sizeof(label), "profile \"%s\" (%s:%d)", name, file,
		 line);
	return static_step(p, "shared-files", label, ak, sk,
			   profile_get_in(p->profile, which, name,
					  "aws_session_token", NULL, NULL),
			   e) ?: 1;
}

static int role_step(cred_provider_t *p, step_kind_t kind, const char *name,
		     const char *role_arn, const char *file, int line,
		     err_t *e)
{
	const char *dur, *dfile = NULL;
	int dline = 0, ok = 1;
	cred_step_t *s;
	char *end;
	long v;

	dur = profile_get(p->profile, name, "duration_seconds", &dfile, &dline);
	if (dur) {
		v = strtol(dur, &end, 10);
		if (*end || v < 900 || v > 43200)
			return err_set_at(e, -EINVAL, dfile, dline, 1,
					  "duration_seconds must be 900..43200");
	}
	s = add_step(p, kind, "%s %s for profile \"%s\" (%s:%d)",
		     kind == STEP_ASSUME_ROLE ? "assume-role"
					      : "web identity role",
		     role_arn, name, file, line);
	if (!s)
		return err_set(e, -ENOMEM, "out of memory");
	s->role_arn = dup_opt(role_arn, &ok);
	s->session_name = dup_opt(profile_get(p->profile, name,
					      "role_session_name", NULL, NULL),
				  &ok);
	s->external_id = dup_opt(profile_get(p->profile, name, "external_id",
					     NULL, NULL), &ok);
	s->duration = dup_opt(dur, &ok);
	if (kind == STEP_WEB_IDENTITY)
		s->token_file = dup_opt(profile_get(p->profile, name,
						    "web_identity_token_file",
						    NULL, NULL), &ok);
	return ok ? 0 : err_set(e, -ENOMEM, "out of memory");
}

/* AWS_ACCESS_KEY_ID and friends: 1 planned, 0 not set, <0 half a pair. */
static int plan_env_keys(cred_provider_t *p, err_t *e)
{
	const char *ak = profile_getenv(p->profile, "AWS_ACCESS_KEY_ID");
	const char *sk = profile_getenv(p->profile, "AWS_SECRET_ACCESS_KEY");

	if (!ak && !sk)
		return 0;
	if (!ak || !sk)
		return err_set(e, -EINVAL, "environment: %s is set but %s is not",
			       ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
			       ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	return static_step(p, "environment", "environment", ak, sk,
			   profile_getenv(p->profile, "AWS_SESSION_TOKEN"), e) ?: 1;
}

static int plan_ecs(cred_provider_t *p, const char *rel, const char *full,
		    err_t *e);
static int plan_imds(cred_provider_t *p, err_t *e);

/* credential_source names where a role's source credentials come from
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html). */
static int plan_credential_source(cred_provider_t *p, const char *name,
				  const char *source, const char *file,
				  int line, err_t *e)
{
	const char *rel, *full;
	int rc;

	if (!strcmp(source, "Environment")) {
		rc = plan_env_keys(p, e);
		if (rc)
			return rc < 0 ? rc : 0;
		return err_set_at(e, -ENOENT, file, line, 1,
				  "profile \"%s\": credential_source Environment but AWS_ACCESS_KEY_ID is not set",
				  name);
	}
	if (!strcmp(source, "Ec2InstanceMetadata"))
		return plan_imds(p, e);
	if (!strcmp(source, "EcsContainer")) {
		rel = profile_getenv(p->profile,
				     "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
		full = profile_getenv(p->profile,
				      "AWS_CONTAINER_CREDENTIALS_FULL_URI");
		if (rel || full)
			return plan_ecs(p, rel, full, e);
		return err_set_at(e, -ENOENT, file, line, 1,
				  "profile \"%s\": credential_source EcsContainer but no AWS_CONTAINER_CREDENTIALS_*_URI is set",
				  name);
	}
	return err_set_at(e, -EINVAL, file, line, 1,
			  "profile \"%s\": credential_source must be Environment, Ec2InstanceMetadata or EcsContainer",
			  name);
}

static int loop_error(const char *name, const char *src,
		      const char **visited, int depth, const char *file,
		      int line, err_t *e)
{
	char chain[256] = "";
	int i;

	for (i = 0; i < depth; i++) {
		strncat(chain, visited[i], sizeof(chain) - strlen(chain) - 1);
		strncat(chain, " -> ", sizeof(chain) - strlen(chain) - 1);
	}
	return err_set_at(e, -ELOOP, file, line, 1,
			  "source_profile loop: %s%s -> %s", chain, name, src);
}

/* Plans profile `name`. visited holds the chain so far for loop detection.
 * Returns 0, -ENOENT when the profile holds no credentials, or an error. */
static int plan_profile(cred_provider_t *p, const char *name,
			const char **visited, int depth, int as_source,
			err_t *e)
{
	const char *role, *src, *file = NULL, *sfile = NULL, *proc;
	int line = 0, sline = 0, rc, i;
	cred_step_t *s;
	char label[300];

	if (as_source) {
		/* botocore: a source profile's own keys beat its role_arn. */
		rc = profile_static(p, name, PROFILE_ANY, e);
		if (rc)
			return rc < 0 ? rc : 0;
	}
	role = profile_get(p->profile, name, "role_arn", &file, &line);
	if (role) {
		src = profile_get(p->profile, name, "source_profile", &sfile,
				  &sline);
		if (src && !strcmp(src, name)) {
			/* Only a profile with its own keys may name itself. */
			rc = profile_static(p, name, PROFILE_ANY, e);
			if (rc < 0)
				return rc;
			if (!rc)
				return loop_error(name, src, visited, depth,
						  sfile, sline, e);
			return role_step(p, STEP_ASSUME_ROLE, name, role, file,
					 line, e);
		}
		if (src) {
			for (i = 0; i < depth; i++)
				if (!strcmp(visited[i], src))
					break;
			if (i < depth || depth + 1 >= MAX_PROFILE_DEPTH)
				return loop_error(name, src, visited, depth,
						  sfile, sline, e);
			if (!profile_exists(p->profile, src))
				return err_set_at(e, -ENOENT, sfile, sline, 1,
						  "source_profile \"%s\" of profile \"%s\" does not exist",
						  src, name);
			visited[depth] = name;
			rc = plan_profile(p, src, visited, depth + 1, 1, e);
			if (rc == -ENOENT && !e->code)
				return err_set_at(e, -ENOENT, sfile, sline, 1,
						  "source_profile \"%s\" holds no credentials",
						  src);
			if (rc)
				return rc;
			return role_step(p, STEP_ASSUME_ROLE, name, role, file,
					 line, e);
		}
		if (profile_get(p->profile, name, "web_identity_token_file",
				NULL, NULL))
			return role_step(p, STEP_WEB_IDENTITY, name, role,
					 file, line, e);
		src = profile_get(p->profile, name, "credential_source", &sfile,
				  &sline);
		if (src) {
			rc = plan_credential_source(p, name, src, sfile, sline,
						    e);
			return rc ? rc : role_step(p, STEP_ASSUME_ROLE, name,
						   role, file, line, e);
		}
		return err_set_at(e, -EINVAL, file, line, 1,
				  "profile \"%s\" sets role_arn without source_profile, "
				  "credential_source or web_identity_token_file",
				  name);
	}
	/* botocore's order: credentials-file keys, then credential_process,
	 * then config-file keys. */
	rc = profile_static(p, name, PROFILE_CREDENTIALS, e);
	if (rc)
		return rc < 0 ? rc : 0;
	proc = profile_get(p->profile, name, "credential_process", &file, &line);
	if (proc) {
		snprintf(label, sizeof(label),
			 "credential_process of profile \"%s\" (%s:%d)", name,
			 file, line);
		s = add_step(p, STEP_PROCESS, "%s", label);
		if (!s || !(s->command = strdup(proc)))
			return err_set(e, -ENOMEM, "out of memory");
		return 0;
	}
	rc = profile_static(p, name, PROFILE_CONFIG, e);
	if (rc)
		return rc < 0 ? rc : 0;
	return -ENOENT;
}

/* AWS_CONTAINER_CREDENTIALS_FULL_URI over plain http may only point at the
 * container agent or loopback
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html). */
static int ecs_url_allowed(const char *url)
{
	static const char *const hosts[] = {
		"169.254.170.2", "169.254.170.23", "[fd00:ec2::23]",
	};
	char scheme[16], host[256];
	size_t i;

	/* The real host, as botocore's urlparse sees it: a prefix match let
	 * "http://169.254.170.2:80@evil/" send the token to evil. */
	if (endpoint_url_parts(url, scheme, sizeof(scheme), host, sizeof(host)))
		return 0;
	if (!strcasecmp(scheme, "https"))
		return 1;
	if (strcasecmp(scheme, "http"))
		return 0;
	if (endpoint_host_is_loopback(host))
		return 1;
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (!strcasecmp(host, hosts[i]))
			return 1;
	return 0;
}

static int plan_ecs(cred_provider_t *p, const char *rel, const char *full,
		    err_t *e)
{
	cred_step_t *s;
	int ok = 1;

	if (rel && rel[0] != '/')
		return err_set(e, -EINVAL,
			       "container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/'");
	if (!rel && !ecs_url_allowed(full))
		return err_set(e, -EINVAL,
			       "container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or http to a loopback or container-agent address");
	s = add_step(p, STEP_ECS, "container credentials (%s)",
		     rel ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
			 : "AWS_CONTAINER_CREDENTIALS_FULL_URI");
	if (!s)
		return err_set(e, -ENOMEM, "out of memory");
	if (rel) {
		if (asprintf(&s->url, "%s%s", ECS_HOST, rel) < 0) {
			s->url = NULL;
			ok = 0;
		}
	} else {
		s->url = dup_opt(full, &ok);
	}
	s->token_file = dup_opt(profile_getenv(p->profile,
					       "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
				&ok);
	if (!s->token_file)
		s->auth_token = dup_opt(profile_getenv(p->profile,
						       "AWS_CONTAINER_AUTHORIZATION_TOKEN"),
					&ok);
	return ok ? 0 : err_set(e, -ENOMEM, "out of memory");
}

static int plan_imds(cred_provider_t *p, err_t *e)
{
	const char *base = profile_getenv(p->profile,
					  "AWS_EC2_METADATA_SERVICE_ENDPOINT");
	cred_step_t *s;
	size_t n;

	if (!base)
		base = IMDS_HOST;
	if ((strncmp(base, "http://", 7) && strncmp(base, "https://", 8)) ||
	    strlen(base) > 512)
		return err_set(e, -EINVAL,
			       "EC2 instance metadata: AWS_EC2_METADATA_SERVICE_ENDPOINT must be an http(s) URL");
	s = add_step(p, STEP_IMDS, "EC2 instance metadata (%s)", base);
	if (!s || !(s->url = strdup(base)))
		return err_set(e, -ENOMEM, "out of memory");
	n = strlen(s->url);
	while (n && s->url[n - 1] == '/')
		s->url[--n] = 0;
	return 0;
}

static int plan(cred_provider_t *p, err_t *e)
{
	const char *name, *wif, *arn, *rel, *full;
	const char *visited[MAX_PROFILE_DEPTH];
	cred_step_t *s;
	int rc, ok = 1;

	err_clear(e);
	/* As in the AWS CLI, a profile the caller names (--profile) beats
	 * keys in the environment; AWS_PROFILE does not. */
	rc = p->profile_given ? 0 : plan_env_keys(p, e);
	if (rc)
		return rc < 0 ? rc : 0;
	name = profile_name(p->profile);
	if (profile_exists(p->profile, name)) {
		rc = plan_profile(p, name, visited, 0, 0, e);
		if (rc != -ENOENT || e->code)
			return rc;
	} else if (profile_explicit(p->profile)) {
		return err_set(e, -ENOENT, "shared files: profile \"%s\" not found",
			       name);
	}
	wif = profile_getenv(p->profile, "AWS_WEB_IDENTITY_TOKEN_FILE");
	arn = profile_getenv(p->profile, "AWS_ROLE_ARN");
	if (wif && arn) {
		s = add_step(p, STEP_WEB_IDENTITY,
			     "web identity role %s (AWS_WEB_IDENTITY_TOKEN_FILE)",
			     arn);
		if (!s)
			return err_set(e, -ENOMEM, "out of memory");
		s->role_arn = dup_opt(arn, &ok);
		s->token_file = dup_opt(wif, &ok);
		s->session_name = dup_opt(profile_getenv(p->profile,
							 "AWS_ROLE_SESSION_NAME"),
					  &ok);
		return ok ? 0 : err_set(e, -ENOMEM, "out of memory");
	}
	rel = profile_getenv(p->profile, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	full = profile_getenv(p->profile, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
	if (rel || full)
		return plan_ecs(p, rel, full, e);
	if (!profile_true(profile_getenv(p->profile, "AWS_EC2_METADATA_DISABLED")))
		return plan_imds(p, e);
	return err_set(e, -ENOENT,
		       "no AWS credentials found: none in the environment, in profile \"%s\", "
		       "or from web identity or container credentials, and instance metadata is disabled",
		       name);
}

/* ---- public ------------------------------------------------------------- */

int cred_provider_new(const cred_provider_opts_t *opts, cred_provider_t **out,
		      err_t *e)
{
	cred_provider_t *p;
	int rc;

	*out = NULL;
	if (!opts->loop || !opts->transport.http || !opts->transport.sts)
		return err_set(e, -EINVAL, "credentials: loop and transport are required");
	p = calloc(1, sizeof(*p));
	if (!p)
		return err_set(e, -ENOMEM, "out of memory");
	p->loop = opts->loop;
	p->transport = opts->transport;
	p->now = opts->now;
	p->now_ctx = opts->now_ctx;
	p->window_s = opts->refresh_window_s > 0 ? opts->refresh_window_s : 300;
	p->process_timeout_ms = opts->process_timeout_ms > 0 ?
				opts->process_timeout_ms : PROCESS_TIMEOUT_MS;
	p->waiters_tail = &p->waiters;
	p->profile_given = opts->profile != NULL;
	rc = profile_load(&opts->env, opts->profile, &p->profile, e);
	if (rc)
		goto out;
	if (opts->sts_region)
		snprintf(p->sts_region, sizeof(p->sts_region), "%s",
			 opts->sts_region);
	else if (endpoint_region(p->profile, p->sts_region,
				 sizeof(p->sts_region), NULL))
		snprintf(p->sts_region, sizeof(p->sts_region), "us-east-1");
	uv_timer_init(p->loop, &p->timer);
	/* A pending refresh alone must not keep a one-shot command's loop
	 * running. */
	uv_unref((uv_handle_t *)&p->timer);
	p->timer.data = p;
	p->timer_open = 1;
	*out = p;
	p = NULL;
out:
	if (p) {
		profile_free(p->profile);
		free(p);
	}
	return rc;
}

int cred_provider_get(cred_provider_t *p, cred_get_cb cb, void *data)
{
	cred_waiter_t *w;
	time_t now = now_s(p);
	err_t e;
	int rc;

	if (p->closing) {
		err_set(&e, -ECANCELED, "credentials: provider is shutting down");
		cb(data, NULL, &e);
		return 0;
	}
	if (p->have_cached &&
	    (!p->cached.expiration || now < p->cached.expiration)) {
		if (p->cached.expiration &&
		    p->cached.expiration - now < p->window_s &&
		    now >= p->no_retry_before)
			start_refresh(p);
		cb(data, &p->cached, NULL);
		return 0;
	}
	if (!p->steps) {
		rc = plan(p, &e);
		if (rc) {
			plan_clear(p);
			cb(data, NULL, &e);
			return 0;
		}
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		err_set(&e, -ENOMEM, "out of memory");
		cb(data, NULL, &e);
		return 0;
	}
	w->cb = cb;
	w->data = data;
	*p->waiters_tail = w;
	p->waiters_tail = &w->next;
	start_refresh(p);
	return 0;
}

static void timer_closed(uv_handle_t *h)
{
	cred_provider_t *p = h->data;

	p->timer_open = 0;
	maybe_release(p);
}

static void maybe_release(cred_provider_t *p)
{
	if (!p->closing || p->inflight || p->timer_open || p->delivering)
		return;
	plan_clear(p);
	cred_wipe(&p->cached);
	profile_free(p->profile);
	free(p);
}

void cred_provider_free(cred_provider_t *p)
{
	err_t e;

	if (!p || p->closing)
		return;
	p->closing = 1;
	err_set(&e, -ECANCELED, "credentials: provider is shutting down");
	deliver(p, NULL, &e);
	if (p->timer_open && !uv_is_closing((uv_handle_t *)&p->timer))
		uv_close((uv_handle_t *)&p->timer, timer_closed);
	maybe_release(p);
}
