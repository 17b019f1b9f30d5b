/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "base/macro.h"

/*
 * A user-input error or warning: where it is (file, line, column, JSON pointer), what was found,
 * and what would be valid. Caller-owned, fixed size, filled only on failure: nothing to free.
 */
struct cf_diag {
	char file[256];
	unsigned line; /* 0 when unknown */
	unsigned column; /* 0 when unknown */
	char path[128]; /* JSON pointer, e.g. "/syscalls/3/action"; empty when none */
	char message[512];
	char hint[1024]; /* "valid: ..." or a suggested fix; empty when none */
};

/* Fill a diag; returns -err (err is a positive errno) so callers can `return diag_set(...)`. */
int diag_set(struct cf_diag *d, int err, const char *file, unsigned line, unsigned column,
	     const char *path, const char *fmt, ...) CF_PRINTF(7, 8);
void diag_hint(struct cf_diag *d, const char *fmt, ...) CF_PRINTF(2, 3);

/* "file:line:col: error: /path: message (hint)" into buf. */
void diag_format(const struct cf_diag *d, const char *severity, char *buf, size_t size);

/* Warnings that do not stop the operation (e.g. a skipped unknown syscall in an allow rule). */
struct cf_warnings {
	struct cf_diag *items;
	size_t n;
	size_t cap;
};
void warnings_add(struct cf_warnings *w, const struct cf_diag *d);
void warnings_clear(struct cf_warnings *w);
