/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "predict/disasm.h"

#include <capstone/capstone.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"

/* capstone register -> (general register, width in bytes), or PR_NONE. */
static uint8_t gpr(unsigned reg, unsigned *width)
{
#define R(a, b, c, d, n)    \
	case X86_REG_##a:   \
		*width = 8; \
		return n;   \
	case X86_REG_##b:   \
		*width = 4; \
		return n;   \
	case X86_REG_##c:   \
		*width = 2; \
		return n;   \
	case X86_REG_##d:   \
		*width = 1; \
		return n;
	switch (reg) {
		R(RAX, EAX, AX, AL, PR_RAX)
		R(RCX, ECX, CX, CL, PR_RCX)
		R(RDX, EDX, DX, DL, PR_RDX)
		R(RBX, EBX, BX, BL, PR_RBX)
		R(RSP, ESP, SP, SPL, PR_RSP)
		R(RBP, EBP, BP, BPL, PR_RBP)
		R(RSI, ESI, SI, SIL, PR_RSI)
		R(RDI, EDI, DI, DIL, PR_RDI)
		R(R8, R8D, R8W, R8B, PR_R8)
		R(R9, R9D, R9W, R9B, PR_R9)
		R(R10, R10D, R10W, R10B, PR_R10)
		R(R11, R11D, R11W, R11B, PR_R11)
		R(R12, R12D, R12W, R12B, PR_R12)
		R(R13, R13D, R13W, R13B, PR_R13)
		R(R14, R14D, R14W, R14B, PR_R14)
		R(R15, R15D, R15W, R15B, PR_R15)
	case X86_REG_AH:
		*width = 1;
		return PR_RAX;
	case X86_REG_CH:
		*width = 1;
		return PR_RCX;
	case X86_REG_DH:
		*width = 1;
		return PR_RDX;
	case X86_REG_BH:
		*width = 1;
		return PR_RBX;
	default:
		*width = 0;
		return PR_NONE;
	}
#undef R
}

static bool is_jcc(unsigned id)
{
	switch (id) {
	case X86_INS_JAE:
	case X86_INS_JA:
	case X86_INS_JBE:
	case X86_INS_JB:
	case X86_INS_JCXZ:
	case X86_INS_JECXZ:
	case X86_INS_JE:
	case X86_INS_JGE:
	case X86_INS_JG:
	case X86_INS_JLE:
	case X86_INS_JL:
	case X86_INS_JNE:
	case X86_INS_JNO:
	case X86_INS_JNP:
	case X86_INS_JNS:
	case X86_INS_JO:
	case X86_INS_JP:
	case X86_INS_JRCXZ:
	case X86_INS_JS:
	case X86_INS_LOOP:
	case X86_INS_LOOPE:
	case X86_INS_LOOPNE:
		return true;
	default:
		return false;
	}
}

static void classify(csh h, const cs_insn *ci, struct pinsn *pi)
{
	const cs_x86 *x = &ci->detail->x86;
	const cs_x86_op *op0 = x->op_count > 0 ? &x->operands[0] : NULL;
	const cs_x86_op *op1 = x->op_count > 1 ? &x->operands[1] : NULL;
	uint64_t next = ci->address + ci->size;
	cs_regs rr, rw;
	uint8_t nr = 0, nw = 0;
	unsigned w;

	*pi = (struct pinsn){
		.addr = ci->address, .len = ci->size, .dst = PR_NONE, .src = PR_NONE
	};
	if (cs_regs_access(h, ci, rr, &nr, rw, &nw) == CS_ERR_OK)
		for (uint8_t i = 0; i < nw; i++) {
			uint8_t g = gpr(rw[i], &w);
			if (g != PR_NONE && g != PR_RSP)
				pi->wmask |= 1u << g;
		}
	/* any rip-relative memory operand or immediate: a candidate address */
	for (uint8_t i = 0; i < x->op_count; i++) {
		const cs_x86_op *o = &x->operands[i];
		if (o->type == X86_OP_MEM && o->mem.base == X86_REG_RIP &&
		    o->mem.index == X86_REG_INVALID) {
			pi->target = next + (int64_t)o->mem.disp;
			pi->flags |= PF_RIPREF;
		} else if (o->type == X86_OP_IMM && !(pi->flags & PF_RIPREF) && o->imm > 0) {
			pi->target = (uint64_t)o->imm;
			pi->flags |= PF_IMM;
		}
	}
	if (ci->id == X86_INS_NOP ||
	    (ci->id == X86_INS_XCHG && op0 && op1 && op0->type == X86_OP_REG &&
	     op1->type == X86_OP_REG && op0->reg == op1->reg)) {
		pi->flags |= PF_NOP;
		pi->wmask = 0;
		return;
	}
	switch (ci->id) {
	case X86_INS_CALL:
	case X86_INS_JMP:
		if (op0 && op0->type == X86_OP_IMM) {
			pi->kind = ci->id == X86_INS_CALL ? PK_CALL : PK_JMP;
			pi->target = (uint64_t)op0->imm;
			pi->flags &= ~PF_IMM;
		} else if (pi->flags & PF_RIPREF) {
			pi->kind = ci->id == X86_INS_CALL ? PK_CALL_MEM : PK_JMP_MEM;
		} else {
			pi->kind = ci->id == X86_INS_CALL ? PK_CALL_IND : PK_JMP_IND;
		}
		return;
	case X86_INS_RET:
	case X86_INS_RETF:
	case X86_INS_IRET:
	case X86_INS_IRETD:
	case X86_INS_IRETQ:
		pi->kind = PK_RET;
		return;
	case X86_INS_HLT:
	case X86_INS_UD2:
	case X86_INS_INT3:
		pi->kind = PK_STOP;
		return;
	case X86_INS_SYSCALL:
		pi->kind = PK_SYSCALL;
		return;
	case X86_INS_INT:
		if (op0 && op0->type == X86_OP_IMM && op0->imm == 0x80)
			pi->kind = PK_INT80;
		return;
	default:
		break;
	}
	if (is_jcc(ci->id) && op0 && op0->type == X86_OP_IMM) {
		pi->kind = PK_JCC;
		pi->target = (uint64_t)op0->imm;
		pi->flags &= ~PF_IMM;
		return;
	}
	if (!op0 || op0->type != X86_OP_REG)
		return;
	pi->dst = gpr(op0->reg, &w);
	if (pi->dst == PR_NONE || !(op0->access & CS_AC_WRITE))
		return;
	pi->def = PD_OTHER;
	/* only full 32/64-bit writes define the whole value (a 32-bit write zero-extends) */
	if (w < 4)
		return;
	if (ci->id == X86_INS_MOV && op1 && op1->type == X86_OP_IMM) {
		pi->def = PD_CONST;
		pi->target = (uint64_t)op1->imm;
	} else if (ci->id == X86_INS_MOV && op1 && op1->type == X86_OP_REG) {
		unsigned w2;
		pi->src = gpr(op1->reg, &w2);
		if (pi->src != PR_NONE && w2 >= 4)
			pi->def = PD_COPY;
	} else if (ci->id == X86_INS_XOR && op1 && op1->type == X86_OP_REG &&
		   op1->reg == op0->reg) {
		pi->def = PD_CONST;
		pi->target = 0;
	} else if (ci->id == X86_INS_LEA && (pi->flags & PF_RIPREF)) {
		pi->def = PD_ADDR;
	}
}

static int pinsn_cmp_addr(const void *a, const void *b)
{
	const struct pinsn *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void pcode_clear(struct pcode *c)
{
	free(c->insns);
	*c = (struct pcode){ 0 };
}

size_t plower_u64(const void *base, size_t n, size_t stride, uint64_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t k;
		memcpy(&k, (const char *)base + mid * stride, sizeof(k));
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t pcode_lower(const struct pcode *c, uint64_t addr)
{
	return plower_u64(c->insns, c->n, sizeof(*c->insns), addr);
}

int pcode_decode(const struct cf_elf *e, struct pcode *ret)
{
	csh h;
	cs_insn *ci;
	size_t cap = 0;

	*ret = (struct pcode){ 0 };
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return -ENOTSUP;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	ci = cs_malloc(h);
	if (!ci) {
		cs_close(&h);
		return -ENOMEM;
	}
	for (size_t r = 0; r < e->n_ranges; r++) {
		const struct cf_elf_range *rg = &e->ranges[r];
		const uint8_t *code = e->data + rg->offset;
		size_t left = rg->size;
		uint64_t addr = rg->vaddr;

		if (!rg->exec)
			continue;
		while (left > 0) {
			if (ret->n == cap) {
				size_t ncap = cap ? cap * 2 : rg->size / 3 + 64;
				struct pinsn *n = realloc(ret->insns, ncap * sizeof(*n));
				if (!n) {
					cs_free(ci, 1);
					cs_close(&h);
					pcode_clear(ret);
					return -ENOMEM;
				}
				ret->insns = n;
				cap = ncap;
			}
			if (cs_disasm_iter(h, &code, &left, &addr, ci)) {
				classify(h, ci, &ret->insns[ret->n++]);
			} else {
				/* data in code or an encoding capstone 4 lacks: one byte, flagged */
				ret->insns[ret->n++] = (struct pinsn){ .addr = addr,
								       .len = 1,
								       .kind = PK_BAD,
								       .dst = PR_NONE,
								       .src = PR_NONE,
								       .wmask = 0xffff };
				code++;
				left--;
				addr++;
			}
		}
	}
	cs_free(ci, 1);
	cs_close(&h);
	/* sections are usually in address order; sort when they are not */
	for (size_t i = 1; i < ret->n; i++)
		if (ret->insns[i].addr < ret->insns[i - 1].addr) {
			qsort(ret->insns, ret->n, sizeof(*ret->insns), pinsn_cmp_addr);
			break;
		}
	return 0;
}
