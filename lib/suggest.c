#include "suggest.h"

#include <stdint.h>
#include <string.h>

#define WORD_MAX 64

size_t suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[WORD_MAX + 1], prev, above;

	if (la > WORD_MAX || lb > WORD_MAX)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			above = row[j];
			row[j] = best;
			prev = above;
		}
	}
	return row[lb];
}

const char *suggest_nearest(const char *word, const char *const *candidates,
			    size_t n)
{
	size_t i, d, best = SIZE_MAX, limit = strlen(word) / 3;
	const char *pick = NULL;

	if (limit < 2)
		limit = 2;
	for (i = 0; i < n; i++) {
		d = suggest_distance(word, candidates[i]);
		if (d < best) {
			best = d;
			pick = candidates[i];
		}
	}
	return best <= limit && best < strlen(word) ? pick : NULL;
}
