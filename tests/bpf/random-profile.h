/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Random resolved profiles for differential tests and the compile fuzzer: rules over a pool of
 * names that exercise every corner (multiplexed socket/ipc calls, names of other ABIs, names
 * libseccomp 2.5.4 does not know, unknown names), overlapping conditions with mixed actions,
 * repeated argument indices, 64-bit values. Built directly as structs (no parser involved).
 */
#include <stddef.h>
#include <stdint.h>

#include "profile/profile.h"

#define RP_MAX_RULES 12
#define RP_MAX_NAMES 4
#define RP_MAX_ARGS  4

/* A byte source: fuzzer input first, then a xorshift stream. */
struct rp_rand {
	const uint8_t *data;
	size_t size, pos;
	uint64_t state;
};

struct rp_profile {
	struct cf_profile prof;
	struct cf_rule rules[RP_MAX_RULES];
	char *names[RP_MAX_RULES][RP_MAX_NAMES];
	struct cf_arg args[RP_MAX_RULES][RP_MAX_ARGS];
	struct cf_resolved_rule rrules[RP_MAX_RULES];
	struct cf_resolved res;
};

void rp_rand_init(struct rp_rand *g, const uint8_t *data, size_t size, uint64_t seed);
uint64_t rp_next(struct rp_rand *g, uint64_t bound);
/* Fills *p (which must stay where it is: it points into itself). */
void rp_generate(struct rp_profile *p, struct rp_rand *g);

/* Argument values worth trying against the profile's conditions (deduplicated). */
size_t rp_corner_values(const struct cf_resolved *r, uint64_t *out, size_t max);

/*
 * A large random profile (issue 9: compile time must scale): n_rules rules over a few names, so
 * that hundreds of rules merge into one syscall's tree. `spread` (1..) is how many distinct
 * values a condition draws from: small -> many equal nodes, conflicts and pruning; large ->
 * long levels of distinct values (the merge's hot path). Free with rp_large_free().
 */
struct rp_large {
	struct cf_profile prof;
	struct cf_rule *rules;
	char *(*names)[RP_MAX_NAMES];
	struct cf_arg (*args)[RP_MAX_ARGS];
	struct cf_resolved_rule *rrules;
	struct cf_resolved res;
};

struct rp_large *rp_generate_large(struct rp_rand *g, size_t n_rules, uint64_t spread);
void rp_large_free(struct rp_large *p);
