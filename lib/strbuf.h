/* strbuf — a growable, always NUL-terminated string.
 *
 * Appends never report failure one by one: the first allocation failure
 * sets the sticky `failed` flag and every later append is a no-op, so a
 * caller builds the whole text and checks once (strbuf_take returns NULL).
 * A strbuf_t starts zeroed (STRBUF_INIT or `= { 0 }`); `data` is NULL until
 * the first append and NUL-terminated after it. */
#ifndef DRIFTD_STRBUF_H
#define DRIFTD_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
	char  *data;
	size_t len, cap;   /* cap counts the terminating NUL */
	int    failed;     /* sticky: set on the first failure */
} strbuf_t;

#define STRBUF_INIT { NULL, 0, 0, 0 }

/* Each returns 0, or -ENOMEM (also when the buffer had failed before). */
int strbuf_addn(strbuf_t *b, const char *text, size_t len);
int strbuf_add(strbuf_t *b, const char *text);
int strbuf_printf(strbuf_t *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int strbuf_vprintf(strbuf_t *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* The text built so far, malloc'd, for the caller to free; "" when nothing
 * was added; NULL when an append failed (or the copy of "" did). Either way
 * the buffer is left empty and reusable. */
char *strbuf_take(strbuf_t *b);

/* Frees the text and leaves the buffer empty; strbuf_free(NULL) is a no-op. */
void strbuf_free(strbuf_t *b);

#endif
