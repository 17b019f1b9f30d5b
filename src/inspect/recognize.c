/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Naming a program that callfence itself installs on this host: compiled here, byte for byte.
 * The guard (src/run/tty-guard.c) is the same for every run except the parent's pid in one
 * instruction; the builtin profile is compiled for the capability sets `callfence run` gives
 * most often: Docker's 14, those plus one more capability, every capability of this kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bpf/filter.h"
#include "caps/caps.h"
#include "inspect/inspect.h"
#include "run/run.h"

static bool same(const struct cf_bpf_prog *p, const struct sock_filter *insns, size_t len)
{
	return p->len == len && memcmp(p->insns, insns, len * sizeof(*insns)) == 0;
}

static int builtin_is(const struct cf_profile *prof, cf_capset caps,
		      const struct sock_filter *insns, size_t len)
{
	struct cf_resolve_opts ro = { .native = CF_ARCH_INVALID, .bounding = caps };
	cleanup(cf_resolved_freep) struct cf_resolved *r = NULL;
	cleanup(cf_bpf_prog_freep) struct cf_bpf_prog *p = NULL;
	struct cf_diag d;
	int e;

	e = cf_profile_resolve(prof, &ro, &r, &d);
	if (e < 0)
		return e;
	e = cf_filter_compile(r, &p, &d);
	if (e < 0)
		return e;
	return same(p, insns, len);
}

int cf_inspect_recognize(const struct sock_filter *insns, size_t len, char *origin, size_t size)
{
	cleanup(cf_profile_freep) struct cf_profile *prof = NULL;
	cf_capset def = caps_docker_default(), all = caps_available();
	struct sock_filter guard[CF_GUARD_LEN];
	struct sock_fprog fp;
	int e;

	origin[0] = '\0';
	if (len == CF_GUARD_LEN && cf_tty_guard_build(0, guard, &fp) == 0) {
		/* every instruction but the parent's pid */
		size_t slot = CF_GUARD_LEN;

		for (size_t i = 0; i < len; i++)
			if (memcmp(&guard[i], &insns[i], sizeof(*insns)) != 0) {
				if (slot != CF_GUARD_LEN || guard[i].code != insns[i].code ||
				    guard[i].jt != insns[i].jt || guard[i].jf != insns[i].jf ||
				    guard[i].k != 0)
					goto profile;
				slot = i;
			}
		snprintf(origin, size,
			 "callfence's terminal guard (TIOCSTI/TIOCLINUX and ptrace of process %u "
			 "-> EPERM)",
			 slot == CF_GUARD_LEN ? 0 : insns[slot].k);
		return 0;
	}
profile:
	e = cf_profile_builtin(&prof);
	if (e < 0)
		return e;
	e = builtin_is(prof, def, insns, len);
	if (e != 0) {
		if (e > 0)
			snprintf(origin, size, "callfence builtin (Docker's default capabilities)");
		return e < 0 ? e : 0;
	}
	for (int c = 0; c < 64; c++) {
		if (!(all & CF_CAP_BIT(c)) || (def & CF_CAP_BIT(c)))
			continue;
		e = builtin_is(prof, def | CF_CAP_BIT(c), insns, len);
		if (e < 0)
			return e;
		if (e > 0) {
			snprintf(origin, size, "callfence builtin + %s", caps_to_name(c));
			return 0;
		}
	}
	e = builtin_is(prof, all, insns, len);
	if (e > 0)
		snprintf(origin, size, "callfence builtin with every capability (--privileged)");
	return e < 0 ? e : 0;
}
