/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli/opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/suggest.h"

const char opts_security_help[] =
	"Confinement options (as docker run):\n"
	"      --security-opt seccomp=PROFILE   Docker or OCI profile file, '-' (read it from\n"
	"                                       stdin), 'builtin' (Docker's default, the\n"
	"                                       default here), 'podman' (Podman's default) or\n"
	"                                       'unconfined' (no filter)\n"
	"      --security-opt no-new-privileges[=true|false]\n"
	"      --cap-add CAP                    add a capability (SYS_NICE, CAP_SYS_NICE, ALL)\n"
	"      --cap-drop CAP                   drop a capability (or ALL)\n"
	"      --privileged                     every capability (run: every one callfence can\n"
	"                                       give), no seccomp unless a profile is given\n"
	"      --arch ARCH                      resolve as on ARCH (SCMP_ARCH_AARCH64, arm64, ...)\n"
	"      --kernel X.Y                     resolve minKernel rules as on kernel X.Y\n"
	"      --defaults RUNTIME               whose defaults: docker (14 capabilities, Docker's\n"
	"                                       profile) or podman (11, Podman's profile)\n"
	"      --strict                         unknown profile keys and unknown syscalls in\n"
	"                                       deny rules are errors, not warnings\n";

static int parse_bool(const char *v, bool *ret)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) {
		*ret = true;
		return 0;
	}
	if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0) {
		*ret = false;
		return 0;
	}
	return -EINVAL;
}

static int security_opt(const char *arg, struct cf_cli_security *s, struct cf_diag *reterr)
{
	const char *eq = strpbrk(arg, "=:");
	size_t klen = eq ? (size_t)(eq - arg) : strlen(arg);
	const char *val = eq ? eq + 1 : NULL;

	if (klen == strlen("seccomp") && strncmp(arg, "seccomp", klen) == 0) {
		if (!val || !*val) {
			int r = diag_set(reterr, EINVAL, NULL, 0, 0, "--security-opt",
					 "seccomp needs a value");
			diag_hint(reterr,
				  "valid: seccomp=PATH, seccomp=- (stdin), seccomp=builtin, "
				  "seccomp=unconfined");
			return r;
		}
		s->seccomp = val;
		return 0;
	}
	if (klen == strlen("no-new-privileges") && strncmp(arg, "no-new-privileges", klen) == 0) {
		s->no_new_privileges_given = true;
		if (!val) {
			s->no_new_privileges = true;
			return 0;
		}
		if (parse_bool(val, &s->no_new_privileges) < 0) {
			int r = diag_set(reterr, EINVAL, NULL, 0, 0, "--security-opt",
					 "invalid no-new-privileges value \"%s\"", val);
			diag_hint(reterr, "valid: no-new-privileges, no-new-privileges=true, "
					  "no-new-privileges=false");
			return r;
		}
		return 0;
	}
	int r = diag_set(reterr, EINVAL, NULL, 0, 0, "--security-opt",
			 "unsupported security option \"%s\"", arg);
	diag_hint(reterr, "callfence handles seccomp=... and no-new-privileges[=true|false]; "
			  "AppArmor/SELinux options are not applied, so they are refused rather "
			  "than ignored");
	return r;
}

int opts_handle_security(int opt, const char *arg, struct cf_cli_security *s,
			 struct cf_diag *reterr)
{
	int r;

	switch (opt) {
	case OPT_SECURITY_OPT:
		r = security_opt(arg, s, reterr);
		return r < 0 ? r : 1;
	case OPT_CAP_ADD:
		if (s->n_cap_add >= ARRAY_SIZE(s->cap_add))
			return diag_set(reterr, E2BIG, NULL, 0, 0, "--cap-add",
					"too many --cap-add");
		s->cap_add[s->n_cap_add++] = arg;
		return 1;
	case OPT_CAP_DROP:
		if (s->n_cap_drop >= ARRAY_SIZE(s->cap_drop))
			return diag_set(reterr, E2BIG, NULL, 0, 0, "--cap-drop",
					"too many --cap-drop");
		s->cap_drop[s->n_cap_drop++] = arg;
		return 1;
	case OPT_PRIVILEGED:
		s->privileged = true;
		return 1;
	case OPT_USER:
		s->user = arg;
		return 1;
	case OPT_ARCH:
		s->arch = arg;
		return 1;
	case OPT_KERNEL:
		s->kernel = arg;
		return 1;
	case OPT_DEFAULTS:
		if (strcmp(arg, "docker") == 0 || strcmp(arg, "podman") == 0) {
			s->podman = arg[0] == 'p';
			return 1;
		}
		r = diag_set(reterr, EINVAL, NULL, 0, 0, "--defaults", "unknown runtime \"%s\"",
			     arg);
		diag_hint(reterr, "valid: docker (the default), podman");
		return r;
	case OPT_STRICT:
		s->strict = true;
		return 1;
	default:
		return 0;
	}
}

static int load_profile(const struct cf_cli_security *s, struct cf_profile **ret,
			struct cf_diag *reterr)
{
	const struct cf_parse_opts popts = { .strict = s->strict };
	/* --defaults podman: Podman's profile where Docker's would be */
	const char *name = s->seccomp ? s->seccomp : s->podman ? "podman" : "builtin";
	int r = cf_profile_builtin_named(name, ret);

	if (r == -ENOENT) /* not a built-in name: a file */
		return cf_profile_parse_file_with(s->seccomp, &popts, ret, reterr);
	if (r < 0)
		return diag_set(reterr, -r, name, 0, 0, "", "cannot build the %s profile", name);
	return 0;
}

int opts_resolve_options(const struct cf_cli_security *s, struct cf_resolve_opts *ret,
			 struct cf_diag *reterr)
{
	struct cf_cap_request req = {
		.add = s->cap_add,
		.n_add = s->n_cap_add,
		.drop = s->cap_drop,
		.n_drop = s->n_cap_drop,
		.privileged = s->privileged,
		.base = s->podman ? caps_podman_default() : 0,
		.limit = s->cap_limit,
	};
	struct cf_resolve_opts ropts = { .native = CF_ARCH_INVALID, .strict = s->strict };
	int r;

	/* moby computes capabilities first; seccomp gating sees the final bounding set. */
	r = caps_resolve(&req, &ropts.bounding, reterr);
	if (r < 0)
		return r;

	if (s->arch) {
		ropts.native = arch_from_scmp_name(s->arch);
		if (ropts.native == CF_ARCH_INVALID)
			ropts.native = arch_from_native_name(s->arch);
		if (ropts.native == CF_ARCH_INVALID || !arch_info(ropts.native)->has_table) {
			r = diag_set(reterr, EINVAL, NULL, 0, 0, "--arch",
				     "unknown architecture \"%s\"", s->arch);
			diag_hint(reterr, "valid: %s (or amd64, arm64, ...)", arch_valid_names());
			return r;
		}
	}
	if (s->kernel) {
		if (cf_kernel_parse(s->kernel, &ropts.kernel) < 0 || !s->kernel[0]) {
			r = diag_set(reterr, EINVAL, NULL, 0, 0, "--kernel",
				     "invalid kernel version \"%s\"", s->kernel);
			diag_hint(reterr, "valid: X.Y with numbers 0-255, e.g. 5.10");
			return r;
		}
	}
	*ret = ropts;
	return 0;
}

int opts_load_confinement(const struct cf_cli_security *s, struct cf_confinement *ret,
			  struct cf_diag *reterr)
{
	struct cf_confinement c = { .no_new_privileges = s->no_new_privileges };
	struct cf_resolve_opts ropts;
	int r;

	r = opts_resolve_options(s, &ropts, reterr);
	if (r < 0)
		return r;
	c.caps = ropts.bounding;

	c.seccomp_label = s->seccomp ? s->seccomp : s->podman ? "podman" : "builtin";
	/* moby daemon/seccomp_linux.go: unconfined => none; privileged => none unless the
	 * container names its own profile. */
	if ((s->seccomp && strcmp(s->seccomp, "unconfined") == 0) ||
	    (s->privileged && !s->seccomp)) {
		c.seccomp_disabled = true;
		if (s->privileged && !s->seccomp)
			c.seccomp_label = "unconfined";
		*ret = c;
		return 0;
	}
	r = load_profile(s, &c.profile, reterr);
	if (r < 0)
		return r;
	r = cf_profile_resolve(c.profile, &ropts, &c.resolved, reterr);
	if (r < 0) {
		cf_confinement_clear(&c);
		return r;
	}
	/* the parser's warnings (unknown keys) first, in file order, then the resolver's */
	if (c.profile->warnings.n) {
		struct cf_warnings all = { 0 };

		for (size_t i = 0; i < c.profile->warnings.n; i++)
			warnings_add(&all, &c.profile->warnings.items[i]);
		for (size_t i = 0; i < c.resolved->warnings.n; i++)
			warnings_add(&all, &c.resolved->warnings.items[i]);
		warnings_clear(&c.resolved->warnings);
		c.resolved->warnings = all;
	}
	if (c.resolved->unconfined)
		c.seccomp_disabled = true;
	*ret = c;
	return 0;
}

int opts_compile_filter(const struct cf_confinement *c, struct cf_bpf_prog **ret,
			struct cf_diag *reterr)
{
	int r = cf_resolved_check_runtime(c->resolved, reterr);

	if (r < 0)
		return r;
	return cf_filter_compile(c->resolved, ret, reterr);
}

void cf_confinement_clear(struct cf_confinement *c)
{
	c->resolved = cf_resolved_free(c->resolved);
	c->profile = cf_profile_free(c->profile);
}

void output_diag(const struct cf_diag *d, const char *severity)
{
	char buf[2048];

	diag_format(d, severity, buf, sizeof(buf));
	fprintf(stderr, "callfence: %s\n", buf);
}

void output_warnings(const struct cf_warnings *w)
{
	for (size_t i = 0; i < w->n; i++)
		output_diag(&w->items[i], "warning");
}

void opts_unknown_option(const char *cmd, const char *arg, int short_opt,
			 const struct option *longopts)
{
	char word[64];
	const char *best = NULL;
	struct cf_suggest sg;

	if (short_opt) {
		/* a short option: nothing as near as a long name's misspelling to suggest */
		fprintf(stderr, "callfence %s: unknown option -%c\n", cmd, short_opt);
	} else {
		const char *w = arg;
		size_t n;

		while (*w == '-')
			w++;
		n = strcspn(w, "=");
		snprintf(word, sizeof(word), "%.*s", (int)(n < sizeof(word) ? n : sizeof(word) - 1),
			 w);
		cf_suggest_init(&sg, word);
		for (size_t i = 0; longopts[i].name; i++)
			cf_suggest_consider(&sg, longopts[i].name);
		if (cf_suggest_is_near_miss(&sg))
			best = sg.best;
		if (best)
			fprintf(stderr, "callfence %s: unknown option %s; did you mean --%s?\n",
				cmd, arg, best);
		else
			fprintf(stderr, "callfence %s: unknown option %s\n", cmd, arg);
	}
	fprintf(stderr, "Run 'callfence %s --help' for the options.\n", cmd);
}

int opts_parse_choice(const char *cmd, const char *opt, const char *arg, const char *const *valid,
		      size_t n)
{
	struct cf_suggest sg;

	for (size_t i = 0; i < n; i++)
		if (strcmp(arg, valid[i]) == 0)
			return (int)i;
	cf_suggest_init(&sg, arg);
	for (size_t i = 0; i < n; i++)
		cf_suggest_consider(&sg, valid[i]);
	fprintf(stderr, "callfence %s: %s: unknown value \"%s\"", cmd, opt, arg);
	if (cf_suggest_is_near_miss(&sg))
		fprintf(stderr, " (did you mean \"%s\"?)", sg.best);
	fprintf(stderr, "; valid:");
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %s", valid[i]);
	fprintf(stderr, "\n");
	return -1;
}
