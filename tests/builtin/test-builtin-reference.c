/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The builtin profile equals, field by field, what the parser makes of moby's
 * seccomp/default.json (../shared/reference/moby-default.json); the comparison is shown to
 * catch a one-field change (errnoRet, a name, an arg, a gate) and an older upstream version.
 * Skips (TAP "1..0 # SKIP", exit 0) when the reference directory is absent.
 */
/* cmocka.h needs these before it */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "base/cleanup.h"
#include "lib/cf-test.h"
#include "profile/profile.h"

/* First difference as text in why; true when equal. Positions are not compared. */
static bool strv_equal(char **a, size_t na, char **b, size_t nb, const char *what, char *why,
		       size_t size)
{
	if (na != nb) {
		snprintf(why, size, "%s: %zu vs %zu entries", what, na, nb);
		return false;
	}
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0) {
			snprintf(why, size, "%s[%zu]: \"%s\" vs \"%s\"", what, i, a[i], b[i]);
			return false;
		}
	return true;
}

static bool gate_equal(const struct cf_gate *a, const struct cf_gate *b, const char *what,
		       char *why, size_t size)
{
	char w[96];

	snprintf(w, sizeof(w), "%s.caps", what);
	if (!strv_equal(a->caps, a->n_caps, b->caps, b->n_caps, w, why, size))
		return false;
	snprintf(w, sizeof(w), "%s.arches", what);
	if (!strv_equal(a->arches, a->n_arches, b->arches, b->n_arches, w, why, size))
		return false;
	if (a->min_kernel.set != b->min_kernel.set ||
	    (a->min_kernel.set && (a->min_kernel.major != b->min_kernel.major ||
				   a->min_kernel.minor != b->min_kernel.minor))) {
		snprintf(why, size, "%s.minKernel differs", what);
		return false;
	}
	return true;
}

static bool rule_equal(const struct cf_rule *a, const struct cf_rule *b, size_t i, char *why,
		       size_t size)
{
	char w[64];

	snprintf(w, sizeof(w), "rule %zu names", i);
	if (!strv_equal(a->names, a->n_names, b->names, b->n_names, w, why, size))
		return false;
	if (a->legacy_name != b->legacy_name || a->action != b->action ||
	    a->has_errno != b->has_errno || (a->has_errno && a->errno_ret != b->errno_ret)) {
		snprintf(why, size, "rule %zu: action/errnoRet differ", i);
		return false;
	}
	if (a->n_args != b->n_args) {
		snprintf(why, size, "rule %zu: %zu vs %zu args", i, a->n_args, b->n_args);
		return false;
	}
	for (size_t j = 0; j < a->n_args; j++) {
		const struct cf_arg *x = &a->args[j], *y = &b->args[j];

		if (x->index != y->index || x->op != y->op || x->value != y->value ||
		    x->has_value_two != y->has_value_two ||
		    (x->has_value_two && x->value_two != y->value_two)) {
			snprintf(why, size, "rule %zu arg %zu differs", i, j);
			return false;
		}
	}
	if (!!a->comment != !!b->comment || (a->comment && strcmp(a->comment, b->comment) != 0)) {
		snprintf(why, size, "rule %zu: comment differs", i);
		return false;
	}
	snprintf(w, sizeof(w), "rule %zu includes", i);
	if (!gate_equal(&a->includes, &b->includes, w, why, size))
		return false;
	snprintf(w, sizeof(w), "rule %zu excludes", i);
	return gate_equal(&a->excludes, &b->excludes, w, why, size);
}

static bool profile_equal(const struct cf_profile *a, const struct cf_profile *b, char *why,
			  size_t size)
{
	if (a->format != b->format || a->has_default_action != b->has_default_action ||
	    a->default_action != b->default_action ||
	    a->has_default_errno != b->has_default_errno ||
	    (a->has_default_errno && a->default_errno != b->default_errno)) {
		snprintf(why, size, "defaultAction/defaultErrnoRet/format differ");
		return false;
	}
	if (a->flags != b->flags || a->has_flags != b->has_flags) {
		snprintf(why, size, "flags differ");
		return false;
	}
	if (!!a->listener_path != !!b->listener_path ||
	    !!a->listener_metadata != !!b->listener_metadata) {
		snprintf(why, size, "listener fields differ");
		return false;
	}
	if (a->n_architectures != b->n_architectures ||
	    (a->n_architectures && memcmp(a->architectures, b->architectures,
					  a->n_architectures * sizeof(*a->architectures)) != 0)) {
		snprintf(why, size, "architectures differ");
		return false;
	}
	if (a->n_arch_map != b->n_arch_map) {
		snprintf(why, size, "archMap: %zu vs %zu entries", a->n_arch_map, b->n_arch_map);
		return false;
	}
	for (size_t i = 0; i < a->n_arch_map; i++) {
		const struct cf_arch_map *x = &a->arch_map[i], *y = &b->arch_map[i];

		if (x->arch != y->arch || x->n_sub != y->n_sub ||
		    (x->n_sub && memcmp(x->sub, y->sub, x->n_sub * sizeof(*x->sub)) != 0)) {
			snprintf(why, size, "archMap entry %zu differs", i);
			return false;
		}
	}
	if (a->n_rules != b->n_rules) {
		snprintf(why, size, "%zu vs %zu rules", a->n_rules, b->n_rules);
		return false;
	}
	for (size_t i = 0; i < a->n_rules; i++)
		if (!rule_equal(&a->rules[i], &b->rules[i], i, why, size))
			return false;
	return true;
}

struct fixture {
	struct cf_profile *builtin;
	char *json; /* moby-default.json text */
	size_t len;
};

static const char *reference_path(char *buf, size_t size)
{
	return cf_test_reference("moby-default.json", buf, size);
}

static int setup(void **state)
{
	static struct fixture f;
	char path[4096];
	FILE *in;
	long n;

	if (!reference_path(path, sizeof(path)))
		return -1;
	in = fopen(path, "re");
	if (!in)
		return -1;
	if (fseek(in, 0, SEEK_END) != 0 || (n = ftell(in)) < 0 || fseek(in, 0, SEEK_SET) != 0) {
		fclose(in);
		return -1;
	}
	f.json = malloc((size_t)n + 1);
	if (!f.json || fread(f.json, 1, (size_t)n, in) != (size_t)n) {
		fclose(in);
		return -1;
	}
	fclose(in);
	f.json[n] = '\0';
	f.len = (size_t)n;
	if (cf_profile_builtin(&f.builtin) < 0)
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	cf_profile_free(f->builtin);
	free(f->json);
	return 0;
}

static void test_equals_reference(void **state)
{
	struct fixture *f = *state;
	cleanup(cf_profile_freep) struct cf_profile *parsed = NULL;
	struct cf_diag diag = { 0 };
	char path[4096], why[256] = "";
	int r;

	assert_non_null(reference_path(path, sizeof(path)));
	r = cf_profile_parse_file(path, &parsed, &diag);
	if (r < 0)
		print_error("parse %s: %d %s\n", path, r, diag.message);
	assert_int_equal(r, 0);
	if (!profile_equal(f->builtin, parsed, why, sizeof(why)))
		print_error("builtin differs from %s: %s\n", path, why);
	assert_true(profile_equal(f->builtin, parsed, why, sizeof(why)));
	assert_true(profile_equal(parsed, f->builtin, why, sizeof(why)));
}

/* Parse the reference text with one substring replaced; must differ from the builtin. */
static void assert_mutation_detected(struct fixture *f, const char *from, const char *to)
{
	cleanup(cf_profile_freep) struct cf_profile *parsed = NULL;
	cleanup_free char *buf = NULL;
	struct cf_diag diag = { 0 };
	const char *at = strstr(f->json, from);
	char why[256] = "";
	size_t pre, n;

	assert_non_null(at);
	pre = (size_t)(at - f->json);
	n = f->len - strlen(from) + strlen(to);
	buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(snprintf(buf, n + 1, "%.*s%s%s", (int)pre, f->json, to, at + strlen(from)),
			 (int)n);
	assert_int_equal(cf_profile_parse_buffer("mutated", buf, n, &parsed, &diag), 0);
	assert_false(profile_equal(f->builtin, parsed, why, sizeof(why)));
	printf("# mutation %s -> %s detected: %s\n", from, to, why);
}

static void test_mutations_detected(void **state)
{
	struct fixture *f = *state;

	assert_mutation_detected(f, "\"errnoRet\": 38", "\"errnoRet\": 1");
	assert_mutation_detected(f, "\"defaultErrnoRet\": 1", "\"defaultErrnoRet\": 38");
	assert_mutation_detected(f, "\"accept4\"", "\"accept5\"");
	assert_mutation_detected(f, "\"value\": 38", "\"value\": 37");
	assert_mutation_detected(f, "\"minKernel\": \"4.8\"", "\"minKernel\": \"4.9\"");
	assert_mutation_detected(f, "\"CAP_SYS_BOOT\"", "\"CAP_SYS_BOOTX\"");
	assert_mutation_detected(f, "\"ppc64le\"", "\"ppc64\"");
	assert_mutation_detected(f, "\"SCMP_ARCH_X32\"", "\"SCMP_ARCH_X86\"");
	assert_mutation_detected(f, "\"s390 parameter ordering", "\"S390 parameter ordering");
}

/* The previous in-tree profile (one socket rule arg0 != 40) is not the builtin. */
static void test_older_upstream_differs(void **state)
{
	struct fixture *f = *state;
	cleanup(cf_profile_freep) struct cf_profile *old = NULL;
	struct cf_diag diag = { 0 };
	char path[4096], why[256] = "";

	if (!cf_test_reference("moby-default-intree-2025-05.json", path, sizeof(path)))
		cf_test_skip(
			"moby-default-intree-2025-05.json not found (CALLFENCE_REFERENCE_DIR)");
	assert_int_equal(cf_profile_parse_file(path, &old, &diag), 0);
	assert_false(profile_equal(f->builtin, old, why, sizeof(why)));
	printf("# in-tree 2025-05 profile differs: %s\n", why);
}

int main(void)
{
	const struct cf_test_case tests[] = {
		CF_TEST(test_equals_reference),
		CF_TEST(test_mutations_detected),
		CF_TEST(test_older_upstream_differs),
	};
	char path[4096];

	if (!reference_path(path, sizeof(path))) {
		/* meson's tap protocol reports exit 77 as ERROR; a SKIP plan is its skip */
		printf("1..0 # SKIP moby-default.json not found (CALLFENCE_REFERENCE_DIR)\n");
		return 0;
	}
	return CF_TEST_RUN_FIXTURES(tests, setup, teardown);
}
