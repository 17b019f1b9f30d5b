/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "arch/arch.h"

#include <stddef.h>
#include <string.h>

/*
 * seccomp_data.arch values: include/uapi/linux/audit.h (AUDIT_ARCH_*) with the EM_* numbers of
 * include/uapi/linux/elf-em.h. x32 has no AUDIT_ARCH of its own: the kernel reports
 * AUDIT_ARCH_X86_64 and sets __X32_SYSCALL_BIT in nr (arch/x86/include/uapi/asm/unistd.h).
 */
#define AUDIT_64BIT 0x80000000u
#define AUDIT_LE    0x40000000u
#define AUDIT_N32   0x20000000u

#define EM_386	     3u
#define EM_68K	     4u
#define EM_MIPS	     8u
#define EM_PARISC    15u
#define EM_PPC	     20u
#define EM_PPC64     21u
#define EM_S390	     22u
#define EM_ARM	     40u
#define EM_SH	     42u
#define EM_X86_64    62u
#define EM_AARCH64   183u
#define EM_RISCV     243u
#define EM_LOONGARCH 258u

#define X32_SYSCALL_BIT 0x40000000u

/*
 * native_name is what moby compares with includes/excludes "arches": the values of its
 * goToNative map (moby/profiles seccomp/seccomp_linux.go). Its spelling "mips3l64n32" for
 * little-endian n32 is kept on purpose: a profile must say that to match on such a host.
 * SH/SHEB follow libseccomp: SCMP_ARCH_SH is little endian (AUDIT_ARCH_SHEL).
 * x32 arguments are 32 bits wide as in libseccomp (arch-x32.c, ARCH_SIZE_32).
 */
static const struct cf_arch_info arch_table[CF_ARCH_COUNT] = {
	[CF_ARCH_X86_64] = { CF_ARCH_X86_64, "SCMP_ARCH_X86_64", "amd64",
			     EM_X86_64 | AUDIT_64BIT | AUDIT_LE, 64, false, 0, true },
	[CF_ARCH_X86] = { CF_ARCH_X86, "SCMP_ARCH_X86", "x86", EM_386 | AUDIT_LE, 32, false, 0,
			  true },
	[CF_ARCH_X32] = { CF_ARCH_X32, "SCMP_ARCH_X32", "x32", EM_X86_64 | AUDIT_64BIT | AUDIT_LE,
			  32, false, X32_SYSCALL_BIT, true },
	[CF_ARCH_AARCH64] = { CF_ARCH_AARCH64, "SCMP_ARCH_AARCH64", "arm64",
			      EM_AARCH64 | AUDIT_64BIT | AUDIT_LE, 64, false, 0, true },
	[CF_ARCH_ARM] = { CF_ARCH_ARM, "SCMP_ARCH_ARM", "arm", EM_ARM | AUDIT_LE, 32, false, 0,
			  true },
	[CF_ARCH_MIPS] = { CF_ARCH_MIPS, "SCMP_ARCH_MIPS", "mips", EM_MIPS, 32, true, 4000, true },
	[CF_ARCH_MIPS64] = { CF_ARCH_MIPS64, "SCMP_ARCH_MIPS64", "mips64", EM_MIPS | AUDIT_64BIT,
			     64, true, 5000, true },
	[CF_ARCH_MIPS64N32] = { CF_ARCH_MIPS64N32, "SCMP_ARCH_MIPS64N32", "mips64n32",
				EM_MIPS | AUDIT_64BIT | AUDIT_N32, 32, true, 6000, true },
	[CF_ARCH_MIPSEL] = { CF_ARCH_MIPSEL, "SCMP_ARCH_MIPSEL", "mipsel", EM_MIPS | AUDIT_LE, 32,
			     false, 4000, true },
	[CF_ARCH_MIPSEL64] = { CF_ARCH_MIPSEL64, "SCMP_ARCH_MIPSEL64", "mipsel64",
			       EM_MIPS | AUDIT_64BIT | AUDIT_LE, 64, false, 5000, true },
	[CF_ARCH_MIPSEL64N32] = { CF_ARCH_MIPSEL64N32, "SCMP_ARCH_MIPSEL64N32", "mips3l64n32",
				  EM_MIPS | AUDIT_64BIT | AUDIT_LE | AUDIT_N32, 32, false, 6000,
				  true },
	[CF_ARCH_PPC] = { CF_ARCH_PPC, "SCMP_ARCH_PPC", "ppc", EM_PPC, 32, true, 0, true },
	[CF_ARCH_PPC64] = { CF_ARCH_PPC64, "SCMP_ARCH_PPC64", "ppc64", EM_PPC64 | AUDIT_64BIT, 64,
			    true, 0, true },
	[CF_ARCH_PPC64LE] = { CF_ARCH_PPC64LE, "SCMP_ARCH_PPC64LE", "ppc64le",
			      EM_PPC64 | AUDIT_64BIT | AUDIT_LE, 64, false, 0, true },
	[CF_ARCH_S390] = { CF_ARCH_S390, "SCMP_ARCH_S390", "s390", EM_S390, 32, true, 0, true },
	[CF_ARCH_S390X] = { CF_ARCH_S390X, "SCMP_ARCH_S390X", "s390x", EM_S390 | AUDIT_64BIT, 64,
			    true, 0, true },
	[CF_ARCH_PARISC] = { CF_ARCH_PARISC, "SCMP_ARCH_PARISC", "parisc", EM_PARISC, 32, true, 0,
			     false },
	[CF_ARCH_PARISC64] = { CF_ARCH_PARISC64, "SCMP_ARCH_PARISC64", "parisc64",
			       EM_PARISC | AUDIT_64BIT, 64, true, 0, false },
	[CF_ARCH_RISCV64] = { CF_ARCH_RISCV64, "SCMP_ARCH_RISCV64", "riscv64",
			      EM_RISCV | AUDIT_64BIT | AUDIT_LE, 64, false, 0, true },
	[CF_ARCH_LOONGARCH64] = { CF_ARCH_LOONGARCH64, "SCMP_ARCH_LOONGARCH64", "loongarch64",
				  EM_LOONGARCH | AUDIT_64BIT | AUDIT_LE, 64, false, 0, true },
	[CF_ARCH_M68K] = { CF_ARCH_M68K, "SCMP_ARCH_M68K", "m68k", EM_68K, 32, true, 0, false },
	[CF_ARCH_SH] = { CF_ARCH_SH, "SCMP_ARCH_SH", "sh", EM_SH | AUDIT_LE, 32, false, 0, false },
	[CF_ARCH_SHEB] = { CF_ARCH_SHEB, "SCMP_ARCH_SHEB", "sheb", EM_SH, 32, true, 0, false },
};

/*
 * Other spellings for arch_from_alias(): libseccomp's own names, GOARCH values, uname -m.
 * Never used for profile conditions, where moby compares native names exactly.
 */
static const struct {
	const char *alias;
	enum cf_arch arch;
} arch_aliases[] = {
	{ "x86_64", CF_ARCH_X86_64 },
	{ "386", CF_ARCH_X86 },
	{ "i386", CF_ARCH_X86 },
	{ "i486", CF_ARCH_X86 },
	{ "i586", CF_ARCH_X86 },
	{ "i686", CF_ARCH_X86 },
	{ "amd64p32", CF_ARCH_X32 },
	{ "aarch64", CF_ARCH_AARCH64 },
	{ "armv5tel", CF_ARCH_ARM },
	{ "armv6l", CF_ARCH_ARM },
	{ "armv7l", CF_ARCH_ARM },
	{ "armv8l", CF_ARCH_ARM },
	{ "mipsle", CF_ARCH_MIPSEL },
	{ "mips64le", CF_ARCH_MIPSEL64 },
	{ "mips64p32", CF_ARCH_MIPS64N32 },
	{ "mips64p32le", CF_ARCH_MIPSEL64N32 },
	{ "mipsel64n32", CF_ARCH_MIPSEL64N32 },
	{ "loong64", CF_ARCH_LOONGARCH64 },
};

const struct cf_arch_info *arch_info(enum cf_arch arch)
{
	if ((int)arch < 0 || arch >= CF_ARCH_COUNT)
		return NULL;
	return &arch_table[arch];
}

enum cf_arch arch_from_scmp_name(const char *name)
{
	if (!name)
		return CF_ARCH_INVALID;
	for (size_t i = 0; i < CF_ARCH_COUNT; i++)
		if (strcmp(arch_table[i].scmp_name, name) == 0)
			return (enum cf_arch)i;
	return CF_ARCH_INVALID;
}

enum cf_arch arch_from_native_name(const char *name)
{
	if (!name)
		return CF_ARCH_INVALID;
	for (size_t i = 0; i < CF_ARCH_COUNT; i++)
		if (strcmp(arch_table[i].native_name, name) == 0)
			return (enum cf_arch)i;
	return CF_ARCH_INVALID;
}

enum cf_arch arch_from_alias(const char *name)
{
	enum cf_arch a = arch_from_scmp_name(name);

	if (a != CF_ARCH_INVALID)
		return a;
	a = arch_from_native_name(name);
	if (a != CF_ARCH_INVALID)
		return a;
	if (!name)
		return CF_ARCH_INVALID;
	for (size_t i = 0; i < ARRAY_SIZE(arch_aliases); i++)
		if (strcmp(arch_aliases[i].alias, name) == 0)
			return arch_aliases[i].arch;
	return CF_ARCH_INVALID;
}

enum cf_arch arch_from_seccomp_data(uint32_t audit_arch, uint32_t nr)
{
	if (audit_arch == arch_table[CF_ARCH_X86_64].audit_arch)
		return (nr & X32_SYSCALL_BIT) ? CF_ARCH_X32 : CF_ARCH_X86_64;
	for (size_t i = 0; i < CF_ARCH_COUNT; i++)
		if (i != CF_ARCH_X32 && arch_table[i].audit_arch == audit_arch)
			return (enum cf_arch)i;
	return CF_ARCH_INVALID;
}

enum cf_arch arch_native(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
	return CF_ARCH_X32;
#elif defined(__x86_64__)
	return CF_ARCH_X86_64;
#elif defined(__i386__)
	return CF_ARCH_X86;
#elif defined(__aarch64__)
	return CF_ARCH_AARCH64;
#elif defined(__arm__)
	return CF_ARCH_ARM;
#elif defined(__mips__) && defined(_MIPS_SIM) && _MIPS_SIM == _ABI64
#if defined(__MIPSEL__)
	return CF_ARCH_MIPSEL64;
#else
	return CF_ARCH_MIPS64;
#endif
#elif defined(__mips__) && defined(_MIPS_SIM) && _MIPS_SIM == _ABIN32
#if defined(__MIPSEL__)
	return CF_ARCH_MIPSEL64N32;
#else
	return CF_ARCH_MIPS64N32;
#endif
#elif defined(__mips__)
#if defined(__MIPSEL__)
	return CF_ARCH_MIPSEL;
#else
	return CF_ARCH_MIPS;
#endif
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
	return CF_ARCH_PPC64LE;
#elif defined(__powerpc64__)
	return CF_ARCH_PPC64;
#elif defined(__powerpc__)
	return CF_ARCH_PPC;
#elif defined(__s390x__)
	return CF_ARCH_S390X;
#elif defined(__s390__)
	return CF_ARCH_S390;
#elif defined(__riscv) && defined(__riscv_xlen) && __riscv_xlen == 64
	return CF_ARCH_RISCV64;
#elif defined(__loongarch__) && defined(__loongarch_grlen) && __loongarch_grlen == 64
	return CF_ARCH_LOONGARCH64;
#elif defined(__hppa__) && defined(__LP64__)
	return CF_ARCH_PARISC64;
#elif defined(__hppa__)
	return CF_ARCH_PARISC;
#elif defined(__m68k__)
	return CF_ARCH_M68K;
#elif defined(__sh__) && defined(__BIG_ENDIAN__)
	return CF_ARCH_SHEB;
#elif defined(__sh__)
	return CF_ARCH_SH;
#else
	return CF_ARCH_INVALID;
#endif
}

const char *arch_valid_names(void)
{
	return "SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_AARCH64, SCMP_ARCH_ARM, "
	       "SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64, SCMP_ARCH_MIPS64N32, SCMP_ARCH_MIPSEL, "
	       "SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_PPC, SCMP_ARCH_PPC64, "
	       "SCMP_ARCH_PPC64LE, SCMP_ARCH_S390, SCMP_ARCH_S390X, SCMP_ARCH_PARISC, "
	       "SCMP_ARCH_PARISC64, SCMP_ARCH_RISCV64, SCMP_ARCH_LOONGARCH64, SCMP_ARCH_M68K, "
	       "SCMP_ARCH_SH, SCMP_ARCH_SHEB";
}
