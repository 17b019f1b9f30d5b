/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * x86-64 decoding for predict, through capstone: each instruction of the executable sections
 * becomes a compact record of what the call graph and the syscall-number data flow need (branch
 * target, rip-relative address, which general registers it writes and how). Capstone is the
 * decoder because a correct x86-64 decoder is thousands of lines of tables.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/macro.h"
#include "predict/elf.h"

/* General registers, in the hardware's numbering (rax=0 ... r15=15). */
enum {
	PR_RAX,
	PR_RCX,
	PR_RDX,
	PR_RBX,
	PR_RSP,
	PR_RBP,
	PR_RSI,
	PR_RDI,
	PR_R8,
	PR_R9,
	PR_R10,
	PR_R11,
	PR_R12,
	PR_R13,
	PR_R14,
	PR_R15,
	PR_NONE = 0xff,
};

enum pkind {
	PK_OTHER,
	PK_CALL, /* direct: target */
	PK_JMP, /* direct unconditional: target */
	PK_JCC, /* direct conditional: target */
	PK_CALL_MEM, /* call [rip+X]: target = X */
	PK_JMP_MEM, /* jmp [rip+X]: target = X */
	PK_CALL_IND, /* call through a register or other memory */
	PK_JMP_IND,
	PK_RET,
	PK_STOP, /* hlt, ud2, int3: no fall-through */
	PK_SYSCALL,
	PK_INT80,
	PK_BAD, /* a byte capstone could not decode */
};

/* How the instruction writes `dst` (the register of its first operand). */
enum pdef {
	PD_NONE, /* writes no general register explicitly */
	PD_CONST, /* dst = imm (full 32/64-bit register) */
	PD_COPY, /* dst = src (full registers) */
	PD_ADDR, /* dst = rip-relative address (lea): target */
	PD_OTHER, /* dst changed some other way */
};

struct pinsn {
	uint64_t addr;
	uint64_t target; /* branch target, rip-relative address, or an immediate (PF_IMM) */
	uint16_t wmask; /* general registers written, explicitly or implicitly */
	uint8_t len;
	uint8_t kind; /* enum pkind */
	uint8_t def; /* enum pdef */
	uint8_t dst, src;
	uint8_t flags;
};

#define PF_RIPREF 0x01 /* target is a rip-relative memory address (lea or a load/store) */
#define PF_IMM	  0x02 /* target is an immediate operand (absolute addresses of non-PIE code) */
#define PF_NOP	  0x04 /* a no-op (alignment padding when nothing jumps to it) */

struct pcode {
	struct pinsn *insns; /* sorted by addr */
	size_t n;
};

/* Decode every executable range of e. -ENOTSUP when capstone cannot open x86-64, -ENOMEM. */
CF_MUST_CHECK int pcode_decode(const struct cf_elf *e, struct pcode *ret);
void pcode_clear(struct pcode *c);
/* Index of the first instruction at or after addr. */
size_t pcode_lower(const struct pcode *c, uint64_t addr);
/* The one binary search of predict: index of the first of n elements (stride bytes apart,
 * sorted by the uint64_t at the start of each) whose key is >= key. */
size_t plower_u64(const void *base, size_t n, size_t stride, uint64_t key);
static inline bool pinsn_falls_through(const struct pinsn *i)
{
	return i->kind != PK_JMP && i->kind != PK_JMP_MEM && i->kind != PK_JMP_IND &&
	       i->kind != PK_RET && i->kind != PK_STOP;
}
