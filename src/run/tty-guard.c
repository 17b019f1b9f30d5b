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
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>

#include "bpf/sim.h"
#include "run/run.h"

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

#define X32_BIT 0x40000000u

#define LD_ABS(off)  BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v)	     BPF_STMT(BPF_RET | BPF_K, (v))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define ARG_LO(i)    (offsetof(struct seccomp_data, args) + 8 * (i)) /* little-endian */

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
#if defined(__x86_64__)
#define NATIVE_PTRACE 101u
#define X32_PTRACE    (X32_BIT | 521u)
#else
#define NATIVE_PTRACE 117u
#define X32_PTRACE    0xffffffffu /* no x32: matches nothing */
#endif
#define COMPAT_PTRACE 26u
#define PARENT_SLOT   25 /* the instruction that holds the parent's pid */

/* Hand-checked; tests/kernel/test-self-confine.c runs it through the verifier and the
 * simulator on every ABI, and the kernel tests perform both attacks. */
static const struct sock_filter guard_template[CF_GUARD_LEN] = {
	/* 0 */ LD_ABS(offsetof(struct seccomp_data, arch)),
	/* 1 */ JEQ(NATIVE_ARCH, 0, 8),
	/* 2 */ LD_ABS(offsetof(struct seccomp_data, nr)),
	/* 3 */ JEQ(NATIVE_IOCTL, 15, 0),
	/* 4 */ JEQ(X32_BIT | 514u, 14, 0), /* x32's compat ioctl; no such nr on aarch64 */
	/* 5 */ JEQ(X32_BIT | NATIVE_IOCTL, 13, 0),
	/* 6 */ JEQ(NATIVE_PTRACE, 17, 0),
	/* 7 */ JEQ(X32_PTRACE, 16, 0),
	/* 8 */ JEQ(X32_BIT | NATIVE_PTRACE, 15, 0),
	/* 9 */ RET(SECCOMP_RET_ALLOW),
	/* 10 */ JEQ(COMPAT_ARCH, 0, 3), /* A still holds arch; other arches: the profile decides */
	/* 11 */ LD_ABS(offsetof(struct seccomp_data, nr)),
	/* 12 */ JEQ(COMPAT_IOCTL, 6, 0),
	/* 13 */ JEQ(COMPAT_PTRACE, 10, 0),
	/* 14 */ RET(SECCOMP_RET_ALLOW),
	/* 15 */ RET(SECCOMP_RET_ALLOW),
	/* 16 */ RET(SECCOMP_RET_ALLOW),
	/* 17 */ RET(SECCOMP_RET_ALLOW),
	/* 18 */ RET(SECCOMP_RET_ALLOW),
	/* 19 */ LD_ABS(ARG_LO(1)), /* ioctl: the request */
	/* 20 */ JEQ(TIOCSTI, 9, 0),
	/* 21 */ JEQ(TIOCLINUX, 8, 0),
	/* 22 */ RET(SECCOMP_RET_ALLOW),
	/* 23 */ RET(SECCOMP_RET_ALLOW),
	/* 24 */ LD_ABS(ARG_LO(1)), /* ptrace: the pid (pid_t: the low word is what counts) */
	/* 25 */ JEQ(0 /* the parent, filled in */, 0, 3),
	/* 26 */ LD_ABS(ARG_LO(0)),
	/* 27 */ JEQ(PTRACE_ATTACH, 2, 0),
	/* 28 */ JEQ(PTRACE_SEIZE, 1, 0),
	/* 29 */ RET(SECCOMP_RET_ALLOW),
	/* 30 */ RET(SECCOMP_RET_ERRNO | 1 /* EPERM */),
};
#endif

int cf_tty_guard_build(pid_t parent, struct sock_filter *buf, struct sock_fprog *ret)
{
#ifdef NATIVE_ARCH
	memcpy(buf, guard_template, sizeof(guard_template));
	buf[PARENT_SLOT].k = (uint32_t)parent;
	ret->len = CF_GUARD_LEN;
	ret->filter = buf;
	return 0;
#else
	(void)parent, (void)buf, (void)ret;
	return -EOPNOTSUPP;
#endif
}

bool cf_tty_guard_denies(pid_t parent, uint32_t arch, long nr, const uint64_t *args)
{
#ifdef NATIVE_ARCH
	struct seccomp_data d = { .nr = (int)nr, .arch = arch };
	struct sock_filter insns[CF_GUARD_LEN];
	struct sock_fprog fp;
	uint32_t ret = SECCOMP_RET_ALLOW;
	unsigned steps;

	/* the program itself decides: no second copy of its logic to drift */
	memcpy(d.args, args, sizeof(d.args));
	if (cf_tty_guard_build(parent, insns, &fp) < 0 ||
	    cf_bpf_sim(fp.filter, fp.len, &d, &ret, &steps) < 0)
		return false;
	return ret != SECCOMP_RET_ALLOW;
#else
	(void)parent, (void)arch, (void)nr, (void)args;
	return false;
#endif
}
