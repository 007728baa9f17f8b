#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
	va_list ap;

	if (!e)
		return code;
	err_clear(e);
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return code;
}

int err_set_at(err_t *e, int code, const char *file, int line, int column,
	       const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	err_clear(e);
	e->code = code;
	copy(e->file, sizeof(e->file), file);
	e->line = line;
	e->column = column;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return code;
}

int err_set_aws(err_t *e, int code, int http_status, const char *aws_code,
		const char *request_id, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	err_clear(e);
	e->code = code;
	e->http_status = http_status;
	copy(e->aws_code, sizeof(e->aws_code), aws_code);
	copy(e->request_id, sizeof(e->request_id), request_id);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
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
