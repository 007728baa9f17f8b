/* The control socket of `driftd run`, and the commands that use it:
 * status, reconcile, drift, reload.
 *
 * Protocol: the client connects, writes one request line ("status",
 * "drift", "reload", "reconcile" or "reconcile ADDRESS"), and reads one
 * JSON document (a line) before the daemon closes the connection. The
 * socket is mode 0600 in a 0700 directory: whoever can connect may make
 * the daemon run a cycle, so only its own user can. */
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

#include "cli.h"
#include "daemon.h"

#define REQUEST_MAX 1024
#define CTL_SOCKET_NAME "control.sock"

struct ctl_server {
	uv_pipe_t pipe;
	daemon_t *d;
	char     *path;
};

typedef struct ctl_conn {
	uv_pipe_t  pipe;
	uv_write_t write;
	daemon_t  *d;
	char       request[REQUEST_MAX];
	size_t     len;
	char      *response;
	int        answered;
} ctl_conn_t;

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

static cJSON *status_json(daemon_t *d)
{
	cJSON *doc = cJSON_CreateObject(), *list, *o;
	char when[32];
	double now = (double)uv_now(d->loop) / 1000.0;
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
	list = cJSON_AddArrayToObject(doc, "resources");
	for (i = 0; i < d->ntrack; i++) {
		track_t *t = &d->track[i];

		if (t->seen != d->cycles)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "address", t->address);
		cJSON_AddStringToObject(o, "state", t->state);
		iso_time(t->last_change, when, sizeof(when));
		cJSON_AddStringToObject(o, "last_change", when);
		cJSON_AddNumberToObject(o, "drift", (double)t->drift);
		if (t->failures && t->next_try > now)
			cJSON_AddNumberToObject(o, "retry_in_seconds",
						(int)(t->next_try - now));
		cJSON_AddItemToArray(list, o);
	}
	return doc;
}

static cJSON *drift_json(daemon_t *d)
{
	cJSON *doc = cJSON_CreateObject(), *list, *o;
	size_t i;

	list = cJSON_AddArrayToObject(doc, "drift");
	for (i = 0; d->last && i < d->last->n_items; i++) {
		const rec_item_t *it = &d->last->items[i];
		track_t *t;

		if (!it->res || !(rec_action_changes(it->action) ||
				  it->action == REC_REPLACE_REFUSED ||
				  it->action == REC_DELETE_REFUSED))
			continue;
		t = daemon_track(d, it->address, 0);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "address", it->address);
		cJSON_AddStringToObject(o, "action", rec_action_name(it->action));
		cJSON_AddStringToObject(o, "state", t ? t->state : "?");
		cJSON_AddItemToObject(o, "changes", daemon_drift_json(it));
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

static cJSON *handle(daemon_t *d, char *req)
{
	char *arg = strchr(req, ' ');

	if (arg)
		*arg++ = '\0';
	if (!strcmp(req, "status"))
		return status_json(d);
	if (!strcmp(req, "drift"))
		return drift_json(d);
	if (d->stopping)
		return reply(0, "driftd is stopping.%s", NULL);
	if (!strcmp(req, "reload")) {
		daemon_request_reload(d);
		return d->reload_pending ?
		       reply(1, "The reload runs when the current cycle "
			     "finishes.%s", NULL) :
		       d->config_valid ?
		       reply(1, "The config was reloaded and a cycle "
			     "started.%s", NULL) :
		       reply(0, "The config was rejected; driftd keeps the "
			     "last good one. See the journal for each "
			     "error.%s", NULL);
	}
	if (!strcmp(req, "reconcile")) {
		if (arg && *arg && !daemon_track(d, arg, 0))
			return reply(0, "%s is not a resource driftd knows.",
				     arg);
		daemon_request_cycle(d, arg && *arg ? arg : NULL);
		return reply(1, d->cycle_pending ?
			     "A cycle starts when the running one finishes.%s" :
			     "A cycle started.%s", NULL);
	}
	return reply(0, "unknown request \"%s\"", req);
}

static void on_conn_closed(uv_handle_t *h)
{
	ctl_conn_t *c = h->data;

	free(c->response);
	free(c);
}

static void on_written(uv_write_t *w, int status)
{
	ctl_conn_t *c = w->data;

	(void)status;
	uv_close((uv_handle_t *)&c->pipe, on_conn_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	ctl_conn_t *c = h->data;

	(void)suggested;
	buf->base = c->request + c->len;
	buf->len = sizeof(c->request) - 1 - c->len;
}

static void answer(ctl_conn_t *c, cJSON *doc)
{
	char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
	uv_buf_t buf;

	cJSON_Delete(doc);
	c->answered = 1;
	uv_read_stop((uv_stream_t *)&c->pipe);
	if (!text || asprintf(&c->response, "%s\n", text) < 0) {
		free(text);
		c->response = NULL;
		uv_close((uv_handle_t *)&c->pipe, on_conn_closed);
		return;
	}
	free(text);
	buf = uv_buf_init(c->response, (unsigned)strlen(c->response));
	c->write.data = c;
	if (uv_write(&c->write, (uv_stream_t *)&c->pipe, &buf, 1, on_written))
		uv_close((uv_handle_t *)&c->pipe, on_conn_closed);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	ctl_conn_t *c = s->data;
	char *nl;

	(void)buf;
	if (c->answered)
		return;
	if (n < 0) {
		uv_close((uv_handle_t *)s, on_conn_closed);
		return;
	}
	c->len += (size_t)n;
	c->request[c->len] = '\0';
	if ((nl = strchr(c->request, '\n'))) {
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
	c->d = srv->d;
	uv_pipe_init(server->loop, &c->pipe, 0);
	c->pipe.data = c;
	if (uv_accept(server, (uv_stream_t *)&c->pipe) ||
	    uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read))
		uv_close((uv_handle_t *)&c->pipe, on_conn_closed);
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

static char *state_dir_of(daemon_t *d)
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

	free(srv->path);
	free(srv);
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
	else if ((state = state_dir_of(d)))
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

void ctl_server_close(daemon_t *d)
{
	if (!d->ctl)
		return;
	unlink(d->ctl->path);
	uv_close((uv_handle_t *)&d->ctl->pipe, on_server_closed);
	d->ctl = NULL;
}

/* ---- client ----------------------------------------------------------- */

typedef struct ctl_args {
	const char *socket_path, *state_dir, *environment, *address;
	int json;
} ctl_args_t;

static int parse_ctl_args(int argc, char **argv, ctl_args_t *a, int takes_address)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--socket") && i + 1 < argc)
			a->socket_path = argv[++i];
		else if (!strcmp(argv[i], "--state-dir") && i + 1 < argc)
			a->state_dir = argv[++i];
		else if (!strcmp(argv[i], "--env") && i + 1 < argc)
			a->environment = argv[++i];
		else if (!strcmp(argv[i], "--json"))
			a->json = 1;
		else if (takes_address && argv[i][0] != '-' && !a->address)
			a->address = argv[i];
		else {
			fprintf(stderr, "usage: driftd %s [--socket PATH | "
				"--state-dir DIR | --env NAME] [--json]%s\n",
				argv[0], takes_address ? " [ADDRESS]" : "");
			return -1;
		}
	}
	return 0;
}

static char *client_path(const ctl_args_t *a)
{
	char *path = NULL;

	if (a->socket_path)
		return strdup(a->socket_path);
	if (a->state_dir && asprintf(&path, "%s/%s", a->state_dir,
				     CTL_SOCKET_NAME) >= 0)
		return path;
	if ((path = ctl_default_path(NULL)))
		return path;
	if (a->environment && asprintf(&path, "/run/driftd/%s/%s",
				       a->environment, CTL_SOCKET_NAME) >= 0)
		return path;
	return NULL;
}

/* One request, one JSON answer; NULL (after a message) on failure. */
static cJSON *request(const ctl_args_t *a, const char *line)
{
	struct sockaddr_un sa;
	char *path = client_path(a), *buf = NULL, *grown;
	size_t len = 0, cap = 0;
	ssize_t n;
	cJSON *doc = NULL;
	int fd = -1;

	if (!path) {
		fprintf(stderr, "driftd: where is the daemon? Pass --socket "
			"PATH, --state-dir DIR or --env NAME.\n");
		return NULL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "driftd: socket path too long: %s\n", path);
		goto out;
	}
	strcpy(sa.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "driftd: cannot reach the daemon at %s: %s. "
			"Is `driftd run` running?\n", path, strerror(errno));
		goto out;
	}
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line) ||
	    write(fd, "\n", 1) != 1) {
		fprintf(stderr, "driftd: writing to %s: %s\n", path,
			strerror(errno));
		goto out;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			if (cap > (64u << 20) ||
			    !(grown = realloc(buf, cap = cap * 2 + 8192)))
				goto out;
			buf = grown;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (buf)
		buf[len] = '\0';
	if (!buf || !(doc = cJSON_Parse(buf)))
		fprintf(stderr, "driftd: the daemon at %s sent no valid "
			"answer\n", path);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(path);
	return doc;
}

static const char *str(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, key));

	return s ? s : "";
}

static int num(const cJSON *o, const char *key)
{
	return (int)cJSON_GetNumberValue(cJSON_GetObjectItem(o, key));
}

static int print_status(const cJSON *doc)
{
	const cJSON *r;
	int w = 7;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(doc, "resources"))
		if ((int)strlen(str(r, "address")) > w)
			w = (int)strlen(str(r, "address"));
	printf("Environment %s: %d resources, %d drifted; last cycle %s "
	       "(%.1f s)%s.\n\n", str(doc, "environment"), num(doc, "managed"),
	       num(doc, "drifted"), str(doc, "last_cycle"),
	       cJSON_GetNumberValue(cJSON_GetObjectItem(doc, "last_cycle_seconds")),
	       cJSON_IsTrue(cJSON_GetObjectItem(doc, "config_valid")) ? "" :
	       "; the config on disk was rejected");
	if ((r = cJSON_GetObjectItem(doc, "lease")))
		printf("Lease %s/%s: %s; %s (fencing counter %d, expires "
		       "%s).\n\n", str(r, "table"), str(r, "name"),
		       cJSON_IsTrue(cJSON_GetObjectItem(r, "holder")) ?
		       "this daemon holds it and writes" :
		       "this daemon does not hold it and only reads",
		       *str(r, "owner") ? str(r, "owner") : "nobody holds it",
		       num(r, "fencing_counter"), str(r, "expires"));
	printf("%-*s  %-18s  %-20s  %s\n", w, "ADDRESS", "STATE",
	       "LAST CHANGE", "DRIFT");
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(doc, "resources"))
		printf("%-*s  %-18s  %-20s  %d\n", w, str(r, "address"),
		       str(r, "state"), str(r, "last_change"), num(r, "drift"));
	return 0;
}

static int print_drift(const cJSON *doc)
{
	const cJSON *r, *ch;
	int n = 0;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(doc, "drift")) {
		printf("%s (%s, %s)\n", str(r, "address"), str(r, "action"),
		       str(r, "state"));
		cJSON_ArrayForEach(ch, cJSON_GetObjectItem(r, "changes"))
			printf("    %s: %s -> %s\n", str(ch, "attribute"),
			       str(ch, "live"), str(ch, "expected"));
		n++;
	}
	if (!n)
		printf("No drift: every resource matched the config in the "
		       "last cycle.\n");
	return 0;
}

/* {"ok": bool, "message"|"error": text} answers. */
static int print_reply(const cJSON *doc)
{
	int ok = cJSON_IsTrue(cJSON_GetObjectItem(doc, "ok"));

	fprintf(ok ? stdout : stderr, "%s\n", str(doc, ok ? "message" : "error"));
	return ok ? 0 : 1;
}

/* One control command: parse, ask, print (as text, or the JSON as is).
 * A reply with "ok": false exits 1 either way. */
static int client(int argc, char **argv, const char *verb, int takes_address,
		  int (*print)(const cJSON *doc))
{
	char line[REQUEST_MAX], *text;
	ctl_args_t a;
	cJSON *doc, *ok;
	int rc;

	if (parse_ctl_args(argc, argv, &a, takes_address))
		return 2;
	snprintf(line, sizeof(line), "%s%s%s", verb, a.address ? " " : "",
		 a.address ? a.address : "");
	if (!(doc = request(&a, line)))
		return 1;
	if (a.json) {
		ok = cJSON_GetObjectItem(doc, "ok");
		rc = ok && !cJSON_IsTrue(ok) ? 1 : 0;
		if ((text = cJSON_Print(doc)))
			printf("%s\n", text);
		free(text);
	} else {
		rc = print(doc);
	}
	cJSON_Delete(doc);
	return rc;
}

int cmd_status(int argc, char **argv)
{
	return client(argc, argv, "status", 0, print_status);
}

int cmd_drift(int argc, char **argv)
{
	return client(argc, argv, "drift", 0, print_drift);
}

int cmd_reconcile(int argc, char **argv)
{
	return client(argc, argv, "reconcile", 1, print_reply);
}

int cmd_reload(int argc, char **argv)
{
	return client(argc, argv, "reload", 0, print_reply);
}
