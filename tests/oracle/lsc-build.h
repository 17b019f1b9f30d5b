/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Build a resolved profile with libseccomp exactly as runc does (tests and bench only). */
#include <stddef.h>

#include <linux/filter.h>

#include "profile/profile.h"

/*
 * opt: libseccomp SCMP_FLTATR_CTL_OPTIMIZE (1 linear, 2 binary tree). Returns 0, or the
 * negative errno libseccomp gave (the profile is refused: runc would fail too).
 */
int lsc_build(const struct cf_resolved *r, int opt, struct sock_filter **ret, size_t *ret_len);
/* Does libseccomp know the name on this arch (what runc's "skip unknown names" sees)? */
int lsc_resolve(enum cf_arch arch, const char *name);
