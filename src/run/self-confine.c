/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parent confines itself before the command may run.
 *
 * `callfence run` keeps a parent next to the command (exec.c says why). Left as it was — the
 * caller's capabilities, no filter, dumpable — it was the easiest way out of the confinement:
 * the command runs with the parent's uid, so with CAP_SYS_PTRACE (root with --cap-add
 * SYS_PTRACE, ALL, --privileged) or as an unprivileged user (same uid, fewer-or-equal
 * capabilities: kernel/ptrace.c __ptrace_may_access + security/commoncap.c
 * cap_ptrace_access_check), it could PTRACE_ATTACH getppid(), point its registers at a
 * `syscall` instruction and execve a shell: Seccomp 0, every capability. process_vm_writev and
 * /proc/PID/mem writes reach the same end without ptrace(2) at all, so denying ptrace in the
 * command's filter cannot close it; only the parent itself can.
 *
 * So the parent, once it no longer needs anything but waiting, forwarding signals and
 * reporting, makes itself hold strictly less than the command:
 *  1. PR_SET_DUMPABLE 0: same-uid ptrace and /proc/PID/mem then need CAP_SYS_PTRACE
 *     (kernel/ptrace.c: a non-dumpable mm needs ptrace_has_cap);
 *  2. every capability dropped: ambient cleared, the bounding set emptied (needs CAP_SETPCAP,
 *     so before capset; without CAP_SETPCAP there is nothing in it we could use: execve is
 *     denied below), then permitted/effective/inheritable emptied, except what the caller asks
 *     to keep (the ptrace supervisor keeps CAP_SYS_PTRACE for process_vm_readv of a command
 *     running under another uid);
 *  3. PR_SET_NO_NEW_PRIVS, then 4. an allow-list seccomp filter of the calls its loop makes
 *     (install.c), everything else SECCOMP_RET_KILL_PROCESS, every other ABI (i386 through
 *     int 0x80, x32) killed. kill(2) is pinned to the child's pid and our own: a hijacked
 *     parent cannot signal anyone else. Since 4.8 seccomp runs after the ptrace syscall-entry
 *     stop (kernel/entry/common.c syscall_trace_enter), so a tracer's register changes are
 *     checked too.
 * A command that still attaches (it holds CAP_SYS_PTRACE) finds a process that can write to
 * the fds it already shares, wait, and exit; its execve kills it (SIGSYS) and, under the
 * supervisor, PTRACE_O_EXITKILL takes the command with it.
 *
 * Why not something else: dumpable alone fails against CAP_SYS_PTRACE; a grandparent layout
 * (confined waiter between callfence and the command) leaves the unconfined callfence one
 * getppid() further up; yama's ptrace_scope is a host setting. A filter is what runc's parent
 * would be protected by a PID namespace for; without namespaces this is the equivalent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include "base/cleanup.h"
#include "caps/caps.h"
#include "run/run.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#endif
#ifndef PR_CAP_AMBIENT_CLEAR_ALL
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif

#if defined(__x86_64__)
#define SELF_AUDIT_ARCH AUDIT_ARCH_X86_64
#define SELF_X32_BIT	0x40000000u /* __X32_SYSCALL_BIT: x32 numbers are a different ABI */
#elif defined(__aarch64__)
#define SELF_AUDIT_ARCH AUDIT_ARCH_AARCH64
#define SELF_X32_BIT	0u
#endif

/* What the wait/forward/report loop and the CLI's report after it call (exec.c,
 * cmd-run.c: sigwaitinfo, waitpid, kill, fprintf(stderr), free, exit). */
static const struct cf_self_allow base_allow[] = {
	{ .nr = SYS_write },
#ifdef SYS_wait4
	{ .nr = SYS_wait4 },
#endif
	{ .nr = SYS_waitid },
	{ .nr = SYS_rt_sigtimedwait },
	{ .nr = SYS_rt_sigprocmask },
	{ .nr = SYS_rt_sigaction },
	{ .nr = SYS_rt_sigreturn },
	{ .nr = SYS_sigaltstack },
	{ .nr = SYS_getpid },
	{ .nr = SYS_gettid },
	{ .nr = SYS_close },
	{ .nr = SYS_brk },
	{ .nr = SYS_mmap },
	{ .nr = SYS_munmap },
	{ .nr = SYS_mremap },
	{ .nr = SYS_madvise },
	{ .nr = SYS_mprotect }, /* sanitizer runtimes, malloc of a new heap */
	{ .nr = SYS_futex },
	{ .nr = SYS_sched_yield },
	{ .nr = SYS_clock_gettime },
	{ .nr = SYS_clock_nanosleep },
#ifdef SYS_nanosleep
	{ .nr = SYS_nanosleep },
#endif
#ifdef SYS_fstat
	{ .nr = SYS_fstat }, /* stdio sizes a stream's buffer on first use */
#endif
	{ .nr = SYS_newfstatat },
	{ .nr = SYS_sysinfo }, /* glibc qsort sizes its buffer with _SC_PHYS_PAGES */
	/* reading, never changing, what the host grants (explain's fixes ask libcap) */
	{ .nr = SYS_capget },
	{ .nr = SYS_prctl,
	  .match = CF_SELF_ARG0_IN,
	  .values = { PR_CAPBSET_READ, PR_GET_DUMPABLE, PR_GET_NO_NEW_PRIVS },
	  .n_values = 3 },
	{ .nr = SYS_exit },
	{ .nr = SYS_exit_group },
};

#if defined(__x86_64__) || defined(__aarch64__)
#define LD_ABS(off) ((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off)))
#define RET(v)	    ((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, (v)))
#define ARG_LO(i)   (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i)   (ARG_LO(i) + 4) /* both arches are little-endian */

struct fbuf {
	struct sock_filter *v;
	size_t n, cap;
};

static int emit(struct fbuf *b, struct sock_filter f)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct sock_filter *v = reallocarray(b->v, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = f;
	return 0;
}

/* Load the 32-bit word at off; allow when it is one of a->values, kill otherwise
 * (1 + 2 * n_values + 1 instructions). */
static int emit_word_in(struct fbuf *b, uint32_t off, const struct cf_self_allow *a)
{
	int r = emit(b, LD_ABS(off));

	for (size_t i = 0; i < a->n_values; i++) {
		r |= emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							  (uint32_t)a->values[i], 0, 1));
		r |= emit(b, RET(SECCOMP_RET_ALLOW));
	}
	r |= emit(b, RET(SECCOMP_RET_KILL_PROCESS));
	return r ? -ENOMEM : 0;
}

/* The body of one rule, entered with A = nr already matched; ends in a RET. */
static int emit_rule_body(struct fbuf *b, const struct cf_self_allow *a)
{
	int r = 0;

	switch (a->match) {
	case CF_SELF_ANY:
		return emit(b, RET(SECCOMP_RET_ALLOW));
	case CF_SELF_ARG0_IN:
		/* Full 64-bit equality: the kernel reads pid_t from the low word, so a high word
		 * other than 0 must not sneak another pid past the low-word test. */
		r |= emit(b, LD_ABS(ARG_HI(0)));
		r |= emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0,
							  (uint8_t)(1 + 2 * a->n_values)));
		return r ? -ENOMEM : emit_word_in(b, ARG_LO(0), a);
	case CF_SELF_ARG1_LO_IN:
		/* Low word only: ioctl's request is an unsigned int in the kernel
		 * (fs/ioctl.c), the high word is never looked at. */
		return emit_word_in(b, ARG_LO(1), a);
	case CF_SELF_ARG0_LO_NOT_IN:
		/* Low word only: denies more than the kernel would act on (ptrace's request is a
		 * long compared as a whole, so a set high word is -EIO there anyway). */
		r |= emit(b, LD_ABS(ARG_LO(0)));
		for (size_t i = 0; i < a->n_values; i++)
			r |= emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
								  (uint32_t)a->values[i],
								  (uint8_t)(a->n_values - i), 0));
		r |= emit(b, RET(SECCOMP_RET_ALLOW));
		r |= emit(b, RET(SECCOMP_RET_KILL_PROCESS));
		return r ? -ENOMEM : 0;
	}
	return -EINVAL;
}

static int emit_rule(struct fbuf *b, const struct cf_self_allow *a)
{
	size_t at, body;
	int r;

	if (a->n_values > CF_SELF_MAX_VALUES || a->nr < 0)
		return -EINVAL;
	r = emit(b, LD_ABS(offsetof(struct seccomp_data, nr)));
	if (r < 0)
		return r;
	at = b->n;
	r = emit(b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)a->nr, 0, 0));
	if (r < 0)
		return r;
	r = emit_rule_body(b, a);
	if (r < 0)
		return r;
	body = b->n - at - 1;
	if (body > 255)
		return -E2BIG;
	b->v[at].jf = (uint8_t)body;
	return 0;
}

int cf_self_filter_build(const struct cf_self_allow *extra, size_t n_extra, pid_t child, pid_t self,
			 struct sock_filter **ret, size_t *ret_len)
{
	struct fbuf b = { 0 };
	struct cf_self_allow kill_rule = {
		.nr = SYS_kill,
		.match = CF_SELF_ARG0_IN,
		.values = { (uint64_t)child, (uint64_t)self },
		.n_values = 2,
	};
	/* raise()/abort() signal our own thread group only */
	struct cf_self_allow tgkill_rule = {
		.nr = SYS_tgkill,
		.match = CF_SELF_ARG0_IN,
		.values = { (uint64_t)self },
		.n_values = 1,
	};
	int r = 0;

	if (child <= 0 || self <= 0)
		return -EINVAL;
	r |= emit(&b, LD_ABS(offsetof(struct seccomp_data, arch)));
	r |= emit(&b,
		  (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SELF_AUDIT_ARCH, 1, 0));
	r |= emit(&b, RET(SECCOMP_RET_KILL_PROCESS));
	if (SELF_X32_BIT) {
		r |= emit(&b, LD_ABS(offsetof(struct seccomp_data, nr)));
		r |= emit(&b, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, SELF_X32_BIT,
							   0, 1));
		r |= emit(&b, RET(SECCOMP_RET_KILL_PROCESS));
	}
	if (r)
		goto fail_nomem;
	for (size_t i = 0; i < ARRAY_SIZE(base_allow) && r == 0; i++)
		r = emit_rule(&b, &base_allow[i]);
	if (r == 0)
		r = emit_rule(&b, &kill_rule);
	if (r == 0)
		r = emit_rule(&b, &tgkill_rule);
	for (size_t i = 0; i < n_extra && r == 0; i++)
		r = emit_rule(&b, &extra[i]);
	if (r == 0)
		r = emit(&b, RET(SECCOMP_RET_KILL_PROCESS));
	if (r < 0) {
		free(b.v);
		return r;
	}
	if (b.n > BPF_MAXINSNS) {
		free(b.v);
		return -E2BIG;
	}
	*ret = b.v;
	*ret_len = b.n;
	return 0;
fail_nomem:
	free(b.v);
	return -ENOMEM;
}
#else
int cf_self_filter_build(const struct cf_self_allow *extra, size_t n_extra, pid_t child, pid_t self,
			 struct sock_filter **ret, size_t *ret_len)
{
	(void)extra, (void)n_extra, (void)child, (void)self, (void)ret, (void)ret_len;
	/* No allow-list written for this architecture: refuse rather than run unconfined. */
	return -EOPNOTSUPP;
}
#endif

/* The extension the ptrace supervisor of --explain/--complain needs (supervise.c and the
 * summary in cmd-explain.c): requests on its own tracees (never ATTACH/SEIZE/TRACEME, so it
 * cannot take a new process), reading their memory, /proc/TID/status, and --explain-out's
 * temp file + rename. The file calls are the remaining gap under --explain: a hijacked
 * parent could create or rename files as the caller's uid (without capabilities). */
static const struct cf_self_allow supervisor_allow[] = {
	{ .nr = SYS_ptrace,
	  .match = CF_SELF_ARG0_LO_NOT_IN,
	  .values = { PTRACE_ATTACH, PTRACE_SEIZE, PTRACE_TRACEME },
	  .n_values = 3 },
	{ .nr = SYS_process_vm_readv },
	{ .nr = SYS_openat }, /* /proc/TID/status */
	{ .nr = SYS_read },
	{ .nr = SYS_lseek },
};

/* --explain-out at the end (src/base/outfile.c: the temp file opened before the run is
 * linked, given the old file's mode and owner, synced and renamed over the target). This is
 * the remaining gap under --explain: a hijacked parent could link, rename or remove files as
 * the caller's uid, without capabilities. */
static const struct cf_self_allow outfile_allow[] = {
	{ .nr = SYS_linkat },
	{ .nr = SYS_geteuid },
	{ .nr = SYS_fchown },
	{ .nr = SYS_fchmod },
	{ .nr = SYS_fsync },
	{ .nr = SYS_renameat },
	{ .nr = SYS_unlinkat },
	/* the temp name when the O_TMPFILE cannot be linked by fd (needs CAP_DAC_READ_SEARCH) */
	{ .nr = SYS_getrandom },
};

const struct cf_self_allow *cf_self_supervisor_allow(size_t *ret_n)
{
	*ret_n = ARRAY_SIZE(supervisor_allow);
	return supervisor_allow;
}

/* The eBPF observer's parent side after the child starts (src/observe/observe.c): the ring
 * buffer is read from mapped memory, so draining makes no call; a path the kernel side did not
 * capture is read with process_vm_readv; the summary walks the count map with bpf(2) on fds it
 * already holds (map lookups need no capability). */
static const struct cf_self_allow observer_allow[] = {
	{ .nr = SYS_process_vm_readv },
	{ .nr = SYS_bpf,
	  .match = CF_SELF_ARG0_IN,
	  .values = { BPF_MAP_LOOKUP_ELEM, BPF_MAP_GET_NEXT_KEY },
	  .n_values = 2 },
};

/*
 * -t/--tty (pty.c): the parent relays between the caller's terminal and the command's pty.
 * Reading stdin, the master and the signalfd, waiting on all three (ppoll; poll where the ABI
 * has it), and four terminal requests: TIOCGWINSZ/TIOCSWINSZ to pass a window size on, and
 * TCGETS/TCSETSW to read the pty's EOF character and to restore the caller's terminal from raw
 * mode at the end. ioctl is pinned to those requests: TIOCSTI on the caller's terminal (its
 * controlling tty, so no capability is needed) is exactly what the pty keeps the command from,
 * and a hijacked parent must not get it back; the fd is not pinned (the relay's fds are
 * numbers known only after the filter is built, and these requests are harmless on any fd).
 * read(2) of the caller's terminal is what the relay does anyway.
 */
static const struct cf_self_allow pty_allow[] = {
	{ .nr = SYS_read },
	{ .nr = SYS_ppoll },
#ifdef SYS_poll
	{ .nr = SYS_poll },
#endif
	{ .nr = SYS_ioctl,
	  .match = CF_SELF_ARG1_LO_IN,
	  .values = { TIOCGWINSZ, TIOCSWINSZ, TCGETS, TCSETSW },
	  .n_values = 4 },
};

const struct cf_self_allow *cf_self_pty_allow(size_t *ret_n)
{
	*ret_n = ARRAY_SIZE(pty_allow);
	return pty_allow;
}

const struct cf_self_allow *cf_self_outfile_allow(size_t *ret_n)
{
	*ret_n = ARRAY_SIZE(outfile_allow);
	return outfile_allow;
}

const struct cf_self_allow *cf_self_observer_allow(size_t *ret_n)
{
	*ret_n = ARRAY_SIZE(observer_allow);
	return observer_allow;
}

static int drop_caps(uint64_t keep)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	bool can_setpcap;

	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	can_setpcap = data[0].effective & (1u << CAP_SETPCAP);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	if (can_setpcap) {
		for (int cap = 0; cap <= 63; cap++) {
			if (keep & (1ull << cap))
				continue;
			/* EINVAL: past the kernel's last capability */
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
				return -errno;
		}
	}
	for (int i = 0; i < 2; i++) {
		uint32_t k = (uint32_t)(keep >> (32 * i));

		data[i].permitted &= k;
		data[i].effective &= k;
		data[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

/* LeakSanitizer checks at exit from a clone()d, ptrace()ing thread, which the filter kills:
 * sanitizer builds check now (weak: absent in normal builds). */
extern void __lsan_do_leak_check(void) __attribute__((weak));

int cf_self_confine(const struct cf_self_confine_opts *o, const char **ret_stage)
{
	cleanup_free struct sock_filter *insns = NULL;
	size_t len = 0;
	int r;

	*ret_stage = "building the filter";
	r = cf_self_filter_build(o->extra, o->n_extra, o->child, getpid(), &insns, &len);
	if (r < 0)
		return r;
	*ret_stage = "prctl(PR_SET_DUMPABLE)";
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	*ret_stage = "dropping capabilities";
	r = drop_caps(o->keep_caps);
	if (r < 0)
		return r;
	if (__lsan_do_leak_check)
		__lsan_do_leak_check();
	/* what the report code reads from /proc later (explain's fixes): read it while open(2)
	 * still works; caps.c keeps it */
	(void)caps_last_kernel();
	*ret_stage = "installing the filter";
	r = cf_install_self_filter(insns, len);
	if (r < 0)
		return r;
	*ret_stage = NULL;
	return 0;
}
