/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "predict/build.h"

/*
 * Syscall wrappers reached through a pointer. libcap (libcap/cap_proc.c) routes every call that
 * changes capability state through a table of two function pointers, `struct syscaller_s
 * { three, six }`, whose defaults are static functions `_cap_syscall3(nr, a1, a2, a3) { return
 * syscall(nr, a1, a2, a3); }` and `_cap_syscall6`; the library calls them as
 * `sc->three(SYS_capset, ...)`, `sc->six(SYS_prctl, ...)`. The static functions pass their first
 * argument to glibc's syscall(), so their number is whatever the caller passed, and nobody calls
 * them directly: their address sits in the static tables (.data, R_X86_64_RELATIVE).
 *
 * The rule, per file: a function F that passes its own first argument to an imported function
 * may be called only
 * - at direct calls and tail jumps to it in this file (b->sites), and
 * - through a pointer, which only this file's code can hold when F's name is not exported and
 *   the code never takes F's address as a value (a lea, an immediate, a load of a GOT slot
 *   naming F): the address then exists only in this file's data, written there by a relocation,
 *   and the calls through a pointer in this file are the only ones that may reach it.
 * So F's numbers are the first arguments (rdi) at those sites, every call through a pointer in
 * the file counted (an over-approximation: most of them call something else). A site whose rdi
 * is not a constant leaves F unresolved, unless the pointer it calls provably is not one of the
 * file's functions (callgraph.c, not_local_pointer: a GOT slot bound to an import, a switch's
 * jump table). F exported, its address taken in code, or a conditional jump into it: unresolved.
 *
 * What this rule assumes and cannot see: that the file does not hand the address of its own
 * pointer table to another object that then calls through it with numbers of its own. libcap
 * does exactly that in one case, and it is refused by program.c instead: cap_set_syscall()
 * replaces the pointers with functions the program supplies, and libpsx's psx_load_syscalls()
 * (called by libcap's constructor when libpsx is linked) replaces them with psx_syscall3/6.
 * The replacement functions are then the program's or libpsx's, called with libcap's numbers.
 */

static int add_psite(struct pbuild *b, size_t *cap, uint32_t caller, uint32_t callee, size_t insn)
{
	struct psummary *s = b->s;
	struct ps_icall *ic;
	struct pres res;

	if (s->n_psites == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct ps_icall *n = realloc(s->psites, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->psites = n;
		*cap = ncap;
	}
	ic = &s->psites[s->n_psites++];
	*ic = (struct ps_icall){ .func = caller,
				 .import = callee,
				 .addr = b->code.insns[insn].addr,
				 .kind = PA_UNKNOWN,
				 .reg = PR_NONE,
				 .str = PS_NONE };
	pb_resolve(b, insn, PR_RDI, &res);
	if (res.unknown || res.has_addr || res.arg_reg != PR_NONE || !res.n)
		return 0;
	ic->kind = PA_CONST;
	ic->n = res.n;
	memcpy(ic->vals, res.vals, sizeof(ic->vals));
	return 0;
}

static bool exported(const struct psummary *s, uint32_t f)
{
	for (size_t i = 0; i < s->n_exports; i++)
		if (s->exports[i].func == f)
			return true;
	return false;
}

int pb_fnptr(struct pbuild *b)
{
	struct psummary *s = b->s;
	size_t cap_psites = 0, cap_argfns = 0;
	bool any = false;
	int r;

	for (size_t k = 0; k < s->n_icalls; k++) {
		const struct ps_icall *ic = &s->icalls[k];
		uint32_t f = ic->func;
		struct ps_argfn *a;
		bool dup = false;

		if (ic->kind != PA_ARG || ic->reg != PR_RDI)
			continue;
		for (size_t j = 0; j < s->n_argfns && !dup; j++)
			dup = s->argfns[j].func == f;
		if (dup)
			continue;
		if (s->n_argfns == cap_argfns) {
			size_t ncap = cap_argfns ? cap_argfns * 2 : 8;
			struct ps_argfn *n = realloc(s->argfns, ncap * sizeof(*n));
			if (!n)
				return -ENOMEM;
			s->argfns = n;
			cap_argfns = ncap;
		}
		a = &s->argfns[s->n_argfns++];
		*a = (struct ps_argfn){ .func = f, .why = PAW_SITES };
		if (exported(s, f))
			a->why = PAW_EXPORTED;
		else if (b->taken[f])
			*a = (struct ps_argfn){ f, PAW_ESCAPES, b->taken[f] };
		else if (b->jcc_in[f])
			*a = (struct ps_argfn){ f, PAW_JCC, b->jcc_in[f] };
		if (a->why != PAW_SITES)
			continue;
		any = true;
		/* direct calls and tail jumps (b->sites is sorted by callee since pb_syscalls) */
		for (size_t i = 0; i < b->n_sites; i++) {
			if (b->sites[i].callee != f)
				continue;
			r = add_psite(b, &cap_psites, b->sites[i].caller, f, b->sites[i].insn);
			if (r < 0)
				return r;
		}
	}
	/* the calls through a pointer, once for every such function */
	for (size_t i = 0; any && i < b->n_isites; i++) {
		r = add_psite(b, &cap_psites, pb_func_of_insn(b, b->isites[i]), PS_NONE,
			      b->isites[i]);
		if (r < 0)
			return r;
	}
	return 0;
}
