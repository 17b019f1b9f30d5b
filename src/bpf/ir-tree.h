/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libseccomp's rule-tree operations (ir-tree.c), for ir.c only. */
#include "bpf/ir.h"

#define IST_MATCH	0x001u
#define IST_MATCH_ONCE	0x002u
#define IST_X_FINISHED	0x010u
#define IST_N_FINISHED	0x020u
#define IST_X_PREFIX	0x100u
#define IST_N_PREFIX	0x200u
#define IST_M_MATCHSET	(IST_MATCH | IST_MATCH_ONCE)
#define IST_M_REDUNDANT (IST_MATCH | IST_X_FINISHED | IST_N_PREFIX)

struct iter_state {
	unsigned flags;
	uint32_t action;
	struct ir_sys *sx;
	int32_t conflict; /* rule behind an -EEXIST */
	bool merge_254; /* reproduce libseccomp <= 2.6.0 (tests only) */
};

/* The chain for one rule, NULL with *ret_err == 0 when no condition survives (unconditional). */
struct ir_node *ir_rule_gen_64(struct cf_ir *ir, const struct ir_abi *abi,
			       const struct ir_cond *conds, size_t n_conds, uint32_t action,
			       int32_t origin, int *ret_err);
struct ir_node *ir_rule_gen_32(struct cf_ir *ir, const struct ir_abi *abi,
			       const struct ir_cond *conds, size_t n_conds, uint32_t action,
			       int32_t origin, int *ret_err);
/* _db_tree_put: drop a reference; returns the number of nodes "freed". */
unsigned ir_tree_put(struct ir_node **tree);
/* _db_tree_prune: nodes removed from *existing; state->flags tells whether new is redundant. */
unsigned ir_tree_prune(struct ir_node **existing, struct ir_node *new, struct iter_state *state);
/* _db_tree_add: 0, -EEXIST (state->conflict: the rule in the way) or -ELOOP. */
int ir_tree_add(struct ir_node **existing, struct ir_node *new, struct iter_state *state);
