/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * int $0x80 from a 64-bit process: the i386 system-call ABI (seccomp sees AUDIT_ARCH_I386).
 * A kernel built with CONFIG_IA32_EMULATION=y can still refuse it at run time: booted with
 * ia32_emulation=0 (arch/x86/entry/common.c, ia32_enabled()), or under hypervisors that
 * disable it, the instruction raises SIGSEGV and never reaches the system-call path. Tests
 * that make i386 calls ask cf_int80_works() once and skip with its reason where it fails.
 *
 * CALLFENCE_TEST_FORCE_NO_INT80=1 plays such a kernel on a machine that has IA32 emulation:
 * the probe answers no and cf_int80() faults with SIGSEGV, so a test that forgot to ask fails
 * here too.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/wait.h>

static inline bool cf_int80_forced_off(void)
{
	const char *v = getenv("CALLFENCE_TEST_FORCE_NO_INT80");

	return v && *v && strcmp(v, "0") != 0;
}

#if defined(__x86_64__)
/* An i386 system call: eax nr, ebx ecx edx esi edi ebp; rbp is saved around it by hand. */
static inline long cf_int80(long nr, const long a[6])
{
	register long r12 __asm__("r12") = a[5];
	long ret;

	if (cf_int80_forced_off()) {
		/* the fault the kernel gives: a privileged instruction in user mode, #GP, SIGSEGV */
		signal(SIGSEGV, SIG_DFL);
		__asm__ volatile("hlt");
	}
	__asm__ volatile("push %%rbp\n\t"
			 "mov %%r12, %%rbp\n\t"
			 "int $0x80\n\t"
			 "pop %%rbp"
			 : "=a"(ret)
			 : "a"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]), "D"(a[4]), "r"(r12)
			 : "memory", "r8", "r9", "r10", "r11");
	return ret;
}
#endif

/*
 * Does int $0x80 getpid work here? Tried in a forked child (it may die). On false, `why` says
 * why, for the skip reason "int 0x80 not supported by this kernel: <why>".
 */
static inline bool cf_int80_works(char *why, size_t size)
{
#if defined(__x86_64__)
	static const long none[6];
	int status;
	pid_t pid;

	if (cf_int80_forced_off()) {
		snprintf(why, size, "forced off by CALLFENCE_TEST_FORCE_NO_INT80");
		return false;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(why, size, "fork: %s", strerror(errno));
		return false;
	}
	if (pid == 0) {
		/* no sanitizer SEGV handler in the child: the death itself is the answer */
		signal(SIGSEGV, SIG_DFL);
		_exit(cf_int80(20 /* i386 getpid */, none) == getpid() ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid) {
		snprintf(why, size, "waitpid: %s", strerror(errno));
		return false;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	if (WIFSIGNALED(status))
		snprintf(why, size,
			 "int $0x80 killed a forked child with signal %d (%s): IA32 emulation is "
			 "off (ia32_emulation=0 or the hypervisor)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(why, size, "int $0x80 getpid in a forked child did not return its pid");
	return false;
#else
	snprintf(why, size, "not an x86_64 machine");
	return false;
#endif
}
