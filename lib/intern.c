#include "intern.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS_MIN 512                   /* open addressing, under half full */
#define CHUNK 16384                     /* bytes of strings per allocation */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Grown as strings come, up to 2 * INTERN_MAX slots: a static table of
 * that size was 128 KiB, every page of it written by a few hundred keys
 * spread by their hash, resident in the daemon for good (README, "The
 * daemon at rest"). */
static const char **slots;
static size_t nslots;
static unsigned count;
static char *chunk;                     /* where the next copy goes */
static size_t chunk_left;

static size_t hash(const char *s)
{
	size_t h = 14695981039346656037u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

/* A copy of s (len bytes and its NUL) in the current chunk, or a new one;
 * the chunks are never freed, as the strings in them are not. */
static const char *store(const char *s, size_t len)
{
	char *p;

	if (chunk_left < len + 1) {
		/* the old chunk's first string still points at it */
		if (!(p = malloc(CHUNK)))
			return NULL;
		chunk = p;
		chunk_left = CHUNK;
	}
	p = chunk;
	memcpy(p, s, len + 1);
	chunk += len + 1;
	chunk_left -= len + 1;
	return p;
}

/* The table twice as large (or first made), its strings placed again.
 * 0, or -1 when out of memory (the table stays as it was). */
static int grow(void)
{
	size_t n = nslots ? 2 * nslots : SLOTS_MIN, i, j;
	const char **t = calloc(n, sizeof(*t));

	if (!t)
		return -1;
	for (i = 0; i < nslots; i++) {
		if (!slots[i])
			continue;
		for (j = hash(slots[i]) % n; t[j]; j = (j + 1) % n)
			;
		t[j] = slots[i];
	}
	free(slots);
	slots = t;
	nslots = n;
	return 0;
}

const char *intern(const char *s)
{
	size_t len = strlen(s), i;
	const char *out = NULL;
	int full = 0;

	if (len >= INTERN_MAX_LEN)
		return NULL;
	pthread_mutex_lock(&lock);
	/* Kept under half full; when it cannot grow, only looked up. */
	if (2 * (size_t)count >= nslots && (count >= INTERN_MAX || grow()))
		full = 1;
	if (!nslots)
		goto done;
	for (i = hash(s) % nslots; slots[i]; i = (i + 1) % nslots)
		if (!strcmp(slots[i], s)) {
			out = slots[i];
			goto done;
		}
	if (!full && count < INTERN_MAX && (out = store(s, len))) {
		slots[i] = out;
		count++;
	}
done:
	pthread_mutex_unlock(&lock);
	return out;
}

unsigned intern_count(void)
{
	unsigned n;

	pthread_mutex_lock(&lock);
	n = count;
	pthread_mutex_unlock(&lock);
	return n;
}

void intern_keys(cJSON *node)
{
	cJSON *child;
	const char *key;

	for (child = node->child; child; child = child->next) {
		if (child->string && !(child->type & cJSON_StringIsConst) &&
		    (key = intern(child->string))) {
			cJSON_free(child->string);
			child->string = (char *)key;
			child->type |= cJSON_StringIsConst;
		}
		intern_keys(child);
	}
}
