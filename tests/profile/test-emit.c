/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OCI output as Docker hands it to runc, and the Docker-format round trip. */
#include <jansson.h>

#include <linux/capability.h>

#include "lib/cf-test.h"
#include "profile/profile.h"

static json_t *emit_oci(const struct cf_profile *p, cf_capset caps, bool nnp)
{
	struct cf_resolve_opts o = { .native = CF_ARCH_X86_64,
				     .bounding = caps,
				     .kernel = { .set = true, .major = 6, .minor = 1 } };
	struct cf_emit_opts eo = { .format = CF_EMIT_OCI, .caps = caps, .no_new_privileges = nnp };
	struct cf_resolved *r = NULL;
	struct cf_diag d;
	char *text = NULL;
	json_error_t err;

	assert_int_equal(cf_profile_resolve(p, &o, &r, &d), 0);
	assert_int_equal(cf_emit(p, r, &eo, &text), 0);
	json_t *j = json_loads(text, 0, &err);
	if (!j)
		fail_msg("emitted invalid JSON: %s at %d:%d", err.text, err.line, err.column);
	free(text);
	cf_resolved_free(r);
	return j;
}

static bool rules_have(json_t *syscalls, const char *name)
{
	size_t i, k;
	json_t *rule, *n;

	json_array_foreach(syscalls, i, rule)
		json_array_foreach(json_object_get(rule, "names"), k, n)
			if (strcmp(json_string_value(n), name) == 0)
				return true;
	return false;
}

static void test_default_oci(void **state)
{
	struct cf_profile *p = NULL;

	(void)state;
	assert_int_equal(cf_profile_builtin(&p), 0);

	json_t *j = emit_oci(p, caps_docker_default(), false);
	json_t *seccomp = json_object_get(json_object_get(j, "linux"), "seccomp");
	json_t *syscalls = json_object_get(seccomp, "syscalls");
	json_t *arches = json_object_get(seccomp, "architectures");

	assert_string_equal(json_string_value(json_object_get(seccomp, "defaultAction")),
			    "SCMP_ACT_ERRNO");
	assert_int_equal(json_integer_value(json_object_get(seccomp, "defaultErrnoRet")), 1);
	assert_int_equal(json_array_size(arches), 3);
	assert_string_equal(json_string_value(json_array_get(arches, 0)), "SCMP_ARCH_X86_64");
	assert_string_equal(json_string_value(json_array_get(arches, 1)), "SCMP_ARCH_X86");
	assert_string_equal(json_string_value(json_array_get(arches, 2)), "SCMP_ARCH_X32");
	assert_int_equal(json_array_size(syscalls), 15);
	assert_false(rules_have(syscalls, "mbind"));
	assert_true(rules_have(syscalls, "clone3"));
	assert_null(json_object_get(seccomp, "archMap"));
	json_t *caps = json_object_get(json_object_get(j, "process"), "capabilities");
	assert_int_equal(json_array_size(json_object_get(caps, "bounding")), 14);
	assert_int_equal(json_array_size(json_object_get(caps, "effective")), 14);
	assert_null(json_object_get(caps, "inheritable"));
	assert_true(
		json_is_false(json_object_get(json_object_get(j, "process"), "noNewPrivileges")));
	/* no Docker-only keys leak into OCI rules */
	size_t i;
	json_t *rule;
	json_array_foreach(syscalls, i, rule) {
		assert_null(json_object_get(rule, "includes"));
		assert_null(json_object_get(rule, "comment"));
	}
	json_decref(j);

	/* +SYS_NICE: the mbind rule appears */
	j = emit_oci(p, caps_docker_default() | CF_CAP_BIT(CAP_SYS_NICE), true);
	syscalls = json_object_get(json_object_get(json_object_get(j, "linux"), "seccomp"),
				   "syscalls");
	assert_int_equal(json_array_size(syscalls), 16);
	assert_true(rules_have(syscalls, "mbind"));
	assert_true(rules_have(syscalls, "set_mempolicy"));
	assert_true(
		json_is_true(json_object_get(json_object_get(j, "process"), "noNewPrivileges")));
	json_decref(j);

	/* +SYS_ADMIN: mount/unshare rule in, clone-mask and clone3-ENOSYS rules out */
	j = emit_oci(p, caps_docker_default() | CF_CAP_BIT(CAP_SYS_ADMIN), false);
	syscalls = json_object_get(json_object_get(json_object_get(j, "linux"), "seccomp"),
				   "syscalls");
	assert_int_equal(json_array_size(syscalls), 14);
	assert_true(rules_have(syscalls, "mount"));
	assert_true(rules_have(syscalls, "unshare"));
	json_array_foreach(syscalls, i, rule)
		assert_true(json_object_get(rule, "errnoRet") == NULL); /* clone3 ENOSYS gone */
	json_decref(j);
	cf_profile_free(p);
}

static void test_docker_round_trip(void **state)
{
	struct cf_profile *p = NULL, *q = NULL;
	struct cf_emit_opts eo = { .format = CF_EMIT_DOCKER };
	struct cf_diag d;
	char *a = NULL, *b = NULL;

	(void)state;
	assert_int_equal(cf_profile_builtin(&p), 0);
	assert_int_equal(cf_emit(p, NULL, &eo, &a), 0);
	assert_int_equal(cf_profile_parse_buffer("rt.json", a, strlen(a), &q, &d), 0);
	assert_int_equal(cf_emit(q, NULL, &eo, &b), 0);
	assert_string_equal(a, b);
	assert_int_equal(q->n_rules, p->n_rules);
	assert_int_equal(q->n_arch_map, p->n_arch_map);
	free(a);
	free(b);
	cf_profile_free(p);
	cf_profile_free(q);
}

static void test_unconfined(void **state)
{
	struct cf_emit_opts eo = { .format = CF_EMIT_OCI,
				   .seccomp_disabled = true,
				   .caps = caps_docker_default() };
	char *text = NULL;

	(void)state;
	assert_int_equal(cf_emit(NULL, NULL, &eo, &text), 0);
	assert_null(strstr(text, "seccomp"));
	assert_non_null(strstr(text, "CAP_CHOWN"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_oci),
		cmocka_unit_test(test_docker_round_trip),
		cmocka_unit_test(test_unconfined),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
