/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Decision IR -> code graph -> BPF.
 *
 * Layout: load arch; one JEQ per audit arch (native first), anything else gets the bad-arch
 * action (KILL thread, libseccomp's default). Per audit arch: load nr and a balanced JGE tree over
 * the *whole* 32-bit number space, cut into ranges whose decision is constant (syscall entries,
 * the default between them, runc's ENOSYS range above the newest named syscall, the other ABI's
 * half on x86_64 without x32 and vice versa). Neighbouring ranges with the same code are merged, so
 * a run of allowed syscalls is one range. The dispatch only loads nr/arch and uses JGE/JEQ and
 * RET K, so every unconditionally allowed syscall stays in the kernel's action cache.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "bpf/cg.h"
#include "bpf/filter.h"
#include "bpf/insn.h"
#include "bpf/ir.h"

struct memo_ent {
	int cont;
	int result;
};

struct memo {
	struct memo_ent *v;
	size_t n, cap;
};

struct comp {
	const struct cf_resolved *r;
	struct cf_ir *ir;
	struct cg g;
	int def;	  /* RET default */
	struct memo *lvl; /* per ir node id: (continuation -> code) */
	size_t n_lvl;
	int err;
};

/* ------------------------------------------------------------------------------------------- */
/* Word tests */

static int test_word(struct comp *c, uint32_t off, uint32_t mask, enum ir_cmp op, uint32_t datum,
		     int t, int f, int32_t origin)
{
	int j;

	if (t < 0)
		return t;
	if (f < 0)
		return f;
	if (t == f)
		return t;
	datum &= mask;
	/* constant outcomes need no code */
	if (mask == 0 || (op == IR_CMP_GE && datum == 0))
		return ir_cmp_word(op, 0, mask, datum) || op == IR_CMP_GE ? t : f;
	if (op == IR_CMP_GT && datum == mask)
		return f;
	if ((op == IR_CMP_EQ || op == IR_CMP_MASKED_EQ) && mask != UINT32_MAX) {
		/* (x & m) == 0 is !JSET m; a single-bit mask that must be set is JSET */
		if (datum == 0)
			return cg_ld(&c->g, off, cg_jmp(&c->g, BPF_JSET, mask, f, t, origin), origin);
		if (datum == mask && (mask & (mask - 1)) == 0)
			return cg_ld(&c->g, off, cg_jmp(&c->g, BPF_JSET, mask, t, f, origin), origin);
	}
	switch (op) {
	case IR_CMP_EQ:
	case IR_CMP_MASKED_EQ:
		j = cg_jmp(&c->g, BPF_JEQ, datum, t, f, origin);
		break;
	case IR_CMP_GT:
		j = cg_jmp(&c->g, BPF_JGT, datum, t, f, origin);
		break;
	case IR_CMP_GE:
		j = cg_jmp(&c->g, BPF_JGE, datum, t, f, origin);
		break;
	default:
		return -EINVAL;
	}
	if (mask != UINT32_MAX)
		j = cg_and(&c->g, mask, j, origin);
	return cg_ld(&c->g, off, j, origin);
}

/* One profile condition, exactly: 64-bit ABIs test the upper word first and exit early. */
static int test_cond(struct comp *c, const struct ir_abi *abi, const struct ir_cond *cd, int t,
		     int f, int32_t origin)
{
	bool be = abi->info->big_endian;
	uint32_t lo_off = CF_OFF_ARG(cd->arg) + (be ? 4 : 0), hi_off = CF_OFF_ARG(cd->arg) + (be ? 0 : 4);
	uint32_t L = (uint32_t)cd->datum, H = (uint32_t)(cd->datum >> 32);
	uint32_t ml = (uint32_t)cd->mask, mh = (uint32_t)(cd->mask >> 32);
	int lo, mid;

	if (abi->arg_bits == 32) {
		switch (cd->op) {
		case CF_OP_EQ:
			return test_word(c, lo_off, UINT32_MAX, IR_CMP_EQ, L, t, f, origin);
		case CF_OP_NE:
			return test_word(c, lo_off, UINT32_MAX, IR_CMP_EQ, L, f, t, origin);
		case CF_OP_GT:
			return test_word(c, lo_off, UINT32_MAX, IR_CMP_GT, L, t, f, origin);
		case CF_OP_GE:
			return test_word(c, lo_off, UINT32_MAX, IR_CMP_GE, L, t, f, origin);
		case CF_OP_LT:
			return test_word(c, lo_off, UINT32_MAX, IR_CMP_GE, L, f, t, origin);
		case CF_OP_LE:
			return test_word(c, lo_off, UINT32_MAX, IR_CMP_GT, L, f, t, origin);
		case CF_OP_MASKED_EQ:
			return test_word(c, lo_off, ml, IR_CMP_MASKED_EQ, L & ml, t, f, origin);
		case CF_OP_COUNT:
		case CF_OP_INVALID:
			break;
		}
		return -EINVAL;
	}

	switch (cd->op) {
	case CF_OP_EQ:
		lo = test_word(c, lo_off, UINT32_MAX, IR_CMP_EQ, L, t, f, origin);
		return test_word(c, hi_off, UINT32_MAX, IR_CMP_EQ, H, lo, f, origin);
	case CF_OP_NE:
		lo = test_word(c, lo_off, UINT32_MAX, IR_CMP_EQ, L, f, t, origin);
		return test_word(c, hi_off, UINT32_MAX, IR_CMP_EQ, H, lo, t, origin);
	case CF_OP_MASKED_EQ:
		lo = test_word(c, lo_off, ml, IR_CMP_MASKED_EQ, L & ml, t, f, origin);
		return test_word(c, hi_off, mh, IR_CMP_MASKED_EQ, H & mh, lo, f, origin);
	case CF_OP_GT:
	case CF_OP_GE:
	case CF_OP_LT:
	case CF_OP_LE: {
		bool less = cd->op == CF_OP_LT || cd->op == CF_OP_LE;
		/* a > V: hi > H, or hi == H and lo > L (>= for GE); a < V is !(a >= V) */
		enum ir_cmp lop = cd->op == CF_OP_GT || cd->op == CF_OP_LE ? IR_CMP_GT : IR_CMP_GE;
		int yes = less ? f : t, no = less ? t : f;

		lo = test_word(c, lo_off, UINT32_MAX, lop, L, yes, no, origin);
		/* when H == 0, "not hi > 0" already means hi == 0 */
		mid = H == 0 ? lo : test_word(c, hi_off, UINT32_MAX, IR_CMP_EQ, H, lo, no, origin);
		return test_word(c, hi_off, UINT32_MAX, IR_CMP_GT, H, yes, mid, origin);
	}
	case CF_OP_COUNT:
	case CF_OP_INVALID:
		break;
	}
	return -EINVAL;
}

/* ------------------------------------------------------------------------------------------- */
/* Syscalls with argument conditions */

/* All rules share one action: the OR of their conjunctions, in rule order. */
static int code_dnf(struct comp *c, const struct ir_abi *abi, const struct ir_sys *s)
{
	int next = c->def;

	for (size_t i = s->n_contribs; i-- > 0;) {
		const struct ir_contrib *k = &s->contribs[i];
		int succ = cg_ret(&c->g, k->ret, k->origin);

		for (size_t j = k->n_conds; j-- > 0;)
			succ = test_cond(c, abi, &k->conds[j], succ, next, k->origin);
		next = succ;
		if (next < 0)
			return next;
	}
	return next;
}

static int memo_get(struct comp *c, unsigned id, int cont)
{
	const struct memo *m = &c->lvl[id];

	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].cont == cont)
			return m->v[i].result;
	return -1;
}

static int memo_put(struct comp *c, unsigned id, int cont, int result)
{
	struct memo *m = &c->lvl[id];

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 2;
		struct memo_ent *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = (struct memo_ent){ .cont = cont, .result = result };
	return result;
}

/*
 * libseccomp's merged tree, read the way gen_bpf reads it: the nodes of a level are tried in
 * order; a branch with neither a next level nor an action falls to the next node; falling off a
 * sub-level continues after the node that led into it.
 */
static int code_level(struct comp *c, const struct ir_node *n, int cont)
{
	const struct ir_node *last;
	int rest = cont, q;

	while (n->lvl_prv)
		n = n->lvl_prv;
	q = memo_get(c, n->id, cont);
	if (q >= 0)
		return q;
	for (last = n; last->lvl_nxt; last = last->lvl_nxt)
		;
	for (const struct ir_node *x = last; x; x = x->lvl_prv) {
		int t, f;

		if (x->nxt_t)
			t = code_level(c, x->nxt_t, rest);
		else if (x->act_t_flg)
			t = cg_ret(&c->g, x->act_t, x->org_t);
		else
			t = rest;
		if (x->nxt_f)
			f = code_level(c, x->nxt_f, rest);
		else if (x->act_f_flg)
			f = cg_ret(&c->g, x->act_f, x->org_f);
		else
			f = rest;
		rest = test_word(c, x->off, x->mask, x->op, x->datum, t, f, x->origin);
		if (rest < 0)
			return rest;
		if (x == n)
			break;
	}
	return memo_put(c, n->id, cont, rest);
}

static int code_sys(struct comp *c, const struct ir_abi *abi, const struct ir_sys *s)
{
	bool same = true;

	if (!s->chains)
		return cg_ret(&c->g, s->action, s->origin);
	for (size_t i = 1; i < s->n_contribs; i++)
		same &= s->contribs[i].ret == s->contribs[0].ret;
	if (same)
		return code_dnf(c, abi, s);
	return code_level(c, s->chains, c->def);
}

/* ------------------------------------------------------------------------------------------- */
/* Number-space dispatch */

static int classify(struct comp *c, uint32_t audit, uint32_t nr)
{
	const struct cf_ir *ir = c->ir;
	const struct ir_abi *abi = ir_abi_for(ir, audit, nr);
	const struct ir_sys *s;

	if (!abi)
		return cg_ret(&c->g, ir->bad_arch_ret, -1);
	s = ir_find_sys(abi, nr);
	if (s)
		return code_sys(c, abi, s);
	if (abi->enosys && (nr > abi->max_named ||
			    (nr == 0 && (abi->arch == CF_ARCH_S390 || abi->arch == CF_ARCH_S390X))))
		return cg_ret(&c->g, ir->enosys_ret, -1);
	return c->def;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Balanced JGE tree over ranges [start[i], start[i+1]). */
static int range_tree(struct comp *c, const uint32_t *start, const int *code, size_t i, size_t j)
{
	size_t mid;

	if (i == j)
		return code[i];
	mid = i + (j - i + 1) / 2;
	return cg_jmp(&c->g, BPF_JGE, start[mid], range_tree(c, start, code, mid, j),
		      range_tree(c, start, code, i, mid - 1), -1);
}

static int code_group(struct comp *c, uint32_t audit)
{
	cleanup_free uint32_t *pts = NULL;
	cleanup_free int *code = NULL;
	size_t n = 0, cap = 8, m = 0;

	for (size_t k = 0; k < c->ir->n_abis; k++)
		if (c->ir->abis[k].info->audit_arch == audit)
			cap += 2 * c->ir->abis[k].n_sys + 2;
	pts = malloc(cap * sizeof(*pts));
	if (!pts)
		return -ENOMEM;
	pts[n++] = 0;
	pts[n++] = 1;
	pts[n++] = CF_X32_SYSCALL_BIT;
	pts[n++] = UINT32_MAX;
	for (size_t k = 0; k < c->ir->n_abis; k++) {
		const struct ir_abi *abi = &c->ir->abis[k];

		if (abi->info->audit_arch != audit)
			continue;
		for (size_t s = 0; s < abi->n_sys; s++) {
			pts[n++] = abi->sys[s].nr;
			if (abi->sys[s].nr != UINT32_MAX)
				pts[n++] = abi->sys[s].nr + 1;
		}
		if (abi->enosys && abi->max_named != UINT32_MAX)
			pts[n++] = abi->max_named + 1;
	}
	qsort(pts, n, sizeof(*pts), cmp_u32);
	code = malloc(n * sizeof(*code));
	if (!code)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int q;

		if (i > 0 && pts[i] == pts[i - 1])
			continue;
		q = classify(c, audit, pts[i]);
		if (q < 0)
			return q;
		if (m > 0 && code[m - 1] == q)
			continue;
		pts[m] = pts[i];
		code[m++] = q;
	}
	return cg_ld(&c->g, CF_OFF_NR, range_tree(c, pts, code, 0, m - 1), -1);
}

/* ------------------------------------------------------------------------------------------- */

static int too_big(const struct comp *c, const int32_t *origin, size_t len, struct cf_diag *reterr)
{
	const struct cf_resolved *r = c->r;
	const char *src = r->profile && r->profile->source ? r->profile->source : "<profile>";
	cleanup_free size_t *count = NULL;
	char list[400] = "";
	size_t n_rules = r->n_rules, used = 0;
	int best_line = 0;

	count = calloc(n_rules + 1, sizeof(*count));
	if (!count)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++)
		if (origin[i] >= 0 && (size_t)origin[i] < n_rules)
			count[origin[i]]++;
	for (int pick = 0; pick < 5; pick++) {
		size_t best = n_rules;

		for (size_t i = 0; i < n_rules; i++)
			if (count[i] && (best == n_rules || count[i] > count[best]))
				best = i;
		if (best == n_rules)
			break;
		if (pick == 0 && r->rules[best].rule)
			best_line = (int)r->rules[best].rule->pos.line;
		used += (size_t)snprintf(list + used, sizeof(list) - CF_MIN(used, sizeof(list)),
					 "%s#%zu (%zu)", pick ? ", " : "", best, count[best]);
		if (used >= sizeof(list))
			break;
		count[best] = 0;
	}
	diag_set(reterr, E2BIG, src, (unsigned)best_line, 0, NULL,
		 "the filter needs %zu BPF instructions, the kernel accepts at most %u", len,
		 CF_BPF_MAXINSNS);
	diag_hint(reterr, "instructions per rule: %s; simplify the argument conditions of these rules",
		  list[0] ? list : "(dispatch only)");
	return -E2BIG;
}

int cf_filter_compile(const struct cf_resolved *r, struct cf_bpf_prog **ret, struct cf_diag *reterr)
{
	struct comp c = { .r = r };
	cleanup_free struct sock_filter *insns = NULL;
	cleanup_free int32_t *origin = NULL;
	struct cf_bpf_prog *p;
	uint32_t audits[CF_ARCH_COUNT];
	size_t n_audits = 0, len = 0;
	int next, q;

	if (!r || !ret)
		return -EINVAL;
	q = ir_build(r, &c.ir, reterr);
	if (q < 0)
		return q;
	cg_init(&c.g);
	c.n_lvl = c.ir->n_nodes;
	c.lvl = calloc(c.n_lvl + 1, sizeof(*c.lvl));
	if (!c.lvl) {
		q = -ENOMEM;
		goto out;
	}
	c.def = cg_ret(&c.g, c.ir->default_ret, -1);

	for (size_t k = 0; k < c.ir->n_abis; k++) {
		uint32_t a = c.ir->abis[k].info->audit_arch;
		bool seen = false;

		for (size_t i = 0; i < n_audits; i++)
			seen |= audits[i] == a;
		if (!seen)
			audits[n_audits++] = a;
	}
	next = cg_ret(&c.g, c.ir->bad_arch_ret, -1);
	for (size_t i = n_audits; i-- > 0;)
		next = cg_jmp(&c.g, BPF_JEQ, audits[i], code_group(&c, audits[i]), next, -1);
	next = cg_ld(&c.g, CF_OFF_ARCH, next, -1);
	if (next < 0) {
		q = next;
		goto out;
	}
	q = cg_assemble(&c.g, next, &insns, &origin, &len);
	if (q == -E2BIG) {
		q = too_big(&c, origin, len, reterr);
		goto out;
	}
	if (q < 0)
		goto out;
	q = cf_bpf_verify(insns, len, reterr);
	if (q < 0)
		goto out;
	p = calloc(1, sizeof(*p));
	if (!p) {
		q = -ENOMEM;
		goto out;
	}
	p->insns = TAKE_PTR(insns);
	p->origin = TAKE_PTR(origin);
	p->len = len;
	p->seccomp_flags = c.ir->seccomp_flags;
	p->needs_listener = c.ir->needs_listener;
	*ret = p;
	q = 0;
out:
	if (c.lvl)
		for (size_t i = 0; i <= c.n_lvl; i++)
			free(c.lvl[i].v);
	free(c.lvl);
	cg_done(&c.g);
	ir_free(c.ir);
	return q;
}

struct cf_bpf_prog *cf_bpf_prog_free(struct cf_bpf_prog *p)
{
	if (!p)
		return NULL;
	free(p->insns);
	free(p->origin);
	free(p);
	return NULL;
}
