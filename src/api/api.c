/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The public C API (include/callfence/callfence.h) over the private library: opaque handles that
 * wrap the same parser, resolver, compiler, launcher plan and explainer `callfence run` and
 * `callfence explain` use, so a program linking libcallfence.so gets exactly the command's
 * semantics. Only the functions of the header leave the shared library (libcallfence.sym).
 *
 * As libseccomp's seccomp.h: 0 or a negative errno, never a print or an exit; handles are
 * opaque, the caller owns what it is given, every _free takes NULL and returns NULL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/diag.h"
#include "bpf/filter.h"
#include "callfence/callfence.h"
#include "caps/caps.h"
#include "cf-config.h"
#include "explain/explain.h"
#include "profile/profile.h"
#include "run/run.h"

extern char **environ;

/* ------------------------------------------------------------------------------------------- */
/* Errors */

struct callfence_error {
	int code;
	struct cf_diag d;
	char text[2048];
};

const char *callfence_version(void)
{
	return CF_VERSION;
}

/*
 * Hand a failure to the caller: r as is, and with reterr an error object built from the diag
 * (or strerror when the failing function filled none). -ENOMEM carries no details.
 */
static int fail(int r, const struct cf_diag *d, struct callfence_error **reterr)
{
	struct callfence_error *e;

	if (!reterr || r == -ENOMEM)
		return r;
	e = calloc(1, sizeof(*e));
	if (!e)
		return r;
	e->code = r;
	if (d)
		e->d = *d;
	if (!e->d.message[0])
		snprintf(e->d.message, sizeof(e->d.message), "%s", strerror(-r));
	diag_format(&e->d, "error", e->text, sizeof(e->text));
	*reterr = e;
	return r;
}

struct callfence_error *callfence_error_free(struct callfence_error *e)
{
	free(e);
	return NULL;
}

int callfence_error_code(const struct callfence_error *e)
{
	return e->code;
}

void callfence_error_location(const struct callfence_error *e, const char **ret_file,
			      unsigned *ret_line, unsigned *ret_column)
{
	if (ret_file)
		*ret_file = e->d.file;
	if (ret_line)
		*ret_line = e->d.line;
	if (ret_column)
		*ret_column = e->d.column;
}

const char *callfence_error_pointer(const struct callfence_error *e)
{
	return e->d.path;
}

const char *callfence_error_message(const struct callfence_error *e)
{
	return e->d.message;
}

const char *callfence_error_hint(const struct callfence_error *e)
{
	return e->d.hint;
}

const char *callfence_error_text(const struct callfence_error *e)
{
	return e->text;
}

/* ------------------------------------------------------------------------------------------- */
/* Profiles: reference-counted, since a filter's resolved rules point into its profile */

struct callfence_profile {
	unsigned refs;
	struct cf_profile *p;
};

static int profile_wrap(struct cf_profile *p, struct callfence_profile **ret)
{
	struct callfence_profile *h = calloc(1, sizeof(*h));

	if (!h) {
		cf_profile_free(p);
		return -ENOMEM;
	}
	h->refs = 1;
	h->p = p;
	*ret = h;
	return 0;
}

int callfence_profile_load_file(const char *path, struct callfence_profile **ret,
				struct callfence_error **reterr)
{
	struct cf_profile *p = NULL;
	struct cf_diag d = { 0 };
	int r;

	if (!path || !ret)
		return -EINVAL;
	r = cf_profile_parse_file(path, &p, &d);
	if (r < 0) {
		if (!d.file[0])
			snprintf(d.file, sizeof(d.file), "%s", path);
		return fail(r, &d, reterr);
	}
	return profile_wrap(p, ret);
}

int callfence_profile_load_string(const char *name, const char *text, size_t len,
				  struct callfence_profile **ret, struct callfence_error **reterr)
{
	struct cf_profile *p = NULL;
	struct cf_diag d = { 0 };
	int r;

	if (!text || !ret)
		return -EINVAL;
	r = cf_profile_parse_buffer(name ? name : "<string>", text, len, &p, &d);
	if (r < 0)
		return fail(r, &d, reterr);
	return profile_wrap(p, ret);
}

int callfence_profile_builtin(struct callfence_profile **ret)
{
	struct cf_profile *p = NULL;
	int r;

	if (!ret)
		return -EINVAL;
	r = cf_profile_builtin(&p);
	if (r < 0)
		return r;
	return profile_wrap(p, ret);
}

struct callfence_profile *callfence_profile_free(struct callfence_profile *h)
{
	if (!h || --h->refs > 0)
		return NULL;
	cf_profile_free(h->p);
	free(h);
	return NULL;
}

/* ------------------------------------------------------------------------------------------- */
/* Filters */

struct callfence_filter {
	struct callfence_profile *profile; /* a reference */
	struct cf_resolved *resolved;
	struct cf_bpf_prog *prog;
	cf_capset caps;
};

struct callfence_filter *callfence_filter_free(struct callfence_filter *f)
{
	if (!f)
		return NULL;
	cf_bpf_prog_free(f->prog);
	cf_resolved_free(f->resolved);
	callfence_profile_free(f->profile);
	free(f);
	return NULL;
}

/* The calling thread's credentials (src/run/caller.c), with a diag on failure. */
static int get_caller(struct cf_caller *ret, struct cf_diag *reterr)
{
	int r = cf_caller_get(ret);

	if (r < 0) {
		cf_caller_clear(ret);
		return diag_set(reterr, -r, NULL, 0, 0, NULL,
				"reading the caller's credentials: %s", strerror(-r));
	}
	return 0;
}

static size_t count(const char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/*
 * The capability set as `callfence run` computes it for its command: Docker's algebra, cut to
 * what this process can grant (src/run/caller.c), since the filter's capability gates must
 * follow what the confined program really holds.
 */
static int resolve_caps(const char *const *cap_add, const char *const *cap_drop, cf_capset *ret,
			struct cf_diag *reterr)
{
	struct cf_caller caller = { 0 };
	struct cf_cap_limit limit;
	struct cf_cap_request req = {
		.add = cap_add,
		.n_add = count(cap_add),
		.drop = cap_drop,
		.n_drop = count(cap_drop),
		.limit = &limit,
	};
	int r = get_caller(&caller, reterr);

	if (r < 0)
		return r;
	cf_caller_cap_limit(&caller, caller.euid == 0, &limit);
	r = caps_resolve(&req, ret, reterr);
	cf_caller_clear(&caller);
	return r;
}

int callfence_filter_new(struct callfence_profile *p, const char *const *cap_add,
			 const char *const *cap_drop, unsigned flags, struct callfence_filter **ret,
			 struct callfence_error **reterr)
{
	struct cf_resolve_opts ropts = { .native = CF_ARCH_INVALID };
	struct callfence_filter *f;
	struct cf_diag d = { 0 };
	int r;

	if (!p || !ret)
		return -EINVAL;
	if (flags) {
		diag_set(&d, EINVAL, NULL, 0, 0, "flags", "unknown flags 0x%x", flags);
		diag_hint(&d, "callfence_filter_new takes flags 0");
		return fail(-EINVAL, &d, reterr);
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	p->refs++;
	f->profile = p;
	/* moby computes the capabilities first; the profile's gates see the final set */
	r = resolve_caps(cap_add, cap_drop, &f->caps, &d);
	if (r < 0)
		goto err;
	ropts.bounding = f->caps;
	r = cf_profile_resolve(p->p, &ropts, &f->resolved, &d);
	if (r < 0)
		goto err;
	/* what runc refuses at container start, then the program runc + libseccomp would build */
	r = cf_resolved_check_runtime(f->resolved, &d);
	if (r < 0)
		goto err;
	r = cf_filter_compile(f->resolved, &f->prog, &d);
	if (r < 0)
		goto err;
	*ret = f;
	return 0;
err:
	callfence_filter_free(f);
	return fail(r, &d, reterr);
}

uint64_t callfence_filter_capabilities(const struct callfence_filter *f)
{
	return f->caps;
}

void callfence_filter_bpf(const struct callfence_filter *f, const struct sock_filter **ret_insns,
			  size_t *ret_len, unsigned *ret_flags)
{
	if (ret_insns)
		*ret_insns = f->prog->insns;
	if (ret_len)
		*ret_len = f->prog->len;
	if (ret_flags)
		*ret_flags = f->prog->seccomp_flags;
}

static int check_install_flags(unsigned flags, struct cf_diag *d)
{
	if (!(flags & ~CALLFENCE_INSTALL_NNP))
		return 0;
	diag_set(d, EINVAL, NULL, 0, 0, "flags", "unknown flags 0x%x", flags);
	diag_hint(d, "valid: 0, CALLFENCE_INSTALL_NNP");
	return -EINVAL;
}

int callfence_filter_install(const struct callfence_filter *f, unsigned flags,
			     struct callfence_error **reterr)
{
	struct cf_caller caller = { 0 };
	struct cf_diag d = { 0 };
	bool nnp;
	int r;

	if (!f)
		return -EINVAL;
	r = check_install_flags(flags, &d);
	if (r < 0)
		return fail(r, &d, reterr);
	r = get_caller(&caller, &d);
	if (r < 0)
		return fail(r, &d, reterr);
	/* as run's plan (install.c nnp_needed_for): the kernel takes an unprivileged filter only
	 * under no-new-privileges; with CAP_SYS_ADMIN Docker's default leaves it unset */
	nnp = (flags & CALLFENCE_INSTALL_NNP) || !cf_caller_has(&caller, CAP_SYS_ADMIN);
	cf_caller_clear(&caller);
	r = cf_install_filter(f->prog, nnp, f->profile->p->has_flags, &d);
	if (r < 0)
		return fail(r, &d, reterr);
	return 0;
}

/*
 * run's launch without the fork: the same plan (caps, NNP, guard and filter in runc's order,
 * install.c), the same preflight of every post-install step against the filter, then the steps
 * in this process. cf_plan_execute returns only on failure.
 */
int callfence_exec(const struct callfence_filter *f, const char *path, char *const argv[],
		   char *const envp[], unsigned flags, struct callfence_error **reterr)
{
	cleanup(cf_plan_freep) struct cf_plan *plan = NULL;
	cleanup_free char *full = NULL;
	struct cf_caller caller = { 0 };
	struct cf_run_spec spec;
	struct cf_diag d = { 0 };
	char *const *env = envp ? envp : environ;
	size_t step = 0;
	int r;

	if (!f || !path || !argv || !argv[0])
		return -EINVAL;
	r = check_install_flags(flags, &d);
	if (r < 0)
		return fail(r, &d, reterr);
	if (f->prog->needs_listener) {
		diag_set(&d, EOPNOTSUPP, NULL, 0, 0, "/listenerPath",
			 "the profile uses SCMP_ACT_NOTIFY, which needs a seccomp agent; the "
			 "library does not hand the listener to one (callfence run does)");
		return fail(-EOPNOTSUPP, &d, reterr);
	}
	r = cf_exec_find(path, env, &full);
	if (r < 0) {
		diag_set(&d, -r, NULL, 0, 0, NULL, "%s: %s", path,
			 r == -ENOENT ? "executable file not found in $PATH" : strerror(-r));
		return fail(r, &d, reterr);
	}
	r = get_caller(&caller, &d);
	if (r < 0)
		return fail(r, &d, reterr);
	spec = (struct cf_run_spec){
		.prog = f->prog,
		.flags_explicit = f->profile->p->has_flags,
		.caps = f->caps,
		.no_new_privileges = flags & CALLFENCE_INSTALL_NNP,
		.caller = &caller,
		.path = full,
		.argv = (char **)argv,
		.envp = (char **)env,
	};
	r = cf_plan_build(&spec, &plan, &d);
	if (r == 0)
		r = cf_preflight(plan, f->prog, f->profile->p->source, &d);
	cf_caller_clear(&caller);
	if (r < 0)
		return fail(r, &d, reterr);
	r = cf_plan_execute(plan, NULL, &step);
	if (step < plan->n_steps)
		diag_set(&d, -r, NULL, 0, 0, NULL, "%s failed (%s): %s",
			 cf_step_syscall_name(&plan->steps[step]), plan->steps[step].what,
			 strerror(-r));
	return fail(r, &d, reterr);
}

/* ------------------------------------------------------------------------------------------- */
/* Explaining one call */

struct callfence_explanation {
	struct cf_explanation e;
	char rule[384];
	char fix[640];
	char *text;
};

struct callfence_explanation *callfence_explanation_free(struct callfence_explanation *x)
{
	if (!x)
		return NULL;
	free(x->text);
	free(x);
	return NULL;
}

static void decider(const struct cf_explain_ctx *ctx, const struct cf_explanation *e, char *buf,
		    size_t size)
{
	switch (e->eval.source) {
	case CF_EVAL_RULE:
		cf_explain_rule_location(ctx->profile, (size_t)e->eval.rule_index, buf, size);
		return;
	case CF_EVAL_DEFAULT:
		snprintf(buf, size, "the default action");
		return;
	case CF_EVAL_BAD_ARCH:
		snprintf(buf, size, "the architecture check (an ABI the profile does not accept)");
		return;
	case CF_EVAL_NEWER_THAN_PROFILE:
		snprintf(buf, size, "the ENOSYS boundary (newer than the profile)");
		return;
	}
	snprintf(buf, size, "?");
}

int callfence_explain(const struct callfence_filter *f, const char *syscall, const uint64_t *args,
		      unsigned n_args, struct callfence_explanation **ret)
{
	struct callfence_explanation *x;
	struct cf_explain_ctx ctx;
	struct cf_call call;
	int r;

	if (!f || !syscall || !ret || n_args > 6 || (n_args && !args))
		return -EINVAL;
	r = cf_call_init(&call, f->resolved->native, syscall);
	if (r < 0)
		return r == -ENOMEM ? r : -ENOENT;
	for (unsigned i = 0; i < n_args; i++)
		call.args[i] = args[i];
	call.n_given = n_args;
	ctx = (struct cf_explain_ctx){
		.profile = f->profile->p,
		.resolved = f->resolved,
		.opts = { .native = f->resolved->native,
			  .kernel = f->resolved->kernel,
			  .bounding = f->caps },
		.explicit_profile = strcmp(f->profile->p->source, "builtin") != 0,
		.label = f->profile->p->source,
	};
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	r = cf_explain_call(&ctx, NULL, &call, true, &x->e);
	if (r == 0)
		r = cf_explain_format_text(&ctx, &x->e, &x->text);
	if (r < 0) {
		callfence_explanation_free(x);
		return r;
	}
	decider(&ctx, &x->e, x->rule, sizeof(x->rule));
	if (x->e.denied && x->e.n_fixes)
		cf_explain_fix_text(&x->e.fixes[0], &ctx, x->fix, sizeof(x->fix));
	*ret = x;
	return 0;
}

uint32_t callfence_explanation_action(const struct callfence_explanation *x)
{
	return x->e.eval.ret;
}

int callfence_explanation_denied(const struct callfence_explanation *x)
{
	return x->e.denied;
}

const char *callfence_explanation_rule(const struct callfence_explanation *x)
{
	return x->rule;
}

const char *callfence_explanation_fix(const struct callfence_explanation *x)
{
	return x->fix;
}

const char *callfence_explanation_text(const struct callfence_explanation *x)
{
	return x->text;
}
