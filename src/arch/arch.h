/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/macro.h"

/* Every SCMP_ARCH_* name the OCI runtime-spec lists. */
enum cf_arch {
	CF_ARCH_X86_64,
	CF_ARCH_X86,
	CF_ARCH_X32,
	CF_ARCH_AARCH64,
	CF_ARCH_ARM,
	CF_ARCH_MIPS,
	CF_ARCH_MIPS64,
	CF_ARCH_MIPS64N32,
	CF_ARCH_MIPSEL,
	CF_ARCH_MIPSEL64,
	CF_ARCH_MIPSEL64N32,
	CF_ARCH_PPC,
	CF_ARCH_PPC64,
	CF_ARCH_PPC64LE,
	CF_ARCH_S390,
	CF_ARCH_S390X,
	CF_ARCH_PARISC,
	CF_ARCH_PARISC64,
	CF_ARCH_RISCV64,
	CF_ARCH_LOONGARCH64,
	CF_ARCH_M68K,
	CF_ARCH_SH,
	CF_ARCH_SHEB,
	CF_ARCH_COUNT,
	CF_ARCH_INVALID = -22, /* -EINVAL */
};

struct cf_arch_info {
	enum cf_arch arch;
	const char *scmp_name; /* "SCMP_ARCH_X86_64" */
	const char *native_name; /* moby's libseccomp-style name: "amd64", "x86", "x32", ... */
	uint32_t audit_arch; /* seccomp_data.arch value */
	unsigned bits; /* 32 or 64: width of syscall arguments */
	bool big_endian;
	uint32_t
		nr_base; /* added to table numbers in seccomp_data.nr (x32: 0x40000000, mips o32: 4000) */
	bool has_table; /* we carry a syscall table for it (runtimes support it) */
};

const struct cf_arch_info *arch_info(enum cf_arch arch);
/* "SCMP_ARCH_X86_64" -> CF_ARCH_X86_64; CF_ARCH_INVALID if unknown. */
enum cf_arch arch_from_scmp_name(const char *name);
/* moby native names ("amd64", "arm64", "x32"...) -> arch; CF_ARCH_INVALID if unknown. */
enum cf_arch arch_from_native_name(const char *name);
/*
 * Lenient lookup for command-line input: SCMP_ARCH_* names, native names, libseccomp names
 * ("x86_64", "aarch64", "mipsel64n32"), GOARCH values ("386", "loong64", "mips64p32le") and
 * uname -m ("i686", "armv7l"). Never use it for profile conditions (moby compares exactly).
 */
enum cf_arch arch_from_alias(const char *name);
/*
 * The ABI of a seccomp_data (arch, nr): AUDIT_ARCH_X86_64 with __X32_SYSCALL_BIT in nr is x32.
 * CF_ARCH_INVALID for an audit value no SCMP arch uses.
 */
enum cf_arch arch_from_seccomp_data(uint32_t audit_arch, uint32_t nr);
/* The arch this binary runs on (x86_64 -> CF_ARCH_X86_64). */
enum cf_arch arch_native(void);
/* Comma-separated list of valid SCMP_ARCH_* names, for error hints. */
const char *arch_valid_names(void);

/*
 * Syscall table: numbers are the table's own (what seccomp_data.nr holds minus nr_base is NOT
 * done here: returned numbers already include nr_base, i.e. they are what the kernel puts in
 * seccomp_data.nr for this ABI).
 */
/*
 * >= 0: number; -ENOENT: the ABI has no such syscall; -EINVAL: bad arch;
 * -EOPNOTSUPP: a valid arch we carry no table for (PARISC*, M68K, SH*: has_table is false).
 */
int syscall_resolve_name(enum cf_arch arch, const char *name);
/* NULL if unknown. */
const char *syscall_resolve_num(enum cf_arch arch, int nr);
/* Known on any ABI we carry (so a name unknown everywhere is a typo or too new for us). */
bool syscall_name_known(const char *name);
/* The known name `name` is a near miss of (base/suggest.h: "chrot" -> "chroot"), or NULL. */
const char *syscall_near_miss(const char *name);
/*
 * Largest syscall number (including nr_base) in the ABI's table; -EINVAL if none. On ARM this
 * is ARM's private set_tls range (__ARM_NR_BASE 0x0f0000 + 6), not the end of the main table.
 */
int syscall_max_nr(enum cf_arch arch);
/* Iterate the ABI's table: fills name/nr for index i; returns false past the end. */
bool syscall_table_entry(enum cf_arch arch, unsigned i, const char **ret_name, int *ret_nr);
/* Kernel version of the newest table, e.g. "6.18"; for --version and docs. */
const char *syscall_table_version(void);
/* Number of entries in the ABI's table; -EINVAL bad arch, -EOPNOTSUPP no table. */
int syscall_table_size(enum cf_arch arch);

/*
 * Resolve a name once, then per ABI (what the resolver wants: one hash lookup per name, then
 * an array index per ABI). Ids are dense, 0..syscall_n_ids()-1, in alphabetical name order,
 * and cover every name any of our tables knows.
 */
/* >= 0: id; -ENOENT: no ABI we carry knows the name; -EINVAL: NULL. */
int syscall_name_id(const char *name);
/* NULL for an id out of range. */
const char *syscall_id_name(int id);
unsigned syscall_n_ids(void);
/* Same results as syscall_resolve_name(). */
int syscall_resolve_id(enum cf_arch arch, int id);

/* for (enum cf_arch a ...) over every arch, tables or not. */
#define arch_foreach(a) for (enum cf_arch a = (enum cf_arch)0; (a) < CF_ARCH_COUNT; (a)++)
