/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "base/suggest.h"

#include <ctype.h>
#include <string.h>

/* Names we compare are identifiers (syscalls <= 24, options, JSON keys): longer words are never a
 * near miss of anything, which keeps the table on the stack. */
#define SUGGEST_MAX_LEN 64

void cf_suggest_init(struct cf_suggest *s, const char *word)
{
	*s = (struct cf_suggest){ .word = word, .best_distance = ~0u };
}

unsigned cf_suggest_reach(const char *word)
{
	size_t n = strlen(word);

	return n <= 4 ? 1 : n <= 8 ? 2 : 3;
}

unsigned cf_suggest_distance(const char *a, const char *b, unsigned limit)
{
	size_t la = strlen(a), lb = strlen(b);
	/* three rows of the optimal-string-alignment table: i-2, i-1, i */
	unsigned rows[3][SUGGEST_MAX_LEN + 1];

	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return limit + 1;
	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	for (size_t j = 0; j <= lb; j++)
		rows[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		/* rows rotate: row i lives in rows[i % 3] */
		unsigned *cur = rows[i % 3], *prev = rows[(i + 2) % 3], *prev2 = rows[(i + 1) % 3];
		unsigned row_min;

		cur[0] = (unsigned)i;
		row_min = cur[0];
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]),
			    cb = tolower((unsigned char)b[j - 1]);
			unsigned cost = ca != cb, v = prev[j - 1] + cost;

			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
			if (v < row_min)
				row_min = v;
		}
		if (row_min > limit)
			return limit + 1;
	}
	return rows[la % 3][lb] > limit ? limit + 1 : rows[la % 3][lb];
}

void cf_suggest_consider(struct cf_suggest *s, const char *candidate)
{
	unsigned reach = cf_suggest_reach(s->word), d;

	if (!candidate)
		return;
	if (strcmp(s->word, candidate) == 0) {
		s->exact = true;
		return;
	}
	d = cf_suggest_distance(s->word, candidate, reach);
	if (d <= reach && d < s->best_distance) {
		s->best = candidate;
		s->best_distance = d;
	}
}

bool cf_suggest_is_near_miss(const struct cf_suggest *s)
{
	return !s->exact && s->best;
}
