/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Oracle: our syscall tables against libseccomp's (tests only; the library never links it).
 *
 * For every ABI both sides carry, every name in our table and every name libseccomp resolves
 * on that ABI must get the same seccomp_data.nr from both. libseccomp 2.5.4 (Debian 12) predates
 * kernel 6.6-6.19, so the names it does not know are listed below with a reason; each listed
 * difference is printed as a TAP diagnostic, and any difference not listed fails the test. A
 * listed difference that did not occur is also reported (a newer libseccomp caught up), without
 * failing.
 */
/* cmocka.h needs these before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <errno.h>
#include <seccomp.h>

#include "arch/arch.h"
#include "base/macro.h"
#include "lib/cf-test.h"

/*
 * Known differences. arch CF_ARCH_COUNT = every ABI. "ls" is what libseccomp returns:
 * LS_UNKNOWN  libseccomp does not know the name on this ABI (error or a pseudo number),
 *             while the kernel table has it;
 * LS_EXTRA    libseccomp resolves a name our kernel tables do not have on this ABI.
 * LS_MUX      on an ABI with the socketcall/ipc multiplexers, libseccomp resolves the socket
 *             and SysV IPC calls to its pseudo numbers (__PNR_socket -101 .. __PNR_shmctl
 *             -224) and adds the direct kernel number per rule itself (libseccomp
 *             arch-x86.c/arch-s390.c/arch-mips.c/arch-ppc.c *_syscall_resolve_name and
 *             *_rule_add); the kernel table number we return is the direct one.
 * LS_GLOBAL   a name libseccomp knows on some ABI is unknown on every ABI we carry.
 * LS_MISMATCH both know the name with different numbers: never allow-listed.
 */
enum ls_kind {
	LS_UNKNOWN,
	LS_EXTRA,
	LS_MUX,
	LS_GLOBAL,
	LS_MISMATCH,
};

struct known_diff {
	enum cf_arch arch;
	const char *name;
	enum ls_kind kind;
	const char *why;
	unsigned hits;
};

#define ALL CF_ARCH_COUNT

static struct known_diff known_diffs[] = {
	/*
	 * Newer than libseccomp 2.5.4's tables. Debian 12's 2.5.4 already knows cachestat,
	 * fchmodat2, map_shadow_stack (x86_64) and futex_wake/wait/requeue (kernel 6.5-6.7).
	 */
	{ CF_ARCH_X32, "map_shadow_stack", LS_UNKNOWN, "x86_64-only until made common for x32", 0 },
	{ ALL, "statmount", LS_UNKNOWN, "kernel 6.8", 0 },
	{ ALL, "listmount", LS_UNKNOWN, "kernel 6.8", 0 },
	{ ALL, "lsm_get_self_attr", LS_UNKNOWN, "kernel 6.8", 0 },
	{ ALL, "lsm_set_self_attr", LS_UNKNOWN, "kernel 6.8", 0 },
	{ ALL, "lsm_list_modules", LS_UNKNOWN, "kernel 6.8", 0 },
	{ ALL, "mseal", LS_UNKNOWN, "kernel 6.10", 0 },
	{ ALL, "uretprobe", LS_UNKNOWN, "kernel 6.11 (x86_64)", 0 },
	{ ALL, "setxattrat", LS_UNKNOWN, "kernel 6.13", 0 },
	{ ALL, "getxattrat", LS_UNKNOWN, "kernel 6.13", 0 },
	{ ALL, "listxattrat", LS_UNKNOWN, "kernel 6.13", 0 },
	{ ALL, "removexattrat", LS_UNKNOWN, "kernel 6.13", 0 },
	{ ALL, "open_tree_attr", LS_UNKNOWN, "kernel 6.15", 0 },
	{ ALL, "uprobe", LS_UNKNOWN, "kernel 6.16 (x86_64)", 0 },
	{ ALL, "file_getattr", LS_UNKNOWN, "kernel 6.17", 0 },
	{ ALL, "file_setattr", LS_UNKNOWN, "kernel 6.17", 0 },
	{ ALL, "listns", LS_UNKNOWN, "kernel 6.19", 0 },
	{ CF_ARCH_RISCV64, "riscv_hwprobe", LS_UNKNOWN, "kernel 6.4", 0 },
	/* socketcall(2) family, pseudo numbers -101..-120 */
	{ ALL, "socket", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "bind", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "connect", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "listen", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "accept", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "getsockname", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "getpeername", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "socketpair", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "send", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "recv", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "sendto", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "recvfrom", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "shutdown", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "setsockopt", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "getsockopt", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "sendmsg", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "recvmsg", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "accept4", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "recvmmsg", LS_MUX, "socketcall multiplexer", 0 },
	{ ALL, "sendmmsg", LS_MUX, "socketcall multiplexer", 0 },
	/* ipc(2) family, pseudo numbers -201..-224 */
	{ ALL, "semget", LS_MUX, "ipc multiplexer", 0 },
	{ ALL, "semctl", LS_MUX, "ipc multiplexer", 0 },
	{ ALL, "semtimedop", LS_MUX, "ipc multiplexer", 0 },
	{ ALL, "msgsnd", LS_MUX, "ipc multiplexer", 0 },
	{ ALL, "msgrcv", LS_MUX, "ipc multiplexer", 0 },
	{ ALL, "msgget", LS_MUX, "ipc multiplexer", 0 },
	{ ALL, "msgctl", LS_MUX, "ipc multiplexer", 0 },
	{ ALL, "shmat", LS_MUX, "ipc multiplexer", 0 },
	{ ALL, "shmdt", LS_MUX, "ipc multiplexer", 0 },
	{ ALL, "shmget", LS_MUX, "ipc multiplexer", 0 },
	{ ALL, "shmctl", LS_MUX, "ipc multiplexer", 0 },
};

static struct known_diff *find_known(enum cf_arch arch, const char *name, enum ls_kind kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(known_diffs); i++) {
		struct known_diff *k = &known_diffs[i];

		if ((k->arch == ALL || k->arch == arch) && k->kind == kind &&
		    strcmp(k->name, name) == 0)
			return k;
	}
	return NULL;
}

static const char *kind_name(enum ls_kind k)
{
	switch (k) {
	case LS_UNKNOWN:
		return "unknown to libseccomp";
	case LS_EXTRA:
		return "only in libseccomp";
	case LS_MUX:
		return "libseccomp pseudo number (multiplexed)";
	case LS_GLOBAL:
		return "libseccomp-only name";
	case LS_MISMATCH:
		return "numbering differs";
	}
	return "?";
}

static char *lower(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
	buf[i] = '\0';
	return buf;
}

/* libseccomp's token for our arch, 0 if this libseccomp does not know it. */
static uint32_t ls_token(enum cf_arch a)
{
	char buf[64];
	const char *scmp = arch_info(a)->scmp_name + strlen("SCMP_ARCH_");

	return seccomp_arch_resolve_name(lower(scmp, buf, sizeof(buf)));
}

static unsigned unexpected;

static void report(enum cf_arch a, const char *name, enum ls_kind kind, int ours, int theirs)
{
	struct known_diff *k = find_known(a, name, kind);

	if (k) {
		k->hits++;
		return;
	}
	unexpected++;
	printf("# UNEXPECTED (%s) %s %s: ours %d, libseccomp %d\n", kind_name(kind),
	       arch_info(a)->scmp_name, name, ours, theirs);
}

static bool has_mux(enum cf_arch a)
{
	return syscall_resolve_name(a, "socketcall") >= 0 || syscall_resolve_name(a, "ipc") >= 0;
}

/* Largest number worth asking libseccomp about, above nr_base. */
#define SCAN_SPAN 1100

static void check_arch(enum cf_arch a, uint32_t tok, unsigned *ret_checked)
{
	const struct cf_arch_info *info = arch_info(a);
	unsigned checked = 0;
	const char *name;
	int nr;

	/* 1: every name of our table */
	for (unsigned i = 0; syscall_table_entry(a, i, &name, &nr); i++) {
		int theirs = seccomp_syscall_resolve_name_arch(tok, name);

		checked++;
		if (theirs == nr)
			continue;
		if (theirs >= 0)
			report(a, name, LS_MISMATCH, nr, theirs);
		else if (theirs <= -101 && theirs >= -224 && has_mux(a))
			report(a, name, LS_MUX, nr, theirs);
		else /* __NR_SCMP_ERROR or another pseudo number: not on this ABI for them */
			report(a, name, LS_UNKNOWN, nr, theirs);
	}
	/* 2: every number libseccomp names on this ABI (and ARM's private range) */
	for (int pass = 0; pass < 2; pass++) {
		uint32_t lo = pass == 0 ? info->nr_base : 0x0f0000;
		uint32_t hi = pass == 0 ? info->nr_base + SCAN_SPAN : 0x0f0010;

		if (pass == 1 && a != CF_ARCH_ARM)
			break;
		for (uint32_t n = lo; n < hi; n++) {
			char *theirs = seccomp_syscall_resolve_num_arch(tok, (int)n);
			int ours;

			if (!theirs)
				continue;
			checked++;
			ours = syscall_resolve_name(a, theirs);
			if (ours != (int)n)
				report(a, theirs, LS_EXTRA, ours, (int)n);
			free(theirs);
		}
	}
	*ret_checked = checked;
}

/* Every name libseccomp knows on any of its ABIs must be known to us on some ABI. */
static unsigned check_global(void)
{
	static const char *const ls_arches[] = {
		"x86",	    "x86_64",	   "x32",      "arm",	    "aarch64",	   "mips",
		"mipsel",   "mips64",	   "mipsel64", "mips64n32", "mipsel64n32", "parisc",
		"parisc64", "ppc",	   "ppc64",    "ppc64le",   "s390",	   "s390x",
		"riscv64",  "loongarch64", "m68k",     "sh",	    "sheb",
	};
	unsigned checked = 0;

	for (size_t i = 0; i < ARRAY_SIZE(ls_arches); i++) {
		uint32_t tok = seccomp_arch_resolve_name(ls_arches[i]);
		enum cf_arch a = arch_from_alias(ls_arches[i]);

		if (!tok || a == CF_ARCH_INVALID)
			continue;
		for (uint32_t n = 0; n < 7000 + SCAN_SPAN; n++) {
			char *theirs = seccomp_syscall_resolve_num_arch(tok, (int)n);

			if (!theirs)
				continue;
			checked++;
			if (!syscall_name_known(theirs))
				report(a, theirs, LS_GLOBAL, -ENOENT, (int)n);
			free(theirs);
		}
	}
	return checked;
}

static void test_oracle(void **state)
{
	const struct scmp_version *v = seccomp_version();
	unsigned total = 0, arches = 0;

	(void)state;
	printf("# libseccomp %u.%u.%u\n", v->major, v->minor, v->micro);
	for (enum cf_arch a = (enum cf_arch)0; a < CF_ARCH_COUNT; a++) {
		uint32_t tok = ls_token(a);
		unsigned checked = 0;

		if (!arch_info(a)->has_table) {
			printf("# %s: no table of ours (libseccomp %s)\n", arch_info(a)->scmp_name,
			       tok ? "has one" : "has none either");
			continue;
		}
		if (!tok) {
			printf("# %s: not known to this libseccomp, skipped\n",
			       arch_info(a)->scmp_name);
			continue;
		}
		check_arch(a, tok, &checked);
		printf("# %s: %u comparisons\n", arch_info(a)->scmp_name, checked);
		total += checked;
		arches++;
	}
	total += check_global();
	for (size_t i = 0; i < ARRAY_SIZE(known_diffs); i++) {
		const struct known_diff *k = &known_diffs[i];

		printf("# allow-listed: %s %s (%s): %u ABI(s)%s\n", kind_name(k->kind), k->name,
		       k->why, k->hits, k->hits ? "" : " - not seen, libseccomp caught up");
	}
	printf("# %u ABIs, %u comparisons, %u unexpected differences\n", arches, total, unexpected);
	assert_true(arches >= 17);
	assert_int_equal(unexpected, 0);
}

/* The comparison must be able to fail: a wrong number is caught. */
static void test_oracle_negative(void **state)
{
	uint32_t tok = ls_token(CF_ARCH_X86_64);

	(void)state;
	assert_int_not_equal(tok, 0);
	assert_int_equal(seccomp_syscall_resolve_name_arch(tok, "read"),
			 syscall_resolve_name(CF_ARCH_X86_64, "read"));
	assert_int_not_equal(seccomp_syscall_resolve_name_arch(tok, "read"),
			     syscall_resolve_name(CF_ARCH_X86, "read"));
	assert_null(find_known(CF_ARCH_X86_64, "read", LS_UNKNOWN));
	assert_non_null(find_known(CF_ARCH_X86_64, "listns", LS_UNKNOWN));
	assert_null(find_known(CF_ARCH_X86_64, "listns", LS_EXTRA));
	/* x32 numbers carry bit 30 on both sides */
	assert_int_equal(seccomp_syscall_resolve_name_arch(ls_token(CF_ARCH_X32), "read"),
			 syscall_resolve_name(CF_ARCH_X32, "read"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oracle),
		cmocka_unit_test(test_oracle_negative),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
