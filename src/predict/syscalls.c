/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "predict/build.h"

/*
 * Syscall numbers by backward data flow over registers. The number of a `syscall` is the value
 * of eax just before it: walk back along fall-through and direct-jump predecessors until every
 * path meets a definition of the tracked register: a constant (mov $N, %eax / xor %eax,%eax),
 * a copy from another register (keep walking with that one), or the function's entry (the
 * number comes from the caller: the function is a wrapper taking it in that register, like
 * glibc's syscall() with %rdi, Go's runtime/internal/syscall.Syscall6 with %rax). Anything
 * else (a load, a call's result, an unknown predecessor such as a jump-table target) makes the
 * number unresolved, which is reported, never guessed. Wrappers' numbers come from their call
 * sites the same way, transitively (B-Side's key to precision: a syscall() wrapper otherwise
 * means "any syscall").
 */

/* visits per query: the definition is almost always a few instructions back */
#define MAX_VISITS 512

struct visit {
	uint32_t insn;
	uint8_t reg;
};

static size_t start_index(const struct pbuild *b, uint64_t addr)
{
	return plower_u64(b->starts, b->n_starts, sizeof(*b->starts), addr);
}

static bool is_start(const struct pbuild *b, uint64_t addr)
{
	size_t i = start_index(b, addr);
	return i < b->n_starts && b->starts[i] == addr;
}

static size_t first_jump(const struct pbuild *b, uint64_t target)
{
	return plower_u64(b->jumps, b->n_jumps, sizeof(*b->jumps), target);
}

static bool calls_noreturn(const struct pbuild *b, size_t i)
{
	const struct pinsn *in = &b->code.insns[i];
	size_t f;

	if (in->kind != PK_CALL || !b->noret)
		return false;
	f = start_index(b, in->target);
	return f < b->n_starts && b->starts[f] == in->target && b->noret[f];
}

static void add_val(struct pres *r, uint64_t v)
{
	for (uint8_t i = 0; i < r->n; i++)
		if (r->vals[i] == (uint32_t)v)
			return;
	if (r->n == PS_MAX_VALS)
		r->unknown = true;
	else
		r->vals[r->n++] = (uint32_t)v;
}

/* Caller-saved registers a call may change (SysV ABI; Go's ABIInternal clobbers all, but its
 * syscall stubs load the number right before the instruction). */
#define CALL_CLOBBER                                                                          \
	((1u << PR_RAX) | (1u << PR_RCX) | (1u << PR_RDX) | (1u << PR_RSI) | (1u << PR_RDI) | \
	 (1u << PR_R8) | (1u << PR_R9) | (1u << PR_R10) | (1u << PR_R11))

void pb_resolve(const struct pbuild *b, size_t insn, uint8_t reg, struct pres *ret)
{
	struct visit stack[64], seen[MAX_VISITS];
	size_t n_stack = 0, n_seen = 0;
	const struct pinsn *in = b->code.insns;
	uint64_t fstart = b->starts[pb_func_of_insn(b, insn)];

	*ret = (struct pres){ .arg_reg = PR_NONE };
	stack[n_stack++] = (struct visit){ (uint32_t)insn, reg };
	while (n_stack && !ret->unknown) {
		struct visit v = stack[--n_stack];
		uint32_t preds[16];
		size_t n_preds = 0;
		bool dup = false;

		for (size_t i = 0; i < n_seen && !dup; i++)
			dup = seen[i].insn == v.insn && seen[i].reg == v.reg;
		if (dup)
			continue;
		if (n_seen == MAX_VISITS) {
			ret->unknown = true;
			break;
		}
		seen[n_seen++] = v;
		uint64_t a = in[v.insn].addr;
		if (a == fstart) {
			/* the function's entry: the value is the caller's */
			if (ret->arg_reg != PR_NONE && ret->arg_reg != v.reg)
				ret->unknown = true;
			ret->arg_reg = v.reg;
			continue;
		}
		/* another function's start (a cold part reached by jumps): only jumps lead here */
		if (v.insn > 0 && !is_start(b, a) && pinsn_falls_through(&in[v.insn - 1]) &&
		    in[v.insn - 1].addr + in[v.insn - 1].len == a && !calls_noreturn(b, v.insn - 1))
			preds[n_preds++] = v.insn - 1;
		for (size_t j = first_jump(b, a); j < b->n_jumps && b->jumps[j].target == a; j++) {
			if (n_preds == ARRAY_SIZE(preds)) {
				ret->unknown = true;
				break;
			}
			preds[n_preds++] = b->jumps[j].src;
		}
		/* nothing leads here: alignment padding after a jump is dead code; anything else is
		 * reached only by an indirect jump (a jump table), which the walk cannot follow */
		if (!n_preds && !(in[v.insn].flags & PF_NOP))
			ret->unknown = true;
		for (size_t i = 0; i < n_preds && !ret->unknown; i++) {
			const struct pinsn *p = &in[preds[i]];
			bool writes = p->wmask & (1u << v.reg);

			/* the kernel's syscall entry changes rax, rcx and r11 only: capstone's wmask */
			if (p->kind == PK_CALL || p->kind == PK_CALL_MEM ||
			    p->kind == PK_CALL_IND || p->kind == PK_BAD)
				writes = writes || (CALL_CLOBBER & (1u << v.reg));
			if (!writes) {
				if (n_stack == ARRAY_SIZE(stack))
					ret->unknown = true;
				else
					stack[n_stack++] = (struct visit){ preds[i], v.reg };
				continue;
			}
			if (p->dst != v.reg) {
				ret->unknown = true;
				continue;
			}
			switch (p->def) {
			case PD_CONST:
				add_val(ret, p->target);
				break;
			case PD_COPY:
				if (n_stack == ARRAY_SIZE(stack))
					ret->unknown = true;
				else
					stack[n_stack++] = (struct visit){ preds[i], p->src };
				break;
			case PD_ADDR:
				if (ret->has_addr && ret->addr != p->target)
					ret->unknown = true;
				ret->has_addr = true;
				ret->addr = p->target;
				break;
			default:
				ret->unknown = true;
				break;
			}
		}
	}
}

/* A plausible syscall number: x86-64 or x32 (bit 30) below the tables' end. */
static bool valid_nr(uint32_t v, bool i386)
{
	if (i386)
		return v < 1024;
	return v < 1024 || (v >= 0x40000000u && v < 0x40000000u + 1024);
}

/* Record what resolution r says for a number in function f at instruction insn. `wrap` tells
 * whether a wrapper argument at f's entry is acceptable (it makes f a wrapper). */
static int take(struct pbuild *b, uint32_t f, size_t insn, const struct pres *r, bool i386,
		uint32_t why, bool *new_wrapper)
{
	struct ps_func *fn = &b->s->funcs[f];
	int ret;

	for (uint8_t i = 0; i < r->n; i++) {
		if (!valid_nr(r->vals[i], i386))
			return pb_unresolved(b, f, why, b->code.insns[insn].addr);
		ret = pb_push(&b->sys, f, r->vals[i] | (i386 ? PS_I386 : 0));
		if (ret < 0)
			return ret;
	}
	if (r->unknown || r->has_addr || (r->arg_reg != PR_NONE && i386))
		return pb_unresolved(b, f, why, b->code.insns[insn].addr);
	if (r->arg_reg != PR_NONE) {
		if (fn->wrapper_reg != PR_NONE && fn->wrapper_reg != r->arg_reg)
			return pb_unresolved(b, f, why, b->code.insns[insn].addr);
		if (fn->wrapper_reg == PR_NONE) {
			fn->wrapper_reg = r->arg_reg;
			*new_wrapper = true;
		}
	}
	return 0;
}

static int site_cmp(const void *x, const void *y)
{
	const struct pb_site *a = x, *b = y;
	return a->callee < b->callee ? -1 : a->callee > b->callee;
}

int pb_syscalls(struct pbuild *b)
{
	uint32_t *work = NULL;
	size_t n_work = 0;
	int r = 0;

	work = malloc((b->n_starts + 1) * sizeof(*work));
	if (!work)
		return -ENOMEM;
	for (size_t i = 0; i < b->code.n; i++) {
		const struct pinsn *in = &b->code.insns[i];
		struct pres res;
		bool nw = false;

		if (in->kind != PK_SYSCALL && in->kind != PK_INT80)
			continue;
		uint32_t f = pb_func_of_insn(b, i);
		pb_resolve(b, i, PR_RAX, &res);
		r = take(b, f, i, &res, in->kind == PK_INT80, PW_NUMBER, &nw);
		if (r < 0)
			goto out;
		if (nw)
			work[n_work++] = f;
	}
	if (b->n_sites > 1)
		qsort(b->sites, b->n_sites, sizeof(*b->sites), site_cmp);
	/* each function turns wrapper at most once, so the work list never exceeds n_starts */
	while (n_work) {
		uint32_t w = work[--n_work];
		uint8_t reg = b->s->funcs[w].wrapper_reg;
		size_t lo = 0, hi = b->n_sites;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (b->sites[mid].callee < w)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < b->n_sites && b->sites[i].callee == w; i++) {
			struct pres res;
			bool nw = false;

			pb_resolve(b, b->sites[i].insn, reg, &res);
			r = take(b, b->sites[i].caller, b->sites[i].insn, &res, false,
				 PW_WRAPPER_CALL, &nw);
			if (r < 0)
				goto out;
			if (nw)
				work[n_work++] = b->sites[i].caller;
		}
	}
out:
	free(work);
	return r;
}
