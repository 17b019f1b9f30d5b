/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who runs callfence, and what it can therefore give the command. There is no "root mode" and
 * "rootless mode" switch: each launcher step needs one capability in callfence's effective set
 * (the kernel checks the effective set, in callfence's own user namespace), and what it lacks
 * decides:
 *   - installing a filter without no-new-privileges: CAP_SYS_ADMIN (kernel/seccomp.c
 *     seccomp_prepare_filter); without it the launcher sets no-new-privileges itself;
 *   - lowering the bounding set: CAP_SETPCAP (PR_CAPBSET_DROP); without it, no-new-privileges
 *     again, since then no execve can raise the permitted set above what capset left
 *     (security/commoncap.c cap_bprm_creds_from_file), whatever the bounding set holds;
 *   - setuid to another uid: CAP_SETUID; setgid / setgroups: CAP_SETGID (kernel/sys.c);
 *   - keeping a capability: holding it (capset never raises the permitted set), and, for a
 *     non-root command, the ambient set (the only way a capability survives execve without file
 *     capabilities), which needs it permitted and inheritable (capset can make it inheritable
 *     only inside the bounding set) and SECBIT_NO_CAP_AMBIENT_RAISE clear (prctl(2)).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "base/cleanup.h"
#include "run/run.h"

int cf_caller_get(struct cf_caller *ret)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2] = { 0 };
	cleanup_free gid_t *groups = NULL;
	int n, bits;

	memset(ret, 0, sizeof(*ret));
	if (getresuid(&ret->ruid, &ret->euid, &ret->suid) < 0 ||
	    getresgid(&ret->rgid, &ret->egid, &ret->sgid) < 0)
		return -errno;
	if (syscall(SYS_capget, &hdr, d) < 0)
		return -errno;
	ret->effective = (cf_capset)d[0].effective | ((cf_capset)d[1].effective << 32);
	ret->permitted = (cf_capset)d[0].permitted | ((cf_capset)d[1].permitted << 32);
	ret->inheritable = (cf_capset)d[0].inheritable | ((cf_capset)d[1].inheritable << 32);
	ret->bounding = caps_bounding();
	bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	ret->ambient_locked = bits > 0 && (bits & SECBIT_NO_CAP_AMBIENT_RAISE);

	n = getgroups(0, NULL);
	if (n < 0)
		return -errno;
	groups = calloc((size_t)n + 1, sizeof(gid_t));
	if (!groups)
		return -ENOMEM;
	n = getgroups(n, groups);
	if (n < 0)
		return -errno;
	ret->groups = TAKE_PTR(groups);
	ret->n_groups = (size_t)n;
	return 0;
}

void cf_caller_clear(struct cf_caller *c)
{
	if (!c)
		return;
	free(c->groups);
	memset(c, 0, sizeof(*c));
}

bool cf_caller_has(const struct cf_caller *c, int cap)
{
	return c->effective & CF_CAP_BIT(cap);
}

bool cf_caller_rootless(const struct cf_caller *c, bool to_root)
{
	return !to_root && c->euid != 0;
}

static bool gid_in(const gid_t *v, size_t n, gid_t g)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == g)
			return true;
	return false;
}

/* The same set of ids, in any order and with any repetition (setgroups keeps duplicates). */
static bool groups_equal(const gid_t *a, size_t na, const gid_t *b, size_t nb)
{
	for (size_t i = 0; i < na; i++)
		if (!gid_in(b, nb, a[i]))
			return false;
	for (size_t i = 0; i < nb; i++)
		if (!gid_in(a, na, b[i]))
			return false;
	return true;
}

int cf_caller_check_user(const struct cf_caller *c, const struct cf_creds *want, const char *spec,
			 bool *ret_switch, struct cf_diag *reterr)
{
	bool setuid_ok = cf_caller_has(c, CAP_SETUID), setgid_ok = cf_caller_has(c, CAP_SETGID);
	bool same_uid = c->ruid == want->uid && c->euid == want->uid && c->suid == want->uid;
	bool same_gid = c->rgid == want->gid && c->egid == want->gid && c->sgid == want->gid;
	bool same_groups = groups_equal(c->groups, c->n_groups, want->groups, want->n_groups);
	int r;

	/* Allowed to switch: Docker's whole sequence (setgroups, setgid, setuid), always, so a
	 * profile that denies one of them fails here as it would under runc. */
	if (setuid_ok && setgid_ok) {
		*ret_switch = true;
		return 0;
	}
	if (!same_uid && !setuid_ok) {
		r = diag_set(reterr, EPERM, NULL, 0, 0, "--user",
			     "%s: you are uid %u without CAP_SETUID: cannot switch to uid %u", spec,
			     (unsigned)c->euid, (unsigned)want->uid);
		diag_hint(reterr, "run it as yourself (drop --user), or run callfence as root");
		return r;
	}
	if (!same_gid && !setgid_ok) {
		r = diag_set(reterr, EPERM, NULL, 0, 0, "--user",
			     "%s: you are uid %u without CAP_SETGID: cannot switch to gid %u", spec,
			     (unsigned)c->euid, (unsigned)want->gid);
		diag_hint(reterr, "give your own group (%u) or none, or run callfence as root",
			  (unsigned)c->egid);
		return r;
	}
	/* Yourself: keep your ids and your supplementary groups (only CAP_SETGID could set
	 * Docker's list), as a rootless container keeps the caller's on the host. */
	if (same_uid && same_gid && (same_groups || !setgid_ok)) {
		*ret_switch = false;
		return 0;
	}
	if (!same_groups && !setgid_ok) {
		r = diag_set(reterr, EPERM, NULL, 0, 0, "--user",
			     "%s: you are uid %u without CAP_SETGID: cannot set the supplementary "
			     "groups of uid %u",
			     spec, (unsigned)c->euid, (unsigned)want->uid);
		diag_hint(reterr, "run it as yourself (drop --user), or run callfence as root");
		return r;
	}
	/* What is left to change is allowed; setuid/setgid to an id already held in all three
	 * slots succeed without the capability. */
	*ret_switch = true;
	return 0;
}

void cf_caller_cap_limit(const struct cf_caller *c, bool to_root, struct cf_cap_limit *ret)
{
	char held[640];

	memset(ret, 0, sizeof(*ret));
	if (to_root) {
		/* capset keeps at most the permitted set; root's execve keeps the bounding set */
		ret->grantable = c->permitted & c->bounding;
		if (c->euid == 0 && (c->bounding & ~c->permitted) == 0)
			snprintf(ret->why_not, sizeof(ret->why_not),
				 "it is not in callfence's own bounding set (the host or a parent "
				 "process dropped it; see CapBnd in /proc/self/status)");
		else if (c->euid == 0)
			snprintf(
				ret->why_not, sizeof(ret->why_not),
				"callfence's own bounding or permitted set lacks it (a parent process "
				"dropped it), and it can only pass on what it holds");
		else
			snprintf(ret->why_not, sizeof(ret->why_not),
				 "you are uid %u and do not hold it", (unsigned)c->euid);
		snprintf(ret->hint, sizeof(ret->hint),
			 "drop the --cap-add; `callfence export` shows what Docker would use");
		return;
	}
	if (!cf_caller_rootless(c, to_root)) {
		/* root switching to a non-root --user: as Docker, the set only bounds the
		 * command (the kernel clears its permitted set at the uid change) */
		ret->grantable = c->bounding;
		snprintf(ret->why_not, sizeof(ret->why_not),
			 "it is not in callfence's own bounding set (the host or a parent "
			 "process dropped it; see CapBnd in /proc/self/status)");
		snprintf(ret->hint, sizeof(ret->hint),
			 "drop the --cap-add; `callfence export` shows what Docker would use");
		return;
	}
	/* A non-root caller running the command as itself: only capabilities it holds, and only
	 * those named (rootless Docker and Podman give their defaults inside a user namespace,
	 * where they reach nothing of the host's; Podman gives a non-root user only what
	 * --cap-add names). */
	ret->no_defaults = true;
	ret->grantable = c->ambient_locked ? 0 : c->permitted & c->bounding;
	caps_format(c->permitted, held, sizeof(held), ",");
	if (c->ambient_locked && c->permitted)
		snprintf(ret->why_not, sizeof(ret->why_not),
			 "you are uid %u and SECBIT_NO_CAP_AMBIENT_RAISE keeps your capabilities "
			 "from reaching a program you start",
			 (unsigned)c->euid);
	else
		snprintf(ret->why_not, sizeof(ret->why_not),
			 "you are uid %u and do not hold it (you hold: %.80s)", (unsigned)c->euid,
			 held[0] ? held : "none");
	snprintf(ret->hint, sizeof(ret->hint),
		 "a non-root caller can pass on only capabilities it holds (see ROOTLESS in "
		 "callfence-run(1)); drop the --cap-add, or run callfence as root");
}
