/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the OCI runtimes call between installing the container's seccomp filter and the final
 * execve, per runtime and per no-new-privileges setting. A profile that denies one of them works
 * under callfence (whose launcher needs fewer calls) but stops Docker or Podman at container
 * start. callfence run and export warn with these lists.
 *
 * How the lists were made (tests/runtime/test-runtime-needs.sh re-checks them on every run):
 * runc 1.1.5 and crun 1.8.1 (Debian 12 packages; Debian's runc carries the CVE-2024-21626 fixes)
 * were run under `strace -f`; the calls the container's init thread made after its
 * prctl(PR_SET_SECCOMP)/seccomp(SECCOMP_SET_MODE_FILTER) up to execve were the candidates. Each
 * candidate was then kept only if a profile allowing every other candidate stops the container
 * (a call whose failure the runtime ignores is not listed: runc's fcntl(FD_CLOEXEC) loop, its
 * getpid and epoll_ctl; crun's close of the seccomp fd). Two calls of the Go runtime inside runc
 * are needed on some starts only, depending on scheduling ("sometimes": futex, rt_sigreturn). Current runc and
 * crun (main, August 2026) were read for what changed since; see the notes per entry.
 *
 * Only the native ABI matters: the runtimes run as native processes.
 */
#include <errno.h>
#include <string.h>

#include <linux/seccomp.h>
#include <sys/prctl.h>

#include "arch/arch.h"
#include "base/macro.h"
#include "run/run.h"

/* Up to three arg0 values a call is made with (prctl options); none: arg0 is 0. */
#define ARG0_MAX 3

struct runtime_need {
	const char *name;
	/* Called instead when `name` fails with EPERM or ENOSYS (Go's syscall.Faccessat
	 * falls back from faccessat2 to faccessat on exactly those two errors). */
	const char *fallback;
	uint64_t arg0[ARG0_MAX];
	unsigned n_arg0;
	/* Needed on some starts only: the Go runtime's futex wake-ups depend on scheduling. */
	bool sometimes;
};

struct runtime_needs {
	const char *runtime;
	bool no_new_privileges;
	const struct runtime_need *needs;
	size_t n;
};

/*
 * runc, filter installed without no-new-privileges: linuxStandardInit.Init installs it right
 * after syncParentReady, then finalizeNamespace (libcontainer/init_linux.go) and the rest of
 * Init (libcontainer/standard_init_linux.go) run under it. Same calls in runc 1.1.5 (run) and
 * main (read): main's CloseExecFrom first tries close_range(CLOSE_RANGE_CLOEXEC) and its
 * pathrs procfs code tries openat2, both falling back to the calls below when denied, so neither
 * is needed.
 */
static const struct runtime_need runc_filter_first[] = {
	/* utils.CloseExecFrom and (CVE-2024-21626) UnsafeCloseFrom list /proc/self/fd; Init
	 * reopens the exec fifo through /proc/self/fd; capability.Load reads /proc/self/status */
	{ .name = "openat" },
	{ .name = "read" }, /* capability.Load: the bounding set from /proc/self/status */
	{ .name = "getdents64" }, /* fdRangeFrom: Readdirnames of /proc/self/fd */
	{ .name = "fstatfs" }, /* fdRangeFrom (CVE-2024-21626): "ensure /proc/self/fd is on procfs" */
	{ .name = "close" }, /* Init: "close log pipe fd" is an error when it fails */
	{ .name = "chdir" }, /* finalizeNamespace: chdir(process.cwd) */
	{ .name = "capget" }, /* capabilities.New: capget of the current sets */
	/* ApplyBoundingSet (PR_CAPBSET_DROP), SetKeepCaps/ClearKeepCaps (PR_SET_KEEPCAPS) */
	{ .name = "prctl", .arg0 = { PR_CAPBSET_DROP, PR_SET_KEEPCAPS }, .n_arg0 = 2 },
	{ .name = "fstat" }, /* setupUser/fixStdioPermissions: fstat of fds 0-2 */
	{ .name = "newfstatat" }, /* fixStdioPermissions: stat /dev/null; exec.LookPath: os.Stat */
	{ .name = "setgroups" }, /* setupUser: moby always passes the primary gid as additionalGids */
	{ .name = "setgid" },
	{ .name = "setuid" },
	{ .name = "getcwd" }, /* verifyCwd (CVE-2024-21626): the cwd must be inside the container */
	{ .name = "capset" }, /* ApplyCaps */
	{ .name = "getppid" }, /* Init: a changed parent pid makes init kill itself */
	{ .name = "faccessat2",
	  .fallback = "faccessat" }, /* exec.LookPath: unix.Eaccess(path, X_OK) */
	/* the Go runtime: when the locked init thread must wake another thread, a failed wake-up is
	 * fatal ("futexwakeup ... returned -1"); whether it must depends on scheduling */
	{ .name = "futex", .sometimes = true },
	/* the Go runtime: a preemption signal (SIGURG) landing on the init thread returns through
	 * rt_sigreturn; denied, the thread resumes with a broken context */
	{ .name = "rt_sigreturn", .sometimes = true },
	{ .name = "write" }, /* Init: writes "0" to the exec fifo */
	{ .name = "execve" },
};

/*
 * runc with no-new-privileges: the filter goes in after exec.LookPath, just before the exec
 * fifo; then Init reopens and writes the fifo, closes the pipes and (since the CVE-2024-21626 fix)
 * UnsafeCloseFrom closes every fd it does not pass, listing /proc/self/fd after checking it is
 * procfs: fstatfs stays needed, so no-new-privileges alone does not make a profile portable.
 */
static const struct runtime_need runc_filter_last[] = {
	{ .name = "openat" }, /* reopen the exec fifo, open /proc/self/fd */
	{ .name = "getdents64" }, /* UnsafeCloseFrom */
	{ .name = "fstatfs" }, /* UnsafeCloseFrom: "ensure /proc/self/fd is on procfs" */
	{ .name = "close" }, /* the log pipe, the fifo */
	{ .name = "futex", .sometimes = true }, /* the Go runtime, as above */
	{ .name = "rt_sigreturn", .sometimes = true }, /* the Go runtime, as above */
	{ .name = "write" }, /* the exec fifo */
	{ .name = "execve" },
};

/*
 * crun, filter installed without no-new-privileges: apply_security_settings
 * (src/libcrun/container.c) calls libcrun_set_caps right after libcrun_apply_seccomp;
 * set_required_caps (src/libcrun/linux.c) drops the bounding set, keeps caps, setresgid,
 * setresuid, capset (setgroups comes earlier, before the filter). Then container_init unblocks
 * signals, reports to the parent on the sync socket and, under `crun create` + `crun start` (what
 * Docker and Podman use), waits for the exec fifo. Same in crun 1.8.1 (run) and main (read).
 */
static const struct runtime_need crun_filter_first[] = {
	{ .name = "prctl", .arg0 = { PR_CAPBSET_DROP, PR_SET_KEEPCAPS }, .n_arg0 = 2 },
	{ .name = "setresgid" },
	{ .name = "setresuid" },
	{ .name = "capset" },
	{ .name = "rt_sigprocmask" }, /* unblock_signals */
	{ .name = "rt_sigaction" }, /* unblock_signals: every handler back to SIG_DFL */
	{ .name = "write" }, /* sync_socket_send_sync */
	{ .name = "pselect6" }, /* create + start: wait on the exec fifo */
	{ .name = "read" }, /* create + start: read the exec fifo */
	{ .name = "execve" },
};

/*
 * crun with no-new-privileges: the filter is the last step of container_init_setup; after it
 * only mark_or_close_fds_ge_than, whose failures crun ignores ("best effort"), and execv.
 */
static const struct runtime_need crun_filter_last[] = {
	{ .name = "execve" },
};

static const struct runtime_needs runtimes[] = {
	{ .runtime = "runc",
	  .no_new_privileges = false,
	  .needs = runc_filter_first,
	  .n = ARRAY_SIZE(runc_filter_first) },
	{ .runtime = "runc",
	  .no_new_privileges = true,
	  .needs = runc_filter_last,
	  .n = ARRAY_SIZE(runc_filter_last) },
	{ .runtime = "crun",
	  .no_new_privileges = false,
	  .needs = crun_filter_first,
	  .n = ARRAY_SIZE(crun_filter_first) },
	{ .runtime = "crun",
	  .no_new_privileges = true,
	  .needs = crun_filter_last,
	  .n = ARRAY_SIZE(crun_filter_last) },
};

/* The verdict for name with arg0; -ENOENT when the native ABI has no such call. */
static int verdict(const struct cf_bpf_prog *prog, const char *name, uint64_t arg0, uint32_t *ret)
{
	uint64_t args[6] = { arg0 };
	int nr = syscall_resolve_name(arch_native(), name);

	if (nr < 0)
		return -ENOENT;
	return cf_preflight_sim(prog, nr, args, ret);
}

/* Whether the runtime gets past this need under prog. */
static bool passes(const struct cf_bpf_prog *prog, const struct runtime_need *need)
{
	unsigned n = need->n_arg0 ? need->n_arg0 : 1;

	for (unsigned i = 0; i < n; i++) {
		uint32_t ret = 0, errno_ret;
		int r = verdict(prog, need->name, need->arg0[i], &ret);

		if (r == -ENOENT)
			continue; /* not on this ABI: the runtime calls something else */
		if (r < 0 || cf_preflight_runs(ret))
			continue;
		errno_ret = ret & SECCOMP_RET_DATA;
		if (need->fallback && (((ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO &&
					(errno_ret == EPERM || errno_ret == ENOSYS)) ||
				       (ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_TRACE)) {
			/* TRACE without a tracer: ENOSYS */
			if (verdict(prog, need->fallback, 0, &ret) == 0 && cf_preflight_runs(ret))
				continue;
		}
		return false;
	}
	return true;
}

int cf_runtime_gaps(const struct cf_bpf_prog *prog, bool no_new_privileges,
		    struct cf_runtime_gap *ret, size_t max)
{
	size_t n = 0;

	if (!prog)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(runtimes); i++) {
		const struct runtime_needs *rt = &runtimes[i];
		struct cf_runtime_gap g = { .runtime = rt->runtime };

		if (rt->no_new_privileges != no_new_privileges)
			continue;
		g.sometimes = true;
		for (size_t j = 0; j < rt->n && g.n < CF_RUNTIME_GAP_MAX; j++) {
			if (passes(prog, &rt->needs[j]))
				continue;
			g.names[g.n++] = rt->needs[j].name;
			g.sometimes = g.sometimes && rt->needs[j].sometimes;
		}
		if (!g.n)
			continue;
		if (n < max)
			ret[n] = g;
		n++;
	}
	return (int)n;
}

int cf_runtime_calls(const char *runtime, bool no_new_privileges, struct cf_runtime_call *ret,
		     size_t max)
{
	for (size_t i = 0; i < ARRAY_SIZE(runtimes); i++) {
		const struct runtime_needs *rt = &runtimes[i];
		size_t n = 0;

		if (strcmp(rt->runtime, runtime) != 0 || rt->no_new_privileges != no_new_privileges)
			continue;
		for (size_t j = 0; j < rt->n && n < max; j++, n++) {
			const struct runtime_need *need = &rt->needs[j];

			ret[n] = (struct cf_runtime_call){ .name = need->name,
							   .fallback = need->fallback,
							   .n_arg0 = need->n_arg0,
							   .sometimes = need->sometimes };
			memcpy(ret[n].arg0, need->arg0, sizeof(need->arg0));
		}
		return (int)n;
	}
	return -ENOENT;
}
