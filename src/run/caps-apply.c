/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capabilities as Docker >= 20.10.14 + runc leave them (moby daemon/oci_linux.go WithCapabilities
 * -> containerd oci.WithCapabilities: bounding = effective = permitted = the set, inheritable
 * empty since CVE-2022-24769; runc libcontainer/capabilities ApplyBoundingSet then ApplyCaps,
 * which also resets the ambient set).
 *
 * The steps only lower capabilities, so they are checked here, in the parent, against what
 * callfence holds: the bounding drops need CAP_SETPCAP, and capset cannot raise the permitted set.
 * For a non-root --user the kernel then clears permitted/effective at execve (no ambient caps,
 * no file caps), exactly as in a Docker container; only the bounding set stays.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "run/run.h"

static int cap_last(void)
{
	int last = caps_last_kernel();

	if (last < 0 || last > 63)
		last = CAP_LAST_CAP;
	return last;
}

static int read_caps(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };

	memset(data, 0, 2 * sizeof(*data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	return 0;
}

static cf_capset caps_of(const struct __user_cap_data_struct data[2], int which)
{
	uint32_t lo, hi;

	switch (which) {
	case 0:
		lo = data[0].effective;
		hi = data[1].effective;
		break;
	case 1:
		lo = data[0].permitted;
		hi = data[1].permitted;
		break;
	default:
		lo = data[0].inheritable;
		hi = data[1].inheritable;
		break;
	}
	return (cf_capset)lo | ((cf_capset)hi << 32);
}

static const char *cap_label(int c, char *buf, size_t size)
{
	const char *n = caps_to_name(c);

	if (n)
		return n;
	snprintf(buf, size, "capability %d", c);
	return buf;
}

int cf_caps_plan_bounding(struct cf_plan *plan, cf_capset set, struct cf_diag *reterr)
{
	struct __user_cap_data_struct cur[2];
	cf_capset bounding = 0, drop;
	int last = cap_last(), r;
	char buf[32];

	for (int c = 0; c <= last; c++) {
		r = prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0);
		if (r > 0)
			bounding |= CF_CAP_BIT(c);
	}
	for (int c = 0; c <= last; c++)
		if ((set & CF_CAP_BIT(c)) && !(bounding & CF_CAP_BIT(c)))
			return diag_set(
				reterr, EPERM, NULL, 0, 0, "--cap-add",
				"cannot grant %s: it is not in callfence's own bounding set",
				cap_label(c, buf, sizeof(buf)));

	drop = bounding & ~set;
	if (!drop)
		return 0;
	r = read_caps(cur);
	if (r < 0)
		return diag_set(reterr, -r, NULL, 0, 0, NULL, "capget: %s", strerror(-r));
	if (!(caps_of(cur, 0) & CF_CAP_BIT(CAP_SETPCAP))) {
		diag_set(reterr, EPERM, NULL, 0, 0, NULL,
			 "cannot remove %s from the bounding set: callfence lacks CAP_SETPCAP",
			 cap_label(__builtin_ctzll(drop), buf, sizeof(buf)));
		diag_hint(reterr,
			  "run callfence as root (Docker's runtime does), or use --privileged "
			  "to keep the bounding set as it is");
		return -EPERM;
	}

	for (int c = 0; c <= last; c++) {
		char what[96];

		if (!(drop & CF_CAP_BIT(c)))
			continue;
		snprintf(what, sizeof(what), "drop %s from the bounding set",
			 cap_label(c, buf, sizeof(buf)));
		r = cf_plan_add(plan, CF_STEP_BOUNDING, SYS_prctl, PR_CAPBSET_DROP, (uint64_t)c, 0,
				0, what);
		if (r < 0)
			return diag_set(reterr, -r, NULL, 0, 0, NULL, "too many launcher steps");
	}
	return 0;
}

int cf_caps_plan_final(struct cf_plan *plan, cf_capset set, bool to_root, struct cf_diag *reterr)
{
	struct __user_cap_data_struct cur[2];
	cf_capset missing;
	char buf[32];
	int r;

	r = read_caps(cur);
	if (r < 0)
		return diag_set(reterr, -r, NULL, 0, 0, NULL, "capget: %s", strerror(-r));
	/*
	 * capset can lower the permitted set, never raise it. For a non-root command the kernel
	 * recomputes permitted/effective at execve from file caps, the bounding set and the (empty)
	 * ambient set, never from the old permitted set, so what callfence cannot hold is moot.
	 */
	if (!to_root)
		set &= caps_of(cur, 1);
	missing = set & ~caps_of(cur, 1);
	if (missing) {
		diag_set(reterr, EPERM, NULL, 0, 0, NULL,
			 "cannot grant %s: it is not in callfence's permitted set",
			 cap_label(__builtin_ctzll(missing), buf, sizeof(buf)));
		diag_hint(reterr, "run callfence as root, or --cap-drop the capability");
		return -EPERM;
	}

	plan->cap_hdr.version = _LINUX_CAPABILITY_VERSION_3;
	plan->cap_hdr.pid = 0;
	memset(plan->cap_data, 0, sizeof(plan->cap_data));
	plan->cap_data[0].effective = plan->cap_data[0].permitted = (uint32_t)set;
	plan->cap_data[1].effective = plan->cap_data[1].permitted = (uint32_t)(set >> 32);
	/* inheritable stays 0; the kernel then also empties the ambient set (cap_capset). */

	r = cf_plan_add(plan, CF_STEP_CAPSET, SYS_capset, (uint64_t)(uintptr_t)&plan->cap_hdr,
			(uint64_t)(uintptr_t)plan->cap_data, 0, 0,
			to_root ? "set the effective and permitted capabilities" :
				  "set the capabilities kept until execve");
	if (r < 0)
		return diag_set(reterr, -r, NULL, 0, 0, NULL, "too many launcher steps");
	return 0;
}
