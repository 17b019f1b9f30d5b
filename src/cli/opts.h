/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <getopt.h>
#include <stdbool.h>

#include "base/diag.h"
#include "bpf/filter.h"
#include "caps/caps.h"
#include "profile/profile.h"

/* Exit codes, as Docker's. */
#define CF_EXIT_ERROR	    125
#define CF_EXIT_CANNOT_EXEC 126
#define CF_EXIT_NOT_FOUND   127

/* The confinement options shared by run, export and explain (Docker's spelling). */
struct cf_cli_security {
	const char *seccomp; /* NULL = builtin; "builtin", "unconfined", or a path ("-" = stdin) */
	bool no_new_privileges;
	bool no_new_privileges_given; /* the option was given (=false is then a demand) */
	const char *cap_add[64];
	size_t n_cap_add;
	const char *cap_drop[64];
	size_t n_cap_drop;
	bool privileged;
	const char *user; /* --user, run only */
	const char *arch; /* --arch: what-if native arch (SCMP_ARCH_* or moby name) */
	const char *kernel; /* --kernel X.Y: what-if kernel */
	/* --defaults docker|podman: whose default capabilities and profile (issue 12) */
	bool podman;
	/* --strict: unknown profile keys and unknown syscall names in deny rules are errors,
	 * not warnings (the parser's and resolver's lenient mode is the default) */
	bool strict;
	/* run only: what the caller can grant (NULL for export and explain, which compute what
	 * Docker would use on this kernel whoever calls them) */
	const struct cf_cap_limit *cap_limit;
};

/* getopt_long long-option ids for the shared options. */
enum {
	OPT_SECURITY_OPT = 0x1000,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_PRIVILEGED,
	OPT_USER,
	OPT_ARCH,
	OPT_KERNEL,
	OPT_DEFAULTS,
	OPT_STRICT,
	OPT_SHARED_LAST,
};

/* The struct option entries for the shared options (terminated by the caller's own). */
#define CF_SECURITY_LONG_OPTIONS                                       \
	{ "security-opt", required_argument, NULL, OPT_SECURITY_OPT }, \
		{ "cap-add", required_argument, NULL, OPT_CAP_ADD },   \
		{ "cap-drop", required_argument, NULL, OPT_CAP_DROP }, \
		{ "privileged", no_argument, NULL, OPT_PRIVILEGED },   \
		{ "arch", required_argument, NULL, OPT_ARCH },         \
		{ "kernel", required_argument, NULL, OPT_KERNEL },     \
		{ "defaults", required_argument, NULL, OPT_DEFAULTS }, \
	{                                                              \
		"strict", no_argument, NULL, OPT_STRICT                \
	}

/* Handles one shared option; 1 if handled, 0 if not ours, <0 on a bad value (diag filled). */
CF_MUST_CHECK int opts_handle_security(int opt, const char *arg, struct cf_cli_security *s,
				       struct cf_diag *reterr);

/* Everything the options ask for, resolved. */
struct cf_confinement {
	struct cf_profile *profile; /* NULL when seccomp is disabled */
	struct cf_resolved *resolved; /* NULL when seccomp is disabled */
	cf_capset caps; /* bounding = permitted = effective for root */
	bool seccomp_disabled; /* unconfined, or privileged without an explicit profile */
	bool no_new_privileges;
	const char *seccomp_label; /* "builtin", "unconfined", or the path */
};

/* Capabilities, --arch and --kernel as resolve options (no profile: lint and diff load their
 * own). */
CF_MUST_CHECK int opts_resolve_options(const struct cf_cli_security *s, struct cf_resolve_opts *ret,
				       struct cf_diag *reterr);

/* Load profile, resolve caps, resolve the profile against them (moby order: caps first). */
CF_MUST_CHECK int opts_load_confinement(const struct cf_cli_security *s, struct cf_confinement *ret,
					struct cf_diag *reterr);
void cf_confinement_clear(struct cf_confinement *c);

/* The filter a runtime would install: refuse what runc refuses at container start, compile. */
CF_MUST_CHECK int opts_compile_filter(const struct cf_confinement *c, struct cf_bpf_prog **ret,
				      struct cf_diag *reterr);

/* Print a diag as "callfence: file:line:col: error: ..." to stderr. */
void output_diag(const struct cf_diag *d, const char *severity);
/* Print the resolver's warnings (unless quiet). */
void output_warnings(const struct cf_warnings *w);
/*
 * An option getopt_long did not know (opterr = 0, '?'): "callfence CMD: unknown option
 * --privilged; did you mean --privileged?" on stderr, the near miss among longopts and the
 * options (base/suggest.h). arg is argv[optind - 1], short_opt getopt's optopt.
 */
void opts_unknown_option(const char *cmd, const char *arg, int short_opt,
			 const struct option *longopts);
/* An option value from a fixed list: its index, or -1 after printing "callfence CMD: OPT:
 * unknown value "ARG" (did you mean ...?); valid: ..." (the one near-miss rule, base/suggest.h). */
int opts_parse_choice(const char *cmd, const char *opt, const char *arg, const char *const *valid,
		      size_t n);
/* Help text of the shared options, for each command's --help. */
extern const char opts_security_help[];
