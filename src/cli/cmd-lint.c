/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "analyze/lint.h"
#include "cli/commands.h"
#include "cli/lint-format.h"
#include "cli/opts.h"

enum lint_format {
	LINT_TEXT,
	LINT_JSON,
	LINT_SARIF,
};

static void lint_usage(FILE *f)
{
	fprintf(f,
		"Usage: callfence lint [OPTIONS] PROFILE...\n\n"
		"Check Docker/OCI seccomp profiles for holes, runtime breakage and rules that do\n"
		"not do what they say, answered for the capabilities, arch and kernel given\n"
		"(default: Docker's 14 capabilities, this machine). PROFILE is a file, '-'\n"
		"(stdin) or 'builtin' (Docker's default profile).\n\n"
		"  -f, --format FORMAT    text (default), json ({\"findings\": [...]}) or sarif\n"
		"                         (SARIF 2.1.0, for code-scanning UIs)\n"
		"  -h, --help             this help\n\n"
		"Checks (stable ids): dangerous-syscall, deny-list-twin, clone3-eperm,\n"
		"cap-spelling, arch-spelling, same-as-default, errno-zero, runtime-bootstrap,\n"
		"duplicate-name, unknown-syscall, arg-index-or, runtime-refuses.\n\n"
		"Exit status: 0 nothing at warning or above, 1 a warning or error, 125 a profile\n"
		"cannot be read.\n\n%s"
		"      --security-opt no-new-privileges  check runc's and crun's order with it\n",
		opts_security_help);
}

/* One file's findings in reading order (stable: checks keep their order on one line). */
static void sort_by_position(struct cf_lint_finding *f, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct cf_lint_finding x = f[i];
		size_t j = i;

		while (j > 0 && (f[j - 1].line > x.line ||
				 (f[j - 1].line == x.line && f[j - 1].column > x.column))) {
			f[j] = f[j - 1];
			j--;
		}
		f[j] = x;
	}
}

int cmd_lint(int argc, char **argv)
{
	static const struct option longopts[] = {
		CF_SECURITY_LONG_OPTIONS,
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cf_cli_security sec = { 0 };
	struct cf_lint_opts lo = { 0 };
	struct cf_lint_result res = { 0 };
	enum lint_format format = LINT_TEXT;
	bool unreadable = false;
	struct cf_diag d;
	int opt, r;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+f:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			lint_usage(stdout);
			return 0;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				format = LINT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				format = LINT_JSON;
			else if (strcmp(optarg, "sarif") == 0)
				format = LINT_SARIF;
			else {
				fprintf(stderr,
					"callfence: --format: unknown format \"%s\"; valid: text, json, sarif\n",
					optarg);
				return CF_EXIT_ERROR;
			}
			break;
		case '?':
			lint_usage(stderr);
			return CF_EXIT_ERROR;
		default:
			r = opts_handle_security(opt, optarg, &sec, &d);
			if (r < 0) {
				output_diag(&d, "error");
				return CF_EXIT_ERROR;
			}
			if (r == 0) {
				lint_usage(stderr);
				return CF_EXIT_ERROR;
			}
		}
	}
	if (sec.seccomp) {
		fprintf(stderr, "callfence: lint: give the profiles as arguments, not with "
				"--security-opt seccomp=\n");
		return CF_EXIT_ERROR;
	}
	if (optind >= argc) {
		fprintf(stderr,
			"callfence: lint: no profile given; try 'callfence lint builtin'\n");
		return CF_EXIT_ERROR;
	}
	r = opts_resolve_options(&sec, &lo.resolve, &d);
	if (r < 0) {
		output_diag(&d, "error");
		return CF_EXIT_ERROR;
	}
	/* Docker's own default is without no-new-privileges: runc installs the filter first */
	lo.no_new_privileges = sec.no_new_privileges;

	for (int i = optind; i < argc; i++) {
		size_t first = res.n;

		memset(&d, 0, sizeof(d));
		r = cf_lint_file(argv[i], &lo, &res, &d);
		sort_by_position(res.items + first, res.n - first);
		if (r < 0) {
			if (d.message[0])
				output_diag(&d, "error");
			else
				fprintf(stderr, "callfence: lint: %s: %s\n", argv[i], strerror(-r));
			unreadable = true;
			if (r == -ENOMEM)
				break;
		}
	}
	switch (format) {
	case LINT_TEXT:
		r = lint_print_text(stdout, &res);
		break;
	case LINT_JSON:
		r = lint_print_json(stdout, &res);
		break;
	case LINT_SARIF:
		r = lint_print_sarif(stdout, &res);
		break;
	}
	int max = cf_lint_max_severity(&res);

	cf_lint_result_clear(&res);
	if (r < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "callfence: lint: cannot write the findings\n");
		return CF_EXIT_ERROR;
	}
	if (unreadable)
		return CF_EXIT_ERROR;
	return max >= CF_LINT_WARNING ? 1 : 0;
}
