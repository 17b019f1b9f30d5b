/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The live denial reporter of `callfence run --explain` / `--complain`: a ptrace supervisor for
 * the command and all its threads and descendants. The filter it runs under is the compiled one
 * with its RET K values rewritten (src/explain/rewrite.c); allowed calls never stop. Exec.c calls
 * the three hooks (child_wait in the child before the plan, attach after fork, reap on SIGCHLD);
 * reports go through src/explain/denials.h, the library prints nothing.
 *
 * Limits (why `run --explain` prefers the eBPF observer, src/observe/, and uses this only where
 * that cannot load, and `--complain` always): the rewrite to TRACE lowers the verdict's
 * precedence, so a USER_NOTIF filter the command installs itself outranks it and can run a
 * denied call; a child made with clone(CLONE_UNTRACED) is not attached, so its own tracer
 * decides its TRACE stops; and the command cannot ptrace its own children (strace, gdb).
 */
#include <stdbool.h>
#include <stddef.h>

#include <sys/types.h>

#include "base/macro.h"
#include "bpf/filter.h"
#include "explain/denials.h"

struct cf_supervisor;

/* -EINVAL (bad options), -ENOMEM, -errno of pipe2. */
CF_MUST_CHECK int cf_supervisor_new(const struct cf_denials_opts *o, struct cf_supervisor **ret);
struct cf_supervisor *cf_supervisor_free(struct cf_supervisor *s);
DEFINE_CLEANUP_FUNC(struct cf_supervisor *, cf_supervisor_free)

/* Child, before anything else: wait until the parent has attached; _exit(125) if it could not.
 * Async-signal-safe (read/close only). */
void cf_supervisor_child_wait(struct cf_supervisor *s);
/* Parent, right after fork: PTRACE_SEIZE the child, then let it go. -EPERM: ptrace refused. */
CF_MUST_CHECK int cf_supervisor_attach(struct cf_supervisor *s, pid_t pid);
/*
 * Parent, on SIGCHLD: handle every pending ptrace stop. Returns 1 when the command (the attached
 * pid) has ended and no traced descendant is left (*ret_status is the command's wait status),
 * 2 when the command entered a group-stop (job control), 0 otherwise, or -errno.
 */
CF_MUST_CHECK int cf_supervisor_reap(struct cf_supervisor *s, int *ret_status);

/* Distinct denials seen so far, and calls in total. */
size_t cf_supervisor_n_distinct(const struct cf_supervisor *s);
size_t cf_supervisor_n_calls(const struct cf_supervisor *s);

/*
 * The summary: each distinct denial once and the smallest verified fix set. ret_lines: the
 * report lines, joined with '\n' (text or JSON per the format). ret_profile (may be NULL): the
 * original profile plus the needed rules, Docker format; NULL is stored when no rule is needed.
 */
CF_MUST_CHECK int cf_supervisor_summary(struct cf_supervisor *s, const char *profile_out,
					char **ret_lines, char **ret_profile);
