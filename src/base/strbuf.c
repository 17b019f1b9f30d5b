/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "base/strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(struct strbuf *s, size_t extra)
{
	if (s->oom)
		return false;
	if (s->len + extra + 1 <= s->cap)
		return true;
	size_t cap = s->cap ? s->cap : 256;
	while (cap < s->len + extra + 1)
		cap *= 2;
	char *n = realloc(s->buf, cap);
	if (!n) {
		s->oom = true;
		return false;
	}
	s->buf = n;
	s->cap = cap;
	return true;
}

void strbuf_append(struct strbuf *s, const char *text)
{
	size_t n = strlen(text);

	if (!reserve(s, n))
		return;
	memcpy(s->buf + s->len, text, n + 1);
	s->len += n;
}

void strbuf_appendf(struct strbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(s, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->len += (size_t)n;
}

void strbuf_append_json_string(struct strbuf *s, const char *text)
{
	strbuf_append(s, "\"");
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		char esc[8];

		switch (*p) {
		case '"':
			strbuf_append(s, "\\\"");
			break;
		case '\\':
			strbuf_append(s, "\\\\");
			break;
		case '\n':
			strbuf_append(s, "\\n");
			break;
		case '\t':
			strbuf_append(s, "\\t");
			break;
		case '\r':
			strbuf_append(s, "\\r");
			break;
		default:
			if (*p < 0x20) {
				snprintf(esc, sizeof(esc), "\\u%04x", *p);
				strbuf_append(s, esc);
			} else {
				char c[2] = { (char)*p, 0 };
				strbuf_append(s, c);
			}
		}
	}
	strbuf_append(s, "\"");
}

int strbuf_steal(struct strbuf *s, char **ret)
{
	if (s->oom) {
		strbuf_clear(s);
		return -ENOMEM;
	}
	if (!s->buf && !reserve(s, 0))
		return -ENOMEM;
	if (s->len == 0)
		s->buf[0] = '\0';
	*ret = s->buf;
	s->buf = NULL;
	s->len = s->cap = 0;
	return 0;
}

void strbuf_clear(struct strbuf *s)
{
	free(s->buf);
	*s = (struct strbuf){ 0 };
}
