/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "caps/caps.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sys/capability.h>
#include <sys/prctl.h>

#include "base/cleanup.h"
#include "base/suggest.h"

#define CAP_MAX_BITS 64

static char cap_names[CAP_MAX_BITS][32];
static int cap_known_last = -1;
static pthread_once_t cap_names_once = PTHREAD_ONCE_INIT;

/* libcap knows the names; we keep Docker's upper-case "CAP_X" spelling in a table. */
static void init_cap_names(void)
{
	for (int i = 0; i < CAP_MAX_BITS; i++) {
		char *n = cap_to_name((cap_value_t)i);

		if (!n)
			continue;
		/* libcap prints unnamed caps as plain numbers */
		if (strncmp(n, "cap_", 4) == 0) {
			size_t k;

			for (k = 0; n[k] && k + 1 < sizeof(cap_names[i]); k++)
				cap_names[i][k] = (char)toupper((unsigned char)n[k]);
			cap_names[i][k] = '\0';
			cap_known_last = i;
		}
		cap_free(n);
	}
}

int caps_last_known(void)
{
	(void)pthread_once(&cap_names_once, init_cap_names);
	return cap_known_last;
}

const char *caps_to_name(int cap)
{
	(void)pthread_once(&cap_names_once, init_cap_names);
	if (cap < 0 || cap >= CAP_MAX_BITS || cap_names[cap][0] == '\0')
		return NULL;
	return cap_names[cap];
}

int caps_from_name(const char *name)
{
	char norm[40];
	size_t n = strlen(name);

	(void)pthread_once(&cap_names_once, init_cap_names);
	if (n == 0 || n >= sizeof(norm) - 4)
		return -EINVAL;
	/* Docker: upper-case, then prefix CAP_ when missing (moby caps.NormalizeLegacyCapabilities). */
	if (strncasecmp(name, "CAP_", 4) == 0)
		snprintf(norm, sizeof(norm), "%s", name);
	else
		snprintf(norm, sizeof(norm), "CAP_%s", name);
	for (char *p = norm; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	for (int i = 0; i <= cap_known_last; i++)
		if (strcmp(cap_names[i], norm) == 0)
			return i;
	return -EINVAL;
}

/* Read once and kept: the kernel's value cannot change while we run, and the launcher's parent
 * asks again (explain's fixes) after it confined itself, when open(2) is no longer allowed. */
int caps_last_kernel(void)
{
	static int cached;
	int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
	char buf[16] = "";

	if (v > 0)
		return v;
	{
		cleanup_close int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);

		if (fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0)
			v = atoi(buf);
	}
	if (v <= 0 || v >= CAP_MAX_BITS)
		v = caps_last_known();
	__atomic_store_n(&cached, v, __ATOMIC_RELAXED);
	return v;
}

cf_capset caps_docker_default(void)
{
	/* moby daemon/pkg/oci/caps/defaults.go */
	return CF_CAP_BIT(CAP_CHOWN) | CF_CAP_BIT(CAP_DAC_OVERRIDE) | CF_CAP_BIT(CAP_FSETID) |
	       CF_CAP_BIT(CAP_FOWNER) | CF_CAP_BIT(CAP_MKNOD) | CF_CAP_BIT(CAP_NET_RAW) |
	       CF_CAP_BIT(CAP_SETGID) | CF_CAP_BIT(CAP_SETUID) | CF_CAP_BIT(CAP_SETFCAP) |
	       CF_CAP_BIT(CAP_SETPCAP) | CF_CAP_BIT(CAP_NET_BIND_SERVICE) |
	       CF_CAP_BIT(CAP_SYS_CHROOT) | CF_CAP_BIT(CAP_KILL) | CF_CAP_BIT(CAP_AUDIT_WRITE);
}

cf_capset caps_podman_default(void)
{
	/* containers/common pkg/config/default.go DefaultCapabilities (containers.conf
	 * default_capabilities): Docker's without AUDIT_WRITE, MKNOD and NET_RAW */
	return caps_docker_default() &
	       ~(CF_CAP_BIT(CAP_AUDIT_WRITE) | CF_CAP_BIT(CAP_MKNOD) | CF_CAP_BIT(CAP_NET_RAW));
}

cf_capset caps_available(void)
{
	int last = caps_last_kernel();

	return last >= 63 ? ~(cf_capset)0 : CF_CAP_BIT(last + 1) - 1;
}

cf_capset caps_bounding(void)
{
	cf_capset set = 0;
	int last = caps_last_kernel();

	for (int i = 0; i <= last; i++)
		if (prctl(PR_CAPBSET_READ, (unsigned long)i, 0, 0, 0) == 1)
			set |= CF_CAP_BIT(i);
	return set;
}

const char *caps_near_miss(const char *name)
{
	/* compared without the optional CAP_ prefix, so SYS_ADMN and CAP_SYS_ADMN both find it;
	 * answered as spelled: SYS_ADMIN for SYS_ADMN */
	bool prefixed = strncasecmp(name, "CAP_", 4) == 0;
	const char *word = prefixed ? name + 4 : name;
	struct cf_suggest sg;

	cf_suggest_init(&sg, word);
	for (int i = 0; i <= caps_last_known(); i++) {
		const char *n = caps_to_name(i);

		if (n)
			cf_suggest_consider(&sg, n + 4);
	}
	if (!cf_suggest_is_near_miss(&sg))
		return NULL;
	return prefixed ? caps_to_name(caps_from_name(sg.best)) : sg.best;
}

static bool list_has_all(const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(list[i], "ALL") == 0)
			return true;
	return false;
}

static int list_to_set(const char *const *list, size_t n, cf_capset available, const char *option,
		       cf_capset *ret, struct cf_diag *reterr)
{
	cf_capset set = 0;

	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(list[i], "ALL") == 0)
			continue;
		int cap = caps_from_name(list[i]);
		if (cap < 0) {
			int r = diag_set(reterr, EINVAL, NULL, 0, 0, option,
					 "unknown capability: \"%s\"", list[i]);
			const char *near = caps_near_miss(list[i]);

			if (near)
				diag_hint(reterr, "did you mean %s?", near);
			else
				diag_hint(
					reterr,
					"valid: ALL or a name from capabilities(7) such as "
					"SYS_NICE, CAP_NET_ADMIN (any case, CAP_ prefix optional)");
			return r;
		}
		if (!(available & CF_CAP_BIT(cap)))
			return diag_set(reterr, EPERM, NULL, 0, 0, option,
					"capability not supported by your kernel: \"%s\"",
					caps_to_name(cap));
		set |= CF_CAP_BIT(cap);
	}
	*ret = set;
	return 0;
}

int caps_resolve(const struct cf_cap_request *req, cf_capset *ret, struct cf_diag *reterr)
{
	const struct cf_cap_limit *lim = req->limit;
	cf_capset available = caps_available();
	cf_capset add = 0, drop = 0, base = req->base ? req->base : caps_docker_default();
	int r;

	/* Validate both lists first, like moby (invalid CapAdd / CapDrop at create time). */
	r = list_to_set(req->add, req->n_add, available, "--cap-add", &add, reterr);
	if (r < 0)
		return r;
	r = list_to_set(req->drop, req->n_drop, available, "--cap-drop", &drop, reterr);
	if (r < 0)
		return r;
	if (lim) {
		/* A drop of a capability the caller lacks is already true: only adds fail (an add
		 * wins over a drop of the same name in moby's algebra, so it must be grantable). */
		cf_capset missing = add & ~lim->grantable;

		if (missing) {
			r = diag_set(reterr, EPERM, NULL, 0, 0, "--cap-add", "cannot grant %s: %s",
				     caps_to_name(__builtin_ctzll(missing)), lim->why_not);
			if (lim->hint[0])
				diag_hint(reterr, "%s", lim->hint);
			return r;
		}
		available = lim->grantable;
		if (lim->no_defaults)
			base = 0;
	}

	if (req->privileged) {
		*ret = available;
		return 0;
	}
	if (list_has_all(req->add, req->n_add)) {
		*ret = available & ~drop;
		return 0;
	}
	if (list_has_all(req->drop, req->n_drop)) {
		*ret = add;
		return 0;
	}
	*ret = ((base & ~drop) | add) & available;
	return 0;
}

void caps_format(cf_capset set, char *buf, size_t size, const char *sep)
{
	size_t n = 0;
	bool first = true;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (int i = 0; i < CAP_MAX_BITS && n < size; i++) {
		if (!(set & CF_CAP_BIT(i)))
			continue;
		const char *name = caps_to_name(i);
		char num[16];
		if (!name) {
			snprintf(num, sizeof(num), "%d", i);
			name = num;
		}
		int w = snprintf(buf + n, size - n, "%s%s", first ? "" : sep, name);
		if (w < 0)
			return;
		n += (size_t)w;
		first = false;
	}
}
