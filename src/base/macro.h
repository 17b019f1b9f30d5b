/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define CF_MUST_CHECK	__attribute__((warn_unused_result))
#define CF_UNUSED	__attribute__((unused))
#define CF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define CF_PUBLIC	__attribute__((visibility("default")))

/* Hand ownership of a pointer or fd to the caller: the local cleanup then sees NULL / -1. */
#define TAKE_PTR(p)                            \
	({                                     \
		__typeof__(p) take_ptr_ = (p); \
		(p) = NULL;                    \
		take_ptr_;                     \
	})
#define TAKE_FD(fd)                  \
	({                           \
		int take_fd_ = (fd); \
		(fd) = -1;           \
		take_fd_;            \
	})

#define CF_MIN(a, b) ((a) < (b) ? (a) : (b))
#define CF_MAX(a, b) ((a) > (b) ? (a) : (b))
