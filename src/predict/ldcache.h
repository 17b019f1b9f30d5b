/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Where the dynamic loader finds a DT_NEEDED name, in glibc's order (elf/dl-load.c
 * _dl_map_object): a name with a slash is a path; otherwise DT_RPATH of the loading object and
 * of the executable (only when the object has no DT_RUNPATH), LD_LIBRARY_PATH (ignored unless the
 * caller passes it: the environment of the predicting shell is not the program's), DT_RUNPATH of
 * the loading object, /etc/ld.so.cache, then the default directories. $ORIGIN is substituted.
 * Files of another machine or class are skipped, as the loader skips them.
 */
#include <stddef.h>
#include <stdint.h>

#include "base/macro.h"

struct cf_ldcache {
	uint8_t *data; /* the whole file, malloc'd */
	size_t size;
	size_t n_entries; /* of the new format (glibc-ld.so.cache1.1) */
	size_t entries_off;
};

/* Read and validate a cache file; a missing or malformed file yields an empty cache (the loader
 * ignores a bad cache too) and returns -errno/-EINVAL so the caller can say so. */
int cf_ldcache_load(const char *path, struct cf_ldcache *c);
/* The same on a malloc'd buffer, which the cache takes over (freed on error too). */
int cf_ldcache_parse(struct cf_ldcache *c, uint8_t *data, size_t size);
void cf_ldcache_clear(struct cf_ldcache *c);
/* The path the cache gives for an x86-64 libc6 soname, or NULL. */
const char *cf_ldcache_lookup(const struct cf_ldcache *c, const char *soname);

struct cf_ldsearch {
	const struct cf_ldcache *cache;
	const char *library_path; /* LD_LIBRARY_PATH when asked for, else NULL */
	const char *root; /* prefix every path with this (tests), NULL = / */
};

/* Resolve `name` needed by an object at `loader_path` with its rpath/runpath, plus the
 * executable's rpath. 0 and the path in ret, -ENOENT when no candidate is an x86-64 ELF64. */
CF_MUST_CHECK int cf_ld_resolve(const struct cf_ldsearch *s, const char *name,
				const char *loader_path, const char *rpath, const char *runpath,
				const char *exe_path, const char *exe_rpath, char *ret,
				size_t size);
