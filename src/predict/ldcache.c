/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "predict/ldcache.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "base/cleanup.h"

/* glibc elf/dl-cache.h: the new format's header and entry, and the flags of an x86-64 libc6
 * entry (FLAG_ELF_LIBC6 | FLAG_X8664_LIB64). */
#define CACHE_MAGIC_NEW "glibc-ld.so.cache1.1"
#define CACHE_MAGIC_OLD "ld.so-1.7.0"
#define HEADER_NEW_SIZE 48
#define ENTRY_NEW_SIZE	24
#define FLAG_TYPE_MASK	0x00ff
#define FLAG_ELF_LIBC6	0x0003
#define FLAG_REQ_MASK	0xff00
#define FLAG_X8664	0x0300
#define MAX_CACHE_SIZE	(64u << 20)

void cf_ldcache_clear(struct cf_ldcache *c)
{
	free(c->data);
	*c = (struct cf_ldcache){ 0 };
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

int cf_ldcache_parse(struct cf_ldcache *c, uint8_t *data, size_t size)
{
	size_t off = 0, n;

	*c = (struct cf_ldcache){ .data = data, .size = size };
	/* the old format may precede the new one (glibc < 2.32 wrote both): skip its entries */
	if (c->size >= 16 && memcmp(c->data, CACHE_MAGIC_OLD, strlen(CACHE_MAGIC_OLD)) == 0) {
		uint32_t nold = rd32(c->data + 12);
		off = 16 + (size_t)nold * 12;
		off = (off + 7) & ~(size_t)7;
	}
	if (off > c->size || c->size - off < HEADER_NEW_SIZE ||
	    memcmp(c->data + off, CACHE_MAGIC_NEW, strlen(CACHE_MAGIC_NEW)) != 0) {
		cf_ldcache_clear(c);
		return -EINVAL;
	}
	n = rd32(c->data + off + 20);
	if (n > (c->size - off - HEADER_NEW_SIZE) / ENTRY_NEW_SIZE) {
		cf_ldcache_clear(c);
		return -EINVAL;
	}
	c->n_entries = n;
	c->entries_off = off + HEADER_NEW_SIZE;
	return 0;
}

int cf_ldcache_load(const char *path, struct cf_ldcache *c)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	struct stat st;
	uint8_t *data;
	size_t size;

	*c = (struct cf_ldcache){ 0 };
	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > MAX_CACHE_SIZE)
		return -EINVAL;
	data = malloc(st.st_size);
	if (!data)
		return -ENOMEM;
	size = fread(data, 1, st.st_size, f);
	return cf_ldcache_parse(c, data, size);
}

/* A string at a file offset (the new format's string offsets are from the file's start). */
static const char *cache_str(const struct cf_ldcache *c, uint32_t off)
{
	if (off >= c->size || !memchr(c->data + off, '\0', c->size - off))
		return NULL;
	return (const char *)c->data + off;
}

const char *cf_ldcache_lookup(const struct cf_ldcache *c, const char *soname)
{
	for (size_t i = 0; i < c->n_entries; i++) {
		const uint8_t *e = c->data + c->entries_off + i * ENTRY_NEW_SIZE;
		uint32_t flags = rd32(e), key = rd32(e + 4), value = rd32(e + 8);
		const char *k, *v;

		if ((flags & FLAG_TYPE_MASK) != FLAG_ELF_LIBC6 ||
		    (flags & FLAG_REQ_MASK) != FLAG_X8664)
			continue;
		k = cache_str(c, key);
		v = cache_str(c, value);
		if (k && v && strcmp(k, soname) == 0)
			return v;
	}
	return NULL;
}

/* An x86-64 ELF64 file the loader would accept (it skips others and goes on searching). */
static bool usable(const char *path)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf64_Ehdr eh;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
		return false;
	return memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
	       eh.e_machine == EM_X86_64;
}

static bool try_path(const struct cf_ldsearch *s, const char *dir, size_t dirlen,
		     const char *origin, const char *name, char *ret, size_t size)
{
	char d[4096];
	size_t o = 0;
	int n;

	/* $ORIGIN / ${ORIGIN}: the loading object's directory (dl-load.c _dl_dst_substitute) */
	for (size_t i = 0; i < dirlen && o + 1 < sizeof(d);) {
		size_t skip = 0;
		if (strncmp(dir + i, "$ORIGIN", 7) == 0 && i + 7 <= dirlen)
			skip = 7;
		else if (strncmp(dir + i, "${ORIGIN}", 9) == 0 && i + 9 <= dirlen)
			skip = 9;
		if (skip) {
			n = snprintf(d + o, sizeof(d) - o, "%s", origin);
			if (n < 0 || (size_t)n >= sizeof(d) - o)
				return false;
			o += n;
			i += skip;
		} else {
			d[o++] = dir[i++];
		}
	}
	d[o] = '\0';
	if (!o)
		return false;
	n = snprintf(ret, size, "%s%s/%s", s->root ? s->root : "", d, name);
	return n > 0 && (size_t)n < size && usable(ret);
}

static bool try_list(const struct cf_ldsearch *s, const char *list, const char *origin,
		     const char *name, char *ret, size_t size)
{
	while (list && *list) {
		size_t len = strcspn(list, ":;");
		if (try_path(s, list, len, origin, name, ret, size))
			return true;
		list += len;
		if (*list)
			list++;
	}
	return false;
}

int cf_ld_resolve(const struct cf_ldsearch *s, const char *name, const char *loader_path,
		  const char *rpath, const char *runpath, const char *exe_path,
		  const char *exe_rpath, char *ret, size_t size)
{
	char origin[4096], exe_origin[4096];
	const char *slash;
	const char *cached;
	static const char *const defaults[] = { "/lib/x86_64-linux-gnu",
						"/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib" };

	if (strchr(name, '/')) {
		int n = snprintf(ret, size, "%s%s", s->root && name[0] == '/' ? s->root : "", name);
		return n > 0 && (size_t)n < size && usable(ret) ? 0 : -ENOENT;
	}
	slash = strrchr(loader_path, '/');
	snprintf(origin, sizeof(origin), "%.*s", slash ? (int)(slash - loader_path) : 1,
		 slash ? loader_path : ".");
	slash = exe_path ? strrchr(exe_path, '/') : NULL;
	snprintf(exe_origin, sizeof(exe_origin), "%.*s", slash ? (int)(slash - exe_path) : 1,
		 slash ? exe_path : ".");
	/* DT_RPATH counts only when the object has no DT_RUNPATH (dl-load.c) */
	if (!runpath) {
		if (try_list(s, rpath, origin, name, ret, size))
			return 0;
		if (exe_rpath && exe_rpath != rpath &&
		    try_list(s, exe_rpath, exe_origin, name, ret, size))
			return 0;
	}
	if (try_list(s, s->library_path, origin, name, ret, size))
		return 0;
	if (try_list(s, runpath, origin, name, ret, size))
		return 0;
	cached = s->cache ? cf_ldcache_lookup(s->cache, name) : NULL;
	if (cached) {
		int n = snprintf(ret, size, "%s%s", s->root ? s->root : "", cached);
		if (n > 0 && (size_t)n < size && usable(ret))
			return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		if (try_path(s, defaults[i], strlen(defaults[i]), origin, name, ret, size))
			return 0;
	return -ENOENT;
}
