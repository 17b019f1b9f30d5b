/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * `callfence predict`: the syscalls a program can make, from its ELF files alone. The binary,
 * its interpreter and every DT_NEEDED library (the loader's search order), plus what glibc
 * loads behind the program's back when the imports reach it (NSS modules per nsswitch.conf,
 * gconv modules for iconv, libgcc_s for unwinding), are analysed function by function
 * (callgraph.c, syscalls.c), linked by symbol name and walked from the program's roots. The
 * result is a struct cf_recording, the contract `record` fills from a run, with the function path
 * to each syscall as its origin.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/macro.h"
#include "record/recording.h"

/* What the user accepts when the analysis cannot decide (--assume). */
enum {
	CF_ASSUME_NO_PLUGINS = 1 << 0, /* dlopen of a computed name loads nothing predicted */
	CF_ASSUME_UNRESOLVED = 1 << 1, /* syscalls with unresolved numbers are left out */
};

struct cf_predict_opts {
	const char *library_path; /* LD_LIBRARY_PATH to honour, NULL = ignore */
	const char *cache_dir; /* NULL = no cache */
	const char *nsswitch; /* NULL = /etc/nsswitch.conf */
	const char *ldcache; /* NULL = /etc/ld.so.cache */
	unsigned assume; /* CF_ASSUME_* */
};

/* One thing the analysis could not resolve, in a reachable function. */
struct cf_predict_gap {
	char where[CF_REC_ORIGIN_SIZE]; /* the path reaching it */
	char what[256];
	bool fatal; /* refused unless --assume */
};

struct cf_predict_module {
	char path[4096];
	char build_id[129];
	size_t n_funcs, n_reached;
	uint64_t n_insns;
	bool cached; /* the summary came from the cache */
	char why[64]; /* "binary", "interpreter", "DT_NEEDED of X", "NSS (hosts)", ... */
};

struct cf_prediction {
	struct cf_recording rec;
	struct cf_predict_gap *gaps;
	size_t n_gaps;
	struct cf_predict_module *modules;
	size_t n_modules;
	char notes[2048]; /* one line each: what was loaded behind the program's back and why */
};

CF_MUST_CHECK int cf_predict(const char *const *binaries, size_t n, const struct cf_predict_opts *o,
			     struct cf_prediction *ret, struct cf_diag *reterr);
void cf_prediction_clear(struct cf_prediction *p);
