// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kernel side of the denial observer of `run --explain` (user side: observe.c).
 *
 * Two ways to see a call seccomp skipped; user space loads one of them (observe.c picks the
 * first that loads and attaches, in this order):
 *
 * fexit on __seccomp_filter (kernel/seccomp.c): the function runs only for tasks that have a
 * filter, and returns -1 exactly when the call is skipped (ERRNO, TRAP, TRACE without a tracer,
 * a USER_NOTIF answered with an error, KILL_PROCESS, a tracer cancelling the call) with the
 * registers seccomp evaluated still in current's pt_regs (orig_ax, the arguments) and the value
 * the program gets in ax. No other task on the machine pays anything. When a tracer answers
 * PTRACE_EVENT_SECCOMP the function calls itself again (recheck_after_trace) and the outer
 * call returns what the inner one did: only the outer one (recheck false) is counted. The
 * return value and the recheck flag are read with bpf_get_func_ret/bpf_get_func_arg (the last
 * argument), not at fixed context slots, so they stay right where __seccomp_filter has another
 * number of arguments (older kernels also passed a seccomp_data pointer). Needs BPF trampolines
 * and those helpers (5.17); a kernel without them fails the load and gets sys_exit. Some
 * kernels refuse them (the Linux 6.18 this was developed on, in lockdown=integrity, answers
 * BPF_PROG_LOAD of every trampoline program with EPERM before the verifier runs).
 *
 * tp_btf/sys_exit (the fallback): seccomp runs in syscall_trace_enter (kernel/entry/common.c)
 * before trace_sys_enter, and a call it skips still leaves through syscall_exit_work, which
 * fires trace_sys_exit with the registers seccomp evaluated and the value the program gets. A
 * call OUR filter denies can never have run (the kernel takes the most severe verdict of all
 * filters), so sys_exit alone suffices: a failed call whose number our program may deny goes to
 * user space, which asks our program (the BPF simulator) about the exact seccomp_data. The cost
 * is the syscall-tracepoint slow path for EVERY task on the machine while it is attached
 * (syscall_regfunc sets SYSCALL_WORK_SYSCALL_TRACEPOINT on all threads): measured on 6.18 with
 * a program that returns at once, a getppid loop elsewhere costs 1.35x; see bench-explain.
 *
 * Both send a call only when its number is in the maybe_denied bitmap and its thread in the task
 * storage, as the same event (CF_OBS_SKIPPED), so user space cannot tell them apart; one
 * difference: a skip that returns 0 (ERRNO with errno 0) is seen by fexit only.
 * TRAP and KILL send SIGSYS through force_sig_seccomp (signal_generate, si_code SYS_SECCOMP)
 * after syscall_rollback: sys_exit then carries ret = nr >= 0 and is not sent; under fexit the
 * signal_generate program marks the thread (in_sigsys) and the fexit that follows skips the
 * call, so neither sends it twice. KILL_THREAD of one thread among several calls do_exit(SIGSYS)
 * inside __seccomp_filter with no signal: no fexit, no sys_exit, but sched_process_exit.
 * The sys_exit, signal and exit paths were checked on Linux 6.18 before this was written; the
 * fexit ones follow kernel/seccomp.c and could not be run there (no trampolines).
 *
 * Scope: only threads with an entry in the task storage: the command's first task (seeded by
 * the parent through a pidfd before the command runs its plan) and everything it and its
 * descendants create (sched_process_fork, threads included).
 */
/* clang-format off: vmlinux.h defines the types the libbpf headers use */
#include "vmlinux.h"
/* clang-format on */
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "observe/observe-event.h"

#define SIGSYS		  31
#define SYS_SECCOMP	  1
#define TS_COMPAT	  0x0002 /* arch/x86/include/asm/thread_info.h */
#define AUDIT_ARCH_X86_64 0xc000003eu
#define AUDIT_ARCH_I386	  0x40000003u

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct task_state {
	/* 1 + the number of the last call a SIGSYS event was sent for: the thread's exit after
	 * KILL_PROCESS (or KILL_THREAD of the last thread) is the same call, not a second one */
	__u32 sigsys_nr;
	/* a SIGSYS was just generated for the call in __seccomp_filter (TRAP, KILL): its fexit
	 * must not send it again as a skipped call */
	__u32 in_sigsys;
};

/* Written by user space before attach: which numbers our program may deny (observe.c). */
__u64 maybe_denied[CF_OBS_BITMAP_WORDS] = { 0 };

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_state);
} tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, CF_OBS_RINGBUF_SIZE);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CF_OBS_MAX_KEYS);
	__type(key, struct cf_obs_key);
	__type(value, __u64);
} counts SEC(".maps");

/* ring buffer full; counts map full (events then go out undeduplicated) */
__u64 lost = 0;
__u64 keys_full = 0;

static __always_inline __u32 task_arch(struct task_struct *t)
{
	/* in_ia32_syscall(): TS_COMPAT is set for the duration of an int $0x80 / 32-bit call */
	return (BPF_CORE_READ(t, thread_info.status) & TS_COMPAT) ? AUDIT_ARCH_I386 :
								    AUDIT_ARCH_X86_64;
}

static __always_inline void fill_args(struct cf_obs_event *e, struct pt_regs *regs)
{
	e->ip = BPF_CORE_READ(regs, ip);
	if (e->arch == AUDIT_ARCH_I386) {
		e->args[0] = (__u32)BPF_CORE_READ(regs, bx);
		e->args[1] = (__u32)BPF_CORE_READ(regs, cx);
		e->args[2] = (__u32)BPF_CORE_READ(regs, dx);
		e->args[3] = (__u32)BPF_CORE_READ(regs, si);
		e->args[4] = (__u32)BPF_CORE_READ(regs, di);
		e->args[5] = (__u32)BPF_CORE_READ(regs, bp);
		return;
	}
	e->args[0] = BPF_CORE_READ(regs, di);
	e->args[1] = BPF_CORE_READ(regs, si);
	e->args[2] = BPF_CORE_READ(regs, dx);
	e->args[3] = BPF_CORE_READ(regs, r10);
	e->args[4] = BPF_CORE_READ(regs, r8);
	e->args[5] = BPF_CORE_READ(regs, r9);
}

/* Count it; true when it is among the first events of its key and goes to the ring buffer. */
static __always_inline bool counted_first(__u32 kind, __u32 arch, __s32 nr, __s64 ret)
{
	struct cf_obs_key k = { .kind = kind, .arch = arch, .nr = nr, .ret = ret };
	__u64 one = 1, *c;

	c = bpf_map_lookup_elem(&counts, &k);
	if (c)
		return __sync_fetch_and_add(c, 1) < CF_OBS_EVENTS_PER_KEY;
	if (bpf_map_update_elem(&counts, &k, &one, BPF_NOEXIST) < 0) {
		c = bpf_map_lookup_elem(&counts, &k);
		if (c) /* another CPU added it */
			return __sync_fetch_and_add(c, 1) < CF_OBS_EVENTS_PER_KEY;
		__sync_fetch_and_add(&keys_full, 1);
	}
	return true;
}

static __always_inline void emit(__u32 kind, struct task_struct *t, __u32 arch, __s32 nr, __s64 ret,
				 __u32 data, struct pt_regs *regs)
{
	struct cf_obs_event *e;

	if (!counted_first(kind, arch, nr, kind == CF_OBS_SKIPPED ? ret : (__s64)data))
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return;
	}
	e->kind = kind;
	e->arch = arch;
	e->tid = BPF_CORE_READ(t, pid);
	e->tgid = BPF_CORE_READ(t, tgid);
	e->nr = nr;
	e->data = data;
	e->ret = ret;
	fill_args(e, regs);
	e->str_ok = 0;
	/* only the calling thread's memory can be read (signal_generate of force_sig_seccomp
	 * and sys_exit run in it; at sched_process_exit the mm may be gone: the read fails) */
	if (t == bpf_get_current_task_btf()) {
		for (int i = 0; i < CF_OBS_N_STR; i++)
			if (bpf_probe_read_user_str(e->str[i], sizeof(e->str[i]),
						    (const void *)e->args[i]) > 0)
				e->str_ok |= 1u << i;
	}
	bpf_ringbuf_submit(e, 0);
}

/* maybe_denied: may our program deny (arch, nr)? (numbers outside the bitmap: maybe) */
static __always_inline bool may_deny(__u32 arch, __s32 nr)
{
	__u32 bit = cf_obs_bit(arch, nr), idx;

	if (bit >= CF_OBS_BITS)
		return true;
	idx = bit / 64;
	/* hide the bound from clang so that the mask stays and the verifier sees the index in
	 * bounds (clang would drop it and index with an unbounded copy) */
	asm volatile("" : "+r"(idx));
	idx &= CF_OBS_BITMAP_WORDS - 1;
	return maybe_denied[idx] & (1ull << (bit % 64));
}

SEC("tp_btf/sys_exit")
int BPF_PROG(cf_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *t;
	__u32 arch;
	__s32 nr;

	/* most calls succeed: leave before anything else (this runs for every task) */
	if (ret >= 0)
		return 0;
	t = bpf_get_current_task_btf();
	arch = task_arch(t);
	nr = (__s32)BPF_CORE_READ(regs, orig_ax);
	if (!may_deny(arch, nr) || !bpf_task_storage_get(&tasks, t, NULL, 0))
		return 0;
	emit(CF_OBS_SKIPPED, t, arch, nr, ret, 0, regs);
	return 0;
}

SEC("fexit/__seccomp_filter")
int cf_seccomp_exit(__u64 *ctx)
{
	struct task_state *st;
	struct task_struct *t;
	struct pt_regs *regs;
	__u64 ret = 0, recheck = 1;
	__u32 n = (__u32)bpf_get_func_arg_cnt(ctx), arch;
	__s32 nr;

	/* most calls are allowed: leave before anything else (this runs for every call of
	 * every task with a seccomp filter) */
	if (bpf_get_func_ret(ctx, &ret) < 0 || (int)ret == 0)
		return 0;
	/* the inner call after a tracer's answer: the outer one returns the same */
	if (n == 0 || bpf_get_func_arg(ctx, n - 1, &recheck) < 0 || (recheck & 0xff))
		return 0;
	t = bpf_get_current_task_btf();
	st = bpf_task_storage_get(&tasks, t, NULL, 0);
	if (!st)
		return 0;
	if (st->in_sigsys) {
		st->in_sigsys = 0;
		return 0;
	}
	regs = (struct pt_regs *)bpf_task_pt_regs(t);
	arch = task_arch(t);
	nr = (__s32)BPF_CORE_READ(regs, orig_ax);
	if (!may_deny(arch, nr))
		return 0;
	emit(CF_OBS_SKIPPED, t, arch, nr, (__s64)BPF_CORE_READ(regs, ax), 0, regs);
	return 0;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(cf_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	struct task_state *st;

	if (sig != SIGSYS)
		return 0;
	st = bpf_task_storage_get(&tasks, task, NULL, 0);
	if (!st || BPF_CORE_READ(info, si_code) != SYS_SECCOMP)
		return 0;
	st->sigsys_nr = (__u32)BPF_CORE_READ(info, _sifields._sigsys._syscall) + 1;
	/* force_sig_seccomp runs in the calling thread, inside __seccomp_filter */
	if (task == bpf_get_current_task_btf())
		st->in_sigsys = 1;
	emit(CF_OBS_SIGSYS, task, BPF_CORE_READ(info, _sifields._sigsys._arch),
	     BPF_CORE_READ(info, _sifields._sigsys._syscall), 0, BPF_CORE_READ(info, si_errno),
	     (struct pt_regs *)bpf_task_pt_regs(task));
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(cf_fork, struct task_struct *parent, struct task_struct *child)
{
	if (!bpf_task_storage_get(&tasks, parent, NULL, 0))
		return 0;
	(void)bpf_task_storage_get(&tasks, child, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(cf_exit, struct task_struct *p)
{
	struct task_state *st = bpf_task_storage_get(&tasks, p, NULL, 0);
	struct pt_regs *regs;

	if (!st)
		return 0;
	/* a thread killed by SIGSYS without a signal sent to it (KILL_THREAD of one thread
	 * among several); user space reports it only when our program kills orig_ax */
	regs = (struct pt_regs *)bpf_task_pt_regs(p);
	if ((BPF_CORE_READ(p, exit_code) & 0x7f) == SIGSYS &&
	    st->sigsys_nr != (__u32)BPF_CORE_READ(regs, orig_ax) + 1) {
		emit(CF_OBS_EXIT_SIGSYS, p, task_arch(p), (__s32)BPF_CORE_READ(regs, orig_ax), 0, 0,
		     regs);
	}
	bpf_task_storage_delete(&tasks, p);
	return 0;
}
