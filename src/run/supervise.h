/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The live denial reporter of `callfence run --explain` / `--complain`: a ptrace supervisor for
 * the command and all its threads and descendants. The filter it runs under is the compiled one
 * with its RET K values rewritten (src/explain/rewrite.c); allowed calls never stop. Exec.c calls
 * the three hooks (child_wait in the child before the plan, attach after fork, reap on SIGCHLD);
 * reports go to a callback, the library prints nothing.
 */
#include <stdbool.h>
#include <stddef.h>

#include <sys/types.h>

#include "base/macro.h"
#include "bpf/filter.h"
#include "explain/explain.h"

enum cf_supervise_mode {
	CF_SUPERVISE_EXPLAIN, /* denials keep their exact result, each is reported */
	CF_SUPERVISE_COMPLAIN, /* denials are reported, then the call runs */
};

enum cf_supervise_format {
	CF_SUPERVISE_TEXT,
	CF_SUPERVISE_JSON, /* one JSON object per line */
};

/* One line of output (no trailing newline). */
typedef void (*cf_supervise_report_fn)(void *userdata, const char *line);

struct cf_supervise_opts {
	enum cf_supervise_mode mode;
	enum cf_supervise_format format;
	const struct cf_explain_ctx *ctx; /* borrowed; must outlive the supervisor */
	const struct cf_bpf_prog *prog; /* the original (not rewritten) program, borrowed */
	cf_supervise_report_fn report;
	void *userdata;
};

struct cf_supervisor;

/* -EINVAL (bad options), -ENOMEM, -errno of pipe2. */
CF_MUST_CHECK int cf_supervisor_new(const struct cf_supervise_opts *o, struct cf_supervisor **ret);
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
