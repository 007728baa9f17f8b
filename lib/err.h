/* err — the one error record every driftd library call fills in.
 *
 * Library functions return 0 or a negative errno-style code and, when the
 * caller passes a non-NULL err_t, describe the failure in it. They never
 * print. The caller decides where the text goes (stderr, journal, alert).
 * A config error carries file:line:column; an AWS error carries the AWS
 * error code, request id and HTTP status. */
#ifndef DRIFTD_ERR_H
#define DRIFTD_ERR_H

#include <stddef.h>

#define ERR_MSG_MAX   512
#define ERR_FILE_MAX  256
#define ERR_CODE_MAX  128

typedef struct err {
	int  code;                       /* negative errno value, 0 = none */
	char message[ERR_MSG_MAX];
	char file[ERR_FILE_MAX];         /* config errors: where */
	int  line, column;               /* 1-based; 0 when unknown */
	char aws_code[ERR_CODE_MAX];     /* API errors: "ThrottlingException" */
	char request_id[ERR_CODE_MAX];
	int  http_status;
} err_t;

/* All accept e == NULL and return code, so "return err_set(e, -EINVAL, ..)"
 * reads naturally. */
int err_set(err_t *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int err_set_at(err_t *e, int code, const char *file, int line, int column,
	       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int err_set_aws(err_t *e, int code, int http_status, const char *aws_code,
		const char *request_id, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void err_clear(err_t *e);

/* One line for an operator: "file:line:col: message" or
 * "message (AWS AccessDenied, request id abc, HTTP 403)". Returns buf. */
const char *err_format(const err_t *e, char *buf, size_t len);

#endif
