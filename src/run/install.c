/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The launcher's plan and the only place that calls seccomp(2) and prctl(PR_SET_NO_NEW_PRIVS).
 *
 * Order (runc libcontainer/standard_init_linux.go Init + init_linux.go finalizeNamespace):
 *   with no-new-privileges:    NNP, bounding drops, [keepcaps, setgroups, setgid, setuid,
 *                              clear keepcaps], capset, [ambient raises], seccomp, execve
 *   without (Docker's default): seccomp, bounding drops, [user switch], capset, execve
 * A caller without CAP_SYS_ADMIN (or without CAP_SETPCAP when the bounding set must shrink)
 * takes the first order with NNP set by callfence itself (see nnp_needed_for); the ambient
 * raises are for a non-root caller's own non-root command (src/run/caller.c).
 * Without NNP the filter must go in while CAP_SYS_ADMIN is still effective (kernel/seccomp.c
 * seccomp_prepare_filter), so everything after it runs under the filter; with NNP the filter
 * goes in last and only execve follows. Everything else the child does (signal mask, fd
 * close-on-exec) happens before the first step, with no filter yet.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "base/cleanup.h"
#include "run/run.h"

extern char **environ;

int cf_plan_add(struct cf_plan *plan, enum cf_step_kind kind, long nr, uint64_t a0, uint64_t a1,
		uint64_t a2, uint64_t a3, const char *what)
{
	struct cf_step *s;

	if (plan->n_steps >= CF_PLAN_MAX_STEPS)
		return -E2BIG;
	s = &plan->steps[plan->n_steps++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->nr = nr;
	s->args[0] = a0;
	s->args[1] = a1;
	s->args[2] = a2;
	s->args[3] = a3;
	snprintf(s->what, sizeof(s->what), "%s", what);
	return 0;
}

const char *cf_step_syscall_name(const struct cf_step *s)
{
	switch (s->kind) {
	case CF_STEP_NO_NEW_PRIVS:
	case CF_STEP_DEATHSIG:
	case CF_STEP_BOUNDING:
	case CF_STEP_KEEPCAPS:
	case CF_STEP_CLEAR_KEEPCAPS:
	case CF_STEP_AMBIENT:
		return "prctl";
	case CF_STEP_SECCOMP:
		return "seccomp";
	case CF_STEP_SETGROUPS:
		return "setgroups";
	case CF_STEP_SETGID:
		return "setgid";
	case CF_STEP_SETUID:
		return "setuid";
	case CF_STEP_CAPSET:
		return "capset";
	case CF_STEP_EXECVE:
		return "execve";
	case CF_STEP_SETSID:
		return "setsid";
	case CF_STEP_IOCTL:
		return "ioctl";
	case CF_STEP_DUP:
		return "dup3";
	case CF_STEP_RLIMIT:
		return "prlimit64";
	case CF_STEP_CHDIR:
		return "chdir";
	}
	return "?";
}

/* seccomp(SET_MODE_FILTER, flags, NULL): EFAULT when the flags are known, EINVAL when not. */
static bool seccomp_flags_supported(unsigned flags)
{
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL);

	return r < 0 && errno == EFAULT;
}

/* The program's length checked and the flags the running kernel takes for it. */
static int prog_flags(const struct cf_bpf_prog *prog, bool flags_explicit, unsigned *ret,
		      struct cf_diag *reterr)
{
	unsigned flags = prog->seccomp_flags;

	if (prog->len == 0 || prog->len > BPF_MAXINSNS)
		return diag_set(reterr, E2BIG, NULL, 0, 0, NULL,
				"the compiled filter has %zu instructions; the kernel takes 1-%d",
				prog->len, BPF_MAXINSNS);
	if (!seccomp_flags_supported(flags)) {
		/* runc (specconv) adds SPEC_ALLOW only when the kernel supports it. */
		if (!flags_explicit && (flags & SECCOMP_FILTER_FLAG_SPEC_ALLOW) &&
		    seccomp_flags_supported(flags & ~SECCOMP_FILTER_FLAG_SPEC_ALLOW))
			flags &= ~SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		else
			return diag_set(
				reterr, EOPNOTSUPP, NULL, 0, 0, "/flags",
				"the running kernel does not support the seccomp flags 0x%x",
				flags);
	}
	*ret = flags;
	return 0;
}

static int plan_seccomp(struct cf_plan *plan, const struct cf_run_spec *spec,
			struct cf_diag *reterr)
{
	const struct cf_bpf_prog *prog = spec->prog;
	unsigned flags;
	int r;

	if (prog->needs_listener) {
		/* runc (process_linux.go) refuses NOTIFY without a listener to hand the fd to */
		if (!spec->listener_path || !spec->listener_path[0]) {
			diag_set(reterr, EOPNOTSUPP, NULL, 0, 0, "/listenerPath",
				 "the profile uses SCMP_ACT_NOTIFY, which needs a seccomp agent on "
				 "listenerPath, and the profile has none");
			diag_hint(reterr, "set \"listenerPath\" to the agent's unix socket, or "
					  "use another action");
			return -EOPNOTSUPP;
		}
		if (!(prog->seccomp_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
			return diag_set(reterr, EINVAL, NULL, 0, 0, NULL,
					"internal error: a NOTIFY filter compiled without "
					"SECCOMP_FILTER_FLAG_NEW_LISTENER");
		plan->listener_path = strdup(spec->listener_path);
		if (!plan->listener_path)
			return -ENOMEM;
		if (spec->listener_metadata && spec->listener_metadata[0]) {
			plan->listener_metadata = strdup(spec->listener_metadata);
			if (!plan->listener_metadata)
				return -ENOMEM;
		}
	}
	r = prog_flags(prog, spec->flags_explicit, &flags, reterr);
	if (r < 0)
		return r;
	plan->fprog.len = (unsigned short)prog->len;
	plan->fprog.filter = prog->insns;
	plan->seccomp_step = plan->n_steps;
	return cf_plan_add(plan, CF_STEP_SECCOMP, SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags,
			   (uint64_t)(uintptr_t)&plan->fprog, 0, "install the seccomp filter");
}

/*
 * callfence's terminal guard (tty-guard.c) as one more filter, just before the profile's, so
 * the order rules hold for it (without no-new-privileges it needs CAP_SYS_ADMIN, as the
 * profile's; plan_seccomp refuses when neither is there). Without a profile filter
 * (seccomp=unconfined, --privileged) only when --user switches to another uid: otherwise the
 * command is meant to show "Seccomp: 0" as in Docker, and without namespaces it reaches the
 * host in plainer ways (as root it owns /etc; as the caller's uid it holds exactly the
 * caller's privileges), so a guard would only hide that.
 */
static int plan_tty_guard(struct cf_plan *plan, const struct cf_run_spec *spec)
{
	/* Without a profile filter, still when --user hands the terminal to another uid: the
	 * command could otherwise type into the caller's (root) shell, a privilege gain that
	 * "seccomp=unconfined" never asked for. It then shows one filter instead of Docker's 0. */
	if (!spec->prog && !(spec->creds && spec->creds->uid != geteuid()))
		return 0;
	/* without no-new-privileges the plan holds CAP_SYS_ADMIN (cf_plan_build forces NNP
	 * otherwise), which the guard's install needs like the profile's */
	/* the process building the plan is the parent that stays next to the command */
	if (cf_tty_guard_build(getpid(), plan->guard_insns, &plan->guard_fprog) < 0)
		return 0; /* no guard written for this architecture */
	return cf_plan_add(plan, CF_STEP_SECCOMP, SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0,
			   (uint64_t)(uintptr_t)&plan->guard_fprog, 0,
			   "install callfence's guard (terminal input, attaching callfence)");
}

/*
 * The child of a NOTIFY run waits for the agent by spinning (cf_plan_execute). exec.c arms
 * PR_SET_PDEATHSIG(SIGKILL) at its start so it never outlives callfence there, but the kernel
 * clears the death signal when the credentials change (kernel/cred.c commit_creds: euid, egid,
 * fsuid, fsgid), and with no-new-privileges the spin comes after --user's setuid: arm it
 * again after the switch, before the filter (so the preflight has nothing to check).
 */
static int plan_listener_deathsig(struct cf_plan *plan, const struct cf_run_spec *spec)
{
	if (!spec->prog || !spec->prog->needs_listener || !spec->creds || !plan->no_new_privileges)
		return 0;
	return cf_plan_add(plan, CF_STEP_DEATHSIG, SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0,
			   "die with callfence while waiting for the seccomp agent");
}

/* runc prepareEnv: HOME unset or empty => the target uid's passwd home ("/" without one). */
static int plan_env(struct cf_plan *plan, const struct cf_run_spec *spec)
{
	char *const *src = spec->envp ? spec->envp : environ;
	cleanup_free char *home = NULL;
	bool home_set = false;
	size_t n = 0, k = 0;
	int r;

	for (; src[n]; n++)
		if (strncmp(src[n], "HOME=", 5) == 0 && src[n][5])
			home_set = true;
	plan->envp = calloc(n + 2, sizeof(char *));
	if (!plan->envp)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!home_set && strncmp(src[i], "HOME=", 5) == 0)
			continue; /* the empty HOME is replaced */
		plan->envp[k++] = src[i];
	}
	if (!home_set) {
		if (spec->creds)
			home = strdup(spec->creds->home);
		else {
			r = cf_user_home(getuid(), NULL, &home);
			if (r < 0)
				return r;
		}
		if (!home)
			return -ENOMEM;
		if (asprintf(&plan->home_env, "HOME=%s", home) < 0) {
			plan->home_env = NULL;
			return -ENOMEM;
		}
		plan->envp[k++] = plan->home_env;
	}
	plan->envp[k] = NULL;
	return 0;
}

/*
 * Without privilege, no-new-privileges is what makes the launch as confined as asked: the kernel
 * installs an unprivileged filter only under it, and it stops execve (set-user-ID, file
 * capabilities) from raising the permitted set above what capset left when the bounding set
 * cannot be lowered. Returns the capability whose absence forces it, or -1.
 */
static int nnp_needed_for(const struct cf_run_spec *spec, const struct cf_caller *caller)
{
	if (spec->no_new_privileges)
		return -1;
	if (spec->prog && !cf_caller_has(caller, CAP_SYS_ADMIN))
		return CAP_SYS_ADMIN;
	if ((caller->bounding & ~spec->caps) && !cf_caller_has(caller, CAP_SETPCAP))
		return CAP_SETPCAP;
	return -1;
}

static int plan_nnp(struct cf_plan *plan, const struct cf_run_spec *spec,
		    const struct cf_caller *caller, cf_capset kept, struct cf_diag *reterr)
{
	int cap = nnp_needed_for(spec, caller);
	const char *name = cap >= 0 ? caps_to_name(cap) : NULL;
	char held[512];

	plan->no_new_privileges = spec->no_new_privileges || cap >= 0;
	if (cap < 0)
		return 0;
	if (spec->no_new_privileges_refused) {
		diag_set(reterr, EPERM, NULL, 0, 0, "--security-opt",
			 "no-new-privileges=false: you are uid %u without %s, so callfence cannot "
			 "confine the command without no-new-privileges (%s)",
			 (unsigned)caller->euid, name,
			 cap == CAP_SYS_ADMIN ? "the kernel installs an unprivileged seccomp "
						"filter only under it" :
						"the bounding set cannot be lowered");
		diag_hint(reterr, "drop no-new-privileges=false, or run callfence as root");
		return -EPERM;
	}
	caps_format(kept, held, sizeof(held), ",");
	snprintf(plan->nnp_note, sizeof(plan->nnp_note),
		 "not privileged (uid %u without %s): running with no-new-privileges; "
		 "capabilities: %.160s (see ROOTLESS in callfence-run(1))",
		 (unsigned)caller->euid, name, held[0] ? held : "none");
	return 0;
}

int cf_plan_build(const struct cf_run_spec *spec, struct cf_plan **ret, struct cf_diag *reterr)
{
	cleanup(cf_plan_freep) struct cf_plan *plan = NULL;
	struct cf_caller own = { 0 };
	const struct cf_caller *caller = spec->caller;
	bool to_root, rootless;
	int r;

	if (!caller) {
		r = cf_caller_get(&own);
		if (r < 0) {
			cf_caller_clear(&own);
			return diag_set(reterr, -r, NULL, 0, 0, NULL,
					"reading callfence's credentials: %s", strerror(-r));
		}
		caller = &own;
	}
	to_root = spec->creds ? spec->creds->uid == 0 : caller->euid == 0;
	rootless = cf_caller_rootless(caller, to_root);
	plan = calloc(1, sizeof(*plan));
	if (!plan) {
		r = -ENOMEM;
		goto out;
	}
	plan->argv = spec->argv;
	plan->path = strdup(spec->path);
	if (!plan->path) {
		r = -ENOMEM;
		goto out;
	}
	r = plan_env(plan, spec);
	if (r < 0) {
		r = diag_set(reterr, -r, NULL, 0, 0, NULL, "preparing the environment: %s",
			     strerror(-r));
		goto out;
	}
	r = plan_nnp(plan, spec, caller, to_root || rootless ? spec->caps : 0, reterr);
	if (r < 0)
		goto out;
	/* --workdir, --ulimit, -t: first, unfiltered and still privileged (process.c) */
	r = cf_process_plan(plan, spec, reterr);
	if (r < 0)
		goto out;

	if (plan->no_new_privileges) {
		r = cf_plan_add(plan, CF_STEP_NO_NEW_PRIVS, SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0,
				"set no-new-privileges");
		if (r < 0)
			goto out;
	}
	if (!plan->no_new_privileges) {
		r = plan_tty_guard(plan, spec);
		if (r < 0)
			goto out;
	}
	if (spec->prog && !plan->no_new_privileges) {
		r = plan_seccomp(plan, spec, reterr);
		if (r < 0)
			goto out;
	}
	r = cf_caps_plan_bounding(plan, caller, spec->caps, reterr);
	if (r < 0)
		goto out;
	if (spec->creds) {
		r = cf_creds_plan(plan, spec->creds, reterr);
		if (r < 0)
			goto out;
	}
	r = cf_caps_plan_final(plan, spec->caps, to_root, rootless, reterr);
	if (r < 0)
		goto out;
	if (plan->no_new_privileges) {
		r = plan_listener_deathsig(plan, spec);
		if (r == 0)
			r = plan_tty_guard(plan, spec);
		if (r < 0) {
			r = diag_set(reterr, -r, NULL, 0, 0, NULL, "too many launcher steps");
			goto out;
		}
	}
	if (spec->prog && plan->no_new_privileges) {
		r = plan_seccomp(plan, spec, reterr);
		if (r < 0)
			goto out;
	}
	r = cf_plan_add(plan, CF_STEP_EXECVE, SYS_execve, (uint64_t)(uintptr_t)plan->path,
			(uint64_t)(uintptr_t)plan->argv, (uint64_t)(uintptr_t)plan->envp, 0,
			"execute the command");
	if (r < 0) {
		r = diag_set(reterr, -r, NULL, 0, 0, NULL, "too many launcher steps");
		goto out;
	}
	if (!spec->prog)
		plan->seccomp_step = plan->n_steps;
	*ret = TAKE_PTR(plan);
out:
	cf_caller_clear(&own);
	return r;
}

struct cf_plan *cf_plan_free(struct cf_plan *p)
{
	if (!p)
		return NULL;
	free(p->groups);
	free(p->path);
	free(p->envp);
	free(p->home_env);
	free(p->listener_path);
	free(p->listener_metadata);
	free(p->workdir);
	free(p);
	return NULL;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/*
 * Child side, after fork. Raw syscalls with all six registers given, so the kernel sees exactly
 * the seccomp_data the preflight simulated; nothing here allocates, logs or touches libc state.
 */
int cf_plan_execute(const struct cf_plan *plan, struct cf_listener_handoff *handoff,
		    size_t *ret_step)
{
	for (size_t i = 0; i < plan->n_steps; i++) {
		const struct cf_step *s = &plan->steps[i];
		long r = syscall(s->nr, s->args[0], s->args[1], s->args[2], s->args[3], s->args[4],
				 s->args[5]);

		if (r < 0) {
			*ret_step = i;
			return errno > 0 ? -errno : -EIO;
		}
		if (i == plan->seccomp_step && plan->listener_path && handoff) {
			/* The listener fd (O_CLOEXEC from the kernel): the parent takes a copy with
			 * pidfd_getfd and gives it to the agent. Spin without a syscall, so the
			 * plan the preflight checked stays the whole story. */
			__atomic_store_n(&handoff->fd, (int32_t)r, __ATOMIC_RELAXED);
			__atomic_store_n(&handoff->state, CF_HANDOFF_FD_READY, __ATOMIC_RELEASE);
			while (__atomic_load_n(&handoff->state, __ATOMIC_ACQUIRE) != CF_HANDOFF_GO)
				cpu_relax();
		}
	}
	*ret_step = plan->n_steps; /* execve returned without an error: cannot happen */
	return -EIO;
}

/*
 * The parent's own allow-list (self-confine.c), here because this file is the only one that
 * calls seccomp(2) and PR_SET_NO_NEW_PRIVS. NNP first: the parent dropped CAP_SYS_ADMIN just
 * before (kernel/seccomp.c seccomp_prepare_filter wants one of the two). No TSYNC: the
 * launcher is single-threaded.
 */
int cf_install_self_filter(const struct sock_filter *insns, size_t len)
{
	struct sock_fprog fp = { .len = (unsigned short)len,
				 .filter = (struct sock_filter *)insns };

	if (len == 0 || len > BPF_MAXINSNS)
		return -EINVAL;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
		return -errno;
	return 0;
}

/*
 * The public API's in-process install (src/api/): the filter on the calling thread, with
 * no-new-privileges first when asked or when the caller cannot install without it (kernel/
 * seccomp.c seccomp_prepare_filter: CAP_SYS_ADMIN in the effective set, or NNP). A NOTIFY
 * program is refused: its listener fd would have no agent, and the kernel then fails every
 * notified call with ENOSYS instead of the profile's decision.
 */
int cf_install_filter(const struct cf_bpf_prog *prog, bool nnp, bool flags_explicit,
		      struct cf_diag *reterr)
{
	struct sock_fprog fp;
	unsigned flags;
	int r;

	if (prog->needs_listener)
		return diag_set(
			reterr, EOPNOTSUPP, NULL, 0, 0, "/listenerPath",
			"the profile uses SCMP_ACT_NOTIFY, which needs a seccomp agent; "
			"the library does not hand the listener to one (callfence run does)");
	r = prog_flags(prog, flags_explicit, &flags, reterr);
	if (r < 0)
		return r;
	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		r = errno;
		return diag_set(reterr, r, NULL, 0, 0, NULL, "prctl(PR_SET_NO_NEW_PRIVS): %s",
				strerror(r));
	}
	fp = (struct sock_fprog){ .len = (unsigned short)prog->len, .filter = prog->insns };
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fp) < 0) {
		r = errno;
		return diag_set(reterr, r, NULL, 0, 0, NULL, "seccomp(SECCOMP_SET_MODE_FILTER): %s",
				strerror(r));
	}
	return 0;
}
