/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Private to src/analyze: what every family of lint checks sees. */
#include <stdint.h>

#include "analyze/lint.h"
#include "bpf/filter.h"

struct lint_ctx {
	const char *source;
	const char *buf; /* the profile text; NULL for the builtin profile */
	size_t len;
	char base[32]; /* "" or "/linux/seccomp": where the profile sits in the document */
	struct cf_profile *p;
	struct cf_resolved *r;
	struct cf_model *model;
	const struct cf_lint_opts *opts;
	const struct cf_warnings *accepted; /* what the lenient parse let through */
	bool *unknown; /* [p->n_rules] of arrays: name j of rule i unknown everywhere */
	struct cf_lint_result *res;
	int error; /* first -ENOMEM while adding findings */
};

/* Add a finding at pos (pointer relative to the profile object, base is prepended). */
void lint_add(struct lint_ctx *c, const char *id, enum cf_lint_severity sev, struct cf_pos pos,
	      const char *pointer, const char *fix, const char *fmt, ...) CF_PRINTF(7, 8);
/* Where pointer (relative to the profile object) is in the text; fallback when unknown. */
struct cf_pos lint_locate(const struct lint_ctx *c, const char *pointer, struct cf_pos fallback);

/* The kernel return value of rule's action as runc builds it (ERRNO/TRACE without errnoRet:
 * EPERM). */
uint32_t lint_rule_ret(const struct cf_rule *rule);
/* How much a return value lets a call do: the kernel's own precedence (kernel/seccomp.c, the
 * lowest signed action wins), so a larger value is more permissive. */
int32_t lint_ret_rank(uint32_t ret);
bool lint_ret_allows(uint32_t ret);

/* Pointer and position of name j of rule i. */
void lint_name_at(const struct lint_ctx *c, size_t i, size_t j, char *ptr, size_t size,
		  struct cf_pos *pos);
/* Position and pointer of what decided a call: the rule naming it, or the default action. */
void lint_decider(const struct lint_ctx *c, int rule_index, const char *name, char *ptr,
		  size_t size, struct cf_pos *pos);

/* The model's verdict for a call on an ABI; -ENOENT when the ABI has no such call. */
int lint_eval(const struct lint_ctx *c, enum cf_arch arch, const char *name, const uint64_t args[6],
	      struct cf_eval_result *ret);

/* Families of checks. */
void lint_check_rules(struct lint_ctx *c); /* lint-rules.c */
void lint_check_calls(struct lint_ctx *c); /* lint-calls.c */
void lint_check_runtime(struct lint_ctx *c); /* lint-calls.c */
