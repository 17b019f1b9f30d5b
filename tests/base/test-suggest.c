/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The near-miss rule every "did you mean" uses (src/base/suggest.c). */
#include "base/macro.h"
#include "base/suggest.h"
#include "lib/cf-test.h"

static const char *const names[] = { "mbind",	 "chroot",     "chown",	      "includes",
				     "errnoRet", "privileged", "personality", "set_mempolicy" };

static const char *best(const char *word)
{
	struct cf_suggest s;

	cf_suggest_init(&s, word);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		cf_suggest_consider(&s, names[i]);
	return cf_suggest_is_near_miss(&s) ? s.best : NULL;
}

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(cf_suggest_distance("mbind", "mbind", 3), 0);
	assert_int_equal(cf_suggest_distance("mbnd", "mbind", 3), 1);
	/* a swap of neighbours is one slip, not two */
	assert_int_equal(cf_suggest_distance("incldues", "includes", 3), 1);
	assert_int_equal(cf_suggest_distance("errnoret", "errnoRet", 3), 0);
	assert_int_equal(cf_suggest_distance("", "abc", 5), 3);
	/* past the limit the count stops */
	assert_int_equal(cf_suggest_distance("read", "personality", 2), 3);
}

static void test_near_misses_found(void **state)
{
	(void)state;
	assert_string_equal(best("mbnd"), "mbind");
	assert_string_equal(best("chrot"), "chroot");
	assert_string_equal(best("incldues"), "includes");
	assert_string_equal(best("privilged"), "privileged");
	/* case alone is a near miss too: Go's decoder would merge it, we do not */
	assert_string_equal(best("errnoret"), "errnoRet");
}

static void test_far_words_not_suggested(void **state)
{
	(void)state;
	/* the negative twins: an exact name, and names far from every candidate */
	assert_null(best("mbind"));
	assert_null(best("this_syscall_does_not_exist_12345"));
	assert_null(best("description"));
	assert_null(best("_comment"));
	/* short words get one edit only: "read" is not "mbind" */
	assert_null(best("read"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_near_misses_found),
		cmocka_unit_test(test_far_words_not_suggested),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
