// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kernel side of the eBPF recorder of `callfence record` (user side: record-ebpf.c, shared
 * structs: record-event.h).
 *
 * tp_btf/sys_enter (trace_sys_enter in kernel/entry/common.c syscall_trace_enter, after
 * seccomp, with the number as the task passed it: x32 keeps __X32_SYSCALL_BIT, an int $0x80
 * call runs with TS_COMPAT): for a task of the tree, count the call in a per-CPU array and set
 * its bit in `seen`; only the first call of each (ABI, number) goes to user space (the ring
 * buffer, for provenance), so the cost per call is a task-storage lookup, a per-CPU increment and
 * a bitmap test, whatever the call count. Calls in the watch list (the base profile decides them
 * by argument) also keep each distinct masked argument vector in a bounded hash map (overflow
 * marked per call in `tuple_full`: synth then keeps the base's own conditions). The bitmaps and
 * maps are the recording (user space reads them whole after the run); events only name who.
 *
 * tp_btf/sys_exit: a return >= 0 sets the call's bit in `ok` (exit and exit_group never return:
 * set at entry). A successful execve returns 0 here, in the new program.
 *
 * tp_btf/cap_capable (security/commoncap.c cap_capable, every capability check, whichever LSM
 * asked): for the tree, the capability goes into caps_used, and into caps_denied when refused.
 *
 * Scope: BPF task storage, seeded by the parent through a pidfd for the command's first task
 * before it runs its first step, copied at sched_process_fork (threads and processes: the
 * tracepoint fires in kernel_clone before the new task can run, so a child living microseconds
 * is tracked), deleted at sched_process_exit. Recording starts at the launcher's execve of the
 * command (`armed`, inherited): callfence's own setup calls are not the command's.
 */
/* clang-format off: vmlinux.h defines the types the libbpf headers use */
#include "vmlinux.h"
/* clang-format on */
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "observe/record-event.h"

#define TS_COMPAT	   0x0002 /* arch/x86/include/asm/thread_info.h */
#define NR_EXECVE	   59
#define NR_EXIT		   60
#define NR_EXIT_GROUP	   231
#define NR_I386_EXIT	   1
#define NR_I386_EXIT_GROUP 252

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct rec_task {
	__u32 armed;
	/* 1 + the bit of the call in progress: at sys_exit orig_ax may be gone (rt_sigreturn
	 * restores it as -1), the entry's number is what the call was */
	__u32 bit1;
};

/* Functions that ask cap_capable with CAP_OPT_NOAUDIT (a probe, not a use: e.g.
 * cap_vm_enough_memory asks for CAP_SYS_ADMIN on every accounted mapping (inlined into
 * security_vm_enough_memory_mm on 6.18: seen on the stack of an execve's stack vma), seccomp's filter
 * install asks ns_capable_noaudit); the tracepoint does not carry the option, so the kernel
 * stack is compared with their address ranges (from /proc/kallsyms, written by user space). */
__u64 noaudit_lo[CF_REC_NOAUDIT] = { 0 };
__u64 noaudit_hi[CF_REC_NOAUDIT] = { 0 };

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct rec_task);
} rtasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, CF_REC_RINGBUF);
} revents SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CF_REC_BITS_P2);
	__type(key, __u32);
	__type(value, __u64);
} rcounts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CF_REC_OTHERS); /* preallocated: an insert never fails for memory */
	__type(key, struct cf_rec_other_key);
	__type(value, __u64);
} rothers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CF_REC_TUPLES);
	/* allocated as vectors come (not 8192 elements at every start); a failed insert marks
	 * tuple_full, and synth keeps the base's own condition: never looser */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct cf_rec_tuple_key);
	__type(value, __u8);
} rtuples SEC(".maps");

/* written by user space before attach: the watched argument mask per bit */
__u8 watch[CF_REC_BITS_P2] = { 0 };
/* read by user space after the run (the skeleton maps .bss) */
__u64 seen[CF_REC_WORDS] = { 0 };
__u64 ok[CF_REC_WORDS] = { 0 };
__u64 tuple_full[CF_REC_WORDS] = { 0 };
__u64 caps_used = 0;
__u64 caps_denied = 0;
__u64 lost = 0; /* ring buffer full */
__u64 untracked = 0; /* a new task whose storage could not be allocated */
__u64 others_full = 0;

static __always_inline __u32 task_arch(struct task_struct *t)
{
	/* in_ia32_syscall(): TS_COMPAT is set for the duration of an int $0x80 / 32-bit call */
	/* a BTF pointer: a direct load (CO-RE relocated), no probe-read helper on every call */
	return (t->thread_info.status & TS_COMPAT) ? CF_REC_I386 : CF_REC_X86_64;
}

/* hide the bound from clang so that the mask stays and the verifier sees the index in bounds */
static __always_inline __u32 bounded(__u32 v, __u32 p2)
{
	asm volatile("" : "+r"(v));
	return v & (p2 - 1);
}

static __always_inline bool set_bit(__u64 *map, __u32 bit)
{
	__u32 w = bounded(bit / 64, CF_REC_WORDS);
	__u64 m = 1ull << (bit % 64);

	if (map[w] & m)
		return false;
	return !(__sync_fetch_and_or(&map[w], m) & m);
}

static __always_inline void fill_args(__u64 *a, struct pt_regs *regs, __u32 arch)
{
	if (arch == CF_REC_I386) {
		a[0] = (__u32)BPF_CORE_READ(regs, bx);
		a[1] = (__u32)BPF_CORE_READ(regs, cx);
		a[2] = (__u32)BPF_CORE_READ(regs, dx);
		a[3] = (__u32)BPF_CORE_READ(regs, si);
		a[4] = (__u32)BPF_CORE_READ(regs, di);
		a[5] = (__u32)BPF_CORE_READ(regs, bp);
		return;
	}
	a[0] = BPF_CORE_READ(regs, di);
	a[1] = BPF_CORE_READ(regs, si);
	a[2] = BPF_CORE_READ(regs, dx);
	a[3] = BPF_CORE_READ(regs, r10);
	a[4] = BPF_CORE_READ(regs, r8);
	a[5] = BPF_CORE_READ(regs, r9);
}

static __always_inline void send(struct task_struct *t, __u32 arch, __s32 nr)
{
	struct cf_rec_event *e = bpf_ringbuf_reserve(&revents, sizeof(*e), 0);
	const unsigned char *name;

	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return;
	}
	e->arch = arch;
	e->nr = nr;
	e->tgid = BPF_CORE_READ(t, tgid);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	name = BPF_CORE_READ(t, mm, exe_file, f_path.dentry, d_name.name);
	if (!name || bpf_probe_read_kernel_str(e->exe, sizeof(e->exe), name) < 0)
		e->exe[0] = 0;
	bpf_ringbuf_submit(e, 0);
}

static __always_inline void other_call(struct task_struct *t, __u32 arch, __s32 nr)
{
	struct cf_rec_other_key k = { .arch = arch, .nr = nr };
	__u64 one = 1, *c = bpf_map_lookup_elem(&rothers, &k);

	if (c) {
		__sync_fetch_and_add(c, 1);
		return;
	}
	if (bpf_map_update_elem(&rothers, &k, &one, BPF_NOEXIST) == 0) {
		send(t, arch, nr);
		return;
	}
	c = bpf_map_lookup_elem(&rothers, &k);
	if (c) /* another CPU added it */
		__sync_fetch_and_add(c, 1);
	else
		__sync_fetch_and_add(&others_full, 1);
}

static __always_inline void watched(struct pt_regs *regs, __u32 arch, __u32 bit, __u8 mask)
{
	struct cf_rec_tuple_key k = { .bit = bit };
	__u8 one = 1;
	long r;

	fill_args(k.args, regs, arch);
	for (int i = 0; i < 6; i++)
		if (!(mask & (1u << i)))
			k.args[i] = 0;
	/* the map is the record: user space reads it whole after the run (no event to lose) */
	r = bpf_map_update_elem(&rtuples, &k, &one, BPF_NOEXIST);
	if (r != 0 && r != -17 /* EEXIST: seen */)
		set_bit(tuple_full, bit);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(cf_rec_enter, struct pt_regs *regs, long id)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct rec_task *st = bpf_task_storage_get(&rtasks, t, NULL, 0);
	__u32 arch, bit, key;
	__s32 nr = (__s32)id;
	__u64 *c;
	__u8 mask;

	if (!st)
		return 0;
	arch = task_arch(t);
	if (!st->armed) {
		/* the launcher's execve of the command (install.c: the plan's last step) */
		if (arch != CF_REC_X86_64 || nr != NR_EXECVE)
			return 0;
		st->armed = 1;
	}
	bit = cf_rec_bit(arch, nr);
	if (bit >= CF_REC_BITS) {
		st->bit1 = 0;
		other_call(t, arch, nr);
		return 0;
	}
	st->bit1 = bit + 1;
	key = bit;
	c = bpf_map_lookup_elem(&rcounts, &key);
	if (c)
		*c += 1;
	if (set_bit(seen, bit))
		send(t, arch, nr);
	/* exit and exit_group never return to sys_exit: they succeed by ending */
	if (arch == CF_REC_I386 ? nr == NR_I386_EXIT || nr == NR_I386_EXIT_GROUP :
				  ((__u32)nr & ~(__u32)CF_REC_X32_BIT) == NR_EXIT ||
					  ((__u32)nr & ~(__u32)CF_REC_X32_BIT) == NR_EXIT_GROUP)
		set_bit(ok, bit);
	mask = watch[bounded(bit, CF_REC_BITS_P2)];
	if (mask)
		watched(regs, arch, bit, mask);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(cf_rec_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *t;
	struct rec_task *st;
	__u32 bit1;

	if (ret < 0)
		return 0;
	t = bpf_get_current_task_btf();
	st = bpf_task_storage_get(&rtasks, t, NULL, 0);
	if (!st || !st->armed)
		return 0;
	bit1 = st->bit1;
	st->bit1 = 0;
	if (bit1 > 0 && bit1 <= CF_REC_BITS)
		set_bit(ok, bit1 - 1);
	return 0;
}

SEC("tp_btf/cap_capable")
int BPF_PROG(cf_rec_cap, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct rec_task *st = bpf_task_storage_get(&rtasks, t, NULL, 0);
	__u64 m, ips[16] = { 0 };
	long n;

	if (!st || !st->armed || cap < 0 || cap > 63)
		return 0;
	n = bpf_get_stack(ctx, ips, sizeof(ips), 0);
	for (int i = 0; i < 16; i++) {
		if (i * 8 >= n)
			break;
		for (int j = 0; j < CF_REC_NOAUDIT; j++)
			if (ips[i] >= noaudit_lo[j] && ips[i] < noaudit_hi[j])
				return 0;
	}
	m = 1ull << cap;
	if (!(caps_used & m))
		__sync_fetch_and_or(&caps_used, m);
	if (ret != 0 && !(caps_denied & m))
		__sync_fetch_and_or(&caps_denied, m);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(cf_rec_fork, struct task_struct *parent, struct task_struct *child)
{
	struct rec_task *p = bpf_task_storage_get(&rtasks, parent, NULL, 0), *c;

	if (!p)
		return 0;
	c = bpf_task_storage_get(&rtasks, child, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c) {
		__sync_fetch_and_add(&untracked, 1);
		return 0;
	}
	c->armed = p->armed;
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(cf_rec_task_exit, struct task_struct *p)
{
	bpf_task_storage_delete(&rtasks, p);
	return 0;
}
