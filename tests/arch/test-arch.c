/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for src/arch: arch descriptors and syscall tables. Known numbers come from the
 * kernel's tables (arch/x86/entry/syscalls/syscall_64.tbl etc.); each positive check has a
 * negative twin (a name the ABI lacks, a number without its nr_base, an unknown arch).
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

#include "arch/arch.h"
#include "base/macro.h"
#include "lib/cf-test.h"

struct known {
	enum cf_arch arch;
	const char *name;
	int nr; /* what seccomp_data.nr holds; -ENOENT when the ABI lacks the syscall */
};

static const struct known known[] = {
	/* x86_64 */
	{ CF_ARCH_X86_64, "read", 0 },
	{ CF_ARCH_X86_64, "open", 2 },
	{ CF_ARCH_X86_64, "socket", 41 },
	{ CF_ARCH_X86_64, "rt_sigaction", 13 },
	{ CF_ARCH_X86_64, "arch_prctl", 158 },
	{ CF_ARCH_X86_64, "uretprobe", 335 },
	{ CF_ARCH_X86_64, "uprobe", 336 },
	{ CF_ARCH_X86_64, "mseal", 462 },
	{ CF_ARCH_X86_64, "removexattrat", 466 },
	{ CF_ARCH_X86_64, "open_tree_attr", 467 },
	{ CF_ARCH_X86_64, "file_setattr", 469 },
	{ CF_ARCH_X86_64, "listns", 470 },
	{ CF_ARCH_X86_64, "socketcall", -ENOENT },
	{ CF_ARCH_X86_64, "ipc", -ENOENT },
	{ CF_ARCH_X86_64, "mmap2", -ENOENT },
	{ CF_ARCH_X86_64, "chown32", -ENOENT },
	/* i386 */
	{ CF_ARCH_X86, "read", 3 },
	{ CF_ARCH_X86, "socketcall", 102 },
	{ CF_ARCH_X86, "ipc", 117 },
	{ CF_ARCH_X86, "socket", 359 },
	{ CF_ARCH_X86, "chown32", 212 },
	{ CF_ARCH_X86, "clock_gettime64", 403 },
	{ CF_ARCH_X86, "listns", 470 },
	{ CF_ARCH_X86, "newfstatat", -ENOENT },
	{ CF_ARCH_X86, "uretprobe", -ENOENT },
	/* x32: bit 30 set, x32-only numbers 512-547 */
	{ CF_ARCH_X32, "read", 0x40000000 },
	{ CF_ARCH_X32, "rt_sigaction", 0x40000000 + 512 },
	{ CF_ARCH_X32, "execve", 0x40000000 + 520 },
	{ CF_ARCH_X32, "listns", 0x40000000 + 470 },
	{ CF_ARCH_X32, "uprobe", 0x40000000 + 336 },
	{ CF_ARCH_X32, "uselib", -ENOENT },
	{ CF_ARCH_X32, "socketcall", -ENOENT },
	/* aarch64: generic table with renameat, rlimit, memfd_secret */
	{ CF_ARCH_AARCH64, "read", 63 },
	{ CF_ARCH_AARCH64, "openat", 56 },
	{ CF_ARCH_AARCH64, "renameat", 38 },
	{ CF_ARCH_AARCH64, "getrlimit", 163 },
	{ CF_ARCH_AARCH64, "memfd_secret", 447 },
	{ CF_ARCH_AARCH64, "listns", 470 },
	{ CF_ARCH_AARCH64, "open", -ENOENT },
	{ CF_ARCH_AARCH64, "fork", -ENOENT },
	{ CF_ARCH_AARCH64, "riscv_flush_icache", -ENOENT },
	{ CF_ARCH_AARCH64, "fstatat64", -ENOENT },
	/* arm EABI, with the private __ARM_NR_* calls */
	{ CF_ARCH_ARM, "read", 3 },
	{ CF_ARCH_ARM, "socket", 281 },
	{ CF_ARCH_ARM, "breakpoint", 0x0f0001 },
	{ CF_ARCH_ARM, "cacheflush", 0x0f0002 },
	{ CF_ARCH_ARM, "set_tls", 0x0f0005 },
	{ CF_ARCH_ARM, "arm_fadvise64_64", 270 },
	{ CF_ARCH_ARM, "file_setattr", 469 },
	{ CF_ARCH_ARM, "socketcall", -ENOENT }, /* OABI only */
	{ CF_ARCH_ARM, "memfd_secret", -ENOENT },
	/* riscv64: generic table with riscv, rlimit, memfd_secret; no renameat */
	{ CF_ARCH_RISCV64, "read", 63 },
	{ CF_ARCH_RISCV64, "riscv_flush_icache", 259 },
	{ CF_ARCH_RISCV64, "riscv_hwprobe", 258 },
	{ CF_ARCH_RISCV64, "getrlimit", 163 },
	{ CF_ARCH_RISCV64, "renameat", -ENOENT },
	{ CF_ARCH_RISCV64, "open", -ENOENT },
	/* loongarch64: common + 64 only */
	{ CF_ARCH_LOONGARCH64, "read", 63 },
	{ CF_ARCH_LOONGARCH64, "fstat", 80 },
	{ CF_ARCH_LOONGARCH64, "newfstatat", 79 },
	{ CF_ARCH_LOONGARCH64, "listns", 470 },
	{ CF_ARCH_LOONGARCH64, "getrlimit", -ENOENT },
	{ CF_ARCH_LOONGARCH64, "renameat", -ENOENT },
	{ CF_ARCH_LOONGARCH64, "memfd_secret", -ENOENT },
	/* MIPS: o32 +4000, n64 +5000, n32 +6000; the LE twins share the tables */
	{ CF_ARCH_MIPS, "read", 4003 },
	{ CF_ARCH_MIPSEL, "read", 4003 },
	{ CF_ARCH_MIPS, "socketcall", 4102 },
	{ CF_ARCH_MIPS, "listns", 4470 },
	{ CF_ARCH_MIPS64, "read", 5000 },
	{ CF_ARCH_MIPSEL64, "read", 5000 },
	{ CF_ARCH_MIPS64, "statmount", 5457 },
	{ CF_ARCH_MIPS64N32, "read", 6000 },
	{ CF_ARCH_MIPSEL64N32, "read", 6000 },
	{ CF_ARCH_MIPS64N32, "quotactl_fd", 6443 },
	{ CF_ARCH_MIPS64N32, "quotactl_path", -ENOENT },
	{ CF_ARCH_MIPS64, "socketcall", -ENOENT },
	{ CF_ARCH_MIPS, "memfd_secret", -ENOENT },
	/* powerpc */
	{ CF_ARCH_PPC, "socketcall", 102 },
	{ CF_ARCH_PPC, "mmap2", 192 },
	{ CF_ARCH_PPC64, "read", 3 },
	{ CF_ARCH_PPC64LE, "swapcontext", 249 },
	{ CF_ARCH_PPC64LE, "sync_file_range2", 308 },
	{ CF_ARCH_PPC64, "mmap2", -ENOENT },
	{ CF_ARCH_PPC64, "memfd_secret", -ENOENT },
	/* s390 */
	{ CF_ARCH_S390X, "read", 3 },
	{ CF_ARCH_S390X, "s390_runtime_instr", 342 },
	{ CF_ARCH_S390X, "mseal", 462 },
	{ CF_ARCH_S390X, "getrlimit", 191 },
	{ CF_ARCH_S390, "getrlimit", 76 },
	{ CF_ARCH_S390, "ugetrlimit", 191 },
	{ CF_ARCH_S390X, "ugetrlimit", -ENOENT },
	{ CF_ARCH_S390X, "chown32", -ENOENT },
};

static void test_known_numbers(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		int r = syscall_resolve_name(known[i].arch, known[i].name);

		if (r != known[i].nr)
			print_error("%s %s: got %d, want %d\n", arch_info(known[i].arch)->scmp_name,
				    known[i].name, r, known[i].nr);
		assert_int_equal(r, known[i].nr);
		if (r >= 0)
			assert_string_equal(syscall_resolve_num(known[i].arch, r), known[i].name);
	}
}

static void test_unknown_names(void **state)
{
	(void)state;
	assert_int_equal(syscall_resolve_name(CF_ARCH_X86_64, "no_such_syscall"), -ENOENT);
	assert_int_equal(syscall_resolve_name(CF_ARCH_X86_64, ""), -ENOENT);
	assert_int_equal(syscall_resolve_name(CF_ARCH_X86_64, "READ"), -ENOENT);
	assert_int_equal(syscall_resolve_name(CF_ARCH_X86_64, "read "), -ENOENT);
	assert_int_equal(syscall_resolve_name(CF_ARCH_X86_64, NULL), -ENOENT);
	assert_false(syscall_name_known("no_such_syscall"));
	assert_false(syscall_name_known(NULL));
	/* known somewhere, so not a typo */
	assert_true(syscall_name_known("socketcall"));
	assert_true(syscall_name_known("riscv_flush_icache"));
	assert_true(syscall_name_known("breakpoint"));
	assert_true(syscall_name_known("read"));
}

static void test_bad_arch(void **state)
{
	(void)state;
	assert_int_equal(syscall_resolve_name(CF_ARCH_COUNT, "read"), -EINVAL);
	assert_int_equal(syscall_resolve_name(CF_ARCH_INVALID, "read"), -EINVAL);
	assert_int_equal(syscall_max_nr(CF_ARCH_INVALID), -EINVAL);
	assert_null(syscall_resolve_num(CF_ARCH_INVALID, 0));
	assert_false(syscall_table_entry(CF_ARCH_INVALID, 0, NULL, NULL));
	/* valid arches without a table */
	assert_int_equal(syscall_resolve_name(CF_ARCH_PARISC, "read"), -EOPNOTSUPP);
	assert_int_equal(syscall_resolve_name(CF_ARCH_SH, "read"), -EOPNOTSUPP);
	assert_int_equal(syscall_max_nr(CF_ARCH_M68K), -EINVAL);
	assert_int_equal(syscall_table_size(CF_ARCH_PARISC64), -EOPNOTSUPP);
	assert_null(syscall_resolve_num(CF_ARCH_SHEB, 3));
	assert_false(syscall_table_entry(CF_ARCH_PARISC, 0, NULL, NULL));
}

static void test_resolve_num(void **state)
{
	(void)state;
	assert_string_equal(syscall_resolve_num(CF_ARCH_X86_64, 0), "read");
	assert_null(syscall_resolve_num(CF_ARCH_X86_64, 400)); /* hole 387-423 */
	assert_null(syscall_resolve_num(CF_ARCH_X86_64, 100000));
	assert_null(syscall_resolve_num(CF_ARCH_X86_64, -1));
	assert_string_equal(syscall_resolve_num(CF_ARCH_X32, 0x40000000), "read");
	assert_null(syscall_resolve_num(CF_ARCH_X32, 0)); /* x32 without bit 30 */
	assert_null(syscall_resolve_num(CF_ARCH_X32, 0x40000000 + 13)); /* 64-only entry */
	assert_string_equal(syscall_resolve_num(CF_ARCH_MIPS, 4003), "read");
	assert_null(syscall_resolve_num(CF_ARCH_MIPS, 3));
	assert_string_equal(syscall_resolve_num(CF_ARCH_MIPS64N32, 6000), "read");
	assert_null(syscall_resolve_num(CF_ARCH_MIPS64N32, 5000));
	assert_string_equal(syscall_resolve_num(CF_ARCH_ARM, 0x0f0005), "set_tls");
	assert_null(syscall_resolve_num(CF_ARCH_ARM, 0x0f0000));
}

static void test_max_nr(void **state)
{
	(void)state;
	assert_int_equal(syscall_max_nr(CF_ARCH_X86_64), 470);
	assert_int_equal(syscall_max_nr(CF_ARCH_X86), 470);
	assert_int_equal(syscall_max_nr(CF_ARCH_X32), 0x40000000 + 547);
	assert_int_equal(syscall_max_nr(CF_ARCH_AARCH64), 470);
	assert_int_equal(syscall_max_nr(CF_ARCH_ARM), 0x0f0006);
	assert_int_equal(syscall_max_nr(CF_ARCH_MIPS), 4470);
	assert_int_equal(syscall_max_nr(CF_ARCH_MIPS64), 5470);
	assert_int_equal(syscall_max_nr(CF_ARCH_MIPSEL64N32), 6470);
	assert_int_equal(syscall_max_nr(CF_ARCH_S390X), 470);
}

/* Every entry round-trips, numbers strictly increase, sizes match, no ABI is empty. */
static void test_tables_consistent(void **state)
{
	(void)state;
	for (enum cf_arch a = (enum cf_arch)0; a < CF_ARCH_COUNT; a++) {
		const struct cf_arch_info *info = arch_info(a);
		const char *name;
		int nr, prev = -1, size = syscall_table_size(a);
		unsigned i;

		if (!info->has_table) {
			assert_int_equal(size, -EOPNOTSUPP);
			continue;
		}
		assert_true(size > 250);
		for (i = 0; syscall_table_entry(a, i, &name, &nr); i++) {
			assert_true(nr > prev);
			assert_true((uint32_t)nr >= info->nr_base);
			assert_int_equal(syscall_resolve_name(a, name), nr);
			assert_string_equal(syscall_resolve_num(a, nr), name);
			assert_true(syscall_name_known(name));
			prev = nr;
		}
		assert_int_equal((int)i, size);
		assert_int_equal(prev, syscall_max_nr(a));
	}
}

static void test_table_sizes(void **state)
{
	(void)state;
	/* counts of the kernel tables we read (see the CSV header) */
	assert_int_equal(syscall_table_size(CF_ARCH_X86_64), 384);
	assert_int_equal(syscall_table_size(CF_ARCH_X32), 373);
	assert_int_equal(syscall_table_size(CF_ARCH_X86), 460);
	assert_int_equal(syscall_table_size(CF_ARCH_AARCH64), 326);
	assert_int_equal(syscall_table_size(CF_ARCH_RISCV64), 327);
	assert_int_equal(syscall_table_size(CF_ARCH_LOONGARCH64), 322);
	assert_int_equal(syscall_table_size(CF_ARCH_MIPSEL), syscall_table_size(CF_ARCH_MIPS));
	assert_int_equal(syscall_table_size(CF_ARCH_PPC64LE), syscall_table_size(CF_ARCH_PPC64));
	assert_true(syscall_table_size(CF_ARCH_PPC) != syscall_table_size(CF_ARCH_PPC64));
}

static void test_ids(void **state)
{
	int id_read, id_sc;

	(void)state;
	assert_true(syscall_n_ids() > 400);
	id_read = syscall_name_id("read");
	id_sc = syscall_name_id("socketcall");
	assert_true(id_read >= 0);
	assert_true(id_sc >= 0);
	assert_int_not_equal(id_read, id_sc);
	assert_string_equal(syscall_id_name(id_read), "read");
	assert_int_equal(syscall_resolve_id(CF_ARCH_MIPS, id_read), 4003);
	assert_int_equal(syscall_resolve_id(CF_ARCH_X86_64, id_sc), -ENOENT);
	assert_int_equal(syscall_resolve_id(CF_ARCH_X86, id_sc), 102);
	assert_int_equal(syscall_name_id("nope"), -ENOENT);
	assert_int_equal(syscall_name_id(NULL), -EINVAL);
	assert_null(syscall_id_name(-1));
	assert_null(syscall_id_name((int)syscall_n_ids()));
	assert_int_equal(syscall_resolve_id(CF_ARCH_X86_64, (int)syscall_n_ids()), -ENOENT);
	/* ids are in name order and every id names itself */
	for (unsigned i = 0; i < syscall_n_ids(); i++) {
		assert_int_equal(syscall_name_id(syscall_id_name((int)i)), (int)i);
		if (i > 0)
			assert_true(strcmp(syscall_id_name((int)i - 1), syscall_id_name((int)i)) <
				    0);
	}
}

static void test_arch_info(void **state)
{
	(void)state;
	for (enum cf_arch a = (enum cf_arch)0; a < CF_ARCH_COUNT; a++) {
		const struct cf_arch_info *info = arch_info(a);

		assert_non_null(info);
		assert_int_equal(info->arch, a);
		assert_int_equal(arch_from_scmp_name(info->scmp_name), a);
		assert_int_equal(arch_from_native_name(info->native_name), a);
		assert_int_equal(arch_from_alias(info->scmp_name), a);
		assert_true(info->bits == 32 || info->bits == 64);
		assert_non_null(strstr(arch_valid_names(), info->scmp_name));
		/* 64BIT and LE bits of AUDIT_ARCH agree with the descriptor (x32: 64-bit kernel ABI) */
		if (a != CF_ARCH_X32 && a != CF_ARCH_MIPS64N32 && a != CF_ARCH_MIPSEL64N32)
			assert_int_equal(!!(info->audit_arch & 0x80000000u), info->bits == 64);
		assert_int_equal(!!(info->audit_arch & 0x40000000u), !info->big_endian);
	}
	assert_null(arch_info(CF_ARCH_COUNT));
	assert_null(arch_info(CF_ARCH_INVALID));
	assert_int_equal(arch_info(CF_ARCH_X86_64)->audit_arch, 0xC000003Eu);
	assert_int_equal(arch_info(CF_ARCH_X32)->audit_arch, 0xC000003Eu);
	assert_int_equal(arch_info(CF_ARCH_X32)->nr_base, 0x40000000u);
	assert_int_equal(arch_info(CF_ARCH_X86)->audit_arch, 0x40000003u);
	assert_int_equal(arch_info(CF_ARCH_AARCH64)->audit_arch, 0xC00000B7u);
	assert_int_equal(arch_info(CF_ARCH_MIPSEL64N32)->audit_arch, 0xE0000008u);
	assert_int_equal(arch_info(CF_ARCH_LOONGARCH64)->audit_arch, 0xC0000102u);
	assert_int_equal(arch_info(CF_ARCH_SH)->audit_arch, 0x4000002Au);
	assert_int_equal(arch_info(CF_ARCH_SHEB)->audit_arch, 0x2Au);
	assert_int_equal(arch_info(CF_ARCH_MIPS)->nr_base, 4000u);
	assert_false(arch_info(CF_ARCH_PARISC)->has_table);
	assert_false(arch_info(CF_ARCH_M68K)->has_table);
	assert_true(arch_info(CF_ARCH_LOONGARCH64)->has_table);
	assert_string_equal(arch_info(CF_ARCH_X86_64)->native_name, "amd64");
	assert_string_equal(arch_info(CF_ARCH_AARCH64)->native_name, "arm64");
	/* moby's goToNative spelling */
	assert_string_equal(arch_info(CF_ARCH_MIPSEL64N32)->native_name, "mips3l64n32");
}

static void test_arch_names(void **state)
{
	(void)state;
	assert_int_equal(arch_from_scmp_name("SCMP_ARCH_X86_64"), CF_ARCH_X86_64);
	assert_int_equal(arch_from_scmp_name("SCMP_ARCH_LOONGARCH64"), CF_ARCH_LOONGARCH64);
	assert_int_equal(arch_from_scmp_name("scmp_arch_x86_64"), CF_ARCH_INVALID);
	assert_int_equal(arch_from_scmp_name("SCMP_ARCH_X86_65"), CF_ARCH_INVALID);
	assert_int_equal(arch_from_scmp_name("amd64"), CF_ARCH_INVALID);
	assert_int_equal(arch_from_scmp_name(NULL), CF_ARCH_INVALID);
	assert_int_equal(arch_from_native_name("amd64"), CF_ARCH_X86_64);
	assert_int_equal(arch_from_native_name("x32"), CF_ARCH_X32);
	assert_int_equal(arch_from_native_name("ppc64le"), CF_ARCH_PPC64LE);
	/* exact, like moby: libseccomp and Go spellings are not native names */
	assert_int_equal(arch_from_native_name("x86_64"), CF_ARCH_INVALID);
	assert_int_equal(arch_from_native_name("aarch64"), CF_ARCH_INVALID);
	assert_int_equal(arch_from_native_name("mipsel64n32"), CF_ARCH_INVALID);
	assert_int_equal(arch_from_native_name("AMD64"), CF_ARCH_INVALID);
	assert_int_equal(arch_from_native_name(NULL), CF_ARCH_INVALID);
	/* lenient spellings for the command line */
	assert_int_equal(arch_from_alias("x86_64"), CF_ARCH_X86_64);
	assert_int_equal(arch_from_alias("i686"), CF_ARCH_X86);
	assert_int_equal(arch_from_alias("aarch64"), CF_ARCH_AARCH64);
	assert_int_equal(arch_from_alias("mipsel64n32"), CF_ARCH_MIPSEL64N32);
	assert_int_equal(arch_from_alias("loong64"), CF_ARCH_LOONGARCH64);
	assert_int_equal(arch_from_alias("sparc64"), CF_ARCH_INVALID);
	assert_int_equal(arch_from_alias(NULL), CF_ARCH_INVALID);
}

static void test_seccomp_data(void **state)
{
	(void)state;
	assert_int_equal(arch_from_seccomp_data(0xC000003Eu, 0), CF_ARCH_X86_64);
	assert_int_equal(arch_from_seccomp_data(0xC000003Eu, 0x40000000u), CF_ARCH_X32);
	assert_int_equal(arch_from_seccomp_data(0x40000003u, 0x40000000u), CF_ARCH_X86);
	assert_int_equal(arch_from_seccomp_data(0xA0000008u, 6000), CF_ARCH_MIPS64N32);
	assert_int_equal(arch_from_seccomp_data(0x4000003Eu, 0), CF_ARCH_INVALID);
	assert_int_equal(arch_from_seccomp_data(0, 0), CF_ARCH_INVALID);
}

static void test_native(void **state)
{
	(void)state;
#if defined(__x86_64__) && !defined(__ILP32__)
	assert_int_equal(arch_native(), CF_ARCH_X86_64);
#elif defined(__aarch64__)
	assert_int_equal(arch_native(), CF_ARCH_AARCH64);
#endif
	assert_true(arch_info(arch_native()) != NULL);
	assert_true(arch_info(arch_native())->has_table);
}

static void test_version(void **state)
{
	(void)state;
	assert_string_equal(syscall_table_version(), "6.19");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_numbers), cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_bad_arch),      cmocka_unit_test(test_resolve_num),
		cmocka_unit_test(test_max_nr),	      cmocka_unit_test(test_tables_consistent),
		cmocka_unit_test(test_table_sizes),   cmocka_unit_test(test_ids),
		cmocka_unit_test(test_arch_info),     cmocka_unit_test(test_arch_names),
		cmocka_unit_test(test_seccomp_data),  cmocka_unit_test(test_native),
		cmocka_unit_test(test_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
