/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "bpf/filter.h"

/*
 * Warn (stderr) when prog would stop runc or crun at container start with this
 * no-new-privileges setting: which runtime, the exact calls, and the one rule to add. Advises
 * no-new-privileges only when that alone would make every runtime start the container.
 */
void warn_runtime_gaps(const char *profile_label, const struct cf_bpf_prog *prog,
		       bool no_new_privileges);
