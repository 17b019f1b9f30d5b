/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Docker's capability algebra (moby daemon/pkg/oci/caps/utils.go). */
#include <linux/capability.h>

#include "caps/caps.h"
#include "lib/cf-test.h"

static cf_capset run(const char **add, size_t n_add, const char **drop, size_t n_drop, bool priv,
		     int *ret)
{
	struct cf_cap_request req = {
		.add = add, .n_add = n_add, .drop = drop, .n_drop = n_drop, .privileged = priv
	};
	struct cf_diag d;
	cf_capset set = 0;

	*ret = caps_resolve(&req, &set, &d);
	return set;
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(caps_from_name("SYS_NICE"), CAP_SYS_NICE);
	assert_int_equal(caps_from_name("CAP_SYS_NICE"), CAP_SYS_NICE);
	assert_int_equal(caps_from_name("cap_sys_nice"), CAP_SYS_NICE);
	assert_int_equal(caps_from_name("sys_nice"), CAP_SYS_NICE);
	assert_int_equal(caps_from_name("Sys_Nice"), CAP_SYS_NICE);
	assert_int_equal(caps_from_name("SYS_NICEE"), -EINVAL);
	assert_int_equal(caps_from_name(""), -EINVAL);
	assert_int_equal(caps_from_name("24"), -EINVAL);
	assert_int_equal(caps_from_name("ALL"), -EINVAL);
	assert_string_equal(caps_to_name(CAP_SYS_ADMIN), "CAP_SYS_ADMIN");
	assert_string_equal(caps_to_name(CAP_CHECKPOINT_RESTORE), "CAP_CHECKPOINT_RESTORE");
	assert_null(caps_to_name(63));
	assert_true(caps_last_known() >= CAP_CHECKPOINT_RESTORE);
}

static void test_default(void **state)
{
	int r;
	cf_capset set = run(NULL, 0, NULL, 0, false, &r);

	(void)state;
	assert_int_equal(r, 0);
	assert_int_equal(__builtin_popcountll(caps_docker_default()), 14);
	assert_true(set == caps_docker_default());
	assert_true(set & CF_CAP_BIT(CAP_AUDIT_WRITE));
	assert_false(set & CF_CAP_BIT(CAP_SYS_ADMIN));
}

static void test_add_drop(void **state)
{
	const char *nice[] = { "sys_nice" }, *chown[] = { "CHOWN" }, *all[] = { "ALL" };
	const char *bogus[] = { "NOT_A_CAP" };
	int r;
	cf_capset set;

	(void)state;
	set = run(nice, 1, NULL, 0, false, &r);
	assert_int_equal(r, 0);
	assert_true(set == (caps_docker_default() | CF_CAP_BIT(CAP_SYS_NICE)));

	set = run(NULL, 0, chown, 1, false, &r);
	assert_true(set == (caps_docker_default() & ~CF_CAP_BIT(CAP_CHOWN)));

	/* drop ALL -> exactly the add list */
	set = run(nice, 1, all, 1, false, &r);
	assert_true(set == CF_CAP_BIT(CAP_SYS_NICE));

	/* add ALL -> everything available minus drop */
	set = run(all, 1, chown, 1, false, &r);
	assert_true(set == (caps_available() & ~CF_CAP_BIT(CAP_CHOWN)));

	/* add ALL + drop ALL -> all */
	set = run(all, 1, all, 1, false, &r);
	assert_true(set == caps_available());

	/* privileged -> all available regardless of lists */
	set = run(NULL, 0, all, 1, true, &r);
	assert_true(set == caps_available());

	/* unknown names fail, in either list */
	(void)run(bogus, 1, NULL, 0, false, &r);
	assert_int_equal(r, -EINVAL);
	(void)run(NULL, 0, bogus, 1, false, &r);
	assert_int_equal(r, -EINVAL);
}

/* run's limit: what the caller can grant (src/run/caller.c computes it) */
static void test_limit(void **state)
{
	const char *nbs[] = { "NET_BIND_SERVICE" }, *admin[] = { "SYS_ADMIN" }, *all[] = { "ALL" };
	struct cf_cap_limit lim = { .grantable = CF_CAP_BIT(CAP_NET_BIND_SERVICE) |
						 CF_CAP_BIT(CAP_CHOWN),
				    .why_not = "you are uid 1000 and do not hold it" };
	struct cf_cap_request req = { .limit = &lim };
	struct cf_diag d;
	cf_capset set = 0;

	(void)state;
	/* defaults are cut to the grantable set, silently */
	assert_int_equal(caps_resolve(&req, &set, &d), 0);
	assert_true(set == lim.grantable);
	/* a non-root command of a non-root caller: only what is named */
	lim.no_defaults = true;
	assert_int_equal(caps_resolve(&req, &set, &d), 0);
	assert_true(set == 0);
	req.add = nbs;
	req.n_add = 1;
	assert_int_equal(caps_resolve(&req, &set, &d), 0);
	assert_true(set == CF_CAP_BIT(CAP_NET_BIND_SERVICE));
	/* ALL means what can be granted */
	req.add = all;
	assert_int_equal(caps_resolve(&req, &set, &d), 0);
	assert_true(set == lim.grantable);
	/* an add outside it: -EPERM naming the capability and why */
	req.add = admin;
	memset(&d, 0, sizeof(d));
	assert_int_equal(caps_resolve(&req, &set, &d), -EPERM);
	assert_string_equal(d.path, "--cap-add");
	assert_string_equal(d.message,
			    "cannot grant CAP_SYS_ADMIN: you are uid 1000 and do not hold it");
	/* twin: a drop of it is fine, and without a limit the add is fine */
	req.add = NULL;
	req.n_add = 0;
	req.drop = admin;
	req.n_drop = 1;
	assert_int_equal(caps_resolve(&req, &set, &d), 0);
	req = (struct cf_cap_request){ .add = admin, .n_add = 1 };
	assert_int_equal(caps_resolve(&req, &set, &d), 0);
	assert_true(set & CF_CAP_BIT(CAP_SYS_ADMIN));
	/* --privileged without a limit: every capability of the kernel */
	req = (struct cf_cap_request){ .privileged = true };
	assert_int_equal(caps_resolve(&req, &set, &d), 0);
	assert_int_equal(__builtin_popcountll(set), caps_last_kernel() + 1);
}

static void test_format(void **state)
{
	char buf[256];

	(void)state;
	caps_format(CF_CAP_BIT(CAP_CHOWN) | CF_CAP_BIT(CAP_SYS_NICE), buf, sizeof(buf), ",");
	assert_string_equal(buf, "CAP_CHOWN,CAP_SYS_NICE");
	caps_format(0, buf, sizeof(buf), ",");
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),	 cmocka_unit_test(test_default),
		cmocka_unit_test(test_add_drop), cmocka_unit_test(test_limit),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
