/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * callfence lint: one minimal profile that triggers each check and its nearest twin that must
 * not, with the position (line:column and JSON pointer) of the finding. Docker's and Podman's
 * default profiles lint without errors.
 */
#include "analyze/lint.h"
#include "lib/cf-test.h"

/* Docker's 14 capabilities, x86_64, kernel 6.1: what Docker hands runc on a Debian 12 host. */
static struct cf_lint_opts opts(void)
{
	return (struct cf_lint_opts){
		.resolve = { .native = CF_ARCH_X86_64,
			     .kernel = { .set = true, .major = 6, .minor = 1 },
			     .bounding = caps_docker_default() },
	};
}

static struct cf_lint_result res;

static void lint_text(const char *json)
{
	struct cf_lint_opts o = opts();
	struct cf_diag d;

	cf_lint_result_clear(&res);
	int r = cf_lint_buffer("t.json", json, strlen(json), &o, &res, &d);
	if (r < 0)
		fail_msg("lint failed: %d %s", r, d.message);
}

static const struct cf_lint_finding *find(const char *id)
{
	for (size_t i = 0; i < res.n; i++)
		if (strcmp(res.items[i].id, id) == 0)
			return &res.items[i];
	return NULL;
}

/* The finding id must be there, at line:column and pointer, with that severity. */
static void expect(const char *id, enum cf_lint_severity sev, unsigned line, unsigned column,
		   const char *pointer)
{
	const struct cf_lint_finding *f = find(id);

	if (!f)
		fail_msg("no %s finding", id);
	assert_string_equal(f->severity == sev ? "ok" : cf_lint_severity_name(f->severity), "ok");
	assert_int_equal(f->line, line);
	assert_int_equal(f->column, column);
	assert_string_equal(f->pointer, pointer);
	assert_string_equal(f->file, "t.json");
	assert_true(f->message[0] && f->fix[0]);
}

static void expect_none(const char *id)
{
	const struct cf_lint_finding *f = find(id);

	if (f)
		fail_msg("unexpected %s: %s", id, f->message);
}

static void test_dangerous(void **state)
{
	(void)state;
	lint_text("{\n"
		  "  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
		  "  \"syscalls\": [\n"
		  "    {\"names\": [\"read\", \"bpf\"], \"action\": \"SCMP_ACT_ALLOW\"}\n"
		  "  ]\n"
		  "}\n");
	expect("dangerous-syscall", CF_LINT_ERROR, 4, 24, "/syscalls/0/names/1");
	lint_text("{\n"
		  "  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
		  "  \"syscalls\": [\n"
		  "    {\"names\": [\"read\", \"brk\"], \"action\": \"SCMP_ACT_ALLOW\"}\n"
		  "  ]\n"
		  "}\n");
	expect_none("dangerous-syscall");
	/* clone: unconditional is a namespace hole, Docker's flag mask is not */
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		  "{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	expect("dangerous-syscall", CF_LINT_WARNING, 2, 12, "/syscalls/0/names/0");
	lint_text(
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		"{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0,"
		" \"value\": 2114060288, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}");
	expect_none("dangerous-syscall");
	/* an allow-by-default profile: the default action itself */
	lint_text("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
	expect("dangerous-syscall", CF_LINT_ERROR, 1, 19, "/defaultAction");
}

static void test_deny_list_twin(void **state)
{
	(void)state;
	lint_text("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		  "  {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	expect("deny-list-twin", CF_LINT_ERROR, 2, 14, "/syscalls/0/names/0");
	assert_non_null(strstr(find("deny-list-twin")->fix, "mkdirat"));
	lint_text("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		  "  {\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	expect_none("deny-list-twin");
	/* an allow-list profile that allows mkdirat only is not a deny-list */
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		  "  {\"names\": [\"mkdirat\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	expect_none("deny-list-twin");
}

static void test_clone3_eperm(void **state)
{
	(void)state;
	lint_text("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		  "  {\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	expect("clone3-eperm", CF_LINT_ERROR, 2, 14, "/syscalls/0/names/0");
	lint_text(
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		"  {\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}]}");
	expect_none("clone3-eperm");
	/* from the default: EPERM below the profile's newest number (faccessat2 = 439) */
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		  "  {\"names\": [\"faccessat2\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	expect("clone3-eperm", CF_LINT_ERROR, 1, 19, "/defaultAction");
	/* above it runc's stub answers ENOSYS: libc falls back */
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		  "  {\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	expect_none("clone3-eperm");
}

static void test_cap_spelling(void **state)
{
	(void)state;
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		  "  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
		  "   \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\", \"SYS_ADMIN\"]}}]}");
	expect("cap-spelling", CF_LINT_WARNING, 3, 43, "/syscalls/0/includes/caps/1");
	assert_non_null(strstr(find("cap-spelling")->fix, "\"CAP_SYS_ADMIN\""));
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		  "  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
		  "   \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}}]}");
	expect_none("cap-spelling");
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		  "  {\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
		  "   \"excludes\": {\"arches\": [\"x86_64\"]}}]}");
	expect("arch-spelling", CF_LINT_WARNING, 3, 28, "/syscalls/0/excludes/arches/0");
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		  "  {\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
		  "   \"excludes\": {\"arches\": [\"amd64\"]}}]}");
	expect_none("arch-spelling");
}

static void test_same_as_default(void **state)
{
	(void)state;
	/* ERRNO without errnoRet is EPERM, like the default */
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		  "  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	expect("same-as-default", CF_LINT_WARNING, 2, 34, "/syscalls/0/action");
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		  "  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}");
	expect_none("same-as-default");
	/* KILL and KILL_THREAD are one kernel action */
	lint_text("{\"defaultAction\": \"SCMP_ACT_KILL\", \"syscalls\": [\n"
		  "  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_KILL_THREAD\"}]}");
	expect("same-as-default", CF_LINT_WARNING, 2, 34, "/syscalls/0/action");
	lint_text("{\"defaultAction\": \"SCMP_ACT_KILL\", \"syscalls\": [\n"
		  "  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}]}");
	expect_none("same-as-default");
}

static void test_unknown_key(void **state)
{
	(void)state;
	lint_text("{\"description\": \"notes\", \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
		  "  \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	expect("unknown-key", CF_LINT_INFO, 1, 17, "/description");
	/* twin: the same profile without the note */
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
		  "  \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	expect_none("unknown-key");
}

static void test_errno_zero(void **state)
{
	(void)state;
	lint_text("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		  "  {\"names\": [\"setuid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 0}]}");
	expect("errno-zero", CF_LINT_ERROR, 2, 65, "/syscalls/0/errnoRet");
	lint_text("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		  "  {\"names\": [\"setuid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]}");
	expect_none("errno-zero");
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 0,\n"
		  "  \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	expect("errno-zero", CF_LINT_ERROR, 1, 56, "/defaultErrnoRet");
}

static void test_runtime_bootstrap(void **state)
{
	struct cf_lint_opts o = opts();
	struct cf_diag d;

	(void)state;
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		  "  {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	expect("runtime-bootstrap", CF_LINT_ERROR, 1, 19, "/defaultAction");
	assert_non_null(strstr(find("runtime-bootstrap")->message, "capset"));
	/* a deny-list that leaves the runtimes' calls alone */
	lint_text("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		  "  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	expect_none("runtime-bootstrap");
	/* denied explicitly: the position is the rule's name */
	lint_text("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		  "  {\"names\": [\"capset\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	expect("runtime-bootstrap", CF_LINT_ERROR, 2, 14, "/syscalls/0/names/0");
	cf_lint_result_clear(&res);
	assert_int_equal(cf_lint_file("builtin", &o, &res, &d), 0);
	expect_none("runtime-bootstrap");
}

static void test_duplicate_name(void **state)
{
	(void)state;
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		  "  {\"names\": [\"read\", \"mkdir\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
		  "  {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}");
	expect("duplicate-name", CF_LINT_WARNING, 3, 14, "/syscalls/1/names/0");
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		  "  {\"names\": [\"read\", \"mkdir\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
		  "  {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	expect_none("duplicate-name");
}

static void test_unknown_syscall(void **state)
{
	(void)state;
	/* a typo in a deny rule is a hole: strict parsing refuses it, lint reports it */
	lint_text("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		  "  {\"names\": [\"mkdri\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	expect("unknown-syscall", CF_LINT_ERROR, 2, 14, "/syscalls/0/names/0");
	assert_non_null(strstr(find("unknown-syscall")->fix, "\"mkdir\""));
	lint_text("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		  "  {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	expect_none("unknown-syscall");
	/* known to us, not to libseccomp 2.5.4: runc drops the deny */
	lint_text("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		  "  {\"names\": [\"mseal\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	expect("unknown-syscall", CF_LINT_WARNING, 2, 14, "/syscalls/0/names/0");
	lint_text("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		  "  {\"names\": [\"munmap\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	expect_none("unknown-syscall");
}

static void test_arg_index_or(void **state)
{
	(void)state;
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		  "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [\n"
		  "    {\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_GE\"},\n"
		  "    {\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_LE\"}]}]}");
	expect("arg-index-or", CF_LINT_ERROR, 4, 5, "/syscalls/0/args/1");
	lint_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
		  "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [\n"
		  "    {\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_GE\"},\n"
		  "    {\"index\": 1, \"value\": 8, \"op\": \"SCMP_CMP_LE\"}]}]}");
	expect_none("arg-index-or");
}

static void test_runtime_refuses(void **state)
{
	(void)state;
	lint_text(
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		"  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 5000}]}");
	expect("runtime-refuses", CF_LINT_ERROR, 2, 64, "/syscalls/0/errnoRet");
	lint_text(
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		"  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 4000}]}");
	expect_none("runtime-refuses");
}

/* A whole config.json: pointers name the document's path. */
static void test_oci_config(void **state)
{
	(void)state;
	lint_text("{\"ociVersion\": \"1.0.2\", \"linux\": {\"seccomp\": {\n"
		  "  \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		  "  {\"names\": [\"mkdri\"], \"action\": \"SCMP_ACT_ERRNO\"}]}}}");
	expect("unknown-syscall", CF_LINT_ERROR, 3, 14, "/linux/seccomp/syscalls/0/names/0");
}

static void test_unreadable(void **state)
{
	struct cf_lint_opts o = opts();
	struct cf_diag d;

	(void)state;
	cf_lint_result_clear(&res);
	assert_int_equal(cf_lint_buffer("t.json", "{\"defaultAction\":", 17, &o, &res, &d),
			 -EINVAL);
	assert_int_equal(res.n, 0);
	assert_int_equal(cf_lint_file("/nonexistent/p.json", &o, &res, &d), -ENOENT);
}

static void no_errors(const char *path)
{
	struct cf_lint_opts o = opts();
	struct cf_diag d;

	cf_lint_result_clear(&res);
	assert_int_equal(cf_lint_file(path, &o, &res, &d), 0);
	for (size_t i = 0; i < res.n; i++)
		if (res.items[i].severity == CF_LINT_ERROR)
			fail_msg("%s: %s %s: %s", path, res.items[i].id, res.items[i].pointer,
				 res.items[i].message);
}

static void test_builtin_clean(void **state)
{
	(void)state;
	no_errors("builtin");
	/* nothing at warning or above: `callfence lint builtin` exits 0 */
	assert_true(cf_lint_max_severity(&res) <= (int)CF_LINT_INFO);
}

static void test_reference_defaults(void **state)
{
	char buf[4096];

	(void)state;
	no_errors(cf_test_reference("moby-default.json", buf, sizeof(buf)));
	assert_true(cf_lint_max_severity(&res) <= (int)CF_LINT_INFO);
	/* Podman's: namespaces and keyrings allowed on purpose are warnings, not errors */
	no_errors(cf_test_reference("containers-common-seccomp.json", buf, sizeof(buf)));
	assert_non_null(find("dangerous-syscall"));
}

static int teardown(void **state)
{
	(void)state;
	cf_lint_result_clear(&res);
	return 0;
}

int main(void)
{
	static const struct cf_test_case cases[] = {
		CF_TEST(test_dangerous),       CF_TEST(test_deny_list_twin),
		CF_TEST(test_clone3_eperm),    CF_TEST(test_cap_spelling),
		CF_TEST(test_same_as_default), CF_TEST(test_unknown_key),
		CF_TEST(test_errno_zero),      CF_TEST(test_runtime_bootstrap),
		CF_TEST(test_duplicate_name),  CF_TEST(test_unknown_syscall),
		CF_TEST(test_arg_index_or),    CF_TEST(test_runtime_refuses),
		CF_TEST(test_oci_config),      CF_TEST(test_unreadable),
		CF_TEST(test_builtin_clean),   CF_TEST_REFERENCE(test_reference_defaults),
	};

	return CF_TEST_RUN_FIXTURES(cases, NULL, teardown);
}
