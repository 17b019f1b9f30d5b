/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Go's encoding/json, which reads profiles for Docker and config.json for runc, matches an
 * object key to a struct field case-insensitively, and a second key matching the same field is
 * decoded into it again: {"linux": {...}, "Linux": {...}} merges both objects. jansson keeps
 * them as two members. Such a document means one thing to Docker and another to any reader that
 * picks one key, so it is refused (issue 9).
 */
#include <jansson.h>
#include <stdbool.h>

#include "base/diag.h"
#include "base/macro.h"
#include "profile/json-pos.h"

/*
 * -EINVAL (diag names both keys and their positions) if an object in v (in v's subtree when
 * recursive) has two keys that Go's decoder folds to the same name; 0 otherwise, -ENOMEM.
 * ptr is v's JSON pointer (for the diag), idx the positions of the document's values.
 */
CF_MUST_CHECK int json_check_folded_keys(json_t *v, bool recursive,
					 const struct json_pos_index *idx, const char *buf,
					 size_t len, const char *source, const char *ptr,
					 struct cf_diag *reterr);

/* Would Go's decoder match key to the struct field named name (an ASCII name)? */
bool json_key_folds_to(const char *key, const char *name);
