/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ptrace supervisor of `run --explain` / `--complain`.
 *
 * Why ptrace and not SECCOMP_RET_USER_NOTIF: a notification can only be answered with a return
 * value or "continue", so KILL_* and TRAP could not be reported *and* still act exactly as they
 * do (SIGSYS with the kernel's siginfo, the core dump of KILL_PROCESS, KILL_THREAD killing one
 * thread). A tracer sees them as they happen, and a seized tracee that is not PTRACE_SYSCALL'ed
 * never stops on allowed calls: the cost is paid by denials, signals, clone/exec/exit only.
 *
 * Kernel behaviour relied on (kernel/seccomp.c __seccomp_filter, kernel/signal.c; each checked on
 * this machine with a small program before writing this):
 *  - RET_TRACE with a PTRACE_O_TRACESECCOMP tracer: PTRACE_EVENT_SECCOMP stop;
 *    PTRACE_GET_SYSCALL_INFO gives op SECCOMP with the exact seccomp_data (arch, nr, args),
 *    also for int $0x80 callers in a 64-bit process (arch I386).
 *  - orig_rax = -1 skips the call and the filter re-check; rax is returned unchanged, so
 *    rax = -errno gives the program exactly the errno of the ERRNO action.
 *  - After a TRACE stop without skipping, the re-check treats TRACE as allowed: --complain.
 *  - TRAP: a SIGSYS signal-delivery-stop with si_code SYS_SECCOMP, si_syscall, si_arch,
 *    si_errno = data; re-injecting it with PTRACE_CONT delivers the same siginfo.
 *  - KILL_PROCESS forces an SA_IMMUTABLE SIGSYS that the tracer never sees as a signal stop;
 *    KILL_THREAD of a non-last thread calls do_exit(SIGSYS). Both pass PTRACE_EVENT_EXIT (exit
 *    code SIGSYS in the event message) with orig_rax and the argument registers intact, and
 *    PTRACE_GET_SYSCALL_INFO still names the syscall's arch there.
 * Which filter produced a stop is decided by running the original program through our BPF
 * simulator: what the kernel would have done without --explain (src/explain/denials.c, shared
 * with the eBPF observer, which also prints every line). A TRACE from a filter the
 * program installed itself (ours allows the call) gets what it gets without a tracer: ENOSYS.
 */
#include "run/supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/audit.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "base/cleanup.h"
#include "run/run.h"

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif
#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

struct cf_supervisor {
	struct cf_denials_opts o;
	struct cf_denials *den;
	int go[2]; /* parent -> child: "attached" */
	pid_t main_pid;
	bool main_done;
	int main_status;
};

int cf_supervisor_new(const struct cf_denials_opts *o, struct cf_supervisor **ret)
{
	struct cf_supervisor *s;
	int r;

	if (!o || !o->ctx || !o->ctx->resolved || !o->prog || !o->report || !ret)
		return -EINVAL;
#if !defined(__x86_64__)
	return -EOPNOTSUPP;
#endif
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->o = *o;
	s->go[0] = s->go[1] = -1;
	r = cf_denials_new(o, &s->den);
	if (r < 0) {
		free(s);
		return r;
	}
	r = cf_go_open(s->go);
	if (r < 0) {
		cf_supervisor_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

struct cf_supervisor *cf_supervisor_free(struct cf_supervisor *s)
{
	if (!s)
		return NULL;
	cf_denials_free(s->den);
	cf_go_close(s->go);
	free(s);
	return NULL;
}

void cf_supervisor_child_wait(struct cf_supervisor *s)
{
	/* never run unobserved under a TRACE-rewritten filter */
	cf_go_wait(s->go);
}

int cf_supervisor_attach(struct cf_supervisor *s, pid_t pid)
{
	long opts = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK |
		    PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT |
		    PTRACE_O_EXITKILL;
	int r = 0;

	cf_go_parent_begin(s->go);
	if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)opts) < 0)
		r = -errno;
	r = cf_go_send(s->go, r);
	if (r == 0)
		s->main_pid = pid;
	return r;
}

/* ------------------------------------------------------------------------------------------- */
/* Reading the stopped thread */

static pid_t tgid_of(pid_t tid)
{
	char path[64], line[128];
	FILE *f;
	pid_t tgid = tid;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return tid;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Tgid:", 5) == 0) {
			tgid = (pid_t)strtol(line + 5, NULL, 10);
			break;
		}
	fclose(f);
	return tgid;
}

static void args_from_regs(const struct user_regs_struct *r, uint32_t audit_arch, __u64 *a)
{
	if (audit_arch == AUDIT_ARCH_I386) {
		a[0] = (uint32_t)r->rbx;
		a[1] = (uint32_t)r->rcx;
		a[2] = (uint32_t)r->rdx;
		a[3] = (uint32_t)r->rsi;
		a[4] = (uint32_t)r->rdi;
		a[5] = (uint32_t)r->rbp;
		return;
	}
	a[0] = r->rdi;
	a[1] = r->rsi;
	a[2] = r->rdx;
	a[3] = r->r10;
	a[4] = r->r8;
	a[5] = r->r9;
}

static uint32_t kernel_decision(const struct cf_supervisor *s, const struct seccomp_data *d)
{
	return cf_denials_decision(s->den, d);
}

static void report(struct cf_supervisor *s, pid_t tid, const struct seccomp_data *d, uint32_t kret,
		   const char *how)
{
	cf_denials_report(s->den, tid, tgid_of(tid), d, kret, how, cf_denials_read_str,
			  (void *)(intptr_t)tid);
}

/* ------------------------------------------------------------------------------------------- */
/* Stops */

static int skip_with(pid_t tid, long retval)
{
	struct user_regs_struct regs;

	if (ptrace(PTRACE_GETREGS, tid, NULL, &regs) < 0)
		return -errno;
	regs.orig_rax = (unsigned long long)-1;
	regs.rax = (unsigned long long)retval;
	if (ptrace(PTRACE_SETREGS, tid, NULL, &regs) < 0)
		return -errno;
	return 0;
}

static void on_seccomp(struct cf_supervisor *s, pid_t tid)
{
	struct __ptrace_syscall_info info;
	struct seccomp_data d;
	uint32_t kret;
	long n;

	memset(&info, 0, sizeof(info));
	n = ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(info), &info);
	if (n < 0 || info.op != PTRACE_SYSCALL_INFO_SECCOMP) {
		/* cannot read it: fail closed, the call does not run */
		(void)skip_with(tid, -EPERM);
		(void)ptrace(PTRACE_CONT, tid, NULL, NULL);
		return;
	}
	memset(&d, 0, sizeof(d));
	d.nr = (int)info.seccomp.nr;
	d.arch = info.arch;
	d.instruction_pointer = info.instruction_pointer;
	for (int i = 0; i < 6; i++)
		d.args[i] = info.seccomp.args[i];
	kret = kernel_decision(s, &d);

	if (!cf_denials_is_denial(kret)) {
		/* a TRACE of a filter the program installed: what it gets with no tracer */
		(void)skip_with(tid, -ENOSYS);
		(void)ptrace(PTRACE_CONT, tid, NULL, NULL);
		return;
	}
	if (s->o.mode == CF_SUPERVISE_COMPLAIN) {
		report(s, tid, &d, kret, "would get");
		/* resume untouched: the kernel's re-check takes TRACE as "tracer decided" */
		(void)ptrace(PTRACE_CONT, tid, NULL, NULL);
		return;
	}
	switch (kret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ERRNO:
		report(s, tid, &d, kret, "->");
		(void)skip_with(tid, -(long)CF_MIN(kret & SECCOMP_RET_DATA, CF_ERRNO_MAX));
		break;
	case SECCOMP_RET_TRACE:
		report(s, tid, &d, kret, "->");
		(void)skip_with(tid, -ENOSYS);
		break;
	default:
		/* KILL/TRAP are not rewritten; if the kernel and the simulator disagree, the
		 * call must not run */
		report(s, tid, &d, kret, "-> (simulator disagrees with the kernel)");
		(void)skip_with(tid, -EPERM);
	}
	(void)ptrace(PTRACE_CONT, tid, NULL, NULL);
}

static void on_signal(struct cf_supervisor *s, pid_t tid, int sig)
{
	siginfo_t si;

	if (sig == SIGSYS && ptrace(PTRACE_GETSIGINFO, tid, NULL, &si) == 0 &&
	    si.si_code == SYS_SECCOMP) {
		struct user_regs_struct regs;
		struct seccomp_data d;

		memset(&d, 0, sizeof(d));
		d.nr = si.si_syscall;
		d.arch = si.si_arch;
		d.instruction_pointer = (uint64_t)(uintptr_t)si.si_call_addr;
		if (ptrace(PTRACE_GETREGS, tid, NULL, &regs) == 0)
			args_from_regs(&regs, d.arch, d.args);
		report(s, tid, &d, kernel_decision(s, &d), "->");
	}
	/* re-inject unchanged: the program handles or dies exactly as without us */
	(void)ptrace(PTRACE_CONT, tid, NULL, (void *)(long)sig);
}

static void on_exit_stop(struct cf_supervisor *s, pid_t tid)
{
	unsigned long msg = 0;
	struct __ptrace_syscall_info info;
	struct user_regs_struct regs;
	struct seccomp_data d;
	uint32_t kret;

	if (ptrace(PTRACE_GETEVENTMSG, tid, NULL, &msg) == 0 && (msg & 0x7f) == SIGSYS &&
	    ptrace(PTRACE_GETREGS, tid, NULL, &regs) == 0) {
		memset(&info, 0, sizeof(info));
		memset(&d, 0, sizeof(d));
		if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(info), &info) > 0)
			d.arch = info.arch;
		else
			d.arch = regs.cs == 0x23 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
		d.nr = (int)regs.orig_rax;
		d.instruction_pointer = regs.rip;
		args_from_regs(&regs, d.arch, d.args);
		kret = kernel_decision(s, &d);
		/* a SIGSYS death at a syscall our filter kills: the seccomp kill */
		if (regs.orig_rax != (unsigned long long)-1 &&
		    ((kret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_KILL_PROCESS ||
		     (kret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_KILL_THREAD))
			report(s, tid, &d, kret, "->");
	}
	(void)ptrace(PTRACE_CONT, tid, NULL, NULL);
}

int cf_supervisor_reap(struct cf_supervisor *s, int *ret_status)
{
	int result = 0;

	for (;;) {
		int st, ev, sig;
		pid_t w = waitpid(-1, &st, __WALL | WNOHANG);

		if (w == 0)
			break;
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD && s->main_done) {
				*ret_status = s->main_status;
				return 1;
			}
			return errno == ECHILD ? 0 : -errno;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (w == s->main_pid) {
				s->main_done = true;
				s->main_status = st;
			}
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		ev = st >> 16;
		sig = WSTOPSIG(st);
		switch (ev) {
		case 0:
			on_signal(s, w, sig);
			break;
		case PTRACE_EVENT_SECCOMP:
			on_seccomp(s, w);
			break;
		case PTRACE_EVENT_EXIT:
			on_exit_stop(s, w);
			break;
		case PTRACE_EVENT_STOP:
			if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
				/* group-stop: stay stopped, but keep seeing SIGCONT */
				(void)ptrace(PTRACE_LISTEN, w, NULL, NULL);
				if (w == s->main_pid)
					result = 2;
			} else {
				(void)ptrace(PTRACE_CONT, w, NULL, NULL);
			}
			break;
		default:
			/* clone, fork, vfork, vfork-done, exec */
			(void)ptrace(PTRACE_CONT, w, NULL, NULL);
			break;
		}
	}
	if (s->main_done) {
		/* nothing left at all? */
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WNOHANG | WNOWAIT | __WALL) < 0 &&
		    errno == ECHILD) {
			*ret_status = s->main_status;
			return 1;
		}
	}
	return result;
}

size_t cf_supervisor_n_distinct(const struct cf_supervisor *s)
{
	return cf_denials_n_distinct(s->den);
}

size_t cf_supervisor_n_calls(const struct cf_supervisor *s)
{
	return cf_denials_n_calls(s->den);
}

int cf_supervisor_summary(struct cf_supervisor *s, const char *profile_out, char **ret_lines,
			  char **ret_profile)
{
	return cf_denials_summary(s->den, profile_out, ret_lines, ret_profile);
}
