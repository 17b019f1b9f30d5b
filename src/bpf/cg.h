/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Code graph: the program as a DAG of single BPF instructions with symbolic successors. Nodes are
 * hash-consed, so identical tails (return blocks, equal argument checks) exist once. The
 * assembler lays the DAG out in reverse post-order (every jump forward), adds JA where a
 * fall-through is impossible and trampolines where a conditional jump is longer than 255.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/filter.h>

#include "base/diag.h"
#include "base/macro.h"

enum cg_kind {
	CG_RET, /* RET K */
	CG_LD, /* LD W ABS k, then `t` */
	CG_AND, /* ALU AND K, then `t` */
	CG_JMP, /* JEQ/JGT/JGE/JSET K: t / f */
};

struct cg_node {
	enum cg_kind kind;
	uint16_t code; /* for CG_JMP: BPF_JEQ, BPF_JGT, BPF_JGE or BPF_JSET */
	uint32_t k;
	int t, f; /* node ids; -1 when unused */
	int32_t origin;
	uint32_t hash_next; /* chain in the hash table, index + 1 */
};

struct cg {
	struct cg_node *nodes;
	size_t n, cap;
	uint32_t *buckets; /* index + 1 of the first node */
	size_t n_buckets;
	bool oom;
};

void cg_init(struct cg *g);
void cg_done(struct cg *g);
/* Returns the id of an equal node or a new one; -ENOMEM (and g->oom) on failure. */
int cg_ret(struct cg *g, uint32_t k, int32_t origin);
int cg_ld(struct cg *g, uint32_t off, int next, int32_t origin);
int cg_and(struct cg *g, uint32_t mask, int next, int32_t origin);
/* A conditional jump; when t == f no instruction is needed and t is returned. */
int cg_jmp(struct cg *g, uint16_t op, uint32_t k, int t, int f, int32_t origin);

/*
 * Lay out and resolve. Fills insns/origin (malloc'd). -E2BIG when the program is longer than
 * the kernel allows; *ret_len is then still the length it would have had, and per-origin counts
 * are available through ret_origin.
 */
CF_MUST_CHECK int cg_assemble(const struct cg *g, int entry, struct sock_filter **ret_insns,
			      int32_t **ret_origin, size_t *ret_len);
