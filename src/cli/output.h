/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Every CLI option that writes a file (`export -o`, `run --explain-out`) goes through these:
 * src/base/outfile.h does the work (never replaces a device, FIFO or symlink; temp + rename for
 * regular files), this file names the option and what would be valid when it refuses. Each
 * returns 0, or -1 after printing the message; the caller exits 125 (CF_EXIT_ERROR).
 */
#include <stddef.h>

#include "base/outfile.h"

/* At option time, no side effect: refuse "" and an option-looking name. */
int cli_output_check_name(const char *option, const char *path);
/* Before the real work (and before any command runs): resolve, validate, open. */
int cli_output_open(const char *option, const char *path, struct cf_outfile *f);
/* At the end: write all of data and commit it. */
int cli_output_write(const char *option, const char *path, struct cf_outfile *f, const void *data,
		     size_t len);
