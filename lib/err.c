#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The message is formatted before the record is cleared: a caller may
 * pass the record's own message as an argument ("%s", e->message). */
#define FORMAT_MESSAGE(e, fmt) do { \
		char msg_[ERR_MSG_MAX]; \
		va_list ap_; \
		va_start(ap_, fmt); \
		vsnprintf(msg_, sizeof(msg_), fmt, ap_); \
		va_end(ap_); \
		err_clear(e); \
		memcpy((e)->message, msg_, sizeof(msg_)); \
	} while (0)

static void copy(char *dst, size_t n, const char *src)
{
	if (!src)
		src = "";
	snprintf(dst, n, "%s", src);
}

void err_clear(err_t *e)
{
	if (e)
		memset(e, 0, sizeof(*e));
}

int err_set(err_t *e, int code, const char *fmt, ...)
{
	if (!e)
		return code;
	FORMAT_MESSAGE(e, fmt);
	e->code = code;
	return code;
}

int err_set_at(err_t *e, int code, const char *file, int line, int column,
	       const char *fmt, ...)
{
	if (!e)
		return code;
	FORMAT_MESSAGE(e, fmt);
	e->code = code;
	copy(e->file, sizeof(e->file), file);
	e->line = line;
	e->column = column;
	return code;
}

int err_set_aws(err_t *e, int code, int http_status, const char *aws_code,
		const char *request_id, const char *fmt, ...)
{
	char code_copy[ERR_CODE_MAX], id_copy[ERR_CODE_MAX];

	if (!e)
		return code;
	copy(code_copy, sizeof(code_copy), aws_code);
	copy(id_copy, sizeof(id_copy), request_id);
	FORMAT_MESSAGE(e, fmt);
	e->code = code;
	e->http_status = http_status;
	memcpy(e->aws_code, code_copy, sizeof(code_copy));
	memcpy(e->request_id, id_copy, sizeof(id_copy));
	return code;
}

const char *err_format(const err_t *e, char *buf, size_t len)
{
	if (!buf || !len)
		return buf;
	if (!e || !e->code) {
		snprintf(buf, len, "no error");
	} else if (e->file[0]) {
		snprintf(buf, len, "%s:%d:%d: %s", e->file, e->line, e->column,
			 e->message);
	} else if (e->aws_code[0] || e->request_id[0]) {
		snprintf(buf, len, "%s (AWS %s, request id %s, HTTP %d)",
			 e->message, e->aws_code[0] ? e->aws_code : "-",
			 e->request_id[0] ? e->request_id : "-", e->http_status);
	} else {
		snprintf(buf, len, "%s", e->message);
	}
	return buf;
}
