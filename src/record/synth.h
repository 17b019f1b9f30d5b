/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Profile synthesis: a struct cf_recording (what `callfence record` saw a command do, or what
 * `callfence predict` found its binaries can do) plus the base profile it was observed against
 * -> a Docker profile (or OCI fragment) a person can review. Shared by record and predict: the
 * recording's `origin` strings are only ever printed in comments, and `label` says which word
 * those comments use ("recorded", "predicted").
 *
 * Promises (tests/record/test-synth.c checks each with a negative twin):
 * - never looser than the base: a call is allowed only where the base allows it (the model's
 *   verdict, src/bpf/model.c); a call the base denies is left out and reported in `denied`
 *   with explain's fixes (src/explain), never added. Only an unconfined base (ctx->seccomp_disabled)
 *   lets everything recorded in.
 * - arguments: a call the base decides by argument keeps a condition at least as narrow as the
 *   base's. The base's own rule that allowed a recorded argument vector is copied (its
 *   conditions, action and includes/excludes gates, for that one name); a vector the base
 *   allowed only by falling through to an allowing default gets an exact-value rule (EQ on
 *   each argument the base compares). When the observer kept no vectors for the call (predict,
 *   or more than CF_REC_MAX_TUPLES), every allowing base rule for the name is copied instead.
 *   Rules are never concatenated: runc ORs conditions that repeat an argument index, so two
 *   conditions on different indexes stay in one rule only when the base wrote them so.
 * - one rule per reason, each with a "comment": recorded (grouped by the executable that made
 *   the calls first, with counts), runtime needs (opts->needs, `--for`), capability-gated (the
 *   base rule's includes.caps kept), argument-conditioned, libc ENOSYS probes (clone3,
 *   faccessat2, fchmodat2: errnoRet 38 unless recorded succeeding, and their fallback allowed),
 *   vDSO calls (clock_gettime, gettimeofday, time, getcpu, clock_gettime64: allowed where the
 *   base allows them, for hosts without a vDSO).
 * - the text is parsed back with the normal parser, resolved and compiled before it is
 *   returned, and checked against the base on every recorded vector and on the base's own
 *   comparison boundaries (-EPROTO with a diag if that check ever fails: a bug, fail closed).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/macro.h"
#include "caps/caps.h"
#include "explain/explain.h"
#include "profile/profile.h"
#include "record/recording.h"

enum cf_synth_format {
	CF_SYNTH_DOCKER, /* a Docker profile: defaultAction, archMap, syscalls with comments */
	CF_SYNTH_OCI, /* {"process":{capabilities, noNewPrivileges}, "linux":{"seccomp":...}} */
};

/* A call someone other than the command makes after the filter is in (a runtime's init). */
struct cf_synth_need {
	const char *name;
	/* called instead when `name` is denied (runc's Go: faccessat2 -> faccessat) */
	const char *fallback;
	uint64_t arg0[3]; /* the arg0 values it is made with (prctl options); n_arg0 0: any */
	unsigned n_arg0;
};

/* --for (synth-needs.c): the runtimes record and predict know, in --help order */
extern const char *const cf_synth_runtimes[];
extern const size_t cf_synth_n_runtimes;
struct cf_plan;
/* What RUNTIME ("docker" = runc, "runc", "crun", "callfence", "none") calls after installing the
 * filter with this no-new-privileges setting. "callfence" reads plan's steps after the filter,
 * or takes `callfence run`'s default launcher when plan is NULL. Returns how many were stored,
 * -ENOENT for an unknown runtime, -E2BIG past max. */
CF_MUST_CHECK int cf_synth_runtime_needs(const char *runtime, bool no_new_privileges,
					 const struct cf_plan *plan, struct cf_synth_need *out,
					 size_t max);
/* The name in the profile's comments ("runc (Docker's runtime)" for docker), NULL for none. */
const char *cf_synth_runtime_label(const char *runtime);

struct cf_synth_opts {
	/* The base as explain sees it: profile + resolved for the run's capabilities and arch,
	 * or seccomp_disabled (unconfined: everything recorded is allowed). Borrowed. */
	const struct cf_explain_ctx *base;
	enum cf_synth_format format;
	const char *label; /* "recorded" / "predicted": first word of every comment */
	const char *tool; /* "callfence record" / "callfence predict", for the comments */
	/* --for: what the runtime calls after installing the filter, and its name for the
	 * comment ("runc (Docker's runtime)"); n_needs 0: nothing added */
	const char *runtime;
	const struct cf_synth_need *needs;
	size_t n_needs;
	cf_capset run_caps; /* the capabilities the command ran with (bounding = effective) */
	bool no_new_privileges; /* OCI process.noNewPrivileges */
};

/* A call the command made that the base denies: left out of the profile. */
struct cf_synth_denied {
	enum cf_arch arch; /* the caller's ABI */
	int nr;
	char name[64];
	char call[160]; /* "mount(...)" or "personality(0x20000)" when arguments are known */
	uint64_t args[6];
	bool has_args;
	uint64_t count;
	char origin[CF_REC_ORIGIN_SIZE];
	char verdict[64]; /* the base's answer: "SCMP_ACT_ERRNO(EPERM)" */
	char fix[256]; /* explain's first (least-privilege) fix, "" when there is none */
};

struct cf_synth_result {
	char *text; /* the JSON, with a trailing newline */
	struct cf_profile *profile; /* the synthesized Docker profile, parsed back */
	size_t n_names; /* distinct syscall names the profile allows (all reasons) */
	size_t n_recorded; /* distinct (arch, nr) in the recording */
	cf_capset caps; /* --cap-add for the output: used (or run's if not observed) + gates */
	bool caps_observed; /* false: caps is the run's set, the observer could not see checks */
	/* names added only because the runtime needs them (not recorded) */
	char (*runtime_added)[64];
	size_t n_runtime_added;
	/* runtime needs the base denies: not added, the runtime would fail under the base too */
	char (*runtime_denied)[64];
	size_t n_runtime_denied;
	struct cf_synth_denied *denied;
	size_t n_denied;
	struct cf_fix_set fixes; /* explain's smallest set fixing every denied call */
	bool has_fixes;
};

/* Synthesize. -EINVAL (bad opts, diag filled), -ENOMEM, -EPROTO (self-check failed, diag). */
CF_MUST_CHECK int cf_synth(const struct cf_recording *rec, const struct cf_synth_opts *opts,
			   struct cf_synth_result *ret, struct cf_diag *reterr);
void cf_synth_result_clear(struct cf_synth_result *r);

/*
 * What the observer must record arguments for: every (ABI, nr) of the resolved base whose
 * verdict depends on arguments, with the argument indexes some rule compares. Malloc'd array
 * in *ret (NULL, 0 when none, or for NULL base).
 */
CF_MUST_CHECK int cf_synth_arg_watch(const struct cf_resolved *base, struct cf_rec_watch **ret,
				     size_t *n);

/*
 * `record --merge`: unite profiles written by cf_synth (several runs, replicas) into one
 * Docker profile text. Every input must have the same defaultAction, defaultErrnoRet and
 * architectures/archMap (-EINVAL naming the file otherwise). The union never widens an
 * argument rule: rules are kept whole (conditions are never concatenated across rules), a name
 * allowed unconditionally by one input drops the other inputs' rules for it, identical rules
 * are kept once. `sources` name the inputs for the comments.
 */
CF_MUST_CHECK int cf_synth_merge(const struct cf_profile *const *in, const char *const *sources,
				 size_t n, char **ret_text, struct cf_diag *reterr);
