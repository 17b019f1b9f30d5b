/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * callfence run [OPTIONS] [--] COMMAND [ARGS...]
 *
 * Options and exit codes as docker run: 125 for callfence's own errors before the command
 * starts, 126 when it cannot be executed, 127 when it is not found, otherwise its status
 * (128+N when killed by signal N). Everything that can fail is done before fork: load and
 * resolve the profile, compile it, look up --user and the executable, build the launcher's
 * plan and simulate it against the filter.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/run-explain.h" /* explain team: --explain/--complain */
#include "cli/run-opts.h" /* Docker's process options: -e, -w, -t, --ulimit, ... */
#include "cli/run-prep.h"
#include "cli/runtime-warn.h"
#include "run/run.h"

extern char **environ;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: callfence run [OPTIONS] [--] COMMAND [ARGS...]\n\n"
		"Run COMMAND confined as in a Docker container: the seccomp profile, the capability\n"
		"set and no-new-privileges Docker would apply (no namespaces, no daemon).\n"
		"As a normal user it works too: no-new-privileges is then set, and the command\n"
		"keeps your ids and only capabilities you hold (ROOTLESS in callfence-run(1)).\n\n"
		"%s%s%s"
		"  -u, --user USER[:GROUP]              run as this user (names from /etc/passwd and\n"
		"                                       /etc/group, or numeric ids), as docker run -u\n"
		"  -h, --help                           show this help\n\n"
		"Container-only options of docker run (--rm, -d, -v, -p, --network, --name,\n"
		"--mount, --entrypoint, ...) are refused with what to do instead.\n"
		"Exit status: 125 callfence's own error (nothing ran), 126 cannot execute,\n"
		"127 not found, otherwise the command's status (128+N when killed by signal N).\n",
		opts_security_help, run_process_help, run_explain_help);
}

static int fail(const struct cf_diag *d)
{
	output_diag(d, "error");
	return CF_EXIT_ERROR;
}

int cmd_run(int argc, char **argv)
{
	static const struct option own[] = {
		CF_SECURITY_LONG_OPTIONS,
		RUN_EXPLAIN_LONG_OPTIONS,
		{ "user", required_argument, NULL, OPT_USER },
		{ "help", no_argument, NULL, 'h' },
	};
	struct option longopts[ARRAY_SIZE(own) + 64];
	struct run_process proc = { 0 };
	struct cf_env env = { 0 };
	struct cf_pty pty = CF_PTY_INIT;
	size_t n_opts = 0;
	cleanup(cf_plan_freep) struct cf_plan *plan = NULL;
	struct cf_cli_security sec = { 0 };
	struct cli_run_prep prep = { 0 };
	struct cf_run_result res = { 0 };
	struct cf_run_spec spec;
	struct run_explain explain = { 0 };
	const struct cf_bpf_prog *install = NULL;
	struct cf_diag diag;
	int c, r, code = CF_EXIT_ERROR;
	char **cmd;

	for (size_t i = 0; i < ARRAY_SIZE(own); i++)
		longopts[n_opts++] = own[i];
	n_opts += run_process_longopts(longopts + n_opts, ARRAY_SIZE(longopts) - n_opts - 1);
	longopts[n_opts] = (struct option){ NULL, 0, NULL, 0 };

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hu:" RUN_PROCESS_SHORT_OPTIONS, longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "callfence run: option %s needs a value\n",
				argv[optind - 1]);
			return CF_EXIT_ERROR;
		case '?':
			opts_unknown_option("run", argv[optind - 1], optopt, longopts);
			return CF_EXIT_ERROR;
		case 'u':
			c = OPT_USER;
			__attribute__((fallthrough));
		default:
			r = run_process_option(&proc, c, optarg);
			if (r < 0)
				return CF_EXIT_ERROR;
			if (r > 0)
				break;
			r = run_explain_option(&explain, c, optarg);
			if (r < 0)
				return CF_EXIT_ERROR;
			if (r > 0)
				break;
			r = opts_handle_security(c, optarg, &sec, &diag);
			if (r < 0)
				return fail(&diag);
			if (r == 0 && c == OPT_USER)
				sec.user = optarg;
			else if (r == 0)
				return CF_EXIT_ERROR;
		}
	}
	if (sec.arch || sec.kernel) {
		fprintf(stderr,
			"callfence run: --arch and --kernel are what-if options of export and "
			"explain; run always uses the running kernel and architecture\n");
		return CF_EXIT_ERROR;
	}
	if (optind >= argc) {
		fprintf(stderr, "callfence run: no command given\n");
		fprintf(stderr, "Usage: callfence run [OPTIONS] [--] COMMAND [ARGS...]\n");
		return CF_EXIT_ERROR;
	}
	cmd = argv + optind;
	if (run_process_env(&proc, environ, &env) < 0 || run_process_check_workdir(&proc) < 0)
		goto out;

	prep.group_add = proc.group_add;
	prep.n_group_add = proc.n_group_add;
	prep.envp = env.v;
	code = cli_run_prepare(&sec, cmd, &prep);
	if (code)
		goto out;
	code = CF_EXIT_ERROR;
	if (prep.prog && prep.prog->needs_listener && explain.enabled) {
		/* The supervisor's ptrace stops and the listener handoff both need the parent
		 * while the child waits; and --complain would rewrite NOTIFY away from the agent. */
		fprintf(stderr,
			"callfence run: %s uses SCMP_ACT_NOTIFY (an agent on listenerPath decides "
			"those calls); --explain and --complain do not support it: drop the option, or "
			"use `callfence explain` on the profile instead\n",
			prep.conf.seccomp_label);
		goto out;
	}
	if (run_explain_setup(&explain, &sec, &prep.conf, prep.prog, &install) < 0)
		goto out;

	cli_run_spec(&prep, &sec, install, cmd, &spec);
	spec.workdir = proc.workdir;
	spec.ulimits = proc.ulimits;
	spec.n_ulimits = proc.n_ulimits;
	if (prep.conf.profile) {
		spec.listener_path = prep.conf.profile->listener_path;
		spec.listener_metadata = prep.conf.profile->listener_metadata;
	}
	if (proc.tty) {
		r = cf_pty_open(&pty);
		if (r < 0) {
			fprintf(stderr, "callfence run: -t: cannot open a pseudo-terminal: %s\n",
				strerror(-r));
			goto out;
		}
		/* runc's fixStdioPermissions gives the container user its stdio; this pty is
		 * callfence's own, made for this run: the --user command may reopen it by path */
		if (prep.have_creds && fchown(pty.slave, prep.creds.uid, (gid_t)-1) < 0) {
			fprintf(stderr, "callfence run: -t: cannot give the pty to uid %u: %s\n",
				(unsigned)prep.creds.uid, strerror(errno));
			goto out;
		}
		spec.pty = &pty;
	}
	r = cf_plan_build(&spec, &plan, &diag);
	if (r < 0) {
		code = fail(&diag);
		goto out;
	}
	r = cf_preflight(plan, prep.prog, prep.conf.seccomp_label, &diag);
	if (r < 0) {
		code = fail(&diag);
		goto out;
	}
	if (plan->nnp_note[0]) /* rootless: once, one line */
		fprintf(stderr, "callfence: %s\n", plan->nnp_note);
	/* what Docker's runtime would do with the profile as asked (the user's NNP setting, not
	 * the one an unprivileged run forces) */
	warn_runtime_gaps(prep.conf.seccomp_label, prep.prog, prep.conf.no_new_privileges, true);

	fflush(stdout);
	fflush(stderr);
	r = run_explain_exec(&explain, plan, &res);
	if (r < 0) {
		fprintf(stderr, "callfence: cannot start the command: %s\n", strerror(-r));
		goto out;
	}
	cli_run_report(plan, &res, cmd[0]);
	code = res.exit_code;
	(void)run_explain_finish(&explain);
out:
	cf_pty_close(&pty);
	cf_env_clear(&env);
	run_explain_clear(&explain);
	cli_run_prep_clear(&prep);
	return code;
}
