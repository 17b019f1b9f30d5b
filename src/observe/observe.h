/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The eBPF denial observer of `run --explain`: the command runs under exactly the program a
 * plain run installs, and the kernel tells us which of its calls were skipped or killed
 * (observe.bpf.c). Reports go through src/explain/denials.h, the same lines as the ptrace
 * supervisor's. Needs a kernel with BTF and CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN); the
 * caller falls back to the ptrace supervisor when cf_observer_new fails.
 */
#include <sys/types.h>

#include "base/macro.h"
#include "explain/denials.h"
#include "run/run.h"

struct cf_observer;

/*
 * Load and attach the programs (they see nobody until attach). Errors, with a short reason in
 * *ret_why: -EOPNOTSUPP (built without the observer: -Dobserver), -ENOENT (no kernel BTF),
 * -EPERM (not privileged for BPF), other -errno from libbpf, -ENOMEM.
 */
CF_MUST_CHECK int cf_observer_new(const struct cf_denials_opts *o, struct cf_observer **ret,
				  const char **ret_why);
struct cf_observer *cf_observer_free(struct cf_observer *ob);
DEFINE_CLEANUP_FUNC(struct cf_observer *, cf_observer_free)

/* The hooks cf_run_exec_observed calls (child_wait, attach = track the child's tree, drain). */
void cf_observer_hooks(struct cf_observer *ob, struct cf_run_observer *ret);

/* Drain once more, add the in-kernel counts and the lost events, then cf_denials_summary. */
CF_MUST_CHECK int cf_observer_summary(struct cf_observer *ob, const char *profile_out,
				      char **ret_lines, char **ret_profile);
