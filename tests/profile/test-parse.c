/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every kind of invalid input: the diag must name line, column, JSON path and a hint. */
#include <string.h>

#include "lib/cf-test.h"
#include "profile/profile.h"

struct bad_case {
	const char *name;
	const char *json;
	unsigned line, column;
	const char *path;
	const char *message; /* substring */
	const char *hint; /* substring, or NULL for "no hint required" */
};

static const struct bad_case bad_cases[] = {
	{ "syntax error", "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [\n}\n", 4,
	  1, "", "invalid JSON", "JSON object" },
	{ "unknown action",
	  "{\n \"defaultAction\": \"SCMP_ACT_ERRNO\",\n \"syscalls\": [\n  {\"names\": [\"read\"], "
	  "\"action\": \"SCMP_ACT_ALOW\"}\n ]\n}\n",
	  4, 33, "/syscalls/0/action", "unknown action \"SCMP_ACT_ALOW\"", "SCMP_ACT_ALLOW" },
	{ "unknown default action", "{\"defaultAction\": \"ALLOW\"}", 1, 19, "/defaultAction",
	  "unknown action \"ALLOW\"", "SCMP_ACT_ERRNO" },
	{ "missing defaultAction",
	  "{\"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}", 1, 1,
	  "/defaultAction", "missing \"defaultAction\"", "valid" },
	{ "wrong type for names",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": \"read\", \"action\": \"SCMP_ACT_ALLOW\"}]}",
	  1, 60, "/syscalls/0/names", "expected an array of strings, found a string", NULL },
	{ "unknown op",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"personality\"], "
	  "\"action\": \"SCMP_ACT_ALLOW\",\n \"args\": [{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQUAL\"}]}]}",
	  2, 42, "/syscalls/0/args/0/op", "unknown operator \"SCMP_CMP_EQUAL\"",
	  "SCMP_CMP_MASKED_EQ" },
	{ "arg index out of range",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"personality\"], "
	  "\"action\": \"SCMP_ACT_ALLOW\",\n \"args\": [{\"index\": 6, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]}]}",
	  2, 21, "/syscalls/0/args/0/index", "6 is out of range", "0..5" },
	{ "negative value",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"personality\"], "
	  "\"action\": \"SCMP_ACT_ALLOW\",\n \"args\": [{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
	  2, 33, "/syscalls/0/args/0/value", "negative number", NULL },
	{ "errno out of range",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 4294967296}", 1, 56,
	  "/defaultErrnoRet", "out of range", "0..4294967295" },
	{ "fractional errno", "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1.5}",
	  1, 56, "/defaultErrnoRet", "fraction", NULL },
	{ "unknown arch",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86_65\"]}", 1,
	  55, "/architectures/0", "unknown architecture \"SCMP_ARCH_X86_65\"", "SCMP_ARCH_X86_64" },
	{ "unknown top-level key", "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"sycalls\": []}", 1,
	  48, "/sycalls", "unknown key \"sycalls\"", "syscalls" },
	{ "unknown rule key",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
	  "\"SCMP_ACT_ALLOW\", \"arg\": []}]}",
	  1, 105, "/syscalls/0/arg", "unknown key \"arg\"", "args" },
	{ "name and names",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"name\": \"read\", \"names\": [\"write\"], "
	  "\"action\": \"SCMP_ACT_ALLOW\"}]}",
	  1, 59, "/syscalls/0/name", "both 'name' and 'names'", "either" },
	{ "architectures and archMap",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86_64\"], \"archMap\": "
	  "[{\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": []}]}",
	  1, 87, "/archMap", "both 'architectures' and 'archMap'", "either" },
	{ "bad minKernel",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"ptrace\"], \"action\": "
	  "\"SCMP_ACT_ALLOW\",\n \"includes\": {\"minKernel\": \"4.8.1\"}}]}",
	  2, 28, "/syscalls/0/includes/minKernel", "invalid kernel version \"4.8.1\"", "4.8" },
	{ "unquoted minKernel",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"ptrace\"], \"action\": "
	  "\"SCMP_ACT_ALLOW\",\n \"includes\": {\"minKernel\": 4.8}}]}",
	  2, 28, "/syscalls/0/includes/minKernel", "expected a string", "quoted" },
	{ "unknown flag",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"flags\": [\"SECCOMP_FILTER_FLAG_LOGS\"]}", 1,
	  47, "/flags/0", "unknown flag", "SECCOMP_FILTER_FLAG_LOG" },
	{ "empty names",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [], \"action\": \"SCMP_ACT_ALLOW\"}]}",
	  1, 50, "/syscalls/0", "names no syscall", "names" },
	{ "empty syscall name",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
	  1, 61, "/syscalls/0/names/0", "empty string is not a valid syscall", NULL },
	{ "duplicate key",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultAction\": \"SCMP_ACT_ALLOW\"}", 1, 0,
	  "", "duplicate", NULL },
	{ "keys differing in case",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"DefaultAction\": \"SCMP_ACT_ALLOW\"}", 1, 0,
	  "/", "duplicate key", NULL },
	{ "metadata without path",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"listenerMetadata\": \"x\"}", 1, 57,
	  "/listenerMetadata", "without listenerPath", "listenerPath" },
	{ "root not an object", "[1, 2]", 1, 1, "", "expected a seccomp profile object", NULL },
	{ "oci config without seccomp", "{\"ociVersion\": \"1.0.2\", \"linux\": {}}", 1, 1,
	  "/linux/seccomp", "no linux.seccomp", NULL },
	/* issue 9: a profile with no (or an empty) defaultAction runs unconfined under Docker */
	{ "empty profile", "{}", 1, 1, "/defaultAction", "missing \"defaultAction\": Docker",
	  "seccomp=unconfined" },
	{ "empty defaultAction", "{\"defaultAction\": \"\"}", 1, 19, "/defaultAction",
	  "empty \"defaultAction\"", "seccomp=unconfined" },
	{ "null defaultAction", "{\"defaultAction\": null, \"syscalls\": []}", 1, 19,
	  "/defaultAction", "null \"defaultAction\"", "seccomp=unconfined" },
	{ "empty oci seccomp", "{\"ociVersion\": \"1.0.2\",\n \"linux\": {\"seccomp\": {}}}", 2, 23,
	  "/linux/seccomp/defaultAction", "missing \"defaultAction\"", "seccomp=unconfined" },
	/* issue 9: keys Go's decoder merges (Docker, runc) while jansson keeps both */
	{ "config with linux and Linux",
	  "{\"ociVersion\": \"1.0.2\",\n \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"}},\n"
	  " \"Linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\"}}}",
	  3, 2, "/Linux", "duplicate key \"Linux\" (also spelled \"linux\" at 2:2)", "once" },
	{ "config with seccomp and Seccomp",
	  "{\"ociVersion\": \"1.0.2\", \"linux\": {\n \"Seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"},\n"
	  " \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\"}}}",
	  3, 2, "/linux/seccomp", "also spelled \"Seccomp\" at 2:2", NULL },
	{ "case-variant keys in an argument",
	  "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": "
	  "\"SCMP_ACT_ERRNO\",\n \"args\": [{\"index\": 1, \"value\": 0, \"Value\": 511, \"op\": \"SCMP_CMP_NE\"}]}]}",
	  2, 36, "/syscalls/0/args/0/Value", "duplicate key \"Value\"", NULL },
	{ "keys equal under Go's Unicode folding (long s)",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [],\n \"\\u017fyscalls\": []}", 2,
	  2, "/\xc5\xbfyscalls", "duplicate key", NULL },
	{ "keys equal under Go's Unicode folding (Kelvin sign)",
	  "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"ptrace\"], \"action\": "
	  "\"SCMP_ACT_ALLOW\",\n \"includes\": {\"minKernel\": \"4.8\", \"min\\u212aernel\": \"9.9\"}}]}",
	  2, 35,
	  "/syscalls/0/includes/min\xe2\x84\xaa"
	  "ernel",
	  "duplicate key", NULL },
	/* issue 9: an errno that means success, or one that wraps in runc's int16() */
	{ "errnoRet 0",
	  "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"setuid\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 0}]}",
	  1, 112, "/syscalls/0/errnoRet", "return 0 (success) without running it", "1..4094" },
	{ "errnoRet 65536",
	  "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"setuid\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 65536}]}",
	  1, 112, "/syscalls/0/errnoRet",
	  "runc would install 0, which makes the call return success", "1..4094" },
	{ "errnoRet 65537",
	  "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"setuid\"], "
	  "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 65537}]}",
	  1, 112, "/syscalls/0/errnoRet", "runc would install 1", "1..4094" },
	{ "TRACE errnoRet above 16 bits",
	  "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"setuid\"], "
	  "\"action\": \"SCMP_ACT_TRACE\", \"errnoRet\": 65536}]}",
	  1, 112, "/syscalls/0/errnoRet", "does not fit in the 16 bits", "0..65535" },
	{ "defaultErrnoRet 0", "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 0}", 1,
	  56, "/defaultErrnoRet", "defaultErrnoRet 0 makes the call return 0", "1..4094" },
	{ "defaultErrnoRet 65536 in an oci config",
	  "{\"ociVersion\": \"1.0.2\", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
	  " \"defaultErrnoRet\": 65536}}}",
	  2, 21, "/linux/seccomp/defaultErrnoRet", "runc would install 0", "1..4094" },
	/* issue 9: valueTwo that libseccomp drops */
	{ "valueTwo on SCMP_CMP_EQ",
	  "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mbind\"], \"action\": "
	  "\"SCMP_ACT_ERRNO\",\n \"args\": [{\"index\": 2, \"value\": 999, \"valueTwo\": 7, \"op\": \"SCMP_CMP_EQ\"}]}]}",
	  2, 50, "/syscalls/0/args/0/valueTwo", "valueTwo 7 is ignored by SCMP_CMP_EQ",
	  "SCMP_CMP_MASKED_EQ" },
	{ "error inside oci config",
	  "{\"ociVersion\": \"1.0.2\",\n \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_NOPE\"}}}",
	  2, 41, "/linux/seccomp/defaultAction", "unknown action", NULL },
};

#define report(...)                         \
	do {                                \
		print_message(__VA_ARGS__); \
		print_message("\n");        \
		failures++;                 \
	} while (0)

static void test_bad_inputs(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct cf_profile *p = NULL;
		struct cf_diag d;
		int r = cf_profile_parse_buffer("case.json", c->json, strlen(c->json), &p, &d);

		if (r != -EINVAL || p != NULL)
			report("%s: expected -EINVAL, got %d", c->name, r);
		if (strcmp(d.file, "case.json") != 0)
			report("%s: file %s", c->name, d.file);
		if (d.line != c->line || (c->column && d.column != c->column))
			report("%s: position %u:%u, expected %u:%u (%s)", c->name, d.line, d.column,
			       c->line, c->column, d.message);
		if (strncmp(d.path, c->path, strlen(c->path)) != 0)
			report("%s: path \"%s\", expected \"%s\"", c->name, d.path, c->path);
		if (!strstr(d.message, c->message))
			report("%s: message \"%s\" lacks \"%s\"", c->name, d.message, c->message);
		if (c->hint && !strstr(d.hint, c->hint))
			report("%s: hint \"%s\" lacks \"%s\"", c->name, d.hint, c->hint);
	}
	assert_int_equal(failures, 0);
}

/* the positive twins: each field above, written correctly, parses */
static void test_good_inputs(void **state)
{
	static const char *const good[] = {
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 4094}",
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1}",
		/* the range above is ERRNO's: TRACE keeps 16 bits, ALLOW ignores it (resolve warns) */
		"{\"defaultAction\": \"SCMP_ACT_TRACE\", \"defaultErrnoRet\": 65535}",
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 4294967295}",
		("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"setuid\"], "
		 "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 4094}]}"),
		/* a single key in any case, as Go's decoder reads it (also through Unicode folding) */
		"{\"ociVersion\": \"1.0.2\", \"Linux\": {\"Seccomp\": {\"DefaultAction\": \"SCMP_ACT_ALLOW\"}}}",
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"\\u017fyscalls\": []}",
		/* valueTwo 0 on another operator is what moby's default profile writes */
		("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mbind\"], \"action\": "
		 "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 2, \"value\": 999, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}"),
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"name\": \"read\", \"action\": \"SCMP_ACT_ALLOW\"}]}",
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X32\"]}",
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"]}",
		"{\"DefaultAction\": \"SCMP_ACT_ERRNO\"}",
		"{\"ociVersion\": \"1.0.2\", \"process\": {}, \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"}}}",
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/a.sock\", \"listenerMetadata\": \"x\"}",
		("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"personality\"], \"action\": "
		 "\"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 5, \"value\": 18446744073709551615, \"valueTwo\": 0, \"op\": "
		 "\"SCMP_CMP_MASKED_EQ\"}]}]}"),
		("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"ptrace\"], \"action\": "
		 "\"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"4.8\"}, \"excludes\": {\"minKernel\": null}}]}"),
	};
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct cf_profile *p = NULL;
		struct cf_diag d;
		int r = cf_profile_parse_buffer("good.json", good[i], strlen(good[i]), &p, &d);

		if (r < 0)
			fail_msg("good case %zu rejected: %u:%u %s %s", i, d.line, d.column, d.path,
				 d.message);
		assert_non_null(p);
		cf_profile_free(p);
	}
}

static void test_uint64_values(void **state)
{
	const char *j =
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"personality\"], "
		"\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 1, \"value\": 18446744073709551615, "
		"\"valueTwo\": 9223372036854775808, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}";
	struct cf_profile *p = NULL;
	struct cf_diag d;

	(void)state;
	assert_int_equal(cf_profile_parse_buffer("u.json", j, strlen(j), &p, &d), 0);
	assert_int_equal(p->rules[0].n_args, 1);
	assert_true(p->rules[0].args[0].value == UINT64_MAX);
	assert_true(p->rules[0].args[0].value_two == (uint64_t)1 << 63);
	assert_true(p->rules[0].args[0].has_value_two);
	assert_int_equal(p->rules[0].args[0].op, CF_OP_MASKED_EQ);
	cf_profile_free(p);

	/* one more than UINT64_MAX is an error */
	j = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"personality\"], "
	    "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 1, \"value\": 18446744073709551616, "
	    "\"op\": \"SCMP_CMP_EQ\"}]}]}";
	assert_int_equal(cf_profile_parse_buffer("u.json", j, strlen(j), &p, &d), -EINVAL);
	assert_non_null(strstr(d.message, "64 bits"));
}

static void test_positions_recorded(void **state)
{
	const char *j =
		"{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [\n    {\n      \"names\": [\n"
		"        \"read\",\n        \"write\"\n      ],\n      \"action\": \"SCMP_ACT_ALLOW\"\n    }\n  ]\n}\n";
	struct cf_profile *p = NULL;
	struct cf_diag d;

	(void)state;
	assert_int_equal(cf_profile_parse_buffer("pos.json", j, strlen(j), &p, &d), 0);
	assert_int_equal(p->rules[0].pos.line, 4);
	assert_int_equal(p->rules[0].pos.column, 5);
	assert_int_equal(p->rules[0].name_pos[1].line, 7);
	assert_int_equal(p->rules[0].name_pos[1].column, 9);
	assert_int_equal(p->rules[0].action_pos.line, 9);
	cf_profile_free(p);
}

/*
 * issue 9: the rule structure came from the key jansson returned and the argument values from
 * the first key that matched case-insensitively in the text. Two spellings of "linux" turned a
 * reviewed "deny mkdir unless mode == 0" into "unless mode == 0777". Now refused; a single key,
 * in any case or with escapes, is read exactly.
 */
static void test_exact_keys(void **state)
{
	const char *attack =
		"{\"ociVersion\": \"1.0.2\",\n"
		" \"Linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"],\n"
		"  \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": 511, \"op\": \"SCMP_CMP_NE\"}]}]}},\n"
		" \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"],\n"
		"  \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": 0, \"op\": \"SCMP_CMP_NE\"}]}]}}}\n";
	const char *single =
		"{\"ociVersion\": \"1.0.2\",\n"
		" \"Linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"],\n"
		"  \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": 511, \"op\": \"SCMP_CMP_NE\"}]}]}}}\n";
	/* escaped keys: jansson decodes them, so must the position scan */
	const char *escaped =
		"{\"ociVersion\": \"1.0.2\", \"linu\\u0078\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
		" \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1,\n"
		"  \"valu\\u0065\": 448, \"op\": \"SCMP_CMP_NE\"}]}]}}}\n";
	struct cf_profile *p = NULL;
	struct cf_diag d;

	(void)state;
	assert_int_equal(cf_profile_parse_buffer("c.json", attack, strlen(attack), &p, &d),
			 -EINVAL);
	assert_null(p);
	assert_string_equal(d.path, "/linux");
	assert_int_equal(d.line, 4);
	assert_non_null(strstr(d.message, "\"Linux\" at 2:2"));

	assert_int_equal(cf_profile_parse_buffer("c.json", single, strlen(single), &p, &d), 0);
	assert_int_equal(p->rules[0].n_args, 1);
	assert_true(p->rules[0].args[0].value == 511);
	assert_int_equal(p->rules[0].args[0].pos.line, 3);
	assert_int_equal(p->rules[0].args[0].pos.column, 40);
	cf_profile_free(p);

	assert_int_equal(cf_profile_parse_buffer("c.json", escaped, strlen(escaped), &p, &d), 0);
	assert_true(p->rules[0].args[0].value == 448);
	assert_int_equal(p->rules[0].action_pos.line, 2);
	assert_int_equal(p->rules[0].args[0].pos.line, 2);
	cf_profile_free(p);
}

/* issue 9: an error inside an escaped key names the key as written, at its position */
static void test_escaped_key_positions(void **state)
{
	const char *j =
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n \"sys\\u0063alls\": [{\"names\": [\"read\"],"
		" \"action\": \"SCMP_ACT_NOPE\"}]}";
	struct cf_profile *p = NULL;
	struct cf_diag d;

	(void)state;
	assert_int_equal(cf_profile_parse_buffer("e.json", j, strlen(j), &p, &d), -EINVAL);
	assert_string_equal(d.path, "/syscalls/0/action");
	assert_int_equal(d.line, 2);
	assert_int_equal(d.column, 50);
}

static void test_file_errors(void **state)
{
	struct cf_profile *p = NULL;
	struct cf_diag d;

	(void)state;
	assert_int_equal(cf_profile_parse_file("/nonexistent/profile.json", &p, &d), -ENOENT);
	assert_non_null(strstr(d.message, "cannot open"));
	assert_string_equal(d.file, "/nonexistent/profile.json");
	assert_true(cf_profile_parse_file("/proc", &p, &d) < 0);
}

static void test_limits(void **state)
{
	size_t big = (16u << 20) + 16;
	char *buf = malloc(big + 1);
	struct cf_profile *p = NULL;
	struct cf_diag d;

	(void)state;
	assert_non_null(buf);
	/* oversized text: refused before jansson sees it */
	memset(buf, ' ', big);
	memcpy(buf, "{\"defaultAction\": \"SCMP_ACT_ERRNO\"}", 35);
	assert_int_equal(cf_profile_parse_buffer("big.json", buf, big, &p, &d), -EFBIG);
	assert_non_null(strstr(d.message, "too large"));
	/* the twin: the same document within the limit parses */
	assert_int_equal(cf_profile_parse_buffer("big.json", buf, (16u << 20) - 1, &p, &d), 0);
	cf_profile_free(p);
	p = NULL;

	/* more rules than the limit */
	size_t n = 65537, len = 0;
	const char *rule = "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},";
	char *doc = malloc(n * strlen(rule) + 128);
	assert_non_null(doc);
	len += (size_t)sprintf(doc, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(doc + len, "%s", rule);
	doc[len - 1] = ']';
	doc[len++] = '}';
	assert_int_equal(cf_profile_parse_buffer("many.json", doc, len, &p, &d), -EINVAL);
	assert_string_equal(d.path, "/syscalls");
	assert_non_null(strstr(d.message, "too many rules"));
	free(doc);
	free(buf);
}

/* Issue 12: unknown keys are warnings as in Docker, unless a near miss or --strict. */
static void test_unknown_keys(void **state)
{
	static const char desc[] =
		"{\"description\": \"notes\",\n \"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
		"[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"_comment\": \"x\"}]}";
	static const char incldues[] =
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"chroot\"], "
		"\"action\": \"SCMP_ACT_ALLOW\", \"incldues\": {\"caps\": [\"CAP_SYS_CHROOT\"]}}]}";
	static const char folded[] =
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], "
		"\"action\": \"SCMP_ACT_ERRNO\", \"errnoret\": 38, \"comment\": \"moby's own key\"}]}";
	const struct cf_parse_opts strict = { .strict = true };
	struct cf_profile *p = NULL;
	struct cf_diag d;

	(void)state;
	assert_int_equal(cf_profile_parse_buffer("d.json", desc, strlen(desc), &p, &d), 0);
	assert_int_equal(p->warnings.n, 2);
	assert_string_equal(p->warnings.items[0].path, "/description");
	assert_int_equal(p->warnings.items[0].line, 1);
	assert_int_equal(p->warnings.items[0].column, 17);
	assert_non_null(strstr(p->warnings.items[0].message, "ignored"));
	assert_string_equal(p->warnings.items[1].path, "/syscalls/0/_comment");
	assert_non_null(strstr(p->warnings.items[1].hint, "\"comment\""));
	assert_int_equal(p->n_rules, 1);
	p = cf_profile_free(p);
	/* the twin: --strict refuses the same document at the first unknown key */
	assert_int_equal(
		cf_profile_parse_buffer_with("d.json", desc, strlen(desc), &strict, &p, &d),
		-EINVAL);
	assert_null(p);
	assert_string_equal(d.path, "/description");

	/* a near miss of a key that means something is an error even without --strict */
	assert_int_equal(cf_profile_parse_buffer("i.json", incldues, strlen(incldues), &p, &d),
			 -EINVAL);
	assert_string_equal(d.path, "/syscalls/0/incldues");
	assert_non_null(strstr(d.hint, "did you mean \"includes\"?"));

	/* Go's decoder folds case: "errnoret" is errnoRet to Docker, so it is read as such (no
	 * warning), and moby's "comment" is a known key */
	assert_int_equal(cf_profile_parse_buffer("f.json", folded, strlen(folded), &p, &d), 0);
	assert_int_equal(p->warnings.n, 0);
	assert_true(p->rules[0].has_errno);
	assert_int_equal(p->rules[0].errno_ret, 38);
	cf_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_good_inputs),
		cmocka_unit_test(test_uint64_values),
		cmocka_unit_test(test_positions_recorded),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_exact_keys),
		cmocka_unit_test(test_escaped_key_positions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
