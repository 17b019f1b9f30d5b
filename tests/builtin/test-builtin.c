/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The builtin profile's structure, independent of ../shared/reference: the facts of moby's
 * seccomp/default.json (v0.2.3) that Docker's behaviour hangs on. Each check that something is
 * there has a twin that something else is not.
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
#include "profile/builtin-data.h"
#include "profile/profile.h"

static bool has_name(const struct cf_rule *r, const char *name)
{
	for (size_t i = 0; i < r->n_names; i++)
		if (strcmp(r->names[i], name) == 0)
			return true;
	return false;
}

static bool strv_is(char **v, size_t n, const char *a, const char *b)
{
	size_t want = b ? 2 : (a ? 1 : 0);

	if (n != want)
		return false;
	return (!a || strcmp(v[0], a) == 0) && (!b || strcmp(v[1], b) == 0);
}

static bool gate_empty(const struct cf_gate *g)
{
	return g->n_caps == 0 && g->n_arches == 0 && !g->min_kernel.set;
}

static int setup(void **state)
{
	struct cf_profile *p = NULL;

	if (cf_profile_builtin(&p) < 0)
		return -1;
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	cf_profile_free(*state);
	return 0;
}

static void test_top_level(void **state)
{
	const struct cf_profile *p = *state;

	assert_string_equal(p->source, "builtin");
	assert_int_equal(p->format, CF_FORMAT_DOCKER);
	assert_true(p->has_default_action);
	assert_int_equal(p->default_action, CF_ACT_ERRNO);
	assert_true(p->has_default_errno);
	assert_int_equal(p->default_errno, 1); /* EPERM */
	assert_int_equal(p->n_architectures, 0);
	assert_null(p->architectures);
	assert_int_equal(p->flags, 0);
	assert_false(p->has_flags); /* so runc adds SPEC_ALLOW, as for Docker */
	assert_null(p->listener_path);
	assert_null(p->listener_metadata);
	assert_int_equal(p->n_rules, 33);
	assert_int_equal(p->default_action_pos.line, 0);
	assert_string_equal(cf_profile_builtin_upstream(), "moby/profiles seccomp/v0.2.3");
}

static void test_arch_map(void **state)
{
	static const struct {
		enum cf_arch arch;
		enum cf_arch sub[2];
		size_t n_sub;
	} want[] = {
		{ CF_ARCH_X86_64, { CF_ARCH_X86, CF_ARCH_X32 }, 2 },
		{ CF_ARCH_AARCH64, { CF_ARCH_ARM }, 1 },
		{ CF_ARCH_MIPS64, { CF_ARCH_MIPS, CF_ARCH_MIPS64N32 }, 2 },
		{ CF_ARCH_MIPS64N32, { CF_ARCH_MIPS, CF_ARCH_MIPS64 }, 2 },
		{ CF_ARCH_MIPSEL64, { CF_ARCH_MIPSEL, CF_ARCH_MIPSEL64N32 }, 2 },
		{ CF_ARCH_MIPSEL64N32, { CF_ARCH_MIPSEL, CF_ARCH_MIPSEL64 }, 2 },
		{ CF_ARCH_S390X, { CF_ARCH_S390 }, 1 },
		{ CF_ARCH_RISCV64, { 0 }, 0 },
		{ CF_ARCH_LOONGARCH64, { 0 }, 0 },
	};
	const struct cf_profile *p = *state;

	assert_int_equal(p->n_arch_map, ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		assert_int_equal(p->arch_map[i].arch, want[i].arch);
		assert_int_equal(p->arch_map[i].n_sub, want[i].n_sub);
		for (size_t j = 0; j < want[i].n_sub; j++)
			assert_int_equal(p->arch_map[i].sub[j], want[i].sub[j]);
	}
	/* no entry for x86, arm or ppc64le: architectures stay empty there (moby) */
	for (size_t i = 0; i < p->n_arch_map; i++) {
		assert_int_not_equal(p->arch_map[i].arch, CF_ARCH_X86);
		assert_int_not_equal(p->arch_map[i].arch, CF_ARCH_ARM);
		assert_int_not_equal(p->arch_map[i].arch, CF_ARCH_PPC64LE);
	}
}

static void test_first_rule(void **state)
{
	const struct cf_profile *p = *state;
	const struct cf_rule *r = &p->rules[0];

	assert_int_equal(r->n_names, 361);
	assert_int_equal(r->action, CF_ACT_ALLOW);
	assert_false(r->has_errno);
	assert_int_equal(r->n_args, 0);
	assert_true(gate_empty(&r->includes));
	assert_true(gate_empty(&r->excludes));
	assert_null(r->comment);
	assert_false(r->legacy_name);
	assert_string_equal(r->names[0], "accept");
	assert_string_equal(r->names[360], "writev");
	assert_true(has_name(r, "read"));
	assert_true(has_name(r, "socketcall")); /* i386 keeps every family via socketcall */
	assert_true(has_name(r, "io_uring_setup") == false);
	/* gated or argument-filtered elsewhere, never in the unconditional list */
	assert_false(has_name(r, "clone"));
	assert_false(has_name(r, "clone3"));
	assert_false(has_name(r, "ptrace"));
	assert_false(has_name(r, "socket"));
	assert_false(has_name(r, "personality"));
	assert_false(has_name(r, "mount"));
	assert_false(has_name(r, "bpf"));
	/* never allowed by any rule */
	for (size_t i = 0; i < p->n_rules; i++) {
		assert_false(has_name(&p->rules[i], "kexec_load"));
		assert_false(has_name(&p->rules[i], "add_key"));
		assert_false(has_name(&p->rules[i], "userfaultfd"));
	}
}

static void test_counts(void **state)
{
	const struct cf_profile *p = *state;
	size_t total = 0, distinct = 0, allow = 0;

	for (size_t i = 0; i < p->n_rules; i++) {
		const struct cf_rule *r = &p->rules[i];

		total += r->n_names;
		allow += r->action == CF_ACT_ALLOW;
		for (size_t j = 0; j < r->n_names; j++) {
			bool seen = false;

			assert_true(syscall_name_known(r->names[j]));
			assert_int_equal(r->name_pos[j].line, 0);
			for (size_t k = 0; k <= i && !seen; k++)
				for (size_t l = 0; l < (k == i ? j : p->rules[k].n_names) && !seen;
				     l++)
					seen = strcmp(p->rules[k].names[l], r->names[j]) == 0;
			distinct += !seen;
		}
	}
	assert_int_equal(total, 442);
	assert_int_equal(distinct, 426);
	assert_int_equal(allow, 32); /* everything but clone3's ENOSYS */
}

static void test_clone3(void **state)
{
	const struct cf_profile *p = *state;
	const struct cf_rule *r = &p->rules[20];

	assert_true(strv_is(r->names, r->n_names, "clone3", NULL));
	assert_int_equal(r->action, CF_ACT_ERRNO);
	assert_true(r->has_errno);
	assert_int_equal(r->errno_ret, 38); /* ENOSYS: glibc falls back to clone */
	assert_int_equal(r->n_args, 0);
	assert_true(strv_is(r->excludes.caps, r->excludes.n_caps, "CAP_SYS_ADMIN", NULL));
	assert_int_equal(r->excludes.n_arches, 0);
	assert_true(gate_empty(&r->includes));
	/* twin: with CAP_SYS_ADMIN clone3 is allowed by the includes rule, without an errno */
	r = &p->rules[17];
	assert_int_equal(r->n_names, 26);
	assert_true(has_name(r, "clone3"));
	assert_int_equal(r->action, CF_ACT_ALLOW);
	assert_false(r->has_errno);
	assert_true(strv_is(r->includes.caps, r->includes.n_caps, "CAP_SYS_ADMIN", NULL));
	assert_int_equal(r->excludes.n_caps, 0);
	/* the only non-ALLOW rule */
	for (size_t i = 0; i < p->n_rules; i++)
		if (i != 20)
			assert_int_equal(p->rules[i].action, CF_ACT_ALLOW);
}

static void test_min_kernel(void **state)
{
	const struct cf_profile *p = *state;
	const struct cf_rule *r = &p->rules[1];

	assert_true(has_name(r, "ptrace"));
	assert_true(has_name(r, "process_vm_readv"));
	assert_true(r->includes.min_kernel.set);
	assert_int_equal(r->includes.min_kernel.major, 4);
	assert_int_equal(r->includes.min_kernel.minor, 8);
	assert_false(r->excludes.min_kernel.set);
	for (size_t i = 0; i < p->n_rules; i++) {
		if (i != 1)
			assert_false(p->rules[i].includes.min_kernel.set);
		assert_false(p->rules[i].excludes.min_kernel.set);
	}
}

static void test_socket_and_personality(void **state)
{
	static const struct {
		enum cf_op op;
		uint64_t value;
	} sock[] = { { CF_OP_LT, 38 }, { CF_OP_EQ, 39 }, { CF_OP_GT, 40 } };
	static const uint64_t pers[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffffu };
	const struct cf_profile *p = *state;

	for (size_t i = 0; i < ARRAY_SIZE(sock); i++) {
		const struct cf_rule *r = &p->rules[2 + i];

		assert_true(strv_is(r->names, r->n_names, "socket", NULL));
		assert_int_equal(r->n_args, 1);
		assert_int_equal(r->args[0].index, 0);
		assert_int_equal(r->args[0].op, sock[i].op);
		assert_int_equal(r->args[0].value, sock[i].value);
		assert_false(r->args[0].has_value_two);
		/* AF_ALG (38) and AF_VSOCK (40) are not allowed by any socket rule */
		assert_false(r->args[0].op == CF_OP_EQ &&
			     (r->args[0].value == 38 || r->args[0].value == 40));
	}
	for (size_t i = 0; i < ARRAY_SIZE(pers); i++) {
		const struct cf_rule *r = &p->rules[5 + i];

		assert_true(strv_is(r->names, r->n_names, "personality", NULL));
		assert_int_equal(r->n_args, 1);
		assert_int_equal(r->args[0].op, CF_OP_EQ);
		assert_int_equal(r->args[0].value, pers[i]);
	}
	assert_false(has_name(&p->rules[10], "personality"));
}

static void test_clone_masked(void **state)
{
	const struct cf_profile *p = *state;
	const struct cf_rule *r = &p->rules[18];

	assert_true(strv_is(r->names, r->n_names, "clone", NULL));
	assert_int_equal(r->n_args, 1);
	assert_int_equal(r->args[0].index, 0);
	assert_int_equal(r->args[0].op, CF_OP_MASKED_EQ);
	assert_int_equal(r->args[0].value, 0x7E020000u); /* the CLONE_NEW* mask */
	assert_int_equal(r->args[0].value_two, 0);
	assert_true(strv_is(r->excludes.caps, r->excludes.n_caps, "CAP_SYS_ADMIN", NULL));
	assert_true(strv_is(r->excludes.arches, r->excludes.n_arches, "s390", "s390x"));
	assert_null(r->comment);
	/* twin: s390 passes flags in the second argument */
	r = &p->rules[19];
	assert_int_equal(r->args[0].index, 1);
	assert_true(strv_is(r->includes.arches, r->includes.n_arches, "s390", "s390x"));
	assert_int_equal(r->excludes.n_arches, 0);
	assert_string_equal(r->comment, "s390 parameter ordering for clone is different");
}

static void test_arch_gates(void **state)
{
	const struct cf_profile *p = *state;

	assert_true(strv_is(p->rules[10].includes.arches, p->rules[10].includes.n_arches, "ppc64le",
			    NULL));
	assert_true(strv_is(p->rules[11].includes.arches, p->rules[11].includes.n_arches, "arm",
			    "arm64"));
	assert_true(has_name(&p->rules[11], "set_tls"));
	assert_true(strv_is(p->rules[12].names, p->rules[12].n_names, "arch_prctl", NULL));
	assert_true(strv_is(p->rules[12].includes.arches, p->rules[12].includes.n_arches, "amd64",
			    "x32"));
	assert_int_equal(p->rules[13].includes.n_arches, 3);
	assert_string_equal(p->rules[13].includes.arches[2], "x86");
	assert_true(strv_is(p->rules[15].includes.arches, p->rules[15].includes.n_arches, "riscv64",
			    NULL));
	/* arch names are moby's native names, never SCMP_ARCH_* */
	for (size_t i = 0; i < p->n_rules; i++)
		for (size_t j = 0; j < p->rules[i].includes.n_arches; j++) {
			const char *a = p->rules[i].includes.arches[j];

			assert_int_not_equal(arch_from_native_name(a), CF_ARCH_INVALID);
			assert_int_equal(arch_from_scmp_name(a), CF_ARCH_INVALID);
		}
}

static void test_caps_gates(void **state)
{
	static const struct {
		size_t rule;
		const char *cap;
		const char *name;
	} want[] = {
		{ 16, "CAP_DAC_READ_SEARCH", "open_by_handle_at" },
		{ 21, "CAP_SYS_BOOT", "reboot" },
		{ 22, "CAP_SYS_CHROOT", "chroot" },
		{ 23, "CAP_SYS_MODULE", "finit_module" },
		{ 24, "CAP_SYS_PACCT", "acct" },
		{ 25, "CAP_SYS_PTRACE", "pidfd_getfd" },
		{ 26, "CAP_SYS_RAWIO", "iopl" },
		{ 27, "CAP_SYS_TIME", "clock_settime64" },
		{ 28, "CAP_SYS_TTY_CONFIG", "vhangup" },
		{ 29, "CAP_SYS_NICE", "set_mempolicy_home_node" },
		{ 30, "CAP_SYSLOG", "syslog" },
		{ 31, "CAP_BPF", "bpf" },
		{ 32, "CAP_PERFMON", "perf_event_open" },
	};
	const struct cf_profile *p = *state;

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		const struct cf_rule *r = &p->rules[want[i].rule];

		assert_true(strv_is(r->includes.caps, r->includes.n_caps, want[i].cap, NULL));
		assert_true(has_name(r, want[i].name));
		assert_int_equal(r->action, CF_ACT_ALLOW);
		assert_int_equal(r->excludes.n_caps, 0);
		/* caps are spelled with CAP_ and upper case: moby compares exactly */
		assert_int_equal(strncmp(r->includes.caps[0], "CAP_", 4), 0);
	}
	assert_false(has_name(&p->rules[22], "reboot"));
}

/* Each call builds an independent copy; freeing or changing one leaves the other intact. */
static void test_independent_copies(void **state)
{
	const struct cf_profile *p = *state;
	cleanup(cf_profile_freep) struct cf_profile *q = NULL;

	assert_int_equal(cf_profile_builtin(&q), 0);
	assert_ptr_not_equal(q, p);
	assert_ptr_not_equal(q->rules, p->rules);
	assert_ptr_not_equal(q->rules[0].names[0], p->rules[0].names[0]);
	q->rules[0].names[0][0] = 'X';
	assert_string_equal(p->rules[0].names[0], "accept");
	q->arch_map[0].sub[0] = CF_ARCH_ARM;
	assert_int_equal(p->arch_map[0].sub[0], CF_ARCH_X86);
	assert_null(cf_profile_free(TAKE_PTR(q)));
}

static void test_bad_args(void **state)
{
	(void)state;
	assert_int_equal(cf_profile_builtin(NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_top_level),
		cmocka_unit_test(test_arch_map),
		cmocka_unit_test(test_first_rule),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_clone3),
		cmocka_unit_test(test_min_kernel),
		cmocka_unit_test(test_socket_and_personality),
		cmocka_unit_test(test_clone_masked),
		cmocka_unit_test(test_arch_gates),
		cmocka_unit_test(test_caps_gates),
		cmocka_unit_test(test_independent_copies),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
