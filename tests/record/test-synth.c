/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Profile synthesis (src/record/synth.c) and merge on hand-built recordings against Docker's
 * default profile. Every output is judged by the reference model (cf_resolved_evaluate) of the
 * parsed output, never by looking at the JSON text alone; every positive case has its twin.
 */
#include <linux/audit.h>
#include <linux/capability.h>
#include <sys/prctl.h>

#include "bpf/filter.h"
#include "lib/cf-test.h"
#include "record/synth.h"

#define X86_64 AUDIT_ARCH_X86_64
#define I386   AUDIT_ARCH_I386

struct fx {
	struct cf_profile *p;
	struct cf_resolved *r;
	struct cf_explain_ctx ctx;
	struct cf_recording rec;
	struct cf_synth_result res;
	struct cf_resolved *out; /* the output, resolved for out_caps */
	struct cf_model *m;
};

static void base(struct fx *f, const char *json, cf_capset caps)
{
	struct cf_resolve_opts o = { .native = CF_ARCH_X86_64, .bounding = caps };
	struct cf_diag d;

	memset(f, 0, sizeof(*f));
	assert_int_equal(cf_kernel_parse("6.18", &o.kernel), 0);
	if (json)
		assert_int_equal(
			cf_profile_parse_buffer("base.json", json, strlen(json), &f->p, &d), 0);
	else
		assert_int_equal(cf_profile_builtin(&f->p), 0);
	assert_int_equal(cf_profile_resolve(f->p, &o, &f->r, &d), 0);
	f->ctx = (struct cf_explain_ctx){ .profile = f->p,
					  .resolved = f->r,
					  .opts = o,
					  .label = json ? "base.json" : "builtin" };
	f->rec.caps_observed = true;
	f->rec.observer = "test";
}

static void unconfined(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->ctx = (struct cf_explain_ctx){ .seccomp_disabled = true, .label = "unconfined" };
	f->ctx.opts.native = CF_ARCH_X86_64;
	f->ctx.opts.bounding = caps_docker_default();
	f->rec.caps_observed = true;
	f->rec.observer = "test";
}

static struct cf_rec_call *rec(struct fx *f, uint32_t arch, const char *name, bool ok,
			       const char *origin)
{
	enum cf_arch a = arch == I386 ? CF_ARCH_X86 : CF_ARCH_X86_64;
	int nr = syscall_resolve_name(a, name);
	struct cf_rec_call *c;

	assert_true(nr >= 0);
	assert_int_equal(cf_recording_add(&f->rec, arch, nr, &c), 0);
	c->count += 3;
	c->succeeded |= ok;
	snprintf(c->origin, sizeof(c->origin), "%s", origin ? origin : "/usr/bin/prog");
	return c;
}

static void tuple(struct cf_rec_call *c, uint64_t a0, uint64_t a1)
{
	uint64_t a[6] = { a0, a1 };

	assert_int_equal(cf_rec_call_add_tuple(c, a), 0);
}

static void synth_opts(struct fx *f, struct cf_synth_opts *o, cf_capset run_caps)
{
	*o = (struct cf_synth_opts){ .base = &f->ctx,
				     .label = "recorded",
				     .tool = "callfence record",
				     .run_caps = run_caps };
}

/* Synthesize and resolve the output for caps (what `docker run --cap-add` the summary says). */
static void run_synth(struct fx *f, const struct cf_synth_opts *o)
{
	struct cf_resolve_opts ro = f->ctx.opts;
	struct cf_diag d = { 0 };
	int r = cf_synth(&f->rec, o, &f->res, &d);

	if (r < 0)
		fail_msg("cf_synth: %d: %s", r, d.message);
	ro.bounding = o->run_caps;
	if (o->format == CF_SYNTH_DOCKER) {
		assert_int_equal(cf_profile_resolve(f->res.profile, &ro, &f->out, &d), 0);
		assert_int_equal(cf_model_new(f->out, &f->m, &d), 0);
	}
}

static void done(struct fx *f)
{
	cf_model_free(f->m);
	cf_resolved_free(f->out);
	cf_synth_result_clear(&f->res);
	cf_recording_clear(&f->rec);
	cf_resolved_free(f->r);
	cf_profile_free(f->p);
}

/* The output's answer: the kernel return value. */
static uint32_t ask(struct fx *f, uint32_t arch, const char *name, uint64_t a0, uint64_t a1)
{
	enum cf_arch a = arch == I386 ? CF_ARCH_X86 : CF_ARCH_X86_64;
	struct seccomp_data d = { .arch = arch, .nr = syscall_resolve_name(a, name) };
	struct cf_eval_result ev;

	d.args[0] = a0;
	d.args[1] = a1;
	assert_int_equal(cf_model_evaluate(f->m, &d, &ev), 0);
	return ev.ret;
}

static bool allows(struct fx *f, const char *name, uint64_t a0)
{
	return ask(f, X86_64, name, a0, 0) == SECCOMP_RET_ALLOW;
}

/* A rule of the output naming name, and whether any such rule is unconditional. */
static bool named_unconditionally(const struct cf_profile *p, const char *name, bool *any)
{
	bool unc = false;

	*any = false;
	for (size_t i = 0; i < p->n_rules; i++)
		for (size_t j = 0; j < p->rules[i].n_names; j++)
			if (strcmp(p->rules[i].names[j], name) == 0) {
				*any = true;
				unc |= p->rules[i].n_args == 0 &&
				       p->rules[i].action == CF_ACT_ALLOW &&
				       !p->rules[i].includes.n_caps;
			}
	return unc;
}

static const struct cf_synth_denied *denied(struct fx *f, const char *name)
{
	for (size_t i = 0; i < f->res.n_denied; i++)
		if (strcmp(f->res.denied[i].name, name) == 0)
			return &f->res.denied[i];
	return NULL;
}

static void test_recorded_calls_allowed_others_not(void **state)
{
	struct fx f;
	struct cf_synth_opts o;

	(void)state;
	base(&f, NULL, caps_docker_default());
	rec(&f, X86_64, "read", true, "/usr/bin/cat");
	rec(&f, X86_64, "write", true, "/usr/bin/cat");
	rec(&f, X86_64, "exit_group", true, "/usr/bin/cat");
	rec(&f, X86_64, "openat", true, "/usr/bin/sh");
	synth_opts(&f, &o, caps_docker_default());
	run_synth(&f, &o);
	assert_true(allows(&f, "read", 0));
	assert_true(allows(&f, "openat", 0));
	/* twin: what was not recorded is the default, EPERM (Docker's errnoRet) */
	assert_int_equal(ask(&f, X86_64, "mkdir", 0, 0), SECCOMP_RET_ERRNO | EPERM);
	assert_int_equal(ask(&f, X86_64, "socket", 2, 0), SECCOMP_RET_ERRNO | EPERM);
	/* Docker's archMap, and a comment naming the first executable with counts */
	assert_true(f.res.profile->n_arch_map > 0);
	assert_non_null(strstr(f.res.text, "first called by /usr/bin/cat: exit_group x3, read x3"));
	assert_non_null(strstr(f.res.text, "first called by /usr/bin/sh: openat x3"));
	assert_non_null(strstr(f.res.text, "\"defaultErrnoRet\": 1"));
	assert_int_equal(f.res.n_denied, 0);
	done(&f);
}

static void test_base_denied_is_reported_not_added(void **state)
{
	struct fx f;
	struct cf_synth_opts o;
	const struct cf_synth_denied *d;
	bool any;

	(void)state;
	base(&f, NULL, caps_docker_default());
	rec(&f, X86_64, "read", true, NULL);
	rec(&f, X86_64, "mount", true, "/usr/bin/mount");
	synth_opts(&f, &o, caps_docker_default());
	run_synth(&f, &o);
	named_unconditionally(f.res.profile, "mount", &any);
	assert_false(any);
	assert_false(allows(&f, "mount", 0));
	d = denied(&f, "mount");
	assert_non_null(d);
	assert_string_equal(d->origin, "/usr/bin/mount");
	/* explain's least-privilege fix */
	assert_non_null(strstr(d->fix, "SYS_ADMIN"));
	/* the set for all denials: a rule or the capability, verified by explain */
	assert_true(f.res.has_fixes);
	assert_true(f.res.fixes.n_rules || (f.res.fixes.caps & CF_CAP_BIT(CAP_SYS_ADMIN)));
	done(&f);

	/* twin: with CAP_SYS_ADMIN the base allows it through includes.caps, which is kept */
	base(&f, NULL, caps_docker_default() | CF_CAP_BIT(CAP_SYS_ADMIN));
	rec(&f, X86_64, "mount", true, "/usr/bin/mount");
	f.rec.caps_used = CF_CAP_BIT(CAP_SYS_ADMIN);
	synth_opts(&f, &o, caps_docker_default() | CF_CAP_BIT(CAP_SYS_ADMIN));
	run_synth(&f, &o);
	assert_null(denied(&f, "mount"));
	assert_false(named_unconditionally(f.res.profile, "mount", &any));
	assert_true(any);
	assert_true(allows(&f, "mount", 0));
	assert_non_null(strstr(f.res.text, "\"CAP_SYS_ADMIN\""));
	assert_int_equal(f.res.caps, CF_CAP_BIT(CAP_SYS_ADMIN));
	done(&f);
}

static void test_personality_keeps_condition(void **state)
{
	struct fx f;
	struct cf_synth_opts o;
	struct cf_rec_call *c;
	bool any;

	(void)state;
	base(&f, NULL, caps_docker_default());
	c = rec(&f, X86_64, "personality", true, NULL);
	tuple(c, 0, 0);
	synth_opts(&f, &o, caps_docker_default());
	run_synth(&f, &o);
	assert_false(named_unconditionally(f.res.profile, "personality", &any));
	assert_true(any);
	assert_true(allows(&f, "personality", 0));
	/* narrower than the base: 8 (PER_LINUX32) is allowed by the base, not recorded */
	assert_false(allows(&f, "personality", 8));
	assert_false(allows(&f, "personality", 0x1234));
	assert_non_null(strstr(f.res.text, "argument-conditioned as builtin:rule #5: arg0 == 0x0"));
	done(&f);

	/* twin: a value the base denies is reported, and no personality rule at all appears */
	base(&f, NULL, caps_docker_default());
	c = rec(&f, X86_64, "personality", true, NULL);
	tuple(c, 0x1234, 0);
	synth_opts(&f, &o, caps_docker_default());
	run_synth(&f, &o);
	named_unconditionally(f.res.profile, "personality", &any);
	assert_false(any);
	assert_non_null(denied(&f, "personality"));
	assert_true(denied(&f, "personality")->has_args);
	assert_false(allows(&f, "personality", 0x1234));
	done(&f);
}

static void test_no_vectors_copies_base_rules(void **state)
{
	struct fx f;
	struct cf_synth_opts o;
	struct cf_rec_call *c;

	(void)state;
	/* predict, or too many vectors: the base's own rules, never unconditional */
	base(&f, NULL, caps_docker_default());
	c = rec(&f, X86_64, "personality", true, NULL);
	c->tuples_dropped = 1;
	synth_opts(&f, &o, caps_docker_default());
	run_synth(&f, &o);
	assert_true(allows(&f, "personality", 0));
	assert_true(allows(&f, "personality", 8));
	assert_true(allows(&f, "personality", 0xffffffff));
	assert_false(allows(&f, "personality", 0x1234));
	done(&f);
}

static void test_clone3_enosys_and_clone_fallback(void **state)
{
	struct fx f;
	struct cf_synth_opts o;
	struct cf_rec_call *c;

	(void)state;
	/* glibc's pthread_create made clone3, which succeeded (the base is only observed), but
	 * the base answers ENOSYS without CAP_SYS_ADMIN: the replay will take clone */
	base(&f, NULL, caps_docker_default());
	rec(&f, X86_64, "clone3", true, "/usr/bin/python3");
	synth_opts(&f, &o, caps_docker_default());
	run_synth(&f, &o);
	assert_int_equal(ask(&f, X86_64, "clone3", 0, 0), SECCOMP_RET_ERRNO | ENOSYS);
	assert_null(denied(&f, "clone3"));
	/* glibc's thread flags, and fork's */
	assert_true(allows(&f, "clone", 0x3d0f00));
	assert_true(allows(&f, "clone", 0x1200011));
	/* twin: the fallback keeps the base's condition (no namespaces) */
	assert_false(allows(&f, "clone", 0x10000000 /* CLONE_NEWUSER */ | 0x11));
	assert_non_null(strstr(f.res.text, "libc fallback"));
	done(&f);

	/* recorded but never succeeding, unconfined base: still ENOSYS, not EPERM */
	unconfined(&f);
	rec(&f, X86_64, "clone3", false, NULL);
	rec(&f, X86_64, "clone", true, NULL);
	synth_opts(&f, &o, caps_docker_default());
	o.base = &f.ctx;
	{
		struct cf_diag d;
		struct cf_resolve_opts ro = f.ctx.opts;

		assert_int_equal(cf_synth(&f.rec, &o, &f.res, &d), 0);
		assert_int_equal(cf_profile_resolve(f.res.profile, &ro, &f.out, &d), 0);
		assert_int_equal(cf_model_new(f.out, &f.m, &d), 0);
	}
	assert_int_equal(ask(&f, X86_64, "clone3", 0, 0), SECCOMP_RET_ERRNO | ENOSYS);
	assert_true(allows(&f, "clone", 0x10000000));
	done(&f);

	/* twin: recorded succeeding where the base allows it (CAP_SYS_ADMIN): allowed */
	base(&f, NULL, caps_docker_default() | CF_CAP_BIT(CAP_SYS_ADMIN));
	c = rec(&f, X86_64, "clone3", true, NULL);
	(void)c;
	f.rec.caps_used = 0;
	synth_opts(&f, &o, caps_docker_default() | CF_CAP_BIT(CAP_SYS_ADMIN));
	run_synth(&f, &o);
	assert_true(allows(&f, "clone3", 0));
	/* the gate asks for the capability even though no check was seen */
	assert_true(f.res.caps & CF_CAP_BIT(CAP_SYS_ADMIN));
	done(&f);
}

static void test_vdso_calls(void **state)
{
	struct fx f;
	struct cf_synth_opts o;
	bool any;

	(void)state;
	base(&f, NULL, caps_docker_default());
	rec(&f, X86_64, "read", true, NULL);
	synth_opts(&f, &o, caps_docker_default());
	run_synth(&f, &o);
	assert_true(allows(&f, "clock_gettime", 0));
	assert_true(allows(&f, "gettimeofday", 0));
	assert_true(allows(&f, "time", 0));
	assert_true(allows(&f, "getcpu", 0));
	assert_int_equal(ask(&f, I386, "clock_gettime64", 0, 0), SECCOMP_RET_ALLOW);
	assert_non_null(strstr(f.res.text, "vDSO"));
	done(&f);

	/* twin: a base that denies clock_gettime is not overridden */
	base(&f,
	     "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
	     "\"syscalls\":[{\"names\":[\"read\",\"gettimeofday\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
	     caps_docker_default());
	rec(&f, X86_64, "read", true, NULL);
	synth_opts(&f, &o, caps_docker_default());
	run_synth(&f, &o);
	named_unconditionally(f.res.profile, "clock_gettime", &any);
	assert_false(any);
	assert_true(allows(&f, "gettimeofday", 0));
	done(&f);
}

static void test_runtime_needs(void **state)
{
	static const struct cf_synth_need needs[] = {
		{ .name = "prctl", .arg0 = { PR_CAPBSET_DROP, PR_SET_KEEPCAPS }, .n_arg0 = 2 },
		{ .name = "capset" },
		{ .name = "mount" }, /* denied by the base: never added */
	};
	struct fx f;
	struct cf_synth_opts o;
	bool any;

	(void)state;
	base(&f, NULL, caps_docker_default());
	rec(&f, X86_64, "read", true, NULL);
	synth_opts(&f, &o, caps_docker_default());
	o.runtime = "runc";
	o.needs = needs;
	o.n_needs = ARRAY_SIZE(needs);
	run_synth(&f, &o);
	assert_true(allows(&f, "capset", 0));
	assert_true(allows(&f, "prctl", PR_CAPBSET_DROP));
	assert_true(allows(&f, "prctl", PR_SET_KEEPCAPS));
	/* twin: only the runtime's options, not prctl outright */
	assert_false(allows(&f, "prctl", PR_SET_NAME));
	assert_false(allows(&f, "mount", 0));
	assert_int_equal(f.res.n_runtime_added, 2);
	assert_int_equal(f.res.n_runtime_denied, 1);
	assert_string_equal(f.res.runtime_denied[0], "mount");
	assert_non_null(strstr(f.res.text, "runtime needs: what runc calls"));
	done(&f);

	/* twin: without --for nothing of it */
	base(&f, NULL, caps_docker_default());
	rec(&f, X86_64, "read", true, NULL);
	synth_opts(&f, &o, caps_docker_default());
	run_synth(&f, &o);
	named_unconditionally(f.res.profile, "capset", &any);
	assert_false(any);
	done(&f);
}

static void test_i386_and_exact_values(void **state)
{
	struct fx f;
	struct cf_synth_opts o;
	struct cf_rec_call *c;

	(void)state;
	/* a base allowing by default except one argument value: recorded values stay exact */
	static const char json[] =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"%s],"
		"\"syscalls\":[{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":["
		"{\"index\":0,\"value\":40,\"op\":\"SCMP_CMP_EQ\"}]}]}";
	char text[512];
	struct cf_diag d;

	snprintf(text, sizeof(text), json, "");
	base(&f, text, caps_docker_default());
	c = rec(&f, X86_64, "socket", true, NULL);
	tuple(c, 1, 0);
	tuple(c, 2, 0);
	synth_opts(&f, &o, caps_docker_default());
	run_synth(&f, &o);
	assert_true(allows(&f, "socket", 1));
	assert_true(allows(&f, "socket", 2));
	assert_false(allows(&f, "socket", 10));
	assert_false(allows(&f, "socket", 40));
	assert_non_null(strstr(f.res.text, "exact values"));
	/* the base accepts x86_64 only: so does the output */
	assert_int_not_equal(ask(&f, I386, "read", 0, 0), SECCOMP_RET_ALLOW);
	done(&f);

	/* twin, the self-check: with i386 in the base, libseccomp puts socket(a0 == 1) on i386's
	 * socketcall(SYS_SOCKET) without the socket arguments (they are in memory), which the
	 * base denies there: no Docker rule can say "x86_64 only", so synthesis fails closed */
	snprintf(text, sizeof(text), json, ",\"SCMP_ARCH_X86\"");
	base(&f, text, caps_docker_default());
	c = rec(&f, X86_64, "socket", true, NULL);
	tuple(c, 1, 0);
	synth_opts(&f, &o, caps_docker_default());
	assert_int_equal(cf_synth(&f.rec, &o, &f.res, &d), -EPROTO);
	assert_non_null(strstr(d.message, "socketcall"));
	assert_null(f.res.text);
	done(&f);

	/* i386 calls are named by the i386 table */
	base(&f, NULL, caps_docker_default());
	rec(&f, I386, "_llseek", true, "/usr/lib/i386/prog");
	synth_opts(&f, &o, caps_docker_default());
	run_synth(&f, &o);
	assert_int_equal(ask(&f, I386, "_llseek", 0, 0), SECCOMP_RET_ALLOW);
	assert_non_null(strstr(f.res.text, "\"_llseek\""));
	done(&f);
}

static void test_arg_watch(void **state)
{
	struct fx f;
	struct cf_rec_watch *w = NULL;
	size_t n = 0;
	bool personality = false, read = false;

	(void)state;
	base(&f, NULL, caps_docker_default());
	assert_int_equal(cf_synth_arg_watch(f.r, &w, &n), 0);
	for (size_t i = 0; i < n; i++) {
		if (w[i].arch == X86_64 &&
		    w[i].nr == syscall_resolve_name(CF_ARCH_X86_64, "personality")) {
			personality = true;
			assert_int_equal(w[i].arg_mask, 1);
		}
		read |= w[i].arch == X86_64 &&
			w[i].nr == syscall_resolve_name(CF_ARCH_X86_64, "read");
	}
	assert_true(personality);
	assert_false(read); /* twin: an unconditional call is not watched */
	free(w);
	done(&f);
}

static void test_oci_fragment(void **state)
{
	struct fx f;
	struct cf_synth_opts o;
	struct cf_profile *p = NULL;
	struct cf_diag d;

	(void)state;
	base(&f, NULL, caps_docker_default());
	rec(&f, X86_64, "fchownat", true, NULL);
	f.rec.caps_used = CF_CAP_BIT(CAP_CHOWN) | CF_CAP_BIT(CAP_SYS_ADMIN) /* not held */;
	synth_opts(&f, &o, caps_docker_default());
	o.format = CF_SYNTH_OCI;
	o.no_new_privileges = true;
	run_synth(&f, &o);
	assert_int_equal(f.res.caps, CF_CAP_BIT(CAP_CHOWN));
	assert_non_null(strstr(f.res.text, "\"noNewPrivileges\": true"));
	assert_non_null(strstr(f.res.text, "\"CAP_CHOWN\""));
	assert_null(strstr(f.res.text, "\"CAP_KILL\""));
	assert_null(strstr(f.res.text, "\"CAP_SYS_ADMIN\""));
	/* the parser takes the fragment as an OCI config */
	assert_int_equal(cf_profile_parse_buffer("oci", f.res.text, strlen(f.res.text), &p, &d), 0);
	cf_profile_free(p);
	done(&f);

	/* twin: capabilities not observed: the run's set, said in the result */
	base(&f, NULL, caps_docker_default());
	rec(&f, X86_64, "fchownat", true, NULL);
	f.rec.caps_observed = false;
	synth_opts(&f, &o, caps_docker_default());
	o.format = CF_SYNTH_OCI;
	run_synth(&f, &o);
	assert_false(f.res.caps_observed);
	assert_int_equal(f.res.caps, caps_docker_default());
	assert_non_null(strstr(f.res.text, "\"CAP_KILL\""));
	done(&f);
}

/* ------------------------------------------------------------------------------------------- */
/* merge */

static struct cf_profile *parse(const char *src, const char *text)
{
	struct cf_profile *p = NULL;
	struct cf_diag d;

	if (cf_profile_parse_buffer(src, text, strlen(text), &p, &d) < 0)
		fail_msg("%s: %s", src, d.message);
	return p;
}

static struct cf_model *model_of(const char *text, struct cf_resolved **r, struct cf_profile **p)
{
	struct cf_resolve_opts o = { .native = CF_ARCH_X86_64, .bounding = caps_docker_default() };
	struct cf_model *m = NULL;
	struct cf_diag d;

	*p = parse("merged", text);
	assert_int_equal(cf_kernel_parse("6.18", &o.kernel), 0);
	assert_int_equal(cf_profile_resolve(*p, &o, r, &d), 0);
	assert_int_equal(cf_model_new(*r, &m, &d), 0);
	return m;
}

static uint32_t ask_m(struct cf_model *m, const char *name, uint64_t a0, uint64_t a1)
{
	struct seccomp_data d = { .arch = X86_64,
				  .nr = syscall_resolve_name(CF_ARCH_X86_64, name) };
	struct cf_eval_result ev;

	d.args[0] = a0;
	d.args[1] = a1;
	assert_int_equal(cf_model_evaluate(m, &d, &ev), 0);
	return ev.ret;
}

static char *synth_personality(uint64_t value)
{
	struct fx f;
	struct cf_synth_opts o;
	struct cf_rec_call *c;
	char *text;

	base(&f, NULL, caps_docker_default());
	c = rec(&f, X86_64, "personality", true, NULL);
	tuple(c, value, 0);
	rec(&f, X86_64, "clone3", value == 0, NULL);
	synth_opts(&f, &o, caps_docker_default());
	run_synth(&f, &o);
	text = strdup(f.res.text);
	done(&f);
	return text;
}

static void test_merge_recordings(void **state)
{
	char *a = synth_personality(0), *b = synth_personality(8), *out = NULL;
	struct cf_profile *pa = parse("a.json", a), *pb = parse("b.json", b), *pm = NULL;
	const struct cf_profile *in[] = { pa, pb };
	const char *src[] = { "a.json", "b.json" };
	struct cf_resolved *rm = NULL;
	struct cf_model *m;
	struct cf_diag d;

	(void)state;
	assert_int_equal(cf_synth_merge(in, src, 2, &out, &d), 0);
	m = model_of(out, &rm, &pm);
	assert_int_equal(ask_m(m, "personality", 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(ask_m(m, "personality", 8, 0), SECCOMP_RET_ALLOW);
	/* never wider: a third value both bases allow was recorded by neither */
	assert_int_not_equal(ask_m(m, "personality", 0x20000, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(ask_m(m, "clone3", 0, 0), SECCOMP_RET_ERRNO | ENOSYS);
	assert_non_null(strstr(out, "a.json: recorded"));
	assert_non_null(strstr(out, "b.json: recorded"));
	cf_model_free(m);
	cf_resolved_free(rm);
	cf_profile_free(pm);
	free(out);
	cf_profile_free(pa);
	cf_profile_free(pb);
	free(a);
	free(b);
}

static void test_merge_never_concatenates(void **state)
{
	/* SPO's unionArgs would make {a0==1 && a1==2} + {a0==3} into a0==1 || a1==2 || a0==3 */
	static const char a[] =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
		"\"syscalls\":[{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
		"{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},"
		"{\"index\":1,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]},"
		"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";
	static const char b[] =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
		"\"syscalls\":[{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
		"{\"index\":0,\"value\":3,\"op\":\"SCMP_CMP_EQ\"}]},"
		"{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";
	static const char c[] = "{\"defaultAction\":\"SCMP_ACT_KILL\",\"architectures\":["
				"\"SCMP_ARCH_X86_64\"],\"syscalls\":[]}";
	struct cf_profile *pa = parse("a.json", a), *pb = parse("b.json", b),
			  *pc = parse("c.json", c), *pm = NULL;
	const struct cf_profile *in[] = { pa, pb, pc };
	const char *src[] = { "a.json", "b.json", "c.json" };
	struct cf_resolved *rm = NULL;
	struct cf_model *m;
	struct cf_diag d;
	char *out = NULL;

	(void)state;
	assert_int_equal(cf_synth_merge(in, src, 2, &out, &d), 0);
	m = model_of(out, &rm, &pm);
	assert_int_equal(ask_m(m, "socket", 1, 2), SECCOMP_RET_ALLOW);
	assert_int_equal(ask_m(m, "socket", 3, 7), SECCOMP_RET_ALLOW);
	assert_int_not_equal(ask_m(m, "socket", 1, 5), SECCOMP_RET_ALLOW);
	assert_int_not_equal(ask_m(m, "socket", 9, 2), SECCOMP_RET_ALLOW);
	assert_int_equal(ask_m(m, "write", 0, 0), SECCOMP_RET_ALLOW);
	/* "read" once */
	assert_non_null(strstr(out, "\"read\""));
	assert_null(strstr(strstr(out, "\"read\"") + 1, "\"read\""));
	cf_model_free(m);
	cf_resolved_free(rm);
	cf_profile_free(pm);
	free(out);

	/* twin: a different defaultAction is refused, naming the file */
	assert_int_equal(cf_synth_merge(in, src, 3, &out, &d), -EINVAL);
	assert_string_equal(d.file, "c.json");
	assert_non_null(strstr(d.message, "defaultAction"));
	cf_profile_free(pa);
	cf_profile_free(pb);
	cf_profile_free(pc);
}

int main(void)
{
	static const struct cf_test_case cases[] = {
		CF_TEST(test_recorded_calls_allowed_others_not),
		CF_TEST(test_base_denied_is_reported_not_added),
		CF_TEST(test_personality_keeps_condition),
		CF_TEST(test_no_vectors_copies_base_rules),
		CF_TEST(test_clone3_enosys_and_clone_fallback),
		CF_TEST(test_vdso_calls),
		CF_TEST(test_runtime_needs),
		CF_TEST(test_i386_and_exact_values),
		CF_TEST(test_arg_watch),
		CF_TEST(test_oci_fragment),
		CF_TEST(test_merge_recordings),
		CF_TEST(test_merge_never_concatenates),
	};

	return CF_TEST_RUN(cases);
}
