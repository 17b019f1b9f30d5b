/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * An index over one level of a rule tree (the siblings linked by lvl_prv/lvl_nxt), for
 * ir-tree.c only. libseccomp walks a whole level for every rule it adds (_db_tree_add,
 * _db_tree_prune), so N rules on one syscall cost N^2 (issue 9). The index answers the two
 * questions those walks ask in O(log n): which node is chain_eq to a new one, and which is the
 * first one chain_lt it (where _db_tree_add inserts). It is only an accelerator: ir-tree.c
 * asks it only where the answer provably equals the walk's, and any change to a level that
 * does not go through ir_level_insert() drops every index (ir_level_dirty()); they are rebuilt
 * from the links when next needed. A level that is short, unsorted or holds two equal nodes
 * (shapes only libseccomp's own defects produce) gets no index and is walked as before.
 */
#include "bpf/ir.h"

struct ir_level {
	struct ir_level *next; /* every index of this generation, for freeing */
	struct ir_node *first, *last;
	size_t n, cap;
	size_t n_kids; /* nodes with a sub-level (nxt_t or nxt_f) */
	/* argument priorities of the nodes below the level (a superset), valid when below_ok */
	uint32_t below;
	bool below_ok;
	/* a treap in level order (keyed by chain_lt, ties in list order); slots count from 1 */
	struct ir_level_ent {
		struct ir_node *node;
		uint64_t key; /* ir_order_key(node): the treap compares without loading nodes */
		uint32_t left, right, prio;
	} * ent;
	uint32_t root;
	/* open addressing by chain_eq's key: entry (0 = empty) and 32 more bits of the hash */
	struct ir_level_slot {
		uint32_t ent, tag;
	} * hash;
	size_t hash_cap;
	/* the last ir_level_find() (prune and add ask the same for one rule), valid while q_len == n */
	const struct ir_node *q_node;
	size_t q_len;
	struct ir_node *q_eq, *q_lt;
};

/* The node's level index (built on demand from the links), NULL: walk the level. */
struct ir_level *ir_level_of(struct ir_node *x);
/* The index the node is part of in this generation, NULL: none (no build attempted). */
struct ir_level *ir_level_cur(const struct ir_node *x);
/* Whether the node takes part in the current generation's indexes (changes must be told). */
bool ir_level_tracked(const struct ir_node *x);
/*
 * *ret_eq: the node of the level that is chain_eq to n (indexed levels hold at most one);
 * *ret_lt: the first node of the level (in list order) that is chain_lt n; NULL: none.
 */
void ir_level_find(struct ir_level *lv, const struct ir_node *n, struct ir_node **ret_eq,
		   struct ir_node **ret_lt);
/*
 * n was just linked into lv's level by _db_tree_add's rules (before the first node chain_lt
 * it, or at the end): record it. On failure (no memory, or n equals another node of the
 * level) the indexes are dropped instead; nothing else changes.
 */
void ir_level_insert(struct ir_level *lv, struct ir_node *n);
/*
 * The argument priorities (bit ir_arg_priority) of every node below the level: computed once,
 * then kept up to date by ir_level_add_below() from the rules merged through the level.
 */
uint32_t ir_level_below(struct ir_level *lv);
void ir_level_add_below(struct ir_node *x, uint32_t mask);
/* x (of an indexed level) gained or lost its last sub-level. */
void ir_level_kids(struct ir_node *x, bool had_kids);
/* A level changed behind the indexes' back: drop them all. */
void ir_level_dirty(struct cf_ir *ir);
/* Free every index (ir_free). */
void ir_level_free_all(struct cf_ir *ir);
