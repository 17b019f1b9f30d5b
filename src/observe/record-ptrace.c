/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ptrace recorder of `callfence record`: where eBPF cannot load (an unprivileged caller, no
 * kernel BTF, or asked for). The command is our own child, so no privilege is needed: the
 * parent seizes it before its first step (PTRACE_SEIZE, then PTRACE_INTERRUPT so that it stops
 * before it can return from its wait on the go pipe), and every thread and descendant is
 * attached by the kernel (PTRACE_O_TRACECLONE/FORK/VFORK). Each system call gives two stops
 * (PTRACE_SYSCALL, TRACESYSGOOD): at entry PTRACE_GET_SYSCALL_INFO names the ABI (AUDIT_ARCH
 * of the call, so int $0x80 in a 64-bit process is I386), the number (x32 bit kept) and the
 * arguments as seccomp would see them; at exit whether it returned an error. The exit stop does
 * not name the call: the entry's is kept per thread. A successful execve by a thread other than
 * the leader comes back on the leader's tid (PTRACE_EVENT_EXEC's message is the old tid).
 *
 * Capability checks are invisible from here (caps_observed stays false). The cost is two
 * context switches per call (recording.md §5.2: ~40x on a syscall loop).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/audit.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "base/cleanup.h"
#include "observe/record-observe.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

struct tid_state {
	pid_t tid; /* 0: free slot */
	bool in_call; /* between entry and exit stops */
	uint32_t arch;
	int32_t nr;
};

struct cf_rec_ptrace {
	const struct cf_rec_opts *o;
	struct cf_recording *rec;
	int go[2];
	pid_t main_pid;
	bool main_done;
	int main_status;
	/* the launcher's own calls are not the command's: recording starts at its execve */
	bool armed;
	int error; /* first -ENOMEM while recording */
	/* open addressing, linear probing, power-of-two size, never more than half full */
	struct tid_state *tids;
	size_t n_tids, cap_tids;
};

int cf_rec_ptrace_new(const struct cf_rec_opts *o, struct cf_recording *rec,
		      struct cf_rec_ptrace **ret)
{
	struct cf_rec_ptrace *p;
	int r;

#if !defined(__x86_64__)
	return -EOPNOTSUPP;
#endif
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->o = o;
	p->rec = rec;
	p->cap_tids = 64;
	p->tids = calloc(p->cap_tids, sizeof(*p->tids));
	if (!p->tids) {
		free(p);
		return -ENOMEM;
	}
	r = cf_go_open(p->go);
	if (r < 0) {
		cf_rec_ptrace_free(p);
		return r;
	}
	rec->observer = "ptrace";
	rec->caps_observed = false;
	*ret = p;
	return 0;
}

struct cf_rec_ptrace *cf_rec_ptrace_free(struct cf_rec_ptrace *p)
{
	if (!p)
		return NULL;
	cf_go_close(p->go);
	free(p->tids);
	free(p);
	return NULL;
}

/* ---- threads ---- */

static size_t slot(size_t cap, pid_t tid)
{
	return ((size_t)tid * 2654435761u) & (cap - 1);
}

static struct tid_state *tid_find(struct cf_rec_ptrace *p, pid_t tid)
{
	for (size_t i = slot(p->cap_tids, tid);; i = (i + 1) & (p->cap_tids - 1)) {
		if (p->tids[i].tid == tid)
			return &p->tids[i];
		if (p->tids[i].tid == 0)
			return NULL;
	}
}

static int tid_grow(struct cf_rec_ptrace *p)
{
	size_t cap = p->cap_tids * 2;
	struct tid_state *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < p->cap_tids; i++) {
		size_t j;

		if (p->tids[i].tid == 0)
			continue;
		for (j = slot(cap, p->tids[i].tid); t[j].tid; j = (j + 1) & (cap - 1))
			;
		t[j] = p->tids[i];
	}
	free(p->tids);
	p->tids = t;
	p->cap_tids = cap;
	return 0;
}

static struct tid_state *tid_get(struct cf_rec_ptrace *p, pid_t tid)
{
	struct tid_state *t = tid_find(p, tid);
	size_t i;

	if (t)
		return t;
	if (2 * (p->n_tids + 1) > p->cap_tids && tid_grow(p) < 0)
		return NULL;
	for (i = slot(p->cap_tids, tid); p->tids[i].tid; i = (i + 1) & (p->cap_tids - 1))
		;
	p->tids[i] = (struct tid_state){ .tid = tid };
	p->n_tids++;
	return &p->tids[i];
}

/* Backward-shift deletion keeps every probe chain unbroken. */
static void tid_del(struct cf_rec_ptrace *p, pid_t tid)
{
	struct tid_state *t = tid_find(p, tid);
	size_t mask = p->cap_tids - 1, i, j;

	if (!t)
		return;
	i = (size_t)(t - p->tids);
	for (j = (i + 1) & mask; p->tids[j].tid; j = (j + 1) & mask) {
		size_t home = slot(p->cap_tids, p->tids[j].tid);

		/* can j move into the hole at i? (home not cyclically in (i, j]) */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			p->tids[i] = p->tids[j];
			i = j;
		}
	}
	p->tids[i].tid = 0;
	p->n_tids--;
}

/* ---- stops ---- */

static void fail(struct cf_rec_ptrace *p, int r)
{
	if (r < 0 && p->error == 0)
		p->error = r;
}

static void on_entry(struct cf_rec_ptrace *p, pid_t tid, const struct __ptrace_syscall_info *info)
{
	struct tid_state *t = tid_get(p, tid);
	uint32_t arch = info->arch;
	int32_t nr = (int32_t)info->entry.nr;
	struct cf_rec_call *c;
	uint8_t mask;
	int r;

	if (!t) {
		fail(p, -ENOMEM);
		return;
	}
	/* the launcher's execve of the command (install.c: the plan's last step) */
	if (!p->armed && tid == p->main_pid && arch == AUDIT_ARCH_X86_64 && nr == SYS_execve)
		p->armed = true;
	t->in_call = p->armed;
	t->arch = arch;
	t->nr = nr;
	if (!p->armed)
		return;
	r = cf_recording_add(p->rec, arch, nr, &c);
	if (r < 0) {
		fail(p, r);
		return;
	}
	if (c->count++ == 0)
		cf_rec_origin(tid, NULL, NULL, c->origin);
	/* exit and exit_group never return: they succeed by ending the thread or process */
	if (arch == AUDIT_ARCH_X86_64 ? nr == SYS_exit || nr == SYS_exit_group :
	    arch == AUDIT_ARCH_I386   ? nr == 1 || nr == 252 :
					false)
		c->succeeded = true;
	if ((nr & 0x40000000) &&
	    (nr == (0x40000000 | SYS_exit) || nr == (0x40000000 | SYS_exit_group)))
		c->succeeded = true;
	mask = cf_rec_watch_mask(p->o, arch, nr);
	if (mask) {
		uint64_t args[6];

		for (int i = 0; i < 6; i++)
			args[i] = (mask & (1u << i)) ? info->entry.args[i] : 0;
		fail(p, cf_rec_call_add_tuple(c, args));
	}
}

static void on_call_exit(struct cf_rec_ptrace *p, pid_t tid,
			 const struct __ptrace_syscall_info *info)
{
	struct tid_state *t = tid_find(p, tid);
	struct cf_rec_call *c;

	if (!t || !t->in_call)
		return;
	t->in_call = false;
	if (info->exit.is_error)
		return;
	if (cf_recording_add(p->rec, t->arch, t->nr, &c) == 0)
		c->succeeded = true;
}

static void on_syscall_stop(struct cf_rec_ptrace *p, pid_t tid)
{
	struct __ptrace_syscall_info info;

	memset(&info, 0, sizeof(info));
	if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(info), &info) <= 0)
		return;
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY)
		on_entry(p, tid, &info);
	else if (info.op == PTRACE_SYSCALL_INFO_EXIT)
		on_call_exit(p, tid, &info);
}

/* PTRACE_EVENT_EXEC: a non-leader thread's execve continues as the leader (de_thread) */
static void on_exec(struct cf_rec_ptrace *p, pid_t tid)
{
	unsigned long old = 0;
	struct tid_state *from, *to;

	if (ptrace(PTRACE_GETEVENTMSG, tid, NULL, &old) < 0 || (pid_t)old == tid)
		return;
	from = tid_find(p, (pid_t)old);
	if (!from)
		return;
	struct tid_state moved = *from;
	tid_del(p, (pid_t)old);
	to = tid_get(p, tid);
	if (!to) {
		fail(p, -ENOMEM);
		return;
	}
	moved.tid = tid;
	*to = moved;
}

static int reap(void *data, int *ret_status)
{
	struct cf_rec_ptrace *p = data;
	int result = 0;

	for (;;) {
		int st, ev, sig;
		pid_t w = waitpid(-1, &st, __WALL | WNOHANG);

		if (w == 0)
			break;
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD && p->main_done) {
				*ret_status = p->main_status;
				return 1;
			}
			return errno == ECHILD ? 0 : -errno;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			tid_del(p, w);
			if (w == p->main_pid) {
				p->main_done = true;
				p->main_status = st;
			}
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		ev = st >> 16;
		sig = WSTOPSIG(st);
		if (ev == 0 && sig == (SIGTRAP | 0x80)) {
			on_syscall_stop(p, w);
			(void)ptrace(PTRACE_SYSCALL, w, NULL, NULL);
			continue;
		}
		switch (ev) {
		case 0:
			/* signal-delivery-stop: deliver it unchanged */
			(void)ptrace(PTRACE_SYSCALL, w, NULL, (void *)(long)sig);
			break;
		case PTRACE_EVENT_STOP:
			if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
				/* group-stop: stay stopped, but keep seeing SIGCONT */
				(void)ptrace(PTRACE_LISTEN, w, NULL, NULL);
				if (w == p->main_pid)
					result = 2;
			} else {
				/* PTRACE_INTERRUPT's stop, a new tracee's first stop */
				(void)ptrace(PTRACE_SYSCALL, w, NULL, NULL);
			}
			break;
		case PTRACE_EVENT_EXEC:
			on_exec(p, w);
			(void)ptrace(PTRACE_SYSCALL, w, NULL, NULL);
			break;
		default:
			/* clone, fork, vfork, vfork-done */
			(void)ptrace(PTRACE_SYSCALL, w, NULL, NULL);
			break;
		}
	}
	if (p->main_done) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WNOHANG | WNOWAIT | __WALL) < 0 &&
		    errno == ECHILD) {
			*ret_status = p->main_status;
			return 1;
		}
	}
	return result;
}

static void child_wait(void *data)
{
	struct cf_rec_ptrace *p = data;

	cf_go_wait(p->go);
}

static int attach(void *data, pid_t pid)
{
	struct cf_rec_ptrace *p = data;
	long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK |
		    PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
	int r = 0;

	cf_go_parent_begin(p->go);
	/* seized tracees do not stop by themselves: the interrupt stops the child (in its
	 * read of the go pipe, before it can return to user space) until the first reap
	 * turns it into PTRACE_SYSCALL */
	if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)opts) < 0 ||
	    ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0)
		r = -errno;
	r = cf_go_send(p->go, r);
	if (r == 0)
		p->main_pid = pid;
	return r;
}

void cf_rec_ptrace_hooks(struct cf_rec_ptrace *p, struct cf_run_observer *ret)
{
	*ret = (struct cf_run_observer){
		.data = p, .child_wait = child_wait, .attach = attach, .reap = reap
	};
}

int cf_rec_ptrace_finish(struct cf_rec_ptrace *p)
{
	return p->error;
}
