/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What `run` and `record` (its recording run and its --verify replay) decide before fork, in
 * one place: the caller's credentials, --user, what the caller can grant, the confinement the
 * options ask for, the compiled filter and the executable; and the messages for a launcher
 * that failed after the fork.
 */
#include <stdbool.h>

#include "cli/opts.h"
#include "run/run.h"

struct cli_run_prep {
	/* inputs, set before cli_run_prepare (both optional): --group-add, and the command's
	 * environment (-e, --env-file) whose PATH finds the executable, as docker does */
	const char *const *group_add;
	size_t n_group_add;
	char **envp;

	struct cf_caller caller;
	struct cf_creds creds;
	bool have_creds;
	struct cf_cap_limit cap_limit; /* sec->cap_limit points here after prepare */
	struct cf_confinement conf;
	struct cf_bpf_prog *prog; /* NULL when seccomp is disabled */
	char *path; /* the executable */
};

/* 0, or the exit code after printing why (125, 127 not found, ...). Clear p on every path. */
int cli_run_prepare(struct cf_cli_security *sec, char **cmd, struct cli_run_prep *p);
void cli_run_prep_clear(struct cli_run_prep *p);
/*
 * The run spec every launch of a prepared command shares (run, record, record --verify): the
 * program to install, capabilities, no-new-privileges, credentials, the executable, and the
 * environment (p->envp, else callfence's own). Callers add what only they have (run's -w,
 * --ulimit, -t, the NOTIFY listener).
 */
void cli_run_spec(const struct cli_run_prep *p, const struct cf_cli_security *sec,
		  const struct cf_bpf_prog *prog, char **cmd, struct cf_run_spec *ret);
/* The launcher, the listener handoff or the self-confinement failed: say what. */
void cli_run_report(const struct cf_plan *plan, const struct cf_run_result *res, const char *cmd0);
