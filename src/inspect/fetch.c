/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading a process's filters back from the kernel. PTRACE_SECCOMP_GET_FILTER (kernel/seccomp.c
 * seccomp_get_filter) needs a tracee in a ptrace-stop and a tracer with CAP_SYS_ADMIN that is
 * not itself under seccomp; index 0 is the filter installed first, -ENOENT past the last.
 *
 * Leaving the process as it was: we SEIZE (no options, so no event ever stops it later),
 * INTERRUPT and wait for the one stop. A process already in group-stop (^Z, SIGSTOP) traps at
 * once and goes back to its group-stop at PTRACE_DETACH (kernel/ptrace.c __ptrace_unlink
 * re-arms JOBCTL_STOP_PENDING while SIGNAL_STOP_STOPPED holds); a running one resumes. If a
 * signal arrives for it between SEIZE and the stop, it is reported to us as a signal-delivery
 * stop: detaching with that signal delivers it, so nothing is lost. Our own signals are blocked
 * for the few calls between SEIZE and DETACH, so ^C cannot leave it attached; if callfence is
 * killed outright, the kernel detaches at our exit (exit_ptrace) the same way.
 *
 * Only these four ptrace requests are made: the tracee's memory and registers are never read
 * or written.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "base/cleanup.h"
#include "inspect/inspect.h"

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif
#define MAX_FILTERS 4096u /* more than the kernel's MAX_INSNS_PER_PATH allows of 1-insn filters */

struct proc_status {
	long tracer;
	int seccomp;
	long filters;
};

static int read_status(pid_t pid, struct proc_status *st)
{
	char path[64], line[256];
	cleanup_fclose FILE *f = NULL;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	*st = (struct proc_status){ .seccomp = -1, .filters = -1 };
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "TracerPid: %ld", &st->tracer) == 1)
			continue;
		if (sscanf(line, "Seccomp: %d", &st->seccomp) == 1)
			continue;
		(void)sscanf(line, "Seccomp_filters: %ld", &st->filters);
	}
	return 0;
}

static bool have_sys_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return (d[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32))) != 0;
}

void cf_inspect_filters_clear(struct cf_inspect_filters *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free(fs->f[i].insns);
	free(fs->f);
	fs->f = NULL;
	fs->n = 0;
}

static int get_filters(pid_t pid, struct cf_inspect_filters *fs, struct cf_diag *reterr)
{
	for (unsigned long i = 0; i < MAX_FILTERS; i++) {
		struct cf_inspect_filter *nf;
		long n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, NULL);

		if (n < 0 && errno == ENOENT)
			return 0;
		if (n < 0 && errno == EIO)
			return diag_set(
				reterr, EOPNOTSUPP, NULL, 0, 0, NULL,
				"this kernel cannot hand out seccomp filters "
				"(PTRACE_SECCOMP_GET_FILTER needs CONFIG_CHECKPOINT_RESTORE)");
		if (n < 0 && errno == EMEDIUMTYPE)
			return diag_set(
				reterr, EMEDIUMTYPE, NULL, 0, 0, NULL,
				"filter %lu was not installed as a classic BPF program; the "
				"kernel keeps no copy to hand out",
				i);
		if (n < 0 && errno == EACCES)
			return diag_set(
				reterr, EPERM, NULL, 0, 0, NULL,
				"the kernel refused to hand out the filters: callfence needs "
				"CAP_SYS_ADMIN and must not run under seccomp itself");
		if (n < 0 && errno == EINVAL && i == 0)
			return 0; /* not in filter mode (strict, or none) */
		if (n < 0)
			return diag_set(reterr, errno, NULL, 0, 0, NULL,
					"PTRACE_SECCOMP_GET_FILTER %lu: %s", i, strerror(errno));
		if (n == 0 || n > BPF_MAXINSNS)
			return diag_set(reterr, EINVAL, NULL, 0, 0, NULL,
					"filter %lu: the kernel reports %ld instructions", i, n);
		nf = realloc(fs->f, (fs->n + 1) * sizeof(*fs->f));
		if (!nf)
			return -ENOMEM;
		fs->f = nf;
		memset(&fs->f[fs->n], 0, sizeof(fs->f[fs->n]));
		fs->f[fs->n].insns = calloc((size_t)n, sizeof(struct sock_filter));
		if (!fs->f[fs->n].insns)
			return -ENOMEM;
		fs->n++;
		long m = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, fs->f[fs->n - 1].insns);
		if (m != n)
			return diag_set(reterr, m < 0 ? errno : EIO, NULL, 0, 0, NULL,
					"filter %lu changed while being read", i);
		fs->f[fs->n - 1].len = (size_t)n;
	}
	return diag_set(reterr, E2BIG, NULL, 0, 0, NULL, "more than %u filters", MAX_FILTERS);
}

static int seized(pid_t pid, struct cf_inspect_filters *fs, struct cf_diag *reterr)
{
	int status = 0, sig = 0, r;

	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0)
		return diag_set(reterr, errno, NULL, 0, 0, NULL, "PTRACE_INTERRUPT: %s",
				strerror(errno));
	for (;;) {
		pid_t w = waitpid(pid, &status, __WALL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return diag_set(reterr, errno, NULL, 0, 0, NULL,
					"waiting for process %d: %s", (int)pid, strerror(errno));
		break;
	}
	if (!WIFSTOPPED(status))
		return diag_set(reterr, ESRCH, NULL, 0, 0, NULL, "process %d exited", (int)pid);
	/* a signal-delivery stop: the signal is re-delivered by the detach */
	if ((status >> 16) == 0)
		sig = WSTOPSIG(status);
	r = get_filters(pid, fs, reterr);
	if (ptrace(PTRACE_DETACH, pid, NULL, (void *)(long)sig) < 0 && r == 0)
		r = diag_set(reterr, errno, NULL, 0, 0, NULL, "PTRACE_DETACH: %s", strerror(errno));
	return r;
}

int cf_inspect_fetch(pid_t pid, struct cf_inspect_filters *ret, struct cf_diag *reterr)
{
	struct cf_inspect_filters fs = { 0 };
	struct proc_status st, self;
	sigset_t all, old;
	int r;

	if (pid <= 0)
		return diag_set(reterr, EINVAL, NULL, 0, 0, "PID", "invalid process id %d",
				(int)pid);
	if (pid == getpid())
		return diag_set(reterr, EINVAL, NULL, 0, 0, "PID",
				"callfence cannot inspect itself (a process cannot trace itself)");
	r = read_status(pid, &st);
	if (r < 0)
		return diag_set(reterr, ESRCH, NULL, 0, 0, "PID", "no process %d", (int)pid);
	if (st.seccomp != 2) {
		/* nothing to read: no attach at all */
		fs.mode = st.seccomp < 0 ? 0 : st.seccomp;
		*ret = fs;
		return 0;
	}
	fs.mode = 2;
	if (st.tracer != 0) {
		r = diag_set(reterr, EBUSY, NULL, 0, 0, "PID",
			     "process %d is already traced by process %ld; the kernel allows one "
			     "tracer, and the filters are read through ptrace",
			     (int)pid, st.tracer);
		diag_hint(reterr, "detach the debugger or strace first");
		return r;
	}
	if (read_status(getpid(), &self) == 0 && self.seccomp > 0) {
		r = diag_set(reterr, EPERM, NULL, 0, 0, NULL,
			     "callfence runs under seccomp (mode %d) itself; the kernel hands "
			     "filters only to an unconfined tracer (kernel/seccomp.c "
			     "seccomp_get_filter)",
			     self.seccomp);
		diag_hint(reterr, "run callfence inspect outside any container or sandbox");
		return r;
	}
	if (!have_sys_admin()) {
		r = diag_set(reterr, EPERM, NULL, 0, 0, NULL,
			     "reading seccomp filters needs CAP_SYS_ADMIN (kernel/seccomp.c "
			     "seccomp_get_filter)");
		diag_hint(reterr, "run it as root (sudo callfence inspect %d)", (int)pid);
		return r;
	}

	/* from SEIZE to DETACH: no signal of ours may leave the process attached */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0) {
		int e = errno;

		sigprocmask(SIG_SETMASK, &old, NULL);
		if (e == EPERM && read_status(pid, &st) == 0 && st.tracer != 0)
			return diag_set(reterr, EBUSY, NULL, 0, 0, "PID",
					"process %d is already traced by process %ld", (int)pid,
					st.tracer);
		if (e == ESRCH)
			return diag_set(reterr, ESRCH, NULL, 0, 0, "PID", "no process %d",
					(int)pid);
		r = diag_set(reterr, e, NULL, 0, 0, "PID", "cannot attach to process %d: %s",
			     (int)pid, strerror(e));
		diag_hint(reterr, "ptrace access is refused (kernel.yama.ptrace_scope, or a "
				  "process of another user namespace)");
		return r;
	}
	r = seized(pid, &fs, reterr);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		cf_inspect_filters_clear(&fs);
		return r;
	}
	*ret = fs;
	return 0;
}
