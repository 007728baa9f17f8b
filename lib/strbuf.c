#include "strbuf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for extra more bytes plus the NUL; 0 or -ENOMEM. */
static int reserve(strbuf_t *b, size_t extra)
{
	size_t need, cap;
	char *data;

	if (b->failed)
		return -ENOMEM;
	if (extra > SIZE_MAX - 1 - b->len)
		goto fail;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (!(data = realloc(b->data, cap)))
		goto fail;
	b->data = data;
	b->cap = cap;
	return 0;
fail:
	b->failed = 1;
	return -ENOMEM;
}

int strbuf_addn(strbuf_t *b, const char *text, size_t len)
{
	if (reserve(b, len))
		return -ENOMEM;
	if (len)
		memcpy(b->data + b->len, text, len);
	b->len += len;
	b->data[b->len] = 0;
	return 0;
}

int strbuf_add(strbuf_t *b, const char *text)
{
	return strbuf_addn(b, text, strlen(text));
}

int strbuf_vprintf(strbuf_t *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	if (reserve(b, 0))
		return -ENOMEM;
	va_copy(again, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, again);
	va_end(again);
	if (n < 0) {
		b->data[b->len] = 0;
		b->failed = 1;
		return -ENOMEM;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (reserve(b, (size_t)n)) {
			b->data[b->len] = 0;
			return -ENOMEM;
		}
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
	return 0;
}

int strbuf_printf(strbuf_t *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = strbuf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *strbuf_take(strbuf_t *b)
{
	char *text = NULL;

	if (b->failed)
		free(b->data);
	else
		text = b->data ? b->data : strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
	return text;
}

void strbuf_free(strbuf_t *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}
