/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * confine [--cap-add CAP]... [--cap-drop CAP]... [--explain SYSCALL] CMD [ARGS...]
 *
 * Runs CMD under Docker's default seccomp profile and capability set (its 14 defaults, changed
 * by --cap-add/--cap-drop) using only libcallfence's public API. The smallest runtime there is:
 * what `callfence run CMD` does, in one process, with the filter compiled by libcallfence
 * instead of libseccomp. --explain SYSCALL prints what the filter does with SYSCALL instead.
 *
 * Build: cc confine.c $(pkg-config --cflags --libs callfence) -o confine
 * Exit status: 125 confine's own error, 126 cannot execute, 127 not found, else CMD's (it
 * replaces confine); --explain: 0 allowed, 1 denied.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <callfence/callfence.h>

#define MAX_CAPS 32

static int usage(void)
{
	fprintf(stderr, "Usage: confine [--cap-add CAP]... [--cap-drop CAP]... "
			"[--explain SYSCALL] CMD [ARGS...]\n");
	return 125;
}

static int report(const char *what, int r, struct callfence_error *err)
{
	if (err)
		fprintf(stderr, "confine: %s: %s\n", what, callfence_error_text(err));
	else
		fprintf(stderr, "confine: %s: %s\n", what, strerror(-r));
	callfence_error_free(err);
	return 125;
}

static int explain(struct callfence_filter *f, const char *syscall)
{
	struct callfence_explanation *e = NULL;
	int r = callfence_explain(f, syscall, NULL, 0, &e);

	if (r < 0)
		return report(syscall, r, NULL);
	fputs(callfence_explanation_text(e), stdout);
	printf("decided by: %s\n", callfence_explanation_rule(e));
	if (callfence_explanation_fix(e)[0])
		printf("least-privilege fix: %s\n", callfence_explanation_fix(e));
	r = callfence_explanation_denied(e) ? 1 : 0;
	callfence_explanation_free(e);
	return r;
}

int main(int argc, char **argv)
{
	const char *add[MAX_CAPS + 1] = { NULL }, *drop[MAX_CAPS + 1] = { NULL };
	size_t n_add = 0, n_drop = 0;
	const char *explain_call = NULL;
	struct callfence_profile *p = NULL;
	struct callfence_filter *f = NULL;
	struct callfence_error *err = NULL;
	int i, r;

	for (i = 1; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--cap-add") == 0 && n_add < MAX_CAPS)
			add[n_add++] = argv[i + 1];
		else if (strcmp(argv[i], "--cap-drop") == 0 && n_drop < MAX_CAPS)
			drop[n_drop++] = argv[i + 1];
		else if (strcmp(argv[i], "--explain") == 0)
			explain_call = argv[i + 1];
		else
			return usage();
	}
	if (i >= argc && !explain_call)
		return usage();

	r = callfence_profile_builtin(&p);
	if (r < 0)
		return report("builtin profile", r, NULL);
	r = callfence_filter_new(p, add, drop, 0, &f, &err);
	/* the filter holds its own reference to the profile */
	p = callfence_profile_free(p);
	if (r < 0)
		return report("compiling the profile", r, err);

	if (explain_call) {
		r = explain(f, explain_call);
		callfence_filter_free(f);
		return r;
	}
	/* returns only on failure */
	r = callfence_exec(f, argv[i], argv + i, NULL, 0, &err);
	callfence_filter_free(f);
	report(argv[i], r, err);
	return r == -ENOENT ? 127 : r == -EACCES ? 126 : 125;
}
