/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "record/synth.h"
#include "run/run.h"

/*
 * `--for RUNTIME`, shared by record and predict: what the runtime starting the command calls
 * after it installs the filter, so the profile lets the runtime finish starting it. runc (also
 * Docker's runtime) and crun: the lists measured from their sources (run/runtime-needs.c).
 * callfence: the launcher's plan after the filter step (exec.c; preflight.c checks the same
 * list), which record has because it builds the plan; predict runs nothing, so it takes the
 * plan of `callfence run` with its defaults as root (what record's plan holds then): runc's
 * order without no-new-privileges, bounding-set drops (prctl), the user switch Docker always
 * makes (uid 0 by default: setgroups, setgid, setuid), capset, execve. capget is not in it:
 * caps-apply.c reads the current sets while planning, before the filter.
 */

const char *const cf_synth_runtimes[] = { "docker", "runc", "crun", "callfence", "none" };
const size_t cf_synth_n_runtimes = ARRAY_SIZE(cf_synth_runtimes);

static const struct cf_synth_need callfence_default[] = {
	{ .name = "execve" },	 { .name = "capset" }, { .name = "prctl" },
	{ .name = "setgroups" }, { .name = "setgid" }, { .name = "setuid" },
};

const char *cf_synth_runtime_label(const char *runtime)
{
	if (strcmp(runtime, "none") == 0)
		return NULL;
	return strcmp(runtime, "docker") == 0 ? "runc (Docker's runtime)" : runtime;
}

static int from_plan(const struct cf_plan *plan, struct cf_synth_need *out, size_t max)
{
	size_t n = 0;

	for (size_t i = plan->seccomp_step + 1; i < plan->n_steps; i++) {
		const struct cf_step *s = &plan->steps[i];
		const char *name = cf_step_syscall_name(s);
		size_t j;

		if (!name)
			continue;
		for (j = 0; j < n && strcmp(out[j].name, name) != 0; j++)
			;
		if (j == n) {
			if (n == max)
				return -E2BIG;
			out[n++] = (struct cf_synth_need){ .name = name };
		}
		/* prctl: the options the plan uses (PR_CAPBSET_DROP, PR_SET_KEEPCAPS, ...) */
		if (strcmp(name, "prctl") == 0 && out[j].n_arg0 < ARRAY_SIZE(out[j].arg0)) {
			bool seen = false;

			for (unsigned k = 0; k < out[j].n_arg0; k++)
				seen |= out[j].arg0[k] == s->args[0];
			if (!seen)
				out[j].arg0[out[j].n_arg0++] = s->args[0];
		}
	}
	return (int)n;
}

int cf_synth_runtime_needs(const char *runtime, bool no_new_privileges, const struct cf_plan *plan,
			   struct cf_synth_need *out, size_t max)
{
	struct cf_runtime_call calls[48];
	int n;

	if (strcmp(runtime, "none") == 0)
		return 0;
	if (strcmp(runtime, "callfence") == 0) {
		if (plan)
			return from_plan(plan, out, max);
		if (max < ARRAY_SIZE(callfence_default))
			return -E2BIG;
		memcpy(out, callfence_default, sizeof(callfence_default));
		return (int)ARRAY_SIZE(callfence_default);
	}
	n = cf_runtime_calls(strcmp(runtime, "docker") == 0 ? "runc" : runtime, no_new_privileges,
			     calls, ARRAY_SIZE(calls));
	if (n < 0)
		return n;
	if ((size_t)n > max)
		return -E2BIG;
	for (int i = 0; i < n; i++) {
		out[i] = (struct cf_synth_need){ .name = calls[i].name,
						 .fallback = calls[i].fallback,
						 .n_arg0 = calls[i].n_arg0 };
		memcpy(out[i].arg0, calls[i].arg0, sizeof(out[i].arg0));
	}
	return n;
}
