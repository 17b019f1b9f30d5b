/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Profile synthesis (synth.h): every recorded call is judged by the base's model (the reference
 * evaluator of src/bpf/model.c, i.e. runc + libseccomp semantics) and placed in a rule for the
 * reason it may be there, or reported as denied with explain's fixes. Then the libc probes,
 * the vDSO calls and the runtime's needs; synth-rules.c writes the rules, synth-check.c proves
 * the result against the base.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "record/synth-internal.h"

bool synth_ret_allows(uint32_t ret)
{
	uint32_t a = ret & SECCOMP_RET_ACTION_FULL;

	return a == SECCOMP_RET_ALLOW || a == SECCOMP_RET_LOG;
}

int synth_decide(const struct synth *s, enum cf_arch arch, int nr, const uint64_t *args,
		 struct synth_verdict *ret)
{
	struct seccomp_data d = { .nr = nr, .arch = arch_info(arch)->audit_arch };
	struct cf_eval_result ev;
	const struct ir_abi *abi;
	const struct ir_sys *sys;
	int r;

	*ret = (struct synth_verdict){ .rule_index = -1 };
	if (!s->base) {
		ret->allowed = true;
		ret->ret = SECCOMP_RET_ALLOW;
		return 0;
	}
	if (args)
		memcpy(d.args, args, sizeof(d.args));
	r = cf_model_evaluate(s->model, &d, &ev);
	if (r < 0)
		return r;
	ret->ret = ev.ret;
	ret->allowed = synth_ret_allows(ev.ret);
	ret->rule_index = ev.source == CF_EVAL_RULE ? ev.rule_index : -1;
	abi = ir_abi_for(s->ir, d.arch, (uint32_t)nr);
	sys = abi ? ir_find_sys(abi, (uint32_t)nr) : NULL;
	if (sys && sys->chains) {
		ret->conditional = true;
		ret->sys = sys;
		for (size_t i = 0; i < sys->n_contribs; i++) {
			ret->mixed |= sys->contribs[i].ret != sys->contribs[0].ret;
			for (size_t j = 0; j < sys->contribs[i].n_conds; j++)
				ret->mask |= (uint8_t)(1u << sys->contribs[i].conds[j].arg);
		}
	}
	return 0;
}

static bool rule_gated(const struct cf_rule *r)
{
	return r->includes.n_caps || r->includes.n_arches || r->includes.min_kernel.set ||
	       r->excludes.n_caps || r->excludes.n_arches || r->excludes.min_kernel.set;
}

static const struct cf_rule *base_rule(const struct synth *s, int index)
{
	const struct cf_profile *p = s->o->base->profile;

	return p && index >= 0 && (size_t)index < p->n_rules ? &p->rules[index] : NULL;
}

/* The executable (record) or binary (predict: "curl: getaddrinfo -> socket") of an origin. */
static void split_origin(const char *origin, char *group, size_t gsize, const char **rest)
{
	const char *sep = strstr(origin, ": ");
	size_t n = sep ? (size_t)(sep - origin) : strlen(origin);

	if (n >= gsize)
		n = gsize - 1;
	memcpy(group, origin, n);
	group[n] = '\0';
	*rest = sep ? sep + 2 : "";
	if (!group[0])
		snprintf(group, gsize, "(unknown executable)");
}

static int add_denied(struct synth *s, enum cf_arch arch, int nr, const char *name,
		      const uint64_t *args, uint64_t count, const char *origin, uint32_t ret)
{
	struct cf_synth_result *res = s->res;
	struct cf_synth_denied *d;
	struct cf_explanation *e;
	struct cf_call call = { 0 };
	int r;

	for (size_t i = 0; i < res->n_denied; i++) {
		d = &res->denied[i];
		if (d->arch == arch && d->nr == nr && d->has_args == !!args &&
		    (!args || memcmp(d->args, args, sizeof(d->args)) == 0)) {
			d->count += count;
			return 0;
		}
	}
	d = realloc(res->denied, (res->n_denied + 1) * sizeof(*d));
	if (!d)
		return -ENOMEM;
	res->denied = d;
	d = &d[res->n_denied++];
	*d = (struct cf_synth_denied){ .arch = arch, .nr = nr, .count = count, .has_args = !!args };
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->origin, sizeof(d->origin), "%s", origin ? origin : "");
	if (args)
		memcpy(d->args, args, sizeof(d->args));
	cf_explain_ret_name(ret, d->verdict, sizeof(d->verdict));
	if (args)
		cf_explain_format_call(name, d->args, -1, arch_info(arch)->bits, d->call,
				       sizeof(d->call));
	else /* arguments not recorded: the base decides this call whatever they are */
		snprintf(d->call, sizeof(d->call), "%s", name);

	/* explain's ranked fixes: the first is the least privilege that makes it pass */
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	r = cf_call_init(&call, arch, name);
	if (r == 0) {
		if (args)
			memcpy(call.args, args, sizeof(call.args));
		call.n_given = args ? 6 : 0;
		r = cf_explain_call(s->o->base, s->model, &call, true, e);
	}
	if (r < 0) {
		free(e);
		return r == -ENOMEM ? r : 0;
	}
	if (e->n_fixes)
		cf_explain_fix_text(&e->fixes[0], s->o->base, d->fix, sizeof(d->fix));
	struct cf_explanation **v = realloc(s->expl, (s->n_expl + 1) * sizeof(*v));
	if (!v) {
		free(e);
		return -ENOMEM;
	}
	s->expl = v;
	s->expl[s->n_expl++] = e;
	return 0;
}

/* What a placement needs besides the name: the kind, and for conditional kinds the rule. */
static struct synth_rule key(enum synth_kind kind, const char *group, int base_index)
{
	struct synth_rule k = { .kind = kind, .base_index = base_index, .action = CF_ACT_ALLOW };

	snprintf(k.group, sizeof(k.group), "%s", group ? group : "");
	return k;
}

/* Copy every base rule behind a conditional entry: the allowing ones, or (mixed actions, where
 * libseccomp's tree makes their order the semantics) all of them, so the tree is the base's. */
static int place_copies(struct synth *s, enum synth_kind kind, const struct synth_verdict *v,
			const char *name, uint64_t count, const char *detail)
{
	int placed = 0, r;

	for (size_t i = 0; i < v->sys->n_contribs; i++) {
		const struct ir_contrib *c = &v->sys->contribs[i];
		const struct cf_rule *br = base_rule(s, c->origin);
		struct synth_rule k;

		if (!br || (!v->mixed && !synth_ret_allows(c->ret)))
			continue;
		k = key(kind, NULL, c->origin);
		k.action = br->action;
		k.has_errno = br->has_errno;
		k.errno_ret = br->errno_ret;
		r = synth_rule_add(s, &k, name, count, detail);
		if (r < 0)
			return r;
		placed += synth_ret_allows(c->ret);
	}
	return placed;
}

struct call_in {
	enum cf_arch arch;
	int nr;
	const char *name;
	const uint64_t (*tuples)[6];
	size_t n_tuples;
	bool tuples_complete; /* every vector is in tuples (none dropped) */
	uint64_t count;
	const char *origin;
	enum synth_kind kind; /* for unconditional placements */
	bool report; /* denied: report with fixes */
};

/* Place one call; returns how many allowing placements were made (0: denied), or -errno. */
static int place_call(struct synth *s, const struct call_in *c)
{
	struct synth_verdict v;
	char group[CF_REC_ORIGIN_SIZE];
	const char *rest = "";
	enum synth_kind ckind = c->kind == SK_RECORDED ? SK_ARG : c->kind;
	int placed = 0, r;

	split_origin(c->origin ? c->origin : "", group, sizeof(group), &rest);
	r = synth_decide(s, c->arch, c->nr, NULL, &v);
	if (r < 0)
		return r;
	if (!v.conditional) {
		const struct cf_rule *br = base_rule(s, v.rule_index);
		struct synth_rule k = key(c->kind, c->kind == SK_RECORDED ? group : NULL, -1);

		if (!v.allowed) {
			if (c->report)
				return add_denied(s, c->arch, c->nr, c->name, NULL, c->count,
						  c->origin, v.ret) < 0 ?
					       -ENOMEM :
					       0;
			return 0;
		}
		if (br && rule_gated(br)) {
			/* allowed through includes/excludes: keep the gate, so the profile
			 * asks for the same capability (or arch, or kernel) the base does */
			k = key(c->kind == SK_RECORDED ? SK_GATED : c->kind, NULL, v.rule_index);
			k.action = br->action;
		}
		r = synth_rule_add(s, &k, c->name, c->count, rest);
		return r < 0 ? r : 1;
	}
	if (c->n_tuples && c->tuples_complete) {
		for (size_t t = 0; t < c->n_tuples; t++) {
			struct synth_verdict tv;

			r = synth_decide(s, c->arch, c->nr, c->tuples[t], &tv);
			if (r < 0)
				return r;
			if (!tv.allowed) {
				if (c->report) {
					r = add_denied(s, c->arch, c->nr, c->name, c->tuples[t],
						       c->count, c->origin, tv.ret);
					if (r < 0)
						return r;
				}
				continue;
			}
			if (tv.mixed) {
				r = place_copies(s, ckind, &tv, c->name, c->count, rest);
			} else if (tv.rule_index >= 0) {
				struct synth_rule k = key(ckind, NULL, tv.rule_index);
				const struct cf_rule *br = base_rule(s, tv.rule_index);

				k.action = br ? br->action : CF_ACT_ALLOW;
				r = synth_rule_add(s, &k, c->name, c->count, rest);
			} else {
				/* the default let it through: the exact values the base compares */
				struct synth_rule k =
					key(ckind == SK_ARG ? SK_EXACT : ckind, NULL, -1);

				for (unsigned a = 0; a < 6; a++)
					if (tv.mask & (1u << a))
						k.exact[k.n_exact++] = (struct cf_arg){
							.index = a,
							.value = c->tuples[t][a],
							.op = CF_OP_EQ,
						};
				r = synth_rule_add(s, &k, c->name, c->count, rest);
			}
			if (r < 0)
				return r;
			placed++;
		}
		return placed;
	}
	/* no vectors: the base's own allowing rules, as narrow as the base */
	r = place_copies(s, ckind, &v, c->name, c->count, rest);
	if (r == 0 && c->report)
		/* the base allows it only by falling through to its default for some vectors;
		 * without the vectors that cannot be written any narrower than "always" */
		return add_denied(s, c->arch, c->nr, c->name, NULL, c->count, c->origin, v.ret) <
				       0 ?
			       -ENOMEM :
			       0;
	return r;
}

static int place_recorded(struct synth *s)
{
	for (size_t i = 0; i < s->rec->n_calls; i++) {
		const struct cf_rec_call *rc = &s->rec->calls[i];
		enum cf_arch arch = arch_from_seccomp_data(rc->arch, (uint32_t)rc->nr);
		const char *name =
			arch != CF_ARCH_INVALID ? syscall_resolve_num(arch, rc->nr) : NULL;
		struct call_in c = {
			.arch = arch,
			.nr = rc->nr,
			.name = name,
			.tuples = rc->tuples,
			.n_tuples = rc->n_tuples,
			.tuples_complete = rc->tuples_dropped == 0,
			.count = rc->count,
			.origin = rc->origin,
			.kind = SK_RECORDED,
			.report = true,
		};
		int r;

		if (!name) {
			/* no name on any table: a profile cannot say it (Docker names calls) */
			char nm[64];

			snprintf(nm, sizeof(nm), "syscall_%d", rc->nr);
			r = add_denied(s, arch != CF_ARCH_INVALID ? arch : arch_native(), rc->nr,
				       nm, NULL, rc->count, rc->origin, SECCOMP_RET_ERRNO | EPERM);
			if (r < 0)
				return r;
			continue;
		}
		r = place_call(s, &c);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Calls libc tries first and abandons on ENOSYS (and only on ENOSYS: a probe that gets EPERM
 * is an error to the program). glibc: clone3 -> clone (sysdeps/unix/sysv/linux/clone-internal.c),
 * faccessat2 -> faccessat (faccessat.c, 2.33+), fchmodat2 -> fchmodat (fchmodat.c, 2.39+). */
static const struct {
	const char *probe, *fallback;
} probes[] = {
	{ "clone3", "clone" },
	{ "faccessat2", "faccessat" },
	{ "fchmodat2", "fchmodat" },
};

static bool recorded_name(const struct synth *s, const char *name, bool *succeeded,
			  const struct cf_rec_call **first)
{
	bool any = false;

	*succeeded = false;
	*first = NULL;
	for (size_t i = 0; i < s->rec->n_calls; i++) {
		const struct cf_rec_call *rc = &s->rec->calls[i];
		enum cf_arch arch = arch_from_seccomp_data(rc->arch, (uint32_t)rc->nr);
		const char *n = arch != CF_ARCH_INVALID ? syscall_resolve_num(arch, rc->nr) : NULL;

		if (!n || strcmp(n, name) != 0)
			continue;
		any = true;
		*succeeded |= rc->succeeded;
		if (!*first)
			*first = rc;
	}
	return any;
}

/* Whether some ABI of the base (the native one when unconfined) has the name. */
static bool name_on_abis(const struct synth *s, const char *name)
{
	if (!s->base)
		return syscall_resolve_name(arch_native(), name) >= 0;
	for (size_t i = 0; i < s->base->n_arches; i++)
		if (syscall_resolve_name(s->base->arches[i], name) >= 0)
			return true;
	return false;
}

static bool name_allowed_somewhere(const struct synth *s, const char *name)
{
	for (size_t i = 0; i < s->n_rules; i++)
		if (synth_ret_allows(cf_action_ret(s->rules[i].action, 0)))
			for (size_t j = 0; j < s->rules[i].n_entries; j++)
				if (strcmp(s->rules[i].entries[j].name, name) == 0)
					return true;
	return false;
}

static void drop_name(struct synth *s, const char *name)
{
	for (size_t i = 0; i < s->n_rules; i++) {
		struct synth_rule *r = &s->rules[i];

		for (size_t j = 0; j < r->n_entries;) {
			if (strcmp(r->entries[j].name, name) == 0) {
				memmove(&r->entries[j], &r->entries[j + 1],
					(r->n_entries - j - 1) * sizeof(r->entries[0]));
				r->n_entries--;
			} else {
				j++;
			}
		}
	}
}

static void drop_denied(struct synth *s, const char *name)
{
	struct cf_synth_result *res = s->res;

	for (size_t i = 0; i < res->n_denied;) {
		if (strcmp(res->denied[i].name, name) == 0) {
			memmove(&res->denied[i], &res->denied[i + 1],
				(res->n_denied - i - 1) * sizeof(res->denied[0]));
			res->n_denied--;
		} else {
			i++;
		}
	}
	for (size_t i = 0; i < s->n_expl;) {
		if (strcmp(s->expl[i]->call.name, name) == 0) {
			free(s->expl[i]);
			memmove(&s->expl[i], &s->expl[i + 1],
				(s->n_expl - i - 1) * sizeof(s->expl[0]));
			s->n_expl--;
		} else {
			i++;
		}
	}
}

static int place_probes(struct synth *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		const struct cf_rec_call *first;
		bool succeeded, recorded = recorded_name(s, probes[i].probe, &succeeded, &first);
		bool allowed = name_allowed_somewhere(s, probes[i].probe);
		struct synth_rule k = key(SK_PROBE, NULL, -1);
		char detail[160];
		int r;

		if (!name_on_abis(s, probes[i].probe) || (recorded && succeeded && allowed))
			continue;
		/* answered ENOSYS, as a kernel without it would: never looser than a deny */
		drop_name(s, probes[i].probe);
		drop_denied(s, probes[i].probe);
		k.action = CF_ACT_ERRNO;
		k.has_errno = true;
		k.errno_ret = ENOSYS;
		snprintf(detail, sizeof(detail), "%s; libc falls back to %s",
			 !recorded  ? "not called" :
			 !succeeded ? "never succeeded" :
				      "the base denies it",
			 probes[i].fallback);
		r = synth_rule_add(s, &k, probes[i].probe, first ? first->count : 0, detail);
		if (r < 0)
			return r;
		if (!recorded || name_allowed_somewhere(s, probes[i].fallback))
			continue;
		/* the program will take the fallback where it took the probe */
		for (size_t a = 0; a < (s->base ? s->base->n_arches : 1); a++) {
			enum cf_arch arch = s->base ? s->base->arches[a] : arch_native();
			int nr = syscall_resolve_name(arch, probes[i].fallback);
			char origin[CF_REC_ORIGIN_SIZE + 32];
			struct call_in c;

			if (nr < 0)
				continue;
			snprintf(origin, sizeof(origin), "%s: fallback of %s", first->origin,
				 probes[i].probe);
			c = (struct call_in){ .arch = arch,
					      .nr = nr,
					      .name = probes[i].fallback,
					      .count = 0,
					      .origin = origin,
					      .kind = SK_FALLBACK,
					      .report = true };
			r = place_call(s, &c);
			if (r < 0)
				return r;
			break; /* names cover every ABI of the filter */
		}
	}
	return 0;
}

/* Served by the vDSO on x86 (arch/x86/entry/vdso): a recording may never see them, and a host
 * without the vDSO (vdso=0, some sandboxes, i386 binaries on some kernels) makes the syscall. */
static const char *const vdso_calls[] = {
	"clock_gettime", "clock_gettime64", "gettimeofday", "time", "getcpu",
};

static int place_vdso(struct synth *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(vdso_calls); i++) {
		for (size_t a = 0; a < (s->base ? s->base->n_arches : 1); a++) {
			enum cf_arch arch = s->base ? s->base->arches[a] : arch_native();
			int nr = syscall_resolve_name(arch, vdso_calls[i]);
			struct synth_verdict v;
			struct synth_rule k = key(SK_VDSO, NULL, -1);
			int r;

			if (nr < 0)
				continue;
			if (name_allowed_somewhere(s, vdso_calls[i]))
				break;
			r = synth_decide(s, arch, nr, NULL, &v);
			if (r < 0)
				return r;
			/* only where the base allows it outright (no argument, no gate) */
			if (!v.allowed || v.conditional ||
			    (base_rule(s, v.rule_index) && rule_gated(base_rule(s, v.rule_index))))
				break;
			r = synth_rule_add(s, &k, vdso_calls[i], 0, "");
			if (r < 0)
				return r;
			break;
		}
	}
	return 0;
}

static int push_name(char (**v)[64], size_t *n, const char *name)
{
	char(*nv)[64];

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], name) == 0)
			return 0;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	snprintf(nv[(*n)++], sizeof(nv[0]), "%s", name);
	return 0;
}

static int place_one_need(struct synth *s, const char *name, const struct cf_synth_need *need)
{
	enum cf_arch arch = s->base ? s->base->native : arch_native();
	int nr = syscall_resolve_name(arch, name);
	uint64_t tuples[3][6] = { { 0 } };
	char origin[96];
	struct call_in c;

	if (nr < 0)
		return -ENOENT;
	if (name_allowed_somewhere(s, name)) {
		/* recorded (or needed) already: only an argument-restricted recording of it
		 * would miss the runtime's values, so look at those */
		if (synth_name_unconditional(s, name) || !need->n_arg0)
			return 1;
	}
	for (unsigned i = 0; i < need->n_arg0; i++)
		tuples[i][0] = need->arg0[i];
	snprintf(origin, sizeof(origin), "%s", s->o->runtime ? s->o->runtime : "runtime");
	c = (struct call_in){ .arch = arch,
			      .nr = nr,
			      .name = name,
			      .tuples = (const uint64_t(*)[6])tuples,
			      .n_tuples = need->n_arg0,
			      .tuples_complete = true,
			      .origin = origin,
			      .kind = SK_RUNTIME };
	if (need->n_arg0) {
		/* the runtime calls it with these arg0 values only: say exactly those, even
		 * where the base allows it outright */
		struct synth_verdict v;
		int r = synth_decide(s, arch, nr, NULL, &v);

		if (r < 0)
			return r;
		if (!v.conditional) {
			struct synth_rule k = key(SK_RUNTIME, NULL, -1);
			int placed = 0;

			for (unsigned i = 0; i < need->n_arg0; i++) {
				struct synth_verdict tv;

				r = synth_decide(s, arch, nr, tuples[i], &tv);
				if (r < 0)
					return r;
				if (!tv.allowed)
					continue;
				k.n_exact = 1;
				k.exact[0] = (struct cf_arg){ .index = 0,
							      .value = tuples[i][0],
							      .op = CF_OP_EQ };
				r = synth_rule_add(s, &k, name, 0, "");
				if (r < 0)
					return r;
				placed++;
			}
			return placed == (int)need->n_arg0;
		}
	}
	return place_call(s, &c);
}

static int place_runtime(struct synth *s)
{
	for (size_t i = 0; i < s->o->n_needs; i++) {
		const struct cf_synth_need *need = &s->o->needs[i];
		bool before = name_allowed_somewhere(s, need->name);
		int r = place_one_need(s, need->name, need);

		if (r == -ENOENT)
			continue; /* not on this ABI: the runtime calls something else */
		if (r < 0)
			return r;
		if (r > 0 && !before)
			r = push_name(&s->res->runtime_added, &s->res->n_runtime_added, need->name);
		else if (r == 0 && need->fallback) {
			before = name_allowed_somewhere(s, need->fallback);
			r = place_one_need(s, need->fallback, &(struct cf_synth_need){ 0 });
			if (r > 0 && !before)
				r = push_name(&s->res->runtime_added, &s->res->n_runtime_added,
					      need->fallback);
			else if (r == 0)
				r = push_name(&s->res->runtime_denied, &s->res->n_runtime_denied,
					      need->name);
		} else if (r == 0) {
			r = push_name(&s->res->runtime_denied, &s->res->n_runtime_denied,
				      need->name);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* The capabilities the output asks for: those used (or the run's, when the observer could not
 * see checks), plus those the kept includes.caps gates need, never more than the run had. */
static cf_capset output_caps(const struct synth *s, const struct cf_resolved *out)
{
	cf_capset caps =
		s->rec->caps_observed ? s->rec->caps_used & s->o->run_caps : s->o->run_caps;

	for (size_t i = 0; out && i < out->n_rules; i++) {
		const struct cf_gate *g = &out->rules[i].rule->includes;

		if (!out->rules[i].active)
			continue;
		for (size_t j = 0; j < g->n_caps; j++) {
			int c = caps_from_name(g->caps[j]);

			if (c >= 0 && (s->o->run_caps & CF_CAP_BIT(c)))
				caps |= CF_CAP_BIT(c);
		}
	}
	return caps;
}

static size_t count_names(const struct cf_resolved *out)
{
	size_t n = 0;

	for (size_t i = 0; i < out->n_rules; i++) {
		const struct cf_rule *r = out->rules[i].rule;

		if (!out->rules[i].active || !synth_ret_allows(cf_action_ret(r->action, 0)))
			continue;
		for (size_t j = 0; j < r->n_names; j++) {
			bool seen = false;

			for (size_t k = 0; k < i && !seen; k++) {
				const struct cf_rule *q = out->rules[k].rule;

				if (!out->rules[k].active ||
				    !synth_ret_allows(cf_action_ret(q->action, 0)))
					continue;
				for (size_t m = 0; m < q->n_names && !seen; m++)
					seen = strcmp(q->names[m], r->names[j]) == 0;
			}
			n += !seen;
		}
	}
	return n;
}

static int finish(struct synth *s, struct cf_diag *reterr)
{
	struct cf_synth_result *res = s->res;
	cleanup(cf_profile_freep) struct cf_profile *built = NULL;
	cleanup(cf_resolved_freep) struct cf_resolved *out = NULL;
	cleanup(cf_bpf_prog_freep) struct cf_bpf_prog *prog = NULL;
	cleanup_free char *text = NULL;
	struct cf_emit_opts eo = { .format = CF_EMIT_DOCKER };
	struct cf_resolve_opts ro = s->o->base->opts;
	int r;

	r = synth_build_profile(s, &built);
	if (r < 0)
		return r;
	r = cf_emit(built, NULL, &eo, &text);
	if (r < 0)
		return r;
	/* what the user gets must be what the parser reads: check the text, not the struct */
	r = cf_profile_parse_buffer(s->o->label, text, strlen(text), &res->profile, reterr);
	if (r < 0)
		return r == -ENOMEM ? r : -EPROTO;
	ro.bounding = s->o->run_caps;
	r = cf_profile_resolve(res->profile, &ro, &out, reterr);
	if (r == 0)
		r = cf_filter_compile(out, &prog, reterr);
	if (r < 0)
		return r == -ENOMEM ? r : -EPROTO;
	r = synth_check(s, out, reterr);
	if (r < 0)
		return r;
	res->caps = output_caps(s, out);
	res->n_names = count_names(out);
	if (s->o->format == CF_SYNTH_OCI) {
		cleanup(cf_resolved_freep) struct cf_resolved *reduced = NULL;
		struct cf_emit_opts oo = { .format = CF_EMIT_OCI,
					   .no_new_privileges = s->o->no_new_privileges,
					   .caps = res->caps };

		/* the fragment carries the rules active for the capabilities it asks for */
		ro.bounding = res->caps;
		r = cf_profile_resolve(res->profile, &ro, &reduced, reterr);
		if (r < 0)
			return r == -ENOMEM ? r : -EPROTO;
		return cf_emit(res->profile, reduced, &oo, &res->text);
	}
	res->text = text;
	text = NULL;
	return 0;
}

int cf_synth(const struct cf_recording *rec, const struct cf_synth_opts *o,
	     struct cf_synth_result *ret, struct cf_diag *reterr)
{
	struct synth s = { .rec = rec, .o = o, .res = ret };
	int r;

	*ret = (struct cf_synth_result){ 0 };
	if (!rec || !o || !o->base || !o->label ||
	    (!o->base->seccomp_disabled && !o->base->resolved))
		return diag_set(reterr, EINVAL, NULL, 0, 0, NULL,
				"profile synthesis needs a recording and a base");
	ret->caps_observed = rec->caps_observed;
	ret->n_recorded = rec->n_calls;
	s.base = o->base->seccomp_disabled ? NULL : o->base->resolved;
	if (s.base) {
		r = cf_model_new(s.base, &s.model, reterr);
		if (r == 0)
			r = ir_build(s.base, &s.ir, reterr);
		if (r < 0)
			goto out;
	}
	r = place_recorded(&s);
	if (r == 0)
		r = place_probes(&s);
	if (r == 0)
		r = place_vdso(&s);
	if (r == 0)
		r = place_runtime(&s);
	if (r == 0 && s.n_expl) {
		r = cf_fix_set_compute(o->base, (const struct cf_explanation *const *)s.expl,
				       s.n_expl, &ret->fixes);
		ret->has_fixes = r == 0;
		if (r != -ENOMEM)
			r = 0;
	}
	if (r == 0)
		r = finish(&s, reterr);
out:
	for (size_t i = 0; i < s.n_expl; i++)
		free(s.expl[i]);
	free(s.expl);
	synth_rules_free(&s);
	s.ir = ir_free(s.ir);
	s.model = cf_model_free(s.model);
	if (r < 0)
		cf_synth_result_clear(ret);
	return r;
}

void cf_synth_result_clear(struct cf_synth_result *r)
{
	free(r->text);
	cf_profile_free(r->profile);
	free(r->runtime_added);
	free(r->runtime_denied);
	free(r->denied);
	if (r->has_fixes)
		cf_fix_set_clear(&r->fixes);
	*r = (struct cf_synth_result){ 0 };
}

int cf_synth_arg_watch(const struct cf_resolved *base, struct cf_rec_watch **ret, size_t *n)
{
	cleanup(ir_freep) struct cf_ir *ir = NULL;
	struct cf_rec_watch *v = NULL;
	size_t count = 0;
	int r;

	*ret = NULL;
	*n = 0;
	if (!base)
		return 0;
	r = ir_build(base, &ir, NULL);
	if (r < 0)
		return r;
	for (size_t k = 0; k < ir->n_abis; k++) {
		const struct ir_abi *abi = &ir->abis[k];

		for (size_t i = 0; i < abi->n_sys; i++) {
			const struct ir_sys *sys = &abi->sys[i];
			uint8_t mask = 0;
			struct cf_rec_watch *nv;

			if (!sys->chains)
				continue;
			for (size_t c = 0; c < sys->n_contribs; c++)
				for (size_t j = 0; j < sys->contribs[c].n_conds; j++)
					mask |= (uint8_t)(1u << sys->contribs[c].conds[j].arg);
			nv = realloc(v, (count + 1) * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
			v[count++] = (struct cf_rec_watch){ .arch = abi->info->audit_arch,
							    .nr = (int32_t)sys->nr,
							    .arg_mask = mask };
		}
	}
	*ret = v;
	*n = count;
	return 0;
}
