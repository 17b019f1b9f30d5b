/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The public API through libcallfence.so, compiled with only include/ on the include path (so
 * the header stands alone): errors with their location, capability resolution, the compiled
 * program judged by the kernel in forked children, explain. Every positive case has its twin.
 */
#include <sched.h>

#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <callfence/callfence.h>

#include "lib/cf-test.h"

static const char bad_profile[] = "{\n"
				  "  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
				  "  \"syscalls\": [\n"
				  "    {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALOW\"}\n"
				  "  ]\n"
				  "}\n";

static void test_version(void **state)
{
	(void)state;
	assert_string_equal(callfence_version(), CF_TEST_VERSION);
}

static void test_load_string_error_location(void **state)
{
	struct callfence_profile *p = NULL;
	struct callfence_error *e = NULL;
	const char *file;
	unsigned line, col;
	int r;

	(void)state;
	r = callfence_profile_load_string("bad.json", bad_profile, strlen(bad_profile), &p, &e);
	assert_int_equal(r, -EINVAL);
	assert_null(p);
	assert_non_null(e);
	assert_int_equal(callfence_error_code(e), -EINVAL);
	callfence_error_location(e, &file, &line, &col);
	assert_string_equal(file, "bad.json");
	assert_int_equal(line, 4);
	assert_true(col > 0);
	assert_string_equal(callfence_error_pointer(e), "/syscalls/0/action");
	assert_non_null(strstr(callfence_error_message(e), "SCMP_ACT_ALOW"));
	assert_non_null(strstr(callfence_error_hint(e), "SCMP_ACT_ALLOW"));
	assert_non_null(strstr(callfence_error_text(e), "bad.json:4:"));
	callfence_error_free(e);

	/* twin: the corrected profile loads, and reterr stays untouched */
	char good[sizeof(bad_profile) + 1];
	char *at;

	snprintf(good, sizeof(good), "%s", bad_profile);
	at = strstr(good, "ALOW");
	memmove(at + 1, at, strlen(at) + 1);
	at[1] = 'L';
	e = NULL;
	r = callfence_profile_load_string("good.json", good, strlen(good), &p, &e);
	assert_int_equal(r, 0);
	assert_null(e);
	callfence_profile_free(p);
}

static void test_load_file_missing(void **state)
{
	struct callfence_profile *p = NULL;
	struct callfence_error *e = NULL;

	(void)state;
	assert_int_equal(callfence_profile_load_file("/nonexistent/p.json", &p, &e), -ENOENT);
	assert_null(p);
	callfence_error_free(e);
	/* NULL reterr is fine */
	assert_int_equal(callfence_profile_load_file("/nonexistent/p.json", &p, NULL), -ENOENT);
}

static void test_caps(void **state)
{
	const char *drop_all[] = { "ALL", NULL }, *nice[] = { "SYS_NICE", NULL };
	const char *typo[] = { "SYS_NICEE", NULL };
	struct callfence_profile *p = NULL;
	struct callfence_filter *f = NULL;
	struct callfence_error *e = NULL;

	(void)state;
	assert_int_equal(callfence_profile_builtin(&p), 0);
	assert_int_equal(callfence_filter_new(p, NULL, NULL, 0, &f, NULL), 0);
	/* Docker's 14 (as root: the caller can grant them all) */
	if (geteuid() == 0)
		assert_int_equal(callfence_filter_capabilities(f), 0xa80425fbull);
	callfence_filter_free(f);
	assert_int_equal(callfence_filter_new(p, NULL, drop_all, 0, &f, NULL), 0);
	assert_int_equal(callfence_filter_capabilities(f), 0);
	callfence_filter_free(f);
	if (geteuid() == 0) {
		assert_int_equal(callfence_filter_new(p, nice, drop_all, 0, &f, NULL), 0);
		assert_int_equal(callfence_filter_capabilities(f), 1ull << 23 /* CAP_SYS_NICE */);
		callfence_filter_free(f);
	}
	/* twins: a misspelt name, and flags that do not exist */
	assert_int_equal(callfence_filter_new(p, typo, NULL, 0, &f, &e), -EINVAL);
	assert_non_null(strstr(callfence_error_message(e), "SYS_NICEE"));
	e = callfence_error_free(e);
	assert_int_equal(callfence_filter_new(p, NULL, NULL, 0x80, &f, &e), -EINVAL);
	assert_string_equal(callfence_error_pointer(e), "flags");
	callfence_error_free(e);
	callfence_profile_free(p);
}

/* The profile may go before the filter (the filter holds a reference); ASan would see a use
 * after free otherwise. */
static void test_profile_reference(void **state)
{
	struct callfence_profile *p = NULL;
	struct callfence_filter *f = NULL;
	struct callfence_explanation *x = NULL;

	(void)state;
	assert_int_equal(callfence_profile_builtin(&p), 0);
	assert_int_equal(callfence_filter_new(p, NULL, NULL, 0, &f, NULL), 0);
	assert_null(callfence_profile_free(p));
	assert_int_equal(callfence_explain(f, "mount", NULL, 0, &x), 0);
	assert_non_null(strstr(callfence_explanation_text(x), "profile builtin"));
	callfence_explanation_free(x);
	callfence_filter_free(f);
	assert_null(callfence_filter_free(NULL));
	assert_null(callfence_profile_free(NULL));
	assert_null(callfence_error_free(NULL));
	assert_null(callfence_explanation_free(NULL));
}

static void test_explain(void **state)
{
	const char *drop_all[] = { "ALL", NULL };
	struct callfence_profile *p = NULL;
	struct callfence_filter *f = NULL;
	struct callfence_explanation *x = NULL;
	uint64_t args[1] = { 0 };

	(void)state;
	assert_int_equal(callfence_profile_builtin(&p), 0);
	assert_int_equal(callfence_filter_new(p, NULL, drop_all, 0, &f, NULL), 0);
	assert_int_equal(callfence_explain(f, "mount", NULL, 0, &x), 0);
	assert_true(callfence_explanation_denied(x));
	assert_int_equal(callfence_explanation_action(x), SECCOMP_RET_ERRNO | EPERM);
	assert_string_equal(callfence_explanation_rule(x), "the default action");
	assert_string_equal(callfence_explanation_fix(x), "--cap-add SYS_ADMIN");
	x = callfence_explanation_free(x);
	/* twin: getpid is allowed by a rule, with no fix */
	assert_int_equal(callfence_explain(f, "getpid", args, 1, &x), 0);
	assert_false(callfence_explanation_denied(x));
	assert_int_equal(callfence_explanation_action(x), SECCOMP_RET_ALLOW);
	assert_non_null(strstr(callfence_explanation_rule(x), "builtin:rule #"));
	assert_string_equal(callfence_explanation_fix(x), "");
	x = callfence_explanation_free(x);
	assert_int_equal(callfence_explain(f, "no_such_call", NULL, 0, &x), -ENOENT);
	assert_int_equal(callfence_explain(f, "getpid", args, 7, &x), -EINVAL);
	callfence_filter_free(f);
	callfence_profile_free(p);
}

/*
 * The program, installed by the library in a forked child, judged by the kernel: unshare of a
 * user namespace is EPERM, getppid runs. Child: no cmocka asserts, exit codes only.
 */
static int child_install(struct callfence_filter *f, unsigned flags)
{
	struct callfence_error *e = NULL;

	if (callfence_filter_install(f, flags, &e) < 0) {
		fprintf(stderr, "install: %s\n", e ? callfence_error_text(e) : "?");
		return 10;
	}
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2)
		return 11;
	if (flags & CALLFENCE_INSTALL_NNP && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 12;
	if (syscall(SYS_getppid) < 0)
		return 13;
	if (unshare(CLONE_NEWUSER) == 0 || errno != EPERM)
		return 14;
	return 0;
}

static int run_child(struct callfence_filter *f, unsigned flags)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(child_install(f, flags));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_install(void **state)
{
	struct callfence_profile *p = NULL;
	struct callfence_filter *f = NULL;
	struct callfence_error *e = NULL;
	const struct sock_filter *insns;
	size_t len;
	unsigned flags;

	(void)state;
	assert_int_equal(callfence_profile_builtin(&p), 0);
	assert_int_equal(callfence_filter_new(p, NULL, NULL, 0, &f, NULL), 0);
	callfence_filter_bpf(f, &insns, &len, &flags);
	assert_non_null(insns);
	assert_in_range(len, 1, 4096);
	assert_int_equal(run_child(f, 0), 0);
	assert_int_equal(run_child(f, CALLFENCE_INSTALL_NNP), 0);
	/* twins: unknown flags install nothing; the parent is still unfiltered */
	assert_int_equal(callfence_filter_install(f, 0x100, &e), -EINVAL);
	callfence_error_free(e);
	assert_int_equal(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
	callfence_filter_free(f);
	callfence_profile_free(p);
}

int main(void)
{
	const struct cf_test_case tests[] = {
		CF_TEST(test_version),		 CF_TEST(test_load_string_error_location),
		CF_TEST(test_load_file_missing), CF_TEST(test_caps),
		CF_TEST(test_profile_reference), CF_TEST(test_explain),
		CF_TEST(test_install),
	};

	return CF_TEST_RUN(tests);
}
