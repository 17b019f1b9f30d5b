/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli/run-prep.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

int cli_run_prepare(struct cf_cli_security *sec, char **cmd, struct cli_run_prep *p)
{
	struct cf_diag diag;
	char self_uid[24];
	const char *user_spec = sec->user;
	int r;

	r = cf_caller_get(&p->caller);
	if (r < 0) {
		fprintf(stderr, "callfence: reading your credentials: %s\n", strerror(-r));
		return CF_EXIT_ERROR;
	}
	/* Docker always runs the process as some user: without --user it is the image's default
	 * (root), and moby's getUser still hands runc the primary gid as a supplementary group
	 * (plus /etc/group memberships). Mirror that for the caller's own uid, so groups match
	 * Docker's and a profile that denies setgroups fails here as it would in runc. A caller
	 * without CAP_SETUID/CAP_SETGID keeps its own ids and groups (cf_caller_check_user). */
	/* --group-add without --user: the caller's own user, with its groups, plus those */
	if (!user_spec && (geteuid() == 0 || p->n_group_add)) {
		snprintf(self_uid, sizeof(self_uid), "%u", (unsigned)getuid());
		user_spec = self_uid;
	}
	if (user_spec) {
		r = cf_creds_lookup(user_spec, NULL, NULL, &p->creds, &diag);
		if (r == 0)
			r = cf_creds_add_groups(&p->creds, p->group_add, p->n_group_add, NULL,
						&diag);
		if (r == 0)
			r = cf_caller_check_user(&p->caller, &p->creds, user_spec, &p->have_creds,
						 &diag);
		if (r < 0) {
			output_diag(&diag, "error");
			return CF_EXIT_ERROR;
		}
	}
	/* What the caller can grant decides the capability set, and so the filter's gates. */
	cf_caller_cap_limit(&p->caller, p->have_creds ? p->creds.uid == 0 : p->caller.euid == 0,
			    &p->cap_limit);
	sec->cap_limit = &p->cap_limit;

	r = opts_load_confinement(sec, &p->conf, &diag);
	if (r < 0) {
		output_diag(&diag, "error");
		return CF_EXIT_ERROR;
	}
	if (p->conf.resolved)
		output_warnings(&p->conf.resolved->warnings);
	if (!p->conf.seccomp_disabled) {
		r = opts_compile_filter(&p->conf, &p->prog, &diag);
		if (r < 0) {
			output_diag(&diag, "error");
			return CF_EXIT_ERROR;
		}
	}
	r = cf_exec_find(cmd[0], p->envp ? p->envp : environ, &p->path);
	if (r == -ENOENT) {
		fprintf(stderr, "callfence: exec: %s: executable file not found in $PATH\n",
			cmd[0]);
		return CF_EXIT_NOT_FOUND;
	}
	if (r < 0) {
		fprintf(stderr, "callfence: exec: %s: %s\n", cmd[0], strerror(-r));
		return CF_EXIT_ERROR;
	}
	return 0;
}

void cli_run_spec(const struct cli_run_prep *p, const struct cf_cli_security *sec,
		  const struct cf_bpf_prog *prog, char **cmd, struct cf_run_spec *ret)
{
	*ret = (struct cf_run_spec){
		.prog = prog,
		.flags_explicit = p->conf.profile && p->conf.profile->has_flags,
		.caps = p->conf.caps,
		.no_new_privileges = p->conf.no_new_privileges,
		.no_new_privileges_refused =
			sec->no_new_privileges_given && !sec->no_new_privileges,
		.caller = &p->caller,
		.creds = p->have_creds ? &p->creds : NULL,
		.path = p->path,
		.argv = cmd,
		.envp = p->envp ? p->envp : environ,
	};
}

void cli_run_prep_clear(struct cli_run_prep *p)
{
	free(p->path);
	p->path = NULL;
	p->prog = cf_bpf_prog_free(p->prog);
	cf_creds_clear(&p->creds);
	cf_caller_clear(&p->caller);
	cf_confinement_clear(&p->conf);
}

static void report_launcher_failure(const struct cf_plan *plan, const struct cf_run_result *res,
				    const char *cmd)
{
	const struct cf_step *s;

	if (res->failed_step >= plan->n_steps) {
		fprintf(stderr, "callfence: the launcher failed: %s\n", strerror(res->error));
		return;
	}
	s = &plan->steps[res->failed_step];
	if (s->kind == CF_STEP_EXECVE) {
		fprintf(stderr, "callfence: exec: %s: %s\n", cmd, strerror(res->error));
		return;
	}
	fprintf(stderr, "callfence: %s failed (%s): %s\n", cf_step_syscall_name(s), s->what,
		strerror(res->error));
}

void cli_run_report(const struct cf_plan *plan, const struct cf_run_result *res, const char *cmd0)
{
	if (res->launcher_failed)
		report_launcher_failure(plan, res, cmd0);
	if (res->listener_failed)
		fprintf(stderr,
			"callfence: cannot hand the seccomp notify fd to the agent at listenerPath "
			"%s: %s: %s; the command was not started\n",
			plan->listener_path, res->listener_stage ? res->listener_stage : "handoff",
			strerror(res->error));
	if (res->confine_failed)
		fprintf(stderr,
			"callfence: cannot confine itself before the command (%s): %s; the command was "
			"not started\n",
			res->confine_stage ? res->confine_stage : "self-confinement",
			strerror(res->error));
}
