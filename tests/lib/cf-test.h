/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cmocka glue shared by the C test programs. */
/* cmocka.h needs these first */
// clang-format off
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
// clang-format on

/* Path of a file in ../shared/reference, or NULL (the caller skips) when it is absent. */
static inline const char *cf_test_reference(const char *name, char *buf, size_t size)
{
	const char *dir = getenv("CALLFENCE_REFERENCE_DIR");

	if (!dir)
		return NULL;
	snprintf(buf, size, "%s/%s", dir, name);
	/* ../shared is not part of the project: absent on a clean clone, tests then skip */
	if (access(buf, R_OK) != 0)
		return NULL;
	return buf;
}
