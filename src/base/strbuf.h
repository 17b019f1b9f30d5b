/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "base/macro.h"

/* Growable string for emitters and messages. On allocation failure it latches `oom`. */
struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
	bool oom;
};

void strbuf_append(struct strbuf *s, const char *text);
void strbuf_appendf(struct strbuf *s, const char *fmt, ...) CF_PRINTF(2, 3);
/* JSON string literal with escapes. */
void strbuf_append_json_string(struct strbuf *s, const char *text);
/* Hand the buffer to the caller (-ENOMEM if any append failed); the strbuf is reset. */
CF_MUST_CHECK int strbuf_steal(struct strbuf *s, char **ret);
void strbuf_clear(struct strbuf *s);
