#include "log.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sdproto.h"

static struct {
	char         ident[64];
	log_target_t target;
	int          max_priority;
	log_sink_fn  sink;
	void        *sink_data;
	char         journal[108];   /* an AF_UNIX path */
} log_state = { "driftd", LOG_TARGET_STDERR, LOG_INFO, NULL, NULL,
		SDPROTO_JOURNAL_SOCKET };

static const char *const prio_names[] = {
	"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug",
};

/* systemd sets JOURNAL_STREAM=<dev>:<ino> for a service whose stderr is
 * the journal; only then is native journal logging what the operator sees. */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void log_open(const char *ident, log_target_t target, int max_priority)
{
	snprintf(log_state.ident, sizeof(log_state.ident), "%s",
		 ident ? ident : "driftd");
	if (target == LOG_TARGET_AUTO)
		target = stderr_is_journal() ? LOG_TARGET_JOURNAL
					     : LOG_TARGET_STDERR;
	log_state.target = target;
	log_state.max_priority = max_priority;
}

void log_set_sink(log_sink_fn sink, void *data)
{
	log_state.sink = sink;
	log_state.sink_data = data;
}

void log_set_journal_socket(const char *path)
{
	snprintf(log_state.journal, sizeof(log_state.journal), "%s",
		 path ? path : SDPROTO_JOURNAL_SOCKET);
}

#define LOG_FIELDS_MAX 8

static void emit_stderr(const log_record_t *r)
{
	const log_ctx_t *c = r->ctx;
	const char *f;
	int i;
	int p = r->priority >= 0 && r->priority <= 7 ? r->priority : LOG_INFO;

	fprintf(stderr, "%s: %s: %s", log_state.ident, prio_names[p],
		r->message);
	if (c && c->env)
		fprintf(stderr, " env=%s", c->env);
	if (c && c->address)
		fprintf(stderr, " address=%s", c->address);
	if (c && c->event)
		fprintf(stderr, " event=%s", c->event);
	if (c && c->err && c->err->aws_code[0])
		fprintf(stderr, " aws_error=%s", c->err->aws_code);
	if (c && c->err && c->err->request_id[0])
		fprintf(stderr, " request_id=%s", c->err->request_id);
	for (i = 0; c && c->fields && c->fields[i] && i < LOG_FIELDS_MAX; i++) {
		f = c->fields[i];
		if (!strncmp(f, "DRIFTD_", 7))
			f += 7;
		fputc(' ', stderr);
		for (; *f && *f != '='; f++)
			fputc(tolower((unsigned char)*f), stderr);
		fputs(f, stderr);
	}
	fputc('\n', stderr);
}

static void emit_journal(const log_record_t *r)
{
	const log_ctx_t *c = r->ctx;
	struct iovec iov[9 + LOG_FIELDS_MAX];
	char *parts[9 + LOG_FIELDS_MAX];
	int n = 0, i;

#define ADD(...) do { \
		if (asprintf(&parts[n], __VA_ARGS__) >= 0) { \
			iov[n].iov_base = parts[n]; \
			iov[n].iov_len = strlen(parts[n]); \
			n++; \
		} \
	} while (0)
	ADD("MESSAGE=%s", r->message);
	ADD("PRIORITY=%d", r->priority);
	ADD("SYSLOG_IDENTIFIER=%s", log_state.ident);
	if (c && c->env)
		ADD("DRIFTD_ENV=%s", c->env);
	if (c && c->address)
		ADD("DRIFTD_ADDRESS=%s", c->address);
	if (c && c->event)
		ADD("DRIFTD_EVENT=%s", c->event);
	if (c && c->err && c->err->aws_code[0])
		ADD("AWS_ERROR_CODE=%s", c->err->aws_code);
	if (c && c->err && c->err->request_id[0])
		ADD("AWS_REQUEST_ID=%s", c->err->request_id);
	for (i = 0; c && c->fields && c->fields[i] && i < LOG_FIELDS_MAX; i++)
		ADD("%s", c->fields[i]);
#undef ADD
	if (sdproto_journal_sendv_to(log_state.journal, iov, n) < 0)
		emit_stderr(r);
	for (i = 0; i < n; i++)
		free(parts[i]);
}

void log_msg(int priority, const log_ctx_t *ctx, const char *fmt, ...)
{
	char message[2048];
	log_record_t rec;
	va_list ap;

	if (priority > log_state.max_priority && !log_state.sink)
		return;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	rec.priority = priority;
	rec.message = message;
	rec.ctx = ctx;
	if (log_state.sink)
		log_state.sink(&rec, log_state.sink_data);
	else if (log_state.target == LOG_TARGET_JOURNAL)
		emit_journal(&rec);
	else
		emit_stderr(&rec);
}
