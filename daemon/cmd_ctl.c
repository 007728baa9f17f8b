/* The control-socket client commands: status, drift, reconcile, reload.
 * Each connects to the socket of a running `driftd run` (daemon/ctl.c),
 * writes one request line and prints the one JSON answer, as text or
 * as is (--json). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cJSON.h>

#include "cli.h"
#include "daemon.h"

typedef struct ctl_args {
	const char *socket_path, *address;
	cli_common_t c;                /* --state-dir, --env, --json */
} ctl_args_t;

static const cli_option_t ctl_options[] = {
	{ "--socket", 1, offsetof(ctl_args_t, socket_path) },
	{ NULL, 0, 0 },
};

static int parse_ctl_args(int argc, char **argv, ctl_args_t *a, int takes_address)
{
	const cli_spec_t spec = {
		CLI_STATE_DIR | CLI_ENV | CLI_JSON, ctl_options,
		takes_address ? offsetof(ctl_args_t, address) : CLI_NO_POSITIONAL,
	};
	const char *bad;

	memset(a, 0, sizeof(*a));
	if (cli_parse(argc, argv, &spec, a, &a->c, &bad)) {
		fprintf(stderr, "usage: driftd %s [--socket PATH | "
			"--state-dir DIR | --env NAME] [--json]%s\n",
			argv[0], takes_address ? " [ADDRESS]" : "");
		return -1;
	}
	return 0;
}

static char *client_path(const ctl_args_t *a)
{
	char *path = NULL;

	if (a->socket_path)
		return strdup(a->socket_path);
	if (a->c.state_dir && asprintf(&path, "%s/%s", a->c.state_dir,
				     CTL_SOCKET_NAME) >= 0)
		return path;
	if ((path = ctl_default_path(NULL)))
		return path;
	if (a->c.environment && asprintf(&path, "/run/driftd/%s/%s",
				       a->c.environment, CTL_SOCKET_NAME) >= 0)
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
	if ((r = cJSON_GetObjectItem(doc, "events"))) {
		const cJSON *q;

		printf("Event-driven mode: %d events received, %d matched a "
		       "managed resource, %d ignored, %d malformed; last message "
		       "%s.\n", num(r, "received"), num(r, "matched"),
		       num(r, "ignored"), num(r, "malformed"),
		       str(r, "last_message"));
		cJSON_ArrayForEach(q, cJSON_GetObjectItem(r, "queues"))
			printf("  queue %s: %s, %d received%s%s\n",
			       str(q, "queue"), str(q, "state"),
			       num(q, "received"), *str(q, "error") ? "; " : "",
			       str(q, "error"));
		printf("\n");
	}
	printf("%-*s  %-18s  %-20s  %s\n", w, "ADDRESS", "STATE",
	       "LAST CHANGE", "DRIFT");
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(doc, "resources"))
		printf("%-*s  %-18s  %-20s  %d\n", w, str(r, "address"),
		       str(r, "state"), str(r, "last_change"), num(r, "drift"));
	return 0;
}

static int print_drift(const cJSON *doc)
{
	const cJSON *r, *ch, *at, *by;
	int n = 0;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(doc, "drift")) {
		printf("%s (%s, %s)\n", str(r, "address"), str(r, "action"),
		       str(r, "state"));
		at = cJSON_GetObjectItem(r, "attribution");
		if ((by = cJSON_GetObjectItem(at, "changed_by")))
			printf("    changed by %s (%s at %s)\n", str(by, "principal"),
			       str(by, "event"), str(by, "time"));
		else if (at)
			printf("    changed by: %s\n", str(at, "attribution"));
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
	char line[CTL_REQUEST_MAX], *text;
	ctl_args_t a;
	cJSON *doc, *ok;
	int rc;

	if (parse_ctl_args(argc, argv, &a, takes_address))
		return 2;
	snprintf(line, sizeof(line), "%s%s%s", verb, a.address ? " " : "",
		 a.address ? a.address : "");
	if (!(doc = request(&a, line)))
		return 1;
	if (a.c.json) {
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
