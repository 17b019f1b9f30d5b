/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * callfence record [OPTIONS] [-o FILE] [--format docker|oci] [--for RUNTIME] [--verify]
 *                  [--] COMMAND [ARGS...]
 * callfence record --merge [-o FILE] PROFILE...
 *
 * Runs COMMAND exactly as `run` would, with the profile observed instead of enforced
 * (src/observe/record-exec.h), turns what it did into a profile no looser than the one given
 * (src/record/synth.h) and writes it. Exit status: the command's (125 for callfence's own
 * errors, as run).
 *
 * The parent confines itself before the command runs (src/run/self-confine.c), so everything
 * after the recording (synthesis, the output file) was prepared before: the output is opened
 * and checked, jansson seeded, the kernel version and capability count read. --verify needs a
 * second run, which the confined parent can no longer start: the recording then happens in a
 * child and this process, which never shares a process tree with an unconfined command it
 * could be attacked from (the command of --verify may not hold CAP_SYS_PTRACE), replays it.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "base/cleanup.h"
#include "base/strbuf.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "cli/run-explain.h"
#include "cli/run-prep.h"
#include "observe/record-exec.h"
#include "record/synth.h"
#include "run/run.h"

enum {
	OPT_OUTPUT = OPT_SHARED_LAST + 0x200,
	OPT_FORMAT,
	OPT_FOR,
	OPT_BACKEND,
	OPT_VERIFY,
	OPT_MERGE,
};

struct rec_cli {
	struct cf_cli_security sec;
	const char *out; /* NULL: stdout */
	enum cf_synth_format format;
	const char *runtime; /* cf_synth_runtimes[] */
	enum cf_rec_backend backend;
	bool verify;
	bool merge;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: callfence record [OPTIONS] [-o FILE] [--] COMMAND [ARGS...]\n"
		"       callfence record --merge [-o FILE] PROFILE...\n\n"
		"Run COMMAND exactly as `callfence run` would, with the seccomp profile observed\n"
		"instead of enforced, and write the smallest profile that lets it do what it did:\n"
		"never looser than the profile given (default: Docker's), argument conditions kept,\n"
		"one rule per reason with a comment. Calls the profile denies are not added: they\n"
		"are reported with the least-privilege fix. A short summary goes to stderr.\n\n"
		"%s"
		"  -u, --user USER[:GROUP]              run as this user (as docker run -u)\n\n"
		"Recording:\n"
		"  -o, --output FILE                    write the profile to FILE (default: stdout\n"
		"                                       after the command; '-' is stdout)\n"
		"      --format docker|oci              a Docker profile (default), or the OCI\n"
		"                                       fragment: process.capabilities reduced to\n"
		"                                       those used, noNewPrivileges, linux.seccomp\n"
		"      --for docker|runc|crun|callfence|none\n"
		"                                       add what that runtime calls after installing\n"
		"                                       the filter (default docker, i.e. runc;\n"
		"                                       callfence: callfence run; none: nothing)\n"
		"      --backend auto|ebpf|ptrace       observer: eBPF (root, kernel BTF), or ptrace\n"
		"                                       (slower, cannot see capability checks);\n"
		"                                       auto: eBPF, else ptrace (said once)\n"
		"      --verify                         then run COMMAND again under the new profile\n"
		"                                       with --explain; non-zero naming the calls if\n"
		"                                       anything is denied or the status differs\n"
		"      --merge                          unite profiles written by record (several\n"
		"                                       runs, replicas) without widening any rule\n"
		"  -h, --help                           show this help\n\n"
		"Exit status: the command's; 125 callfence's own error, 126 cannot execute, 127 not\n"
		"found. --verify: 1 (or the command's non-zero status) when the replay fails.\n",
		opts_security_help);
}

static int fail(const struct cf_diag *d)
{
	output_diag(d, "error");
	return CF_EXIT_ERROR;
}

/* ------------------------------------------------------------------------------------------- */
/* Summary */

static void append_quoted(struct strbuf *b, const char *arg)
{
	if (*arg && strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				"-_./=:,+@%") == strlen(arg)) {
		strbuf_append(b, arg);
		return;
	}
	strbuf_append(b, "'");
	for (const char *p = arg; *p; p++) {
		if (*p == '\'')
			strbuf_append(b, "'\\''");
		else
			strbuf_appendf(b, "%c", *p);
	}
	strbuf_append(b, "'");
}

static void caps_args(struct strbuf *b, cf_capset caps)
{
	strbuf_append(b, " --cap-drop ALL");
	for (int c = 0; c < 64; c++) {
		const char *n = caps_to_name(c);

		if ((caps & CF_CAP_BIT(c)) && n)
			strbuf_appendf(b, " --cap-add %s", strncmp(n, "CAP_", 4) == 0 ? n + 4 : n);
	}
}

static void print_denied(const struct cf_synth_result *res, const char *base_label)
{
	for (size_t i = 0; i < res->n_denied; i++) {
		const struct cf_synth_denied *d = &res->denied[i];

		fprintf(stderr,
			"callfence record: not added: %s%s%s (x%" PRIu64
			"%s%s): %s answers %s%s%s\n",
			d->call, d->arch != arch_native() ? " on " : "",
			d->arch != arch_native() ? arch_info(d->arch)->scmp_name : "", d->count,
			d->origin[0] ? ", by " : "", d->origin, base_label, d->verdict,
			d->fix[0] ? "; fix: " : "", d->fix);
	}
	if (res->has_fixes && res->n_denied > 1) {
		struct strbuf b = { 0 };
		cleanup_free char *text = NULL;

		for (int c = 0; c < 64; c++)
			if (res->fixes.caps & CF_CAP_BIT(c))
				strbuf_appendf(&b, " --cap-add %s", caps_to_name(c) + 4);
		for (size_t i = 0; i < res->fixes.n_rules; i++) {
			char j[512];

			cf_explain_rule_json(&res->fixes.rules[i], j, sizeof(j));
			if (j[0])
				strbuf_appendf(&b, "%s rule %s", b.len ? "," : "", j);
		}
		if (strbuf_steal(&b, &text) == 0 && text && text[0])
			fprintf(stderr, "callfence record: to allow all of them (%s):%s\n",
				res->fixes.verified ? "verified" : "not verified", text);
	}
}

static void print_summary(const struct rec_cli *a, const struct cf_recording *rec,
			  const struct cf_synth_result *res, const struct cf_confinement *conf,
			  char **cmd)
{
	const char *out = a->out && strcmp(a->out, "-") != 0 ? a->out : "PROFILE.json";
	struct strbuf b = { 0 };
	cleanup_free char *line = NULL;
	uint64_t calls = 0;
	char capsbuf[1024];

	for (size_t i = 0; i < rec->n_calls; i++)
		calls += rec->calls[i].count;
	fprintf(stderr,
		"callfence record: %zu distinct syscalls (%" PRIu64 " calls, %s observer)%s; "
		"the profile allows %zu names\n",
		rec->n_calls, calls, rec->observer ? rec->observer : "?",
		rec->lost ? " - INCOMPLETE: events were lost" : "", res->n_names);
	if (rec->lost)
		fprintf(stderr,
			"callfence record: %" PRIu64 " events lost: the profile may miss calls\n",
			rec->lost);
	if (res->caps_observed) {
		caps_format(res->caps, capsbuf, sizeof(capsbuf), ", ");
		fprintf(stderr, "callfence record: capabilities used: %s (the command held %d)\n",
			res->caps ? capsbuf : "none", __builtin_popcountll(conf->caps));
		if (rec->caps_denied & ~rec->caps_used) {
			caps_format(rec->caps_denied & ~rec->caps_used, capsbuf, sizeof(capsbuf),
				    ", ");
			fprintf(stderr,
				"callfence record: capabilities checked but not held (the command "
				"was refused them): %s\n",
				capsbuf);
		}
	} else {
		fprintf(stderr,
			"callfence record: capabilities: not observed by the %s observer; "
			"keeping the %d the command held\n",
			rec->observer ? rec->observer : "?", __builtin_popcountll(conf->caps));
	}
	if (res->n_runtime_added) {
		strbuf_appendf(&b,
			       "callfence record: added for --for %s (not called by the command):",
			       a->runtime);
		for (size_t i = 0; i < res->n_runtime_added; i++)
			strbuf_appendf(&b, " %s", res->runtime_added[i]);
		strbuf_append(&b, "\n");
	}
	if (res->n_runtime_denied) {
		strbuf_appendf(&b,
			       "callfence record: %s also needs, denied by %s (not added, %s would "
			       "not start the container under that profile either):",
			       a->runtime, conf->seccomp_label, a->runtime);
		for (size_t i = 0; i < res->n_runtime_denied; i++)
			strbuf_appendf(&b, " %s", res->runtime_denied[i]);
		strbuf_append(&b, "\n");
	}
	strbuf_appendf(&b, "callfence record: use it:\n  docker run --security-opt seccomp=%s",
		       out);
	if (conf->no_new_privileges)
		strbuf_append(&b, " --security-opt no-new-privileges");
	caps_args(&b, res->caps);
	if (a->sec.user)
		strbuf_appendf(&b, " --user %s", a->sec.user);
	strbuf_append(&b, " IMAGE");
	for (char **p = cmd; *p; p++) {
		strbuf_append(&b, " ");
		append_quoted(&b, *p);
	}
	strbuf_appendf(&b, "\n  callfence run --security-opt seccomp=%s", out);
	if (conf->no_new_privileges)
		strbuf_append(&b, " --security-opt no-new-privileges");
	caps_args(&b, res->caps);
	if (a->sec.user)
		strbuf_appendf(&b, " --user %s", a->sec.user);
	strbuf_append(&b, " --");
	for (char **p = cmd; *p; p++) {
		strbuf_append(&b, " ");
		append_quoted(&b, *p);
	}
	strbuf_append(&b, "\n");
	if (strbuf_steal(&b, &line) == 0)
		fputs(line, stderr);
}

/* ------------------------------------------------------------------------------------------- */
/* The recording run */

/* What --verify reads back from the recording child: "caps HEX OBSERVED\n" then the profile. */
static void hand_over(int fd, const struct cf_synth_result *res)
{
	char head[64];
	int n = snprintf(head, sizeof(head), "caps %" PRIx64 " %d\n", res->caps,
			 res->caps_observed);

	if (fd < 0)
		return;
	if (write(fd, head, (size_t)n) != n || write(fd, res->text, strlen(res->text)) < 0)
		fprintf(stderr, "callfence record: cannot hand the profile to --verify\n");
}

static int record_phase(struct rec_cli *a, char **cmd, int handover)
{
	cleanup(cf_plan_freep) struct cf_plan *plan = NULL;
	struct cli_run_prep prep = { 0 };
	struct cf_recording rec = { 0 };
	struct cf_synth_result res = { 0 };
	struct cf_run_result run = { 0 };
	struct cf_synth_need needs[64];
	struct cf_rec_watch *watch = NULL;
	struct cf_rec_opts ropts = { 0 };
	struct cf_explain_ctx ctx;
	struct cf_outfile of = CF_OUTFILE_INIT;
	struct cf_synth_opts so;
	struct cf_run_spec spec;
	struct cf_diag diag;
	const char *why = NULL;
	bool of_open = false;
	size_t n_needs = 0;
	int r, code;

	code = cli_run_prepare(&a->sec, cmd, &prep);
	if (code)
		goto out;
	code = CF_EXIT_ERROR;
	if (prep.prog && prep.prog->needs_listener) {
		fprintf(stderr,
			"callfence record: %s uses SCMP_ACT_NOTIFY (an agent decides those "
			"calls): such profiles are not recorded\n",
			prep.conf.seccomp_label);
		goto out;
	}
	if (a->verify && (prep.conf.caps & CF_CAP_BIT(CAP_SYS_PTRACE))) {
		fprintf(stderr,
			"callfence record: --verify keeps an unconfined callfence waiting above "
			"the command, which a command holding CAP_SYS_PTRACE could attach; record "
			"without --verify, then check with `callfence run --explain`\n");
		goto out;
	}
	ctx = (struct cf_explain_ctx){
		.profile = prep.conf.seccomp_disabled ? NULL : prep.conf.profile,
		.resolved = prep.conf.seccomp_disabled ? NULL : prep.conf.resolved,
		.seccomp_disabled = prep.conf.seccomp_disabled,
		.privileged = a->sec.privileged,
		.explicit_profile = a->sec.seccomp && strcmp(a->sec.seccomp, "builtin") != 0 &&
				    strcmp(a->sec.seccomp, "unconfined") != 0,
		.label = prep.conf.seccomp_label,
	};
	ctx.opts.bounding = prep.conf.caps;
	ctx.opts.native = prep.conf.resolved ? prep.conf.resolved->native : arch_native();
	/* the parent may not call uname(2) once the command runs: fix the kernel now */
	if (prep.conf.resolved)
		ctx.opts.kernel = prep.conf.resolved->kernel;
	else if (cf_kernel_running(&ctx.opts.kernel) < 0)
		goto out;
	r = cf_synth_arg_watch(ctx.resolved, &watch, &ropts.n_arg_watch);
	if (r < 0) {
		fprintf(stderr, "callfence record: %s\n", strerror(-r));
		goto out;
	}
	ropts.arg_watch = watch;

	cli_run_spec(&prep, &a->sec, prep.prog, cmd, &spec);
	r = cf_plan_build(&spec, &plan, &diag);
	if (r < 0) {
		code = fail(&diag);
		goto out;
	}
	r = cf_synth_runtime_needs(a->runtime, prep.conf.no_new_privileges, plan, needs,
				   ARRAY_SIZE(needs));
	if (r < 0) {
		fprintf(stderr, "callfence record: --for %s: %s\n", a->runtime, strerror(-r));
		goto out;
	}
	n_needs = (size_t)r;
	if (a->out && strcmp(a->out, "-") != 0) {
		if (cli_output_open("--output", a->out, &of) < 0)
			goto out;
		of_open = true;
	}
	/* what the confined parent can no longer do: read /dev/urandom (jansson's hash seed,
	 * used when the profile is parsed back), /proc/sys/kernel/cap_last_cap (cached) */
	json_object_seed(0);
	(void)caps_available();
	if (plan->nnp_note[0])
		fprintf(stderr, "callfence: %s\n", plan->nnp_note);

	fflush(stdout);
	fflush(stderr);
	r = cf_record_exec(plan, a->backend, &ropts, &rec, &run, &why);
	if (r < 0) {
		fprintf(stderr, "callfence record: cannot record with the %s observer: %s%s%s\n",
			cf_rec_backend_name(a->backend), strerror(-r), why ? ": " : "",
			why ? why : "");
		goto out;
	}
	if (why)
		fprintf(stderr,
			"callfence record: no eBPF observer (%s): recording with ptrace, slower, "
			"capability checks not seen\n",
			why);
	cli_run_report(plan, &run, cmd[0]);
	code = run.exit_code;
	if (run.launcher_failed || run.listener_failed || run.confine_failed)
		goto out;

	so = (struct cf_synth_opts){
		.base = &ctx,
		.format = a->format,
		.label = "recorded",
		.tool = "callfence record",
		.runtime = cf_synth_runtime_label(a->runtime),
		.needs = needs,
		.n_needs = n_needs,
		.run_caps = prep.conf.caps,
		.no_new_privileges = prep.conf.no_new_privileges,
	};
	r = cf_synth(&rec, &so, &res, &diag);
	if (r < 0) {
		if (r == -ENOMEM)
			fprintf(stderr, "callfence record: out of memory\n");
		else
			output_diag(&diag, "error");
		code = CF_EXIT_ERROR;
		goto out;
	}
	print_denied(&res, prep.conf.seccomp_label);
	if (of_open) {
		r = cli_output_write("--output", a->out, &of, res.text, strlen(res.text));
		of_open = false;
		if (r < 0) {
			code = CF_EXIT_ERROR;
			goto out;
		}
	} else {
		fputs(res.text, stdout);
		fflush(stdout);
	}
	print_summary(a, &rec, &res, &prep.conf, cmd);
	hand_over(handover, &res);
out:
	cf_outfile_close(&of); /* also after the write: it frees the names (safe twice) */
	cf_synth_result_clear(&res);
	cf_recording_clear(&rec);
	free(watch);
	cli_run_prep_clear(&prep);
	return code;
}

/* ------------------------------------------------------------------------------------------- */
/* --verify */

/* Forward signals to the recording child until it exits; its status as an exit code. */
static int wait_forwarding(pid_t child)
{
	sigset_t all, old;
	int status = 0;

	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigprocmask(SIG_BLOCK, &all, &old);
	for (;;) {
		siginfo_t si;
		pid_t w = waitpid(child, &status, WNOHANG);

		if (w == child)
			break;
		if (w < 0 && errno != EINTR) {
			status = CF_EXIT_ERROR << 8;
			break;
		}
		if (sigwaitinfo(&all, &si) < 0 || si.si_signo == SIGCHLD)
			continue;
		(void)kill(child, si.si_signo);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static char *read_all(int fd)
{
	struct strbuf b = { 0 };
	char buf[4096];
	off_t off = 0;
	ssize_t n;
	char *ret = NULL;

	while ((n = pread(fd, buf, sizeof(buf) - 1, off)) > 0) {
		buf[n] = '\0';
		strbuf_append(&b, buf);
		off += n;
	}
	if (strbuf_steal(&b, &ret) < 0)
		return NULL;
	return ret;
}

/* The syscall of a report line: "callfence: pid 7 (thread 8): mkdir("/x", 0755) -> EPERM ..." */
static void call_name(const char *line, char *name, size_t size)
{
	const char *p = line, *b;

	name[0] = '\0';
	while ((p = strchr(p, '('))) {
		if (p > line && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			break;
		p++;
	}
	if (!p)
		return;
	for (b = p; b > line && (isalnum((unsigned char)b[-1]) || b[-1] == '_'); b--)
		;
	snprintf(name, size, "%.*s", (int)(p - b), b);
}

/* Whether the profile answers name with errnoRet ENOSYS by a rule of its own. */
static bool answers_enosys(const struct cf_profile *p, const char *name)
{
	for (size_t i = 0; p && i < p->n_rules; i++) {
		const struct cf_rule *r = &p->rules[i];

		if (r->action != CF_ACT_ERRNO || !r->has_errno || r->errno_ret != ENOSYS)
			continue;
		for (size_t j = 0; j < r->n_names; j++)
			if (strcmp(r->names[j], name) == 0)
				return true;
	}
	return false;
}

static int verify_phase(struct rec_cli *a, char **cmd, const char *handed, int recorded)
{
	cleanup(cf_plan_freep) struct cf_plan *plan = NULL;
	struct cf_cli_security sec = a->sec;
	struct cli_run_prep prep = { 0 };
	struct run_explain x = { 0 };
	struct cf_run_result res = { 0 };
	const struct cf_bpf_prog *install = NULL;
	const char *label = a->out && strcmp(a->out, "-") != 0 ? a->out : "the recorded profile";
	const char *text = strchr(handed, '\n');
	unsigned long long caps = 0;
	int observed = 0, code = CF_EXIT_ERROR, r;
	struct strbuf denied = { 0 };
	size_t n_denied = 0;
	cleanup_close int fd = -1;
	char path[64];
	struct cf_run_spec spec;
	struct cf_diag diag;

	if (!text || sscanf(handed, "caps %llx %d", &caps, &observed) != 2)
		return CF_EXIT_ERROR;
	text++;
	/* the profile as the user got it, through the normal loader */
	fd = memfd_create("callfence-verify", MFD_CLOEXEC);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		fprintf(stderr, "callfence record --verify: %s\n", strerror(errno));
		return CF_EXIT_ERROR;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	sec.seccomp = path;
	if (observed) {
		/* replay with what the summary tells the user to run with */
		sec.privileged = false;
		sec.n_cap_add = 0;
		sec.cap_drop[0] = "ALL";
		sec.n_cap_drop = 1;
		for (int c = 0; c < 64 && sec.n_cap_add < ARRAY_SIZE(sec.cap_add); c++)
			if ((caps & (1ull << c)) && caps_to_name(c))
				sec.cap_add[sec.n_cap_add++] = caps_to_name(c);
	}
	fprintf(stderr, "callfence record --verify: running it again under %s with --explain\n",
		label);
	code = cli_run_prepare(&sec, cmd, &prep);
	if (code)
		goto out;
	code = CF_EXIT_ERROR;
	prep.conf.seccomp_label = label;
	if (prep.conf.profile) {
		/* messages name the file the user has, not the memfd it was read from */
		char *src = strdup(label);

		if (src) {
			free(prep.conf.profile->source);
			prep.conf.profile->source = src;
		}
	}
	if (run_explain_option(&x, OPT_EXPLAIN, NULL) < 0 ||
	    run_explain_setup(&x, &sec, &prep.conf, prep.prog, &install) < 0)
		goto out;
	cli_run_spec(&prep, &sec, install, cmd, &spec);
	r = cf_plan_build(&spec, &plan, &diag);
	if (r == 0)
		r = cf_preflight(plan, prep.prog, label, &diag);
	if (r < 0) {
		output_diag(&diag, "error");
		fprintf(stderr,
			"callfence record --verify: FAILED: callfence's own launcher cannot "
			"start the command under the profile (record with --for callfence)\n");
		code = recorded ? recorded : 1;
		goto out;
	}
	fflush(stdout);
	fflush(stderr);
	r = run_explain_exec(&x, plan, &res);
	if (r < 0) {
		fprintf(stderr, "callfence: cannot start the command: %s\n", strerror(-r));
		goto out;
	}
	cli_run_report(plan, &res, cmd[0]);
	(void)run_explain_finish(&x);
	for (size_t i = 0; i < x.n_reported && i < ARRAY_SIZE(x.reported); i++) {
		char name[64];

		/* only live denial lines ("callfence: pid N: call(...) -> ..."): the summary and
		 * the continuation lines explain's reporter also hands us are not denials */
		if (strncmp(x.reported[i], "callfence: pid ", 15) != 0)
			continue;
		call_name(x.reported[i], name, sizeof(name));
		/* the libc probes get ENOSYS on purpose (synth.h); anything else is a miss */
		if (strstr(x.reported[i], "-> ENOSYS") && answers_enosys(prep.conf.profile, name))
			continue;
		if (!strstr(denied.buf ? denied.buf : "", name))
			strbuf_appendf(&denied, "%s%s", denied.len ? ", " : "", name);
		n_denied++;
	}
	if (x.n_reported > ARRAY_SIZE(x.reported) && n_denied)
		n_denied += x.n_reported - ARRAY_SIZE(x.reported);
	if (n_denied == 0 && res.exit_code == recorded) {
		fprintf(stderr,
			"callfence record --verify: ok: the replay under %s exited %d as recorded, "
			"nothing denied\n",
			label, res.exit_code);
		code = recorded;
		goto out;
	}
	if (n_denied)
		fprintf(stderr,
			"callfence record --verify: FAILED: the replay under %s was denied %zu "
			"call(s): %s%s (exit %d, recorded %d)\n",
			label, n_denied, denied.buf ? denied.buf : "",
			x.n_reported > ARRAY_SIZE(x.reported) ? ", ..." : "", res.exit_code,
			recorded);
	else
		fprintf(stderr,
			"callfence record --verify: FAILED: the replay under %s exited %d, the "
			"recording %d (nothing denied: capabilities, or the command differs run to "
			"run)\n",
			label, res.exit_code, recorded);
	code = recorded ? recorded : 1;
out:
	strbuf_clear(&denied);
	run_explain_clear(&x);
	cli_run_prep_clear(&prep);
	return code;
}

static int record_verified(struct rec_cli *a, char **cmd)
{
	cleanup_close int fd = memfd_create("callfence-record", MFD_CLOEXEC);
	cleanup_free char *handed = NULL;
	pid_t pid;
	int code;

	if (fd < 0) {
		fprintf(stderr, "callfence record --verify: memfd_create: %s\n", strerror(errno));
		return CF_EXIT_ERROR;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "callfence record --verify: fork: %s\n", strerror(errno));
		return CF_EXIT_ERROR;
	}
	if (pid == 0)
		exit(record_phase(a, cmd, fd));
	/* non-dumpable: ptrace of this process and /proc/PID/mem need CAP_SYS_PTRACE, which
	 * record_phase refuses to give the command with --verify */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	code = wait_forwarding(pid);
	handed = read_all(fd);
	if (!handed || !handed[0])
		return code; /* no profile: the recording said why */
	return verify_phase(a, cmd, handed, code);
}

/* ------------------------------------------------------------------------------------------- */
/* --merge */

static int merge(struct rec_cli *a, char **files, int n)
{
	struct cf_profile **in = calloc((size_t)n, sizeof(*in));
	cleanup_free char *text = NULL;
	cleanup(cf_outfile_closep) struct cf_outfile of = CF_OUTFILE_INIT;
	struct cf_diag diag;
	int r = 0, code = CF_EXIT_ERROR;

	if (!in)
		return CF_EXIT_ERROR;
	if (a->out && strcmp(a->out, "-") != 0 && cli_output_open("--output", a->out, &of) < 0)
		goto out;
	for (int i = 0; i < n && r == 0; i++)
		r = cf_profile_parse_file(files[i], &in[i], &diag);
	if (r == 0)
		r = cf_synth_merge((const struct cf_profile *const *)in, (const char *const *)files,
				   (size_t)n, &text, &diag);
	if (r < 0) {
		if (r == -ENOMEM)
			fprintf(stderr, "callfence record --merge: out of memory\n");
		else
			output_diag(&diag, "error");
		goto out;
	}
	if (a->out && strcmp(a->out, "-") != 0) {
		if (cli_output_write("--output", a->out, &of, text, strlen(text)) < 0)
			goto out;
	} else {
		fputs(text, stdout);
	}
	fprintf(stderr, "callfence record --merge: united %d profiles into %s\n", n,
		a->out ? a->out : "stdout");
	code = 0;
out:
	for (int i = 0; i < n; i++)
		cf_profile_free(in[i]);
	free(in);
	return code;
}

/* ------------------------------------------------------------------------------------------- */

static int parse_args(int argc, char **argv, struct rec_cli *a)
{
	static const struct option longopts[] = {
		CF_SECURITY_LONG_OPTIONS,
		{ "user", required_argument, NULL, OPT_USER },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "for", required_argument, NULL, OPT_FOR },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "verify", no_argument, NULL, OPT_VERIFY },
		{ "merge", no_argument, NULL, OPT_MERGE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "docker", "oci" };
	static const char *const backends[] = { "auto", "ebpf", "ptrace" };
	struct cf_diag diag;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hu:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "callfence record: option %s needs a value\n",
				argv[optind - 1]);
			return CF_EXIT_ERROR;
		case '?':
			if (optopt)
				fprintf(stderr, "callfence record: unknown option -%c\n", optopt);
			else
				fprintf(stderr, "callfence record: unknown option %s\n",
					argv[optind - 1]);
			fprintf(stderr, "Run 'callfence record --help' for the options.\n");
			return CF_EXIT_ERROR;
		case 'o':
		case OPT_OUTPUT:
			if (cli_output_check_name("--output", optarg) < 0)
				return CF_EXIT_ERROR;
			a->out = optarg;
			break;
		case OPT_FORMAT:
			r = opts_parse_choice("record", "--format", optarg, formats,
					      ARRAY_SIZE(formats));
			if (r < 0)
				return CF_EXIT_ERROR;
			a->format = r == 0 ? CF_SYNTH_DOCKER : CF_SYNTH_OCI;
			break;
		case OPT_FOR:
			r = opts_parse_choice("record", "--for", optarg, cf_synth_runtimes,
					      cf_synth_n_runtimes);
			if (r < 0)
				return CF_EXIT_ERROR;
			a->runtime = cf_synth_runtimes[r];
			break;
		case OPT_BACKEND:
			r = opts_parse_choice("record", "--backend", optarg, backends,
					      ARRAY_SIZE(backends));
			if (r < 0)
				return CF_EXIT_ERROR;
			a->backend = (enum cf_rec_backend)r;
			break;
		case OPT_VERIFY:
			a->verify = true;
			break;
		case OPT_MERGE:
			a->merge = true;
			break;
		case 'u':
			c = OPT_USER;
			__attribute__((fallthrough));
		default:
			r = opts_handle_security(c, optarg, &a->sec, &diag);
			if (r < 0)
				return fail(&diag);
			if (r == 0 && c == OPT_USER)
				a->sec.user = optarg;
			else if (r == 0)
				return CF_EXIT_ERROR;
		}
	}
	if (a->sec.arch || a->sec.kernel) {
		fprintf(stderr,
			"callfence record: --arch and --kernel are what-if options of export "
			"and explain; record runs on this kernel and architecture\n");
		return CF_EXIT_ERROR;
	}
	if (optind >= argc) {
		fprintf(stderr, "callfence record: no %s given\n",
			a->merge ? "profile to merge" : "command");
		fprintf(stderr,
			"Usage: callfence record [OPTIONS] [-o FILE] [--] COMMAND [ARGS...]\n"
			"       callfence record --merge [-o FILE] PROFILE...\n");
		return CF_EXIT_ERROR;
	}
	return -1;
}

int cmd_record(int argc, char **argv)
{
	struct rec_cli a = { .runtime = "docker" };
	int r = parse_args(argc, argv, &a);

	if (r >= 0)
		return r;
	if (a.merge) {
		if (a.verify || a.sec.seccomp || a.sec.n_cap_add || a.sec.n_cap_drop ||
		    a.sec.privileged || a.sec.user) {
			fprintf(stderr,
				"callfence record --merge: takes only -o and the profiles\n");
			return CF_EXIT_ERROR;
		}
		return merge(&a, argv + optind, argc - optind);
	}
	if (a.verify)
		return record_verified(&a, argv + optind);
	return record_phase(&a, argv + optind, -1);
}
