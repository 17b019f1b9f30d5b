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
#include <sys/wait.h>
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
 * cmocka 1.1.5 prints a skipped test as "not ok N # SKIP name", which TAP (and meson's parser)
 * reads as a failure. cf_test_run() runs the group in a child and rewrites those lines to
 * "ok N - name # SKIP reason", the reason being the last cf_test_skip() of that test. Tests
 * that need ../shared/reference are left out of the run when it is absent (a clean clone),
 * with a TAP comment saying so.
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

#define CF_TEST_SKIP_MARK "# cf-test-skip: "

/*
 * Skip the running test with a reason. A reason of the "machine: " class (what this kernel
 * cannot do, e.g. int 0x80) stays a skip under CALLFENCE_TESTS_MUST_RUN; see test-summary.py.
 */
#define cf_test_skip(...)                              \
	do {                                           \
		printf(CF_TEST_SKIP_MARK __VA_ARGS__); \
		printf("\n");                          \
		fflush(stdout);                        \
		skip();                                \
	} while (0)

/* Copy the child's TAP from `in`, turning cmocka's skips into TAP skips. */
static inline void cf_test_filter(FILE *in)
{
	char line[4096], reason[sizeof(line)] = "";
	const size_t mark = sizeof(CF_TEST_SKIP_MARK) - 1;
	unsigned num;
	int name_at = 0;

	while (fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, CF_TEST_SKIP_MARK, mark) == 0) {
			snprintf(reason, sizeof(reason), "%s", line + mark);
			continue;
		}
		if (sscanf(line, "not ok %u # SKIP %n", &num, &name_at) == 1 && name_at > 0) {
			printf("ok %u - %s # SKIP %s\n", num, line + name_at,
			       reason[0] ? reason : "skipped");
			reason[0] = '\0';
			name_at = 0;
			continue;
		}
		printf("%s\n", line);
	}
}

static inline int cf_test_run(const char *group, const struct cf_test_case *cases, size_t n,
			      CMFixtureFunction setup, CMFixtureFunction teardown)
{
	struct CMUnitTest tests[64];
	bool have_ref = cf_test_reference_present();
	size_t k = 0;
	int fds[2], status;
	pid_t pid;
	FILE *in;

	for (size_t i = 0; i < n && k < 64; i++) {
		if (cases[i].needs_reference && !have_ref) {
			printf("# %s not run: ../shared/reference is absent\n", cases[i].test.name);
			continue;
		}
		tests[k++] = cases[i].test;
	}
	fflush(stdout);
	if (pipe(fds) < 0)
		return _cmocka_run_group_tests(group, tests, k, setup, teardown);
	pid = fork();
	if (pid < 0)
		return _cmocka_run_group_tests(group, tests, k, setup, teardown);
	if (pid == 0) {
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(99);
		close(fds[0]);
		close(fds[1]);
		exit(_cmocka_run_group_tests(group, tests, k, setup, teardown));
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	if (in) {
		cf_test_filter(in);
		fclose(in);
	} else {
		close(fds[0]);
	}
	fflush(stdout);
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
#define CF_TEST_RUN(cases) \
	cf_test_run(__FILE__, cases, sizeof(cases) / sizeof(cases[0]), NULL, NULL)
#define CF_TEST_RUN_FIXTURES(cases, setup, teardown) \
	cf_test_run(__FILE__, cases, sizeof(cases) / sizeof(cases[0]), setup, teardown)
