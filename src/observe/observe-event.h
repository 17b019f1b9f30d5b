/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What the kernel side of the observer (observe.bpf.c) hands to the user side (observe.c) through
 * its ring buffer. Shared by both, so only fixed-size kernel types: the BPF side includes
 * vmlinux.h, the user side <linux/types.h>.
 */

enum cf_obs_kind {
	/* a call that failed with a number our program may deny: the kernel's seccomp_data is
	 * in nr/arch/args, ret is what the program got */
	CF_OBS_SKIPPED = 1,
	/* a SIGSYS with si_code SYS_SECCOMP (force_sig_seccomp: TRAP, KILL_THREAD of the last
	 * thread, KILL_PROCESS); data is si_errno, the RET_DATA of the deciding filter */
	CF_OBS_SIGSYS = 2,
	/* a thread ended by do_exit(SIGSYS) outside a syscall it entered: KILL_THREAD of one
	 * thread among several, which sends no signal (kernel/seccomp.c __seccomp_filter) */
	CF_OBS_EXIT_SIGSYS = 3,
};

#define CF_OBS_N_STR	4
#define CF_OBS_STR_SIZE 160

struct cf_obs_event {
	__u32 kind; /* enum cf_obs_kind */
	__u32 arch; /* AUDIT_ARCH_* as seccomp_data.arch */
	__s32 tid;
	__s32 tgid;
	__s32 nr;
	__u32 data;
	__s64 ret;
	__u64 ip;
	__u64 args[6];
	/* args 0..3 read as strings at the time of the call (the process may be gone when user
	 * space prints the path argument): str_ok bit i when str[i] holds a string */
	__u32 str_ok;
	__u32 pad;
	char str[CF_OBS_N_STR][CF_OBS_STR_SIZE];
};

/* In-kernel deduplication: per key, the first CF_OBS_EVENTS_PER_KEY events go to the ring buffer,
 * every one is counted. */
struct cf_obs_key {
	__u32 kind;
	__u32 arch;
	__s32 nr;
	__u32 pad;
	__s64 ret; /* SKIPPED: the return value; SIGSYS kinds: data */
};

#define CF_OBS_EVENTS_PER_KEY 32
#define CF_OBS_MAX_KEYS	      4096
#define CF_OBS_RINGBUF_SIZE   (1024 * 1024)

/*
 * maybe_denied bitmap: per ABI 1024 numbers; a number outside is always sent (the ENOSYS stub
 * and the rest of the number space are decided by our program in user space).
 */
#define CF_OBS_NR_SPAN	    1024
#define CF_OBS_BITS	    (3 * CF_OBS_NR_SPAN)
#define CF_OBS_X32_BIT	    0x40000000
#define CF_OBS_BITMAP_WORDS 64 /* a power of two >= CF_OBS_BITS / 64 */

static inline __u32 cf_obs_bit(__u32 arch, __s32 nr)
{
	__u32 abi = arch == 0x40000003u ? 2 : ((__u32)nr & CF_OBS_X32_BIT) ? 1 : 0;
	__u32 n = (__u32)nr & ~(__u32)CF_OBS_X32_BIT;

	return n < CF_OBS_NR_SPAN ? abi * CF_OBS_NR_SPAN + n : CF_OBS_BITS;
}
