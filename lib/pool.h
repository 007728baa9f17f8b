/* pool — memory for records that live as long as their owner (the
 * tracker's entries, attribution's addresses), carved from a few blocks
 * and freed all at once with the owner.
 *
 * Made one by one, a daemon's long-lived records land among the first
 * cycle's memory as it is freed, each in its own hole, and each pins a
 * page of the heap that malloc_trim would otherwise give back (README,
 * "The daemon at rest"); from a pool they fill a few pages. Nothing in
 * a pool is freed alone. */
#ifndef DRIFTD_POOL_H
#define DRIFTD_POOL_H

#include <stddef.h>

typedef struct pool_block pool_block_t;

typedef struct pool {
	pool_block_t *blocks;
	char         *at;               /* the free end of the current block */
	size_t        left;
} pool_t;                               /* zero-initialized: empty */

/* n bytes, zeroed, aligned for any type; NULL when out of memory. */
void *pool_alloc(pool_t *p, size_t n);
/* A copy of s; NULL when out of memory. */
char *pool_strdup(pool_t *p, const char *s);
/* Frees every block; p is empty again. */
void pool_free(pool_t *p);

#endif
