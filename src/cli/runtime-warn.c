/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The "Docker would fail" warning of run and export (the lists: src/run/runtime-needs.c).
 */
#include "cli/runtime-warn.h"

#include <stdio.h>
#include <string.h>

#include "base/strbuf.h"
#include "run/run.h"

#define MAX_RUNTIMES 4

static void print_names(const struct cf_runtime_gap *g)
{
	for (size_t i = 0; i < g->n; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", g->names[i]);
}

void warn_runtime_gaps(const char *profile_label, const struct cf_bpf_prog *prog,
		       bool no_new_privileges, bool from_run)
{
	struct cf_runtime_gap gaps[MAX_RUNTIMES], other[MAX_RUNTIMES];
	const char *all[MAX_RUNTIMES * CF_RUNTIME_GAP_MAX];
	struct strbuf rule = { 0 };
	size_t n_all = 0;
	int n = cf_runtime_gaps(prog, no_new_privileges, gaps, MAX_RUNTIMES);

	if (n <= 0)
		return;
	if (n > MAX_RUNTIMES)
		n = MAX_RUNTIMES;
	for (int i = 0; i < n; i++) {
		fprintf(stderr,
			"callfence: warning: %s denies %zu system call%s that %s makes after "
			"installing the filter %s no-new-privileges: ",
			profile_label, gaps[i].n, gaps[i].n == 1 ? "" : "s", gaps[i].runtime,
			no_new_privileges ? "with" : "without");
		print_names(&gaps[i]);
		fprintf(stderr, "; %s %s to start this container%s\n", gaps[i].runtime,
			gaps[i].sometimes ? "may fail (depending on scheduling)" : "would fail",
			from_run ? " (callfence needs fewer calls and runs it)" : "");
		/* one rule for every runtime: the union, in table order */
		for (size_t j = 0; j < gaps[i].n; j++) {
			size_t k = 0;

			while (k < n_all && strcmp(all[k], gaps[i].names[j]) != 0)
				k++;
			if (k == n_all)
				all[n_all++] = gaps[i].names[j];
		}
	}
	cf_allow_rule(&rule, all, n_all);
	if (!rule.oom)
		fprintf(stderr,
			"callfence: hint: to keep the profile portable, add this rule to its "
			"syscalls: %s%s\n",
			rule.buf,
			!no_new_privileges &&
					cf_runtime_gaps(prog, true, other, MAX_RUNTIMES) == 0 ?
				"; or use --security-opt no-new-privileges (then runc and crun "
				"install the filter last)" :
				"");
	strbuf_clear(&rule);
}

void warn_export_runtime_gaps(const struct cf_confinement *conf)
{
	struct cf_bpf_prog *prog = NULL;
	struct cf_diag d;

	if (opts_compile_filter(conf, &prog, &d) < 0)
		return;
	warn_runtime_gaps(conf->seccomp_label, prog, conf->no_new_privileges, false);
	cf_bpf_prog_free(prog);
}
