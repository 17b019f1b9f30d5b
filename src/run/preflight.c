/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Before anything starts: run every syscall the launcher makes under the filter through the BPF
 * simulator, with the exact arguments the child will pass (the plan holds them; fork keeps the
 * addresses). If the compiled program would not let one of them run, refuse with exit 125 and say
 * which syscall, for which step, and how to fix it, instead of starting a process that dies in
 * the launcher with a bare EPERM (or SIGSYS). execve is the last step, so it is checked in every
 * mode; with no-new-privileges it is the only one. Every denied step is named at once (with one
 * JSON rule that allows them all), so a strict whitelist is fixed in one retry, not one per call.
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
#include "base/strbuf.h"
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

bool cf_preflight_runs(uint32_t ret)
{
	uint32_t a = ret & SECCOMP_RET_ACTION_FULL;

	/* USER_NOTIF counts as running here: the agent decides, and for a runtime's calls nothing
	 * certain can be said (cf_preflight refuses NOTIFY on callfence's own steps itself). */
	return a == SECCOMP_RET_ALLOW || a == SECCOMP_RET_LOG || a == SECCOMP_RET_USER_NOTIF;
}

int cf_preflight_sim(const struct cf_bpf_prog *prog, int nr, const uint64_t args[6], uint32_t *ret)
{
	struct seccomp_data d = { .nr = nr, .arch = native_audit_arch() };
	unsigned steps = 0;

	memcpy(d.args, args, sizeof(d.args));
	*ret = 0;
	return cf_bpf_sim(prog->insns, prog->len, &d, ret, &steps);
}

void cf_allow_rule(struct strbuf *sb, const char *const *names, size_t n)
{
	strbuf_append(sb, "{\"names\": [");
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_append(sb, ", ");
		strbuf_append_json_string(sb, names[i]);
	}
	strbuf_append(sb, "], \"action\": \"SCMP_ACT_ALLOW\"}");
}

/* One syscall callfence's launcher needs and the profile denies, with what it is for. */
struct denied {
	const char *sys;
	const struct cf_step *first; /* the first step that needs it */
	unsigned more; /* further steps that need it */
	uint32_t ret;
};

/* "prctl (SCMP_ACT_ERRNO: EPERM) to drop CAP_X from the bounding set and 13 more steps" */
static void append_denied(struct strbuf *sb, const struct denied *d)
{
	char act[96];

	describe_action(d->ret, act, sizeof(act));
	strbuf_appendf(sb, "%s%s (%s) to %s", sb->len ? "; " : "", d->sys, act, d->first->what);
	if (d->more)
		strbuf_appendf(sb, " and %u more step%s", d->more, d->more == 1 ? "" : "s");
}

int cf_preflight(const struct cf_plan *plan, const struct cf_bpf_prog *prog,
		 const char *profile_label, struct cf_diag *reterr)
{
	struct denied denied[CF_PLAN_MAX_STEPS];
	size_t n_denied = 0;

	if (!prog || plan->seccomp_step >= plan->n_steps)
		return 0;

	/* Every step after the install, so that a strict profile learns all of callfence's needs
	 * in one run instead of one per retry. */
	for (size_t i = plan->seccomp_step + 1; i < plan->n_steps; i++) {
		const struct cf_step *s = &plan->steps[i];
		const char *sys = cf_step_syscall_name(s);
		uint32_t ret = 0;
		size_t j;
		int r;

		r = cf_preflight_sim(prog, (int)s->nr, s->args, &ret);
		if (r < 0)
			return diag_set(
				reterr, EINVAL, profile_label, 0, 0, NULL,
				"internal error: the compiled filter does not simulate (%s)",
				strerror(-r));
		if (cf_preflight_runs(ret) &&
		    (ret & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_USER_NOTIF)
			continue;

		if (s->kind == CF_STEP_EXECVE) {
			char act[96];

			describe_action(ret, act, sizeof(act));
			diag_set(reterr, EPERM, profile_label, 0, 0, NULL,
				 "the profile denies execve (%s), so no command can start under it",
				 act);
			diag_hint(reterr, "allow execve in the profile");
			return -EPERM;
		}
		for (j = 0; j < n_denied; j++)
			if (strcmp(denied[j].sys, sys) == 0)
				break;
		if (j < n_denied) {
			denied[j].more++;
			continue;
		}
		denied[n_denied++] = (struct denied){ .sys = sys, .first = s, .ret = ret };
	}
	if (!n_denied)
		return 0;

	{
		const char *names[CF_PLAN_MAX_STEPS];
		struct strbuf list = { 0 }, rule = { 0 };

		for (size_t j = 0; j < n_denied; j++) {
			names[j] = denied[j].sys;
			append_denied(&list, &denied[j]);
		}
		cf_allow_rule(&rule, names, n_denied);
		if (list.oom || rule.oom) {
			strbuf_clear(&list);
			strbuf_clear(&rule);
			return diag_set(reterr, ENOMEM, profile_label, 0, 0, NULL,
					"out of memory describing the launcher's denied calls");
		}
		diag_set(
			reterr, EPERM, profile_label, 0, 0, NULL,
			"the profile denies %zu system call%s callfence needs after installing the "
			"filter: %s",
			n_denied, n_denied == 1 ? "" : "s", list.buf);
		if (plan->no_new_privileges)
			diag_hint(reterr, "add this rule to the profile's syscalls: %s", rule.buf);
		else
			diag_hint(
				reterr,
				"add this rule to the profile's syscalls: %s; or use --security-opt "
				"no-new-privileges so the filter goes in last and only execve is needed",
				rule.buf);
		strbuf_clear(&list);
		strbuf_clear(&rule);
	}
	return -EPERM;
}
