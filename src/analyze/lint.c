/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * callfence lint, the core: parse leniently (what strict mode refuses but runc runs becomes a
 * finding), resolve for the confinement asked for exactly as `run` does, build the reference
 * model once, and run the families of checks (lint-rules.c: the profile's text and rules;
 * lint-calls.c: verdicts of particular calls). Names no table knows are left out of the copy
 * that is resolved, as runc leaves them out of its filter, so that a typo is reported rather
 * than stopping the whole lint.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/seccomp.h>

#include "analyze/lint-int.h"
#include "base/errno-util.h"
#include "profile/json-pos.h"

const struct cf_lint_check cf_lint_checks[] = {
	{ "dangerous-syscall",
	  "a call with a history of container escapes or kernel exploits is allowed for every "
	  "argument" },
	{ "deny-list-twin",
	  "an allow-by-default profile denies a call but not its equivalent (mkdir/mkdirat, "
	  "open/openat/openat2, ...)" },
	{ "clone3-eperm",
	  "a call libc abandons only on ENOSYS (clone3, faccessat2, fchmodat2) fails with another "
	  "errno" },
	{ "cap-spelling",
	  "a capability in includes/excludes that Docker never matches (it compares exact "
	  "CAP_* names)" },
	{ "arch-spelling", "an architecture in includes/excludes that Docker never matches" },
	{ "same-as-default", "a rule whose action is the default action: runc skips it" },
	{ "errno-zero", "ERRNO with errno 0: the call returns success without running" },
	{ "runtime-bootstrap",
	  "runc or crun cannot start a container: a call they make after installing the filter "
	  "is denied" },
	{ "duplicate-name", "one syscall named by several rules whose verdicts compete" },
	{ "unknown-syscall",
	  "a name no syscall table knows, or one libseccomp 2.5.4 does not know (runc drops the "
	  "rule)" },
	{ "arg-index-or",
	  "several conditions on one argument index: runc turns every condition of the rule into "
	  "its own rule (OR)" },
	{ "runtime-refuses", "runc (libseccomp) refuses to build a filter from the profile" },
};
const size_t cf_lint_n_checks = ARRAY_SIZE(cf_lint_checks);

const char *cf_lint_severity_name(enum cf_lint_severity s)
{
	switch (s) {
	case CF_LINT_INFO:
		return "info";
	case CF_LINT_WARNING:
		return "warning";
	case CF_LINT_ERROR:
		return "error";
	}
	return "error";
}

int cf_lint_max_severity(const struct cf_lint_result *res)
{
	int max = -1;

	for (size_t i = 0; i < res->n; i++)
		max = CF_MAX(max, (int)res->items[i].severity);
	return max;
}

void cf_lint_result_clear(struct cf_lint_result *res)
{
	free(res->items);
	*res = (struct cf_lint_result){ 0 };
}

void lint_add(struct lint_ctx *c, const char *id, enum cf_lint_severity sev, struct cf_pos pos,
	      const char *pointer, const char *fix, const char *fmt, ...)
{
	struct cf_lint_result *res = c->res;
	struct cf_lint_finding *f;
	va_list ap;

	if (res->n == res->cap) {
		size_t cap = res->cap ? res->cap * 2 : 16;
		struct cf_lint_finding *items = realloc(res->items, cap * sizeof(*items));

		if (!items) {
			c->error = -ENOMEM;
			return;
		}
		res->items = items;
		res->cap = cap;
	}
	f = &res->items[res->n++];
	*f = (struct cf_lint_finding){ .id = id, .severity = sev };
	snprintf(f->file, sizeof(f->file), "%s", c->source);
	f->line = pos.line;
	f->column = pos.column;
	snprintf(f->pointer, sizeof(f->pointer), "%s%s", c->base, pointer);
	snprintf(f->fix, sizeof(f->fix), "%s", fix ? fix : "");
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
}

struct cf_pos lint_locate(const struct lint_ctx *c, const char *pointer, struct cf_pos fallback)
{
	char full[256];
	struct cf_pos pos = { 0 };

	if (!c->buf)
		return fallback;
	snprintf(full, sizeof(full), "%s%s", c->base, pointer);
	if (json_pos_find(c->buf, c->len, full, &pos) < 0 || pos.line == 0)
		return fallback;
	return pos;
}

uint32_t lint_rule_ret(const struct cf_rule *rule)
{
	/* runc: ERRNO and TRACE take errnoRet, or EPERM without one */
	return cf_action_ret(rule->action, rule->has_errno ? rule->errno_ret : EPERM);
}

int32_t lint_ret_rank(uint32_t ret)
{
	return (int32_t)(ret & SECCOMP_RET_ACTION_FULL);
}

bool lint_ret_allows(uint32_t ret)
{
	uint32_t a = ret & SECCOMP_RET_ACTION_FULL;

	return a == SECCOMP_RET_ALLOW || a == SECCOMP_RET_LOG;
}

void lint_name_at(const struct lint_ctx *c, size_t i, size_t j, char *ptr, size_t size,
		  struct cf_pos *pos)
{
	const struct cf_rule *rule = &c->p->rules[i];

	if (rule->legacy_name)
		snprintf(ptr, size, "/syscalls/%zu/name", i);
	else
		snprintf(ptr, size, "/syscalls/%zu/names/%zu", i, j);
	*pos = rule->name_pos ? rule->name_pos[j] : rule->pos;
}

void lint_decider(const struct lint_ctx *c, int rule_index, const char *name, char *ptr,
		  size_t size, struct cf_pos *pos)
{
	if (rule_index >= 0 && (size_t)rule_index < c->p->n_rules) {
		const struct cf_rule *rule = &c->p->rules[rule_index];

		for (size_t j = 0; j < rule->n_names; j++)
			if (strcmp(rule->names[j], name) == 0) {
				lint_name_at(c, (size_t)rule_index, j, ptr, size, pos);
				return;
			}
		snprintf(ptr, size, "/syscalls/%d", rule_index);
		*pos = rule->pos;
		return;
	}
	snprintf(ptr, size, "/defaultAction");
	*pos = c->p->default_action_pos;
}

int lint_eval(const struct lint_ctx *c, enum cf_arch arch, const char *name, const uint64_t args[6],
	      struct cf_eval_result *ret)
{
	struct seccomp_data d = { .arch = arch_info(arch)->audit_arch };
	int nr = syscall_resolve_name(arch, name);

	if (nr < 0)
		return -ENOENT;
	d.nr = nr;
	for (size_t i = 0; i < 6; i++)
		d.args[i] = args ? args[i] : 0;
	return cf_model_evaluate(c->model, &d, ret);
}

/* ---- the copy that is resolved ------------------------------------------------------- */

/* The profile without the names no table knows (runc drops them; callfence refuses some):
 * rules and name arrays are copied, strings and everything else borrowed from p. */
static int shadow_build(const struct cf_profile *p, struct cf_profile *shadow)
{
	*shadow = *p;
	shadow->rules = calloc(p->n_rules ? p->n_rules : 1, sizeof(*shadow->rules));
	if (!shadow->rules)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct cf_rule *from = &p->rules[i];
		struct cf_rule *to = &shadow->rules[i];

		*to = *from;
		to->names = calloc(from->n_names ? from->n_names : 1, sizeof(*to->names));
		to->name_pos = calloc(from->n_names ? from->n_names : 1, sizeof(*to->name_pos));
		if (!to->names || !to->name_pos) {
			/* shadow_free frees what was set; this rule's arrays are its own */
			free(to->names);
			free(to->name_pos);
			to->names = NULL;
			to->name_pos = NULL;
			shadow->n_rules = i;
			return -ENOMEM;
		}
		to->n_names = 0;
		for (size_t j = 0; j < from->n_names; j++) {
			if (!syscall_name_known(from->names[j]))
				continue;
			to->names[to->n_names] = from->names[j];
			to->name_pos[to->n_names++] =
				from->name_pos ? from->name_pos[j] : from->pos;
		}
	}
	return 0;
}

static void shadow_free(struct cf_profile *shadow)
{
	for (size_t i = 0; shadow->rules && i < shadow->n_rules; i++) {
		free(shadow->rules[i].names);
		free(shadow->rules[i].name_pos);
	}
	free(shadow->rules);
	shadow->rules = NULL;
}

static void find_base(struct lint_ctx *c)
{
	struct cf_pos pos;

	c->base[0] = '\0';
	/* a whole config.json: the parser took linux.seccomp */
	if (c->buf && json_pos_find(c->buf, c->len, "/linux/seccomp", &pos) == 0 && pos.line)
		snprintf(c->base, sizeof(c->base), "/linux/seccomp");
}

/*
 * Keys the lenient parse ignored (what Docker does): a near miss of a meaningful key was already
 * an error, so what is left does nothing; said, so a reviewer knows it is inert.
 */
static void lint_unknown_keys(struct lint_ctx *c)
{
	size_t nb = strlen(c->base);

	for (size_t i = 0; i < c->p->warnings.n; i++) {
		const struct cf_diag *d = &c->p->warnings.items[i];
		const char *ptr = d->path;

		if (!strstr(d->message, "unknown key"))
			continue;
		if (nb && strncmp(ptr, c->base, nb) == 0)
			ptr += nb; /* lint_add puts the base back */
		lint_add(c, "unknown-key", CF_LINT_INFO, (struct cf_pos){ d->line, d->column }, ptr,
			 "remove it, or move a note into a rule's \"comment\"",
			 "%s: Docker, runc and callfence ignore it; it changes no verdict",
			 d->message);
	}
}

static int lint_profile(struct lint_ctx *c, struct cf_diag *reterr)
{
	struct cf_profile shadow = { 0 };
	struct cf_diag d;
	int r;

	find_base(c);
	r = shadow_build(c->p, &shadow);
	if (r < 0) {
		shadow_free(&shadow);
		return r;
	}
	r = cf_profile_resolve(&shadow, &c->opts->resolve, &c->r, reterr);
	if (r < 0) {
		shadow_free(&shadow);
		return r;
	}
	/* the resolved rules point into the shadow; findings use c->p, same indexes */
	lint_unknown_keys(c);
	lint_check_rules(c);
	r = cf_model_new(c->r, &c->model, &d);
	if (r == -ENOMEM)
		goto out;
	if (r < 0) {
		/* conflicting rules libseccomp refuses, or rules it never returns on */
		lint_add(c, "runtime-refuses", CF_LINT_ERROR, (struct cf_pos){ d.line, d.column },
			 d.path, d.hint, "%s", d.message);
		r = 0;
	} else {
		lint_check_calls(c);
		lint_check_runtime(c);
	}
out:
	c->model = cf_model_free(c->model);
	c->r = cf_resolved_free(c->r);
	shadow_free(&shadow);
	return r < 0 ? r : c->error;
}

int cf_lint_buffer(const char *source, const char *buf, size_t len, const struct cf_lint_opts *opts,
		   struct cf_lint_result *res, struct cf_diag *reterr)
{
	cleanup(cf_profile_freep) struct cf_profile *p = NULL;
	struct cf_warnings accepted = { 0 };
	struct lint_ctx c = {
		.source = source,
		.buf = buf,
		.len = len,
		.opts = opts,
		.res = res,
		.accepted = &accepted,
	};
	int r;

	r = cf_profile_parse_buffer_flags(source, buf, len, CF_PARSE_KEEP_ERRNO_ZERO, &accepted, &p,
					  reterr);
	if (r >= 0) {
		c.p = p;
		r = lint_profile(&c, reterr);
	}
	warnings_clear(&accepted);
	return r;
}

int cf_lint_file(const char *path, const struct cf_lint_opts *opts, struct cf_lint_result *res,
		 struct cf_diag *reterr)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	int r;

	if (strcmp(path, "builtin") == 0 || strcmp(path, "podman") == 0) {
		cleanup(cf_profile_freep) struct cf_profile *p = NULL;
		struct lint_ctx c = { .source = path, .opts = opts, .res = res };

		r = cf_profile_builtin_named(path, &p);
		if (r < 0)
			return diag_set(reterr, -r, path, 0, 0, "", "cannot build the %s profile",
					path);
		c.p = p;
		return lint_profile(&c, reterr);
	}
	r = cf_profile_read_file(path, &buf, &len, reterr);
	if (r < 0)
		return r;
	return cf_lint_buffer(strcmp(path, "-") == 0 ? "<stdin>" : path, buf, len, opts, res,
			      reterr);
}
