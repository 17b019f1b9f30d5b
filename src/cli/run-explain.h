/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * `callfence run --explain[=json] [--explain-out FILE] | --complain`: the options and the glue
 * between cmd-run.c and the two backends: the eBPF observer (src/observe/, the program a plain
 * run installs, unchanged) and the ptrace supervisor (src/run/supervise.c, a rewritten program;
 * --complain, and --explain where BPF cannot load). Implemented in cmd-explain.c.
 */
#include <getopt.h>
#include <stdbool.h>

#include "bpf/filter.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "explain/explain.h"
#include "run/run.h"

enum {
	OPT_EXPLAIN = OPT_SHARED_LAST + 0x100,
	OPT_EXPLAIN_OUT,
	OPT_COMPLAIN,
	OPT_EXPLAIN_BACKEND,
};

#define RUN_EXPLAIN_LONG_OPTIONS                                                     \
	{ "explain", optional_argument, NULL, OPT_EXPLAIN },                         \
		{ "explain-out", required_argument, NULL, OPT_EXPLAIN_OUT },         \
		{ "explain-backend", required_argument, NULL, OPT_EXPLAIN_BACKEND }, \
	{                                                                            \
		"complain", no_argument, NULL, OPT_COMPLAIN                          \
	}

struct cf_supervisor;
struct cf_observer;

enum run_explain_backend {
	RUN_EXPLAIN_AUTO, /* eBPF observer, else ptrace with a warning */
	RUN_EXPLAIN_EBPF, /* eBPF observer or an error */
	RUN_EXPLAIN_PTRACE, /* the rewrite + ptrace supervisor (tests, comparisons) */
};

struct run_explain {
	bool enabled; /* --explain, --explain-out or --complain */
	bool complain;
	bool json;
	enum run_explain_backend backend; /* --explain-backend */
	const char *out; /* --explain-out FILE */
	struct cf_outfile out_file; /* opened by run_explain_setup(), before the command runs */
	bool out_opened; /* out_file is valid (the struct starts zeroed, fd 0 is not ours) */
	struct cf_explain_ctx ctx;
	struct cf_bpf_prog *prog; /* the rewritten program (ptrace backend only) */
	struct cf_supervisor *sup; /* ptrace backend: --complain, or no eBPF */
	struct cf_observer *obs; /* eBPF backend: the program runs unchanged */
	/* denial lines reported while the command ran (`record --verify` names them) */
	size_t n_reported;
	char reported[8][160];
};

extern const char run_explain_help[];

/* One getopt result: 1 handled, 0 not ours, -1 bad value (message printed). */
int run_explain_option(struct run_explain *x, int opt, const char *arg);
/* After compiling: open --explain-out, then start the eBPF observer, or rewrite the program and
 * create the supervisor; *install is the program to put in the plan (prog itself unless the
 * ptrace backend is used). 0, or -1 (message printed). Call run_explain_clear() on every path
 * after it. */
int run_explain_setup(struct run_explain *x, const struct cf_cli_security *sec,
		      const struct cf_confinement *conf, const struct cf_bpf_prog *prog,
		      const struct cf_bpf_prog **install);
/* cf_run_exec, supervised when --explain is on. */
CF_MUST_CHECK int run_explain_exec(struct run_explain *x, const struct cf_plan *plan,
				   struct cf_run_result *res);
/* The summary on stderr, --explain-out written. 0, or -1 when the file could not be written. */
int run_explain_finish(struct run_explain *x);
void run_explain_clear(struct run_explain *x);
