/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Before anything starts: run every syscall the launcher makes under the filter through the BPF
 * simulator, with the exact arguments the child will pass (the plan holds them; fork keeps the
 * addresses). If the compiled program would not let one of them run, refuse with exit 125 and say
 * which syscall, for which step, and how to fix it, instead of starting a process that dies in
 * the launcher with a bare EPERM (or SIGSYS). execve is the last step, so it is checked in every
 * mode; with no-new-privileges it is the only one.
 *
 * SECCOMP_RET_LOG lets the call run, so it passes; TRACE without a tracer fails with ENOSYS
 * (kernel/seccomp.c __seccomp_filter), so it fails. USER_NOTIF on one of callfence's own steps
 * is refused too: the agent on listenerPath answers the command's calls, and whether it would let
 * a capset or setuid through cannot be known before starting.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/audit.h>
#include <linux/seccomp.h>

#include "arch/arch.h"
#include "bpf/sim.h"
#include "run/run.h"

static uint32_t native_audit_arch(void)
{
	const struct cf_arch_info *ai = arch_info(arch_native());

	if (ai)
		return ai->audit_arch;
#if defined(__x86_64__) && !defined(__ILP32__)
	return AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
	return AUDIT_ARCH_AARCH64;
#else
	return 0;
#endif
}

static void describe_action(uint32_t ret, char *buf, size_t size)
{
	uint32_t data = ret & SECCOMP_RET_DATA;
	const char *name;

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		snprintf(buf, size, "SCMP_ACT_KILL_PROCESS: the process dies by SIGSYS");
		return;
	case SECCOMP_RET_KILL_THREAD:
		snprintf(buf, size, "SCMP_ACT_KILL_THREAD: it dies by SIGSYS");
		return;
	case SECCOMP_RET_TRAP:
		snprintf(buf, size, "SCMP_ACT_TRAP: SIGSYS");
		return;
	case SECCOMP_RET_ERRNO:
		name = strerrorname_np((int)data);
		if (name)
			snprintf(buf, size, "SCMP_ACT_ERRNO: %s", name);
		else
			snprintf(buf, size, "SCMP_ACT_ERRNO: errno %u", data);
		return;
	case SECCOMP_RET_TRACE:
		snprintf(buf, size, "SCMP_ACT_TRACE: ENOSYS without a tracer");
		return;
	case SECCOMP_RET_USER_NOTIF:
		snprintf(buf, size, "SCMP_ACT_NOTIFY: left to the agent");
		return;
	default:
		snprintf(buf, size, "filter return 0x%08x", ret);
		return;
	}
}

static bool runs(uint32_t ret)
{
	uint32_t a = ret & SECCOMP_RET_ACTION_FULL;

	return a == SECCOMP_RET_ALLOW || a == SECCOMP_RET_LOG;
}

int cf_preflight(const struct cf_plan *plan, const struct cf_bpf_prog *prog,
		 const char *profile_label, struct cf_diag *reterr)
{
	uint32_t arch = native_audit_arch();

	if (!prog || plan->seccomp_step >= plan->n_steps)
		return 0;

	for (size_t i = plan->seccomp_step + 1; i < plan->n_steps; i++) {
		const struct cf_step *s = &plan->steps[i];
		struct seccomp_data d = { .nr = (int)s->nr,
					  .arch = arch,
					  .instruction_pointer = 0 };
		const char *sys = cf_step_syscall_name(s);
		char act[96];
		uint32_t ret = 0;
		unsigned steps = 0;
		int r;

		memcpy(d.args, s->args, sizeof(d.args));
		r = cf_bpf_sim(prog->insns, prog->len, &d, &ret, &steps);
		if (r < 0)
			return diag_set(
				reterr, EINVAL, profile_label, 0, 0, NULL,
				"internal error: the compiled filter does not simulate (%s)",
				strerror(-r));
		if (runs(ret))
			continue;

		describe_action(ret, act, sizeof(act));
		if (s->kind == CF_STEP_EXECVE) {
			diag_set(reterr, EPERM, profile_label, 0, 0, NULL,
				 "the profile denies execve (%s), so no command can start under it",
				 act);
			diag_hint(reterr, "allow execve in the profile");
			return -EPERM;
		}
		diag_set(reterr, EPERM, profile_label, 0, 0, NULL,
			 "the profile denies %s (%s), which callfence needs after installing the "
			 "filter to %s",
			 sys, act, s->what);
		if (plan->no_new_privileges)
			diag_hint(reterr, "add %s to the profile", sys);
		else
			diag_hint(
				reterr,
				"add %s to the profile or use --security-opt no-new-privileges so "
				"the filter goes in last and only execve is needed",
				sys);
		return -EPERM;
	}
	return 0;
}

/*
 * Syscalls runc makes after loading the filter when no-new-privileges is off (finalizeNamespace,
 * the exec fifo, the Go runtime around them; runc libcontainer/standard_init_linux.go). callfence
 * needs fewer, so a profile can work here and still stop Docker at container start.
 */
static const char *const runc_after_install[] = {
	"capset", "prctl",   "setgroups", "setgid",	 "setuid",    "fstat",	"newfstatat",
	"fcntl",  "chdir",   "openat",	  "write",	 "close",     "futex",	"rt_sigprocmask",
	"getpid", "getppid", "fstatfs",	  "sched_yield", "nanosleep", "execve",
};

int cf_preflight_runc_compat(const struct cf_bpf_prog *prog, bool no_new_privileges, char *buf,
			     size_t size)
{
	uint32_t arch = native_audit_arch();
	enum cf_arch native = arch_native();
	size_t n = 0;
	int count = 0;

	if (size)
		buf[0] = '\0';
	if (!prog || no_new_privileges)
		return 0;
	for (size_t i = 0; i < sizeof(runc_after_install) / sizeof(runc_after_install[0]); i++) {
		int nr = syscall_resolve_name(native, runc_after_install[i]);
		struct seccomp_data d = { .arch = arch };
		uint32_t ret = 0;
		unsigned steps = 0;

		if (nr < 0)
			continue;
		d.nr = nr;
		if (cf_bpf_sim(prog->insns, prog->len, &d, &ret, &steps) < 0 || runs(ret))
			continue;
		int w = snprintf(buf + n, size > n ? size - n : 0, "%s%s", count ? ", " : "",
				 runc_after_install[i]);
		if (w > 0 && (size_t)w < size - n)
			n += (size_t)w;
		count++;
	}
	return count;
}
