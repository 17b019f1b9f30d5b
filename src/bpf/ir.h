/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The decision IR: per ABI, the syscalls the profile names, each with either one unconditional
 * action or an argument decision tree. The tree is built with libseccomp's rule-merge algorithm
 * (src/db.c: _db_rule_gen_64/_32, _db_tree_add, db_rule_add) because that algorithm *is* the
 * semantics runc users get when several rules name one syscall: the first unconditional rule
 * wins, a later unconditional rule replaces conditional ones, conditional rules are merged into
 * one tree whose levels are ordered by (argument, word, operator class, datum).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/seccomp.h>

#include "bpf/filter.h"

enum ir_cmp {
	IR_CMP_EQ,
	IR_CMP_GT,
	IR_CMP_GE,
	IR_CMP_MASKED_EQ,
};

/* One 32-bit comparison (libseccomp struct db_arg_chain_tree). */
struct ir_node {
	unsigned arg;
	bool hi; /* upper word of a 64-bit argument */
	uint32_t off; /* offset of the word in struct seccomp_data */
	enum ir_cmp op;
	enum cf_op op_orig;
	uint32_t mask;
	uint32_t datum; /* already masked */
	uint64_t datum_full;
	struct ir_node *nxt_t, *nxt_f; /* next level on true / false */
	struct ir_node *lvl_prv, *lvl_nxt; /* siblings, tried in order */
	bool act_t_flg, act_f_flg;
	uint32_t act_t, act_f; /* kernel return values */
	int32_t org_t, org_f; /* profile rule index of act_t / act_f */
	int32_t origin; /* profile rule index that created the node */
	unsigned id;
	unsigned refcnt; /* libseccomp's reference count: its pruning depends on it */
	bool dead; /* "freed" by libseccomp (kept allocated here) */
	struct cf_ir *ir;
	/* the index of the node's level (ir-level.c), valid while lvl_gen == ir->lvl_gen */
	struct ir_level *lvl;
	unsigned lvl_gen;
	unsigned walk_stamp; /* ir-level.c: visited by the walk with this stamp */
};

/* A condition as handed to libseccomp (struct db_api_arg): MASKED_EQ keeps its mask. */
struct ir_cond {
	unsigned arg;
	enum cf_op op;
	uint64_t mask;
	uint64_t datum;
};

/* One rule as added for one syscall of one ABI, kept for the direct model evaluation. */
struct ir_contrib {
	int32_t origin;
	uint32_t ret;
	size_t n_conds;
	struct ir_cond conds[6];
};

/*
 * One syscall of one ABI. `contribs` holds the rules merged into a *conditional* entry (in
 * order); an unconditional entry needs none: `action`/`origin` are then the first
 * unconditional rule's, which is what decides.
 */
struct ir_sys {
	uint32_t nr;
	struct ir_node *chains; /* NULL: unconditional `action` */
	uint32_t action;
	int32_t origin;
	struct ir_contrib *contribs;
	size_t n_contribs, cap_contribs;
	/*
	 * A rule's chain shared a sub-level between two parents (64-bit GT/GE/LT/LE/NE followed
	 * by another condition): what lies below a level is no longer known from the rules that
	 * went through it (ir-level.c ir_level_below).
	 */
	bool dag;
};

struct ir_abi {
	enum cf_arch arch;
	const struct cf_arch_info *info;
	unsigned arg_bits; /* libseccomp's width: 32 for x32 and MIPS n32 too */
	struct ir_sys *sys; /* sorted by nr once built */
	size_t n_sys, cap_sys;
	int32_t *index; /* nr - info->nr_base (less the gap) -> position in sys, -1: none */
	uint32_t index_n;
	/*
	 * Offsets [gap_at, gap_at + gap) are left out of the index: ARM's private calls sit at
	 * __ARM_NR_BASE 0x0f0000 (arch/arm/include/uapi/asm/unistd.h), ~983k numbers above the
	 * rest of its table. gap == 0: the index is dense.
	 */
	uint32_t gap_at, gap;
	bool has_mux; /* libseccomp's rule_add for the ABI is abi_rule_add */
	int mux_socketcall, mux_ipc; /* multiplexer numbers, -1: none */
	/*
	 * Names this ABI lacks: libseccomp still merges their rules under a pseudo number (arches
	 * without a multiplexer hook), never emits them, but refuses conflicts there.
	 * phantom_index: syscall name id -> position in phantom.
	 */
	struct ir_sys *phantom;
	int32_t *phantom_index;
	size_t n_phantom, cap_phantom;
	bool has_named; /* the profile names at least one syscall of this ABI */
	uint32_t max_named; /* largest such number (runc's ENOSYS boundary) */
	bool enosys; /* numbers above max_named return ENOSYS */
};

struct cf_ir {
	const struct cf_resolved *r;
	uint32_t default_ret;
	uint32_t bad_arch_ret;
	uint32_t enosys_ret;
	struct ir_abi abis[CF_ARCH_COUNT]; /* r->arches order */
	size_t n_abis;
	bool needs_listener;
	unsigned seccomp_flags;
	bool merge_254;
	bool refcount_broken; /* libseccomp's tree broke: it would loop forever */
	uint64_t fuel; /* steps left for the current rule (see ir.c fuel()) */
	const uint8_t *mux_call_by_id; /* name id -> socketcall/ipc call number (ipc: +128) */
	struct ir_node_block *blocks; /* every node, allocated in blocks (newest first) */
	size_t n_nodes;
	/* level indexes (ir-level.c): all of them are dropped when lvl_gen is bumped */
	unsigned lvl_gen;
	struct ir_level *levels;
	unsigned walk_stamp;
};

/* Nodes come from blocks: a compile makes hundreds of them and frees them all at once. */
struct ir_node_block {
	struct ir_node_block *next;
	size_t used;
	struct ir_node v[64];
};

CF_MUST_CHECK int ir_build(const struct cf_resolved *r, struct cf_ir **ret, struct cf_diag *reterr);
/* libseccomp_254: merge with the 64-bit defect of libseccomp <= 2.6.0 (for the oracle only). */
CF_MUST_CHECK int ir_build_compat(const struct cf_resolved *r, bool libseccomp_254,
				  struct cf_ir **ret, struct cf_diag *reterr);
struct cf_ir *ir_free(struct cf_ir *ir);
DEFINE_CLEANUP_FUNC(struct cf_ir *, ir_free)

const struct ir_sys *ir_find_sys(const struct ir_abi *abi, uint32_t nr);
/* The ABI of the filter that handles (audit arch, nr), or NULL: a bad arch. */
const struct ir_abi *ir_abi_for(const struct cf_ir *ir, uint32_t audit_arch, uint32_t nr);
/* Walk a tree as libseccomp's generated code does; false: fell through (default action). */
bool ir_tree_eval(const struct ir_node *chain, const struct seccomp_data *d, uint32_t *ret,
		  int32_t *ret_origin);
/* Word `off` of seccomp_data as the ABI lays it out (big-endian: upper half first). */
uint32_t ir_data_word(const struct seccomp_data *d, uint32_t off, bool big_endian);
bool ir_cmp_word(enum ir_cmp op, uint32_t v, uint32_t mask, uint32_t datum);
/* The libseccomp ABI width used for argument comparisons. */
unsigned ir_arg_bits(enum cf_arch arch);
