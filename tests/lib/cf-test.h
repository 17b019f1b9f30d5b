/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cmocka glue shared by the C test programs. */
/* cmocka.h needs these first */
// clang-format off
#include <errno.h>
#include <stdbool.h>
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

static inline bool cf_test_reference_present(void)
{
	const char *dir = getenv("CALLFENCE_REFERENCE_DIR");
	char buf[4096];

	if (!dir)
		return false;
	snprintf(buf, sizeof(buf), "%s/moby-default.json", dir);
	return access(buf, R_OK) == 0;
}

/*
 * cmocka 1.1.5 prints a skipped test as "not ok N # SKIP", which meson's TAP parser counts as a
 * failure. Tests that need ../shared/reference are therefore left out of the run when it is
 * absent (a clean clone), with a TAP comment saying so, instead of being skipped by cmocka.
 */
struct cf_test_case {
	struct CMUnitTest test;
	bool needs_reference;
};
#define CF_TEST(fn)                         \
	{                                   \
		cmocka_unit_test(fn), false \
	}
#define CF_TEST_REFERENCE(fn)              \
	{                                  \
		cmocka_unit_test(fn), true \
	}

static inline int cf_test_run(const char *group, const struct cf_test_case *cases, size_t n)
{
	struct CMUnitTest tests[64];
	bool have_ref = cf_test_reference_present();
	size_t k = 0;

	for (size_t i = 0; i < n && k < 64; i++) {
		if (cases[i].needs_reference && !have_ref) {
			printf("# %s not run: ../shared/reference is absent\n", cases[i].test.name);
			continue;
		}
		tests[k++] = cases[i].test;
	}
	return _cmocka_run_group_tests(group, tests, k, NULL, NULL);
}
#define CF_TEST_RUN(cases) cf_test_run(__FILE__, cases, sizeof(cases) / sizeof(cases[0]))
