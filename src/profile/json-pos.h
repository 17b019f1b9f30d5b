/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * jansson reports line/column only for syntax errors, not for values. This scanner walks the
 * (already validated) JSON text once more and reports where each value starts, so diagnostics
 * and rule provenance can name file:line:column.
 */
#include <stdbool.h>
#include <stddef.h>

#include "base/macro.h"
#include "profile/profile.h"

#define JSON_POS_MAX_DEPTH 32

struct json_path_elem {
	const char *key; /* raw key text (escapes not decoded), NULL for an array element */
	size_t key_len;
	size_t index;
};

/* offset: byte offset of the value's first character in buf. */
typedef void (*json_pos_cb)(const struct json_path_elem *path, size_t depth, struct cf_pos pos,
			    size_t offset, void *userdata);

/* Calls cb for every value (depth 0 = the root). -EINVAL on malformed text. */
CF_MUST_CHECK int json_pos_scan(const char *buf, size_t len, json_pos_cb cb, void *userdata);

/* Position of the value at a JSON pointer ("/syscalls/3/action"); -ENOENT if absent. */
int json_pos_find(const char *buf, size_t len, const char *pointer, struct cf_pos *ret);

/* Does path element e equal key k (case-insensitively, as Go's decoder matches keys)? */
bool json_path_key_is(const struct json_path_elem *e, const char *k);
