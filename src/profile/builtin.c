/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Docker's default profile (moby/profiles seccomp/default.json), built from the constant tables
 * in builtin-data.c into the same heap shape the parser produces, so every later stage (resolve,
 * emit, explain) and cf_profile_free() treat it exactly like a parsed file. Positions stay 0:
 * there is no file to point into.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/macro.h"
#include "profile/builtin-data.h"
#include "profile/profile.h"

static int dup_strv(const char *const *src, size_t n, char ***ret)
{
	char **v;

	if (n == 0) {
		*ret = NULL;
		return 0;
	}
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		v[i] = strdup(src[i]);
		if (!v[i]) {
			for (size_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			return -ENOMEM;
		}
	}
	*ret = v;
	return 0;
}

static int build_gate(const struct builtin_gate *src, struct cf_gate *g)
{
	int r;

	r = dup_strv(src->caps, src->n_caps, &g->caps);
	if (r < 0)
		return r;
	g->n_caps = src->n_caps;
	r = dup_strv(src->arches, src->n_arches, &g->arches);
	if (r < 0)
		return r;
	g->n_arches = src->n_arches;
	g->min_kernel = src->min_kernel;
	return 0;
}

/* Fills *rule in place; on failure what was filled is released by cf_profile_free(). */
static int build_rule(const struct builtin_rule *src, struct cf_rule *rule)
{
	int r;

	r = dup_strv(src->names, src->n_names, &rule->names);
	if (r < 0)
		return r;
	rule->n_names = src->n_names;
	rule->name_pos = calloc(src->n_names ? src->n_names : 1, sizeof(*rule->name_pos));
	if (!rule->name_pos)
		return -ENOMEM;
	rule->legacy_name = false;
	rule->action = src->action;
	rule->has_errno = src->has_errno;
	rule->errno_ret = src->errno_ret;
	if (src->n_args > 0) {
		rule->args = calloc(src->n_args, sizeof(*rule->args));
		if (!rule->args)
			return -ENOMEM;
		for (size_t i = 0; i < src->n_args; i++) {
			rule->args[i].index = src->args[i].index;
			rule->args[i].op = src->args[i].op;
			rule->args[i].value = src->args[i].value;
			rule->args[i].value_two = src->args[i].value_two;
			rule->args[i].has_value_two = src->args[i].has_value_two;
		}
		rule->n_args = src->n_args;
	}
	if (src->comment) {
		rule->comment = strdup(src->comment);
		if (!rule->comment)
			return -ENOMEM;
	}
	r = build_gate(&src->includes, &rule->includes);
	if (r < 0)
		return r;
	return build_gate(&src->excludes, &rule->excludes);
}

static int build_arch_map(const struct builtin_profile *b, struct cf_profile *p)
{
	if (b->n_arch_map == 0)
		return 0;
	p->arch_map = calloc(b->n_arch_map, sizeof(*p->arch_map));
	if (!p->arch_map)
		return -ENOMEM;
	for (size_t i = 0; i < b->n_arch_map; i++) {
		const struct builtin_arch_map *m = &b->arch_map[i];

		p->arch_map[i].arch = m->arch;
		p->n_arch_map = i + 1;
		if (m->n_sub == 0)
			continue;
		p->arch_map[i].sub = calloc(m->n_sub, sizeof(*p->arch_map[i].sub));
		if (!p->arch_map[i].sub)
			return -ENOMEM;
		for (size_t j = 0; j < m->n_sub; j++)
			p->arch_map[i].sub[j] = m->sub[j];
		p->arch_map[i].n_sub = m->n_sub;
	}
	return 0;
}

static int build_profile(const struct builtin_profile *b, const char *source,
			 struct cf_profile **ret)
{
	cleanup(cf_profile_freep) struct cf_profile *p = NULL;
	int r;

	if (!ret)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->source = strdup(source);
	if (!p->source)
		return -ENOMEM; /* NOLINT(clang-analyzer-unix.Malloc): p is freed by its cleanup */
	p->format = CF_FORMAT_DOCKER;
	p->has_default_action = true;
	p->default_action = b->default_action;
	p->has_default_errno = b->has_default_errno;
	p->default_errno = b->default_errno;
	r = build_arch_map(b, p);
	if (r < 0)
		return r;
	if (b->n_rules > 0) {
		p->rules = calloc(b->n_rules, sizeof(*p->rules));
		if (!p->rules)
			return -ENOMEM;
		for (size_t i = 0; i < b->n_rules; i++) {
			/* count it first: cf_profile_free() then releases a half-built rule */
			p->n_rules = i + 1;
			r = build_rule(&b->rules[i], &p->rules[i]);
			if (r < 0)
				return r;
		}
	}
	*ret = TAKE_PTR(p);
	return 0;
}

int cf_profile_builtin(struct cf_profile **ret)
{
	return build_profile(&builtin_docker_default, "builtin", ret);
}

/* --security-opt seccomp=podman, --defaults podman (builtin-podman-data.c) */
int cf_profile_builtin_podman(struct cf_profile **ret)
{
	return build_profile(&builtin_podman_default, "podman", ret);
}

const char *cf_profile_builtin_upstream(void)
{
	return builtin_docker_default.upstream;
}

int cf_profile_builtin_named(const char *name, struct cf_profile **ret)
{
	if (strcmp(name, "builtin") == 0)
		return cf_profile_builtin(ret);
	if (strcmp(name, "podman") == 0)
		return cf_profile_builtin_podman(ret);
	return -ENOENT;
}
