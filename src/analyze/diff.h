/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * callfence diff: two resolved profiles compared by verdict, for every syscall number of every
 * ABI either filter accepts, argument regions included. Both must be resolved with the same
 * options (capabilities, native arch, kernel). Changes are data; the CLI words them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/macro.h"
#include "profile/profile.h"

/* Numbers enumerated per ABI (above the nr_base): every table number, plus all below this.
 * Above the largest number either profile names, each filter gives one verdict (its default
 * or runc's ENOSYS) to every number, so the last one stands for all that follow. */
#define CF_DIFF_NR_SPAN 1024u

struct cf_diff_change {
	enum cf_arch arch;
	int nr; /* seccomp_data.nr (x32: with __X32_SYSCALL_BIT) */
	int nr_last; /* == nr, or the end of a run of unnamed numbers with the same change */
	const char *syscall; /* NULL: no table names the number on this ABI */
	uint32_t a, b; /* kernel return values (SECCOMP_RET_* | data) */
	bool conditional; /* the verdicts differ this way for some argument values only */
	uint64_t args[6]; /* one argument vector where they do (conditional) */
	unsigned args_used; /* bit i: the profiles compare argument i of this call */
	size_t n_points, n_differ; /* argument vectors tried, and those that differ this way */
};

struct cf_diff_result {
	struct cf_diff_change *items;
	size_t n, cap;
	bool subset; /* B allows nothing that A denies */
	bool sampled; /* some call had too many argument combinations: sampled per argument */
};

/* 0, -EINVAL (diag: a profile the model cannot build), -ENOMEM. */
CF_MUST_CHECK int cf_diff(const struct cf_resolved *a, const struct cf_resolved *b,
			  struct cf_diff_result *res, struct cf_diag *reterr);
void cf_diff_result_clear(struct cf_diff_result *res);
