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
/* Podman's 11 (containers/common): Docker's without AUDIT_WRITE, MKNOD, NET_RAW. */
cf_capset caps_podman_default(void);
/* The capability a misspelled name is a near miss of (base/suggest.h), spelled with or without
 * CAP_ as name was; NULL when none is near. */
const char *caps_near_miss(const char *name);
/*
 * Every capability of the running kernel (0..cap_last_cap): what Docker's --privileged and
 * --cap-add ALL mean, whatever the caller holds (moby GetAllCapabilities lists the kernel's).
 */
cf_capset caps_available(void);
/* The calling thread's bounding set. */
cf_capset caps_bounding(void);

/*
 * What `run` can really give: export and explain pass none and compute what Docker would use on
 * this kernel; run passes what the caller can grant (src/run/caller.c).
 */
struct cf_cap_limit {
	cf_capset grantable; /* ALL and --privileged mean these; the defaults are cut to them */
	bool no_defaults; /* a non-root command of a non-root caller: only what is named */
	/* Why a --cap-add outside grantable cannot be given, completing "cannot grant CAP_X: ",
	 * and the fix. */
	char why_not[160];
	char hint[200];
};

/*
 * Docker's combination (moby daemon/pkg/oci/caps/utils.go TweakCapabilities):
 * privileged -> all available; ALL in add -> all available minus drop; ALL in drop -> exactly add;
 * else defaults minus drop plus add. Names are validated: unknown -> -EINVAL with a diag naming
 * the option; unknown to the running kernel -> -EPERM; with a limit, a --cap-add outside
 * limit->grantable -> -EPERM naming the capability and why (a --cap-drop of anything is fine).
 */
struct cf_cap_request {
	const char *const *add;
	size_t n_add;
	const char *const *drop;
	size_t n_drop;
	bool privileged;
	cf_capset base; /* defaults; 0 means Docker's 14 */
	const struct cf_cap_limit *limit; /* NULL: no limit (export, explain) */
};
CF_MUST_CHECK int caps_resolve(const struct cf_cap_request *req, cf_capset *ret,
			       struct cf_diag *reterr);

/* Write a set as a JSON-style list of names into buf ("CAP_CHOWN", ...). */
void caps_format(cf_capset set, char *buf, size_t size, const char *sep);
