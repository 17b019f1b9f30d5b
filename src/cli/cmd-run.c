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
	cleanup(cf_bpf_prog_freep) struct cf_bpf_prog *prog = NULL;
	cleanup(cf_plan_freep) struct cf_plan *plan = NULL;
	struct cf_cli_security sec = { 0 };
	struct cf_confinement conf = { 0 };
	struct cf_creds creds = { 0 };
	struct cf_caller caller = { 0 };
	struct cf_cap_limit cap_limit;
	cleanup_free char *path = NULL;
	struct cf_run_result res = { 0 };
	struct cf_run_spec spec;
	struct run_explain explain = { 0 };
	const struct cf_bpf_prog *install = NULL;
	struct cf_diag diag;
	bool have_creds = false;
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

	r = cf_caller_get(&caller);
	if (r < 0) {
		fprintf(stderr, "callfence: reading your credentials: %s\n", strerror(-r));
		goto out;
	}
	/* Docker always runs the process as some user: without --user it is the image's default
	 * (root), and moby's getUser still hands runc the primary gid as a supplementary group
	 * (plus /etc/group memberships). Mirror that for the caller's own uid, so groups match
	 * Docker's and a profile that denies setgroups fails here as it would in runc. A caller
	 * without CAP_SETUID/CAP_SETGID keeps its own ids and groups (cf_caller_check_user). */
	char self_uid[24];
	const char *user_spec = sec.user;
	if (!user_spec && geteuid() == 0) {
		snprintf(self_uid, sizeof(self_uid), "%u", (unsigned)getuid());
		user_spec = self_uid;
	}
	/* --group-add without --user: the caller's own user, with its groups, plus those */
	if (!user_spec && proc.n_group_add) {
		snprintf(self_uid, sizeof(self_uid), "%u", (unsigned)getuid());
		user_spec = self_uid;
	}
	if (user_spec) {
		r = cf_creds_lookup(user_spec, NULL, NULL, &creds, &diag);
		if (r == 0)
			r = cf_creds_add_groups(&creds, proc.group_add, proc.n_group_add, NULL,
						&diag);
		if (r == 0)
			r = cf_caller_check_user(&caller, &creds, user_spec, &have_creds, &diag);
		if (r < 0) {
			code = fail(&diag);
			goto out;
		}
	}
	/* What the caller can grant decides the capability set, and so the filter's gates. */
	cf_caller_cap_limit(&caller, have_creds ? creds.uid == 0 : caller.euid == 0, &cap_limit);
	sec.cap_limit = &cap_limit;

	r = opts_load_confinement(&sec, &conf, &diag);
	if (r < 0) {
		code = fail(&diag);
		goto out;
	}
	if (conf.resolved)
		output_warnings(&conf.resolved->warnings);

	if (!conf.seccomp_disabled) {
		r = opts_compile_filter(&conf, &prog, &diag);
		if (r < 0) {
			code = fail(&diag);
			goto out;
		}
	}
	if (prog && prog->needs_listener && explain.enabled) {
		/* The supervisor's ptrace stops and the listener handoff both need the parent
		 * while the child waits; and --complain would rewrite NOTIFY away from the agent. */
		fprintf(stderr,
			"callfence run: %s uses SCMP_ACT_NOTIFY (an agent on listenerPath decides "
			"those calls); --explain and --complain do not support it: drop the option, or "
			"use `callfence explain` on the profile instead\n",
			conf.seccomp_label);
		goto out;
	}
	if (run_explain_setup(&explain, &sec, &conf, prog, &install) < 0)
		goto out;
	r = cf_exec_find(cmd[0], env.v, &path);
	if (r == -ENOENT) {
		fprintf(stderr, "callfence: exec: %s: executable file not found in $PATH\n",
			cmd[0]);
		code = CF_EXIT_NOT_FOUND;
		goto out;
	}
	if (r < 0) {
		fprintf(stderr, "callfence: exec: %s: %s\n", cmd[0], strerror(-r));
		goto out;
	}

	spec = (struct cf_run_spec){
		.prog = install,
		.flags_explicit = conf.profile && conf.profile->has_flags,
		.caps = conf.caps,
		.no_new_privileges = conf.no_new_privileges,
		.no_new_privileges_refused = sec.no_new_privileges_given && !sec.no_new_privileges,
		.caller = &caller,
		.creds = have_creds ? &creds : NULL,
		.path = path,
		.argv = cmd,
		.envp = env.v,
		.workdir = proc.workdir,
		.ulimits = proc.ulimits,
		.n_ulimits = proc.n_ulimits,
		.listener_path = conf.profile ? conf.profile->listener_path : NULL,
		.listener_metadata = conf.profile ? conf.profile->listener_metadata : NULL,
	};
	if (proc.tty) {
		r = cf_pty_open(&pty);
		if (r < 0) {
			fprintf(stderr, "callfence run: -t: cannot open a pseudo-terminal: %s\n",
				strerror(-r));
			goto out;
		}
		/* runc's fixStdioPermissions gives the container user its stdio; this pty is
		 * callfence's own, made for this run: the --user command may reopen it by path */
		if (have_creds && fchown(pty.slave, creds.uid, (gid_t)-1) < 0) {
			fprintf(stderr, "callfence run: -t: cannot give the pty to uid %u: %s\n",
				(unsigned)creds.uid, strerror(errno));
			goto out;
		}
		spec.pty = &pty;
	}
	r = cf_plan_build(&spec, &plan, &diag);
	if (r < 0) {
		code = fail(&diag);
		goto out;
	}
	r = cf_preflight(plan, prog, conf.seccomp_label, &diag);
	if (r < 0) {
		code = fail(&diag);
		goto out;
	}
	if (plan->nnp_note[0]) /* rootless: once, one line */
		fprintf(stderr, "callfence: %s\n", plan->nnp_note);
	/* what Docker's runtime would do with the profile as asked (the user's NNP setting, not
	 * the one an unprivileged run forces) */
	warn_runtime_gaps(conf.seccomp_label, prog, conf.no_new_privileges, true);

	fflush(stdout);
	fflush(stderr);
	r = run_explain_exec(&explain, plan, &res);
	if (r < 0) {
		fprintf(stderr, "callfence: cannot start the command: %s\n", strerror(-r));
		goto out;
	}
	if (res.launcher_failed)
		report_launcher_failure(plan, &res, cmd[0]);
	if (res.listener_failed)
		fprintf(stderr,
			"callfence: cannot hand the seccomp notify fd to the agent at listenerPath "
			"%s: %s: %s; the command was not started\n",
			plan->listener_path, res.listener_stage ? res.listener_stage : "handoff",
			strerror(res.error));
	if (res.confine_failed)
		fprintf(stderr,
			"callfence: cannot confine itself before the command (%s): %s; the command was "
			"not started\n",
			res.confine_stage ? res.confine_stage : "self-confinement",
			strerror(res.error));
	code = res.exit_code;
	(void)run_explain_finish(&explain);
out:
	cf_pty_close(&pty);
	cf_env_clear(&env);
	run_explain_clear(&explain);
	cf_creds_clear(&creds);
	cf_caller_clear(&caller);
	cf_confinement_clear(&conf);
	return code;
}
