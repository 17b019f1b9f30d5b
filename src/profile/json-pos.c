/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "profile/json-pos.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct scanner {
	const char *buf;
	size_t len;
	size_t off;
	unsigned line;
	size_t line_start;
	json_pos_cb cb;
	void *userdata;
	struct json_path_elem path[JSON_POS_MAX_DEPTH];
	/* decoded copies of the keys that contain escapes, one per depth */
	char *keybuf[JSON_POS_MAX_DEPTH];
	size_t keybuf_cap[JSON_POS_MAX_DEPTH];
};

static void advance(struct scanner *s)
{
	if (s->buf[s->off] == '\n') {
		s->line++;
		s->line_start = s->off + 1;
	}
	s->off++;
}

static void skip_ws(struct scanner *s)
{
	while (s->off < s->len) {
		char c = s->buf[s->off];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		advance(s);
	}
}

static struct cf_pos here(const struct scanner *s)
{
	/* Columns count bytes from 1, like jansson's json_error_t.column for ASCII text. */
	return (struct cf_pos){ .line = s->line, .column = (unsigned)(s->off - s->line_start) + 1 };
}

static int hex4(const char *p, unsigned *ret)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -EINVAL;
	}
	*ret = v;
	return 0;
}

static size_t utf8_put(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * A key's escapes decoded to UTF-8 as jansson decodes them (load.c, lex_scan_string): "\u0061"
 * and "a" are the same key. The result is never longer than raw (six bytes of "\uXXXX" give at
 * most three, a surrogate pair's twelve give four). jansson refuses NUL in keys; so do we.
 */
static int decode_key(const char *raw, size_t raw_len, char *out, size_t *ret_len)
{
	size_t i = 0, n = 0;

	while (i < raw_len) {
		char ch = raw[i];
		unsigned cp, lo;

		if (ch != '\\') {
			out[n++] = ch;
			i++;
			continue;
		}
		if (i + 1 >= raw_len)
			return -EINVAL;
		ch = raw[i + 1];
		i += 2;
		switch (ch) {
		case '"':
		case '\\':
		case '/':
			out[n++] = ch;
			break;
		case 'b':
			out[n++] = '\b';
			break;
		case 'f':
			out[n++] = '\f';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'u':
			if (i + 4 > raw_len || hex4(raw + i, &cp) < 0)
				return -EINVAL;
			i += 4;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (i + 6 > raw_len || raw[i] != '\\' || raw[i + 1] != 'u' ||
				    hex4(raw + i + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					return -EINVAL;
				i += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if ((cp >= 0xdc00 && cp <= 0xdfff) || cp == 0) {
				return -EINVAL;
			}
			n += utf8_put(cp, out + n);
			break;
		default:
			return -EINVAL;
		}
	}
	*ret_len = n;
	return 0;
}

static int scan_string(struct scanner *s, const char **ret_start, size_t *ret_len,
		       bool *ret_escaped)
{
	bool escaped = false;

	if (s->off >= s->len || s->buf[s->off] != '"')
		return -EINVAL;
	advance(s);
	size_t start = s->off;
	while (s->off < s->len && s->buf[s->off] != '"') {
		if (s->buf[s->off] == '\\') {
			escaped = true;
			advance(s);
			if (s->off >= s->len)
				return -EINVAL;
		}
		advance(s);
	}
	if (s->off >= s->len)
		return -EINVAL;
	if (ret_start)
		*ret_start = s->buf + start;
	if (ret_len)
		*ret_len = s->off - start;
	if (ret_escaped)
		*ret_escaped = escaped;
	advance(s);
	return 0;
}

/* The member's key as jansson stored it: the raw text unless it has escapes. */
static int scan_key(struct scanner *s, size_t depth, struct json_path_elem *e)
{
	bool escaped = false;
	int r;

	e->key_pos = here(s);
	r = scan_string(s, &e->key, &e->key_len, &escaped);
	if (r < 0 || !escaped || depth >= JSON_POS_MAX_DEPTH)
		return r;
	if (s->keybuf_cap[depth] < e->key_len) {
		char *n = realloc(s->keybuf[depth], e->key_len);

		if (!n)
			return -ENOMEM;
		s->keybuf[depth] = n;
		s->keybuf_cap[depth] = e->key_len;
	}
	r = decode_key(e->key, e->key_len, s->keybuf[depth], &e->key_len);
	if (r < 0)
		return r;
	e->key = s->keybuf[depth];
	return 0;
}

static int scan_value(struct scanner *s, size_t depth)
{
	int r;

	skip_ws(s);
	if (s->off >= s->len)
		return -EINVAL;
	if (s->cb)
		s->cb(s->path, depth, here(s), s->off, s->userdata);

	char c = s->buf[s->off];
	if (c == '{' || c == '[') {
		bool object = c == '{';
		char close = object ? '}' : ']';
		size_t index = 0;

		advance(s);
		skip_ws(s);
		if (s->off < s->len && s->buf[s->off] == close) {
			advance(s);
			return 0;
		}
		for (;;) {
			struct json_path_elem e = { .index = index };

			if (object) {
				skip_ws(s);
				r = scan_key(s, depth, &e);
				if (r < 0)
					return r;
				skip_ws(s);
				if (s->off >= s->len || s->buf[s->off] != ':')
					return -EINVAL;
				advance(s);
			}
			if (depth < JSON_POS_MAX_DEPTH)
				s->path[depth] = e;
			/* Deeper than we track: keep scanning without reporting. */
			json_pos_cb saved = s->cb;
			if (depth + 1 > JSON_POS_MAX_DEPTH)
				s->cb = NULL;
			r = scan_value(s, depth + 1);
			s->cb = saved;
			if (r < 0)
				return r;
			skip_ws(s);
			if (s->off >= s->len)
				return -EINVAL;
			if (s->buf[s->off] == ',') {
				advance(s);
				index++;
				continue;
			}
			if (s->buf[s->off] == close) {
				advance(s);
				return 0;
			}
			return -EINVAL;
		}
	}
	if (c == '"')
		return scan_string(s, NULL, NULL, NULL);
	/* number, true, false, null */
	while (s->off < s->len) {
		c = s->buf[s->off];
		if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' ||
		    c == '\r')
			break;
		advance(s);
	}
	return 0;
}

int json_pos_scan(const char *buf, size_t len, json_pos_cb cb, void *userdata)
{
	struct scanner s = { .buf = buf, .len = len, .line = 1, .cb = cb, .userdata = userdata };
	int r = scan_value(&s, 0);

	for (size_t i = 0; i < JSON_POS_MAX_DEPTH; i++)
		free(s.keybuf[i]);
	return r;
}

/* ---- JSON pointers --------------------------------------------------------------------- */

void json_pointer_append(char *buf, size_t size, const char *base, const char *key)
{
	size_t n;

	if (size == 0)
		return;
	if (buf != base)
		snprintf(buf, size, "%s", base);
	n = strlen(buf);
	if (n + 1 < size)
		buf[n++] = '/';
	for (const char *k = key; *k && n + 1 < size; k++) {
		if (*k == '~' || *k == '/') {
			if (n + 2 >= size)
				break;
			buf[n++] = '~';
			buf[n++] = *k == '~' ? '0' : '1';
		} else {
			buf[n++] = *k;
		}
	}
	buf[n] = '\0';
}

/* Does the pointer token (RFC 6901: "~0" is '~', "~1" is '/') name exactly this key? */
static bool token_is_key(const char *tok, size_t tok_len, const char *key, size_t key_len)
{
	size_t k = 0;

	for (size_t i = 0; i < tok_len; i++) {
		char ch = tok[i];

		if (ch == '~') {
			if (i + 1 >= tok_len || (tok[i + 1] != '0' && tok[i + 1] != '1'))
				return false;
			ch = tok[++i] == '0' ? '~' : '/';
		}
		if (k >= key_len || key[k++] != ch)
			return false;
	}
	return k == key_len;
}

struct find_ctx {
	const char *pointer;
	bool found;
	struct cf_pos pos;
};

static bool path_matches(const struct json_path_elem *path, size_t depth, const char *p)
{
	for (size_t i = 0; i < depth; i++) {
		if (*p != '/')
			return false;
		p++;
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (path[i].key) {
			if (!token_is_key(p, n, path[i].key, path[i].key_len))
				return false;
		} else {
			char idx[32];

			snprintf(idx, sizeof(idx), "%zu", path[i].index);
			if (n != strlen(idx) || strncmp(p, idx, n) != 0)
				return false;
		}
		p += n;
	}
	return *p == '\0';
}

static void find_cb(const struct json_path_elem *path, size_t depth, struct cf_pos pos,
		    size_t offset, void *userdata)
{
	(void)offset;
	struct find_ctx *f = userdata;

	if (!f->found && depth <= JSON_POS_MAX_DEPTH && path_matches(path, depth, f->pointer)) {
		f->found = true;
		f->pos = pos;
	}
}

int json_pos_find(const char *buf, size_t len, const char *pointer, struct cf_pos *ret)
{
	struct find_ctx f = { .pointer = pointer };
	int r = json_pos_scan(buf, len, find_cb, &f);

	if (r < 0)
		return r;
	if (!f.found)
		return -ENOENT;
	*ret = f.pos;
	return 0;
}

/* ---- the index: json_t * -> position ------------------------------------------------------ */

static size_t hash_ptr(const void *p, size_t cap)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	/* murmur3's finaliser: allocation addresses share their low bits */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x & (cap - 1);
}

static int index_grow(struct json_pos_index *idx)
{
	size_t ncap = idx->cap ? idx->cap * 2 : 1024;
	struct json_pos_entry *n = calloc(ncap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (size_t i = 0; i < idx->cap; i++) {
		const struct json_pos_entry *e = &idx->slots[i];

		if (!e->value)
			continue;
		size_t h = hash_ptr(e->value, ncap);
		while (n[h].value)
			h = (h + 1) & (ncap - 1);
		n[h] = *e;
	}
	free(idx->slots);
	idx->slots = n;
	idx->cap = ncap;
	return 0;
}

static int index_put(struct json_pos_index *idx, const struct json_pos_entry *e)
{
	if ((idx->n + 1) * 2 > idx->cap) {
		int r = index_grow(idx);

		if (r < 0)
			return r;
	}
	size_t h = hash_ptr(e->value, idx->cap);
	while (idx->slots[h].value && idx->slots[h].value != e->value)
		h = (h + 1) & (idx->cap - 1);
	if (!idx->slots[h].value)
		idx->n++;
	idx->slots[h] = *e;
	return 0;
}

const struct json_pos_entry *json_pos_index_get(const struct json_pos_index *idx, const json_t *v)
{
	if (!v || idx->cap == 0)
		return NULL;
	for (size_t h = hash_ptr(v, idx->cap);; h = (h + 1) & (idx->cap - 1)) {
		if (!idx->slots[h].value)
			return NULL;
		if (idx->slots[h].value == v)
			return &idx->slots[h];
	}
}

struct index_builder {
	struct json_pos_index *idx;
	json_t *stack[JSON_POS_MAX_DEPTH + 1]; /* the value at each depth of the current path */
	int error;
};

static void index_cb(const struct json_path_elem *path, size_t depth, struct cf_pos pos,
		     size_t offset, void *userdata)
{
	struct index_builder *b = userdata;
	struct json_pos_entry e = { .pos = pos, .offset = offset };
	json_t *v;

	if (b->error || depth > JSON_POS_MAX_DEPTH)
		return;
	if (depth > 0) {
		json_t *parent = b->stack[depth - 1];
		const struct json_path_elem *pe = &path[depth - 1];

		if (pe->key) {
			/* exact: the member jansson stored under this very key */
			v = json_is_object(parent) ?
				    json_object_getn(parent, pe->key, pe->key_len) :
				    NULL;
			e.key_pos = pe->key_pos;
		} else {
			v = json_is_array(parent) ? json_array_get(parent, pe->index) : NULL;
		}
		b->stack[depth] = v;
	} else {
		v = b->stack[0];
	}
	if (!v) {
		/* the text and jansson's tree disagree: never guess a position */
		b->error = -EINVAL;
		return;
	}
	if (json_is_true(v) || json_is_false(v) || json_is_null(v))
		return;
	e.value = v;
	b->error = index_put(b->idx, &e);
}

int json_pos_index_build(struct json_pos_index *idx, const char *buf, size_t len, json_t *doc)
{
	struct index_builder b = { .idx = idx };
	int r;

	*idx = (struct json_pos_index){ 0 };
	b.stack[0] = doc;
	r = json_pos_scan(buf, len, index_cb, &b);
	return r < 0 ? r : b.error;
}

void json_pos_index_free(struct json_pos_index *idx)
{
	free(idx->slots);
	*idx = (struct json_pos_index){ 0 };
}
