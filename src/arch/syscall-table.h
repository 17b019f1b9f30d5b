/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Private to src/arch: the layout of the syscall tables that src/arch/gen-syscall-table.py
 * generates at build time from src/arch/syscalls.csv (the file lives only in the build dir).
 *
 * Every syscall name any table knows gets a global id (its index in alphabetical order). A name
 * is found through an open-addressing hash of the names (one hash, usually one strcmp), and each
 * table maps id -> number with a dense array, so the resolver pays one string lookup per name
 * whatever the number of ABIs it resolves it for.
 */

#include <stdint.h>

/* One per kernel syscall ABI; the CSV's "table" column, upper-cased. */
enum syscall_table_id {
	SYSCALL_TABLE_X86_64,
	SYSCALL_TABLE_X32,
	SYSCALL_TABLE_I386,
	SYSCALL_TABLE_AARCH64,
	SYSCALL_TABLE_ARM,
	SYSCALL_TABLE_RISCV64,
	SYSCALL_TABLE_LOONGARCH64,
	SYSCALL_TABLE_MIPS_O32,
	SYSCALL_TABLE_MIPS_N64,
	SYSCALL_TABLE_MIPS_N32,
	SYSCALL_TABLE_PPC,
	SYSCALL_TABLE_PPC64,
	SYSCALL_TABLE_S390,
	SYSCALL_TABLE_S390X,
	SYSCALL_TABLE_COUNT,
	SYSCALL_TABLE_NONE = -1,
};

struct syscall_nr_entry {
	uint32_t nr; /* kernel table number, without nr_base */
	uint16_t id; /* global name id */
};

struct syscall_table {
	const int32_t *nr_by_id; /* [syscall_n_names]: table number, or -1 */
	const struct syscall_nr_entry *by_nr; /* sorted by nr, no duplicates */
	uint16_t n; /* entries in by_nr */
};

extern const char syscall_name_pool[]; /* NUL-separated names */
extern const uint16_t syscall_name_off[]; /* id -> offset in the pool; ids sorted by name */
extern const uint16_t syscall_hash_slot[]; /* FNV-1a slot -> id + 1; 0 = empty */
extern const unsigned syscall_n_names;
extern const unsigned syscall_hash_mask; /* slots - 1 (a power of two minus one) */
extern const struct syscall_table syscall_tables[SYSCALL_TABLE_COUNT];
extern const char syscall_kernel_version[];

/* 32-bit FNV-1a; the generator computes the same function in Python. */
static inline uint32_t syscall_name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}
