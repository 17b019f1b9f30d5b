/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A classic-BPF interpreter for seccomp programs. It deliberately shares no code with the
 * compiler (only the kernel's UAPI headers), so that tests can use it to judge compiled programs
 * and libseccomp's alike. It accepts every instruction seccomp_check_filter() accepts.
 */
#include "bpf/sim.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <linux/audit.h>

#define SIM_MEMWORDS 16u

/*
 * Fetch the 32-bit word at offset k of struct seccomp_data as the target sees it. The arch
 * field decides the byte order of the 64-bit members: a big-endian ABI keeps the upper half of
 * an argument at the lower address (libseccomp arch_arg_offset_hi/lo).
 */
static int load_word(const struct seccomp_data *d, uint32_t k, uint32_t *ret)
{
	bool le = (d->arch & __AUDIT_ARCH_LE) != 0;
	uint64_t v;

	if (k >= sizeof(struct seccomp_data) || (k & 3u))
		return -EINVAL;
	if (k == 0) {
		*ret = (uint32_t)d->nr;
		return 0;
	}
	if (k == 4) {
		*ret = d->arch;
		return 0;
	}
	if (k < 16)
		v = d->instruction_pointer;
	else
		v = d->args[(k - 16) / 8];
	/* first word of the 8-byte member? */
	if ((k & 7u) == 0)
		*ret = le ? (uint32_t)v : (uint32_t)(v >> 32);
	else
		*ret = le ? (uint32_t)(v >> 32) : (uint32_t)v;
	return 0;
}

static bool jump_taken(uint16_t code, uint32_t a, uint32_t operand)
{
	switch (BPF_OP(code)) {
	case BPF_JEQ:
		return a == operand;
	case BPF_JGT:
		return a > operand;
	case BPF_JGE:
		return a >= operand;
	case BPF_JSET:
		return (a & operand) != 0;
	default:
		return false;
	}
}

static int alu(uint16_t code, uint32_t *a, uint32_t operand)
{
	switch (BPF_OP(code)) {
	case BPF_ADD:
		*a += operand;
		return 0;
	case BPF_SUB:
		*a -= operand;
		return 0;
	case BPF_MUL:
		*a *= operand;
		return 0;
	case BPF_DIV:
		if (operand == 0)
			return 1; /* the kernel aborts the program with 0 */
		*a /= operand;
		return 0;
	case BPF_AND:
		*a &= operand;
		return 0;
	case BPF_OR:
		*a |= operand;
		return 0;
	case BPF_XOR:
		*a ^= operand;
		return 0;
	case BPF_LSH:
		*a = operand >= 32 ? 0 : *a << operand;
		return 0;
	case BPF_RSH:
		*a = operand >= 32 ? 0 : *a >> operand;
		return 0;
	case BPF_NEG:
		*a = (uint32_t) - *a;
		return 0;
	default:
		return -EINVAL;
	}
}

int cf_bpf_sim(const struct sock_filter *insns, size_t len, const struct seccomp_data *d,
	       uint32_t *ret_value, unsigned *ret_steps)
{
	uint32_t a = 0, x = 0, mem[SIM_MEMWORDS] = { 0 };
	unsigned steps = 0;
	size_t pc = 0;
	int r;

	if (!insns || !d || len == 0 || len > 4096)
		return -EINVAL;

	while (pc < len) {
		const struct sock_filter *f = &insns[pc];
		uint32_t operand;

		steps++;
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			switch (BPF_MODE(f->code)) {
			case BPF_ABS:
				if (BPF_SIZE(f->code) != BPF_W)
					return -EINVAL;
				r = load_word(d, f->k, &a);
				if (r < 0)
					return r;
				break;
			case BPF_LEN:
				a = sizeof(struct seccomp_data);
				break;
			case BPF_IMM:
				a = f->k;
				break;
			case BPF_MEM:
				if (f->k >= SIM_MEMWORDS)
					return -EINVAL;
				a = mem[f->k];
				break;
			default:
				return -EINVAL;
			}
			pc++;
			break;
		case BPF_LDX:
			switch (BPF_MODE(f->code)) {
			case BPF_LEN:
				x = sizeof(struct seccomp_data);
				break;
			case BPF_IMM:
				x = f->k;
				break;
			case BPF_MEM:
				if (f->k >= SIM_MEMWORDS)
					return -EINVAL;
				x = mem[f->k];
				break;
			default:
				return -EINVAL;
			}
			pc++;
			break;
		case BPF_ST:
		case BPF_STX:
			if (f->k >= SIM_MEMWORDS)
				return -EINVAL;
			mem[f->k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
			pc++;
			break;
		case BPF_ALU:
			operand = BPF_SRC(f->code) == BPF_X ? x : f->k;
			r = alu(f->code, &a, operand);
			if (r < 0)
				return r;
			if (r > 0) {
				*ret_value = 0;
				if (ret_steps)
					*ret_steps = steps;
				return 0;
			}
			pc++;
			break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA) {
				if (f->k >= len - pc - 1)
					return -EINVAL;
				pc += 1 + f->k;
				break;
			}
			if (BPF_OP(f->code) != BPF_JEQ && BPF_OP(f->code) != BPF_JGT &&
			    BPF_OP(f->code) != BPF_JGE && BPF_OP(f->code) != BPF_JSET)
				return -EINVAL;
			operand = BPF_SRC(f->code) == BPF_X ? x : f->k;
			pc += 1 + (jump_taken(f->code, a, operand) ? f->jt : f->jf);
			break;
		case BPF_RET:
			if (BPF_RVAL(f->code) == BPF_K)
				*ret_value = f->k;
			else if (BPF_RVAL(f->code) == BPF_A)
				*ret_value = a;
			else
				return -EINVAL;
			if (ret_steps)
				*ret_steps = steps;
			return 0;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else if (BPF_MISCOP(f->code) == BPF_TXA)
				a = x;
			else
				return -EINVAL;
			pc++;
			break;
		default:
			return -EINVAL;
		}
	}
	/* fell off the end: the kernel's checker would have refused the program */
	return -EINVAL;
}
