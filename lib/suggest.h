/* suggest — "did you mean": the nearest known word to a likely typo.
 * Shared by config (keys, settings, addresses) and restable (resource
 * types, attributes) so that there is one notion of "close enough". */
#ifndef DRIFTD_SUGGEST_H
#define DRIFTD_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance; SIZE_MAX when either word is over 64 bytes. */
size_t suggest_distance(const char *a, const char *b);

/* The candidate nearest to word when within max(2, len/3) edits and
 * shorter than the word itself, else NULL. */
const char *suggest_nearest(const char *word, const char *const *candidates,
			    size_t n);

#endif
