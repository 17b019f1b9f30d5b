/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define cleanup(fn) __attribute__((cleanup(fn)))

static inline void cleanup_free_fn(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_close_fn(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		(void)close(*fd);
		errno = saved;
	}
}

static inline void cleanup_fclose_fn(FILE **f)
{
	if (*f)
		(void)fclose(*f);
}

#define cleanup_free   cleanup(cleanup_free_fn)
#define cleanup_close  cleanup(cleanup_close_fn)
#define cleanup_fclose cleanup(cleanup_fclose_fn)

/* DEFINE_CLEANUP_FUNC(struct cf_profile *, cf_profile_free) gives cf_profile_freep(). */
#define DEFINE_CLEANUP_FUNC(type, fn)     \
	static inline void fn##p(type *p) \
	{                                 \
		if (*p)                   \
			(void)fn(*p);     \
	}
