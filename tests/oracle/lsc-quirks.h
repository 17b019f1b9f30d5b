/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * libseccomp's code generator has an accumulator-tracking defect (present in 2.5.4 and in
 * 2.6.1, src/gen_bpf.c _gen_bpf_chain): the nodes of one tree level are emitted with the
 * accumulator state left by the *previous sibling's own* load, so a sibling that compares the
 * same word skips its load, although it can also be reached by falling through from the
 * previous sibling's sub-level, which loaded a different word (typically the low word of a 64-bit
 * GT/GE/LT/LE chain). The result compares the low word against the high word's datum.
 *
 * lsc_quirk_eval() walks libseccomp 2.5.4's rule tree (our IR built with the 64-bit merge
 * defect that 2.6.1 fixed, GHSA-4q85-33p6-j5g6) the way its generated code runs, the
 * accumulator defect included, so the oracle can tell this defect from a real
 * difference: a mismatch is explained when libseccomp's program equals this walk and the
 * walk differs from the correct one.
 */
#include <stdbool.h>
#include <stdint.h>

#include <linux/seccomp.h>

#include "profile/profile.h"

struct lsc_quirks;
int lsc_quirks_new(const struct cf_resolved *r, struct lsc_quirks **ret);
void lsc_quirks_free(struct lsc_quirks *q);
/* false when the point does not reach an argument tree; else the defect-faithful result. */
bool lsc_quirk_eval(const struct lsc_quirks *q, const struct seccomp_data *d, uint32_t *ret);
/*
 * The tree of this syscall has the defect's precondition: a sibling that compares the same word
 * as its predecessor, whose sub-level loads another word. The walk above reproduces the common
 * case; libseccomp's block de-duplication can move the wrong load elsewhere, so mismatches on
 * such syscalls are attributed to the defect (and counted separately).
 */
bool lsc_quirk_prone(const struct lsc_quirks *q, const struct seccomp_data *d);
/* The point is decided differently by 2.5.4's merge and 2.6.1's (GHSA-4q85-33p6-j5g6). */
bool lsc_quirk_merge254(const struct lsc_quirks *q, const struct seccomp_data *d);
