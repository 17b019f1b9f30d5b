/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The synthesized profile, proved against the base before anyone sees it (fail closed: a
 * failure here is a bug in synthesis, reported as -EPROTO, never a profile):
 * - not looser: for every syscall the output names, on every ABI of the filter, each probe
 *   vector the output allows the base allows too. Vectors: zeros, all ones, every recorded
 *   vector, and around every comparison either profile makes for that call (the datum, one
 *   below and above, the mask and its complement): where the two decision trees could differ;
 * - enough: every recorded vector the base allows, the output allows (the libc probes excepted:
 *   they get ENOSYS on purpose).
 */
#include <errno.h>
#include <string.h>

#include "base/cleanup.h"
#include "bpf/insn.h"
#include "record/synth-internal.h"

struct vecs {
	uint64_t v[256][6];
	size_t n;
};

static void push(struct vecs *vs, const uint64_t *base, int idx, uint64_t value)
{
	if (vs->n >= ARRAY_SIZE(vs->v))
		return;
	if (base)
		memcpy(vs->v[vs->n], base, sizeof(vs->v[0]));
	else
		memset(vs->v[vs->n], 0, sizeof(vs->v[0]));
	if (idx >= 0)
		vs->v[vs->n][idx] = value;
	vs->n++;
}

static void around(struct vecs *vs, const uint64_t *base, const struct ir_sys *sys)
{
	for (size_t c = 0; sys && c < sys->n_contribs; c++)
		for (size_t j = 0; j < sys->contribs[c].n_conds; j++) {
			const struct ir_cond *k = &sys->contribs[c].conds[j];
			int a = (int)k->arg;

			push(vs, base, a, k->datum);
			push(vs, base, a, k->datum - 1);
			push(vs, base, a, k->datum + 1);
			push(vs, base, a, k->mask);
			push(vs, base, a, ~k->mask);
			push(vs, base, a, k->datum | ~k->mask);
		}
}

static const struct cf_rec_call *recorded(const struct synth *s, uint32_t audit_arch, int nr)
{
	return cf_recording_find(s->rec, audit_arch, nr);
}

static int eval(const struct cf_model *m, uint32_t audit_arch, uint32_t nr, const uint64_t *a,
		bool *allowed)
{
	struct seccomp_data d = { .nr = (int)nr, .arch = audit_arch };
	struct cf_eval_result ev;
	int r;

	memcpy(d.args, a, sizeof(d.args));
	r = cf_model_evaluate(m, &d, &ev);
	if (r < 0)
		return r;
	*allowed = synth_ret_allows(ev.ret);
	return 0;
}

static int not_looser(const struct synth *s, const struct cf_ir *oir, const struct cf_model *om,
		      struct cf_diag *reterr)
{
	static struct vecs vs; /* 12 KiB: not on the stack; synthesis is single-threaded */

	for (size_t k = 0; k < oir->n_abis; k++) {
		const struct ir_abi *abi = &oir->abis[k];
		const struct ir_abi *babi =
			ir_abi_for(s->ir, abi->info->audit_arch,
				   abi->arch == CF_ARCH_X32 ? CF_X32_SYSCALL_BIT : 0);

		for (size_t i = 0; i < abi->n_sys; i++) {
			const struct ir_sys *sys = &abi->sys[i];
			const struct ir_sys *bsys = babi ? ir_find_sys(babi, sys->nr) : NULL;
			const struct cf_rec_call *rc =
				recorded(s, abi->info->audit_arch, (int)sys->nr);

			vs.n = 0;
			push(&vs, NULL, -1, 0);
			push(&vs, NULL, 0, UINT64_MAX);
			for (int a = 1; a < 6; a++)
				vs.v[1][a] = UINT64_MAX;
			around(&vs, NULL, sys);
			around(&vs, NULL, bsys);
			for (size_t t = 0; rc && t < rc->n_tuples; t++) {
				push(&vs, rc->tuples[t], -1, 0);
				around(&vs, rc->tuples[t], sys);
				around(&vs, rc->tuples[t], bsys);
			}
			for (size_t v = 0; v < vs.n; v++) {
				bool out_ok, base_ok;
				int r = eval(om, abi->info->audit_arch, sys->nr, vs.v[v], &out_ok);

				if (r == 0 && out_ok)
					r = eval(s->model, abi->info->audit_arch, sys->nr, vs.v[v],
						 &base_ok);
				if (r < 0)
					return r;
				if (out_ok && !base_ok)
					return diag_set(
						reterr, EPROTO, s->o->label, 0, 0, NULL,
						"internal error: the synthesized profile allows %s "
						"(%s nr %u, arg0 0x%llx) which %s denies",
						syscall_resolve_num(abi->arch, (int)sys->nr) ?: "?",
						abi->info->scmp_name, sys->nr,
						(unsigned long long)vs.v[v][0],
						s->o->base->label ? s->o->base->label : "the base");
			}
		}
	}
	return 0;
}

static bool is_probe(const char *name)
{
	return strcmp(name, "clone3") == 0 || strcmp(name, "faccessat2") == 0 ||
	       strcmp(name, "fchmodat2") == 0;
}

static int enough(const struct synth *s, const struct cf_model *om, struct cf_diag *reterr)
{
	static const uint64_t zeros[6];

	for (size_t i = 0; i < s->rec->n_calls; i++) {
		const struct cf_rec_call *rc = &s->rec->calls[i];
		enum cf_arch arch = arch_from_seccomp_data(rc->arch, (uint32_t)rc->nr);
		const char *name =
			arch != CF_ARCH_INVALID ? syscall_resolve_num(arch, rc->nr) : NULL;
		size_t n = rc->n_tuples ? rc->n_tuples : 1;

		if (!name || is_probe(name))
			continue;
		for (size_t t = 0; t < n; t++) {
			const uint64_t *a = rc->n_tuples ? rc->tuples[t] : zeros;
			bool base_ok = true, out_ok;
			int r = 0;

			if (s->model)
				r = eval(s->model, rc->arch, (uint32_t)rc->nr, a, &base_ok);
			if (r == 0 && base_ok)
				r = eval(om, rc->arch, (uint32_t)rc->nr, a, &out_ok);
			if (r < 0)
				return r;
			if (base_ok && !out_ok)
				return diag_set(
					reterr, EPROTO, s->o->label, 0, 0, NULL,
					"internal error: the synthesized profile denies "
					"%s (arg0 0x%llx), which was %s and the base allows",
					name, (unsigned long long)a[0], s->o->label);
		}
	}
	return 0;
}

int synth_check(const struct synth *s, const struct cf_resolved *out, struct cf_diag *reterr)
{
	cleanup(cf_model_freep) struct cf_model *om = NULL;
	cleanup(ir_freep) struct cf_ir *oir = NULL;
	int r;

	r = cf_model_new(out, &om, reterr);
	if (r == 0)
		r = ir_build(out, &oir, reterr);
	if (r < 0)
		return r == -ENOMEM ? r : -EPROTO;
	if (s->model) {
		r = not_looser(s, oir, om, reterr);
		if (r < 0)
			return r;
	}
	return enough(s, om, reterr);
}
