/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The committed list of names libseccomp 2.5.4 does not know (src/analyze/lint-rules.c),
 * checked against the real library: every name any of our tables knows is resolved with
 * seccomp_syscall_resolve_name(), which is what runc calls before it skips a rule's name
 * ("unknown syscall, skipping"). A name libseccomp knows on another ABI only resolves to a
 * negative pseudo number and is kept, so only __NR_SCMP_ERROR means "dropped".
 */
#include <seccomp.h>

#include "analyze/lint.h"
#include "lib/cf-test.h"

static void test_gaps(void **state)
{
	const struct scmp_version *v = seccomp_version();
	unsigned n = syscall_n_ids(), lacking = 0;

	(void)state;
	if (!v || v->major != 2 || v->minor != 5 || v->micro != 4)
		cf_test_skip(
			"libseccomp %u.%u.%u is not Debian 12's 2.5.4: the list describes 2.5.4",
			v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0);
	for (unsigned id = 0; id < n; id++) {
		const char *name = syscall_id_name((int)id);
		bool unknown = seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR;

		if (unknown != cf_libseccomp_254_lacks(name))
			fail_msg("%s: libseccomp 2.5.4 %s it, the list says %s", name,
				 unknown ? "does not know" : "knows",
				 unknown ? "known" : "unknown");
		lacking += unknown;
	}
	assert_int_equal(lacking, cf_libseccomp_254_n_gaps);
	printf("# %u of %u names unknown to libseccomp 2.5.4, as listed\n", lacking, n);
}

int main(void)
{
	static const struct cf_test_case cases[] = {
		CF_TEST(test_gaps),
	};

	return CF_TEST_RUN(cases);
}
