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
#include <signal.h>
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
/* caller.c: what the caller's credentials let the launcher do (see the file's comment) */

struct cf_caller {
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	gid_t *groups; /* getgroups */
	size_t n_groups;
	cf_capset effective, permitted, inheritable, bounding;
	bool ambient_locked; /* SECBIT_NO_CAP_AMBIENT_RAISE */
};

/* The calling thread's ids, groups, capability sets and securebits. -errno, -ENOMEM. */
CF_MUST_CHECK int cf_caller_get(struct cf_caller *ret);
void cf_caller_clear(struct cf_caller *c);
/* The capability is in the effective set (what the kernel checks). */
bool cf_caller_has(const struct cf_caller *c, int cap);
/* A non-root caller running a non-root command as itself: capabilities go ambient, no defaults. */
bool cf_caller_rootless(const struct cf_caller *c, bool to_root);
/*
 * May the caller become `want` (--user SPEC)? With CAP_SETUID and CAP_SETGID: yes, and
 * *ret_switch = true (Docker's full setgroups/setgid/setuid). Without: the caller's own uid and gid
 * need no switch (*ret_switch = false: ids and groups stay the caller's); another uid without
 * CAP_SETUID, another gid or other groups without CAP_SETGID: -EPERM, the diag naming the id and
 * the capability ("you are uid 1000 without CAP_SETUID").
 */
CF_MUST_CHECK int cf_caller_check_user(const struct cf_caller *c, const struct cf_creds *want,
				       const char *spec, bool *ret_switch, struct cf_diag *reterr);
/* What run can grant a command that runs as root (to_root) or not, for caps_resolve. */
void cf_caller_cap_limit(const struct cf_caller *c, bool to_root, struct cf_cap_limit *ret);

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
	CF_STEP_AMBIENT, /* prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap): a rootless command */
	CF_STEP_EXECVE,
	CF_STEP_DEATHSIG, /* prctl(PR_SET_PDEATHSIG, SIGKILL): a NOTIFY run's child after --user */
};

struct cf_step {
	enum cf_step_kind kind;
	long nr; /* native syscall number */
	uint64_t args[6];
	char what[96]; /* "drop CAP_SYS_ADMIN from the bounding set" */
};

#define CF_PLAN_MAX_STEPS 96
#define CF_GUARD_LEN	  31 /* instructions of callfence's guard filter (tty-guard.c) */

struct cf_plan {
	struct cf_step steps[CF_PLAN_MAX_STEPS];
	size_t n_steps;
	/* Index of the seccomp step; n_steps when no filter is installed. */
	size_t seccomp_step;
	bool no_new_privileges;
	/* callfence set no-new-privileges itself, since it lacks a capability a launch without
	 * it needs: one line for the user ("not privileged (uid 1000 without CAP_SYS_ADMIN):
	 * ..."); empty when it did not. */
	char nnp_note[320];

	/* Memory the steps point to: stable, identical in the child after fork. */
	struct sock_fprog fprog;
	struct sock_fprog guard_fprog; /* callfence's guard (tty-guard.c) */
	struct sock_filter guard_insns[CF_GUARD_LEN];
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
	/* The user asked for no-new-privileges=false: when the caller cannot do without it, that is
	 * an error instead of setting it anyway. */
	bool no_new_privileges_refused;
	const struct cf_caller *caller; /* NULL: read it (cf_caller_get) */
	const struct cf_creds *creds; /* NULL: keep the caller's uid/gid/groups */
	const char *path; /* resolved executable (cf_exec_find) */
	char **argv;
	char **envp; /* NULL: environ */
	/* The profile's listenerPath / listenerMetadata; required when prog->needs_listener. */
	const char *listener_path;
	const char *listener_metadata;
};

/*
 * Check what the caller can grant and build the plan (runc order, see install.c). A caller
 * without CAP_SYS_ADMIN (and a filter to install) or without CAP_SETPCAP (and bounding drops to
 * make) gets no-new-privileges set by the launcher, with plan->nnp_note saying so. Errors (diag
 * filled): -EPERM (callfence lacks a capability it needs: to keep a capability, or to honour
 * no_new_privileges_refused), -EOPNOTSUPP (a NOTIFY filter without listenerPath, unsupported
 * flags), -E2BIG, -ENOMEM.
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
CF_MUST_CHECK int cf_caps_plan_bounding(struct cf_plan *plan, const struct cf_caller *caller,
					cf_capset set, struct cf_diag *reterr);
/* rootless (cf_caller_rootless): the set also goes inheritable and ambient, so it outlives
 * execve for the non-root command. */
CF_MUST_CHECK int cf_caps_plan_final(struct cf_plan *plan, cf_capset set, bool to_root,
				     bool rootless, struct cf_diag *reterr);
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
	/* Blocked signals that end the wait (those of it that are SIGTERM, SIGINT, SIGHUP,
	 * SIGQUIT): -EINTR, and signal is set to the one that came. NULL: none. */
	const sigset_t *abort_on;
	int signal;
	int64_t deadline_ns; /* CLOCK_MONOTONIC; set by prepare */
};
/* connect + sendmsg to the agent, together; then -ETIMEDOUT (documented in callfence-run(1)) */
#define CF_LISTENER_TIMEOUT_MS 10000
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
/* self-confine.c: the parent confines itself before the command may run (why: the file) */

enum cf_self_match {
	CF_SELF_ANY,
	CF_SELF_ARG0_IN, /* allowed when args[0] (all 64 bits) is one of values */
	CF_SELF_ARG0_LO_NOT_IN, /* allowed unless the low word of args[0] is one of values */
};
#define CF_SELF_MAX_VALUES 4
struct cf_self_allow {
	long nr; /* native syscall number */
	enum cf_self_match match;
	uint64_t values[CF_SELF_MAX_VALUES];
	size_t n_values;
};

struct cf_self_confine_opts {
	pid_t child; /* the only other process kill(2) may reach */
	const struct cf_self_allow *extra; /* calls a mode adds to the base list (exec.c's loop) */
	size_t n_extra;
	uint64_t keep_caps; /* capabilities to keep (bit N = capability N), normally 0 */
};

/*
 * The allow-list filter for the native ABI: the base list (waiting, forwarding, writing the
 * report, memory, exit), kill(2) of child and self only, then extra; everything else and every
 * other ABI SECCOMP_RET_KILL_PROCESS. Malloc'd. -EINVAL, -E2BIG, -ENOMEM, -EOPNOTSUPP (no list
 * for this architecture).
 */
CF_MUST_CHECK int cf_self_filter_build(const struct cf_self_allow *extra, size_t n_extra,
				       pid_t child, pid_t self, struct sock_filter **ret,
				       size_t *ret_len);
/* What the ptrace supervisor (--explain/--complain) adds. */
const struct cf_self_allow *cf_self_supervisor_allow(size_t *ret_n);
/* What the eBPF observer of --explain adds (src/observe/: drain, summary, --explain-out). */
const struct cf_self_allow *cf_self_observer_allow(size_t *ret_n);
/* What writing --explain-out at the end adds to either (src/base/outfile.c). */
const struct cf_self_allow *cf_self_outfile_allow(size_t *ret_n);
/*
 * Non-dumpable, every capability dropped but keep_caps, no-new-privileges, the filter. After
 * it the process can only wait, signal the child and itself, write, free and exit. -errno,
 * *ret_stage naming what failed.
 */
CF_MUST_CHECK int cf_self_confine(const struct cf_self_confine_opts *o, const char **ret_stage);
/* install.c: PR_SET_NO_NEW_PRIVS then the filter on the calling thread. */
CF_MUST_CHECK int cf_install_self_filter(const struct sock_filter *insns, size_t len);

/* ------------------------------------------------------------------------------------------- */
/* tty-guard.c: callfence's terminal guard (why: the file) */

/*
 * callfence's guard filter for the native arch, built into buf (CF_GUARD_LEN instructions):
 * on every ABI the kernel runs (x86_64, x32, i386; aarch64, arm) ioctl(fd, TIOCSTI or
 * TIOCLINUX) and ptrace(PTRACE_ATTACH or PTRACE_SEIZE, parent) answer EPERM, everything else is
 * allowed. -EOPNOTSUPP: no guard for this architecture. Installed by the plan
 * (CF_STEP_SECCOMP) just before the profile's filter.
 */
CF_MUST_CHECK int cf_tty_guard_build(pid_t parent, struct sock_filter *buf, struct sock_fprog *ret);
/* Whether the guard answers this call (audit arch, nr, args) with EPERM: for explain, to name
 * "callfence's guard" instead of the profile. parent: the pid of callfence's parent process. */
bool cf_tty_guard_denies(pid_t parent, uint32_t arch, long nr, const uint64_t *args);

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

/* The lists themselves, for `record --for`: what runtime ("runc", "crun") calls after installing
 * the filter with this no-new-privileges setting. Fills up to max; returns how many, -ENOENT
 * for an unknown runtime. */
struct cf_runtime_call {
	const char *name;
	const char *fallback; /* called instead when name gets EPERM or ENOSYS */
	uint64_t arg0[3]; /* the arg0 values it is called with (prctl); n_arg0 0: any */
	unsigned n_arg0;
	bool sometimes; /* needed on some starts only (the Go runtime's scheduling) */
};
int cf_runtime_calls(const char *runtime, bool no_new_privileges, struct cf_runtime_call *ret,
		     size_t max);

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
	/* callfence could not confine itself (self-confine.c) before letting the command go:
	 * the child was killed before its first step (exit_code 125); error is the positive
	 * errno, confine_stage what failed. */
	bool confine_failed;
	const char *confine_stage;
};

/* What a mode adds to the parent's allow-list (see self-confine.c). */
struct cf_exec_opts {
	const struct cf_self_allow *extra;
	size_t n_extra;
	uint64_t keep_caps;
	/* `callfence record`: the profile's program is observed, not enforced. The child installs
	 * a one-instruction RET_ALLOW program in its place at the same step (same flags, same
	 * order, so every other step and the guard filter stay exactly as in a run). */
	bool seccomp_unenforced;
};

/*
 * Fork; the child restores the signal mask, marks every fd >= 3 close-on-exec and runs the
 * plan; the parent forwards signals and waits. Returns 0 with the result, or -errno when the fork
 * itself failed. Blocks signals in the calling process while the command runs.
 *
 * Before the command may run, the calling process confines itself for good (self-confine.c):
 * non-dumpable, no capabilities, no-new-privileges and an allow-list filter (write, wait,
 * signals to the child and itself, memory, exit; everything else kills it). After the call it
 * can only report and exit: format messages with memory already mapped or malloc, write them
 * with write(2). SIGPIPE stays ignored (a write to a closed stderr returns EPIPE).
 */
CF_MUST_CHECK int cf_run_exec(const struct cf_plan *plan, struct cf_run_result *ret);
/* The same with calls a mode needs after the start (the explain observer's reads). */
CF_MUST_CHECK int cf_run_exec_with(const struct cf_plan *plan, const struct cf_exec_opts *opts,
				   struct cf_run_result *ret);

/*
 * go.c, --explain (explain team): the pipe on which the child waits before its first step until
 * the parent made it observable. open/close: -errno of pipe2. wait (child; async-signal-safe):
 * returns on "go", _exit(125) when the parent closed without it. parent_begin closes the read
 * end; send writes "go" when r == 0 and closes: r, or -EIO.
 */
CF_MUST_CHECK int cf_go_open(int go[2]);
void cf_go_close(int go[2]);
void cf_go_wait(int go[2]);
void cf_go_parent_begin(int go[2]);
CF_MUST_CHECK int cf_go_send(int go[2], int r);

/*
 * --explain (explain team, src/observe/): a passive observer of the command, e.g. eBPF programs
 * that must know the child before it runs its first step and must be drained while the command
 * runs. It never stops or changes the command.
 */
struct cf_run_observer {
	void *data;
	/* child, first thing: wait until attach is done (_exit(125) if it failed);
	 * async-signal-safe */
	void (*child_wait)(void *data);
	/* parent, right after fork; < 0: the child is killed and cf_run_exec_observed fails */
	int (*attach)(void *data, pid_t pid);
	/* parent, at least every CF_RUN_OBSERVER_DRAIN_MS while the command runs; may be NULL */
	void (*drain)(void *data);
	/* a ptrace observer (record's fallback, src/observe/record-ptrace.c): called on every
	 * SIGCHLD instead of waitpid(child), with cf_supervisor_reap's contract: 1 when the
	 * command ended and no tracee is left (*ret_status), 2 on a group-stop of the command,
	 * 0 otherwise, -errno. NULL: a passive observer. */
	int (*reap)(void *data, int *ret_status);
};
#define CF_RUN_OBSERVER_DRAIN_MS 50
CF_MUST_CHECK int cf_run_exec_observed(const struct cf_plan *plan,
				       const struct cf_run_observer *obs,
				       struct cf_run_result *ret);
/* The same with the mode's own allow-list additions and options (`callfence record`). */
CF_MUST_CHECK int cf_run_exec_observed_with(const struct cf_plan *plan,
					    const struct cf_run_observer *obs,
					    const struct cf_exec_opts *opts,
					    struct cf_run_result *ret);

/* --explain/--complain (explain team, supervise.h): cf_run_exec with the ptrace supervisor
 * attached to the child before its first step. */
struct cf_supervisor;
CF_MUST_CHECK int cf_run_exec_supervised(const struct cf_plan *plan, struct cf_supervisor *sup,
					 struct cf_run_result *ret);
