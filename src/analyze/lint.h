/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * callfence lint: findings about a profile, answered for one confinement (capabilities, native
 * arch, kernel), on the same parsed and resolved profile `run` uses. Findings are data; the CLI
 * formats them (text, JSON, SARIF). Ids are stable: scripts and code-scanning UIs key on them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cleanup.h"
#include "base/diag.h"
#include "base/macro.h"
#include "profile/profile.h"

enum cf_lint_severity {
	CF_LINT_INFO,
	CF_LINT_WARNING,
	CF_LINT_ERROR,
};

/* One check: its stable id, a one-line summary and where it comes from (SARIF rules[]). */
struct cf_lint_check {
	const char *id;
	const char *summary;
};
extern const struct cf_lint_check cf_lint_checks[];
extern const size_t cf_lint_n_checks;

struct cf_lint_finding {
	const char *id; /* one of cf_lint_checks[].id */
	enum cf_lint_severity severity;
	char file[256];
	unsigned line, column; /* 1-based; 0 when unknown (builtin) */
	char pointer[160]; /* JSON pointer of the value at fault */
	char message[768]; /* what and why, with the CVE or technique where one exists */
	char fix[512];
};

struct cf_lint_result {
	struct cf_lint_finding *items;
	size_t n, cap;
};
void cf_lint_result_clear(struct cf_lint_result *res);

struct cf_lint_opts {
	struct cf_resolve_opts resolve; /* capabilities, native arch, kernel */
	bool no_new_privileges; /* which runtime order runtime-bootstrap checks */
};

/*
 * Lint a profile text (source names it in findings). Appends findings to res. Returns 0, or
 * -EINVAL with diag filled when the profile cannot be read at all (bad JSON, or what the
 * parser and resolver refuse even leniently), or -ENOMEM.
 */
CF_MUST_CHECK int cf_lint_buffer(const char *source, const char *buf, size_t len,
				 const struct cf_lint_opts *opts, struct cf_lint_result *res,
				 struct cf_diag *reterr);
/* The same for a file ("-": stdin); "builtin" lints Docker's default profile. */
CF_MUST_CHECK int cf_lint_file(const char *path, const struct cf_lint_opts *opts,
			       struct cf_lint_result *res, struct cf_diag *reterr);

const char *cf_lint_severity_name(enum cf_lint_severity s); /* "error" */
/* Highest severity in res; -1 when there are no findings. */
int cf_lint_max_severity(const struct cf_lint_result *res);

/*
 * Names our syscall tables know that Debian 12's libseccomp 2.5.4 does not know on any arch:
 * runc and crun linked with it drop every rule naming them (runc seccomp_linux.go: "unknown
 * syscall, skipping"). A committed fact, checked against the real library by
 * tests/analyze/test-lsc-gaps.c.
 */
bool cf_libseccomp_254_lacks(const char *name);
extern const char *const cf_libseccomp_254_gaps[];
extern const size_t cf_libseccomp_254_n_gaps;
