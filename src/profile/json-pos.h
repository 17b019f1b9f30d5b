/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * jansson reports line/column only for syntax errors, not for values. This scanner walks the
 * (already validated) JSON text once more and reports where each value starts, so diagnostics
 * and rule provenance can name file:line:column, and 64-bit numbers can be read from the text.
 *
 * Keys are decoded (escapes resolved) and compared exactly, never case-insensitively: the
 * scanner must name the very member jansson stored, or a profile could take its structure from
 * one key and its numbers from a case variant of it (issue 9).
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/macro.h"
#include "profile/profile.h"

#define JSON_POS_MAX_DEPTH 32

struct json_path_elem {
	const char *key; /* decoded key (not NUL-terminated), NULL for an array element */
	size_t key_len;
	size_t index;
	struct cf_pos key_pos; /* the key's opening quote */
};

/* offset: byte offset of the value's first character in buf. */
typedef void (*json_pos_cb)(const struct json_path_elem *path, size_t depth, struct cf_pos pos,
			    size_t offset, void *userdata);

/* Calls cb for every value (depth 0 = the root). -EINVAL on malformed text, -ENOMEM. */
CF_MUST_CHECK int json_pos_scan(const char *buf, size_t len, json_pos_cb cb, void *userdata);

/* Position of the value at a JSON pointer ("/syscalls/3/action", RFC 6901 escapes); -ENOENT if
 * absent. Scans the whole text: for error paths only. */
int json_pos_find(const char *buf, size_t len, const char *pointer, struct cf_pos *ret);

/* buf = base + "/" + key with '~' and '/' escaped as RFC 6901 says; truncated to size. */
void json_pointer_append(char *buf, size_t size, const char *base, const char *key);

/* Where one value of a jansson document is in the text. */
struct json_pos_entry {
	const json_t *value;
	struct cf_pos pos; /* the value's first character */
	struct cf_pos key_pos; /* its key, for an object member (0:0 otherwise) */
	size_t offset; /* byte offset of pos */
};

/* The positions of a document's values, found by the json_t jansson made for each. */
struct json_pos_index {
	struct json_pos_entry *slots; /* open addressing on the pointer */
	size_t cap, n;
};

/*
 * Index every value of doc (parsed by jansson from buf) down to JSON_POS_MAX_DEPTH. The text and
 * the tree are walked together: a member is looked up in its parent by its exact decoded key, so
 * an entry belongs to the value jansson returns, whatever spelling or escapes the key had.
 * true/false/null are jansson singletons and are not indexed. 0, -EINVAL or -ENOMEM; free with
 * json_pos_index_free() in every case.
 */
CF_MUST_CHECK int json_pos_index_build(struct json_pos_index *idx, const char *buf, size_t len,
				       json_t *doc);

/* The entry of v, or NULL (a singleton, too deep, or not from this document). O(1). */
const struct json_pos_entry *json_pos_index_get(const struct json_pos_index *idx, const json_t *v);

void json_pos_index_free(struct json_pos_index *idx);
