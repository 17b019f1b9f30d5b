/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reference model: what the resolved profile decides for one seccomp_data, computed from
 * the rules themselves rather than from BPF. Rules are taken per syscall in runc's order; the
 * first unconditional rule decides; conditional rules that share one action are an OR of their
 * conjunctions; only conditional rules with *different* actions need libseccomp's merged tree
 * (ir_tree_eval), because there the order of the tree levels is the semantics.
 */
#include <errno.h>
#include <stdlib.h>

#include <linux/audit.h>

#include "base/cleanup.h"
#include "bpf/filter.h"
#include "bpf/ir.h"

struct cf_model {
	struct cf_ir *ir;
};

uint32_t cf_action_ret(enum cf_action a, uint32_t errno_ret)
{
	/* libseccomp keeps 16 bits of data (SCMP_ACT_ERRNO(x)); the kernel clamps above 4095 */
	uint32_t data = errno_ret & SECCOMP_RET_DATA;

	switch (a) {
	case CF_ACT_KILL:
	case CF_ACT_KILL_THREAD:
		return SECCOMP_RET_KILL_THREAD;
	case CF_ACT_KILL_PROCESS:
		return SECCOMP_RET_KILL_PROCESS;
	case CF_ACT_TRAP:
		return SECCOMP_RET_TRAP;
	case CF_ACT_ERRNO:
		return SECCOMP_RET_ERRNO | data;
	case CF_ACT_TRACE:
		return SECCOMP_RET_TRACE | data;
	case CF_ACT_ALLOW:
		return SECCOMP_RET_ALLOW;
	case CF_ACT_LOG:
		return SECCOMP_RET_LOG;
	case CF_ACT_NOTIFY:
		return SECCOMP_RET_USER_NOTIF;
	case CF_ACT_COUNT:
	case CF_ACT_INVALID:
		break;
	}
	/* fail closed on garbage */
	return SECCOMP_RET_KILL_PROCESS;
}

bool cf_arg_compare(enum cf_op op, uint64_t v, uint64_t datum, uint64_t mask, unsigned bits)
{
	if (bits == 32) {
		/* libseccomp compares only the low word on 32-bit ABIs */
		v &= UINT32_MAX;
		datum &= UINT32_MAX;
		mask &= UINT32_MAX;
	}
	switch (op) {
	case CF_OP_NE:
		return v != datum;
	case CF_OP_LT:
		return v < datum;
	case CF_OP_LE:
		return v <= datum;
	case CF_OP_EQ:
		return v == datum;
	case CF_OP_GE:
		return v >= datum;
	case CF_OP_GT:
		return v > datum;
	case CF_OP_MASKED_EQ:
		/* libseccomp masks the datum too: (arg & mask) == (valueTwo & mask) */
		return (v & mask) == (datum & mask);
	case CF_OP_COUNT:
	case CF_OP_INVALID:
		break;
	}
	return false;
}

static bool cond_match(const struct ir_cond *c, const struct seccomp_data *d, unsigned bits)
{
	return cf_arg_compare(c->op, d->args[c->arg], c->datum, c->mask, bits);
}

static bool contrib_match(const struct ir_contrib *c, const struct seccomp_data *d, unsigned bits)
{
	for (size_t i = 0; i < c->n_conds; i++)
		if (!cond_match(&c->conds[i], d, bits))
			return false;
	return true;
}

static void decide_sys(const struct cf_ir *ir, const struct ir_abi *abi, const struct ir_sys *s,
		       const struct seccomp_data *d, struct cf_eval_result *res)
{
	bool same = true;

	/* the first unconditional rule decides (later ones are ignored, earlier conditional
	 * ones replaced); the IR keeps exactly that rule for unconditional entries */
	if (!s->chains) {
		res->ret = s->action;
		res->rule_index = s->origin;
		res->source = CF_EVAL_RULE;
		return;
	}
	for (size_t i = 1; i < s->n_contribs; i++)
		same &= s->contribs[i].ret == s->contribs[0].ret;
	if (same) {
		for (size_t i = 0; i < s->n_contribs; i++)
			if (contrib_match(&s->contribs[i], d, abi->arg_bits)) {
				res->ret = s->contribs[i].ret;
				res->rule_index = s->contribs[i].origin;
				res->source = CF_EVAL_RULE;
				return;
			}
	} else {
		uint32_t ret;
		int32_t origin;

		if (ir_tree_eval(s->chains, d, &ret, &origin)) {
			res->ret = ret;
			res->rule_index = origin;
			res->source = CF_EVAL_RULE;
			return;
		}
	}
	res->ret = ir->default_ret;
	res->rule_index = -1;
	res->source = CF_EVAL_DEFAULT;
}

int cf_model_new(const struct cf_resolved *r, struct cf_model **ret, struct cf_diag *reterr)
{
	struct cf_model *m;
	struct cf_ir *ir = NULL;
	int q;

	q = ir_build(r, &ir, reterr);
	if (q < 0)
		return q;
	m = calloc(1, sizeof(*m));
	if (!m) {
		ir_free(ir);
		return -ENOMEM;
	}
	m->ir = ir;
	*ret = m;
	return 0;
}

struct cf_model *cf_model_free(struct cf_model *m)
{
	if (!m)
		return NULL;
	ir_free(m->ir);
	free(m);
	return NULL;
}

int cf_model_evaluate(const struct cf_model *m, const struct seccomp_data *d,
		      struct cf_eval_result *ret)
{
	const struct cf_ir *ir;
	const struct ir_abi *abi;
	const struct ir_sys *s;
	struct cf_eval_result res = { .rule_index = -1 };
	uint32_t nr;

	if (!m || !d || !ret)
		return -EINVAL;
	ir = m->ir;
	nr = (uint32_t)d->nr;
	abi = ir_abi_for(ir, d->arch, nr);
	if (!abi) {
		res.ret = ir->bad_arch_ret;
		res.source = CF_EVAL_BAD_ARCH;
	} else if ((s = ir_find_sys(abi, nr))) {
		decide_sys(ir, abi, s, d, &res);
	} else if (abi->enosys &&
		   (nr > abi->max_named ||
		    (nr == 0 && (abi->arch == CF_ARCH_S390 || abi->arch == CF_ARCH_S390X)))) {
		/* runc's stub; on s390 syscall 0 is the multiplexer and gets ENOSYS as well */
		res.ret = ir->enosys_ret;
		res.source = CF_EVAL_NEWER_THAN_PROFILE;
	} else {
		res.ret = ir->default_ret;
		res.source = CF_EVAL_DEFAULT;
	}
	*ret = res;
	return 0;
}

int cf_resolved_evaluate(const struct cf_resolved *r, const struct seccomp_data *d,
			 struct cf_eval_result *ret)
{
	cleanup(cf_model_freep) struct cf_model *m = NULL;
	int q;

	q = cf_model_new(r, &m, NULL);
	if (q < 0)
		return q;
	return cf_model_evaluate(m, d, ret);
}
