/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Running one command confined like a Docker container (no namespaces, no daemon):
 * credentials (--user), capabilities, no-new-privileges and the seccomp filter, applied in runc's
 * order, then execve.
 *
 * Everything the launcher does after the filter is installed is a fixed list of raw syscalls, a
 * "plan", built in the parent before fork. The child runs exactly those syscalls with exactly
 * those arguments (the plan lives at the same address in parent and child), and the preflight
 * runs the same list through the BPF simulator first. So a profile that would stop the launcher
 * is refused before anything starts, instead of failing in the child with a bare EPERM.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/capability.h>
#include <linux/filter.h>
#include <sys/types.h>

#include "base/diag.h"
#include "base/macro.h"
#include "bpf/filter.h"
#include "caps/caps.h"

/* ------------------------------------------------------------------------------------------- */
/* creds.c: --user, resolved like moby (daemon/oci_linux.go getUser) + runc (setupUser) */

#define CF_CREDS_MAX_GROUPS 65536u

struct cf_creds {
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* setgroups list: the primary gid first, then /etc/group memberships */
	size_t n_groups;
	char *home; /* passwd home of uid, "/" without an entry (runc getUserHome) */
};

/*
 * Resolve "user[:group]" (names or numbers) against passwd/group files (NULL: /etc/passwd,
 * /etc/group). Errors: -ENOENT (no such user/group name; diag filled), -ERANGE (id outside
 * 0..2^31-1), -EINVAL (empty spec), -ENOMEM, -E2BIG (too many groups).
 */
CF_MUST_CHECK int cf_creds_lookup(const char *spec, const char *passwd_path, const char *group_path,
				  struct cf_creds *ret, struct cf_diag *reterr);
void cf_creds_clear(struct cf_creds *c);
/* The passwd home of uid ("/" when there is none, as runc); malloc'd. */
CF_MUST_CHECK int cf_user_home(uid_t uid, const char *passwd_path, char **ret);

/* ------------------------------------------------------------------------------------------- */
/* The plan: what the child does from the first privileged step to execve */

enum cf_step_kind {
	CF_STEP_NO_NEW_PRIVS, /* prctl(PR_SET_NO_NEW_PRIVS, 1) */
	CF_STEP_SECCOMP, /* seccomp(SECCOMP_SET_MODE_FILTER, flags, prog) */
	CF_STEP_BOUNDING, /* prctl(PR_CAPBSET_DROP, cap) */
	CF_STEP_KEEPCAPS, /* prctl(PR_SET_KEEPCAPS, 1) */
	CF_STEP_SETGROUPS,
	CF_STEP_SETGID,
	CF_STEP_SETUID,
	CF_STEP_CLEAR_KEEPCAPS, /* prctl(PR_SET_KEEPCAPS, 0) */
	CF_STEP_CAPSET, /* effective = permitted = the set, inheritable (and ambient) empty */
	CF_STEP_EXECVE,
};

struct cf_step {
	enum cf_step_kind kind;
	long nr; /* native syscall number */
	uint64_t args[6];
	char what[96]; /* "drop CAP_SYS_ADMIN from the bounding set" */
};

#define CF_PLAN_MAX_STEPS 96

struct cf_plan {
	struct cf_step steps[CF_PLAN_MAX_STEPS];
	size_t n_steps;
	/* Index of the seccomp step; n_steps when no filter is installed. */
	size_t seccomp_step;
	bool no_new_privileges;

	/* Memory the steps point to: stable, identical in the child after fork. */
	struct sock_fprog fprog;
	struct __user_cap_header_struct cap_hdr;
	struct __user_cap_data_struct cap_data[2];
	gid_t *groups;
	size_t n_groups;
	char *path; /* executable */
	char **argv; /* borrowed */
	char **envp; /* owned array; strings borrowed except home_env */
	char *home_env;

	/* SCMP_ACT_NOTIFY: the filter is installed with SECCOMP_FILTER_FLAG_NEW_LISTENER and the
	 * parent hands the listener fd to the agent at listener_path before the child goes on. */
	char *listener_path; /* NULL: no listener */
	char *listener_metadata; /* NULL or "": omitted from the state (runtime-spec omitempty) */
};

/* What to run and how to confine it. */
struct cf_run_spec {
	const struct cf_bpf_prog *prog; /* NULL: no seccomp (unconfined / privileged) */
	bool flags_explicit; /* profile listed "flags": an unsupported flag is an error, not dropped */
	cf_capset caps; /* bounding = permitted = effective (effective only for uid 0) */
	bool no_new_privileges;
	const struct cf_creds *creds; /* NULL: keep the caller's uid/gid/groups */
	const char *path; /* resolved executable (cf_exec_find) */
	char **argv;
	char **envp; /* NULL: environ */
	/* The profile's listenerPath / listenerMetadata; required when prog->needs_listener. */
	const char *listener_path;
	const char *listener_metadata;
};

/*
 * Check what the caller can grant and build the plan (runc order, see install.c). Errors
 * (diag filled): -EPERM (callfence lacks a capability it needs, e.g. CAP_SYS_ADMIN to install a
 * filter without no-new-privileges), -EOPNOTSUPP (a NOTIFY filter without listenerPath,
 * unsupported flags),
 * -E2BIG, -ENOMEM.
 */
CF_MUST_CHECK int cf_plan_build(const struct cf_run_spec *spec, struct cf_plan **ret,
				struct cf_diag *reterr);
struct cf_plan *cf_plan_free(struct cf_plan *p);
DEFINE_CLEANUP_FUNC(struct cf_plan *, cf_plan_free)

/*
 * Where the child leaves the listener fd and waits for the parent (shared memory: the child
 * makes no syscall for it). state: CF_HANDOFF_*.
 */
enum {
	CF_HANDOFF_NONE = 0,
	CF_HANDOFF_FD_READY, /* child: fd holds the listener fd number */
	CF_HANDOFF_GO, /* parent: the agent has the fd, continue */
};
struct cf_listener_handoff {
	int32_t fd;
	uint32_t state;
};

/* Runs the plan's steps; returns only on failure: ret_step (index) and -errno. Child only.
 * handoff: when the plan has a listener, after the seccomp step the fd is stored there and the
 * child spins (no syscall) until the parent sets CF_HANDOFF_GO. */
int cf_plan_execute(const struct cf_plan *plan, struct cf_listener_handoff *handoff,
		    size_t *ret_step);

/* caps-apply.c: append the capability steps (bounding drops, keepcaps, capset). */
CF_MUST_CHECK int cf_caps_plan_bounding(struct cf_plan *plan, cf_capset set,
					struct cf_diag *reterr);
CF_MUST_CHECK int cf_caps_plan_final(struct cf_plan *plan, cf_capset set, bool to_root,
				     struct cf_diag *reterr);
/* creds.c: append keepcaps, setgroups, setgid, setuid, clear keepcaps. */
CF_MUST_CHECK int cf_creds_plan(struct cf_plan *plan, const struct cf_creds *c,
				struct cf_diag *reterr);
/* Append one step (install.c); -E2BIG when full. */
CF_MUST_CHECK int cf_plan_add(struct cf_plan *plan, enum cf_step_kind kind, long nr, uint64_t a0,
			      uint64_t a1, uint64_t a2, uint64_t a3, const char *what);
/* Syscall name of a step, for messages ("prctl", "capset"). */
const char *cf_step_syscall_name(const struct cf_step *s);

/*
 * listener.c, parent side, in two halves so the child spins only for the second: prepare (as
 * soon as the child's pid is known: pidfd_open, the OCI container process state, connect to
 * plan->listener_path), then send (pidfd_getfd of the child's listener fd, one sendmsg with the
 * state and the fd in SCM_RIGHTS; our copy is closed). -errno on failure, *ret_stage naming the
 * call that failed. Clear closes the connection (the agent sees EOF).
 */
struct cf_listener_conn {
	int pidfd;
	int sock;
	char *msg;
};
#define CF_LISTENER_CONN_INIT                        \
	{                                            \
		.pidfd = -1, .sock = -1, .msg = NULL \
	}
CF_MUST_CHECK int cf_listener_prepare(const struct cf_plan *plan, pid_t pid,
				      struct cf_listener_conn *c, const char **ret_stage);
CF_MUST_CHECK int cf_listener_send(struct cf_listener_conn *c, int child_fd,
				   const char **ret_stage);
void cf_listener_conn_clear(struct cf_listener_conn *c);

/* ------------------------------------------------------------------------------------------- */
/* preflight.c */

/*
 * Simulate every step the child makes under the filter (and execve in every mode) through the
 * BPF simulator for the native ABI. -EPERM if one of them would not run: diag names every denied
 * syscall at once (with its action and the step that needs it) and one JSON rule allowing them
 * all. -EINVAL for a malformed program.
 */
CF_MUST_CHECK int cf_preflight(const struct cf_plan *plan, const struct cf_bpf_prog *prog,
			       const char *profile_label, struct cf_diag *reterr);
/* The verdict of prog for syscall nr with args on the native ABI (0 or -errno of the simulator). */
CF_MUST_CHECK int cf_preflight_sim(const struct cf_bpf_prog *prog, int nr, const uint64_t args[6],
				   uint32_t *ret);
/* Whether a filter return lets the call run (ALLOW, LOG; USER_NOTIF: left to the agent). */
bool cf_preflight_runs(uint32_t ret);
struct strbuf;
/* {"names": [...], "action": "SCMP_ACT_ALLOW"}: the one rule a profile needs to add. */
void cf_allow_rule(struct strbuf *sb, const char *const *names, size_t n);

/* ------------------------------------------------------------------------------------------- */
/* runtime-needs.c: what runc and crun call after installing the filter */

#define CF_RUNTIME_GAP_MAX 32

/* A runtime that would fail to start the container, and the calls it needs that prog denies. */
struct cf_runtime_gap {
	const char *runtime; /* "runc", "crun" */
	size_t n;
	const char *names[CF_RUNTIME_GAP_MAX];
	/* Every name is needed on some starts only (Go's futex wake-ups): "may fail". */
	bool sometimes;
};

/*
 * Portability check, not a refusal: for each runtime (runc, crun) with this no-new-privileges
 * setting, the syscalls it makes between installing the filter and execve that prog denies.
 * Fills up to max entries, one per runtime that would fail; returns how many would fail.
 */
int cf_runtime_gaps(const struct cf_bpf_prog *prog, bool no_new_privileges,
		    struct cf_runtime_gap *ret, size_t max);

/* ------------------------------------------------------------------------------------------- */
/* exec.c */

/*
 * Find the executable like runc (Go exec.LookPath over the command's PATH): a name with '/' is
 * taken as is; otherwise the first PATH entry holding a non-directory with an execute bit.
 * -ENOENT: not found in PATH; -EACCES: found only without execute permission; -ENOMEM.
 */
CF_MUST_CHECK int cf_exec_find(const char *cmd, char *const *envp, char **ret_path);

/* The PATH runc/Docker use when the environment has none. */
#define CF_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct cf_run_result {
	int exit_code; /* what callfence should exit with */
	bool launcher_failed; /* a plan step failed in the child: exit_code is 125/126/127 */
	size_t failed_step; /* index into plan->steps */
	int error; /* positive errno of the failed step */
	int term_signal; /* the command was killed by this signal (exit_code = 128 + it) */
	/* The listener fd could not be handed to the agent: the child was killed before the
	 * command started (exit_code 125); error is the positive errno, listener_stage the call
	 * that failed ("connect", "sendmsg", "pidfd_getfd"...). */
	bool listener_failed;
	const char *listener_stage;
};

/*
 * Fork; the child restores the signal mask, marks every fd >= 3 close-on-exec and runs the
 * plan; the parent forwards signals and waits. Returns 0 with the result, or -errno when the fork
 * itself failed. Blocks signals in the calling process while the command runs.
 */
CF_MUST_CHECK int cf_run_exec(const struct cf_plan *plan, struct cf_run_result *ret);

/* --explain/--complain (explain team, supervise.h): cf_run_exec with the ptrace supervisor
 * attached to the child before its first step. */
struct cf_supervisor;
CF_MUST_CHECK int cf_run_exec_supervised(const struct cf_plan *plan, struct cf_supervisor *sup,
					 struct cf_run_result *ret);
