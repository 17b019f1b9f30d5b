/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What the kernel side of the eBPF recorder (record.bpf.c) shares with its user side
 * (record-ebpf.c). Fixed-size kernel types only: the BPF side includes vmlinux.h, the user side
 * <linux/types.h>.
 *
 * Calls are indexed by a bit number: ABI * CF_REC_NR_SPAN + number (ABI 0 x86_64, 1 x32 with
 * __X32_SYSCALL_BIT stripped, 2 i386). Numbers outside the span (syscall(5000), -1) go to a
 * small hash map instead.
 */

#define CF_REC_NR_SPAN	1024
#define CF_REC_BITS	(3 * CF_REC_NR_SPAN)
#define CF_REC_BITS_P2	4096 /* a power of two >= CF_REC_BITS, for the verifier's bounds */
#define CF_REC_WORDS	(CF_REC_BITS_P2 / 64)
#define CF_REC_X32_BIT	0x40000000
#define CF_REC_I386	0x40000003u /* AUDIT_ARCH_I386 */
#define CF_REC_X86_64	0xc000003eu /* AUDIT_ARCH_X86_64 */
#define CF_REC_OTHERS	256 /* distinct out-of-span numbers counted */
#define CF_REC_TUPLES	8192 /* distinct (call, masked arguments) in the kernel's dedup map */
#define CF_REC_RINGBUF	(1024 * 1024)
#define CF_REC_EXE_SIZE 64
#define CF_REC_NOAUDIT	6 /* capability probes told apart by the kernel stack (record.bpf.c) */

/* The first call of (arch, nr) in the tree: provenance only. What was called is the kernel's
 * bitmaps and maps (`seen`, rothers, rtuples), read whole after the run: an event the ring
 * could not take costs an origin ("?"), never a call or an argument vector. */
struct cf_rec_event {
	__u32 arch; /* AUDIT_ARCH_* */
	__s32 nr; /* x32: with the x32 bit */
	__s32 tgid;
	char comm[16];
	char exe[CF_REC_EXE_SIZE]; /* last component of the executable's path, as the kernel had it */
};

struct cf_rec_other_key {
	__u32 arch;
	__s32 nr;
};

struct cf_rec_tuple_key {
	__u32 bit;
	__u32 pad;
	__u64 args[6];
};

static inline __u32 cf_rec_bit(__u32 arch, __s32 nr)
{
	__u32 abi = arch == CF_REC_I386 ? 2 : ((__u32)nr & CF_REC_X32_BIT) ? 1 : 0;
	__u32 n = abi == 1 ? (__u32)nr & ~(__u32)CF_REC_X32_BIT : (__u32)nr;

	return n < CF_REC_NR_SPAN ? abi * CF_REC_NR_SPAN + n : CF_REC_BITS;
}
