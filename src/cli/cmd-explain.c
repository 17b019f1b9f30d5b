/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * callfence explain SYSCALL [ARG...] [OPTIONS]
 *
 * What one call gets under the profile and capabilities the options describe, which rule
 * decides, why the other rules naming the syscall did not, and the fixes ranked by privilege.
 * Exit status: 0 the call is allowed, 1 it is denied, 125 callfence's own error.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/run-explain.h"
#include "explain/explain.h"
#include "observe/observe.h"
#include "run/supervise.h"

enum {
	OPT_JSON = OPT_SHARED_LAST + 1,
	OPT_ABI,
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: callfence explain [OPTIONS] SYSCALL [ARG...]\n\n"
		"Say what SYSCALL (with arguments ARG..., default 0) gets under the profile and\n"
		"capabilities, which rule decides it, why the other rules naming it did not, and\n"
		"the fixes, least privilege first. Arguments are numbers (42, 0x2a, 052, -1 after\n"
		"--) or constants: AF_ALG, SOCK_STREAM, CLONE_NEWUSER|CLONE_NEWNS, PER_LINUX32,\n"
		"MPOL_BIND, PR_SET_NO_NEW_PRIVS, SYSLOG_ACTION_READ_ALL, O_RDWR|O_CREAT ...\n\n"
		"%s"
		"      --abi ARCH                       the caller's ABI (e.g. SCMP_ARCH_X86 for an\n"
		"                                       i386 program under an x86_64 filter)\n"
		"      --json                           one JSON object instead of text\n"
		"  -h, --help                           show this help\n\n"
		"Exit status: 0 allowed, 1 denied, 125 error.\n",
		opts_security_help);
}

static int fail(const struct cf_diag *d)
{
	output_diag(d, "error");
	return CF_EXIT_ERROR;
}

int cmd_explain(int argc, char **argv)
{
	static const struct option longopts[] = {
		CF_SECURITY_LONG_OPTIONS,
		{ "json", no_argument, NULL, OPT_JSON },
		{ "abi", required_argument, NULL, OPT_ABI },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cf_cli_security sec = { 0 };
	struct cf_confinement conf = { 0 };
	struct cf_explain_ctx ctx = { 0 };
	struct cf_explanation *e = NULL;
	struct cf_call call;
	struct cf_diag diag;
	const char *abi = NULL;
	cleanup_free char *text = NULL;
	enum cf_arch arch;
	bool json = false;
	int c, r, code = CF_EXIT_ERROR;
	char **pos;
	int n_pos;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case OPT_JSON:
			json = true;
			break;
		case OPT_ABI:
			abi = optarg;
			break;
		case ':':
			fprintf(stderr, "callfence explain: option %s needs a value\n",
				argv[optind - 1]);
			return CF_EXIT_ERROR;
		case '?':
			if (optopt)
				fprintf(stderr,
					"callfence explain: unknown option -%c (negative numbers "
					"go after --)\n",
					optopt);
			else
				fprintf(stderr, "callfence explain: unknown option %s\n",
					argv[optind - 1]);
			fprintf(stderr, "Run 'callfence explain --help' for the options.\n");
			return CF_EXIT_ERROR;
		default:
			r = opts_handle_security(c, optarg, &sec, &diag);
			if (r < 0)
				return fail(&diag);
			if (r == 0 || c == OPT_USER)
				return CF_EXIT_ERROR;
		}
	}
	pos = argv + optind;
	n_pos = argc - optind;
	if (n_pos < 1) {
		fprintf(stderr, "callfence explain: no syscall given\n"
				"Usage: callfence explain [OPTIONS] SYSCALL [ARG...]\n");
		return CF_EXIT_ERROR;
	}
	if (n_pos > 7) {
		fprintf(stderr, "callfence explain: a syscall has at most 6 arguments, %d given\n",
			n_pos - 1);
		return CF_EXIT_ERROR;
	}

	r = opts_load_confinement(&sec, &conf, &diag);
	if (r < 0)
		return fail(&diag);
	if (conf.resolved)
		output_warnings(&conf.resolved->warnings);

	arch = conf.resolved ? conf.resolved->native : arch_native();
	if (!conf.resolved && sec.arch) {
		arch = arch_from_alias(sec.arch);
		if (arch == CF_ARCH_INVALID)
			arch = arch_native();
	}
	if (abi) {
		arch = arch_from_alias(abi);
		if (arch == CF_ARCH_INVALID || !arch_info(arch)->has_table) {
			fprintf(stderr,
				"callfence explain: --abi: unknown architecture \"%s\"; valid: "
				"%s\n",
				abi, arch_valid_names());
			goto out;
		}
	}
	r = cf_call_init(&call, arch, pos[0]);
	if (r < 0) {
		if (syscall_name_known(pos[0]))
			fprintf(stderr, "callfence explain: %s does not exist on %s\n", pos[0],
				arch_info(arch)->scmp_name);
		else
			fprintf(stderr,
				"callfence explain: unknown syscall \"%s\" (not in the "
				"syscall tables of Linux %s)\n",
				pos[0], syscall_table_version());
		goto out;
	}
	for (int i = 1; i < n_pos; i++) {
		r = cf_explain_parse_arg(call.name, (unsigned)(i - 1), pos[i], &call.args[i - 1],
					 &diag);
		if (r < 0) {
			code = fail(&diag);
			goto out;
		}
	}
	call.n_given = (unsigned)(n_pos - 1);

	ctx = (struct cf_explain_ctx){
		.profile = conf.seccomp_disabled ? NULL : conf.profile,
		.resolved = conf.seccomp_disabled ? NULL : conf.resolved,
		.seccomp_disabled = conf.seccomp_disabled,
		.privileged = sec.privileged,
		.explicit_profile = sec.seccomp && strcmp(sec.seccomp, "builtin") != 0 &&
				    strcmp(sec.seccomp, "unconfined") != 0,
		.label = conf.seccomp_label,
	};
	ctx.opts.bounding = conf.caps;
	ctx.opts.native = arch;

	e = calloc(1, sizeof(*e));
	if (!e) {
		fprintf(stderr, "callfence explain: out of memory\n");
		goto out;
	}
	r = cf_explain_call(&ctx, NULL, &call, true, e);
	if (r < 0) {
		fprintf(stderr, "callfence explain: %s\n", strerror(-r));
		goto out;
	}
	r = json ? cf_explain_format_json(&ctx, e, &text) : cf_explain_format_text(&ctx, e, &text);
	if (r < 0) {
		fprintf(stderr, "callfence explain: %s\n", strerror(-r));
		goto out;
	}
	fputs(text, stdout);
	if (json)
		fputc('\n', stdout);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "callfence explain: write error: %s\n", strerror(errno));
		goto out;
	}
	code = e->denied ? 1 : 0;
out:
	free(e);
	cf_confinement_clear(&conf);
	return code;
}

/* ------------------------------------------------------------------------------------------- */
/* run --explain / --complain */

const char run_explain_help[] =
	"      --explain[=json]                 report every denied call on stderr as it happens\n"
	"                                       (pid, call, action, deciding rule, fix) and a\n"
	"                                       summary with the smallest fix set at exit\n"
	"      --explain-out FILE               write the profile + the needed rules to FILE\n"
	"                                       (- is stdout; checked before the command runs;\n"
	"                                       a device or FIFO is written in place)\n"
	"      --complain                       report what the profile would deny, but allow it\n"
	"                                       (not confinement: denied calls run)\n"
	"      --explain-backend ebpf|ptrace    how denials are seen (default: ebpf, else ptrace\n"
	"                                       with a warning; see callfence-run(1))\n";

int run_explain_option(struct run_explain *x, int opt, const char *arg)
{
	switch (opt) {
	case OPT_EXPLAIN:
		x->enabled = true;
		if (!arg || strcmp(arg, "text") == 0) {
			x->json = false;
		} else if (strcmp(arg, "json") == 0) {
			x->json = true;
		} else {
			fprintf(stderr,
				"callfence run: --explain=%s: valid: --explain, --explain=text, "
				"--explain=json\n",
				arg);
			return -1;
		}
		return 1;
	case OPT_EXPLAIN_OUT:
		if (cli_output_check_name("--explain-out", arg) < 0)
			return -1;
		x->enabled = true;
		x->out = arg;
		return 1;
	case OPT_COMPLAIN:
		x->enabled = true;
		x->complain = true;
		return 1;
	case OPT_EXPLAIN_BACKEND:
		if (strcmp(arg, "ebpf") == 0) {
			x->backend = RUN_EXPLAIN_EBPF;
		} else if (strcmp(arg, "ptrace") == 0) {
			x->backend = RUN_EXPLAIN_PTRACE;
		} else {
			fprintf(stderr,
				"callfence run: --explain-backend=%s: valid: ebpf, ptrace\n", arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

static void report_line(void *userdata, const char *line)
{
	struct run_explain *x = userdata;

	if (x->n_reported < ARRAY_SIZE(x->reported))
		snprintf(x->reported[x->n_reported], sizeof(x->reported[0]), "%s", line);
	x->n_reported++;
	fprintf(stderr, "%s\n", line);
}

/*
 * The eBPF observer keeps the installed program byte-identical to a plain run's, so the
 * command is confined exactly as much; the ptrace supervisor needs a rewritten program whose
 * denials become TRACE, which a USER_NOTIF filter of the command outranks and a CLONE_UNTRACED
 * child escapes (docs/ARCHITECTURE.md). --complain lets denied calls run on purpose, which only
 * the supervisor can do.
 */
static int start_observer(struct run_explain *x, const struct cf_denials_opts *o)
{
	const char *why = NULL;
	int r;

	if (x->complain || x->backend == RUN_EXPLAIN_PTRACE)
		return -EOPNOTSUPP;
	r = cf_observer_new(o, &x->obs, &why);
	if (r == 0)
		return 0;
	if (x->backend == RUN_EXPLAIN_EBPF) {
		fprintf(stderr, "callfence: --explain-backend=ebpf: %s\n", why);
		return -1;
	}
	if (x->json)
		/* every stderr line of --explain=json is a JSON object */
		fprintf(stderr,
			"{\"event\":\"warning\",\"backend\":\"ptrace\",\"reason\":\"no eBPF "
			"observer: %s\",\"limit\":\"a ptrace tracer or USER_NOTIF filter of the "
			"command itself can run calls the profile denies\"}\n",
			why);
	else
		fprintf(stderr,
			"callfence: --explain: no eBPF observer (%s); using the ptrace supervisor, "
			"under which a ptrace tracer or USER_NOTIF filter of the command itself can "
			"run calls the profile denies\n",
			why);
	return -EOPNOTSUPP;
}

int run_explain_setup(struct run_explain *x, const struct cf_cli_security *sec,
		      const struct cf_confinement *conf, const struct cf_bpf_prog *prog,
		      const struct cf_bpf_prog **install)
{
	struct cf_denials_opts o;
	int r;

	*install = prog;
	/* open (or refuse) the output now, before the command runs: a bad name must not cost a
	 * run, and a device, FIFO or symlink must never be replaced by a file */
	if (x->out) {
		if (cli_output_open("--explain-out", x->out, &x->out_file) < 0)
			return -1;
		x->out_opened = true;
	}
	if (!x->enabled)
		return 0;
	/* jansson seeds its hash tables from /dev/urandom with the first object; the reports
	 * are built after the parent confined itself (no open(2) then), so seed it now */
	json_object_seed(0);
	x->ctx = (struct cf_explain_ctx){
		.profile = conf->seccomp_disabled ? NULL : conf->profile,
		.resolved = conf->seccomp_disabled ? NULL : conf->resolved,
		.seccomp_disabled = conf->seccomp_disabled,
		.privileged = sec->privileged,
		.explicit_profile = sec->seccomp && strcmp(sec->seccomp, "builtin") != 0 &&
				    strcmp(sec->seccomp, "unconfined") != 0,
		.label = conf->seccomp_label,
	};
	x->ctx.opts.bounding = conf->caps;
	if (!prog || conf->seccomp_disabled) {
		fprintf(stderr, "callfence: %s: seccomp is disabled (%s): nothing can be denied\n",
			x->complain ? "--complain" : "--explain", conf->seccomp_label);
		x->enabled = false;
		return 0;
	}
	o = (struct cf_denials_opts){
		.mode = x->complain ? CF_SUPERVISE_COMPLAIN : CF_SUPERVISE_EXPLAIN,
		.format = x->json ? CF_SUPERVISE_JSON : CF_SUPERVISE_TEXT,
		.ctx = &x->ctx,
		.prog = prog,
		.report = report_line,
		.userdata = x,
	};
	r = start_observer(x, &o);
	if (r == 0)
		return 0; /* *install stays the plain run's program */
	if (r != -EOPNOTSUPP)
		return -1;
	r = cf_explain_rewrite_prog(prog, x->complain ? CF_REWRITE_COMPLAIN : CF_REWRITE_EXPLAIN,
				    &x->prog);
	if (r < 0) {
		fprintf(stderr, "callfence: --explain: cannot prepare the filter: %s\n",
			strerror(-r));
		return -1;
	}
	r = cf_supervisor_new(&o, &x->sup);
	if (r < 0) {
		fprintf(stderr, "callfence: --explain: cannot start the supervisor: %s\n",
			strerror(-r));
		return -1;
	}
	*install = x->prog;
	return 0;
}

int run_explain_exec(struct run_explain *x, const struct cf_plan *plan, struct cf_run_result *res)
{
	int r;

	if (x->obs) {
		struct cf_run_observer hooks;

		cf_observer_hooks(x->obs, &hooks);
		return cf_run_exec_observed(plan, &hooks, res);
	}
	if (!x->sup)
		return cf_run_exec(plan, res);
	r = cf_run_exec_supervised(plan, x->sup, res);
	if (r == -EPERM)
		fprintf(stderr, "callfence: --explain: ptrace is not permitted here "
				"(kernel.yama.ptrace_scope, or callfence is itself traced)\n");
	return r;
}

int run_explain_finish(struct run_explain *x)
{
	cleanup_free char *lines = NULL, *profile = NULL;
	int r;

	if (x->obs)
		r = cf_observer_summary(x->obs, x->out, &lines, x->out ? &profile : NULL);
	else if (x->sup)
		r = cf_supervisor_summary(x->sup, x->out, &lines, x->out ? &profile : NULL);
	else
		return 0;
	if (r < 0) {
		fprintf(stderr, "callfence: --explain: no summary: %s\n", strerror(-r));
		return -1;
	}
	fprintf(stderr, "%s\n", lines);
	if (x->out) {
		const char *text = profile;
		cleanup_free char *plain = NULL;
		struct cf_emit_opts eo = { .format = CF_EMIT_DOCKER };

		/* no rule needed: the file is the original profile, so it can be used as is */
		if (!text && cf_emit(x->ctx.profile, NULL, &eo, &plain) == 0)
			text = plain;
		if (!text) {
			fprintf(stderr, "callfence: --explain-out %s: cannot build the profile\n",
				x->out);
			return -1;
		}
		if (cli_output_write("--explain-out", x->out, &x->out_file, text, strlen(text)) < 0)
			return -1;
	}
	return 0;
}

void run_explain_clear(struct run_explain *x)
{
	x->obs = cf_observer_free(x->obs);
	x->sup = cf_supervisor_free(x->sup);
	x->prog = cf_bpf_prog_free(x->prog);
	if (x->out_opened)
		cf_outfile_close(&x->out_file);
	x->out_opened = false;
}
