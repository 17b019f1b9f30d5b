/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * "Did you mean": the closest candidate to a word by Damerau-Levenshtein distance (a swap of two
 * neighbours counts one, as typing slips do), case-insensitive. Used for options, commands,
 * syscall, capability and JSON key names, so one rule decides everywhere what a near miss is.
 */
#include <stdbool.h>
#include <stddef.h>

struct cf_suggest {
	const char *word;
	const char *best; /* NULL until a candidate within reach was seen */
	unsigned best_distance; /* case-insensitive: "errnoret" is 0 from "errnoRet", yet a miss */
	bool exact; /* the word itself was offered */
};

/* Start a search for `word` (borrowed, must outlive the struct). */
void cf_suggest_init(struct cf_suggest *s, const char *word);
/* Offer one candidate (borrowed); keeps the closest one within cf_suggest_reach(word). */
void cf_suggest_consider(struct cf_suggest *s, const char *candidate);
/* The edit distance, case-insensitive; stops counting past `limit` (returns limit + 1). */
unsigned cf_suggest_distance(const char *a, const char *b, unsigned limit);
/* How far a candidate may be and still count as a near miss: 1 for words up to 4 characters,
 * 2 up to 8, 3 beyond (a 5-letter word two edits from another is a typo, not a new word). */
unsigned cf_suggest_reach(const char *word);
/* Whether `word` is a near miss of some candidate offered: false when the word itself was
 * offered (case-sensitively) or nothing was within reach. */
bool cf_suggest_is_near_miss(const struct cf_suggest *s);
