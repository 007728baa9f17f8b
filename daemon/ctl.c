/* The control socket of `driftd run` (the client commands are in
 * daemon/cmd_ctl.c).
 *
 * Protocol: the client connects, writes one request line ("status",
 * "drift", "reload", "reconcile" or "reconcile ADDRESS"), and reads one
 * JSON document (a line) before the daemon closes the connection. The
 * socket is mode 0600 in a 0700 directory: whoever can connect may make
 * the daemon run a cycle, so only its own user can.
 *
 * Every connection gets an answer or is closed, and none is held long:
 * a malformed request (a NUL or another control byte, too long) is
 * answered with an error; a connection that sends no complete request
 * within CTL_IDLE_MS, or does not take its answer within it, is closed;
 * beyond CTL_CONN_MAX open connections a new one is answered "busy" and
 * closed. A client on the host cannot tie up the daemon's descriptors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>
#include <uv.h>

#include "daemon.h"

#define CTL_IDLE_MS  5000
#define CTL_CONN_MAX 16
#define CTL_IDLE_TEXT "5"   /* CTL_IDLE_MS, for messages */

typedef struct ctl_conn ctl_conn_t;

/* Freed when the listening pipe and every connection are closed. */
struct ctl_server {
	uv_pipe_t   pipe;
	daemon_t   *d;
	char       *path;
	ctl_conn_t *conns;     /* open connections, linked */
	unsigned    nconn;
	int         closed;    /* the listening pipe's close is done */
};

struct ctl_conn {
	ctl_conn_t  *prev, *next;
	uv_pipe_t    pipe;
	uv_timer_t   idle;
	uv_write_t   write;
	uv_shutdown_t shutdown;
	ctl_server_t *srv;
	daemon_t    *d;
	char         request[CTL_REQUEST_MAX];
	size_t       len;
	char        *response;
	int          answered, closing, handles;
};

/* ---- server ----------------------------------------------------------- */

static void iso_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!t) {
		snprintf(buf, len, "-");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A standby's changes are held back by the lease, not by a backoff. */
static const char *state_name(const daemon_t *d, const tracker_entry_t *t)
{
	return t->state == TRACKER_DEFERRED && !daemon_lease_may_write(d) ?
	       "standby" : tracker_state_name(t->state);
}

static cJSON *status_json(daemon_t *d)
{
	cJSON *doc = cJSON_CreateObject(), *list, *o;
	char when[32];
	double now = (double)uv_now(d->loop) / 1000.0;
	unsigned long cycle = tracker_cycles(d->tracker);
	const tracker_entry_t *t;
	size_t i;

	cJSON_AddStringToObject(doc, "environment", d->environment);
	cJSON_AddBoolToObject(doc, "ready", d->ready);
	cJSON_AddBoolToObject(doc, "config_valid", d->config_valid);
	cJSON_AddBoolToObject(doc, "cycle_running", d->running);
	cJSON_AddNumberToObject(doc, "cycles", (double)d->cycles);
	iso_time(d->last_cycle_wall, when, sizeof(when));
	cJSON_AddStringToObject(doc, "last_cycle", when);
	cJSON_AddNumberToObject(doc, "last_cycle_seconds", d->last_cycle_s);
	cJSON_AddNumberToObject(doc, "managed", (double)d->n_managed);
	cJSON_AddNumberToObject(doc, "drifted", (double)d->n_drifted);
	daemon_lease_json(d, doc);
	daemon_events_json(d, doc);
	list = cJSON_AddArrayToObject(doc, "resources");
	for (i = 0; (t = tracker_entry(d->tracker, i)); i++) {
		if (t->seen != cycle)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "address", t->address);
		cJSON_AddStringToObject(o, "state", state_name(d, t));
		iso_time(t->last_change, when, sizeof(when));
		cJSON_AddStringToObject(o, "last_change", when);
		cJSON_AddNumberToObject(o, "drift", (double)t->drift);
		if (t->unreadable)
			cJSON_AddNumberToObject(o, "unreadable_cycles",
						(double)t->unreadable);
		if (t->failures && t->next_try > now)
			cJSON_AddNumberToObject(o, "retry_in_seconds",
						(int)(t->next_try - now));
		cJSON_AddItemToArray(list, o);
	}
	return doc;
}

/* What differed in the last cycle: drift left in place, refused, changed,
 * or a change that failed or is held back. */
static cJSON *drift_json(daemon_t *d)
{
	cJSON *doc = cJSON_CreateObject(), *list, *o;
	unsigned long cycle = tracker_cycles(d->tracker);
	const tracker_entry_t *t;
	size_t i;

	list = cJSON_AddArrayToObject(doc, "drift");
	for (i = 0; (t = tracker_entry(d->tracker, i)); i++) {
		if (t->seen != cycle || !t->changes ||
		    !cJSON_GetArraySize(t->changes) ||
		    (t->state != TRACKER_DRIFTED && t->state != TRACKER_REFUSED &&
		     t->state != TRACKER_CHANGED && t->state != TRACKER_FAILED &&
		     t->state != TRACKER_DEFERRED))
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "address", t->address);
		cJSON_AddStringToObject(o, "action",
					tracker_action_name(t->action));
		cJSON_AddStringToObject(o, "state", state_name(d, t));
		cJSON_AddItemToObject(o, "changes",
				      cJSON_Duplicate(t->changes, 1));
		if (d->attrib && attrib_latest(d->attrib, t->address))
			cJSON_AddItemToObject(o, "attribution", cJSON_Duplicate(
				attrib_latest(d->attrib, t->address), 1));
		cJSON_AddItemToArray(list, o);
	}
	return doc;
}

static cJSON *reply(int ok, const char *fmt, const char *arg)
{
	cJSON *doc = cJSON_CreateObject();
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg ? arg : "");
	cJSON_AddBoolToObject(doc, "ok", ok);
	cJSON_AddStringToObject(doc, ok ? "message" : "error", msg);
	return doc;
}

static cJSON *do_status(daemon_t *d, const char *arg)
{
	(void)arg;
	return status_json(d);
}

static cJSON *do_drift(daemon_t *d, const char *arg)
{
	(void)arg;
	return drift_json(d);
}

static cJSON *do_reload(daemon_t *d, const char *arg)
{
	(void)arg;
	daemon_request_reload(d);
	return d->reload_pending ?
	       reply(1, "The reload runs when the current cycle "
		     "finishes.%s", NULL) :
	       d->config_valid ?
	       reply(1, "The config was reloaded and a cycle started.%s",
		     NULL) :
	       reply(0, "The config was rejected; driftd keeps the last "
		     "good one. See the journal for each error.%s", NULL);
}

static cJSON *do_reconcile(daemon_t *d, const char *arg)
{
	if (arg && *arg && !daemon_knows(d, arg))
		return reply(0, "%s is not a resource driftd knows.", arg);
	daemon_request_cycle(d, arg && *arg ? arg : NULL);
	return reply(1, d->cycle_pending ?
		     "A cycle starts when the running one finishes.%s" :
		     "A cycle started.%s", NULL);
}

/* The verbs; read-only ones are answered while driftd stops. */
static const struct ctl_verb {
	const char *name;
	int         takes_arg, read_only;
	cJSON    *(*run)(daemon_t *d, const char *arg);
} verbs[] = {
	{ "status",    0, 1, do_status },
	{ "drift",     0, 1, do_drift },
	{ "reload",    0, 0, do_reload },
	{ "reconcile", 1, 0, do_reconcile },
};

static cJSON *handle(daemon_t *d, char *req)
{
	char *arg = strchr(req, ' ');
	size_t i;

	if (arg)
		*arg++ = '\0';
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(req, verbs[i].name))
			continue;
		if (arg && !verbs[i].takes_arg)
			return reply(0, "\"%s\" takes no argument", req);
		if (d->stopping && !verbs[i].read_only)
			return reply(0, "driftd is stopping.%s", NULL);
		return verbs[i].run(d, arg);
	}
	return reply(0, "unknown request \"%s\"", req);
}

static void server_free_if_done(ctl_server_t *srv)
{
	if (!srv->closed || srv->conns)
		return;
	free(srv->path);
	free(srv);
}

/* Both handles (pipe and timer) close; the last one frees. */
static void on_conn_closed(uv_handle_t *h)
{
	ctl_conn_t *c = h->data;
	ctl_server_t *srv = c->srv;

	if (--c->handles)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->nconn--;
	free(c->response);
	free(c);
	server_free_if_done(srv);
}

static void conn_close(ctl_conn_t *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	uv_close((uv_handle_t *)&c->idle, on_conn_closed);
	uv_close((uv_handle_t *)&c->pipe, on_conn_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	ctl_conn_t *c = h->data;

	(void)suggested;
	buf->base = c->request + c->len;
	buf->len = sizeof(c->request) - 1 - c->len;
}

static void on_drain_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	ctl_conn_t *c = h->data;

	(void)suggested;
	buf->base = c->request;
	buf->len = sizeof(c->request);
}

/* After the answer: whatever else the client sent is read and dropped
 * until it closes (or the idle timer does). Closing with unread input
 * would reset the connection and could lose the answer. */
static void on_drain(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	(void)buf;
	if (n < 0)
		conn_close(s->data);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
	ctl_conn_t *c = req->data;

	if (c->closing)
		return;
	if (status < 0 || uv_read_start((uv_stream_t *)&c->pipe,
					on_drain_alloc, on_drain))
		conn_close(c);
}

static void on_written(uv_write_t *w, int status)
{
	ctl_conn_t *c = w->data;

	if (c->closing)
		return;
	c->shutdown.data = c;
	if (status < 0 || uv_shutdown(&c->shutdown, (uv_stream_t *)&c->pipe,
				      on_shutdown))
		conn_close(c);
}

/* The idle timer runs again for the write: a client that never reads
 * its answer is closed as well. */
static void answer(ctl_conn_t *c, cJSON *doc)
{
	char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
	uv_buf_t buf;

	cJSON_Delete(doc);
	c->answered = 1;
	uv_read_stop((uv_stream_t *)&c->pipe);
	uv_timer_again(&c->idle);
	if (!text || asprintf(&c->response, "%s\n", text) < 0) {
		free(text);
		c->response = NULL;
		conn_close(c);
		return;
	}
	free(text);
	buf = uv_buf_init(c->response, (unsigned)strlen(c->response));
	c->write.data = c;
	if (uv_write(&c->write, (uv_stream_t *)&c->pipe, &buf, 1, on_written))
		conn_close(c);
}

static void on_idle(uv_timer_t *t)
{
	ctl_conn_t *c = t->data;

	if (c->answered || !c->len) {
		conn_close(c);
		return;
	}
	answer(c, reply(0, "no complete request line within %s seconds",
			CTL_IDLE_TEXT));
}

/* A request is printable ASCII up to the newline ("\r\n" is fine). */
static int check_line(const char *line, size_t len)
{
	size_t i;

	if (len && line[len - 1] == '\r')
		len--;
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] >= 0x7f)
			return -1;
	return 0;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	ctl_conn_t *c = s->data;
	char *nl;

	(void)buf;
	if (c->answered || c->closing || n == 0)
		return;
	if (n < 0) {
		/* EOF before a newline: answer what came, if anything. */
		if (n == UV_EOF && c->len)
			answer(c, reply(0, "the request has no newline%s",
					NULL));
		else
			conn_close(c);
		return;
	}
	c->len += (size_t)n;
	c->request[c->len] = '\0';
	/* memchr, not strchr: a NUL before the newline must not hide it. */
	if ((nl = memchr(c->request, '\n', c->len))) {
		if (check_line(c->request, (size_t)(nl - c->request))) {
			answer(c, reply(0, "malformed request: only printable "
					"ASCII is allowed before the newline%s",
					NULL));
			return;
		}
		*nl = '\0';
		if (nl > c->request && nl[-1] == '\r')
			nl[-1] = '\0';
		answer(c, handle(c->d, c->request));
	} else if (c->len >= sizeof(c->request) - 1) {
		answer(c, reply(0, "request too long%s", NULL));
	}
}

static void on_connection(uv_stream_t *server, int status)
{
	ctl_server_t *srv = server->data;
	ctl_conn_t *c;

	if (status < 0 || !(c = calloc(1, sizeof(*c))))
		return;
	c->srv = srv;
	c->d = srv->d;
	c->handles = 2;
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconn++;
	uv_pipe_init(server->loop, &c->pipe, 0);
	uv_timer_init(server->loop, &c->idle);
	c->pipe.data = c->idle.data = c;
	if (uv_accept(server, (uv_stream_t *)&c->pipe)) {
		conn_close(c);
		return;
	}
	uv_timer_start(&c->idle, on_idle, CTL_IDLE_MS, CTL_IDLE_MS);
	if (srv->nconn > CTL_CONN_MAX) {
		answer(c, reply(0, "busy: too many control connections "
				"open; try again%s", NULL));
		return;
	}
	if (uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read))
		conn_close(c);
}

static char *first_runtime_dir(void)
{
	const char *rt = getenv("RUNTIME_DIRECTORY");
	size_t n;
	char *out;

	if (!rt || !*rt)
		return NULL;
	/* systemd lists one path per RuntimeDirectory= entry, ':'-separated. */
	n = strcspn(rt, ":");
	if ((out = malloc(n + 1))) {
		memcpy(out, rt, n);
		out[n] = '\0';
	}
	return out;
}

char *ctl_default_path(const char *state_dir)
{
	char *dir = first_runtime_dir(), *path = NULL;

	if (!dir && state_dir)
		dir = strdup(state_dir);
	if (dir && asprintf(&path, "%s/%s", dir, CTL_SOCKET_NAME) < 0)
		path = NULL;
	free(dir);
	return path;
}

char *daemon_state_dir(daemon_t *d)
{
	journal_t *j = session_journal(d->session, NULL);
	char *dir, *slash;

	if (!j || !(dir = strdup(journal_path(j))))
		return NULL;
	if ((slash = strrchr(dir, '/')))
		*slash = '\0';
	return dir;
}

static void on_server_closed(uv_handle_t *h)
{
	ctl_server_t *srv = h->data;

	srv->closed = 1;
	server_free_if_done(srv);
}

int ctl_server_open(daemon_t *d, const char *path, err_t *e)
{
	ctl_server_t *srv = calloc(1, sizeof(*srv));
	char *state = NULL;
	struct stat st;
	mode_t old;
	int rc;

	if (!srv)
		return err_set(e, -ENOMEM, "out of memory");
	srv->d = d;
	if (path)
		srv->path = strdup(path);
	else if ((state = daemon_state_dir(d)))
		srv->path = ctl_default_path(state);
	free(state);
	if (!srv->path) {
		free(srv);
		return err_set(e, -ENOMEM, "no path for the control socket");
	}
	if (strlen(srv->path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		rc = err_set(e, -ENAMETOOLONG, "the control socket path %s is "
			     "too long for a Unix socket; pass a shorter "
			     "--socket", srv->path);
		free(srv->path);
		free(srv);
		return rc;
	}
	/* A socket left by a daemon that was killed; never unlink anything
	 * else. */
	if (!lstat(srv->path, &st) && S_ISSOCK(st.st_mode))
		unlink(srv->path);
	uv_pipe_init(d->loop, &srv->pipe, 0);
	srv->pipe.data = srv;
	old = umask(0077);
	rc = uv_pipe_bind(&srv->pipe, srv->path);
	umask(old);
	if (!rc)
		rc = chmod(srv->path, 0600) ? -errno : 0;
	if (!rc)
		rc = uv_listen((uv_stream_t *)&srv->pipe, 8, on_connection);
	if (rc) {
		err_set(e, rc, "the control socket %s cannot be opened: %s",
			srv->path, uv_strerror(rc));
		uv_close((uv_handle_t *)&srv->pipe, on_server_closed);
		return rc;
	}
	d->ctl = srv;
	return 0;
}

/* Open connections are closed too: their timers would keep the loop,
 * and the daemon, alive. */
void ctl_server_close(daemon_t *d)
{
	ctl_conn_t *c;

	if (!d->ctl)
		return;
	unlink(d->ctl->path);
	for (c = d->ctl->conns; c; c = c->next)
		conn_close(c);
	uv_close((uv_handle_t *)&d->ctl->pipe, on_server_closed);
	d->ctl = NULL;
}
