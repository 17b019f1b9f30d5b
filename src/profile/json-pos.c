/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "profile/json-pos.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct scanner {
	const char *buf;
	size_t len;
	size_t off;
	unsigned line;
	size_t line_start;
	json_pos_cb cb;
	void *userdata;
	struct json_path_elem path[JSON_POS_MAX_DEPTH];
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

static int scan_string(struct scanner *s, const char **ret_start, size_t *ret_len)
{
	if (s->off >= s->len || s->buf[s->off] != '"')
		return -EINVAL;
	advance(s);
	size_t start = s->off;
	while (s->off < s->len && s->buf[s->off] != '"') {
		if (s->buf[s->off] == '\\') {
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
	advance(s);
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
				r = scan_string(s, &e.key, &e.key_len);
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
		return scan_string(s, NULL, NULL);
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

	return scan_value(&s, 0);
}

bool json_path_key_is(const struct json_path_elem *e, const char *k)
{
	return e->key && strlen(k) == e->key_len && strncasecmp(e->key, k, e->key_len) == 0;
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
			if (n != path[i].key_len || strncasecmp(p, path[i].key, n) != 0)
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
