/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Compiled filters on the real kernel. The parent compiles; a forked child sets
 * no_new_privs, installs the program with seccomp(2) and makes raw syscalls, reporting on
 * stderr and through its exit code (no cmocka in the child); the parent checks the status.
 * Every positive check has a negative twin in the same child.
 */
#include <signal.h>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bpf/filter.h"
#include "caps/caps.h"
#include "hand-profile.h"
#include "lib/cf-int80.h"
#include "lib/cf-test.h"

#ifndef SYS_seccomp
#define SYS_seccomp 317
#endif

struct expect {
	long nr;
	uint64_t a0, a1;
	long ret; /* expected return when err == 0 */
	int err; /* expected errno, 0: success */
	bool any_ret; /* success with any return value */
};

static int install(const struct cf_bpf_prog *p)
{
	struct sock_fprog fp = { .len = (unsigned short)p->len, .filter = p->insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->seccomp_flags, &fp) < 0)
		return -errno;
	return 0;
}

/* Child: install, run the calls, exit 0 when all matched, else the number of the first bad one. */
static int child_run(const struct cf_bpf_prog *p, const struct expect *e, size_t n, long final_nr)
{
	struct rlimit no_core = { 0, 0 };
	int r;

	/* cmocka's handlers are inherited: SIGSYS must kill, and without a core file */
	signal(SIGSYS, SIG_DFL);
	(void)setrlimit(RLIMIT_CORE, &no_core);
	r = install(p);
	if (r < 0) {
		fprintf(stderr, "install: %s\n", strerror(-r));
		_exit(100);
	}
	for (size_t i = 0; i < n; i++) {
		long v;

		errno = 0;
		v = syscall(e[i].nr, e[i].a0, e[i].a1, 0, 0, 0, 0);
		if (e[i].err) {
			if (v != -1 || errno != e[i].err) {
				fprintf(stderr,
					"call %zu (nr %ld): got %ld errno %d, want errno %d\n", i,
					e[i].nr, v, errno, e[i].err);
				_exit((int)i + 1);
			}
		} else if (v < 0 || (!e[i].any_ret && v != e[i].ret)) {
			fprintf(stderr, "call %zu (nr %ld): got %ld errno %d, want %ld\n", i,
				e[i].nr, v, errno, e[i].ret);
			_exit((int)i + 1);
		}
	}
	if (final_nr >= 0)
		(void)syscall(final_nr, 0, 0, 0, 0, 0, 0); /* expected to kill us */
	_exit(0);
}

static int fork_run(const struct cf_bpf_prog *p, const struct expect *e, size_t n, long final_nr)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child_run(p, e, n, final_nr);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static struct cf_bpf_prog *compile(const struct hand_profile *h)
{
	struct cf_bpf_prog *p = NULL;
	struct cf_diag d;

	if (cf_filter_compile(&h->res, &p, &d) < 0)
		fail_msg("compile: %s", d.message);
	return p;
}

static void test_errno_and_args(void **state)
{
	struct hand_profile h;
	struct cf_bpf_prog *p;
	struct cf_rule *r;
	const struct expect e[] = {
		{ SYS_getppid, .err = 99 }, /* denied */
		{ SYS_getpid, .any_ret = true }, /* twin: allowed */
		{ SYS_personality, 0xffffffff, .err = 33 }, /* query: matched */
		/* upper half set: not the value, reaches the kernel (query of 0xffffffff) */
		{ SYS_personality, 0x1ffffffffull, .any_ret = true },
		{ SYS_uname, 0, .err = 4095 }, /* errno 5000: kernel clamps */
		{ SYS_getuid, .err = 12 }, /* masked: (a0 & 0xf0) == 0x10 */
		{ SYS_getgid, .any_ret = true },
	};
	int status;

	(void)state;
	hp_init(&h, CF_ACT_ALLOW, 0);
	hp_rule(&h, CF_ACT_ERRNO, 99, "getppid");
	r = hp_rule(&h, CF_ACT_ERRNO, 33, "personality");
	hp_arg(r, 0, CF_OP_EQ, 0xffffffff, 0);
	hp_rule(&h, CF_ACT_ERRNO, 5000, "uname");
	r = hp_rule(&h, CF_ACT_ERRNO, 12, "getuid");
	hp_arg(r, 0, CF_OP_MASKED_EQ, 0xf0, 0x10);
	p = compile(&h);
	{
		/* getuid(0x15): matches the mask; as a twin getgid is unconditioned */
		struct expect e2[ARRAY_SIZE(e)];

		memcpy(e2, e, sizeof(e));
		e2[5].a0 = 0x15;
		status = fork_run(p, e2, ARRAY_SIZE(e2), -1);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	cf_bpf_prog_free(p);
}

static void test_enosys_and_default(void **state)
{
	struct hand_profile h;
	struct cf_bpf_prog *p;
	const struct expect e[] = {
		{ SYS_getpid, .any_ret = true },
		{ SYS_getppid, .err = EPERM }, /* unlisted, below the newest named: default */
		{ 1000, .err = ENOSYS }, /* newer than anything named */
		{ SYS_write, 1, 0, .err = 0, .any_ret = true },
	};
	int status;

	(void)state;
	hp_init(&h, CF_ACT_ERRNO, 0);
	hp_rule(&h, CF_ACT_ALLOW, 0,
		"getpid write exit exit_group rt_sigreturn rt_sigprocmask munmap brk");
	/* what a sanitizer runtime may do in the child (signal stack, shadow memory) */
	hp_rule(&h, CF_ACT_ALLOW, 0, "sigaltstack mmap madvise mprotect rt_sigaction prctl");
	hp_rule(&h, CF_ACT_ALLOW, 0, "futex sched_yield prlimit64 getrlimit openat close read");
	p = compile(&h);
	status = fork_run(p, e, ARRAY_SIZE(e), -1);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	cf_bpf_prog_free(p);
}

static void test_trap_and_kill(void **state)
{
	struct hand_profile h;
	struct cf_bpf_prog *p;
	const struct expect ok[] = { { SYS_getpid, .any_ret = true } };
	int status;

	(void)state;
	hp_init(&h, CF_ACT_ALLOW, 0);
	hp_rule(&h, CF_ACT_TRAP, 0, "getppid");
	hp_rule(&h, CF_ACT_KILL_PROCESS, 0, "acct");
	p = compile(&h);
	status = fork_run(p, ok, 1, SYS_getppid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	status = fork_run(p, ok, 1, SYS_acct);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	/* twin: without the trapped call the child exits normally */
	status = fork_run(p, ok, 1, -1);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	cf_bpf_prog_free(p);
}

static void test_x32_bad_arch(void **state)
{
	struct hand_profile h;
	struct cf_bpf_prog *p;
	const struct expect ok[] = { { SYS_getpid, .any_ret = true } };
	int status;

	(void)state;
	hp_init(&h, CF_ACT_ALLOW, 0);
	hp_rule(&h, CF_ACT_ERRNO, 1, "getppid");
	p = compile(&h);
	/* an x32 number while only x86_64 is listed: libseccomp's bad-arch action, KILL */
	status = fork_run(p, ok, 1, 0x40000000 | SYS_getpid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	status = fork_run(p, ok, 1, -1);
	assert_true(WIFEXITED(status));
	cf_bpf_prog_free(p);
}

/* An i386 system call from this 64-bit process (AUDIT_ARCH_I386 in seccomp_data). */
static long int80(long nr, long a0)
{
	const long a[6] = { a0 };

	return cf_int80(nr, a);
}

#define I386_getpid  20
#define I386_getppid 64

static void test_i386(void **state)
{
	struct hand_profile h;
	struct cf_bpf_prog *p;
	int status;
	pid_t pid;

	char why[256];

	(void)state;
	if (!cf_int80_works(why, sizeof(why)))
		cf_test_skip("machine: int 0x80 not supported by this kernel: %s", why);
	hp_init(&h, CF_ACT_ALLOW, 0);
	hp_arch(&h, CF_ARCH_X86);
	hp_rule(&h, CF_ACT_ERRNO, 77, "getppid");
	p = compile(&h);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGSYS, SIG_DFL);
		if (install(p) < 0)
			_exit(100);
		if (int80(I386_getppid, 0) != -77) /* the rule names both ABIs' getppid */
			_exit(1);
		if (int80(I386_getpid, 0) <= 0) /* twin */
			_exit(2);
		if (syscall(SYS_getppid) != -1 || errno != 77)
			_exit(3);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	cf_bpf_prog_free(p);

	/* i386 not listed: its calls get the bad-arch action */
	hp_init(&h, CF_ACT_ALLOW, 0);
	hp_rule(&h, CF_ACT_ERRNO, 77, "getppid");
	p = compile(&h);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };

		signal(SIGSYS, SIG_DFL);
		(void)setrlimit(RLIMIT_CORE, &no_core);
		if (install(p) < 0)
			_exit(100);
		(void)int80(I386_getpid, 0);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	cf_bpf_prog_free(p);
}

/* Docker's default profile, compiled, on the real kernel: a program runs, denials are exact. */
static void test_builtin_profile(void **state)
{
	cleanup(cf_profile_freep) struct cf_profile *prof = NULL;
	cleanup(cf_resolved_freep) struct cf_resolved *r = NULL;
	struct cf_resolve_opts o = { .native = CF_ARCH_X86_64,
				     .bounding = caps_docker_default(),
				     .kernel = { .set = true, .major = 6, .minor = 18 } };
	const struct expect e[] = {
		{ SYS_getpid, .any_ret = true },
		{ SYS_acct, 0, .err = EPERM }, /* CAP_SYS_PACCT not held */
		{ SYS_personality, 0x1234, .err = EPERM }, /* not one of the five values */
		{ SYS_personality, 0xffffffff, .any_ret = true },
		{ SYS_socket, 38 /* AF_ALG */, 5, .err = EPERM },
		{ SYS_clone3, 0, 0, .err = ENOSYS }, /* Docker's clone3 rule */
		{ 1000, .err = ENOSYS }, /* newer than the profile */
	};
	struct cf_bpf_prog *p;
	struct cf_diag d;
	int status;
	pid_t pid;

	(void)state;
	assert_int_equal(cf_profile_builtin(&prof), 0);
	assert_int_equal(cf_profile_resolve(prof, &o, &r, &d), 0);
	assert_int_equal(cf_filter_compile(r, &p, &d), 0);
	status = fork_run(p, e, ARRAY_SIZE(e), -1);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* and a real program runs under it */
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = { (char *)"/bin/true", NULL };

		if (install(p) < 0)
			_exit(100);
		execv(argv[0], argv);
		_exit(101);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	cf_bpf_prog_free(p);
}

int main(void)
{
	const struct cf_test_case tests[] = {
		CF_TEST(test_errno_and_args), CF_TEST(test_enosys_and_default),
		CF_TEST(test_trap_and_kill),  CF_TEST(test_x32_bad_arch),
		CF_TEST(test_i386),	      CF_TEST(test_builtin_profile),
	};

#if !defined(__x86_64__)
	/* meson's TAP parser counts exit 77 as an error: a skip is an empty plan */
	printf("1..0 # SKIP these kernel tests are written for x86_64\n");
	return 0;
#endif
	return CF_TEST_RUN(tests);
}
