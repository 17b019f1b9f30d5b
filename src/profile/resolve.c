/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * moby's resolution (moby/profiles seccomp_linux.go setupSeccomp): archMap expansion for the
 * native arch, then per rule excludes (ANY condition drops) and includes (ALL must hold), with
 * caps compared against the bounding set. Every rule keeps why it is in or out, for explain.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/utsname.h>

#include "base/cleanup.h"
#include "profile/profile.h"

int cf_kernel_parse(const char *s, struct cf_kernel_version *ret)
{
	unsigned part[2] = { 0, 0 };
	int n = 0;
	const char *p = s;

	/* moby: "" is a present version 0.0 */
	if (*s == '\0') {
		*ret = (struct cf_kernel_version){ .set = true };
		return 0;
	}
	for (n = 0; n < 2; n++) {
		unsigned v = 0;
		const char *start = p;

		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (unsigned)(*p - '0');
			if (v > 255)
				return -EINVAL;
			p++;
		}
		if (p == start)
			return -EINVAL;
		part[n] = v;
		if (n == 0) {
			if (*p != '.')
				return -EINVAL;
			p++;
		}
	}
	if (*p != '\0')
		return -EINVAL;
	if (part[0] == 0 && part[1] == 0)
		return -EINVAL;
	*ret = (struct cf_kernel_version){ .set = true, .major = part[0], .minor = part[1] };
	return 0;
}

bool cf_kernel_at_least(struct cf_kernel_version a, struct cf_kernel_version b)
{
	return a.major > b.major || (a.major == b.major && a.minor >= b.minor);
}

int cf_kernel_running(struct cf_kernel_version *ret)
{
	struct utsname u;
	unsigned maj, min;

	if (uname(&u) < 0)
		return -errno;
	/* moby parses "%d.%d": suffixes ignored */
	if (sscanf(u.release, "%u.%u", &maj, &min) != 2)
		return -EINVAL;
	*ret = (struct cf_kernel_version){ .set = true, .major = maj, .minor = min };
	return 0;
}

/* How much an action lets a call do, for "is this rule stricter than the default?". */
static int permissiveness(enum cf_action a)
{
	switch (a) {
	case CF_ACT_ALLOW:
		return 6;
	case CF_ACT_LOG:
		return 5;
	case CF_ACT_TRACE:
	case CF_ACT_NOTIFY:
		return 4;
	case CF_ACT_ERRNO:
		return 3;
	case CF_ACT_TRAP:
		return 2;
	case CF_ACT_KILL:
	case CF_ACT_KILL_THREAD:
		return 1;
	case CF_ACT_KILL_PROCESS:
		return 0;
	case CF_ACT_COUNT:
	case CF_ACT_INVALID:
		break;
	}
	return 0;
}

/* moby compares exact strings against "CAP_X" names: any other spelling never matches. */
static int cap_bit(const char *name)
{
	int cap = caps_from_name(name);

	if (cap < 0 || strcmp(caps_to_name(cap), name) != 0)
		return -1;
	return cap;
}

static void warn(struct cf_resolved *res, const struct cf_profile *p, struct cf_pos pos,
		 const char *path, const char *msg, const char *hint);

static void check_gate(struct cf_resolved *res, const struct cf_profile *p, size_t idx,
		       const struct cf_gate *g, const char *which)
{
	char path[96], msg[256], hint[160];

	for (size_t i = 0; i < g->n_caps; i++) {
		if (cap_bit(g->caps[i]) >= 0)
			continue;
		int cap = caps_from_name(g->caps[i]);
		snprintf(path, sizeof(path), "/syscalls/%zu/%s/caps/%zu", idx, which, i);
		snprintf(msg, sizeof(msg),
			 "capability \"%s\" never matches (Docker compares exact names)",
			 g->caps[i]);
		if (cap >= 0)
			snprintf(hint, sizeof(hint), "write \"%s\"", caps_to_name(cap));
		else
			snprintf(hint, sizeof(hint), "not a capability; see capabilities(7)");
		warn(res, p, g->pos, path, msg, hint);
	}
	for (size_t i = 0; i < g->n_arches; i++) {
		if (arch_from_native_name(g->arches[i]) != CF_ARCH_INVALID)
			continue;
		snprintf(path, sizeof(path), "/syscalls/%zu/%s/arches/%zu", idx, which, i);
		snprintf(msg, sizeof(msg), "architecture \"%s\" never matches", g->arches[i]);
		warn(res, p, g->pos, path, msg,
		     "valid (moby native names): amd64, x86, x32, arm64, arm, mips, mipsel, mips64, "
		     "mipsel64, mips64n32, mips3l64n32, ppc, ppc64, ppc64le, s390, s390x, riscv64, "
		     "loongarch64");
	}
}

/* tmpl has one "%s" that is replaced by arg (kept out of printf: -Wformat-nonliteral). */
static void set_detail(struct cf_resolved_rule *rr, enum cf_verdict_reason why, const char *tmpl,
		       const char *arg)
{
	const char *mark = strstr(tmpl, "%s");

	rr->why = why;
	if (!mark) {
		snprintf(rr->detail, sizeof(rr->detail), "%s", tmpl);
		return;
	}
	snprintf(rr->detail, sizeof(rr->detail), "%.*s%s%s", (int)(mark - tmpl), tmpl, arg,
		 mark + 2);
}

static void judge_rule(struct cf_resolved *res, const char *native_name,
		       struct cf_resolved_rule *rr)
{
	const struct cf_rule *rule = rr->rule;
	const struct cf_gate *ex = &rule->excludes, *in = &rule->includes;
	char buf[64], kern[48], cond[128];

	/* a what-if kernel (explain/export --kernel) is named as such, not as the running one */
	if (res->kernel_given)
		snprintf(kern, sizeof(kern), "kernel %u.%u", res->kernel.major, res->kernel.minor);
	else
		snprintf(kern, sizeof(kern), "running kernel");

	rr->active = false;
	for (size_t i = 0; i < ex->n_arches; i++)
		if (strcmp(ex->arches[i], native_name) == 0) {
			set_detail(rr, CF_WHY_EXCLUDED_ARCH, "excludes.arches has %s", native_name);
			return;
		}
	for (size_t i = 0; i < ex->n_caps; i++) {
		int cap = cap_bit(ex->caps[i]);

		if (cap >= 0 && (res->bounding & CF_CAP_BIT(cap))) {
			rr->missing_cap = ex->caps[i];
			set_detail(rr, CF_WHY_EXCLUDED_CAP, "excludes.caps %s is held",
				   ex->caps[i]);
			return;
		}
	}
	if (ex->min_kernel.set && cf_kernel_at_least(res->kernel, ex->min_kernel)) {
		snprintf(buf, sizeof(buf), "%u.%u", ex->min_kernel.major, ex->min_kernel.minor);
		snprintf(cond, sizeof(cond), "%s <= %s", buf, kern);
		set_detail(rr, CF_WHY_EXCLUDED_KERNEL, "excludes.minKernel %s", cond);
		return;
	}
	if (in->n_arches > 0) {
		bool found = false;

		for (size_t i = 0; i < in->n_arches; i++)
			if (strcmp(in->arches[i], native_name) == 0)
				found = true;
		if (!found) {
			set_detail(rr, CF_WHY_MISSING_ARCH, "includes.arches lacks %s",
				   native_name);
			return;
		}
	}
	for (size_t i = 0; i < in->n_caps; i++) {
		int cap = cap_bit(in->caps[i]);

		if (cap < 0 || !(res->bounding & CF_CAP_BIT(cap))) {
			rr->missing_cap = in->caps[i];
			set_detail(rr, CF_WHY_MISSING_CAP, "includes.caps %s is not held",
				   in->caps[i]);
			return;
		}
	}
	if (in->min_kernel.set && !cf_kernel_at_least(res->kernel, in->min_kernel)) {
		snprintf(buf, sizeof(buf), "%u.%u", in->min_kernel.major, in->min_kernel.minor);
		snprintf(cond, sizeof(cond), "%s > %s", buf, kern);
		set_detail(rr, CF_WHY_OLD_KERNEL, "includes.minKernel %s", cond);
		return;
	}
	rr->active = true;
	if (in->n_caps == 0 && in->n_arches == 0 && !in->min_kernel.set && ex->n_caps == 0 &&
	    ex->n_arches == 0 && !ex->min_kernel.set) {
		set_detail(rr, CF_WHY_UNCONDITIONAL, "%s", "unconditional");
		return;
	}
	/* name the condition that admitted it, most specific first */
	if (in->n_caps > 0) {
		char caps[96] = "";
		size_t n = 0;

		for (size_t i = 0; i < in->n_caps && n < sizeof(caps); i++) {
			int w = snprintf(caps + n, sizeof(caps) - n, "%s%s", i ? "+" : "",
					 in->caps[i]);
			if (w < 0)
				break;
			n += (size_t)w;
		}
		set_detail(rr, CF_WHY_INCLUDED, "includes.caps %s held", caps);
	} else if (in->min_kernel.set) {
		snprintf(buf, sizeof(buf), "%u.%u", in->min_kernel.major, in->min_kernel.minor);
		snprintf(cond, sizeof(cond), "%s <= %s", buf, kern);
		set_detail(rr, CF_WHY_INCLUDED, "includes.minKernel %s", cond);
	} else if (in->n_arches > 0) {
		set_detail(rr, CF_WHY_INCLUDED, "includes.arches has %s", native_name);
	} else if (ex->n_caps > 0) {
		set_detail(rr, CF_WHY_INCLUDED, "excludes.caps %s not held", ex->caps[0]);
	} else if (ex->n_arches > 0) {
		set_detail(rr, CF_WHY_INCLUDED, "excludes.arches lacks %s", native_name);
	} else {
		snprintf(buf, sizeof(buf), "%u.%u", ex->min_kernel.major, ex->min_kernel.minor);
		snprintf(cond, sizeof(cond), "%s > %s", buf, kern);
		set_detail(rr, CF_WHY_INCLUDED, "excludes.minKernel %s", cond);
	}
}

static void add_arch(struct cf_resolved *res, enum cf_arch a)
{
	for (size_t i = 0; i < res->n_arches; i++)
		if (res->arches[i] == a)
			return;
	if (res->n_arches < CF_ARCH_COUNT)
		res->arches[res->n_arches++] = a;
}

static int check_arches(const struct cf_profile *p, struct cf_resolved *res, struct cf_diag *reterr)
{
	for (size_t i = 0; i < res->n_arches; i++) {
		const struct cf_arch_info *ai = arch_info(res->arches[i]);

		if (!ai || !ai->has_table) {
			int r = diag_set(reterr, EINVAL, p->source, 0, 0,
					 p->n_arch_map ? "/archMap" : "/architectures",
					 "architecture %s is not supported by seccomp runtimes",
					 ai ? ai->scmp_name : "?");
			diag_hint(reterr, "runc and crun accept: %s", arch_valid_names());
			return r;
		}
	}
	return 0;
}

static void warn(struct cf_resolved *res, const struct cf_profile *p, struct cf_pos pos,
		 const char *path, const char *msg, const char *hint)
{
	struct cf_diag d;

	(void)diag_set(&d, EINVAL, p->source, pos.line, pos.column, path, "%s", msg);
	if (hint)
		diag_hint(&d, "%s", hint);
	warnings_add(&res->warnings, &d);
}

static int check_rule(const struct cf_profile *p, struct cf_resolved *res, size_t idx,
		      bool opts_strict, struct cf_diag *reterr)
{
	const struct cf_rule *rule = &p->rules[idx];
	char path[96], msg[256], hint[320];
	int rank_rule = permissiveness(rule->action),
	    rank_def = permissiveness(res->default_action);
	bool stricter = rank_rule < rank_def;

	if (rule->action == CF_ACT_NOTIFY) {
		if (!p->listener_path || !p->listener_path[0]) {
			snprintf(path, sizeof(path), "/syscalls/%zu/action", idx);
			int r = diag_set(
				reterr, EINVAL, p->source, rule->action_pos.line,
				rule->action_pos.column, path,
				"SCMP_ACT_NOTIFY needs a listener, and the profile has no listenerPath");
			diag_hint(reterr, "set \"listenerPath\" to the agent's unix socket, or use "
					  "another action");
			return r;
		}
		for (size_t j = 0; j < rule->n_names; j++)
			if (strcmp(rule->names[j], "write") == 0) {
				snprintf(path, sizeof(path), "/syscalls/%zu/names/%zu", idx, j);
				int r = diag_set(reterr, EINVAL, p->source, rule->name_pos[j].line,
						 rule->name_pos[j].column, path,
						 "SCMP_ACT_NOTIFY cannot be used for write");
				diag_hint(
					reterr,
					"the listener itself would deadlock (runc refuses it too)");
				return r;
			}
	}
	for (size_t j = 0; j < rule->n_names; j++) {
		if (syscall_name_known(rule->names[j]))
			continue;
		snprintf(path, sizeof(path),
			 rule->legacy_name ? "/syscalls/%zu/name" : "/syscalls/%zu/names/%zu", idx,
			 j);
		const char *near = syscall_near_miss(rule->names[j]);

		/* runc and crun skip a name libseccomp does not know and start the container (crun's
		 * tests deny "this_syscall_does_not_exist_12345" under a default-allow profile); so do
		 * we, unless the name is a near miss of a real one: a typo in a rule stricter than the
		 * default leaves that call less confined than the author wrote. */
		if (stricter && (near || opts_strict)) {
			int r = diag_set(reterr, EINVAL, p->source, rule->name_pos[j].line,
					 rule->name_pos[j].column, path,
					 "unknown syscall \"%s\" in a %s rule under default %s",
					 rule->names[j], cf_action_name(rule->action),
					 cf_action_name(res->default_action));
			if (near)
				diag_hint(
					reterr,
					"did you mean %s? A misspelled name here leaves the syscall "
					"%s",
					near,
					res->default_action == CF_ACT_ALLOW ? "allowed" :
									      "less confined");
			else
				diag_hint(
					reterr,
					"--strict refuses names outside the syscall tables (up to "
					"Linux %s); without it the name is skipped, as runc and crun "
					"do",
					syscall_table_version());
			return r;
		}
		snprintf(msg, sizeof(msg), "unknown syscall \"%s\" skipped", rule->names[j]);
		if (near)
			snprintf(
				hint, sizeof(hint),
				"did you mean %s? Not in the syscall tables of any architecture (up "
				"to Linux %s)",
				near, syscall_table_version());
		else
			snprintf(
				hint, sizeof(hint),
				"not in the syscall tables of any architecture (up to Linux %s); runc "
				"and crun skip it too; a rule for a newer kernel keeps working, a typo "
				"does nothing",
				syscall_table_version());
		warn(res, p, rule->name_pos[j], path, msg, hint);
	}
	if (rule->has_errno && !cf_action_takes_errno(rule->action)) {
		snprintf(path, sizeof(path), "/syscalls/%zu/errnoRet", idx);
		snprintf(msg, sizeof(msg), "errnoRet is ignored for %s",
			 cf_action_name(rule->action));
		warn(res, p, rule->pos, path, msg, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE use it");
	}
	if (rule->action == CF_ACT_ERRNO && rule->has_errno && rule->errno_ret >= CF_ERRNO_MAX) {
		snprintf(path, sizeof(path), "/syscalls/%zu/errnoRet", idx);
		snprintf(msg, sizeof(msg),
			 "errnoRet %u: runc and crun refuse it at container start (libseccomp "
			 "accepts an errno below 4095)",
			 rule->errno_ret);
		warn(res, p, rule->pos, path, msg, "callfence run refuses it too");
	}
	return 0;
}

int cf_profile_resolve(const struct cf_profile *p, const struct cf_resolve_opts *opts,
		       struct cf_resolved **ret, struct cf_diag *reterr)
{
	cleanup(cf_resolved_freep) struct cf_resolved *res = NULL;
	int r;

	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	res->profile = p;
	res->native = opts && opts->native != CF_ARCH_INVALID ? opts->native : arch_native();
	res->bounding = opts ? opts->bounding : caps_docker_default();
	if (opts && opts->kernel.set) {
		res->kernel = opts->kernel;
		res->kernel_given = true;
	} else {
		r = cf_kernel_running(&res->kernel);
		if (r < 0)
			return diag_set(reterr, -r, p->source, 0, 0, "",
					"failed to parse the running kernel's version");
	}
	res->default_action = p->default_action;
	res->default_errno = p->has_default_errno ? p->default_errno : EPERM;
	res->flags = p->flags;

	/*
	 * moby and runc run a profile without defaultAction and rules with no seccomp at all. The
	 * parser refuses such a profile; so does this, for profiles built another way: a run
	 * without a filter is asked for by name (seccomp=unconfined), never by an empty profile.
	 */
	if (!p->has_default_action) {
		int e = diag_set(reterr, EINVAL, p->source, p->default_action_pos.line,
				 p->default_action_pos.column, "/defaultAction",
				 "missing \"defaultAction\": Docker would run the command with no "
				 "seccomp filter");
		diag_hint(reterr, "say --security-opt seccomp=unconfined to run without a filter");
		return e;
	}
	if (res->default_action == CF_ACT_NOTIFY)
		return diag_set(reterr, EINVAL, p->source, p->default_action_pos.line,
				p->default_action_pos.column, "/defaultAction",
				"SCMP_ACT_NOTIFY cannot be the default action");

	const struct cf_arch_info *native = arch_info(res->native);
	if (!native)
		return diag_set(reterr, EINVAL, p->source, 0, 0, "", "unknown native architecture");

	/* The native arch is always in the filter (libseccomp's context starts with it). */
	add_arch(res, res->native);
	if (p->n_arch_map > 0) {
		for (size_t i = 0; i < p->n_arch_map; i++) {
			if (p->arch_map[i].arch != res->native)
				continue;
			for (size_t j = 0; j < p->arch_map[i].n_sub; j++)
				add_arch(res, p->arch_map[i].sub[j]);
			break; /* moby: the first matching entry only */
		}
	} else {
		for (size_t i = 0; i < p->n_architectures; i++)
			add_arch(res, p->architectures[i]);
	}
	r = check_arches(p, res, reterr);
	if (r < 0)
		return r;

	res->rules = calloc(p->n_rules ? p->n_rules : 1, sizeof(*res->rules));
	if (!res->rules)
		return -ENOMEM;
	res->n_rules = p->n_rules;
	for (size_t i = 0; i < p->n_rules; i++) {
		struct cf_resolved_rule *rr = &res->rules[i];

		rr->rule = &p->rules[i];
		rr->index = i;
		check_gate(res, p, i, &p->rules[i].includes, "includes");
		check_gate(res, p, i, &p->rules[i].excludes, "excludes");
		judge_rule(res, native->native_name, rr);
		if (!rr->active)
			continue;
		r = check_rule(p, res, i, opts && opts->strict, reterr);
		if (r < 0)
			return r;
		rr->name_ids =
			malloc((rr->rule->n_names ? rr->rule->n_names : 1) * sizeof(*rr->name_ids));
		if (!rr->name_ids)
			return -ENOMEM;
		for (size_t j = 0; j < rr->rule->n_names; j++)
			rr->name_ids[j] = syscall_name_id(rr->rule->names[j]);
	}
	if (p->has_default_errno && p->default_action == CF_ACT_ERRNO &&
	    p->default_errno >= CF_ERRNO_MAX)
		warn(res, p, p->default_action_pos, "/defaultErrnoRet",
		     "defaultErrnoRet: runc and crun refuse it at container start (libseccomp "
		     "accepts an errno below 4095)",
		     "callfence run refuses it too");
	*ret = TAKE_PTR(res);
	return 0;
}

/*
 * What runc (through libseccomp) refuses when it builds the filter at container start, which
 * Docker's daemon passes through. The OCI export keeps such profiles (it is what Docker hands
 * over); running or compiling them fails here, like `docker run` does.
 */
int cf_resolved_check_runtime(const struct cf_resolved *r, struct cf_diag *reterr)
{
	const struct cf_profile *p = r->profile;

	if (r->unconfined)
		return 0;
	/*
	 * libseccomp accepts an errno below 4095. The whole value is checked, not its low 16 bits:
	 * runc's int16() would turn 65536 into ERRNO(0), a call that "succeeds" without running.
	 * The parser refuses 0 and values above 16 bits already; this is the check for profiles
	 * that did not come from the parser.
	 */
	if (r->default_action == CF_ACT_ERRNO &&
	    (r->default_errno == 0 || r->default_errno >= CF_ERRNO_MAX)) {
		int e = diag_set(
			reterr, EINVAL, p->source, p->default_action_pos.line,
			p->default_action_pos.column, "/defaultErrnoRet",
			"defaultErrnoRet %u is refused by runc and crun (libseccomp accepts an "
			"errno below 4095; 0 would mean success)",
			r->default_errno);
		diag_hint(reterr, "use an errno below 4095, e.g. 1 (EPERM) or 38 (ENOSYS)");
		return e;
	}
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct cf_rule *rule = r->rules[i].rule;
		char path[64];

		if (!r->rules[i].active || rule->action != CF_ACT_ERRNO || !rule->has_errno ||
		    (rule->errno_ret != 0 && rule->errno_ret < CF_ERRNO_MAX))
			continue;
		snprintf(path, sizeof(path), "/syscalls/%zu/errnoRet", i);
		int e = diag_set(
			reterr, EINVAL, p->source, rule->pos.line, rule->pos.column, path,
			"errnoRet %u is refused by runc and crun (libseccomp accepts an errno "
			"below 4095; 0 would mean success)",
			rule->errno_ret);
		diag_hint(reterr, "use an errno below 4095, e.g. 1 (EPERM) or 13 (EACCES)");
		return e;
	}
	return 0;
}

struct cf_resolved *cf_resolved_free(struct cf_resolved *r)
{
	if (!r)
		return NULL;
	for (size_t i = 0; r->rules && i < r->n_rules; i++)
		free(r->rules[i].name_ids);
	free(r->rules);
	warnings_clear(&r->warnings);
	free(r);
	return NULL;
}
