/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Lint checks on the profile's rules as written: names, capability spellings, argument
 * conditions, actions that cannot matter, and what the lenient parse let through.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/lint-int.h"
#include "base/suggest.h"
#include "explain/explain.h"

const char *const cf_libseccomp_254_gaps[] = {
	/* kernel 6.4 (riscv64) .. 6.19; Debian 12 ships libseccomp 2.5.4 (2022) */
	"file_getattr",	  "file_setattr",      "getxattrat",	   "listmount",		"listns",
	"listxattrat",	  "lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr", "mseal",
	"open_tree_attr", "removexattrat",     "riscv_hwprobe",	   "setxattrat",	"statmount",
	"uprobe",	  "uretprobe",
};
const size_t cf_libseccomp_254_n_gaps = ARRAY_SIZE(cf_libseccomp_254_gaps);

bool cf_libseccomp_254_lacks(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(cf_libseccomp_254_gaps); i++)
		if (strcmp(cf_libseccomp_254_gaps[i], name) == 0)
			return true;
	return false;
}

static uint32_t default_ret(const struct lint_ctx *c)
{
	const struct cf_profile *p = c->p;

	return cf_action_ret(p->default_action, p->has_default_errno ? p->default_errno : EPERM);
}

/* The rule confines more than the default: a name dropped from it is a hole. */
static bool stricter_than_default(const struct lint_ctx *c, const struct cf_rule *rule)
{
	return lint_ret_rank(lint_rule_ret(rule)) < lint_ret_rank(default_ret(c));
}

static bool rule_active(const struct lint_ctx *c, size_t i)
{
	return c->r && i < c->r->n_rules && c->r->rules[i].active;
}

/* errno-zero: what CF_PARSE_KEEP_ERRNO_ZERO let through */
static void check_errno_zero(struct lint_ctx *c)
{
	for (size_t i = 0; c->accepted && i < c->accepted->n; i++) {
		const struct cf_diag *d = &c->accepted->items[i];
		const char *ptr = d->path;

		/* the diag's pointer is the document's; lint_add prepends the base again */
		if (c->base[0] && strncmp(ptr, c->base, strlen(c->base)) == 0)
			ptr += strlen(c->base);
		lint_add(c, "errno-zero", CF_LINT_ERROR, (struct cf_pos){ d->line, d->column }, ptr,
			 "use an errno (1 EPERM, 13 EACCES, 38 ENOSYS); to let the call run use "
			 "SCMP_ACT_ALLOW",
			 "%s (a setuid() that \"succeeds\" leaves the program root; runc and "
			 "libseccomp install it as written)",
			 d->message);
	}
}

static void suggest_name(const char *name, char *fix, size_t size)
{
	struct cf_suggest s;
	unsigned n = syscall_n_ids();

	cf_suggest_init(&s, name);
	for (unsigned id = 0; id < n; id++)
		cf_suggest_consider(&s, syscall_id_name((int)id));
	if (cf_suggest_is_near_miss(&s))
		snprintf(fix, size, "did you mean \"%s\"?", s.best);
	else
		snprintf(fix, size,
			 "check the name against the kernel's syscall tables (ours: Linux %s)",
			 syscall_table_version());
}

static void check_unknown(struct lint_ctx *c)
{
	for (size_t i = 0; i < c->p->n_rules; i++) {
		const struct cf_rule *rule = &c->p->rules[i];
		bool stricter = stricter_than_default(c, rule);

		for (size_t j = 0; j < rule->n_names; j++) {
			const char *name = rule->names[j];
			char ptr[96], fix[256];
			struct cf_pos pos;

			lint_name_at(c, i, j, ptr, sizeof(ptr), &pos);
			if (!syscall_name_known(name)) {
				suggest_name(name, fix, sizeof(fix));
				lint_add(c, "unknown-syscall",
					 stricter ? CF_LINT_ERROR : CF_LINT_WARNING, pos, ptr, fix,
					 "no syscall table knows \"%s\": runc and crun drop it "
					 "silently (runtime-spec#972), so %s",
					 name,
					 stricter ? "the call this rule was meant to confine is "
						    "decided by the default (a typo is a hole)" :
						    "the rule does nothing for it");
			} else if (cf_libseccomp_254_lacks(name)) {
				lint_add(
					c, "unknown-syscall",
					stricter ? CF_LINT_WARNING : CF_LINT_INFO, pos, ptr,
					"run the container with libseccomp >= 2.6 (or accept the "
					"default's verdict for it)",
					"libseccomp 2.5.4 (Debian 12) does not know \"%s\": runc and "
					"crun linked with it drop it from this rule, so the call gets "
					"the default action (or ENOSYS above the profile's newest "
					"number) there; callfence honours the rule",
					name);
			}
		}
	}
}

/* cap-spelling / arch-spelling: moby compares exact strings */
static void check_gate(struct lint_ctx *c, size_t i, const struct cf_gate *g, const char *which)
{
	for (size_t k = 0; k < g->n_caps; k++) {
		const char *cap = g->caps[k];
		int bit = caps_from_name(cap);
		char ptr[96], fix[160];

		if (bit >= 0 && strcmp(caps_to_name(bit), cap) == 0)
			continue;
		snprintf(ptr, sizeof(ptr), "/syscalls/%zu/%s/caps/%zu", i, which, k);
		if (bit >= 0)
			snprintf(fix, sizeof(fix), "write \"%s\"", caps_to_name(bit));
		else
			snprintf(
				fix, sizeof(fix),
				"use a capability name of capabilities(7), e.g. \"CAP_SYS_ADMIN\"");
		lint_add(
			c, "cap-spelling", CF_LINT_WARNING, lint_locate(c, ptr, g->pos), ptr, fix,
			"Docker never matches \"%s\" (moby compares exact \"CAP_*\" names): %s",
			cap,
			strcmp(which, "includes") == 0 ?
				"the rule never applies, whatever capabilities are granted" :
				"the rule is never excluded by it, even when the capability is held");
	}
	for (size_t k = 0; k < g->n_arches; k++) {
		char ptr[96];

		if (arch_from_native_name(g->arches[k]) != CF_ARCH_INVALID)
			continue;
		snprintf(ptr, sizeof(ptr), "/syscalls/%zu/%s/arches/%zu", i, which, k);
		lint_add(c, "arch-spelling", CF_LINT_WARNING, lint_locate(c, ptr, g->pos), ptr,
			 "use moby's native names: amd64, x86, x32, arm64, arm, s390x, ppc64le, "
			 "riscv64, ...",
			 "Docker never matches architecture \"%s\" (it compares the daemon's "
			 "native name, e.g. \"amd64\")",
			 g->arches[k]);
	}
}

static void check_same_as_default(struct lint_ctx *c, size_t i)
{
	const struct cf_rule *rule = &c->p->rules[i];
	char ptr[64], text[64];

	if (!rule_active(c, i) || lint_rule_ret(rule) != default_ret(c))
		return;
	snprintf(ptr, sizeof(ptr), "/syscalls/%zu/action", i);
	cf_explain_ret_name(default_ret(c), text, sizeof(text));
	lint_add(c, "same-as-default", CF_LINT_WARNING, rule->action_pos, ptr,
		 "remove the rule, or give it the action it was meant to have",
		 "the rule's action is the default action %s: it cannot change a verdict, and "
		 "runc skips it (podman#11029 \"requested action matches default action\"); its "
		 "names only move runc's ENOSYS boundary",
		 text);
}

static void check_arg_index_or(struct lint_ctx *c, size_t i)
{
	const struct cf_rule *rule = &c->p->rules[i];
	unsigned seen = 0;

	for (size_t k = 0; k < rule->n_args; k++) {
		unsigned idx = rule->args[k].index;
		bool widens = !stricter_than_default(c, rule);
		char ptr[64];

		if (!(seen & (1u << idx))) {
			seen |= 1u << idx;
			continue;
		}
		snprintf(ptr, sizeof(ptr), "/syscalls/%zu/args/%zu", i, k);
		lint_add(
			c, "arg-index-or", widens ? CF_LINT_ERROR : CF_LINT_WARNING,
			rule->args[k].pos, ptr,
			"to AND conditions on one argument, express them as one SCMP_CMP_MASKED_EQ "
			"or split the range; to OR them on purpose, write one rule per condition",
			"argument %u is compared twice in this rule: runc (seccomp_linux.go, "
			"runc#2735) then makes every condition of the rule its own rule, so the "
			"conditions are ORed, not ANDed: the %s applies when ANY one holds",
			idx, widens ? "allow" : "action");
		return;
	}
}

/* duplicate-name: the first (rule, name) of each syscall among active rules */
static void check_duplicates(struct lint_ctx *c)
{
	unsigned n = syscall_n_ids();
	cleanup_free size_t *first = calloc(n ? n : 1, sizeof(*first)); /* rule + 1 */
	cleanup_free size_t *first_j = calloc(n ? n : 1, sizeof(*first_j));

	if (!first || !first_j) {
		c->error = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < c->p->n_rules; i++) {
		const struct cf_rule *rule = &c->p->rules[i];

		if (!rule_active(c, i))
			continue;
		for (size_t j = 0; j < rule->n_names; j++) {
			int id = syscall_name_id(rule->names[j]);
			const struct cf_rule *other;
			char ptr[96], a[64], b[64];
			struct cf_pos pos;

			if (id < 0)
				continue;
			if (!first[id]) {
				first[id] = i + 1;
				first_j[id] = j;
				continue;
			}
			other = &c->p->rules[first[id] - 1];
			lint_name_at(c, i, j, ptr, sizeof(ptr), &pos);
			if (first[id] - 1 == i) {
				lint_add(c, "duplicate-name", CF_LINT_INFO, pos, ptr,
					 "remove the repeated name",
					 "\"%s\" is named twice in this rule", rule->names[j]);
				continue;
			}
			if (lint_rule_ret(other) == lint_rule_ret(rule))
				continue; /* same verdict: conditions merge into one allow-set */
			cf_explain_ret_name(lint_rule_ret(other), a, sizeof(a));
			cf_explain_ret_name(lint_rule_ret(rule), b, sizeof(b));
			lint_add(
				c, "duplicate-name", CF_LINT_WARNING, pos, ptr,
				"keep the syscall in one rule, or make the conditions of the rules "
				"disjoint",
				"\"%s\" is also named by rule %zu (line %u) with %s; here %s: the "
				"verdicts compete (libseccomp keeps the first unconditional rule and "
				"merges conditional ones into one tree, refusing some combinations)",
				rule->names[j], first[id] - 1, other->pos.line, a, b);
		}
	}
}

void lint_check_rules(struct lint_ctx *c)
{
	check_errno_zero(c);
	check_unknown(c);
	for (size_t i = 0; i < c->p->n_rules; i++) {
		check_gate(c, i, &c->p->rules[i].includes, "includes");
		check_gate(c, i, &c->p->rules[i].excludes, "excludes");
		check_same_as_default(c, i);
		check_arg_index_or(c, i);
	}
	check_duplicates(c);
}
