/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Semantic diff of two resolved profiles. For each ABI either filter accepts and each syscall
 * number, both reference models (src/bpf/model.c, the semantics `run` compiles) are asked for
 * a verdict. A call with argument conditions in either profile is asked over a grid of
 * argument vectors: for every argument some condition of either profile compares, the values
 * at and beside each condition's boundary (EQ/NE v-1, v, v+1; LT/GE v-1, v; LE/GT v, v+1;
 * MASKED_EQ the datum and the datum with each masked bit flipped), plus 0, 2^32-1, 2^32 and
 * 2^64-1. Between boundaries every comparison of every rule keeps its truth value, so the
 * decision is constant there and the grid sees every region of the ordered comparisons; a mask
 * region is seen through each bit it tests.
 */
#include "analyze/diff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/seccomp.h>

#include "base/cleanup.h"
#include "bpf/filter.h"

/* Argument grids larger than this are sampled one argument at a time (others at 0). */
#define GRID_MAX   65536u
#define POINTS_MAX 256u

struct points {
	uint64_t v[POINTS_MAX];
	size_t n;
};

static void points_add(struct points *p, uint64_t v)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i] == v)
			return;
	if (p->n < POINTS_MAX)
		p->v[p->n++] = v;
}

static void points_for(struct points *p, const struct cf_arg *a)
{
	uint64_t v = a->value;

	switch (a->op) {
	case CF_OP_EQ:
	case CF_OP_NE:
		points_add(p, v - 1);
		points_add(p, v);
		points_add(p, v + 1);
		break;
	case CF_OP_LT:
	case CF_OP_GE:
		points_add(p, v - 1);
		points_add(p, v);
		break;
	case CF_OP_LE:
	case CF_OP_GT:
		points_add(p, v);
		points_add(p, v + 1);
		break;
	case CF_OP_MASKED_EQ: {
		uint64_t mask = v, datum = a->value_two & mask;

		points_add(p, datum);
		points_add(p, datum | ~mask);
		for (unsigned bit = 0; bit < 64; bit++)
			if (mask & ((uint64_t)1 << bit))
				points_add(p, datum ^ ((uint64_t)1 << bit));
		break;
	}
	case CF_OP_COUNT:
	case CF_OP_INVALID:
		break;
	}
}

/* Conditions of the active rules of r that name nr on arch, into per-argument points. */
static void collect(const struct cf_resolved *r, enum cf_arch arch, int nr, struct points *pts,
		    unsigned *used)
{
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct cf_rule *rule = r->rules[i].rule;
		bool names = false;

		if (!r->rules[i].active || !rule->n_args)
			continue;
		for (size_t j = 0; j < rule->n_names && !names; j++)
			names = syscall_resolve_name(arch, rule->names[j]) == nr;
		if (!names)
			continue;
		for (size_t k = 0; k < rule->n_args; k++) {
			points_for(&pts[rule->args[k].index], &rule->args[k]);
			*used |= 1u << rule->args[k].index;
		}
	}
}

static int add_change(struct cf_diff_result *res, const struct cf_diff_change *c)
{
	if (res->n == res->cap) {
		size_t cap = res->cap ? res->cap * 2 : 64;
		struct cf_diff_change *items = realloc(res->items, cap * sizeof(*items));

		if (!items)
			return -ENOMEM;
		res->items = items;
		res->cap = cap;
	}
	res->items[res->n++] = *c;
	return 0;
}

static bool allows(uint32_t ret)
{
	uint32_t a = ret & SECCOMP_RET_ACTION_FULL;

	return a == SECCOMP_RET_ALLOW || a == SECCOMP_RET_LOG;
}

struct call_diff {
	struct cf_diff_change found[8]; /* distinct (a, b) pairs seen for one call */
	size_t n_found;
	size_t n_points;
	bool subset_broken;
};

static int eval_point(const struct cf_model *ma, const struct cf_model *mb,
		      const struct seccomp_data *d, struct call_diff *cd)
{
	struct cf_eval_result ra, rb;
	int r;

	r = cf_model_evaluate(ma, d, &ra);
	if (r >= 0)
		r = cf_model_evaluate(mb, d, &rb);
	if (r < 0)
		return r;
	cd->n_points++;
	if (ra.ret == rb.ret)
		return 0;
	if (allows(rb.ret) && !allows(ra.ret))
		cd->subset_broken = true;
	for (size_t i = 0; i < cd->n_found; i++)
		if (cd->found[i].a == ra.ret && cd->found[i].b == rb.ret) {
			cd->found[i].n_differ++;
			return 0;
		}
	if (cd->n_found < ARRAY_SIZE(cd->found)) {
		struct cf_diff_change *c = &cd->found[cd->n_found++];

		*c = (struct cf_diff_change){ .a = ra.ret, .b = rb.ret, .n_differ = 1 };
		memcpy(c->args, d->args, sizeof(c->args));
	}
	return 0;
}

/* Every vector of the grid, or (too large) each argument's points with the others at 0. */
static int eval_grid(const struct cf_model *ma, const struct cf_model *mb, struct seccomp_data *d,
		     const struct points *pts, unsigned used, struct call_diff *cd, bool *sampled)
{
	size_t idx[6] = { 0 }, total = 1;
	int r;

	for (unsigned i = 0; i < 6; i++)
		if (used & (1u << i)) {
			total *= pts[i].n;
			if (total > GRID_MAX)
				break;
		}
	if (total > GRID_MAX) {
		*sampled = true;
		for (unsigned i = 0; i < 6; i++)
			for (size_t k = 0; (used & (1u << i)) && k < pts[i].n; k++) {
				memset(d->args, 0, sizeof(d->args));
				d->args[i] = pts[i].v[k];
				r = eval_point(ma, mb, d, cd);
				if (r < 0)
					return r;
			}
		return 0;
	}
	for (;;) {
		unsigned i;

		for (i = 0; i < 6; i++)
			d->args[i] = (used & (1u << i)) ? pts[i].v[idx[i]] : 0;
		r = eval_point(ma, mb, d, cd);
		if (r < 0)
			return r;
		for (i = 0; i < 6; i++) {
			if (!(used & (1u << i)))
				continue;
			if (++idx[i] < pts[i].n)
				break;
			idx[i] = 0;
		}
		if (i == 6)
			return 0;
	}
}

static bool in_list(const enum cf_arch *list, size_t n, enum cf_arch a)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == a)
			return true;
	return false;
}

static int cmp_int(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;

	return (a > b) - (a < b);
}

/* The numbers to ask about on one ABI: 0..CF_DIFF_NR_SPAN-1 and every table number. */
static int numbers(enum cf_arch arch, int **ret, size_t *ret_n)
{
	const struct cf_arch_info *ai = arch_info(arch);
	int size = syscall_table_size(arch);
	cleanup_free int *v = NULL;
	size_t n = 0, k = 0;
	const char *name;
	int nr;

	if (size < 0)
		size = 0;
	v = malloc((CF_DIFF_NR_SPAN + (size_t)size) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (unsigned i = 0; i < CF_DIFF_NR_SPAN; i++)
		v[n++] = (int)(ai->nr_base + i);
	for (unsigned i = 0; syscall_table_entry(arch, i, &name, &nr); i++)
		if ((unsigned)nr - ai->nr_base >= CF_DIFF_NR_SPAN)
			v[n++] = nr;
	qsort(v, n, sizeof(*v), cmp_int);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	*ret = TAKE_PTR(v);
	*ret_n = k;
	return 0;
}

static int diff_arch(const struct cf_model *ma, const struct cf_model *mb,
		     const struct cf_resolved *a, const struct cf_resolved *b, enum cf_arch arch,
		     struct cf_diff_result *res)
{
	cleanup_free int *nrs = NULL;
	size_t n = 0;
	int r = numbers(arch, &nrs, &n);

	if (r < 0)
		return r;
	for (size_t k = 0; k < n; k++) {
		struct seccomp_data d = { .nr = nrs[k], .arch = arch_info(arch)->audit_arch };
		struct points pts[6];
		struct call_diff cd = { 0 };
		unsigned used = 0;
		const char *name = syscall_resolve_num(arch, nrs[k]);

		for (unsigned i = 0; i < 6; i++) {
			pts[i].n = 0;
			points_add(&pts[i], 0);
			points_add(&pts[i], UINT32_MAX);
			points_add(&pts[i], (uint64_t)UINT32_MAX + 1);
			points_add(&pts[i], UINT64_MAX);
		}
		if (name) {
			collect(a, arch, nrs[k], pts, &used);
			collect(b, arch, nrs[k], pts, &used);
		}
		r = used ? eval_grid(ma, mb, &d, pts, used, &cd, &res->sampled) :
			   eval_point(ma, mb, &d, &cd);
		if (r < 0)
			return r;
		if (cd.subset_broken)
			res->subset = false;
		for (size_t i = 0; i < cd.n_found; i++) {
			struct cf_diff_change c = cd.found[i];
			struct cf_diff_change *last = res->n ? &res->items[res->n - 1] : NULL;

			c.arch = arch;
			c.nr = c.nr_last = nrs[k];
			c.syscall = name;
			c.args_used = used;
			c.n_points = cd.n_points;
			c.conditional = c.n_differ < cd.n_points;
			if (!c.conditional)
				memset(c.args, 0, sizeof(c.args));
			/* runs of unnamed numbers with one change are one entry */
			if (!name && last && !last->syscall && last->arch == arch &&
			    last->nr_last + 1 == c.nr && last->a == c.a && last->b == c.b &&
			    !last->conditional && !c.conditional) {
				last->nr_last = c.nr;
				continue;
			}
			r = add_change(res, &c);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int cf_diff(const struct cf_resolved *a, const struct cf_resolved *b, struct cf_diff_result *res,
	    struct cf_diag *reterr)
{
	cleanup(cf_model_freep) struct cf_model *ma = NULL;
	cleanup(cf_model_freep) struct cf_model *mb = NULL;
	enum cf_arch arches[2 * CF_ARCH_COUNT];
	size_t n = 0;
	int r;

	r = cf_model_new(a, &ma, reterr);
	if (r >= 0)
		r = cf_model_new(b, &mb, reterr);
	if (r < 0)
		return r;
	/* every ABI either filter accepts; the native one first */
	for (size_t i = 0; i < a->n_arches; i++)
		arches[n++] = a->arches[i];
	for (size_t i = 0; i < b->n_arches; i++)
		if (!in_list(arches, n, b->arches[i]))
			arches[n++] = b->arches[i];
	res->subset = true;
	for (size_t i = 0; i < n; i++) {
		if (!arch_info(arches[i])->has_table)
			continue;
		r = diff_arch(ma, mb, a, b, arches[i], res);
		if (r < 0)
			return r;
	}
	return 0;
}

void cf_diff_result_clear(struct cf_diff_result *res)
{
	free(res->items);
	*res = (struct cf_diff_result){ 0 };
}
