/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Private to callgraph.c and syscalls.c: the state of one file's analysis. */
#include <stddef.h>
#include <stdint.h>

#include "predict/disasm.h"
#include "predict/elf.h"
#include "predict/summary.h"

/* a (function, value) pair: an edge or a syscall, flattened into slices at the end */
struct pb_pair {
	uint32_t func;
	uint32_t val;
};

struct pb_vec {
	struct pb_pair *v;
	size_t n, cap;
};

/* a direct jump: where it goes, which instruction jumps (for the backward data flow) */
struct pb_jump {
	uint64_t target;
	uint32_t src;
};

/* a direct call or tail jump to a function start */
struct pb_site {
	uint32_t callee;
	uint32_t caller;
	uint32_t insn;
};

struct pbuild {
	const struct cf_elf *e;
	struct pcode code;
	uint64_t *starts; /* = funcs[i].addr */
	size_t n_starts;
	size_t *first; /* first instruction of each function; first[n_starts] = code.n */
	struct pb_jump *jumps; /* sorted by target */
	size_t n_jumps;
	struct pb_site *sites; /* sorted by callee */
	size_t n_sites, cap_sites;
	uint8_t *
		noret; /* per function: no ret and no jump out of its region (abort, __libc_fatal) */
	struct pb_vec edges, sys;
	uint32_t *isites; /* instructions calling or jumping through a pointer that may be local */
	size_t n_isites, cap_isites;
	uint64_t *taken; /* per function: where the code takes its address as a value, or 0 */
	uint64_t *jcc_in; /* per function: a conditional jump from elsewhere to its start, or 0 */
	struct psummary *s;
	size_t cap_icalls, cap_unres;
};

CF_MUST_CHECK int pb_push(struct pb_vec *v, uint32_t func, uint32_t val);
CF_MUST_CHECK int pb_unresolved(struct pbuild *b, uint32_t func, uint32_t why, uint64_t addr);
/* Function holding instruction index i. */
uint32_t pb_func_of_insn(const struct pbuild *b, size_t i);

/* The values a register can hold just before instruction `insn` (syscalls.c). */
struct pres {
	uint32_t vals[PS_MAX_VALS];
	uint8_t n;
	bool unknown;
	uint8_t arg_reg; /* PR_NONE, or the register at function entry it comes from */
	bool has_addr;
	uint64_t addr; /* a lea'd address (for a string argument) */
};
void pb_resolve(const struct pbuild *b, size_t insn, uint8_t reg, struct pres *ret);

/* Functions passing their first argument to an imported function, and the sites that may call
 * them (fnptr.c). */
CF_MUST_CHECK int pb_fnptr(struct pbuild *b);

/* syscall sites -> sys pairs; wrappers; propagation of wrapper arguments from call sites. */
CF_MUST_CHECK int pb_syscalls(struct pbuild *b);
