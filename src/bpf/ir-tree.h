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

static inline unsigned ir_arg_priority(const struct ir_node *a)
{
	return (a->arg << 1) + (a->hi ? 1 : 0);
}

static inline unsigned ir_op_priority(enum cf_op op)
{
	switch (op) {
	case CF_OP_MASKED_EQ:
	case CF_OP_EQ:
	case CF_OP_NE:
		return 3;
	case CF_OP_LE:
	case CF_OP_LT:
		return 2;
	case CF_OP_GE:
	case CF_OP_GT:
		return 1;
	case CF_OP_COUNT:
	case CF_OP_INVALID:
		return 0;
	}
	return 0;
}

/*
 * _db_chain_lt: the order of a level (descending: _db_tree_add inserts a node before the first
 * one that is chain_lt it). Not consistent with chain_eq: a node can equal one of another
 * operator class (LE's and GT's upper-word GT nodes), which the walks check first.
 */
static inline bool ir_chain_lt(const struct ir_node *a, const struct ir_node *b)
{
	unsigned pa = ir_arg_priority(a), pb = ir_arg_priority(b);

	if (pa != pb)
		return pa < pb;
	pa = ir_op_priority(a->op_orig);
	pb = ir_op_priority(b->op_orig);
	if (pa != pb)
		return pa < pb;
	if (a->op_orig == CF_OP_LE || a->op_orig == CF_OP_LT)
		return a->datum > b->datum;
	return a->datum < b->datum;
}

/* chain_lt as one number: ir_chain_lt(a, b) == (ir_order_key(a) < ir_order_key(b)) */
static inline uint64_t ir_order_key(const struct ir_node *a)
{
	unsigned op = ir_op_priority(a->op_orig);
	uint32_t d = op == 2 ? ~a->datum : a->datum;

	return ((uint64_t)ir_arg_priority(a) << 34) | ((uint64_t)op << 32) | d;
}

/* _db_chain_eq */
static inline bool ir_chain_eq(const struct ir_node *a, const struct ir_node *b)
{
	return ir_arg_priority(a) == ir_arg_priority(b) && a->op == b->op && a->datum == b->datum &&
	       a->mask == b->mask;
}

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
