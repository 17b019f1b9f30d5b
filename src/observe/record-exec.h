/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Recording what a command does (`callfence record`): run it exactly as `callfence run` would
 * and fill a struct cf_recording (recording.h) with the system calls of its whole process tree,
 * the capabilities the kernel checked for it, and the argument vectors of the calls the base
 * profile decides by argument.
 *
 * Two observers fill the same struct (a test compares them field by field):
 *  - eBPF (src/observe/record.bpf.c + record-ebpf.c): programs on the sys_enter, sys_exit,
 *    cap_capable and scheduler tracepoints, scoped by BPF task storage to the command's tree,
 *    deduplicating in the kernel (a bitmap per ABI), so the cost does not grow with the call
 *    count. Needs kernel BTF and CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN).
 *  - ptrace (src/observe/record-ptrace.c): PTRACE_SYSCALL on every thread of the tree; works
 *    for an unprivileged caller (the command is our own child); cannot see capability checks
 *    (caps_observed false). Slow: two stops per call.
 *
 * What is recorded: every call from the command's execve on (the plan's last step: the calls
 * the launcher makes before it are callfence's, see `--for callfence` in rec-cli), in every
 * thread and descendant, including numbers the kernel does not know (ENOSYS).
 */
#include "base/macro.h"
#include "record/recording.h"
#include "run/run.h"

enum cf_rec_backend {
	CF_REC_BACKEND_AUTO,
	CF_REC_BACKEND_EBPF,
	CF_REC_BACKEND_PTRACE,
};

/* "ebpf", "ptrace", "auto"; NULL for an unknown value */
const char *cf_rec_backend_name(enum cf_rec_backend b);

/*
 * Run the plan's command exactly as `run` would (same caps, user, NNP, exit status, stdio
 * untouched, the parent confines itself, the tty guard filter installed) except that the
 * plan's seccomp program is observed, not enforced (a RET_ALLOW program takes its place, so
 * the plan must be built with the profile's program: its position and the guard depend on
 * it). Fills *ret (cleared first) and *result (as cf_run_exec).
 *
 * AUTO: eBPF, else ptrace with *ret_fallback_why set to one short reason (the CLI says it
 * once); NULL when eBPF was used. EBPF: no fallback, *ret_fallback_why says why it failed.
 * opts may be NULL (no argument watch).
 *
 * Errors before the command starts: -EOPNOTSUPP (a plan with a listener: NOTIFY profiles are
 * not recorded; eBPF asked for and not built in), -ENOENT (EBPF: no kernel BTF), -EPERM
 * (EBPF: not privileged for BPF; ptrace refused), -ENOMEM, other -errno of libbpf or fork.
 * After the start, result->exit_code is the command's and the recording is complete unless
 * ret->lost != 0.
 */
CF_MUST_CHECK int cf_record_exec(const struct cf_plan *plan, enum cf_rec_backend backend,
				 const struct cf_rec_opts *opts, struct cf_recording *ret,
				 struct cf_run_result *result, const char **ret_fallback_why);
