/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --user resolution against fixture passwd/group files: moby GetExecUser + getUser + runc. */
#include "lib/cf-test.h"
#include "run/run.h"

static char dir[] = "/tmp/cf-creds-XXXXXX";
static char passwd[64], group[64], missing[64];

static const char passwd_text[] = "root:x:0:0:root:/root:/bin/bash\n"
				  "  \n"
				  "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
				  "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
				  "bob:x:1001:100::/home/bob:/bin/sh\n"
				  "alice:x:2000:2000:second alice, never used:/nowhere:/bin/sh\n"
				  "nohome:x:1500:1500\n"
				  "bad:x:notanumber:7::/b:/bin/sh\n";

static const char group_text[] = "root:x:0:\n"
				 "# comment:x:27:alice\n"
				 "wheel:x:10:root,alice\n"
				 "alice:x:1000:\n"
				 "users:x:100:bob,alice\n"
				 "staff:x:50:bob\n"
				 "staff:x:51:\n";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(passwd, sizeof(passwd), "%s/passwd", dir);
	snprintf(group, sizeof(group), "%s/group", dir);
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	write_file(passwd, passwd_text);
	write_file(group, group_text);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(passwd);
	unlink(group);
	rmdir(dir);
	return 0;
}

static void check(const char *spec, int uid, int gid, const char *groups, const char *home)
{
	struct cf_creds c = { 0 };
	struct cf_diag d;
	char buf[256] = "";
	size_t off = 0;

	assert_int_equal(cf_creds_lookup(spec, passwd, group, &c, &d), 0);
	assert_int_equal(c.uid, uid);
	assert_int_equal(c.gid, gid);
	for (size_t i = 0; i < c.n_groups; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%u", i ? "," : "",
					(unsigned)c.groups[i]);
	assert_string_equal(buf, groups);
	assert_string_equal(c.home, home);
	cf_creds_clear(&c);
}

static void check_error(const char *spec, int err, const char *msg_part)
{
	struct cf_creds c = { 0 };
	struct cf_diag d;

	memset(&d, 0, sizeof(d));
	assert_int_equal(cf_creds_lookup(spec, passwd, group, &c, &d), err);
	assert_non_null(strstr(d.message, msg_part));
	assert_null(c.groups);
}

static void test_name(void **state)
{
	(void)state;
	/* primary gid first (moby getUser), then every group listing alice, in file order */
	check("alice", 1000, 1000, "1000,10,100", "/home/alice");
	check("bob", 1001, 100, "100,100,50", "/home/bob");
	check("root", 0, 0, "0,10", "/root");
}

static void test_numeric_matches_entry(void **state)
{
	(void)state;
	check("1000", 1000, 1000, "1000,10,100", "/home/alice");
	check("+1000", 1000, 1000, "1000,10,100", "/home/alice");
}

static void test_numeric_without_entry(void **state)
{
	(void)state;
	check("4242", 4242, 0, "0", "/");
	check("4242:4343", 4242, 4343, "4343", "/");
	check("4242:staff", 4242, 50, "50", "/");
}

static void test_explicit_group_drops_supplementary(void **state)
{
	(void)state;
	check("alice:staff", 1000, 50, "50", "/home/alice"); /* first staff wins */
	check("alice:51", 1000, 51, "51", "/home/alice");
	check("alice:", 1000, 1000, "1000,10,100", "/home/alice"); /* empty group: implicit */
	check("alice:wheel:ignored", 1000, 10, "10", "/home/alice");
}

static void test_empty_spec_is_root(void **state)
{
	(void)state;
	check("", 0, 0, "0,10", "/root");
}

static void test_field_quirks(void **state)
{
	(void)state;
	/* a passwd entry with too few fields still matches; HOME is then empty, as runc */
	check("nohome", 1500, 1500, "1500", "");
	/* a non-numeric uid field counts as 0 (moby parseParts ignores conversion errors) */
	check("bad", 0, 7, "7", "/root");
}

static void test_errors(void **state)
{
	(void)state;
	check_error("nosuch", -ENOENT,
		    "unable to find user nosuch: no matching entries in passwd file");
	check_error("alice:nosuch", -ENOENT,
		    "unable to find group nosuch: no matching entries in group file");
	check_error("-1", -ERANGE, "uids and gids must be in range 0-2147483647");
	check_error("2147483648", -ERANGE, "uids and gids must be in range");
	check_error("99999999999999999999", -ERANGE, "uids and gids must be in range");
	check_error("alice:-5", -ERANGE, "uids and gids must be in range");
	/* the largest id is fine */
	check("2147483647:2147483647", 2147483647, 2147483647, "2147483647", "/");
}

static void test_missing_files(void **state)
{
	struct cf_creds c = { 0 };
	struct cf_diag d;

	(void)state;
	/* moby passes a nil reader for unreadable files: numbers work, names do not */
	assert_int_equal(cf_creds_lookup("77:88", missing, missing, &c, &d), 0);
	assert_int_equal(c.uid, 77);
	assert_int_equal(c.gid, 88);
	assert_string_equal(c.home, "/");
	cf_creds_clear(&c);
	assert_int_equal(cf_creds_lookup("alice", missing, missing, &c, &d), -ENOENT);
}

static void test_user_home(void **state)
{
	char *home = NULL;

	(void)state;
	assert_int_equal(cf_user_home(1001, passwd, &home), 0);
	assert_string_equal(home, "/home/bob");
	free(home);
	assert_int_equal(cf_user_home(31337, passwd, &home), 0);
	assert_string_equal(home, "/");
	free(home);
}

/* --group-add: moby GetAdditionalGroups (name or gid string of an entry, else a number; each
 * gid once), appended after the user's own groups */
static void test_group_add(void **state)
{
	const char *add[] = { "staff", "4242", "wheel", "4242", "10" };
	const char *bad[] = { "nosuchgroup" };
	struct cf_creds c = { 0 };
	struct cf_diag d;

	(void)state;
	assert_int_equal(cf_creds_lookup("bob", passwd, group, &c, &d), 0);
	assert_int_equal(c.n_groups, 3); /* 100, then users (100) and staff (50) */
	assert_int_equal(cf_creds_add_groups(&c, add, ARRAY_SIZE(add), group, &d), 0);
	/* staff -> 50 (the first entry), 4242 as a number, wheel -> 10; 4242 and 10 again: once */
	assert_int_equal(c.n_groups, 6);
	assert_int_equal(c.groups[3], 50);
	assert_int_equal(c.groups[4], 4242);
	assert_int_equal(c.groups[5], 10);
	/* the twin: an unknown name is an error naming it */
	assert_int_equal(cf_creds_add_groups(&c, bad, 1, group, &d), -ENOENT);
	assert_non_null(strstr(d.message, "nosuchgroup"));
	cf_creds_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_add),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_numeric_matches_entry),
		cmocka_unit_test(test_numeric_without_entry),
		cmocka_unit_test(test_explicit_group_drops_supplementary),
		cmocka_unit_test(test_empty_spec_is_root),
		cmocka_unit_test(test_field_quirks),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_missing_files),
		cmocka_unit_test(test_user_home),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
