/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The rules of a synthesized profile: grouping (one rule per reason), the comment that says the
 * reason with provenance and counts, and the struct cf_profile handed to the emitter. A base
 * rule that is copied keeps its args, action, errnoRet and includes/excludes exactly (only its
 * names change), so its meaning under moby's resolution and runc's OR-splitting is the base's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strbuf.h"
#include "record/synth-internal.h"

static bool same_key(const struct synth_rule *a, const struct synth_rule *b)
{
	if (a->kind != b->kind || a->base_index != b->base_index || a->action != b->action ||
	    a->has_errno != b->has_errno || a->errno_ret != b->errno_ret ||
	    a->n_exact != b->n_exact || strcmp(a->group, b->group) != 0)
		return false;
	for (size_t i = 0; i < a->n_exact; i++)
		if (a->exact[i].index != b->exact[i].index ||
		    a->exact[i].value != b->exact[i].value || a->exact[i].op != b->exact[i].op)
			return false;
	return true;
}

int synth_rule_add(struct synth *s, const struct synth_rule *key, const char *name, uint64_t count,
		   const char *detail)
{
	struct synth_rule *r = NULL;
	struct synth_entry *e;

	for (size_t i = 0; i < s->n_rules && !r; i++)
		if (same_key(&s->rules[i], key))
			r = &s->rules[i];
	if (!r) {
		r = realloc(s->rules, (s->n_rules + 1) * sizeof(*r));
		if (!r)
			return -ENOMEM;
		s->rules = r;
		r = &r[s->n_rules++];
		*r = *key;
		r->entries = NULL;
		r->n_entries = 0;
	}
	for (size_t i = 0; i < r->n_entries; i++)
		if (strcmp(r->entries[i].name, name) == 0) {
			r->entries[i].count += count;
			return 0;
		}
	e = realloc(r->entries, (r->n_entries + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	r->entries = e;
	e = &e[r->n_entries++];
	*e = (struct synth_entry){ .count = count };
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->detail, sizeof(e->detail), "%s", detail ? detail : "");
	return 0;
}

static bool unconditional_allow(const struct synth_rule *r)
{
	return r->base_index < 0 && r->n_exact == 0 && r->action == CF_ACT_ALLOW;
}

bool synth_name_unconditional(const struct synth *s, const char *name)
{
	for (size_t i = 0; i < s->n_rules; i++) {
		if (!unconditional_allow(&s->rules[i]))
			continue;
		for (size_t j = 0; j < s->rules[i].n_entries; j++)
			if (strcmp(s->rules[i].entries[j].name, name) == 0)
				return true;
	}
	return false;
}

void synth_rules_free(struct synth *s)
{
	for (size_t i = 0; i < s->n_rules; i++)
		free(s->rules[i].entries);
	free(s->rules);
	s->rules = NULL;
	s->n_rules = 0;
}

/* ------------------------------------------------------------------------------------------- */
/* Comments */

static void describe_args(struct strbuf *b, const struct cf_arg *args, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct cf_arg *a = &args[i];
		static const char *const ops[CF_OP_COUNT] = {
			[CF_OP_NE] = "!=", [CF_OP_LT] = "<",  [CF_OP_LE] = "<=",
			[CF_OP_EQ] = "==", [CF_OP_GE] = ">=", [CF_OP_GT] = ">",
		};

		strbuf_append(b, i ? ", " : "");
		if (a->op == CF_OP_MASKED_EQ)
			strbuf_appendf(b, "arg%u & 0x%" PRIx64 " == 0x%" PRIx64, a->index, a->value,
				       a->value_two);
		else if (a->op >= 0 && a->op < CF_OP_COUNT && ops[a->op])
			strbuf_appendf(b, "arg%u %s 0x%" PRIx64, a->index, ops[a->op], a->value);
	}
}

static void describe_gate(struct strbuf *b, const char *word, const struct cf_gate *g)
{
	if (g->n_caps) {
		strbuf_appendf(b, " %s.caps", word);
		for (size_t i = 0; i < g->n_caps; i++)
			strbuf_appendf(b, "%s%s", i ? "," : " ", g->caps[i]);
	}
	if (g->n_arches) {
		strbuf_appendf(b, " %s.arches", word);
		for (size_t i = 0; i < g->n_arches; i++)
			strbuf_appendf(b, "%s%s", i ? "," : " ", g->arches[i]);
	}
	if (g->min_kernel.set)
		strbuf_appendf(b, " %s.minKernel %u.%u", word, g->min_kernel.major,
			       g->min_kernel.minor);
}

static void entries_text(struct strbuf *b, const struct synth_rule *r, bool counts)
{
	for (size_t i = 0; i < r->n_entries; i++) {
		const struct synth_entry *e = &r->entries[i];

		strbuf_append(b, i ? ", " : "");
		strbuf_append(b, e->name);
		if (counts && e->count)
			strbuf_appendf(b, " x%" PRIu64, e->count);
		if (e->detail[0])
			strbuf_appendf(b, " (%s)", e->detail);
	}
}

static int comment(const struct synth *s, const struct synth_rule *r, char **ret)
{
	const struct cf_synth_opts *o = s->o;
	const struct cf_profile *bp = o->base->profile;
	const char *base_label = o->base->label ? o->base->label : "the base profile";
	struct strbuf b = { 0 };
	char loc[320] = "";

	if (r->base_index >= 0)
		cf_explain_rule_location(bp, (size_t)r->base_index, loc, sizeof(loc));
	switch (r->kind) {
	case SK_RECORDED:
	case SK_GATED:
	case SK_ARG:
	case SK_EXACT:
		strbuf_appendf(&b, "%s by %s", o->label, o->tool ? o->tool : "callfence");
		if (s->rec->observer)
			strbuf_appendf(&b, " (%s)", s->rec->observer);
		if (r->kind == SK_RECORDED)
			strbuf_appendf(&b, ", first called by %s", r->group);
		if (r->kind == SK_GATED) {
			const struct cf_rule *br = &bp->rules[r->base_index];

			strbuf_appendf(&b, ", allowed by %s only with", loc);
			describe_gate(&b, "includes", &br->includes);
			describe_gate(&b, "excludes", &br->excludes);
			strbuf_append(&b, " (kept)");
		}
		if (r->kind == SK_ARG) {
			const struct cf_rule *br = &bp->rules[r->base_index];

			strbuf_appendf(&b, ", argument-conditioned as %s: ", loc);
			describe_args(&b, br->args, br->n_args);
			describe_gate(&b, "includes", &br->includes);
			describe_gate(&b, "excludes", &br->excludes);
		}
		if (r->kind == SK_EXACT) {
			strbuf_append(&b, ", argument-conditioned to the exact values recorded (");
			describe_args(&b, r->exact, r->n_exact);
			strbuf_appendf(&b, "; %s allows them only by its default action)",
				       base_label);
		}
		strbuf_append(&b, ": ");
		entries_text(&b, r, true);
		break;
	case SK_PROBE:
		strbuf_append(&b, "libc ENOSYS probe: answered ENOSYS as by a kernel without the "
				  "call, so libc takes its fallback (a profile's EPERM would be an "
				  "error to it): ");
		entries_text(&b, r, true);
		break;
	case SK_FALLBACK:
		strbuf_append(&b, "libc fallback: what libc calls when its probe gets ENOSYS");
		if (r->base_index >= 0) {
			strbuf_appendf(&b, ", argument-conditioned as %s: ", loc);
			describe_args(&b, bp->rules[r->base_index].args,
				      bp->rules[r->base_index].n_args);
			describe_gate(&b, "includes", &bp->rules[r->base_index].includes);
			describe_gate(&b, "excludes", &bp->rules[r->base_index].excludes);
		} else if (r->n_exact) {
			strbuf_append(&b, ", exactly ");
			describe_args(&b, r->exact, r->n_exact);
		}
		strbuf_append(&b, ": ");
		entries_text(&b, r, false);
		break;
	case SK_VDSO:
		strbuf_appendf(&b,
			       "vDSO: served without a syscall on the recording host, so a "
			       "recording may not see them; allowed (as %s does) for hosts and "
			       "ABIs without a vDSO: ",
			       base_label);
		entries_text(&b, r, false);
		break;
	case SK_RUNTIME:
		strbuf_appendf(&b,
			       "runtime needs: what %s calls after installing the filter, before "
			       "the command starts, not %s from the command",
			       o->runtime ? o->runtime : "the runtime", o->label);
		if (r->base_index >= 0) {
			strbuf_appendf(&b, "; argument-conditioned as %s: ", loc);
			describe_args(&b, bp->rules[r->base_index].args,
				      bp->rules[r->base_index].n_args);
		} else if (r->n_exact) {
			strbuf_append(&b, "; only ");
			describe_args(&b, r->exact, r->n_exact);
		}
		strbuf_append(&b, ": ");
		entries_text(&b, r, false);
		break;
	case SK_COUNT:
		break;
	}
	return strbuf_steal(&b, ret);
}

/* ------------------------------------------------------------------------------------------- */
/* The profile */

int synth_strv_dup(char *const *src, size_t n, char ***ret)
{
	char **v;

	*ret = NULL;
	if (!n)
		return 0;
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	*ret = v; /* partially filled is freed by cf_profile_free (NULL entries are fine) */
	for (size_t i = 0; i < n; i++) {
		v[i] = strdup(src[i]);
		if (!v[i])
			return -ENOMEM;
	}
	return 0;
}

int synth_gate_dup(const struct cf_gate *src, struct cf_gate *g)
{
	int r = synth_strv_dup(src->caps, src->n_caps, &g->caps);

	g->n_caps = g->caps ? src->n_caps : 0;
	if (r < 0)
		return r;
	r = synth_strv_dup(src->arches, src->n_arches, &g->arches);
	g->n_arches = g->arches ? src->n_arches : 0;
	g->min_kernel = src->min_kernel;
	return r;
}

int synth_copy_arches(const struct cf_profile *a, struct cf_profile *p)
{
	if (a->n_architectures) {
		p->architectures = calloc(a->n_architectures, sizeof(*p->architectures));
		if (!p->architectures)
			return -ENOMEM;
		memcpy(p->architectures, a->architectures,
		       a->n_architectures * sizeof(*a->architectures));
		p->n_architectures = a->n_architectures;
	}
	if (!a->n_arch_map)
		return 0;
	p->arch_map = calloc(a->n_arch_map, sizeof(*p->arch_map));
	if (!p->arch_map)
		return -ENOMEM;
	for (size_t i = 0; i < a->n_arch_map; i++) {
		p->arch_map[i].arch = a->arch_map[i].arch;
		p->n_arch_map = i + 1;
		if (!a->arch_map[i].n_sub)
			continue;
		p->arch_map[i].sub = calloc(a->arch_map[i].n_sub, sizeof(enum cf_arch));
		if (!p->arch_map[i].sub)
			return -ENOMEM;
		memcpy(p->arch_map[i].sub, a->arch_map[i].sub,
		       a->arch_map[i].n_sub * sizeof(enum cf_arch));
		p->arch_map[i].n_sub = a->arch_map[i].n_sub;
	}
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct synth_entry *)a)->name, ((const struct synth_entry *)b)->name);
}

static int fill_rule(const struct synth *s, struct synth_rule *sr, struct cf_rule *out)
{
	const struct cf_rule *br =
		sr->base_index >= 0 ? &s->o->base->profile->rules[sr->base_index] : NULL;
	const struct cf_arg *args = br ? br->args : sr->exact;
	size_t n_args = br ? br->n_args : sr->n_exact;
	int r;

	qsort(sr->entries, sr->n_entries, sizeof(sr->entries[0]), cmp_entry);
	out->names = calloc(sr->n_entries, sizeof(*out->names));
	out->name_pos = calloc(sr->n_entries, sizeof(*out->name_pos));
	if (!out->names || !out->name_pos)
		return -ENOMEM;
	for (size_t i = 0; i < sr->n_entries; i++) {
		out->names[i] = strdup(sr->entries[i].name);
		if (!out->names[i])
			return -ENOMEM;
		out->n_names = i + 1;
	}
	out->action = sr->action;
	out->has_errno = br ? br->has_errno : sr->has_errno;
	out->errno_ret = br ? br->errno_ret : sr->errno_ret;
	if (n_args) {
		out->args = calloc(n_args, sizeof(*out->args));
		if (!out->args)
			return -ENOMEM;
		memcpy(out->args, args, n_args * sizeof(*args));
		out->n_args = n_args;
	}
	if (br) {
		r = synth_gate_dup(&br->includes, &out->includes);
		if (r == 0)
			r = synth_gate_dup(&br->excludes, &out->excludes);
		if (r < 0)
			return r;
	}
	return comment(s, sr, &out->comment);
}

/* A name allowed outright needs no other rule: libseccomp lets the unconditional rule decide
 * (ir.h), so the others would only be noise for the reviewer. */
static void drop_shadowed(struct synth *s)
{
	for (size_t i = 0; i < s->n_rules; i++) {
		struct synth_rule *r = &s->rules[i];

		if (unconditional_allow(r))
			continue;
		for (size_t j = 0; j < r->n_entries;) {
			if (synth_name_unconditional(s, r->entries[j].name)) {
				memmove(&r->entries[j], &r->entries[j + 1],
					(r->n_entries - j - 1) * sizeof(r->entries[0]));
				r->n_entries--;
			} else {
				j++;
			}
		}
	}
}

int synth_build_profile(const struct synth *cs, struct cf_profile **ret)
{
	struct synth *s = (struct synth *)cs;
	cleanup(cf_profile_freep) struct cf_profile *p = NULL;
	cleanup(cf_profile_freep) struct cf_profile *docker = NULL;
	size_t n = 0;
	int r;

	drop_shadowed(s);
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->source = strdup(s->o->label);
	if (!p->source)
		return -ENOMEM;
	p->format = CF_FORMAT_DOCKER;
	p->has_default_action = true;
	p->default_action = CF_ACT_ERRNO;
	/* moby's default.json: "defaultErrnoRet": 1 (EPERM) */
	p->has_default_errno = true;
	p->default_errno = EPERM;
	/* the base's architectures (Docker's archMap for the builtin): accepting an ABI the base
	 * kills would be looser; Docker's archMap when unconfined */
	if (!s->base) {
		r = cf_profile_builtin(&docker);
		if (r < 0)
			return r;
	}
	r = synth_copy_arches(s->base ? s->o->base->profile : docker, p);
	if (r < 0)
		return r;

	for (size_t i = 0; i < s->n_rules; i++)
		n += s->rules[i].n_entries > 0;
	p->rules = calloc(n ? n : 1, sizeof(*p->rules));
	if (!p->rules)
		return -ENOMEM;
	for (int kind = 0; kind < SK_COUNT; kind++)
		for (size_t i = 0; i < s->n_rules; i++) {
			if ((int)s->rules[i].kind != kind || !s->rules[i].n_entries)
				continue;
			p->n_rules++;
			r = fill_rule(s, &s->rules[i], &p->rules[p->n_rules - 1]);
			if (r < 0)
				return r;
		}
	*ret = p;
	p = NULL;
	return 0;
}
