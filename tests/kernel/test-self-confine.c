/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The two hand-built filters of the launcher: the parent's allow-list (self-confine.c) and
 * callfence's guard (tty-guard.c), through the kernel-equivalent verifier and the simulator
 * on every ABI, and the parent's confinement for real in a forked child (execve kills it,
 * kill(2) of anyone but the child and itself kills it, what the loop needs runs).
 */
#include <signal.h>
#include <stddef.h>

#include <linux/audit.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bpf/sim.h"
#include "lib/cf-test.h"
#include "run/run.h"

static uint32_t sim(const struct sock_filter *f, size_t len, uint32_t arch, int nr, uint64_t a0,
		    uint64_t a1)
{
	struct seccomp_data d = { .nr = nr, .arch = arch, .args = { a0, a1 } };
	uint32_t ret = 0;
	unsigned steps;

	assert_int_equal(cf_bpf_sim(f, len, &d, &ret, &steps), 0);
	return ret;
}

static void test_self_filter(void **state)
{
	struct sock_filter *f = NULL;
	size_t len = 0;
	struct cf_diag d;
	const uint32_t A = AUDIT_ARCH_X86_64, KILL = SECCOMP_RET_KILL_PROCESS;

	(void)state;
	assert_int_equal(cf_self_filter_build(NULL, 0, 1234, 999, &f, &len), 0);
	assert_int_equal(cf_bpf_verify(f, len, &d), 0);
	assert_int_equal(sim(f, len, A, SYS_write, 2, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(sim(f, len, A, SYS_wait4, 1234, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(sim(f, len, A, SYS_rt_sigtimedwait, 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(sim(f, len, A, SYS_exit_group, 0, 0), SECCOMP_RET_ALLOW);
	/* kill: the child and ourselves only, all 64 bits */
	assert_int_equal(sim(f, len, A, SYS_kill, 1234, SIGTERM), SECCOMP_RET_ALLOW);
	assert_int_equal(sim(f, len, A, SYS_kill, 999, SIGSTOP), SECCOMP_RET_ALLOW);
	assert_int_equal(sim(f, len, A, SYS_kill, 1, SIGKILL), KILL);
	assert_int_equal(sim(f, len, A, SYS_kill, (uint64_t)-1, SIGKILL), KILL);
	assert_int_equal(sim(f, len, A, SYS_kill, (1ull << 32) | 1234, SIGKILL), KILL);
	/* what a hijacked parent would want */
	assert_int_equal(sim(f, len, A, SYS_execve, 0, 0), KILL);
	assert_int_equal(sim(f, len, A, SYS_execveat, 0, 0), KILL);
	assert_int_equal(sim(f, len, A, SYS_openat, 0, 0), KILL);
	assert_int_equal(sim(f, len, A, SYS_ptrace, PTRACE_ATTACH, 1), KILL);
	assert_int_equal(sim(f, len, A, SYS_prctl, PR_SET_DUMPABLE, 1), KILL);
	assert_int_equal(sim(f, len, A, SYS_prctl, PR_CAPBSET_READ, 1), SECCOMP_RET_ALLOW);
	/* other ABIs: i386 through int 0x80, x32 */
	assert_int_equal(sim(f, len, AUDIT_ARCH_I386, 4 /* write */, 2, 0), KILL);
	assert_int_equal(sim(f, len, A, 0x40000000 | SYS_write, 2, 0), KILL);
	free(f);

	/* -t's relay (pty.c): four terminal requests on any fd, never TIOCSTI/TIOCLINUX or a
	 * termios change other than the restore; the request's high word is ignored, as by the
	 * kernel (fs/ioctl.c takes an unsigned int) */
	{
		size_t n;
		const struct cf_self_allow *x = cf_self_pty_allow(&n);

		assert_int_equal(cf_self_filter_build(x, n, 1234, 999, &f, &len), 0);
		assert_int_equal(cf_bpf_verify(f, len, &d), 0);
		assert_int_equal(sim(f, len, A, SYS_ioctl, 0, TIOCGWINSZ), SECCOMP_RET_ALLOW);
		assert_int_equal(sim(f, len, A, SYS_ioctl, 5, TIOCSWINSZ), SECCOMP_RET_ALLOW);
		assert_int_equal(sim(f, len, A, SYS_ioctl, 0, TCSETSW), SECCOMP_RET_ALLOW);
		assert_int_equal(sim(f, len, A, SYS_ioctl, 5, TCGETS), SECCOMP_RET_ALLOW);
		assert_int_equal(sim(f, len, A, SYS_ioctl, 0, (1ull << 32) | TCGETS),
				 SECCOMP_RET_ALLOW);
		assert_int_equal(sim(f, len, A, SYS_ioctl, 0, TIOCSTI), KILL);
		assert_int_equal(sim(f, len, A, SYS_ioctl, 0, TIOCLINUX), KILL);
		assert_int_equal(sim(f, len, A, SYS_ioctl, 0, TCSETS), KILL);
		assert_int_equal(sim(f, len, A, SYS_read, 0, 0), SECCOMP_RET_ALLOW);
		assert_int_equal(sim(f, len, A, SYS_ppoll, 0, 0), SECCOMP_RET_ALLOW);
		assert_int_equal(sim(f, len, A, SYS_execve, 0, 0), KILL);
		free(f);
	}

	/* the supervisor's extension: requests on its tracees, never a new attach */
	{
		size_t n;
		const struct cf_self_allow *x = cf_self_supervisor_allow(&n);

		assert_int_equal(cf_self_filter_build(x, n, 1234, 999, &f, &len), 0);
		assert_int_equal(cf_bpf_verify(f, len, &d), 0);
		assert_int_equal(sim(f, len, A, SYS_ptrace, PTRACE_CONT, 1234), SECCOMP_RET_ALLOW);
		assert_int_equal(sim(f, len, A, SYS_ptrace, PTRACE_GETREGS, 1), SECCOMP_RET_ALLOW);
		assert_int_equal(sim(f, len, A, SYS_ptrace, PTRACE_ATTACH, 1), KILL);
		assert_int_equal(sim(f, len, A, SYS_ptrace, PTRACE_SEIZE, 1), KILL);
		assert_int_equal(sim(f, len, A, SYS_ptrace, PTRACE_TRACEME, 0), KILL);
		assert_int_equal(sim(f, len, A, SYS_execve, 0, 0), KILL);
		assert_int_equal(sim(f, len, A, SYS_process_vm_writev, 0, 0), KILL);
		free(f);
	}
}

static void test_guard(void **state)
{
	struct sock_filter buf[CF_GUARD_LEN];
	struct sock_fprog fp;
	struct cf_diag d;
	const uint32_t EPERM_ = SECCOMP_RET_ERRNO | 1, OK = SECCOMP_RET_ALLOW;
	const uint32_t X64 = AUDIT_ARCH_X86_64, I386 = AUDIT_ARCH_I386, X32 = 0x40000000;
	const uint64_t args_sti[6] = { 0, TIOCSTI };

	(void)state;
	assert_int_equal(cf_tty_guard_build(4321, buf, &fp), 0);
	assert_int_equal(cf_bpf_verify(fp.filter, fp.len, &d), 0);
	/* TIOCSTI / TIOCLINUX on every x86 ABI; the request is the low word */
	assert_int_equal(sim(fp.filter, fp.len, X64, 16, 0, TIOCSTI), EPERM_);
	assert_int_equal(sim(fp.filter, fp.len, X64, 16, 0, (1ull << 32) | TIOCSTI), EPERM_);
	assert_int_equal(sim(fp.filter, fp.len, X64, 16, 0, 0x541C), EPERM_);
	assert_int_equal(sim(fp.filter, fp.len, X64, X32 | 514, 0, TIOCSTI), EPERM_);
	assert_int_equal(sim(fp.filter, fp.len, X64, X32 | 16, 0, TIOCSTI), EPERM_);
	assert_int_equal(sim(fp.filter, fp.len, I386, 54, 0, TIOCSTI), EPERM_);
	/* twins: other requests, other calls, and another arch's number pass */
	assert_int_equal(sim(fp.filter, fp.len, X64, 16, 0, TIOCGWINSZ), OK);
	assert_int_equal(sim(fp.filter, fp.len, X64, 16, 0, TIOCSPGRP), OK);
	assert_int_equal(sim(fp.filter, fp.len, X64, 54, 0, TIOCSTI), OK);
	assert_int_equal(sim(fp.filter, fp.len, I386, 16, 0, TIOCSTI), OK);
	assert_int_equal(sim(fp.filter, fp.len, AUDIT_ARCH_AARCH64, 29, 0, TIOCSTI), OK);
	/* attaching the parent, on every ABI; other pids and requests pass */
	assert_int_equal(sim(fp.filter, fp.len, X64, 101, PTRACE_ATTACH, 4321), EPERM_);
	assert_int_equal(sim(fp.filter, fp.len, X64, 101, PTRACE_SEIZE, 4321), EPERM_);
	assert_int_equal(sim(fp.filter, fp.len, X64, X32 | 521, PTRACE_SEIZE, 4321), EPERM_);
	assert_int_equal(sim(fp.filter, fp.len, I386, 26, PTRACE_ATTACH, 4321), EPERM_);
	assert_int_equal(sim(fp.filter, fp.len, X64, 101, PTRACE_ATTACH, 4322), OK);
	assert_int_equal(sim(fp.filter, fp.len, X64, 101, PTRACE_TRACEME, 0), OK);
	assert_int_equal(sim(fp.filter, fp.len, X64, 101, PTRACE_PEEKDATA, 4321), OK);
	/* explain's question, answered by the same program */
	assert_true(cf_tty_guard_denies(4321, X64, 16, args_sti));
	assert_false(cf_tty_guard_denies(4321, X64, 1, args_sti));
}

/* The parent's confinement for real: a forked child confines itself, then tries. */
static int confined_try(long nr, long a0, long a1)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct cf_self_confine_opts o = { .child = getppid() };
		const char *stage;

		if (cf_self_confine(&o, &stage) < 0)
			_exit(90);
		if (syscall(nr, a0, a1, 0) < 0)
			_exit(91);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void test_confine_kernel(void **state)
{
	char *argv[] = { "/bin/true", NULL };
	int st;

	(void)state;
	st = confined_try(SYS_execve, (long)"/bin/true", (long)argv);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	st = confined_try(SYS_kill, 1, 0); /* init: not ours to signal */
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	st = confined_try(SYS_prctl, PR_SET_DUMPABLE, 1);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	/* twins: what the loop needs runs */
	st = confined_try(SYS_getpid, 0, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = confined_try(SYS_kill, getpid(), 0); /* signal 0 to the "child" (our pid here) */
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_filter),
		cmocka_unit_test(test_guard),
		cmocka_unit_test(test_confine_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
