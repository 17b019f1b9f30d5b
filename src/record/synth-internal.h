/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Private to src/record: the pieces of synthesis shared by synth.c (placing calls into rules),
 * synth-rules.c (building and naming the rules) and synth-check.c (the self-check against the
 * base).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/filter.h"
#include "bpf/ir.h"
#include "record/synth.h"

/* Why a rule is in the output; also the order of the rules in it. */
enum synth_kind {
	SK_RECORDED, /* unconditional, as in the base; grouped by the first executable */
	SK_GATED, /* unconditional in the base through a rule with includes/excludes: kept */
	SK_ARG, /* the base rule that allowed a recorded argument vector, copied */
	SK_EXACT, /* a vector the base allowed by its default: the exact values */
	SK_PROBE, /* libc probes it and falls back on ENOSYS: errnoRet 38 */
	SK_FALLBACK, /* the call libc falls back to after such a probe */
	SK_VDSO, /* served by the vDSO on the recording host */
	SK_RUNTIME, /* --for: the runtime's own calls after the filter */
	SK_COUNT,
};

/* One name in a rule, with what the comment says about it. */
struct synth_entry {
	char name[64];
	uint64_t count;
	char detail[CF_REC_ORIGIN_SIZE + 96];
};

struct synth_rule {
	enum synth_kind kind;
	char group[CF_REC_ORIGIN_SIZE]; /* SK_RECORDED: the executable (origin up to ": ") */
	int base_index; /* the base rule copied (args, action, gates), -1: none */
	enum cf_action action;
	bool has_errno;
	uint32_t errno_ret;
	struct cf_arg exact[6]; /* SK_EXACT (and exact runtime rules): EQ per argument */
	size_t n_exact;
	struct synth_entry *entries;
	size_t n_entries;
};

struct synth {
	const struct cf_recording *rec;
	const struct cf_synth_opts *o;
	const struct cf_resolved *base; /* NULL: unconfined */
	struct cf_model *model;
	struct cf_ir *ir;
	struct synth_rule *rules;
	size_t n_rules;
	struct cf_synth_result *res;
	struct cf_explanation **expl; /* one per denied entry (with fixes), for the fix set */
	size_t n_expl;
};

/* The base's decision for one call (args NULL: not known, zeros are used). */
struct synth_verdict {
	bool allowed; /* ALLOW or LOG */
	uint32_t ret;
	int rule_index; /* the profile rule that decided, -1: default, bad arch, ENOSYS stub */
	bool conditional; /* the base decides this (ABI, nr) by argument */
	bool mixed; /* ... with rules of different actions (libseccomp's tree decides) */
	uint8_t mask; /* argument indexes the base compares for it */
	const struct ir_sys *sys;
};

bool synth_ret_allows(uint32_t ret);
int synth_decide(const struct synth *s, enum cf_arch arch, int nr, const uint64_t *args,
		 struct synth_verdict *ret);

/* synth-rules.c */
int synth_rule_add(struct synth *s, const struct synth_rule *key, const char *name, uint64_t count,
		   const char *detail);
/* The rules as a Docker profile (archMap, defaultAction ERRNO/EPERM), comments written. */
int synth_build_profile(const struct synth *s, struct cf_profile **ret);
bool synth_name_unconditional(const struct synth *s, const char *name);
void synth_rules_free(struct synth *s);
/* Deep copies into a struct cf_profile that cf_profile_free() releases (also half-filled). */
int synth_strv_dup(char *const *src, size_t n, char ***ret);
int synth_gate_dup(const struct cf_gate *src, struct cf_gate *g);
int synth_copy_arches(const struct cf_profile *from, struct cf_profile *to);

/* synth-check.c: -EPROTO + diag when the output allows what the base denies, or leaves out
 * what the base allowed and the recording needs. */
int synth_check(const struct synth *s, const struct cf_resolved *out, struct cf_diag *reterr);
