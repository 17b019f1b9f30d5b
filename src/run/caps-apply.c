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
 * no file caps), exactly as in a Docker container; only the bounding set stays. A non-root caller
 * running the command as itself (rootless, src/run/caller.c) passes what it keeps as ambient.
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

static const char *cap_label(int c, char *buf, size_t size)
{
	const char *n = caps_to_name(c);

	if (n)
		return n;
	snprintf(buf, size, "capability %d", c);
	return buf;
}

int cf_caps_plan_bounding(struct cf_plan *plan, const struct cf_caller *caller, cf_capset set,
			  struct cf_diag *reterr)
{
	cf_capset bounding = caller->bounding, drop;
	int last = cap_last(), r;
	char buf[32];

	for (int c = 0; c <= last; c++)
		if ((set & CF_CAP_BIT(c)) && !(bounding & CF_CAP_BIT(c)))
			return diag_set(
				reterr, EPERM, NULL, 0, 0, "--cap-add",
				"cannot grant %s: it is not in callfence's own bounding set",
				cap_label(c, buf, sizeof(buf)));

	drop = bounding & ~set;
	if (!drop)
		return 0;
	if (!cf_caller_has(caller, CAP_SETPCAP)) {
		/* Under no-new-privileges no execve raises the permitted set (commoncap.c
		 * cap_bprm_creds_from_file), and capset raises inheritable only within the
		 * permitted set without CAP_SETPCAP: the bounding set then bounds nothing the
		 * command could reach, so leave it as it is (cf_plan_build sets NNP for this). */
		if (plan->no_new_privileges)
			return 0;
		diag_set(reterr, EPERM, NULL, 0, 0, NULL,
			 "cannot remove %s from the bounding set: callfence lacks CAP_SETPCAP",
			 cap_label(__builtin_ctzll(drop), buf, sizeof(buf)));
		diag_hint(reterr, "run callfence as root (Docker's runtime does), or use "
				  "--security-opt no-new-privileges");
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

int cf_caps_plan_final(struct cf_plan *plan, cf_capset set, bool to_root, bool rootless,
		       struct cf_diag *reterr)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct cur[2] = { 0 };
	cf_capset permitted, missing;
	char buf[32];
	int r;

	if (syscall(SYS_capget, &hdr, cur) < 0)
		return diag_set(reterr, errno, NULL, 0, 0, NULL, "capget: %s", strerror(errno));
	permitted = (cf_capset)cur[0].permitted | ((cf_capset)cur[1].permitted << 32);
	/*
	 * capset can lower the permitted set, never raise it. For a non-root command switched to
	 * by root (Docker's --user) the kernel recomputes permitted/effective at execve from file
	 * caps, the bounding set and the (empty) ambient set, never from the old permitted set, so
	 * what callfence cannot hold is moot. A rootless command keeps what it is given.
	 */
	if (!to_root && !rootless)
		set &= permitted;
	missing = set & ~permitted;
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
	/* inheritable stays 0 (Docker since CVE-2022-24769); the kernel then also empties the
	 * ambient set (cap_capset). A rootless command: inheritable too, for the ambient raise. */
	if (rootless) {
		plan->cap_data[0].inheritable = (uint32_t)set;
		plan->cap_data[1].inheritable = (uint32_t)(set >> 32);
	}

	r = cf_plan_add(plan, CF_STEP_CAPSET, SYS_capset, (uint64_t)(uintptr_t)&plan->cap_hdr,
			(uint64_t)(uintptr_t)plan->cap_data, 0, 0,
			to_root || rootless ? "set the effective and permitted capabilities" :
					      "set the capabilities kept until execve");
	if (r < 0)
		return diag_set(reterr, -r, NULL, 0, 0, NULL, "too many launcher steps");
	/*
	 * A non-root command keeps a capability across execve only through the ambient set
	 * (capabilities(7)), as Podman gives a non-root user what --cap-add names (Docker gives
	 * it nothing, but runs it as root in a user namespace when rootless).
	 */
	for (int c = 0; rootless && c < 64; c++) {
		char what[96];

		if (!(set & CF_CAP_BIT(c)))
			continue;
		snprintf(what, sizeof(what), "keep %s across execve (ambient)",
			 cap_label(c, buf, sizeof(buf)));
		r = cf_plan_add(plan, CF_STEP_AMBIENT, SYS_prctl, PR_CAP_AMBIENT,
				PR_CAP_AMBIENT_RAISE, (uint64_t)c, 0, what);
		if (r < 0)
			return diag_set(reterr, -r, NULL, 0, 0, NULL, "too many launcher steps");
	}
	return 0;
}
