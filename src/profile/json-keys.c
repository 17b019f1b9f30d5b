/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "profile/json-keys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"

/*
 * One unit of Go's key folding. encoding/json (fold.go, foldName since Go 1.21) upper-cases
 * ASCII and maps any other rune r to ToUpper(ToLower(r)); older releases (equalFoldRight) have
 * the same special cases for 'k' and 's'. The runes that fold onto an ASCII letter are the
 * Kelvin sign U+212A (k), the long s U+017F (s), and U+0130/U+0131 (i). Every other byte keeps
 * its value, offset so that it never equals an ASCII letter: keys that fold together only
 * through other scripts can never name one of our (ASCII) fields.
 */
static unsigned fold_next(const unsigned char **s)
{
	const unsigned char *p = *s;

	if (p[0] < 0x80) {
		*s = p + 1;
		return p[0] >= 'A' && p[0] <= 'Z' ? p[0] + 32u : p[0];
	}
	if (p[0] == 0xc5 && p[1] == 0xbf) {
		*s = p + 2;
		return 's';
	}
	if (p[0] == 0xc4 && (p[1] == 0xb0 || p[1] == 0xb1)) {
		*s = p + 2;
		return 'i';
	}
	if (p[0] == 0xe2 && p[1] == 0x84 && p[2] == 0xaa) {
		*s = p + 3;
		return 'k';
	}
	*s = p + 1;
	return 256u + p[0];
}

static int fold_cmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	while (*x && *y) {
		unsigned cx = fold_next(&x), cy = fold_next(&y);

		if (cx != cy)
			return cx < cy ? -1 : 1;
	}
	return (*x != 0) - (*y != 0);
}

bool json_key_folds_to(const char *key, const char *name)
{
	return fold_cmp(key, name) == 0;
}

static int cmp_keys(const void *a, const void *b)
{
	return fold_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* The JSON pointer of a value, kept as a chain up the recursion and formatted on error only. */
struct where {
	const struct where *up;
	const char *key; /* NULL: array element */
	size_t index;
	const char *base; /* the root's pointer, when up is NULL */
};

static void where_format(const struct where *w, char *buf, size_t size)
{
	if (!w->up) {
		snprintf(buf, size, "%s", w->base);
		return;
	}
	where_format(w->up, buf, size);
	if (w->key) {
		json_pointer_append(buf, size, buf, w->key);
	} else {
		size_t n = strlen(buf);

		snprintf(buf + n, size - n, "/%zu", w->index);
	}
}

static struct cf_pos key_pos(json_t *obj, const char *key, const struct json_pos_index *idx,
			     const char *buf, size_t len, const char *ptr)
{
	const struct json_pos_entry *e = json_pos_index_get(idx, json_object_get(obj, key));
	struct cf_pos pos = { 0 };
	char full[256];

	if (e)
		return e->key_pos;
	/* true/false/null are not indexed: find the value by its pointer (error path only) */
	json_pointer_append(full, sizeof(full), ptr, key);
	(void)json_pos_find(buf, len, full, &pos);
	return pos;
}

static bool before(struct cf_pos a, struct cf_pos b)
{
	return a.line < b.line || (a.line == b.line && a.column < b.column);
}

static int check_object(json_t *obj, const struct json_pos_index *idx, const char *buf, size_t len,
			const char *source, const struct where *w, struct cf_diag *reterr)
{
	const char *stack_keys[16];
	cleanup_free const char **heap_keys = NULL;
	const char **keys = stack_keys;
	size_t n = json_object_size(obj), i = 0;
	const char *k;
	json_t *v;

	if (n < 2)
		return 0;
	if (n > ARRAY_SIZE(stack_keys)) {
		heap_keys = malloc(n * sizeof(*heap_keys));
		if (!heap_keys)
			return -ENOMEM;
		keys = heap_keys;
	}
	json_object_foreach(obj, k, v)
		keys[i++] = k;
	/* sorted by folded key, equal folds are neighbours: n log n, not n^2 */
	qsort(keys, n, sizeof(*keys), cmp_keys);
	for (i = 1; i < n; i++) {
		if (fold_cmp(keys[i - 1], keys[i]) != 0)
			continue;
		const char *first = keys[i - 1], *second = keys[i];
		char ptr[128], full[128];

		where_format(w, ptr, sizeof(ptr));
		struct cf_pos p1 = key_pos(obj, first, idx, buf, len, ptr);
		struct cf_pos p2 = key_pos(obj, second, idx, buf, len, ptr);
		if (before(p2, p1)) {
			const char *t = first;
			struct cf_pos tp = p1;

			first = second;
			second = t;
			p1 = p2;
			p2 = tp;
		}
		json_pointer_append(full, sizeof(full), ptr, second);
		int r = diag_set(reterr, EINVAL, source, p2.line, p2.column, full,
				 "duplicate key \"%s\" (also spelled \"%s\" at %u:%u): Go's "
				 "decoder in Docker and runc matches keys case-insensitively and "
				 "merges both",
				 second, first, p1.line, p1.column);
		diag_hint(reterr, "write the key once; callfence refuses a document that Docker "
				  "and callfence could read differently");
		return r;
	}
	return 0;
}

static int check_value(json_t *v, bool recursive, const struct json_pos_index *idx, const char *buf,
		       size_t len, const char *source, const struct where *w,
		       struct cf_diag *reterr)
{
	int r;

	if (json_is_object(v)) {
		struct where child = { .up = w };
		json_t *m;

		r = check_object(v, idx, buf, len, source, w, reterr);
		if (r < 0 || !recursive)
			return r;
		json_object_foreach(v, child.key, m) {
			r = check_value(m, true, idx, buf, len, source, &child, reterr);
			if (r < 0)
				return r;
		}
	} else if (json_is_array(v) && recursive) {
		struct where child = { .up = w };

		for (child.index = 0; child.index < json_array_size(v); child.index++) {
			r = check_value(json_array_get(v, child.index), true, idx, buf, len, source,
					&child, reterr);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int json_check_folded_keys(json_t *v, bool recursive, const struct json_pos_index *idx,
			   const char *buf, size_t len, const char *source, const char *ptr,
			   struct cf_diag *reterr)
{
	struct where root = { .base = ptr };

	return check_value(v, recursive, idx, buf, len, source, &root, reterr);
}
