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
	int def; /* RET default */
	struct {
		uint32_t k;
		int id;
		int32_t origin; /* the node's origin as last set here (-1 once shared) */
	} rets[16]; /* RET nodes handed out, to skip the hash table on the hot path */
	size_t n_rets;
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
			return cg_ld(&c->g, off, cg_jmp(&c->g, BPF_JSET, mask, f, t, origin),
				     origin);
		if (datum == mask && (mask & (mask - 1)) == 0)
			return cg_ld(&c->g, off, cg_jmp(&c->g, BPF_JSET, mask, t, f, origin),
				     origin);
	}
	j = -EINVAL;
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
	uint32_t lo_off = CF_OFF_ARG(cd->arg) + (be ? 4 : 0),
		 hi_off = CF_OFF_ARG(cd->arg) + (be ? 0 : 4);
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

static int range_tree(struct comp *c, const uint32_t *start, const int *code, size_t i, size_t j,
		      int32_t origin);
static int ret_node(struct comp *c, uint32_t k, int32_t origin);
static int cmp_u32(const void *x, const void *y);

/*
 * Rules that share an action and test one argument each, all the same one, accept a union of
 * intervals of that argument (Docker's socket and personality rules). That union is decided by
 * a range tree over the upper word, and for the few upper values where it is partial, a range
 * tree over the lower word: a binary search instead of one comparison chain per rule.
 */
struct ival {
	uint64_t a, b; /* inclusive */
};

static int cmp_ival(const void *x, const void *y)
{
	const struct ival *p = x, *q = y;

	return p->a < q->a ? -1 : p->a > q->a;
}

static size_t cond_ivals(const struct ir_cond *cd, uint64_t max, struct ival out[2])
{
	uint64_t v = cd->datum & max;

	switch (cd->op) {
	case CF_OP_EQ:
		out[0] = (struct ival){ v, v };
		return 1;
	case CF_OP_NE: {
		size_t n = 0;

		if (v > 0)
			out[n++] = (struct ival){ 0, v - 1 };
		if (v < max)
			out[n++] = (struct ival){ v + 1, max };
		return n;
	}
	case CF_OP_LT:
		if (v == 0)
			return 0;
		out[0] = (struct ival){ 0, v - 1 };
		return 1;
	case CF_OP_LE:
		out[0] = (struct ival){ 0, v };
		return 1;
	case CF_OP_GT:
		if (v == max)
			return 0;
		out[0] = (struct ival){ v + 1, max };
		return 1;
	case CF_OP_GE:
		out[0] = (struct ival){ v, max };
		return 1;
	case CF_OP_MASKED_EQ:
	case CF_OP_COUNT:
	case CF_OP_INVALID:
		break;
	}
	return 0;
}

/* Code for "the 32-bit word at off lies in one of ivals (within [base, base + 0xffffffff])". */
static int word_tree(struct comp *c, uint32_t off, const struct ival *iv, size_t n, uint64_t base,
		     int yes, int no, int32_t origin)
{
	cleanup_free uint32_t *start = NULL;
	cleanup_free int *code = NULL;
	uint64_t top = base + UINT32_MAX, pos = base;
	size_t m = 0;
	bool done = false;

	start = malloc((2 * n + 2) * sizeof(*start));
	code = malloc((2 * n + 2) * sizeof(*code));
	if (!start || !code)
		return -ENOMEM;
	for (size_t i = 0; i < n && !done; i++) {
		uint64_t a = iv[i].a < base ? base : iv[i].a, b = iv[i].b > top ? top : iv[i].b;

		/* sorted and disjoint: nothing after an interval beyond this upper word is in it
		 * either (continuing was quadratic with many upper words) */
		if (iv[i].a > top)
			break;
		if (iv[i].b < base)
			continue;
		if (a > pos) {
			start[m] = (uint32_t)(pos - base);
			code[m++] = no;
		}
		start[m] = (uint32_t)(a - base);
		code[m++] = yes;
		if (b == top)
			done = true;
		else
			pos = b + 1;
	}
	if (!done) {
		start[m] = (uint32_t)(pos - base);
		code[m++] = no;
	}
	if (m == 1)
		return code[0];
	return cg_ld(&c->g, off, range_tree(c, start, code, 0, m - 1, origin), origin);
}

/* -1: not of that shape */
static int code_intervals(struct comp *c, const struct ir_abi *abi, const struct ir_sys *s)
{
	uint64_t max = abi->arg_bits == 64 ? UINT64_MAX : UINT32_MAX;
	bool be = abi->info->big_endian;
	cleanup_free struct ival *iv = NULL;
	cleanup_free uint32_t *hstart = NULL;
	cleanup_free int *hcode = NULL;
	unsigned arg = s->contribs[0].n_conds ? s->contribs[0].conds[0].arg : 0;
	uint32_t lo_off = CF_OFF_ARG(arg) + (be ? 4 : 0), hi_off = CF_OFF_ARG(arg) + (be ? 0 : 4);
	int32_t origin = s->contribs[0].origin;
	int yes = ret_node(c, s->contribs[0].ret, origin), no = c->def;
	size_t n = 0, m = 0;

	for (size_t i = 0; i < s->n_contribs; i++) {
		const struct ir_contrib *k = &s->contribs[i];

		/* the code is attributed to the first of the rules (explain names them all) */
		if (k->n_conds != 1 || k->conds[0].arg != arg || k->conds[0].op == CF_OP_MASKED_EQ)
			return -1;
	}
	iv = malloc(2 * s->n_contribs * sizeof(*iv));
	if (!iv)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_contribs; i++)
		n += cond_ivals(&s->contribs[i].conds[0], max, iv + n);
	qsort(iv, n, sizeof(*iv), cmp_ival);
	/* merge overlapping and touching intervals */
	for (size_t i = 0; i < n; i++) {
		if (m > 0 && (iv[m - 1].b == UINT64_MAX || iv[i].a <= iv[m - 1].b + 1)) {
			if (iv[i].b > iv[m - 1].b)
				iv[m - 1].b = iv[i].b;
			continue;
		}
		iv[m++] = iv[i];
	}
	if (abi->arg_bits == 32)
		return word_tree(c, lo_off, iv, m, 0, yes, no, origin);

	/* upper words where the decision may change: each interval's ends and their successors */
	hstart = malloc((4 * m + 1) * sizeof(*hstart));
	hcode = malloc((4 * m + 1) * sizeof(*hcode));
	if (!hstart || !hcode)
		return -ENOMEM;
	hstart[n = 0] = 0;
	n = 1;
	for (size_t i = 0; i < m; i++) {
		uint32_t ha = (uint32_t)(iv[i].a >> 32), hb = (uint32_t)(iv[i].b >> 32);

		hstart[n++] = ha;
		if (ha != UINT32_MAX)
			hstart[n++] = ha + 1;
		hstart[n++] = hb;
		if (hb != UINT32_MAX)
			hstart[n++] = hb + 1;
	}
	/* sorted once (inserting each in place was quadratic: thousands of equal upper words) */
	qsort(hstart, n, sizeof(*hstart), cmp_u32);
	{
		size_t w = 0, k = 0;

		for (size_t i = 0; i < n; i++) {
			int q;

			if (i > 0 && hstart[i] == hstart[i - 1])
				continue;
			/* every upper word from here to the next point decides like this one:
			 * always, never, or by a tree over the lower word */
			while (k < m && (iv[k].b >> 32) < hstart[i])
				k++;
			q = word_tree(c, lo_off, iv + k, m - k, (uint64_t)hstart[i] << 32, yes, no,
				      origin);
			if (q < 0)
				return q;
			if (w > 0 && hcode[w - 1] == q)
				continue;
			hstart[w] = hstart[i];
			hcode[w++] = q;
		}
		if (w == 1)
			return hcode[0];
		return cg_ld(&c->g, hi_off, range_tree(c, hstart, hcode, 0, w - 1, origin), origin);
	}
}

/* cg_ret() through a small cache: most ranges end in one of a handful of returns */
static int ret_node(struct comp *c, uint32_t k, int32_t origin)
{
	int id;

	for (size_t i = 0; i < c->n_rets; i++)
		if (c->rets[i].k == k) {
			id = c->rets[i].id;
			/* an origin only ever becomes -1 (shared by several rules), so once the
			 * cached one matches or is -1, the node needs no visit */
			if (c->rets[i].origin != origin && c->rets[i].origin != -1) {
				if (c->g.nodes[id].origin != origin)
					c->g.nodes[id].origin = -1;
				c->rets[i].origin = c->g.nodes[id].origin;
			}
			return id;
		}
	id = cg_ret(&c->g, k, origin);
	if (id >= 0 && c->n_rets < ARRAY_SIZE(c->rets)) {
		c->rets[c->n_rets].k = k;
		c->rets[c->n_rets].origin = c->g.nodes[id].origin;
		c->rets[c->n_rets++].id = id;
	}
	return id;
}

static int code_sys(struct comp *c, const struct ir_abi *abi, const struct ir_sys *s)
{
	bool same = true;

	if (!s->chains)
		return ret_node(c, s->action, s->origin);
	for (size_t i = 1; i < s->n_contribs; i++)
		same &= s->contribs[i].ret == s->contribs[0].ret;
	if (same) {
		int q = code_intervals(c, abi, s);

		return q != -1 ? q : code_dnf(c, abi, s);
	}
	return code_level(c, s->chains, c->def);
}

/* ------------------------------------------------------------------------------------------- */
/* Number-space dispatch */

/* Insert into a sorted array (the points arrive almost in order: this is cheap). */
static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* Balanced JGE tree over ranges [start[i], start[i+1]). */
static int range_tree(struct comp *c, const uint32_t *start, const int *code, size_t i, size_t j,
		      int32_t origin)
{
	size_t mid;

	if (i == j)
		return code[i];
	/* one number between two ranges that do the same: a JEQ decides it in one step */
	if (j - i == 2 && code[i] == code[j] && start[j] == start[i + 1] + 1)
		return cg_jmp(&c->g, BPF_JEQ, start[i + 1], code[i + 1], code[i], origin);
	mid = i + (j - i + 1) / 2;
	return cg_jmp(&c->g, BPF_JGE, start[mid], range_tree(c, start, code, mid, j, origin),
		      range_tree(c, start, code, i, mid - 1, origin), origin);
}

/* The number space cut into ranges of one decision each (start points, ascending). */
struct segs {
	uint32_t *start;
	int *code;
	size_t n, cap;
};

static int seg_add(struct segs *sg, uint32_t start, int code)
{
	if (code < 0)
		return code;
	if (sg->n > 0 && sg->code[sg->n - 1] == code)
		return 0; /* equal neighbours merge */
	if (sg->n == sg->cap) {
		size_t cap = sg->cap ? sg->cap * 2 : 256;
		uint32_t *st = realloc(sg->start, cap * sizeof(*st));
		int *co;

		if (!st)
			return -ENOMEM;
		sg->start = st;
		co = realloc(sg->code, cap * sizeof(*co));
		if (!co)
			return -ENOMEM;
		sg->code = co;
		sg->cap = cap;
	}
	sg->start[sg->n] = start;
	sg->code[sg->n++] = code;
	return 0;
}

/* Numbers a..b that no rule names: the default, or ENOSYS above the newest named syscall. */
static int seg_gap(struct comp *c, struct segs *sg, const struct ir_abi *abi, uint32_t a,
		   uint32_t b)
{
	int enosys, r;

	if (!abi->enosys)
		return seg_add(sg, a, c->def);
	enosys = ret_node(c, c->ir->enosys_ret, -1);
	/* runc's stub: on s390 syscall 0 (the multiplexer) gets ENOSYS as well */
	if (a == 0 && (abi->arch == CF_ARCH_S390 || abi->arch == CF_ARCH_S390X)) {
		r = seg_add(sg, 0, enosys);
		if (r < 0 || b == 0)
			return r;
		a = 1;
	}
	if (b <= abi->max_named)
		return seg_add(sg, a, c->def);
	if (a > abi->max_named)
		return seg_add(sg, a, enosys);
	r = seg_add(sg, a, c->def);
	return r < 0 ? r : seg_add(sg, abi->max_named + 1, enosys);
}

/* The ranges of lo..hi, handled by abi (NULL: another ABI's numbers, the bad-arch action). */
static int seg_region(struct comp *c, struct segs *sg, const struct ir_abi *abi, uint32_t lo,
		      uint32_t hi)
{
	uint32_t pos = lo;
	int r;

	if (!abi)
		return seg_add(sg, lo, ret_node(c, c->ir->bad_arch_ret, -1));
	for (size_t i = 0; i < abi->n_sys; i++) {
		const struct ir_sys *s = &abi->sys[i];

		if (s->nr < lo || s->nr > hi)
			continue;
		if (s->nr > pos) {
			r = seg_gap(c, sg, abi, pos, s->nr - 1);
			if (r < 0)
				return r;
		}
		r = seg_add(sg, s->nr, code_sys(c, abi, s));
		if (r < 0 || s->nr == hi)
			return r;
		pos = s->nr + 1;
	}
	return seg_gap(c, sg, abi, pos, hi);
}

static int code_group(struct comp *c, uint32_t audit)
{
	const struct ir_abi *native64 = NULL, *x32 = NULL, *other = NULL;
	struct segs sg = { 0 };
	int r;

	for (size_t k = 0; k < c->ir->n_abis; k++) {
		const struct ir_abi *abi = &c->ir->abis[k];

		if (abi->info->audit_arch != audit)
			continue;
		if (abi->arch == CF_ARCH_X86_64)
			native64 = abi;
		else if (abi->arch == CF_ARCH_X32)
			x32 = abi;
		else
			other = abi;
	}
	if (other)
		r = seg_region(c, &sg, other, 0, UINT32_MAX);
	else {
		/*
		 * x86_64 and x32 share AUDIT_ARCH_X86_64, split at 0x40000000 like libseccomp's
		 * JGE; without x32 its half gets the bad-arch action, except -1 (the tracer's
		 * "skip"), which libseccomp sends to the x86_64 section
		 */
		r = seg_region(c, &sg, native64, 0, CF_X32_SYSCALL_BIT - 1);
		if (r == 0 && x32)
			r = seg_region(c, &sg, x32, CF_X32_SYSCALL_BIT, UINT32_MAX);
		else if (r == 0) {
			r = seg_region(c, &sg, NULL, CF_X32_SYSCALL_BIT, UINT32_MAX - 1);
			if (r == 0)
				r = seg_region(c, &sg, native64, UINT32_MAX, UINT32_MAX);
		}
	}
	if (r == 0)
		r = cg_ld(&c->g, CF_OFF_NR, range_tree(c, sg.start, sg.code, 0, sg.n - 1, -1), -1);
	free(sg.start);
	free(sg.code);
	return r;
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
	diag_hint(reterr,
		  "instructions per rule: %s; simplify the argument conditions of these rules",
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
	c.def = ret_node(&c, c.ir->default_ret, -1);

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
