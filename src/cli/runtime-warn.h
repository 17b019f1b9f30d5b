/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "bpf/filter.h"
#include "cli/opts.h"

/*
 * Warn (stderr) when prog would stop runc or crun at container start with this
 * no-new-privileges setting: which runtime, the exact calls, and the one rule to add. Advises
 * no-new-privileges only when that alone would make every runtime start the container.
 */
void warn_runtime_gaps(const char *profile_label, const struct cf_bpf_prog *prog,
		       bool no_new_privileges, bool from_run);
/* The same for export (what Docker would hand the runtime): compiles conf's profile for the
 * native ABI; nothing is printed if it does not compile (export reports its own errors). */
void warn_export_runtime_gaps(const struct cf_confinement *conf);
