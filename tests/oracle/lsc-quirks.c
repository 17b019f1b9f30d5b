/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "lsc-quirks.h"

#include <errno.h>
#include <stdlib.h>

#include <linux/audit.h>

#include "bpf/ir.h"

struct lsc_quirks {
	struct cf_ir *ir; /* libseccomp 2.5.4's merge */
	struct cf_ir *fixed; /* 2.6.1's merge: what callfence uses */
};

int lsc_quirks_new(const struct cf_resolved *r, struct lsc_quirks **ret)
{
	struct lsc_quirks *q = calloc(1, sizeof(*q));
	int e;

	if (!q)
		return -ENOMEM;
	e = ir_build_compat(r, true, &q->ir, NULL);
	if (e == 0) {
		e = ir_build(r, &q->fixed, NULL);
		if (e < 0)
			ir_free(q->ir);
	}
	if (e < 0) {
		free(q);
		return e;
	}
	*ret = q;
	return 0;
}

void lsc_quirks_free(struct lsc_quirks *q)
{
	if (!q)
		return;
	ir_free(q->ir);
	ir_free(q->fixed);
	free(q);
}

static bool tree_ret(const struct cf_ir *ir, const struct seccomp_data *d, uint32_t *ret)
{
	const struct ir_abi *abi = ir_abi_for(ir, d->arch, (uint32_t)d->nr);
	const struct ir_sys *s = abi ? ir_find_sys(abi, (uint32_t)d->nr) : NULL;
	int32_t origin;

	if (!s || !s->chains)
		return false;
	if (!ir_tree_eval(s->chains, d, ret, &origin))
		*ret = ir->default_ret;
	return true;
}

bool lsc_quirk_merge254(const struct lsc_quirks *q, const struct seccomp_data *d)
{
	uint32_t a, b;

	return tree_ret(q->ir, d, &a) && tree_ret(q->fixed, d, &b) && a != b;
}

struct acc {
	int64_t off; /* -1: unknown */
	uint32_t mask;
};

/* returns 1 decided, 0 fell through; *a is the real accumulator, assumed is what the code thinks */
static int walk(const struct ir_node *n, struct acc assumed, uint32_t *a,
		const struct seccomp_data *d, bool be, uint32_t *ret)
{
	while (n->lvl_prv)
		n = n->lvl_prv;
	for (; n; n = n->lvl_nxt) {
		const struct ir_node *next;
		bool t;

		if ((int64_t)n->off != assumed.off || (n->mask & assumed.mask) != n->mask) {
			*a = ir_data_word(d, n->off, be);
			assumed.off = n->off;
			assumed.mask = UINT32_MAX;
		}
		if (n->mask != assumed.mask) {
			*a &= n->mask;
			assumed.mask = n->mask;
		}
		switch (n->op) {
		case IR_CMP_EQ:
		case IR_CMP_MASKED_EQ:
			t = *a == n->datum;
			break;
		case IR_CMP_GT:
			t = *a > n->datum;
			break;
		case IR_CMP_GE:
		default:
			t = *a >= n->datum;
			break;
		}
		next = t ? n->nxt_t : n->nxt_f;
		if (next) {
			if (walk(next, assumed, a, d, be, ret))
				return 1;
			continue;
		}
		if (t && n->act_t_flg) {
			*ret = n->act_t;
			return 1;
		}
		if (!t && n->act_f_flg) {
			*ret = n->act_f;
			return 1;
		}
	}
	return 0;
}

bool lsc_quirk_eval(const struct lsc_quirks *q, const struct seccomp_data *d, uint32_t *ret)
{
	const struct ir_abi *abi = ir_abi_for(q->ir, d->arch, (uint32_t)d->nr);
	const struct ir_sys *s;
	struct acc assumed = { .off = 0, .mask = UINT32_MAX }; /* nr is loaded */
	uint32_t a = (uint32_t)d->nr;

	if (!abi)
		return false;
	s = ir_find_sys(abi, (uint32_t)d->nr);
	if (!s || !s->chains)
		return false;
	if (!walk(s->chains, assumed, &a, d, !(d->arch & __AUDIT_ARCH_LE), ret))
		*ret = q->ir->default_ret;
	return true;
}

static bool loads_other(const struct ir_node *n, uint32_t off)
{
	if (!n)
		return false;
	while (n->lvl_prv)
		n = n->lvl_prv;
	for (; n; n = n->lvl_nxt)
		if (n->off != off || loads_other(n->nxt_t, off) || loads_other(n->nxt_f, off))
			return true;
	return false;
}

static bool prone(const struct ir_node *n)
{
	if (!n)
		return false;
	while (n->lvl_prv)
		n = n->lvl_prv;
	for (; n; n = n->lvl_nxt) {
		if (n->lvl_nxt && n->lvl_nxt->off == n->off &&
		    (loads_other(n->nxt_t, n->off) || loads_other(n->nxt_f, n->off)))
			return true;
		if (prone(n->nxt_t) || prone(n->nxt_f))
			return true;
	}
	return false;
}

bool lsc_quirk_prone(const struct lsc_quirks *q, const struct seccomp_data *d)
{
	const struct ir_abi *abi = ir_abi_for(q->ir, d->arch, (uint32_t)d->nr);
	const struct ir_sys *s = abi ? ir_find_sys(abi, (uint32_t)d->nr) : NULL;

	return s && prone(s->chains);
}
