/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "arch/arch.h"
#include "arch/syscall-table.h"
#include "base/suggest.h"

/* Which kernel table each seccomp arch uses; the endianness twins share one. */
static const enum syscall_table_id table_of[CF_ARCH_COUNT] = {
	[CF_ARCH_X86_64] = SYSCALL_TABLE_X86_64,
	[CF_ARCH_X86] = SYSCALL_TABLE_I386,
	[CF_ARCH_X32] = SYSCALL_TABLE_X32,
	[CF_ARCH_AARCH64] = SYSCALL_TABLE_AARCH64,
	[CF_ARCH_ARM] = SYSCALL_TABLE_ARM,
	[CF_ARCH_MIPS] = SYSCALL_TABLE_MIPS_O32,
	[CF_ARCH_MIPS64] = SYSCALL_TABLE_MIPS_N64,
	[CF_ARCH_MIPS64N32] = SYSCALL_TABLE_MIPS_N32,
	[CF_ARCH_MIPSEL] = SYSCALL_TABLE_MIPS_O32,
	[CF_ARCH_MIPSEL64] = SYSCALL_TABLE_MIPS_N64,
	[CF_ARCH_MIPSEL64N32] = SYSCALL_TABLE_MIPS_N32,
	[CF_ARCH_PPC] = SYSCALL_TABLE_PPC,
	[CF_ARCH_PPC64] = SYSCALL_TABLE_PPC64,
	[CF_ARCH_PPC64LE] = SYSCALL_TABLE_PPC64,
	[CF_ARCH_S390] = SYSCALL_TABLE_S390,
	[CF_ARCH_S390X] = SYSCALL_TABLE_S390X,
	[CF_ARCH_PARISC] = SYSCALL_TABLE_NONE,
	[CF_ARCH_PARISC64] = SYSCALL_TABLE_NONE,
	[CF_ARCH_RISCV64] = SYSCALL_TABLE_RISCV64,
	[CF_ARCH_LOONGARCH64] = SYSCALL_TABLE_LOONGARCH64,
	[CF_ARCH_M68K] = SYSCALL_TABLE_NONE,
	[CF_ARCH_SH] = SYSCALL_TABLE_NONE,
	[CF_ARCH_SHEB] = SYSCALL_TABLE_NONE,
};

/* The arch's table, or a negative errno: -EINVAL bad arch, -EOPNOTSUPP no table carried. */
static int table_for(enum cf_arch arch, const struct syscall_table **ret, uint32_t *ret_base)
{
	const struct cf_arch_info *info = arch_info(arch);

	if (!info)
		return -EINVAL;
	if (!info->has_table || table_of[arch] == SYSCALL_TABLE_NONE)
		return -EOPNOTSUPP;
	*ret = &syscall_tables[table_of[arch]];
	*ret_base = info->nr_base;
	return 0;
}

static const char *id_name(unsigned id)
{
	return syscall_name_pool + syscall_name_off[id];
}

int syscall_name_id(const char *name)
{
	uint32_t h;

	if (!name)
		return -EINVAL;
	h = syscall_name_hash(name) & syscall_hash_mask;
	for (;;) {
		unsigned slot = syscall_hash_slot[h];

		if (slot == 0)
			return -ENOENT;
		if (strcmp(id_name(slot - 1), name) == 0)
			return (int)(slot - 1);
		h = (h + 1) & syscall_hash_mask;
	}
}

const char *syscall_id_name(int id)
{
	if (id < 0 || (unsigned)id >= syscall_n_names)
		return NULL;
	return id_name((unsigned)id);
}

unsigned syscall_n_ids(void)
{
	return syscall_n_names;
}

int syscall_resolve_id(enum cf_arch arch, int id)
{
	const struct syscall_table *t;
	uint32_t base;
	int r = table_for(arch, &t, &base);

	if (r < 0)
		return r;
	if (id < 0 || (unsigned)id >= syscall_n_names)
		return -ENOENT;
	if (t->nr_by_id[id] < 0)
		return -ENOENT;
	return (int)((uint32_t)t->nr_by_id[id] + base);
}

int syscall_resolve_name(enum cf_arch arch, const char *name)
{
	const struct syscall_table *t;
	uint32_t base;
	int r = table_for(arch, &t, &base);
	int id;

	if (r < 0)
		return r;
	id = syscall_name_id(name);
	if (id < 0)
		return -ENOENT;
	return syscall_resolve_id(arch, id);
}

const char *syscall_resolve_num(enum cf_arch arch, int nr)
{
	const struct syscall_table *t;
	uint32_t base, want;
	size_t lo = 0, hi;

	if (table_for(arch, &t, &base) < 0 || nr < 0 || (uint32_t)nr < base)
		return NULL;
	want = (uint32_t)nr - base;
	hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->by_nr[mid].nr == want)
			return id_name(t->by_nr[mid].id);
		if (t->by_nr[mid].nr < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool syscall_name_known(const char *name)
{
	return syscall_name_id(name) >= 0;
}

int syscall_max_nr(enum cf_arch arch)
{
	const struct syscall_table *t;
	uint32_t base;
	int r = table_for(arch, &t, &base);

	if (r < 0)
		return -EINVAL;
	if (t->n == 0)
		return -EINVAL;
	return (int)(t->by_nr[t->n - 1].nr + base);
}

int syscall_table_size(enum cf_arch arch)
{
	const struct syscall_table *t;
	uint32_t base;
	int r = table_for(arch, &t, &base);

	return r < 0 ? r : (int)t->n;
}

bool syscall_table_entry(enum cf_arch arch, unsigned i, const char **ret_name, int *ret_nr)
{
	const struct syscall_table *t;
	uint32_t base;

	if (table_for(arch, &t, &base) < 0 || i >= t->n)
		return false;
	if (ret_name)
		*ret_name = id_name(t->by_nr[i].id);
	if (ret_nr)
		*ret_nr = (int)(t->by_nr[i].nr + base);
	return true;
}

const char *syscall_table_version(void)
{
	return syscall_kernel_version;
}

const char *syscall_near_miss(const char *name)
{
	struct cf_suggest sg;

	cf_suggest_init(&sg, name);
	for (unsigned i = 0; i < syscall_n_ids(); i++)
		cf_suggest_consider(&sg, syscall_id_name((int)i));
	return cf_suggest_is_near_miss(&sg) ? sg.best : NULL;
}
