/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `record --merge`: the union of recorded profiles that never widens an argument rule.
 *
 * The Security Profiles Operator's merger concatenates the argument lists of rules naming the
 * same syscall (security-profiles-merger unionArgs); under runc, a rule whose conditions repeat
 * an argument index is split into one OR'ed rule per condition, so {a0==1 && a1==2} united with
 * {a0==3} becomes a0==1 || a1==2 || a0==3, wider than both inputs. Here rules stay whole: the
 * union of two rules with one action is exactly "either rule matches" (model.c: rules of one
 * action are an OR of their conjunctions), so every rule is kept as written, and only what is
 * redundant goes: a name allowed outright by some input needs none of its other rules, an
 * identical rule is kept once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strbuf.h"
#include "bpf/filter.h"
#include "record/synth-internal.h"

static bool gate_empty(const struct cf_gate *g)
{
	return !g->n_caps && !g->n_arches && !g->min_kernel.set;
}

static bool outright(const struct cf_rule *r)
{
	return r->action == CF_ACT_ALLOW && !r->n_args && gate_empty(&r->includes) &&
	       gate_empty(&r->excludes);
}

static bool strv_eq(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

static bool gate_eq(const struct cf_gate *a, const struct cf_gate *b)
{
	return strv_eq(a->caps, a->n_caps, b->caps, b->n_caps) &&
	       strv_eq(a->arches, a->n_arches, b->arches, b->n_arches) &&
	       a->min_kernel.set == b->min_kernel.set &&
	       (!a->min_kernel.set || (a->min_kernel.major == b->min_kernel.major &&
				       a->min_kernel.minor == b->min_kernel.minor));
}

/* Same meaning for one name: action, errno, conditions (in order) and gates. */
static bool rule_same(const struct cf_rule *a, const struct cf_rule *b)
{
	if (a->action != b->action || a->has_errno != b->has_errno ||
	    (a->has_errno && a->errno_ret != b->errno_ret) || a->n_args != b->n_args ||
	    !gate_eq(&a->includes, &b->includes) || !gate_eq(&a->excludes, &b->excludes))
		return false;
	for (size_t i = 0; i < a->n_args; i++) {
		const struct cf_arg *x = &a->args[i], *y = &b->args[i];

		if (x->index != y->index || x->op != y->op || x->value != y->value ||
		    (x->op == CF_OP_MASKED_EQ && x->value_two != y->value_two))
			return false;
	}
	return true;
}

static bool names_has(const struct cf_rule *r, const char *name)
{
	for (size_t i = 0; i < r->n_names; i++)
		if (strcmp(r->names[i], name) == 0)
			return true;
	return false;
}

static bool arch_setup_eq(const struct cf_profile *a, const struct cf_profile *b)
{
	if (a->n_architectures != b->n_architectures || a->n_arch_map != b->n_arch_map)
		return false;
	for (size_t i = 0; i < a->n_architectures; i++)
		if (a->architectures[i] != b->architectures[i])
			return false;
	for (size_t i = 0; i < a->n_arch_map; i++) {
		if (a->arch_map[i].arch != b->arch_map[i].arch ||
		    a->arch_map[i].n_sub != b->arch_map[i].n_sub)
			return false;
		for (size_t j = 0; j < a->arch_map[i].n_sub; j++)
			if (a->arch_map[i].sub[j] != b->arch_map[i].sub[j])
				return false;
	}
	return true;
}

static int check_same_frame(const struct cf_profile *const *in, const char *const *src, size_t n,
			    struct cf_diag *reterr)
{
	for (size_t i = 1; i < n; i++) {
		const struct cf_profile *a = in[0], *b = in[i];
		const char *what = NULL;

		if (a->default_action != b->default_action)
			what = "defaultAction";
		else if ((a->has_default_errno ? a->default_errno : EPERM) !=
			 (b->has_default_errno ? b->default_errno : EPERM))
			what = "defaultErrnoRet";
		else if (!arch_setup_eq(a, b))
			what = "architectures/archMap";
		else if (a->flags != b->flags)
			what = "flags";
		else if (a->listener_path || b->listener_path)
			what = "listenerPath";
		if (what) {
			int r = diag_set(reterr, EINVAL, src[i], 0, 0, NULL,
					 "%s differs from %s's (or is not supported by --merge)",
					 what, src[0]);

			diag_hint(reterr, "record --merge unites profiles written by callfence "
					  "record against the same base; record them with the same "
					  "options");
			return r;
		}
	}
	return 0;
}

/*
 * Conditional rules of different actions for one name are decided by libseccomp's merged
 * tree, whose level order (not the rule order) is the semantics: uniting such rules from two
 * inputs can give neither input's answer, so it is refused rather than guessed.
 */
static int check_mixed(const struct cf_profile *const *in, const char *const *src, size_t n,
		       struct cf_diag *reterr)
{
	for (size_t i = 0; i < n; i++)
		for (size_t a = 0; a < in[i]->n_rules; a++) {
			const struct cf_rule *ra = &in[i]->rules[a];

			if (!ra->n_args)
				continue;
			for (size_t j = i + 1; j < n; j++)
				for (size_t b = 0; b < in[j]->n_rules; b++) {
					const struct cf_rule *rb = &in[j]->rules[b];

					if (!rb->n_args || rb->action == ra->action)
						continue;
					for (size_t k = 0; k < ra->n_names; k++) {
						int r;

						if (!names_has(rb, ra->names[k]))
							continue;
						r = diag_set(
							reterr, EINVAL, src[j], rb->pos.line,
							rb->pos.column, NULL,
							"cannot unite the argument rules for \"%s\": "
							"%s has %s and this file %s",
							ra->names[k], src[i],
							cf_action_name(ra->action),
							cf_action_name(rb->action));
						diag_hint(
							reterr,
							"libseccomp's merged tree would decide their "
							"union in neither file's way; record those runs "
							"in one `callfence record`");
						return r;
					}
				}
		}
	return 0;
}

/* Whether a name of rule (i, a) is redundant given every input and what is already kept. */
static bool redundant(const struct cf_profile *const *in, size_t n, size_t i, size_t a,
		      const char *name, const struct cf_profile *out)
{
	const struct cf_rule *r = &in[i]->rules[a];

	for (size_t j = 0; j < n; j++)
		for (size_t b = 0; b < in[j]->n_rules; b++)
			if (!outright(r) && outright(&in[j]->rules[b]) &&
			    names_has(&in[j]->rules[b], name))
				return true;
	for (size_t b = 0; b < out->n_rules; b++)
		if (names_has(&out->rules[b], name) &&
		    (rule_same(&out->rules[b], r) ||
		     /* the first unconditional rule decides (libseccomp): a later one for
		      * the same name never would */
		     (!out->rules[b].n_args && !r->n_args &&
		      gate_eq(&r->includes, &out->rules[b].includes) &&
		      gate_eq(&r->excludes, &out->rules[b].excludes))))
			return true;
	return false;
}

static int copy_rule(const struct cf_rule *r, const char *source, char **names, size_t n_names,
		     struct cf_rule *out)
{
	struct strbuf c = { 0 };
	int q;

	*out = (struct cf_rule){ .action = r->action,
				 .has_errno = r->has_errno,
				 .errno_ret = r->errno_ret,
				 .names = names,
				 .n_names = n_names };
	out->name_pos = calloc(n_names ? n_names : 1, sizeof(*out->name_pos));
	if (!out->name_pos)
		return -ENOMEM;
	if (r->n_args) {
		out->args = calloc(r->n_args, sizeof(*out->args));
		if (!out->args)
			return -ENOMEM;
		memcpy(out->args, r->args, r->n_args * sizeof(*r->args));
		out->n_args = r->n_args;
	}
	q = synth_gate_dup(&r->includes, &out->includes);
	if (q == 0)
		q = synth_gate_dup(&r->excludes, &out->excludes);
	if (q < 0)
		return q;
	strbuf_appendf(&c, "%s: %s", source,
		       r->comment && r->comment[0] ? r->comment : "(no comment)");
	return strbuf_steal(&c, &out->comment);
}

static int copy_frame(const struct cf_profile *a, struct cf_profile *p)
{
	p->format = CF_FORMAT_DOCKER;
	p->has_default_action = true;
	p->default_action = a->default_action;
	p->has_default_errno = a->has_default_errno;
	p->default_errno = a->default_errno;
	p->flags = a->flags;
	p->has_flags = a->has_flags;
	p->source = strdup("merged");
	if (!p->source)
		return -ENOMEM;
	return synth_copy_arches(a, p);
}

int cf_synth_merge(const struct cf_profile *const *in, const char *const *sources, size_t n,
		   char **ret_text, struct cf_diag *reterr)
{
	cleanup(cf_profile_freep) struct cf_profile *p = NULL;
	cleanup(cf_profile_freep) struct cf_profile *back = NULL;
	cleanup(cf_resolved_freep) struct cf_resolved *res = NULL;
	cleanup(cf_bpf_prog_freep) struct cf_bpf_prog *prog = NULL;
	cleanup_free char *text = NULL;
	struct cf_emit_opts eo = { .format = CF_EMIT_DOCKER };
	struct cf_resolve_opts ro = { .native = CF_ARCH_INVALID, .bounding = caps_available() };
	size_t total = 0;
	int r;

	if (n == 0)
		return diag_set(reterr, EINVAL, NULL, 0, 0, "--merge", "no profile to merge");
	r = check_same_frame(in, sources, n, reterr);
	if (r == 0)
		r = check_mixed(in, sources, n, reterr);
	if (r < 0)
		return r;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	r = copy_frame(in[0], p);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		total += in[i]->n_rules;
	p->rules = calloc(total ? total : 1, sizeof(*p->rules));
	if (!p->rules)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		for (size_t a = 0; a < in[i]->n_rules; a++) {
			const struct cf_rule *rule = &in[i]->rules[a];
			char **names = calloc(rule->n_names ? rule->n_names : 1, sizeof(*names));
			size_t k = 0;

			if (!names)
				return -ENOMEM;
			for (size_t j = 0; j < rule->n_names; j++) {
				if (redundant(in, n, i, a, rule->names[j], p))
					continue;
				names[k] = strdup(rule->names[j]);
				if (!names[k++]) {
					for (size_t m = 0; m < k; m++)
						free(names[m]);
					free(names);
					return -ENOMEM;
				}
			}
			if (!k) {
				free(names);
				continue;
			}
			r = copy_rule(rule, sources[i], names, k, &p->rules[p->n_rules++]);
			if (r < 0)
				return r;
		}
	r = cf_emit(p, NULL, &eo, &text);
	if (r < 0)
		return r;
	/* the result goes through the normal parser, resolver and compiler before it is written */
	r = cf_profile_parse_buffer("merged", text, strlen(text), &back, reterr);
	if (r == 0)
		r = cf_profile_resolve(back, &ro, &res, reterr);
	if (r == 0)
		r = cf_filter_compile(res, &prog, reterr);
	if (r < 0)
		return r;
	*ret_text = text;
	text = NULL;
	return 0;
}
