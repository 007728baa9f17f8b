#include "intern.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS (2 * INTERN_MAX)          /* open addressing, under half full */
#define CHUNK 16384                     /* bytes of strings per allocation */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *slots[SLOTS];
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

const char *intern(const char *s)
{
	size_t len = strlen(s), i;
	const char *out = NULL;

	if (len >= INTERN_MAX_LEN)
		return NULL;
	pthread_mutex_lock(&lock);
	for (i = hash(s) % SLOTS; slots[i]; i = (i + 1) % SLOTS)
		if (!strcmp(slots[i], s)) {
			out = slots[i];
			goto done;
		}
	if (count < INTERN_MAX && (out = store(s, len))) {
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
