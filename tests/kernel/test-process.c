/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* run's Docker process options (src/run/process.c): --env-file as docker's parseKeyValueFile,
 * -e NAME=VALUE / -e NAME, --ulimit as go-units ParseUlimit. */
#include <string.h>

#include <sys/resource.h>

#include "lib/cf-test.h"
#include "run/run.h"

static char *from[] = { "HOME=/root", "INHERITED=yes", "PATH=/bin", NULL };

static const char *get(const struct cf_env *e, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < e->n; i++)
		if (strncmp(e->v[i], name, n) == 0 && e->v[i][n] == '=')
			return e->v[i] + n + 1;
	return NULL;
}

static void test_env_file(void **state)
{
	static const char text[] = "# comment\n"
				   "\n"
				   "  A=1\n"
				   "B=with spaces \"and quotes\"\r\n"
				   "INHERITED\n"
				   "NOT_IN_FROM\n"
				   "A=2\n"
				   "EMPTY=\n"
				   "LAST=no newline";
	struct cf_env e = { 0 };
	struct cf_diag d;

	(void)state;
	assert_int_equal(cf_env_parse_file_buffer(&e, "t.env", text, strlen(text), from, &d), 0);
	assert_string_equal(get(&e, "A"), "2"); /* the last one wins, in its first place */
	assert_string_equal(get(&e, "B"), "with spaces \"and quotes\"");
	assert_string_equal(get(&e, "INHERITED"), "yes");
	assert_null(get(&e, "NOT_IN_FROM"));
	assert_string_equal(get(&e, "EMPTY"), "");
	assert_string_equal(get(&e, "LAST"), "no newline");
	assert_int_equal(e.n, 5);
	assert_null(e.v[e.n]);
	/* -e after the file replaces */
	assert_int_equal(cf_env_put(&e, "A=3", from, &d), 0);
	assert_string_equal(get(&e, "A"), "3");
	cf_env_clear(&e);
}

static void test_env_file_errors(void **state)
{
	static const char spaced[] = "OK=1\nBAD NAME=1\n";
	static const char noname[] = "=value\n";
	struct cf_env e = { 0 };
	struct cf_diag d;

	(void)state;
	assert_int_equal(cf_env_parse_file_buffer(&e, "t.env", spaced, strlen(spaced), from, &d),
			 -EINVAL);
	assert_int_equal(d.line, 2);
	assert_string_equal(d.file, "t.env");
	assert_non_null(strstr(d.message, "whitespaces"));
	cf_env_clear(&e);
	assert_int_equal(cf_env_parse_file_buffer(&e, "t.env", noname, strlen(noname), from, &d),
			 -EINVAL);
	assert_non_null(strstr(d.message, "no variable name"));
	cf_env_clear(&e);
	assert_int_equal(cf_env_parse_file(&e, "/nonexistent/cf.env", from, &d), -ENOENT);
	assert_int_equal(cf_env_parse_file(&e, "/", from, &d), -EISDIR);
	cf_env_clear(&e);
}

static void test_ulimit(void **state)
{
	static const struct {
		const char *arg;
		int r, resource;
		uint64_t soft, hard;
	} rows[] = {
		{ "nofile=1024:2048", 0, RLIMIT_NOFILE, 1024, 2048 },
		{ "nproc=10", 0, RLIMIT_NPROC, 10, 10 },
		{ "core=-1", 0, RLIMIT_CORE, RLIM_INFINITY, RLIM_INFINITY },
		{ "stack=8192:unlimited", 0, RLIMIT_STACK, 8192, RLIM_INFINITY },
		{ "nofile=2048:1024", -EINVAL, 0, 0, 0 }, /* soft > hard */
		{ "nofile=-5", -ERANGE, 0, 0, 0 },
		{ "nofile=abc", -EINVAL, 0, 0, 0 },
		{ "nofile", -EINVAL, 0, 0, 0 },
		{ "nofle=1", -EINVAL, 0, 0, 0 },
		{ "NOFILE=1", -EINVAL, 0, 0, 0 }, /* docker's names are lower case */
	};
	struct cf_diag d;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct cf_ulimit u;
		int r = cf_ulimit_parse(rows[i].arg, &u, &d);

		if (r != rows[i].r)
			fail_msg("%s: %d, expected %d", rows[i].arg, r, rows[i].r);
		if (r < 0)
			continue;
		assert_int_equal(u.resource, rows[i].resource);
		assert_true(u.soft == rows[i].soft && u.hard == rows[i].hard);
	}
	assert_int_equal(cf_ulimit_parse("nofle=1", &(struct cf_ulimit){ 0 }, &d), -EINVAL);
	assert_non_null(strstr(d.hint, "did you mean nofile?"));
	assert_string_equal(cf_ulimit_name(RLIMIT_NOFILE), "nofile");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_file),
		cmocka_unit_test(test_env_file_errors),
		cmocka_unit_test(test_ulimit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
