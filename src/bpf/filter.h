/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "base/cleanup.h"
#include "base/diag.h"
#include "base/macro.h"
#include "profile/profile.h"

/* A finished classic-BPF seccomp program plus where each instruction came from. */
struct cf_bpf_prog {
	struct sock_filter *insns;
	size_t len;
	int32_t *origin; /* per instruction: profile rule index, or -1 (dispatch/default) */
	unsigned seccomp_flags; /* SECCOMP_FILTER_FLAG_* to pass to seccomp(2) */
	bool needs_listener; /* uses SECCOMP_RET_USER_NOTIF */
};

/*
 * Compile a resolved profile. Semantics are runc + libseccomp's (see docs/ARCHITECTURE.md):
 * one rule per name, rules equal to the default skipped, same-argument conditions OR-split,
 * unconditional rules win, other ABIs of the arch list killed, numbers newer than the profile
 * -> ENOSYS. Errors: -E2BIG (over 4096 insns, diag names the rules), -EINVAL (diag filled:
 * e.g. two rules libseccomp, and so runc, refuses as conflicting), -ELOOP (rules on which
 * libseccomp never returns, so runc would hang; diag names the rule), -ENOMEM.
 * Intentional differences from libseccomp 2.5.4: tests/oracle/DIFFERENCES.md.
 */
CF_MUST_CHECK int cf_filter_compile(const struct cf_resolved *r, struct cf_bpf_prog **ret,
				    struct cf_diag *reterr);
struct cf_bpf_prog *cf_bpf_prog_free(struct cf_bpf_prog *p);
DEFINE_CLEANUP_FUNC(struct cf_bpf_prog *, cf_bpf_prog_free)

/* Structural checks the kernel makes (sk_chk_filter + seccomp_check_filter). */
CF_MUST_CHECK int cf_bpf_verify(const struct sock_filter *insns, size_t len,
				struct cf_diag *reterr);

/*
 * The decision the resolved profile (the model, not the BPF) gives to one call: the kernel
 * return value (SECCOMP_RET_* | data) and the rule that decided it (-1: the default action,
 * a bad arch, or the ENOSYS boundary).
 */
enum cf_eval_source {
	CF_EVAL_RULE,
	CF_EVAL_DEFAULT,
	CF_EVAL_BAD_ARCH,
	CF_EVAL_NEWER_THAN_PROFILE, /* -> ENOSYS */
};
struct cf_eval_result {
	uint32_t ret;
	int rule_index;
	enum cf_eval_source source;
};
CF_MUST_CHECK int cf_resolved_evaluate(const struct cf_resolved *r, const struct seccomp_data *d,
				       struct cf_eval_result *ret);

/*
 * One argument comparison as libseccomp evaluates it: on 32-bit ABIs (bits == 32) only the low
 * words count; MASKED_EQ is (v & mask) == (datum & mask). For a profile's arg: datum = value
 * (valueTwo for MASKED_EQ), mask = value for MASKED_EQ.
 */
bool cf_arg_compare(enum cf_op op, uint64_t v, uint64_t datum, uint64_t mask, unsigned bits);

/* Kernel return value for an action (errno filled in for ERRNO/TRACE). */
uint32_t cf_action_ret(enum cf_action a, uint32_t errno_ret);

/* Readable listing; each block names the profile rule (file:line, rule #N) it came from. */
CF_MUST_CHECK int cf_bpf_disasm(const struct cf_bpf_prog *p, const struct cf_resolved *r,
				char **ret_text);

/*
 * The model prepared once for many evaluations (tests, explain): cf_resolved_evaluate() builds
 * and frees one per call. Borrowed: r must outlive the model.
 */
struct cf_model;
CF_MUST_CHECK int cf_model_new(const struct cf_resolved *r, struct cf_model **ret,
			       struct cf_diag *reterr);
CF_MUST_CHECK int cf_model_evaluate(const struct cf_model *m, const struct seccomp_data *d,
				    struct cf_eval_result *ret);
struct cf_model *cf_model_free(struct cf_model *m);
DEFINE_CLEANUP_FUNC(struct cf_model *, cf_model_free)

/*
 * Readable listing of a compiled program: one line per instruction with jump targets, and a
 * header per block naming the profile rule it came from (file:line rule #N). r may be NULL.
 * Returns a malloc'd NUL-terminated text.
 */
CF_MUST_CHECK int cf_bpf_disasm(const struct cf_bpf_prog *p, const struct cf_resolved *r,
				char **ret_text);
