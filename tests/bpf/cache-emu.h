/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The kernel's action-cache check (kernel/seccomp.c seccomp_is_const_allow, 5.11+): emulate
 * the program with only nr and arch known; the syscall is cacheable when the path uses only
 * LD W ABS of nr/arch, JEQ/JGE/JGT/JSET K, JA, ALU AND K and ends in RET K == RET_ALLOW.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

static inline bool cf_cache_const_allow(const struct sock_filter *insns, size_t len, uint32_t arch,
					uint32_t nr)
{
	uint32_t a = 0;
	size_t pc = 0;

	while (pc < len) {
		const struct sock_filter *f = &insns[pc];

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k == 0)
				a = nr;
			else if (f->k == 4)
				a = arch;
			else
				return false;
			pc++;
			break;
		case BPF_JMP | BPF_JA:
			pc += 1 + f->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += 1 + (a == f->k ? f->jt : f->jf);
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += 1 + (a >= f->k ? f->jt : f->jf);
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += 1 + (a > f->k ? f->jt : f->jf);
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += 1 + ((a & f->k) ? f->jt : f->jf);
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			pc++;
			break;
		case BPF_RET | BPF_K:
			return f->k == SECCOMP_RET_ALLOW;
		default:
			return false;
		}
	}
	return false;
}
