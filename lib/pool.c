#include "pool.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 8192                      /* bytes per block, header included */
#define ALIGN alignof(max_align_t)

struct pool_block {
	pool_block_t *next;
	alignas(max_align_t) char data[];
};

void *pool_alloc(pool_t *p, size_t n)
{
	size_t size = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1), room;
	pool_block_t *b;
	char *out;

	if (size < n)
		return NULL;
	if (size > p->left) {
		/* A record larger than a quarter block gets a block of its
		 * own, behind the current one, which stays in use. */
		room = size > BLOCK / 4 ? size : BLOCK - sizeof(*b);
		if (room > (size_t)-1 - sizeof(*b) ||
		    !(b = malloc(sizeof(*b) + room)))
			return NULL;
		if (size > BLOCK / 4 && p->blocks) {
			b->next = p->blocks->next;
			p->blocks->next = b;
			return memset(b->data, 0, size);
		}
		b->next = p->blocks;
		p->blocks = b;
		p->at = b->data;
		p->left = room;
	}
	out = p->at;
	p->at += size;
	p->left -= size;
	return memset(out, 0, n);
}

char *pool_strdup(pool_t *p, const char *s)
{
	size_t n = strlen(s) + 1;
	char *out = pool_alloc(p, n);

	return out ? memcpy(out, s, n) : NULL;
}

void pool_free(pool_t *p)
{
	pool_block_t *b, *next;

	for (b = p->blocks; b; b = next) {
		next = b->next;
		free(b);
	}
	memset(p, 0, sizeof(*p));
}
