/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The structural checks the kernel applies before it accepts a seccomp program:
 * bpf_check_classic() (length, opcodes, jump ranges, division by a constant zero, scratch memory
 * written before it is read, RET last) and seccomp_check_filter() (only the allowed opcodes, loads
 * inside struct seccomp_data and 4-byte aligned).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/filter.h"
#include "bpf/insn.h"

#define MEMWORDS 16u

static bool opcode_allowed(uint16_t code)
{
	switch (code) {
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_ALU | BPF_ADD | BPF_K:
	case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K:
	case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K:
	case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K:
	case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K:
	case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K:
	case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K:
	case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K:
	case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K:
	case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K:
	case BPF_JMP | BPF_JSET | BPF_X:
		return true;
	default:
		return false;
	}
}

static int bad(struct cf_diag *reterr, size_t pc, const char *what)
{
	return diag_set(reterr, EINVAL, "<bpf>", 0, 0, NULL, "instruction %zu: %s", pc, what);
}

int cf_bpf_verify(const struct sock_filter *insns, size_t len, struct cf_diag *reterr)
{
	uint16_t *memvalid;
	int r = 0;

	if (!insns || len == 0)
		return diag_set(reterr, EINVAL, "<bpf>", 0, 0, NULL, "empty program");
	if (len > CF_BPF_MAXINSNS)
		return diag_set(reterr, E2BIG, "<bpf>", 0, 0, NULL,
				"%zu instructions, the kernel accepts at most %u", len,
				CF_BPF_MAXINSNS);

	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &insns[pc];

		if (!opcode_allowed(f->code))
			return bad(reterr, pc, "opcode not allowed in seccomp programs");
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k >= CF_SECCOMP_DATA_SZ || (f->k & 3u))
				return bad(reterr, pc,
					   "load outside struct seccomp_data or unaligned");
			break;
		case BPF_ALU | BPF_DIV | BPF_K:
			if (f->k == 0)
				return bad(reterr, pc, "division by zero");
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
		case BPF_ST:
		case BPF_STX:
			if (f->k >= MEMWORDS)
				return bad(reterr, pc, "scratch memory index out of range");
			break;
		case BPF_JMP | BPF_JA:
			if (f->k >= len - pc - 1)
				return bad(reterr, pc, "jump out of range");
			break;
		default:
			if (BPF_CLASS(f->code) == BPF_JMP &&
			    (pc + 1 + f->jt >= len || pc + 1 + f->jf >= len))
				return bad(reterr, pc, "jump out of range");
			break;
		}
	}
	if (BPF_CLASS(insns[len - 1].code) != BPF_RET)
		return bad(reterr, len - 1, "the last instruction must be a return");

	/* scratch memory must be stored on every path before it is loaded */
	memvalid = malloc(len * sizeof(*memvalid));
	if (!memvalid)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++)
		memvalid[i] = 0xffff;
	memvalid[0] = 0;
	for (size_t pc = 0; pc < len && r == 0; pc++) {
		const struct sock_filter *f = &insns[pc];
		uint16_t m = memvalid[pc];

		switch (f->code) {
		case BPF_ST:
		case BPF_STX:
			m |= (uint16_t)(1u << f->k);
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
			if (!(m & (1u << f->k)))
				r = bad(reterr, pc, "scratch memory read before it is written");
			break;
		default:
			break;
		}
		if (f->code == (BPF_JMP | BPF_JA))
			memvalid[pc + 1 + f->k] &= m;
		else if (BPF_CLASS(f->code) == BPF_JMP) {
			memvalid[pc + 1 + f->jt] &= m;
			memvalid[pc + 1 + f->jf] &= m;
		} else if (BPF_CLASS(f->code) != BPF_RET && pc + 1 < len)
			memvalid[pc + 1] &= m;
	}
	free(memvalid);
	return r;
}
