/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Argument decoding: what `callfence explain` accepts and how live reports print calls. */
#include "explain/explain.h"
#include "lib/cf-test.h"

static uint64_t parse(const char *sys, unsigned idx, const char *text, int *ret)
{
	struct cf_diag d;
	uint64_t v = 0xdead;

	*ret = cf_explain_parse_arg(sys, idx, text, &v, &d);
	return v;
}

static void test_numbers(void **state)
{
	int r;

	(void)state;
	assert_int_equal(parse("personality", 0, "0x8", &r), 8);
	assert_int_equal(r, 0);
	assert_int_equal(parse("personality", 0, "8", &r), 8);
	assert_int_equal(parse("personality", 0, "010", &r), 8);
	assert_true(parse("personality", 0, "-1", &r) == UINT64_MAX);
	assert_int_equal(r, 0);
	assert_true(parse("mkdir", 1, "0xffffffffffffffff", &r) == UINT64_MAX);
	assert_int_equal(r, 0);
	/* negative twins: garbage is refused, not read as 0 */
	parse("personality", 0, "0x8z", &r);
	assert_int_equal(r, -EINVAL);
	parse("personality", 0, "", &r);
	assert_int_equal(r, -EINVAL);
	parse("personality", 0, "0x", &r);
	assert_int_equal(r, -EINVAL);
	parse("mkdir", 1, "99999999999999999999999", &r);
	assert_int_equal(r, -EINVAL);
}

static void test_symbols(void **state)
{
	int r;

	(void)state;
	assert_int_equal(parse("socket", 0, "AF_ALG", &r), 38);
	assert_int_equal(r, 0);
	assert_int_equal(parse("socket", 0, "PF_VSOCK", &r), 40);
	assert_int_equal(parse("socket", 1, "SOCK_STREAM|SOCK_CLOEXEC", &r), 1 | 02000000);
	assert_int_equal(parse("clone", 0, "CLONE_NEWUSER|CLONE_NEWNS", &r), 0x10020000);
	assert_int_equal(r, 0);
	assert_int_equal(parse("clone", 0, " CLONE_NEWUSER | SIGCHLD ", &r), 0x10000011);
	assert_int_equal(parse("personality", 0, "PER_LINUX32", &r), 8);
	assert_int_equal(parse("personality", 0, "PER_LINUX32|UNAME26", &r), 0x20008);
	assert_int_equal(parse("mbind", 2, "MPOL_BIND", &r), 2);
	assert_int_equal(parse("mbind", 5, "MPOL_MF_MOVE_ALL", &r), 4);
	assert_int_equal(parse("syslog", 0, "SYSLOG_ACTION_READ_ALL", &r), 3);
	assert_int_equal(parse("prctl", 0, "PR_SET_NO_NEW_PRIVS", &r), 38);
	/* a name from another table is still accepted (any known constant) */
	assert_int_equal(parse("mkdir", 0, "AF_INET6", &r), 10);
	assert_int_equal(r, 0);
	/* negative twins */
	parse("socket", 0, "AF_NOPE", &r);
	assert_int_equal(r, -EINVAL);
	parse("clone", 0, "CLONE_NEWUSER|", &r);
	assert_int_equal(r, -EINVAL);
	parse("socket", 0, "af_alg", &r);
	assert_int_equal(r, -EINVAL);
}

static void test_diag(void **state)
{
	struct cf_diag d;
	uint64_t v;

	(void)state;
	assert_int_equal(cf_explain_parse_arg("socket", 0, "AF_NOPE", &v, &d), -EINVAL);
	assert_non_null(strstr(d.message, "AF_NOPE"));
	assert_non_null(strstr(d.message, "socket"));
	assert_non_null(strstr(d.hint, "AF_"));
}

static void test_format(void **state)
{
	uint64_t a[6] = { 38, 5, 0, 0, 0, 0 };
	char buf[256];

	(void)state;
	cf_explain_format_call("socket", a, -1, CF_ARCH_X86_64, buf, sizeof(buf));
	assert_string_equal(buf, "socket(AF_ALG, SOCK_SEQPACKET, 0)");
	a[0] = 0x10020011;
	cf_explain_format_call("clone", a, 1, CF_ARCH_X86_64, buf, sizeof(buf));
	assert_string_equal(buf, "clone(CLONE_NEWNS|CLONE_NEWUSER|SIGCHLD)");
	a[0] = 8;
	cf_explain_format_call("personality", a, -1, CF_ARCH_X86_64, buf, sizeof(buf));
	assert_string_equal(buf, "personality(PER_LINUX32)");
	a[0] = 0x4;
	cf_explain_format_call("personality", a, -1, CF_ARCH_X86_64, buf, sizeof(buf));
	assert_string_equal(buf, "personality(0x4)");
	a[0] = (uint64_t)-100;
	a[1] = 0x1000;
	a[2] = 0101 | 02000000;
	a[3] = 0644;
	cf_explain_format_call("openat", a, -1, CF_ARCH_X86_64, buf, sizeof(buf));
	assert_string_equal(buf, "openat(AT_FDCWD, 0x1000, O_WRONLY|O_CREAT|O_CLOEXEC, 0644)");
	/* 32-bit ABIs print the low word only */
	a[0] = 0xffffffff00000026ull;
	cf_explain_format_call("socket", a, 1, CF_ARCH_X86, buf, sizeof(buf));
	assert_string_equal(buf, "socket(AF_ALG)");
	/* a syscall we do not describe: hex, as many arguments as it takes */
	memset(a, 0, sizeof(a));
	a[0] = 0x1234;
	cf_explain_format_call("io_pgetevents", a, -1, CF_ARCH_X86_64, buf, sizeof(buf));
	assert_string_equal(buf, "io_pgetevents(0x1234, 0, 0, 0, 0, 0)");
	a[1] = 0x77;
	cf_explain_format_call("getcpu", a, -1, CF_ARCH_X86_64, buf, sizeof(buf));
	assert_string_equal(buf, "getcpu(0x1234, 0x77, 0)");
	/* negative twin: a call we cannot count still prints six */
	cf_explain_format_call("no_such_call", a, -1, CF_ARCH_X86_64, buf, sizeof(buf));
	assert_string_equal(buf, "no_such_call(0x1234, 0x77, 0, 0, 0, 0)");
	/* truncation keeps a terminated string */
	cf_explain_format_call("socket", a, -1, CF_ARCH_X86_64, buf, 8);
	assert_int_equal(strlen(buf), 7);
}

/* The issue's three: exact strings, only the real arguments (leftover registers ignored). */
static void test_format_issue12(void **state)
{
	uint64_t a[6];
	char buf[256];

	(void)state;
	/* fchownat(AT_FDCWD, "f", 65534, -1, 0): the path comes from the caller (no reader: hex) */
	memcpy(a, (uint64_t[6]){ (uint64_t)-100, 0x5000, 65534, 0xffffffff, 0, 0xdead }, sizeof(a));
	cf_explain_format_call("fchownat", a, -1, CF_ARCH_X86_64, buf, sizeof(buf));
	assert_string_equal(buf, "fchownat(AT_FDCWD, 0x5000, 65534, -1, 0)");
	a[4] = 0x1100;
	cf_explain_format_call("fchownat", a, -1, CF_ARCH_X86_64, buf, sizeof(buf));
	assert_string_equal(
		buf, "fchownat(AT_FDCWD, 0x5000, 65534, -1, AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH)");
	/* AT_FDCWD zero-extended (an int in a 64-bit register) is still AT_FDCWD */
	a[0] = 0xffffff9c;
	a[4] = 0;
	cf_explain_format_call("fchownat", a, -1, CF_ARCH_X86_64, buf, sizeof(buf));
	assert_string_equal(buf, "fchownat(AT_FDCWD, 0x5000, 65534, -1, 0)");
	memcpy(a, (uint64_t[6]){ 0x7f0000000000, 0x1000, 3, 0x7ffd0000, 65, 2 }, sizeof(a));
	cf_explain_format_call("mbind", a, -1, CF_ARCH_X86_64, buf, sizeof(buf));
	assert_string_equal(buf, "mbind(0x7f0000000000, 0x1000, MPOL_INTERLEAVE, 0x7ffd0000, 0x41, "
				 "MPOL_MF_MOVE)");
	memcpy(a, (uint64_t[6]){ 0x10000011, 0, 0, 0, 0, 0x4141 }, sizeof(a));
	cf_explain_format_call("clone", a, -1, CF_ARCH_X86_64, buf, sizeof(buf));
	assert_string_equal(buf, "clone(CLONE_NEWUSER|SIGCHLD, 0, 0, 0, 0)");
	/* unshare takes one argument: the other five registers are not printed */
	a[0] = 0x10000000;
	cf_explain_format_call("unshare", a, -1, CF_ARCH_X86_64, buf, sizeof(buf));
	assert_string_equal(buf, "unshare(CLONE_NEWUSER)");
	/* i386: mmap is old_mmap (one pointer), 32-bit ids */
	memcpy(a, (uint64_t[6]){ 0xffd0, 1, 2, 3, 4, 5 }, sizeof(a));
	cf_explain_format_call("mmap", a, -1, CF_ARCH_X86, buf, sizeof(buf));
	assert_string_equal(buf, "mmap(0xffd0)");
	cf_explain_format_call("mmap", a, -1, CF_ARCH_X86_64, buf, sizeof(buf));
	assert_string_equal(buf, "mmap(0xffd0, 1, 2, 3, 4, 5)");
}

/* Every call of the x86 ABIs has a count (the fact file is complete), and counts differ where
 * the ABI does. */
static void test_nargs_cover(void **state)
{
	static const enum cf_arch abis[] = { CF_ARCH_X86_64, CF_ARCH_X32, CF_ARCH_X86 };

	(void)state;
	for (size_t a = 0; a < ARRAY_SIZE(abis); a++) {
		int max = syscall_max_nr(abis[a]), n = 0;

		assert_true(max > 0);
		/* numbers start at the ABI's base (x32: 0x40000000), not at 0 */
		for (int nr = (int)arch_info(abis[a])->nr_base; nr <= max; nr++) {
			const char *name = syscall_resolve_num(abis[a], nr);
			int k;

			if (!name)
				continue;
			k = cf_explain_syscall_nargs_abi(abis[a], name);
			if (k < 0 || k > 6)
				fprintf(stderr, "no argument count for %s on %s\n", name,
					arch_info(abis[a])->scmp_name);
			assert_true(k >= 0 && k <= 6);
			n++;
		}
		assert_true(n > 300);
	}
	assert_int_equal(cf_explain_syscall_nargs_abi(CF_ARCH_X86, "mmap"), 1);
	assert_int_equal(cf_explain_syscall_nargs_abi(CF_ARCH_X86, "select"), 1);
	assert_int_equal(cf_explain_syscall_nargs_abi(CF_ARCH_X86, "socketcall"), 2);
	assert_int_equal(cf_explain_syscall_nargs_abi(CF_ARCH_X86, "pread64"), 5);
	assert_int_equal(cf_explain_syscall_nargs_abi(CF_ARCH_X86_64, "pread64"), 4);
	assert_int_equal(cf_explain_syscall_nargs_abi(CF_ARCH_X86_64, "fchownat"), 5);
	assert_int_equal(cf_explain_syscall_nargs_abi(CF_ARCH_X86_64, "uretprobe"), 0);
	/* another architecture's call of the same name: the x86 count */
	assert_int_equal(cf_explain_syscall_nargs_abi(CF_ARCH_AARCH64, "mbind"), 6);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(cf_explain_arg_name("socket", 0, 40), "AF_VSOCK");
	assert_null(cf_explain_arg_name("socket", 0, 4000));
	assert_null(cf_explain_arg_name("mkdir", 0, 38));
	assert_int_equal(cf_explain_syscall_nargs("socket"), 3);
	assert_int_equal(cf_explain_syscall_nargs("no_such_call"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),	       cmocka_unit_test(test_symbols),
		cmocka_unit_test(test_diag),	       cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_issue12), cmocka_unit_test(test_nargs_cover),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
