/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "base/diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_str(char *dst, size_t size, const char *src)
{
	if (!src)
		src = "";
	snprintf(dst, size, "%s", src);
}

int diag_set(struct cf_diag *d, int err, const char *file, unsigned line, unsigned column,
	     const char *path, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return -err;
	memset(d, 0, sizeof(*d));
	copy_str(d->file, sizeof(d->file), file);
	d->line = line;
	d->column = column;
	copy_str(d->path, sizeof(d->path), path);
	va_start(ap, fmt);
	vsnprintf(d->message, sizeof(d->message), fmt, ap);
	va_end(ap);
	return -err;
}

void diag_hint(struct cf_diag *d, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return;
	va_start(ap, fmt);
	vsnprintf(d->hint, sizeof(d->hint), fmt, ap);
	va_end(ap);
}

void diag_format(const struct cf_diag *d, const char *severity, char *buf, size_t size)
{
	char where[320] = "";
	int n = 0;

	if (d->file[0] && d->line)
		n = snprintf(where, sizeof(where), "%s:%u:%u: ", d->file, d->line, d->column);
	else if (d->file[0])
		n = snprintf(where, sizeof(where), "%s: ", d->file);
	(void)n;
	snprintf(buf, size, "%s%s: %s%s%s%s%s", where, severity, d->path, d->path[0] ? ": " : "",
		 d->message, d->hint[0] ? "; " : "", d->hint);
}

void warnings_add(struct cf_warnings *w, const struct cf_diag *d)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 8;
		struct cf_diag *items = realloc(w->items, cap * sizeof(*items));

		if (!items)
			return; /* a lost warning is not a security failure */
		w->items = items;
		w->cap = cap;
	}
	w->items[w->n++] = *d;
}

void warnings_clear(struct cf_warnings *w)
{
	free(w->items);
	w->items = NULL;
	w->n = w->cap = 0;
}
