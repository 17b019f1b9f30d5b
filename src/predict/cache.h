/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The per-file analysis cache: one file per build-id under the cache directory
 * ($XDG_CACHE_HOME/callfence/predict, else ~/.cache/callfence/predict). An entry is a checked
 * serialisation of a struct psummary: magic, format version, build-id, the file's size, length
 * and checksum of the payload, then every index is bounds-checked on load. Anything wrong is a
 * miss (the file is analysed again and the entry rewritten): a corrupted cache never crashes
 * predict and never silently narrows or widens a prediction.
 */
#include <stdint.h>

#include "base/macro.h"
#include "predict/summary.h"

/* The default directory into buf; -ENOENT when neither XDG_CACHE_HOME nor HOME is set. */
int pcache_default_dir(char *buf, size_t size);
/* 0 and *ret filled on a hit; -ENOENT on a miss of any kind. */
int pcache_load(const char *dir, const char *build_id, uint64_t file_size, struct psummary *ret);
/* Store (best effort: errors are returned for the caller to ignore or report). */
int pcache_store(const char *dir, const char *build_id, uint64_t file_size,
		 const struct psummary *s);
