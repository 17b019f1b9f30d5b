/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Explanations and fix ranking on Docker's default profile (builtin) and small profiles:
 * the deciding rule, the reasons of the other rules, the order of the fixes, the escape-surface
 * warnings, the smallest fix set, and the RET rewriting of --explain/--complain.
 */
#include <linux/capability.h>

#include "bpf/sim.h"
#include "explain/explain.h"
#include "lib/cf-test.h"

struct fixture {
	struct cf_profile *p;
	struct cf_resolved *r;
	struct cf_explain_ctx ctx;
};

static void setup_profile(struct fixture *f, struct cf_profile *p, cf_capset caps)
{
	struct cf_resolve_opts o = { .native = CF_ARCH_X86_64, .bounding = caps };
	struct cf_diag d;

	assert_int_equal(cf_kernel_parse("6.18", &o.kernel), 0);
	f->p = p;
	assert_int_equal(cf_profile_resolve(p, &o, &f->r, &d), 0);
	memset(&f->ctx, 0, sizeof(f->ctx));
	f->ctx.profile = p;
	f->ctx.resolved = f->r;
	f->ctx.opts = o;
	f->ctx.label = p->source;
}

static void setup_builtin(struct fixture *f, cf_capset caps)
{
	struct cf_profile *p = NULL;

	assert_int_equal(cf_profile_builtin(&p), 0);
	setup_profile(f, p, caps);
}

static void setup_text(struct fixture *f, const char *json, cf_capset caps)
{
	struct cf_profile *p = NULL;
	struct cf_diag d;

	assert_int_equal(cf_profile_parse_buffer("t.json", json, strlen(json), &p, &d), 0);
	setup_profile(f, p, caps);
}

static void teardown(struct fixture *f)
{
	f->r = cf_resolved_free(f->r);
	f->p = cf_profile_free(f->p);
}

static struct cf_explanation *explain(struct fixture *f, const char *name, unsigned n,
				      const uint64_t *args)
{
	struct cf_explanation *e = calloc(1, sizeof(*e));
	struct cf_call c;

	assert_non_null(e);
	assert_int_equal(cf_call_init(&c, CF_ARCH_X86_64, name), 0);
	for (unsigned i = 0; i < n; i++)
		c.args[i] = args[i];
	c.n_given = n;
	assert_int_equal(cf_explain_call(&f->ctx, NULL, &c, true, e), 0);
	return e;
}

static void test_mbind_story(void **state)
{
	struct fixture f;
	struct cf_explanation *e;
	bool found = false;

	(void)state;
	setup_builtin(&f, caps_docker_default());
	e = explain(&f, "mbind", 0, NULL);
	assert_true(e->denied);
	assert_int_equal(e->eval.ret, SECCOMP_RET_ERRNO | EPERM);
	assert_int_equal(e->eval.source, CF_EVAL_DEFAULT);
	for (size_t i = 0; i < e->n_others; i++)
		if (!e->others[i].active && strstr(e->others[i].why, "CAP_SYS_NICE"))
			found = true;
	assert_true(found);
	/* fix #1: the capability, and it names what else it opens */
	assert_true(e->n_fixes >= 4);
	assert_int_equal(e->fixes[0].kind, CF_FIX_CAP);
	assert_int_equal(e->fixes[0].cap, CAP_SYS_NICE);
	assert_non_null(strstr(e->fixes[0].opens, "set_mempolicy"));
	assert_null(strstr(e->fixes[0].opens, "mbind"));
	assert_non_null(e->fixes[0].powers);
	assert_string_equal(e->fixes[0].warning, "");
	/* ranked by privilege: kinds never go back */
	for (size_t i = 1; i < e->n_fixes; i++)
		assert_true(e->fixes[i].kind >= e->fixes[i - 1].kind);
	assert_int_equal(e->fixes[e->n_fixes - 1].kind, CF_FIX_PRIVILEGED);
	assert_int_equal(e->fixes[e->n_fixes - 2].kind, CF_FIX_UNCONFINED);
	assert_true(e->n_notes >= 1);
	free(e);
	teardown(&f);

	/* negative twin: with CAP_SYS_NICE held, the rule decides and there is nothing to fix */
	setup_builtin(&f, caps_docker_default() | CF_CAP_BIT(CAP_SYS_NICE));
	e = explain(&f, "mbind", 0, NULL);
	assert_false(e->denied);
	assert_int_equal(e->eval.source, CF_EVAL_RULE);
	assert_int_equal(e->n_fixes, 0);
	free(e);
	teardown(&f);
}

static void test_syslog_ranking(void **state)
{
	struct fixture f;
	struct cf_explanation *e;

	(void)state;
	setup_builtin(&f, caps_docker_default());
	e = explain(&f, "syslog", 0, NULL);
	assert_true(e->denied);
	/* both caps work; the narrow one first; CAP_SYS_ADMIN opens escape surfaces, so it
	 * ranks after the rules (the one ranking, cf_fix_compare), with a warning */
	assert_int_equal(e->fixes[0].kind, CF_FIX_CAP);
	assert_int_equal(e->fixes[0].cap, CAP_SYSLOG);
	assert_ptr_equal(cf_explain_best_fix(e), &e->fixes[0]);
	{
		size_t admin = 0, rule = 0;

		for (size_t i = 0; i < e->n_fixes; i++) {
			if (e->fixes[i].kind == CF_FIX_CAP && e->fixes[i].cap == CAP_SYS_ADMIN)
				admin = i;
			if (e->fixes[i].kind == CF_FIX_ARG_RULE || e->fixes[i].kind == CF_FIX_RULE)
				rule = i;
			if (i)
				assert_true(cf_fix_compare(&e->fixes[i - 1], &e->fixes[i]) <= 0);
		}
		assert_true(admin > rule && rule > 0);
		assert_non_null(strstr(e->fixes[admin].warning, "mount"));
		assert_true(e->fixes[admin].n_opens > e->fixes[0].n_opens);
	}
	assert_non_null(strstr(e->notes[0], "CAP_SYSLOG"));
	free(e);
	teardown(&f);
}

static void test_mkdir_needs_rule(void **state)
{
	struct fixture f;
	struct cf_explanation *e;

	(void)state;
	setup_text(&f,
		   "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\","
		   "\"write\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
		   caps_docker_default());
	e = explain(&f, "mkdir", 0, NULL);
	assert_true(e->denied);
	/* no capability helps: the first fix is a plain rule */
	for (size_t i = 0; i < e->n_fixes; i++)
		assert_int_not_equal(e->fixes[i].kind, CF_FIX_CAP);
	assert_int_equal(e->fixes[0].kind, CF_FIX_RULE);
	assert_string_equal(e->fixes[0].rule.name, "mkdir");
	assert_true(e->fixes[0].rule.add);
	assert_false(e->fixes[0].rule.has_arg);
	assert_int_equal(e->fixes[0].rule.remove_from, -1);
	free(e);
	/* twin: read is allowed by rule #0 */
	e = explain(&f, "read", 0, NULL);
	assert_false(e->denied);
	assert_int_equal(e->eval.rule_index, 0);
	free(e);
	teardown(&f);
}

static void test_unconditional_deny_rule(void **state)
{
	struct fixture f;
	struct cf_explanation *e;
	const struct cf_fix *rule = NULL;

	(void)state;
	setup_text(&f,
		   "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\","
		   "\"rmdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}",
		   caps_docker_default());
	e = explain(&f, "mkdir", 0, NULL);
	assert_int_equal(e->eval.ret, SECCOMP_RET_ERRNO | EACCES);
	for (size_t i = 0; i < e->n_fixes; i++)
		if (e->fixes[i].kind == CF_FIX_RULE)
			rule = &e->fixes[i];
	/* an appended allow rule would lose to the unconditional one: take the name out */
	assert_non_null(rule);
	if (!rule)
		return;
	assert_int_equal(rule->rule.remove_from, 0);
	assert_false(rule->rule.add);
	free(e);
	teardown(&f);
}

static void test_personality_args(void **state)
{
	struct fixture f;
	struct cf_explanation *e;
	uint64_t a;
	size_t mism = 0;

	(void)state;
	setup_builtin(&f, caps_docker_default());
	a = 0x8;
	e = explain(&f, "personality", 1, &a);
	assert_false(e->denied);
	assert_int_equal(e->eval.source, CF_EVAL_RULE);
	assert_int_equal(e->n_fixes, 0);
	free(e);

	a = 0x4;
	e = explain(&f, "personality", 1, &a);
	assert_true(e->denied);
	for (size_t i = 0; i < e->n_others; i++)
		if (strstr(e->others[i].why, "argument mismatch"))
			mism++;
	assert_int_equal(mism, 5);
	assert_int_equal(e->fixes[0].kind, CF_FIX_ARG_RULE);
	assert_int_equal(e->fixes[0].rule.index, 0);
	assert_int_equal(e->fixes[0].rule.value, 4);
	assert_int_equal(e->fixes[0].rule.op, CF_OP_EQ);
	assert_int_equal(e->fixes[1].kind, CF_FIX_RULE);
	free(e);
	teardown(&f);
}

static void test_socket_escape(void **state)
{
	struct fixture f;
	struct cf_explanation *e;
	uint64_t a[3] = { 38, 5, 0 };

	(void)state;
	setup_builtin(&f, caps_docker_default());
	e = explain(&f, "socket", 3, a);
	assert_true(e->denied);
	assert_non_null(strstr(e->escape, "AF_ALG"));
	assert_int_equal(e->fixes[0].kind, CF_FIX_ARG_RULE);
	assert_non_null(strstr(e->fixes[0].warning, "AF_ALG"));
	free(e);
	/* twin: AF_INET is allowed and touches no escape surface */
	a[0] = 2;
	a[1] = 1;
	e = explain(&f, "socket", 3, a);
	assert_false(e->denied);
	assert_string_equal(e->escape, "");
	free(e);
	teardown(&f);
}

static void test_escape_table(void **state)
{
	uint64_t ns = 0x10000000, plain = 0x11;

	(void)state;
	assert_non_null(cf_escape_surface("io_uring_setup", NULL, 0));
	assert_non_null(cf_escape_surface("ptrace", NULL, 0));
	assert_non_null(cf_escape_surface("bpf", NULL, 0));
	assert_non_null(cf_escape_surface("unshare", NULL, 0));
	assert_non_null(cf_escape_surface("keyctl", NULL, 0));
	assert_non_null(cf_escape_surface("userfaultfd", NULL, 0));
	assert_non_null(cf_escape_surface("perf_event_open", NULL, 0));
	assert_non_null(cf_escape_surface("clone", &ns, 1));
	assert_null(cf_escape_surface("clone", &plain, 1));
	assert_null(cf_escape_surface("read", NULL, 0));
	assert_null(cf_escape_surface("getpid", NULL, 0));
	assert_non_null(cf_cap_powers(CAP_SYS_NICE));
	assert_null(cf_cap_powers(63));
}

static void test_fix_set(void **state)
{
	struct fixture f;
	struct cf_explanation *e[3];
	struct cf_fix_set set;
	uint64_t alg = 38;
	char *json = NULL;

	(void)state;
	setup_builtin(&f, caps_docker_default());
	e[0] = explain(&f, "mbind", 0, NULL);
	e[1] = explain(&f, "set_mempolicy", 0, NULL);
	e[2] = explain(&f, "socket", 1, &alg);
	assert_int_equal(
		cf_fix_set_compute(&f.ctx, (const struct cf_explanation *const *)e, 3, &set), 0);
	/* one capability covers both NUMA calls; AF_ALG needs a rule (no cap allows it) */
	assert_int_equal(set.caps, CF_CAP_BIT(CAP_SYS_NICE));
	assert_int_equal(set.n_rules, 1);
	assert_string_equal(set.rules[0].name, "socket");
	assert_true(set.rules[0].has_arg);
	assert_true(set.verified);
	assert_false(set.needs_unconfined);
	assert_int_equal(cf_fix_set_profile_json(&f.ctx, &set, &json), 0);
	assert_non_null(strstr(json, "\"socket\""));
	assert_non_null(strstr(json, "\"value\": 38"));
	/* the written profile parses, and allows the call with the caps */
	{
		struct fixture g;

		setup_text(&g, json, caps_docker_default() | set.caps);
		free(e[0]);
		e[0] = explain(&g, "socket", 1, &alg);
		assert_false(e[0]->denied);
		free(e[0]);
		e[0] = explain(&g, "mbind", 0, NULL);
		assert_false(e[0]->denied);
		/* negative twin: AF_VSOCK stays denied */
		free(e[0]);
		alg = 40;
		e[0] = explain(&g, "socket", 1, &alg);
		assert_true(e[0]->denied);
		teardown(&g);
	}
	free(json);
	cf_fix_set_clear(&set);
	for (int i = 0; i < 3; i++)
		free(e[i]);
	teardown(&f);
}

static void test_rewrite(void **state)
{
	struct fixture f;
	struct cf_bpf_prog *prog = NULL, *ex = NULL, *co = NULL;
	struct cf_diag d;
	struct seccomp_data sd = { .arch = 0xc000003e };
	uint32_t a, b, c;
	unsigned steps;
	int nr;

	(void)state;
	setup_text(&f,
		   "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":13,\"syscalls\":["
		   "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		   "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"},"
		   "{\"names\":[\"uname\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":7}]}",
		   caps_docker_default());
	assert_int_equal(cf_filter_compile(f.r, &prog, &d), 0);
	assert_int_equal(cf_explain_rewrite_prog(prog, CF_REWRITE_EXPLAIN, &ex), 0);
	assert_int_equal(cf_explain_rewrite_prog(prog, CF_REWRITE_COMPLAIN, &co), 0);
	assert_int_equal(ex->len, prog->len);

	/* allowed: the same in all three */
	sd.nr = syscall_resolve_name(CF_ARCH_X86_64, "read");
	assert_int_equal(cf_bpf_sim(prog->insns, prog->len, &sd, &a, &steps), 0);
	assert_int_equal(cf_bpf_sim(ex->insns, ex->len, &sd, &b, &steps), 0);
	assert_int_equal(cf_bpf_sim(co->insns, co->len, &sd, &c, &steps), 0);
	assert_int_equal(a, SECCOMP_RET_ALLOW);
	assert_int_equal(b, SECCOMP_RET_ALLOW);
	assert_int_equal(c, SECCOMP_RET_ALLOW);
	/* default ERRNO(13) -> TRACE carrying 13 */
	nr = syscall_resolve_name(CF_ARCH_X86_64, "mkdir");
	sd.nr = nr;
	assert_int_equal(cf_bpf_sim(ex->insns, ex->len, &sd, &b, &steps), 0);
	assert_int_equal(b, SECCOMP_RET_TRACE | 13);
	assert_int_equal(cf_bpf_sim(co->insns, co->len, &sd, &c, &steps), 0);
	assert_int_equal(c & SECCOMP_RET_ACTION_FULL, SECCOMP_RET_TRACE);
	assert_int_equal(c & CF_TRACE_MARK_MASK, CF_TRACE_MARK_COMPLAIN);
	/* KILL stays in --explain, becomes TRACE in --complain */
	sd.nr = syscall_resolve_name(CF_ARCH_X86_64, "getppid");
	assert_int_equal(cf_bpf_sim(ex->insns, ex->len, &sd, &b, &steps), 0);
	assert_int_equal(b, SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(cf_bpf_sim(co->insns, co->len, &sd, &c, &steps), 0);
	assert_int_equal(c & SECCOMP_RET_ACTION_FULL, SECCOMP_RET_TRACE);
	/* the profile's TRACE: "no tracer" mark */
	sd.nr = syscall_resolve_name(CF_ARCH_X86_64, "uname");
	assert_int_equal(cf_bpf_sim(ex->insns, ex->len, &sd, &b, &steps), 0);
	assert_int_equal(b, SECCOMP_RET_TRACE | CF_TRACE_MARK_NOTRACER);
	/* bad arch keeps its KILL in --explain */
	sd.arch = 0x40000028; /* ARM */
	assert_int_equal(cf_bpf_sim(ex->insns, ex->len, &sd, &b, &steps), 0);
	assert_int_equal(cf_bpf_sim(prog->insns, prog->len, &sd, &a, &steps), 0);
	assert_int_equal(a, b);
	cf_bpf_prog_free(prog);
	cf_bpf_prog_free(ex);
	cf_bpf_prog_free(co);
	teardown(&f);
}

static void test_formats(void **state)
{
	struct fixture f;
	struct cf_explanation *e;
	char *text = NULL;

	(void)state;
	setup_builtin(&f, caps_docker_default());
	e = explain(&f, "mbind", 0, NULL);
	assert_int_equal(cf_explain_format_text(&f.ctx, e, &text), 0);
	assert_non_null(strstr(text, "--cap-add SYS_NICE"));
	assert_non_null(strstr(text, "rule #29"));
	free(text);
	assert_int_equal(cf_explain_format_json(&f.ctx, e, &text), 0);
	assert_non_null(strstr(text, "\"errno_name\":\"EPERM\""));
	assert_non_null(strstr(text, "\"cap\":\"CAP_SYS_NICE\""));
	assert_null(strchr(text, '\n'));
	free(text);
	free(e);
	teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mbind_story),
		cmocka_unit_test(test_syslog_ranking),
		cmocka_unit_test(test_mkdir_needs_rule),
		cmocka_unit_test(test_unconditional_deny_rule),
		cmocka_unit_test(test_personality_args),
		cmocka_unit_test(test_socket_escape),
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_fix_set),
		cmocka_unit_test(test_rewrite),
		cmocka_unit_test(test_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
