/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * `callfence inspect PID`: the seccomp filters a running process is under, whoever installed
 * them, read back from the kernel (PTRACE_SECCOMP_GET_FILTER), checked with our verifier and
 * decompiled into the verdict each syscall of each ABI gets from the whole stack, with the
 * kernel's precedence (kernel/seccomp.c seccomp_run_filters: every filter runs, the lowest
 * action as a signed value wins, KILL_PROCESS < KILL_THREAD < TRAP < ERRNO < USER_NOTIF <
 * TRACE < LOG < ALLOW; between equal actions the most recently installed filter's data wins).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/filter.h>
#include <sys/types.h>

#include "arch/arch.h"
#include "base/diag.h"
#include "base/macro.h"

struct cf_inspect_filter {
	struct sock_filter *insns;
	size_t len;
	char origin[128]; /* what produced it, when recognized ("callfence builtin"); "" if not */
};

struct cf_inspect_filters {
	int mode; /* /proc/PID/status "Seccomp:": 0 none, 1 strict, 2 filter */
	struct cf_inspect_filter *f; /* index 0 = installed first (the kernel's order) */
	size_t n;
};
void cf_inspect_filters_clear(struct cf_inspect_filters *fs);

/*
 * Read the filters of thread PID. Only reads: PTRACE_SEIZE (no options), PTRACE_INTERRUPT, the
 * filters, PTRACE_DETACH re-injecting a signal that arrived meanwhile; a process in group-stop
 * stays stopped, a running one runs on (ptrace_unlink restores the group-stop). Errors, with
 * reterr saying why and what to do: -ESRCH (no such process, or it exited), -EBUSY (already
 * traced), -EPERM (callfence lacks CAP_SYS_ADMIN, or runs under seccomp itself: the kernel
 * hands filters only to an unconfined CAP_SYS_ADMIN tracer; or ptrace access is refused),
 * -EOPNOTSUPP (kernel without CONFIG_CHECKPOINT_RESTORE), -EMEDIUMTYPE, -ENOMEM.
 */
CF_MUST_CHECK int cf_inspect_fetch(pid_t pid, struct cf_inspect_filters *ret,
				   struct cf_diag *reterr);

/* The verdict a syscall gets from the whole stack. */
struct cf_inspect_verdict {
	enum cf_arch arch;
	int nr; /* seccomp_data.nr (x32: with the x32 bit) */
	const char *name;
	uint32_t ret; /* with every argument and the instruction pointer 0 */
	bool conditional; /* another argument/ip value gets another verdict */
	uint32_t other[4]; /* up to 4 of those other verdicts */
	unsigned n_other;
};

struct cf_inspect_report {
	enum cf_arch arches[4]; /* the ABIs a process of this build may call with */
	size_t n_arches;
	struct cf_inspect_verdict *v; /* every named syscall of each ABI, in table order */
	size_t n;
};
void cf_inspect_report_clear(struct cf_inspect_report *rep);

/*
 * Verify each program (-EINVAL + diag naming the filter and instruction: the kernel accepted
 * it, so a refusal means our verifier and the kernel disagree, and no verdict is printed) and
 * decide every named syscall of every ABI. Conditionality: each program's argument tests are
 * explored path by path (nr and arch known, argument words constrained by the tests on the
 * path); every satisfiable path gives a concrete seccomp_data, which the simulator runs through
 * the whole stack. So "conditional" is never a guess: two concrete inputs disagree.
 */
CF_MUST_CHECK int cf_inspect_analyze(const struct cf_inspect_filters *fs,
				     struct cf_inspect_report *ret, struct cf_diag *reterr);

/* The kernel's precedence: the verdict of the stack from each filter's return value. */
uint32_t cf_inspect_combine(const uint32_t *rets, size_t n);
/* "SCMP_ACT_ERRNO" etc. for a return value; an action the kernel does not know kills the
 * process (kernel/seccomp.c __seccomp_filter, default case). errno: data for ERRNO (clamped to
 * MAX_ERRNO like the kernel), TRACE and TRAP; 0 otherwise. */
const char *cf_inspect_action_name(uint32_t ret, uint32_t *ret_errno);

/*
 * Name a program callfence itself would install on this host: its terminal guard (the parent
 * pid is read back), or the builtin profile for Docker's default capabilities, each default
 * plus one more capability, or every capability. Fills origin (or "" when unknown).
 */
CF_MUST_CHECK int cf_inspect_recognize(const struct sock_filter *insns, size_t len, char *origin,
				       size_t size);
