/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * How many arguments each syscall takes on the x86 ABIs (the kernel's SYSCALL_DEFINEn), from
 * the committed fact file syscall-nargs.csv (tools/gen-syscall-nargs.py), compiled by the build
 * step gen-syscall-nargs.py. Private to src/explain (decode.c).
 */
#include <stddef.h>

enum {
	CF_NARGS_X86_64,
	CF_NARGS_X32,
	CF_NARGS_I386,
	CF_NARGS_N_ABIS,
};

struct cf_nargs_row {
	const char *name;
	signed char n[CF_NARGS_N_ABIS]; /* -1: not on that ABI */
};

/* sorted by name (strcmp) */
extern const struct cf_nargs_row cf_nargs_rows[];
extern const size_t cf_nargs_n_rows;
