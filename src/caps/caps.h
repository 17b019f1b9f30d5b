/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/macro.h"

/* A capability set as a bit mask over capability numbers (0..63). */
typedef uint64_t cf_capset;

#define CF_CAP_BIT(n) ((cf_capset)1 << (n))

/* "SYS_NICE", "cap_sys_nice", "CAP_SYS_NICE" -> 24; -EINVAL if no such capability. */
int caps_from_name(const char *name);
/* Canonical "CAP_SYS_NICE"; NULL for an unknown number. */
const char *caps_to_name(int cap);
/* Highest capability number this library knows (libcap's table). */
int caps_last_known(void);
/* Highest capability the running kernel supports (/proc/sys/kernel/cap_last_cap). */
int caps_last_kernel(void);
/* Docker's 14 default capabilities. */
cf_capset caps_docker_default(void);
/* Every capability the caller can grant: its own bounding set. */
cf_capset caps_available(void);

/*
 * Docker's combination (moby daemon/pkg/oci/caps/utils.go TweakCapabilities):
 * privileged -> all available; ALL in add -> all available minus drop; ALL in drop -> exactly add;
 * else defaults minus drop plus add. Names are validated: unknown -> -EINVAL with a diag naming
 * the option; known but unavailable -> -EPERM.
 */
struct cf_cap_request {
	const char *const *add;
	size_t n_add;
	const char *const *drop;
	size_t n_drop;
	bool privileged;
	cf_capset base; /* defaults; 0 means Docker's 14 */
};
CF_MUST_CHECK int caps_resolve(const struct cf_cap_request *req, cf_capset *ret,
			       struct cf_diag *reterr);

/* Write a set as a JSON-style list of names into buf ("CAP_CHOWN", ...). */
void caps_format(cf_capset set, char *buf, size_t size, const char *sep);
