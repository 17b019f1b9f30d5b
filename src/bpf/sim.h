/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Classic-BPF interpreter over struct seccomp_data, written independently of the compiler so
 * that it can judge it. Never include compiler headers here.
 */
#include <stddef.h>
#include <stdint.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "base/macro.h"

/* Runs the program; returns 0 and the RET value, or -EINVAL for a malformed program. */
CF_MUST_CHECK int cf_bpf_sim(const struct sock_filter *insns, size_t len,
			     const struct seccomp_data *d, uint32_t *ret_value,
			     unsigned *ret_steps);
