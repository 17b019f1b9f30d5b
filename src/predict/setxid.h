/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* glibc's setxid broadcast (setxid.c says how it is recognized and why its numbers are sound). */
#include <stddef.h>
#include <stdint.h>

#include "base/macro.h"
#include "predict/elf.h"
#include "predict/summary.h"

/* When the unresolved syscall u of file e (summary s) is glibc's setxid broadcast, the syscall
 * numbers it can make given the reached functions (reached[f] != 0): count stored in ret (0 when
 * no set*id wrapper is reached). -ENOENT when u is not that pattern, -E2BIG past max. */
CF_MUST_CHECK int psetxid_numbers(const struct cf_elf *e, const struct psummary *s,
				  const uint8_t *reached, const struct ps_unres *u, uint32_t *ret,
				  size_t max);
