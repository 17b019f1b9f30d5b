/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Classic-BPF building blocks shared by the compiler, assembler, verifier and disassembler. */
#include <stddef.h>
#include <stdint.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#define CF_BPF_MAXINSNS 4096u /* kernel BPF_MAXINSNS */
#define CF_BPF_JMP_MAX	255u /* jt/jf are 8 bits */

/* struct seccomp_data layout (the same on every ABI). */
#define CF_OFF_NR	   0u
#define CF_OFF_ARCH	   4u
#define CF_OFF_IP	   8u
#define CF_OFF_ARG(i)	   (16u + 8u * (unsigned)(i))
#define CF_SECCOMP_DATA_SZ 64u

/* x32 syscalls carry this bit in seccomp_data.nr (kernel __X32_SYSCALL_BIT). */
#define CF_X32_SYSCALL_BIT 0x40000000u

static inline struct sock_filter cf_insn(uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	struct sock_filter f = { .code = code, .jt = jt, .jf = jf, .k = k };

	return f;
}
