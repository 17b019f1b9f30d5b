/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * callfence's terminal guard: ioctl(TIOCSTI) and ioctl(TIOCLINUX) answer EPERM.
 *
 * The attack (bubblewrap CVE-2017-5226, CVE-2016-9016 class): the command shares the caller's
 * terminal. TIOCSTI pushes bytes into the terminal's input queue as if typed, so a command
 * that writes "touch /tmp/PWNED\n" there has the caller's shell run it, unconfined, once
 * callfence exits. TIOCLINUX (TIOCL_PASTESEL and friends) does the same on a VT console.
 * Linux refuses TIOCSTI on a tty that is not the caller's controlling one only without
 * CAP_SYS_ADMIN, and dev.tty.legacy_tiocsti=0 (6.2+) disables it only without CAP_SYS_ADMIN
 * (drivers/tty/tty_io.c tiocsti), so neither holds when the command keeps CAP_SYS_ADMIN
 * (--privileged, --cap-add SYS_ADMIN) or opens /dev/tty itself.
 *
 * Choices compared:
 *  - setsid() for the command (bubblewrap's --new-session): it loses its controlling
 *    terminal, so an interactive shell has no job control, ^C/^Z no longer reach it from the
 *    terminal, vim cannot tcsetpgrp; and with CAP_SYS_ADMIN TIOCSTI still works on the
 *    inherited fd. Breaks interactive use and is not complete.
 *  - a pty between the caller's terminal and the command (`docker run -t`): complete, but a
 *    relay process with its own terminal handling, resizing and signals; a later `-t` option.
 *  - a seccomp filter denying the two requests (flatpak's choice, flatpak-run.c
 *    setup_seccomp): complete for every fd and capability, nothing else changes. Chosen.
 * The guard is a filter of its own, installed by the plan just before the profile's (so the
 * preflight and the order rules see it as one more step), not part of the profile: export and
 * explain show the user's profile unchanged. Seccomp takes the strictest verdict of all
 * filters (kernel/seccomp.c seccomp_run_filters), so the guard's ERRNO wins over a profile's
 * ALLOW and a profile's KILL wins over the guard.
 *
 * The request is the low word of args[1] (sys_ioctl's `unsigned int cmd`), checked on every
 * ABI the kernel may run the command in: x86_64 ioctl 16, x32 514 (and 16) with the x32 bit,
 * i386 54 (int 0x80); aarch64 29, arm 54. Other arches of a build get no guard.
 */
#include <stddef.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>

#include "run/run.h"

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

#define X32_BIT 0x40000000u

#define LD_ABS(off)  BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v)	     BPF_STMT(BPF_RET | BPF_K, (v))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define ARG1_LO	     (offsetof(struct seccomp_data, args) + 8) /* little-endian */

#if defined(__x86_64__)
#define NATIVE_ARCH  AUDIT_ARCH_X86_64
#define NATIVE_IOCTL 16u
#define COMPAT_ARCH  AUDIT_ARCH_I386
#define COMPAT_IOCTL 54u
#elif defined(__aarch64__)
#define NATIVE_ARCH  AUDIT_ARCH_AARCH64
#define NATIVE_IOCTL 29u
#define COMPAT_ARCH  AUDIT_ARCH_ARM
#define COMPAT_IOCTL 54u
#endif

#ifdef NATIVE_ARCH
/* Hand-checked; tests/kernel/test-self-confine.c runs it through the verifier and the
 * simulator on every ABI, and the kernel test performs the injection. */
static struct sock_filter guard_insns[] = {
	/* 0 */ LD_ABS(offsetof(struct seccomp_data, arch)),
	/* 1 */ JEQ(NATIVE_ARCH, 0, 5),
	/* 2 */ LD_ABS(offsetof(struct seccomp_data, nr)),
	/* 3 */ JEQ(NATIVE_IOCTL, 7, 0),
	/* 4 */ JEQ(X32_BIT | 514u, 6, 0), /* x32's compat ioctl; no such nr on aarch64 */
	/* 5 */ JEQ(X32_BIT | NATIVE_IOCTL, 5, 0),
	/* 6 */ RET(SECCOMP_RET_ALLOW),
	/* 7 */ JEQ(COMPAT_ARCH, 0, 2), /* A still holds arch; other arches: the profile decides */
	/* 8 */ LD_ABS(offsetof(struct seccomp_data, nr)),
	/* 9 */ JEQ(COMPAT_IOCTL, 1, 0),
	/* 10 */ RET(SECCOMP_RET_ALLOW),
	/* 11 */ LD_ABS(ARG1_LO),
	/* 12 */ JEQ(TIOCSTI, 2, 0),
	/* 13 */ JEQ(TIOCLINUX, 1, 0),
	/* 14 */ RET(SECCOMP_RET_ALLOW),
	/* 15 */ RET(SECCOMP_RET_ERRNO | 1 /* EPERM */),
};
#endif

const struct sock_fprog *cf_tty_guard_prog(void)
{
#ifdef NATIVE_ARCH
	static const struct sock_fprog fp = {
		.len = sizeof(guard_insns) / sizeof(guard_insns[0]),
		.filter = guard_insns,
	};

	return &fp;
#else
	return NULL;
#endif
}

bool cf_tty_guard_denies(uint32_t arch, long nr, const uint64_t *args)
{
#ifdef NATIVE_ARCH
	uint32_t req = (uint32_t)args[1];

	if (req != TIOCSTI && req != TIOCLINUX)
		return false;
	if (arch == NATIVE_ARCH)
		return nr == (long)NATIVE_IOCTL || nr == (long)(X32_BIT | 514u) ||
		       nr == (long)(X32_BIT | NATIVE_IOCTL);
	if (arch == COMPAT_ARCH)
		return nr == (long)COMPAT_IOCTL;
#else
	(void)arch, (void)nr, (void)args;
#endif
	return false;
}
