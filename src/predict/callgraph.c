/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "predict/build.h"

/*
 * One file's call graph. Functions are not trusted to be named (Debian strips .symtab): a
 * function starts at every symbol, the entry point, every init/fini entry, every direct call
 * target, every address a lea (or, in non-PIE code, an immediate) takes, every relocation that
 * points into code, and every executable section's start; it ends at the next start. Regions so
 * cut cover all code, so code reached only through a jump table or a cold part still belongs to
 * some function and is analysed (conservative). Edges: direct calls and jumps leaving the region
 * (tail calls, cold parts), calls and jumps through GOT slots (resolved to the imported symbol or
 * to the local function the relocation names), and every function whose address the code takes:
 * a pointer taken is counted as called (sysfilter's address-taken rule). Functions the loader
 * reaches by itself are roots: the entry, DT_INIT/FINI and their arrays, IFUNC resolvers, and
 * every code address stored in data (relocations; the raw data of non-PIE files).
 */

int pb_push(struct pb_vec *v, uint32_t func, uint32_t val)
{
	if (v->n == v->cap) {
		size_t ncap = v->cap ? v->cap * 2 : 1024;
		struct pb_pair *n = realloc(v->v, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		v->v = n;
		v->cap = ncap;
	}
	v->v[v->n++] = (struct pb_pair){ func, val };
	return 0;
}

int pb_unresolved(struct pbuild *b, uint32_t func, uint32_t why, uint64_t addr)
{
	struct psummary *s = b->s;

	if (s->n_unres == b->cap_unres) {
		size_t ncap = b->cap_unres ? b->cap_unres * 2 : 16;
		struct ps_unres *n = realloc(s->unres, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->unres = n;
		b->cap_unres = ncap;
	}
	s->unres[s->n_unres++] = (struct ps_unres){ .func = func, .why = why, .addr = addr };
	return 0;
}

uint32_t pb_func_of_insn(const struct pbuild *b, size_t i)
{
	size_t lo = 0, hi = b->n_starts;

	/* last function whose first instruction is <= i */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->first[mid] <= i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? (uint32_t)(lo - 1) : 0;
}

uint32_t psummary_func_at(const struct psummary *s, uint64_t addr)
{
	/* the last function starting at or before addr */
	size_t i = addr == UINT64_MAX ?
			   s->n_funcs :
			   plower_u64(s->funcs, s->n_funcs, sizeof(*s->funcs), addr + 1);
	return i ? (uint32_t)(i - 1) : PS_NONE;
}

uint32_t psummary_export(const struct psummary *s, const char *name)
{
	size_t lo = 0, hi = s->n_exports;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ps_str(s, s->exports[mid].name), name);
		if (c == 0)
			return s->exports[mid].func;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return PS_NONE;
}

void psummary_clear(struct psummary *s)
{
	free(s->funcs);
	free(s->edges);
	free(s->sys);
	free(s->imports);
	free(s->exports);
	free(s->roots);
	free(s->icalls);
	free(s->unres);
	free(s->psites);
	free(s->argfns);
	free(s->strings);
	*s = (struct psummary){ 0 };
}

static bool in_exec(const struct cf_elf *e, uint64_t a)
{
	/* any executable range: forged files may overlap ranges */
	for (size_t i = 0; i < e->n_ranges; i++)
		if (e->ranges[i].exec && a >= e->ranges[i].vaddr &&
		    a - e->ranges[i].vaddr < e->ranges[i].size)
			return true;
	return false;
}

/* qsort on an empty array may get NULL, which qsort's contract does not allow */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static int add_string(struct psummary *s, size_t *cap, const char *str, uint32_t *ret)
{
	size_t len = strlen(str) + 1;

	if (s->strings_size + len > UINT32_MAX / 2)
		return -E2BIG;
	if (s->strings_size + len > *cap) {
		size_t ncap = (*cap ? *cap * 2 : 4096) + len;
		char *n = realloc(s->strings, ncap);
		if (!n)
			return -ENOMEM;
		s->strings = n;
		*cap = ncap;
	}
	memcpy(s->strings + s->strings_size, str, len);
	*ret = (uint32_t)s->strings_size;
	s->strings_size += len;
	return 0;
}

static int u64_cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

static int pair_cmp(const void *x, const void *y)
{
	const struct pb_pair *a = x, *b = y;
	if (a->func != b->func)
		return a->func < b->func ? -1 : 1;
	return a->val < b->val ? -1 : a->val > b->val;
}

static int jump_cmp(const void *x, const void *y)
{
	const struct pb_jump *a = x, *b = y;
	return a->target < b->target ? -1 : a->target > b->target;
}

static int rel_cmp(const void *x, const void *y)
{
	const struct cf_elf_rel *a = *(const struct cf_elf_rel *const *)x,
				*b = *(const struct cf_elf_rel *const *)y;
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

struct ctx {
	struct pbuild b;
	const struct cf_elf_rel **rels; /* sorted by slot */
	uint32_t *import_of_sym; /* dynsym index -> import index */
	size_t strings_cap;
	uint64_t *starts;
	size_t n_starts, cap_starts;
	uint32_t *roots;
	size_t n_roots, cap_roots;
	uint64_t *root_addrs;
	size_t n_root_addrs, cap_root_addrs;
};

static int push_u64(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;
		uint64_t *p = realloc(*v, ncap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		*v = p;
		*cap = ncap;
	}
	(*v)[(*n)++] = x;
	return 0;
}

static int add_start(struct ctx *c, uint64_t a, bool root)
{
	int r;

	if (!in_exec(c->b.e, a))
		return 0;
	r = push_u64(&c->starts, &c->n_starts, &c->cap_starts, a);
	if (r == 0 && root)
		r = push_u64(&c->root_addrs, &c->n_root_addrs, &c->cap_root_addrs, a);
	return r;
}

static const struct cf_elf_rel *rel_at(const struct ctx *c, uint64_t slot)
{
	size_t lo = 0, hi = c->b.e->n_rels;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->rels[mid]->offset < slot)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->b.e->n_rels && c->rels[lo]->offset == slot ? c->rels[lo] : NULL;
}

/* The code address a pointer slot holds once relocated, or 0. */
static uint64_t slot_local(const struct ctx *c, uint64_t slot)
{
	const struct cf_elf *e = c->b.e;
	const struct cf_elf_rel *rel = rel_at(c, slot);

	if (rel) {
		switch (rel->type) {
		case R_X86_64_RELATIVE:
		case R_X86_64_IRELATIVE:
			return (uint64_t)rel->addend;
		case R_X86_64_64:
		case R_X86_64_GLOB_DAT:
		case R_X86_64_JUMP_SLOT:
			if (rel->sym && e->syms[rel->sym].defined)
				return e->syms[rel->sym].value +
				       (rel->type == R_X86_64_64 ? rel->addend : 0);
			return 0;
		default:
			return 0;
		}
	}
	if (e->type == ET_EXEC) {
		const uint8_t *p = cf_elf_at(e, slot, 8);
		uint64_t v;
		if (p) {
			memcpy(&v, p, 8);
			return v;
		}
	}
	return 0;
}

/* The import a slot is bound to (a function of another object), or PS_NONE. */
static int slot_import(struct ctx *c, uint64_t slot, bool need_func, uint32_t *ret)
{
	const struct cf_elf *e = c->b.e;
	const struct cf_elf_rel *rel = rel_at(c, slot);
	const struct cf_elf_sym *sym;
	struct psummary *s = c->b.s;

	*ret = PS_NONE;
	if (!rel || !rel->sym ||
	    (rel->type != R_X86_64_GLOB_DAT && rel->type != R_X86_64_JUMP_SLOT &&
	     rel->type != R_X86_64_64))
		return 0;
	sym = &e->syms[rel->sym];
	if (sym->defined || !*sym->name)
		return 0;
	if (need_func && sym->type == STT_OBJECT)
		return 0;
	if (c->import_of_sym[rel->sym] == PS_NONE) {
		uint32_t off;
		int r;
		if (s->n_imports % 256 == 0) {
			uint32_t *n = realloc(s->imports, (s->n_imports + 256) * sizeof(*n));
			if (!n)
				return -ENOMEM;
			s->imports = n;
		}
		r = add_string(s, &c->strings_cap, sym->name, &off);
		if (r < 0)
			return r;
		s->imports[s->n_imports] = off;
		c->import_of_sym[rel->sym] = (uint32_t)s->n_imports++;
	}
	*ret = c->import_of_sym[rel->sym];
	return 0;
}

static int collect_starts(struct ctx *c)
{
	const struct cf_elf *e = c->b.e;
	const struct pcode *code = &c->b.code;
	int r = 0;

	for (size_t i = 0; i < e->n_ranges && r == 0; i++)
		if (e->ranges[i].exec)
			r = add_start(c, e->ranges[i].vaddr, false);
	for (size_t i = 0; i < e->n_syms && r == 0; i++)
		if (e->syms[i].defined &&
		    (e->syms[i].type == STT_FUNC || e->syms[i].type == STT_GNU_IFUNC))
			r = add_start(c, e->syms[i].value, false);
	if (r == 0)
		r = add_start(c, e->entry, true);
	if (r == 0 && e->init)
		r = add_start(c, e->init, true);
	if (r == 0 && e->fini)
		r = add_start(c, e->fini, true);
	const uint64_t arrays[3][2] = { { e->init_array, e->init_arraysz },
					{ e->fini_array, e->fini_arraysz },
					{ e->preinit_array, e->preinit_arraysz } };
	for (size_t a = 0; a < 3 && r == 0; a++)
		for (uint64_t o = 0; o + 8 <= arrays[a][1] && o < (1u << 20) && r == 0; o += 8)
			r = add_start(c, slot_local(c, arrays[a][0] + o), true);
	/* relocations that store a code address: data pointers (roots), IFUNC resolvers (the loader
	 * calls them), GOT entries of local functions (edges where the code loads them) */
	for (size_t i = 0; i < e->n_rels && r == 0; i++) {
		const struct cf_elf_rel *rel = &e->rels[i];
		uint64_t a = 0;
		if (rel->type == R_X86_64_RELATIVE || rel->type == R_X86_64_IRELATIVE)
			a = (uint64_t)rel->addend;
		else if (rel->type == R_X86_64_64 && rel->sym && e->syms[rel->sym].defined)
			a = e->syms[rel->sym].value + rel->addend;
		else if ((rel->type == R_X86_64_GLOB_DAT || rel->type == R_X86_64_JUMP_SLOT) &&
			 rel->sym && e->syms[rel->sym].defined)
			a = e->syms[rel->sym].value;
		if (a)
			r = add_start(c, a,
				      rel->type != R_X86_64_GLOB_DAT &&
					      rel->type != R_X86_64_JUMP_SLOT);
	}
	for (size_t i = 0; i < code->n && r == 0; i++) {
		const struct pinsn *in = &code->insns[i];
		if (in->kind == PK_CALL || in->def == PD_ADDR ||
		    (e->type == ET_EXEC && (in->flags & PF_IMM)))
			r = add_start(c, in->target, false);
		/* a tail jump to a PLT entry: each entry is a stub of its own import */
		if (in->kind == PK_JMP) {
			const struct cf_elf_range *rg = cf_elf_range_at(e, in->target);
			if (rg && strncmp(rg->name, ".plt", 4) == 0)
				r = add_start(c, in->target, false);
		}
	}
	/* non-PIE files keep code addresses in data without relocations (Go's function tables,
	 * static binaries' vtables): every aligned word pointing into code is a root */
	if (e->type == ET_EXEC)
		for (size_t i = 0; i < e->n_ranges && r == 0; i++) {
			const struct cf_elf_range *rg = &e->ranges[i];
			if (rg->exec)
				continue;
			for (uint64_t o = (8 - rg->vaddr % 8) % 8; o + 8 <= rg->size && r == 0;
			     o += 8) {
				uint64_t v;
				memcpy(&v, e->data + rg->offset + o, 8);
				if (v && in_exec(e, v))
					r = add_start(c, v, true);
			}
		}
	if (r < 0)
		return r;
	sort(c->starts, c->n_starts, sizeof(*c->starts), u64_cmp);
	size_t n = 0;
	for (size_t i = 0; i < c->n_starts; i++)
		if (!n || c->starts[n - 1] != c->starts[i])
			c->starts[n++] = c->starts[i];
	c->n_starts = n;
	return 0;
}

static int add_site(struct pbuild *b, uint32_t callee, uint32_t caller, size_t insn)
{
	if (b->n_sites == b->cap_sites) {
		size_t ncap = b->cap_sites ? b->cap_sites * 2 : 1024;
		struct pb_site *n = realloc(b->sites, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		b->sites = n;
		b->cap_sites = ncap;
	}
	b->sites[b->n_sites++] = (struct pb_site){ callee, caller, (uint32_t)insn };
	return 0;
}

static int add_icall(struct ctx *c, uint32_t f, uint32_t imp, size_t insn)
{
	struct pbuild *b = &c->b;
	struct psummary *s = b->s;
	struct ps_icall *ic;
	struct pres res;
	int r;

	if (s->n_icalls == b->cap_icalls) {
		size_t ncap = b->cap_icalls ? b->cap_icalls * 2 : 256;
		struct ps_icall *n = realloc(s->icalls, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->icalls = n;
		b->cap_icalls = ncap;
	}
	ic = &s->icalls[s->n_icalls++];
	*ic = (struct ps_icall){ .func = f,
				 .import = imp,
				 .addr = b->code.insns[insn].addr,
				 .reg = PR_NONE,
				 .str = PS_NONE };
	pb_resolve(b, insn, PR_RDI, &res);
	if (res.unknown)
		return 0;
	if (res.has_addr && !res.n && res.arg_reg == PR_NONE) {
		const char *str = cf_elf_string_at(b->e, res.addr);
		if (str && strlen(str) < 256) {
			r = add_string(s, &c->strings_cap, str, &ic->str);
			if (r < 0)
				return r;
			ic->kind = PA_STRING;
		}
		return 0;
	}
	if (res.has_addr || (res.n && res.arg_reg != PR_NONE))
		return 0;
	if (res.arg_reg != PR_NONE) {
		ic->kind = PA_ARG;
		ic->reg = res.arg_reg;
		return 0;
	}
	ic->kind = PA_CONST;
	ic->n = res.n;
	memcpy(ic->vals, res.vals, sizeof(ic->vals));
	return 0;
}

static bool in_plt(const struct cf_elf *e, uint64_t a)
{
	const struct cf_elf_range *rg = cf_elf_range_at(e, a);
	return rg && strncmp(rg->name, ".plt", 4) == 0;
}

static size_t first_jump_to(const struct pbuild *b, uint64_t target)
{
	return plower_u64(b->jumps, b->n_jumps, sizeof(*b->jumps), target);
}

static int add_isite(struct pbuild *b, size_t insn)
{
	if (b->n_isites == b->cap_isites) {
		size_t ncap = b->cap_isites ? b->cap_isites * 2 : 64;
		uint32_t *n = realloc(b->isites, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		b->isites = n;
		b->cap_isites = ncap;
	}
	b->isites[b->n_isites++] = (uint32_t)insn;
	return 0;
}

/* The code takes the address of function g (at its start) as a value at `at`. */
static void take(struct pbuild *b, uint32_t g, uint64_t addr, uint64_t at)
{
	if (b->s->funcs[g].addr == addr && !b->taken[g])
		b->taken[g] = at;
}

/* `mov %reg,mem` or `mov $imm,mem` (89 /r, c7 /0, an optional REX): the instruction overwrites
 * the slot rather than reading the pointer in it (cap_set_syscall storing the program's). */
static bool stores_to_memory(const struct pbuild *b, const struct pinsn *in)
{
	const uint8_t *p = cf_elf_at(b->e, in->addr, 2);
	size_t k = p && (p[0] & 0xf0) == 0x40 ? 1 : 0;

	return p && (p[k] == 0x89 || p[k] == 0xc7) && in->def == PD_NONE;
}

/* `call/jmp *%reg` (optional notrack 3e and REX prefixes, ff /2 or /4 with mod 11): the
 * register, or PR_NONE for a memory operand. */
static uint8_t ind_reg(const struct pbuild *b, const struct pinsn *in)
{
	const uint8_t *p = cf_elf_at(b->e, in->addr, in->len);
	size_t k = 0;
	uint8_t rex = 0;

	if (!p)
		return PR_NONE;
	if (k < in->len && p[k] == 0x3e)
		k++;
	if (k < in->len && (p[k] & 0xf0) == 0x40)
		rex = p[k++];
	if (k + 2 != in->len || p[k] != 0xff || (p[k + 1] & 0xc0) != 0xc0)
		return PR_NONE;
	return (uint8_t)((p[k + 1] & 7) | (rex & 1 ? 8 : 0));
}

/* A 64-bit `op r/m64, r64` or `op r64, r/m64` with both operands registers, mod 11, writing
 * `reg`: opcode byte returned, 0 when the instruction is not that. */
static uint8_t rr_op(const struct pbuild *b, const struct pinsn *in, uint8_t reg)
{
	const uint8_t *p = cf_elf_at(b->e, in->addr, in->len);

	if (!p || in->len != 3 || (p[0] & 0xf8) != 0x48 || (p[2] & 0xc0) != 0xc0 || in->dst != reg)
		return 0;
	return p[1];
}

/*
 * An indirect call or jump whose target provably is not a function of this file reached by its
 * address (fnptr.c): walking back over straight-line code (no jump lands in between), the target
 * register is last written by
 * - `mov SLOT(%rip),%reg` where SLOT is bound to an imported symbol (a call through the GOT, as
 *   _init's __gmon_start__ and crtstuff's _ITM_* hooks), or
 * - `add %base,%reg` right after `movslq (...),%reg`, then `jmp *%reg`: gcc's and clang's
 *   position-independent switch (a 32-bit offset from a table in .rodata added to the table's
 *   address), whose targets are blocks of the jumping function itself.
 */
static bool not_local_pointer(struct ctx *c, size_t i)
{
	const struct pbuild *b = &c->b;
	const struct pinsn *in = &b->code.insns[i];
	uint8_t reg = ind_reg(b, in);
	uint32_t imp;

	if (reg == PR_NONE || reg == PR_RSP)
		return false;
	for (size_t k = i; k-- > 0 && i - k <= 8;) {
		const struct pinsn *p = &b->code.insns[k];
		size_t j = first_jump_to(b, b->code.insns[k + 1].addr);

		if (!pinsn_falls_through(p) || p->kind == PK_CALL || p->kind == PK_CALL_MEM ||
		    p->kind == PK_CALL_IND || p->kind == PK_BAD ||
		    p->addr + p->len != b->code.insns[k + 1].addr ||
		    (j < b->n_jumps && b->jumps[j].target == b->code.insns[k + 1].addr))
			return false;
		if (!(p->wmask & (1u << reg)))
			continue;
		if (p->dst != reg)
			return false;
		if ((p->flags & PF_RIPREF) && p->def == PD_OTHER) {
			const uint8_t *x = cf_elf_at(b->e, p->addr, 3);
			/* 48/4c 8b /r, mod 00 r/m 101: mov disp32(%rip),%reg */
			return x && p->len == 7 && (x[0] & 0xfb) == 0x48 && x[1] == 0x8b &&
			       (x[2] & 0xc7) == 0x05 &&
			       slot_import(c, p->target, false, &imp) == 0 && imp != PS_NONE;
		}
		/* 01 /r or 03 /r: add; then the table load: 63 /r (movslq) */
		if (in->kind == PK_JMP_IND && k > 0 &&
		    (rr_op(b, p, reg) == 0x01 || rr_op(b, p, reg) == 0x03)) {
			const struct pinsn *q = &b->code.insns[k - 1];
			const uint8_t *x = cf_elf_at(b->e, q->addr, 2);
			size_t jq = first_jump_to(b, p->addr);
			return x && q->dst == reg && (x[0] & 0xf8) == 0x48 && x[1] == 0x63 &&
			       q->addr + q->len == p->addr &&
			       !(jq < b->n_jumps && b->jumps[jq].target == p->addr);
		}
		return false;
	}
	return false;
}

/* A PLT stub: the function's first instruction (after endbr64) jumps through an import slot. */
static uint32_t plt_import(struct ctx *c, uint32_t f)
{
	const struct pbuild *b = &c->b;
	uint32_t imp;

	for (size_t i = b->first[f]; i < b->first[f + 1] && i < b->first[f] + 2; i++) {
		const struct pinsn *in = &b->code.insns[i];
		if (in->kind == PK_JMP_MEM)
			return slot_import(c, in->target, true, &imp) == 0 ? imp : PS_NONE;
		if (in->kind != PK_OTHER || in->wmask)
			break;
	}
	return PS_NONE;
}

static int walk(struct ctx *c)
{
	struct pbuild *b = &c->b;
	const struct cf_elf *e = b->e;
	struct psummary *s = b->s;
	uint32_t *stub = malloc(b->n_starts * sizeof(*stub));
	int r = 0;

	if (!stub)
		return -ENOMEM;
	for (uint32_t f = 0; f < b->n_starts && r == 0; f++)
		stub[f] = plt_import(c, f);
	for (uint32_t f = 0; f < b->n_starts && r == 0; f++) {
		uint64_t lo = b->starts[f],
			 hi = f + 1 < b->n_starts ? b->starts[f + 1] : UINT64_MAX;
		for (size_t i = b->first[f]; i < b->first[f + 1] && r == 0; i++) {
			const struct pinsn *in = &b->code.insns[i];
			uint32_t imp = PS_NONE, g;
			uint64_t t = in->target;

			switch (in->kind) {
			case PK_CALL:
			case PK_JMP:
			case PK_JCC:
				if ((t >= lo && t < hi) || !in_exec(e, t))
					break;
				g = psummary_func_at(s, t);
				if (g == PS_NONE)
					break;
				if (stub[g] != PS_NONE && in->kind != PK_JCC &&
				    s->funcs[g].addr == t) {
					/* through a PLT stub: the call site is the import's */
					r = pb_push(&b->edges, f, stub[g] | PE_IMPORT);
					if (r == 0)
						r = add_icall(c, f, stub[g], i);
					break;
				}
				r = pb_push(&b->edges, f, g);
				if (r == 0 && in->kind != PK_JCC && s->funcs[g].addr == t)
					r = add_site(b, g, f, i);
				break;
			case PK_CALL_MEM:
			case PK_JMP_MEM:
				r = slot_import(c, t, true, &imp);
				if (r == 0 && imp != PS_NONE) {
					r = pb_push(&b->edges, f, imp | PE_IMPORT);
					if (r == 0)
						r = add_icall(c, f, imp, i);
					break;
				}
				/* a slot of our own (possibly writable): a pointer call; but the PLT
				 * only jumps through the GOT, whose slots without a relocation
				 * (PLT0's GOT[2]) the loader fills with its own resolver */
				if (r == 0 && !in_plt(e, in->addr))
					r = add_isite(b, i);
				if (r == 0 && in_exec(e, slot_local(c, t))) {
					g = psummary_func_at(s, slot_local(c, t));
					if (g != PS_NONE)
						r = pb_push(&b->edges, f, g);
				}
				break;
			case PK_CALL_IND:
			case PK_JMP_IND:
				if (!not_local_pointer(c, i))
					r = add_isite(b, i);
				break;
			default:
				if (in->def == PD_ADDR ||
				    ((in->flags & PF_IMM) && e->type == ET_EXEC)) {
					if (in_exec(e, t) &&
					    (g = psummary_func_at(s, t)) != PS_NONE) {
						r = pb_push(&b->edges, f, g);
						take(b, g, t, in->addr);
					}
				} else if (in->flags & PF_RIPREF) {
					/* a function's address loaded from the GOT */
					r = slot_import(c, t, true, &imp);
					if (r == 0 && imp != PS_NONE)
						r = pb_push(&b->edges, f, imp | PE_IMPORT);
					else if (r == 0 && !in_exec(e, t) && rel_at(c, t) &&
						 in_exec(e, slot_local(c, t)) &&
						 (g = psummary_func_at(s, slot_local(c, t))) !=
							 PS_NONE) {
						r = pb_push(&b->edges, f, g);
						if (!stores_to_memory(b, in))
							take(b, g, slot_local(c, t), in->addr);
					}
				}
				break;
			}
			if (in->kind == PK_JCC && !(t >= lo && t < hi) && in_exec(e, t) &&
			    (g = psummary_func_at(s, t)) != PS_NONE && s->funcs[g].addr == t &&
			    !b->jcc_in[g])
				b->jcc_in[g] = in->addr;
		}
	}
	free(stub);
	return r;
}

/* Functions that never return: no ret, no indirect or tail jump out of the region, and not
 * empty. A call to one does not fall through: what follows is padding or another block, and the
 * data flow must not walk back through the call (gcc puts the next block's alignment there). */
static int find_noreturn(struct pbuild *b)
{
	b->noret = calloc(b->n_starts + 1, 1);
	if (!b->noret)
		return -ENOMEM;
	for (size_t f = 0; f < b->n_starts; f++) {
		uint64_t lo = b->starts[f],
			 hi = f + 1 < b->n_starts ? b->starts[f + 1] : UINT64_MAX;
		bool ret = b->first[f] == b->first[f + 1];
		for (size_t i = b->first[f]; i < b->first[f + 1] && !ret; i++) {
			const struct pinsn *in = &b->code.insns[i];
			ret = in->kind == PK_RET || in->kind == PK_JMP_IND ||
			      in->kind == PK_JMP_MEM || in->kind == PK_BAD ||
			      ((in->kind == PK_JMP || in->kind == PK_JCC) &&
			       (in->target < lo || in->target >= hi));
		}
		b->noret[f] = !ret;
	}
	return 0;
}

/* Flatten (func, val) pairs into each function's slice. */
static int flatten(struct pb_vec *v, struct psummary *s, bool edges)
{
	uint32_t *out;
	size_t n = 0;

	sort(v->v, v->n, sizeof(*v->v), pair_cmp);
	out = malloc((v->n ? v->n : 1) * sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (size_t i = 0, f = 0; f < s->n_funcs; f++) {
		uint32_t first = (uint32_t)n;
		for (; i < v->n && v->v[i].func == f; i++)
			if (n == first || out[n - 1] != v->v[i].val)
				out[n++] = v->v[i].val;
		if (edges) {
			s->funcs[f].edges = first;
			s->funcs[f].n_edges = (uint32_t)n - first;
		} else {
			s->funcs[f].sys = first;
			s->funcs[f].n_sys = (uint32_t)n - first;
		}
	}
	if (edges) {
		s->edges = out;
		s->n_edges = n;
	} else {
		s->sys = out;
		s->n_sys = n;
	}
	return 0;
}

static int export_cmp(const void *x, const void *y, void *arg)
{
	const struct ps_export *a = x, *b = y;
	const struct psummary *s = arg;
	return strcmp(s->strings + a->name, s->strings + b->name);
}

static int finish(struct ctx *c)
{
	struct pbuild *b = &c->b;
	const struct cf_elf *e = b->e;
	struct psummary *s = b->s;
	int r;

	/* names: dynsym first (the exported name), then .symtab when present */
	for (size_t i = 0; i < e->n_syms; i++) {
		const struct cf_elf_sym *y = &e->syms[i];
		uint32_t f;
		if (!y->defined || !*y->name || (y->type != STT_FUNC && y->type != STT_GNU_IFUNC) ||
		    (f = psummary_func_at(s, y->value)) == PS_NONE || s->funcs[f].addr != y->value)
			continue;
		if (s->funcs[f].name == PS_NONE) {
			r = add_string(s, &c->strings_cap, y->name, &s->funcs[f].name);
			if (r < 0)
				return r;
		}
		if (y->dynamic && y->bind != STB_LOCAL) {
			if (s->n_exports % 256 == 0) {
				struct ps_export *n =
					realloc(s->exports, (s->n_exports + 256) * sizeof(*n));
				if (!n)
					return -ENOMEM;
				s->exports = n;
			}
			r = add_string(s, &c->strings_cap, y->name, &s->exports[s->n_exports].name);
			if (r < 0)
				return r;
			s->exports[s->n_exports++].func = f;
		}
	}
	if (s->n_exports > 1)
		qsort_r(s->exports, s->n_exports, sizeof(*s->exports), export_cmp, s);
	s->roots = malloc((c->n_root_addrs ? c->n_root_addrs : 1) * sizeof(*s->roots));
	if (!s->roots)
		return -ENOMEM;
	sort(c->root_addrs, c->n_root_addrs, sizeof(*c->root_addrs), u64_cmp);
	for (size_t i = 0; i < c->n_root_addrs; i++) {
		uint32_t f = psummary_func_at(s, c->root_addrs[i]);
		if (f != PS_NONE && (!s->n_roots || s->roots[s->n_roots - 1] != f))
			s->roots[s->n_roots++] = f;
	}
	r = flatten(&b->edges, s, true);
	if (r == 0)
		r = flatten(&b->sys, s, false);
	return r;
}

int psummary_build(const struct cf_elf *e, struct psummary *ret)
{
	struct ctx c = { .b = { .e = e, .s = ret } };
	struct pbuild *b = &c.b;
	int r;

	*ret = (struct psummary){ 0 };
	r = pcode_decode(e, &b->code);
	if (r < 0)
		return r;
	ret->n_insns = b->code.n;
	r = -ENOMEM;
	c.rels = malloc((e->n_rels ? e->n_rels : 1) * sizeof(*c.rels));
	c.import_of_sym = malloc((e->n_dynsym ? e->n_dynsym : 1) * sizeof(*c.import_of_sym));
	if (!c.rels || !c.import_of_sym)
		goto out;
	for (size_t i = 0; i < e->n_rels; i++)
		c.rels[i] = &e->rels[i];
	sort(c.rels, e->n_rels, sizeof(*c.rels), rel_cmp);
	for (size_t i = 0; i < e->n_dynsym; i++)
		c.import_of_sym[i] = PS_NONE;
	r = collect_starts(&c);
	if (r < 0)
		goto out;
	r = -ENOMEM;
	b->starts = c.starts;
	b->n_starts = c.n_starts;
	b->first = malloc((b->n_starts + 1) * sizeof(*b->first));
	ret->funcs = calloc(b->n_starts ? b->n_starts : 1, sizeof(*ret->funcs));
	if (!b->first || !ret->funcs)
		goto out;
	ret->n_funcs = b->n_starts;
	for (size_t i = 0; i < b->n_starts; i++) {
		b->first[i] = pcode_lower(&b->code, b->starts[i]);
		ret->funcs[i] = (struct ps_func){ .addr = b->starts[i],
						  .name = PS_NONE,
						  .wrapper_reg = PR_NONE };
	}
	b->first[b->n_starts] = b->code.n;
	/* direct jumps by target, for the data flow's predecessors */
	for (size_t i = 0; i < b->code.n; i++)
		if (b->code.insns[i].kind == PK_JMP || b->code.insns[i].kind == PK_JCC)
			b->n_jumps++;
	b->jumps = malloc((b->n_jumps ? b->n_jumps : 1) * sizeof(*b->jumps));
	if (!b->jumps)
		goto out;
	b->n_jumps = 0;
	for (size_t i = 0; i < b->code.n; i++)
		if (b->code.insns[i].kind == PK_JMP || b->code.insns[i].kind == PK_JCC)
			b->jumps[b->n_jumps++] =
				(struct pb_jump){ b->code.insns[i].target, (uint32_t)i };
	sort(b->jumps, b->n_jumps, sizeof(*b->jumps), jump_cmp);
	if (!b->n_starts) {
		/* code outside every function start (a forged file): nothing to walk */
		r = finish(&c);
		goto out;
	}
	b->taken = calloc(b->n_starts + 1, sizeof(*b->taken));
	b->jcc_in = calloc(b->n_starts + 1, sizeof(*b->jcc_in));
	r = -ENOMEM;
	if (!b->taken || !b->jcc_in)
		goto out;
	r = walk(&c);
	if (r == 0)
		r = find_noreturn(b);
	if (r == 0)
		r = pb_syscalls(b);
	if (r == 0)
		r = finish(&c);
	if (r == 0)
		r = pb_fnptr(b);
out:
	pcode_clear(&b->code);
	free(c.rels);
	free(c.import_of_sym);
	free(c.starts);
	free(c.root_addrs);
	free(b->first);
	free(b->noret);
	free(b->jumps);
	free(b->sites);
	free(b->isites);
	free(b->taken);
	free(b->jcc_in);
	free(b->edges.v);
	free(b->sys.v);
	if (r < 0)
		psummary_clear(ret);
	return r;
}
