/* log — driftd's one logging module.
 *
 * Messages are full sentences for an operator. Each carries structured
 * fields for the journal: DRIFTD_ENV, DRIFTD_ADDRESS, DRIFTD_EVENT and, for
 * AWS failures, AWS_ERROR_CODE and AWS_REQUEST_ID. Under systemd (stderr
 * connected to the journal, see JOURNAL_STREAM in systemd.exec(5)) they go
 * to the journal natively (its native protocol, spoken by sdproto.h);
 * otherwise to stderr as one line with the fields appended as key=value.
 * The library never logs; the daemon and CLI do. */
#ifndef DRIFTD_LOG_H
#define DRIFTD_LOG_H

#include <syslog.h>

#include "err.h"

typedef enum log_target {
	LOG_TARGET_AUTO,     /* journal when stderr is the journal, else stderr */
	LOG_TARGET_JOURNAL,
	LOG_TARGET_STDERR,
} log_target_t;

typedef struct log_ctx {
	const char  *env;        /* DRIFTD_ENV */
	const char  *address;    /* DRIFTD_ADDRESS */
	const char  *event;      /* DRIFTD_EVENT: "drift", "apply", "config" ... */
	const err_t *err;        /* AWS_ERROR_CODE / AWS_REQUEST_ID, if set */
	/* More journal fields, "NAME=value", NULL-ended (at most 8); on
	 * stderr as name=value, lower-cased, without DRIFTD_. May be NULL. */
	const char *const *fields;
} log_ctx_t;

/* One formatted record, handed to a sink (tests install one). */
typedef struct log_record {
	int              priority;   /* LOG_ERR ... LOG_DEBUG (syslog.h) */
	const char      *message;
	const log_ctx_t *ctx;
} log_record_t;

typedef void (*log_sink_fn)(const log_record_t *rec, void *data);

void log_open(const char *ident, log_target_t target, int max_priority);
/* Replace the output with sink (NULL restores the target chosen by
 * log_open). For tests and for the control socket's live view. */
void log_set_sink(log_sink_fn sink, void *data);
/* Where LOG_TARGET_JOURNAL sends entries: journald's socket unless set
 * (NULL restores it). For tests, which bind a socket of their own. */
void log_set_journal_socket(const char *path);
void log_msg(int priority, const log_ctx_t *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_error(ctx, ...)   log_msg(LOG_ERR, ctx, __VA_ARGS__)
#define log_warning(ctx, ...) log_msg(LOG_WARNING, ctx, __VA_ARGS__)
#define log_info(ctx, ...)    log_msg(LOG_INFO, ctx, __VA_ARGS__)
#define log_debug(ctx, ...)   log_msg(LOG_DEBUG, ctx, __VA_ARGS__)

#endif
