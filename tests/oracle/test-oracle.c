/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * callfence's compiler against libseccomp 2.5.4 used the way runc uses it. Both programs run
 * through cf_bpf_sim over every x86_64, i386 and x32 number (plus out-of-range values and a
 * foreign arch), times corner argument values; every decision must match, except the
 * intentional differences (docs in tests/oracle/DIFFERENCES.md):
 *   1. numbers above the newest syscall the profile names get ENOSYS (runc's stub, which is not
 *      part of libseccomp's program);
 *   2. syscalls whose names libseccomp 2.5.4 does not know (runc silently drops those rules).
 * Our program must also agree with the model (cf_model_evaluate) on every point.
 */
#include <linux/audit.h>

#include "bpf/filter.h"
#include "bpf/insn.h"
#include "bpf/sim.h"
#include "caps/caps.h"
#include "lib/cf-test.h"
#include "lsc-build.h"
#include "lsc-quirks.h"
#include "random-profile.h"

struct stats {
	size_t points, enosys, unknown, defect, merge254, prone, be_ret, opt1_defect, mismatches;
	const struct lsc_quirks *quirks;
	char first[1024];
};

static bool cond_name(const struct cf_resolved *r, const char *name)
{
	if (!name)
		return false;
	if (!strcmp(name, "socketcall") || !strcmp(name, "ipc"))
		return true;
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct cf_rule *rule = r->rules[i].rule;

		if (!r->rules[i].active || rule->n_args == 0)
			continue;
		for (size_t n = 0; n < rule->n_names; n++)
			if (!strcmp(rule->names[n], name))
				return true;
	}
	return false;
}

/* __NR_SCMP_ERROR, or a pseudo number for "not on this arch"; -101..-224 are the multiplexed
 * socket/ipc calls, which libseccomp does handle on i386 */
static bool lsc_known(enum cf_arch abi, const char *name)
{
	int r = lsc_resolve(abi, name);

	return r >= 0 || (r <= -100 && r >= -300);
}

/*
 * What the kernel makes of a return value: ERRNO data above MAX_ERRNO is clamped to 4095; 4094
 * stands for "4095 or more" in libseccomp's program (lsc-build.c).
 */
static uint32_t kernel_effect(uint32_t v)
{
	if ((v & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO && (v & SECCOMP_RET_DATA) >= 4094)
		return SECCOMP_RET_ERRNO | 4095;
	return v;
}

struct lsc_progs {
	struct sock_filter *p2, *p1; /* opt=2 (the oracle), opt=1 (checked against opt=2) */
	size_t n2, n1;
};

static void check_point(const struct cf_bpf_prog *ours, const struct lsc_progs *lsc,
			const struct cf_model *m, uint32_t default_ret, enum cf_arch abi,
			const struct seccomp_data *d, struct stats *st)
{
	struct cf_eval_result e;
	uint32_t o, l, l1, expect;
	const char *name = NULL;
	char why[64] = "";

	st->points++;
	assert_int_equal(cf_bpf_sim(ours->insns, ours->len, d, &o, NULL), 0);
	assert_int_equal(cf_bpf_sim(lsc->p2, lsc->n2, d, &l, NULL), 0);
	assert_int_equal(cf_bpf_sim(lsc->p1, lsc->n1, d, &l1, NULL), 0);
	/* libseccomp disagreeing with itself (same rules, other layout) is its defect */
	if (l1 != l)
		st->opt1_defect++;
	assert_int_equal(cf_model_evaluate(m, d, &e), 0);
	expect = e.ret;
	if ((int)abi >= 0)
		name = syscall_resolve_num(abi, d->nr);
	if (e.source == CF_EVAL_NEWER_THAN_PROFILE) {
		expect = default_ret;
		st->enosys++;
	} else if (e.source == CF_EVAL_RULE && name && !lsc_known(abi, name)) {
		expect = default_ret;
		st->unknown++;
	}
	if (o != e.ret)
		snprintf(why, sizeof(why), "ours 0x%x != model 0x%x", o, e.ret);
	else if (kernel_effect(l) != kernel_effect(expect)) {
		uint32_t q;

		if (st->quirks && lsc_quirk_eval(st->quirks, d, &q) &&
		    kernel_effect(q) == kernel_effect(l)) {
			if (lsc_quirk_merge254(st->quirks, d))
				st->merge254++;
			else
				st->defect++;
			return;
		}
		if (st->quirks && lsc_quirk_prone(st->quirks, d)) {
			st->prone++;
			return;
		}
		/* libseccomp on big-endian targets: the RET it copies next to a far jump
		 * (_gen_bpf_build_jmp_ret) is converted to target byte order twice */
		if (!(d->arch & __AUDIT_ARCH_LE) &&
		    kernel_effect(__builtin_bswap32(l)) == kernel_effect(expect)) {
			st->be_ret++;
			return;
		}
		snprintf(why, sizeof(why), "libseccomp 0x%x != expected 0x%x", l, expect);
	} else
		return;
	if (st->mismatches++ == 0)
		snprintf(st->first, sizeof(st->first),
			 "arch 0x%x nr 0x%x (%s) args %llx %llx %llx: %s (model rule %d src %d)",
			 d->arch, d->nr, name ? name : "?", (unsigned long long)d->args[0],
			 (unsigned long long)d->args[1], (unsigned long long)d->args[2], why,
			 e.rule_index, (int)e.source);
}

static void sweep(const struct cf_resolved *r, const struct cf_bpf_prog *ours,
		  const struct lsc_progs *lsc, struct stats *st)
{
	static const uint32_t specials[] = {
		1000,	    0xffff,	0x3fffffff, 0x7fffffff,
		0x80000000, 0xfffffffe, 0xffffffff, 0x40000000 + 1000
	};
	cleanup(cf_model_freep) struct cf_model *m = NULL;
	uint64_t corners[512];
	size_t n_corners = rp_corner_values(r, corners, 512);
	uint32_t default_ret = cf_action_ret(r->default_action, r->default_errno);
	unsigned used = 0;
	struct cf_diag diag;
	struct rp_rand g;

	assert_int_equal(cf_model_new(r, &m, &diag), 0);
	rp_rand_init(&g, NULL, 0, 42);
	for (size_t i = 0; i < r->n_rules; i++)
		for (size_t k = 0; r->rules[i].active && k < r->rules[i].rule->n_args; k++)
			used |= 1u << r->rules[i].rule->args[k].index;
	used |= 1u; /* the multiplexers' call number */

	for (size_t ai = 0; ai < r->n_arches; ai++) {
		enum cf_arch abi = r->arches[ai];
		const struct cf_arch_info *info = arch_info(abi);
		uint32_t top = (uint32_t)syscall_max_nr(abi) + 70;

		for (uint32_t nr = info->nr_base; nr <= top + ARRAY_SIZE(specials); nr++) {
			struct seccomp_data d = { .arch = info->audit_arch };
			const char *name;

			d.nr = (int)(nr <= top ? nr : specials[nr - top - 1]);
			check_point(ours, lsc, m, default_ret, abi, &d, st);
			name = syscall_resolve_num(abi, d.nr);
			if (!cond_name(r, name))
				continue;
			for (unsigned idx = 0; idx < 6; idx++) {
				if (!(used & (1u << idx)))
					continue;
				for (size_t c = 0; c < n_corners; c++) {
					memset(d.args, 0, sizeof(d.args));
					d.args[idx] = corners[c];
					check_point(ours, lsc, m, default_ret, abi, &d, st);
				}
			}
			for (int k = 0; k < 64; k++) {
				for (unsigned idx = 0; idx < 6; idx++)
					d.args[idx] = (used & (1u << idx)) ?
							      corners[rp_next(&g, n_corners)] :
							      0;
				check_point(ours, lsc, m, default_ret, abi, &d, st);
			}
		}
	}
	/* a foreign arch: both kill */
	{
		struct seccomp_data d = { .arch = AUDIT_ARCH_ALPHA, .nr = 63 };

		check_point(ours, lsc, m, default_ret, CF_ARCH_INVALID, &d, st);
	}
}

/*
 * test_large compares the merge: a profile whose code only callfence cannot fit in 4096
 * instructions (its trees for hundreds of merged rules are longer than libseccomp's) is
 * counted there, not failed.
 */
static size_t only_ours_too_long;
static bool count_only_ours_too_long;

/* Returns the number of mismatches; `refused` reports both compilers refusing the profile. */
static size_t compare(const struct cf_resolved *r, const char *label, bool *refused)
{
	cleanup(cf_bpf_prog_freep) struct cf_bpf_prog *ours = NULL;
	struct lsc_progs lsc = { 0 };
	struct stats st = { 0 };
	struct lsc_quirks *quirks = NULL;
	struct cf_diag diag;
	int q_ours, q_lsc;

	q_ours = cf_filter_compile(r, &ours, &diag);
	if (q_ours == -ELOOP) {
		/* libseccomp would not return: do not call it */
		print_message("# %s: refused, libseccomp would loop forever: %s\n", label,
			      diag.message);
		*refused = true;
		return 0;
	}
	q_lsc = lsc_build(r, 2, &lsc.p2, &lsc.n2);
	if (q_lsc == 0) {
		q_lsc = lsc_build(r, 1, &lsc.p1, &lsc.n1);
		if (q_lsc < 0)
			free(lsc.p2);
	}
	*refused = false;
	if (q_ours < 0 || q_lsc < 0) {
		const char *quote = q_ours < 0 ? strchr(diag.message, '"') : NULL;

		if (q_ours < 0 && q_lsc < 0) {
			*refused = true;
			return 0;
		}
		/* too long for the kernel either way: runc's seccomp(2) would fail */
		if (q_ours == -E2BIG && q_lsc == 0 &&
		    (lsc.n2 > CF_BPF_MAXINSNS || count_only_ours_too_long)) {
			free(lsc.p1);
			free(lsc.p2);
			*refused = lsc.n2 > CF_BPF_MAXINSNS;
			only_ours_too_long += !*refused;
			return 0;
		}
		/* a conflict on a syscall libseccomp 2.5.4 does not know: runc drops those rules */
		if (quote && q_lsc == 0) {
			char name[64];

			if (sscanf(quote + 1, "%63[^\"]", name) == 1 &&
			    !lsc_known(CF_ARCH_X86_64, name)) {
				print_message("# %s: refused by us only, over \"%s\" (unknown to "
					      "libseccomp 2.5.4): intentional\n",
					      label, name);
				free(lsc.p1);
				free(lsc.p2);
				return 0;
			}
		}
		print_message("# %s: ours %d (%s) libseccomp %d\n", label, q_ours,
			      q_ours < 0 ? diag.message : "", q_lsc);
		return 1;
	}
	assert_int_equal(lsc_quirks_new(r, &quirks), 0);
	st.quirks = quirks;
	sweep(r, ours, &lsc, &st);
	lsc_quirks_free(quirks);
	print_message("# %s: %zu points, ours %zu insns, libseccomp %zu (opt=2) / %zu (opt=1) "
		      "insns; intentional: %zu ENOSYS, %zu unknown to libseccomp, %zu libseccomp "
		      "accumulator defect (+%zu on defect-prone trees), %zu 2.5.4 64-bit merge "
		      "defect, %zu big-endian RET copies; %zu points where libseccomp opt=1 != "
		      "opt=2; mismatches %zu\n",
		      label, st.points, ours->len, lsc.n2, lsc.n1, st.enosys, st.unknown, st.defect,
		      st.prone, st.merge254, st.be_ret, st.opt1_defect, st.mismatches);
	free(lsc.p1);
	free(lsc.p2);
	if (st.mismatches)
		print_message("#   first: %s\n", st.first);
	return st.mismatches;
}

static struct cf_resolved *resolve(const struct cf_profile *p, cf_capset caps)
{
	struct cf_resolve_opts o = {
		.native = CF_ARCH_X86_64,
		.bounding = caps,
		.kernel = { .set = true, .major = 6, .minor = 18 },
	};
	struct cf_resolved *r = NULL;
	struct cf_diag d;

	if (cf_profile_resolve(p, &o, &r, &d) < 0)
		fail_msg("resolve: %s %s", d.path, d.message);
	return r;
}

static cf_capset all_caps(void)
{
	return (CF_CAP_BIT(41) - 1);
}

static void test_builtin(void **state)
{
	cleanup(cf_profile_freep) struct cf_profile *p = NULL;
	const cf_capset sets[] = {
		caps_docker_default(),
		0,
		all_caps(),
		caps_docker_default() | CF_CAP_BIT(21) /* SYS_ADMIN */,
		caps_docker_default() | CF_CAP_BIT(19) /* SYS_PTRACE */ | CF_CAP_BIT(23),
	};
	size_t bad = 0;

	(void)state;
	assert_int_equal(cf_profile_builtin(&p), 0);
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
		cleanup(cf_resolved_freep) struct cf_resolved *r = resolve(p, sets[i]);
		char label[64];
		bool refused;

		snprintf(label, sizeof(label), "builtin caps 0x%llx", (unsigned long long)sets[i]);
		bad += compare(r, label, &refused);
		assert_false(refused);
	}
	assert_int_equal(bad, 0);
}

static void test_reference(void **state)
{
	static const char *const files[] = {
		"moby-default.json",
		"moby-default-intree-2025-05.json",
		"containers-common-seccomp.json",
		"containers-common-seccomp-legacy-repo.json",
		"moby-fixture-example.json",
		"moby-fixture-conditional_include.json",
		"moby-fixture-default-old-format.json",
	};
	const cf_capset sets[] = { caps_docker_default(), 0, all_caps() };
	size_t bad = 0, tested = 0;

	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		cleanup(cf_profile_freep) struct cf_profile *p = NULL;
		char path[4096];
		struct cf_diag d;

		if (!cf_test_reference(files[f], path, sizeof(path)))
			continue;
		if (cf_profile_parse_file(path, &p, &d) < 0)
			fail_msg("%s: %s %s", files[f], d.path, d.message);
		for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
			cleanup(cf_resolved_freep) struct cf_resolved *r = resolve(p, sets[i]);
			char label[160];
			bool refused;

			if (r->unconfined)
				continue;
			snprintf(label, sizeof(label), "%s caps 0x%llx", files[f],
				 (unsigned long long)sets[i]);
			bad += compare(r, label, &refused);
			assert_false(refused);
			tested++;
		}
	}
	if (tested == 0)
		skip();
	assert_int_equal(bad, 0);
}

static void dump(const struct cf_resolved *r)
{
	cleanup(cf_bpf_prog_freep) struct cf_bpf_prog *ours = NULL;
	cleanup_free struct sock_filter *lsc = NULL;
	cleanup_free char *text = NULL;
	size_t lsc_len = 0;

	fprintf(stderr, "default %s errno %u arches", cf_action_name(r->default_action),
		r->default_errno);
	for (size_t i = 0; i < r->n_arches; i++)
		fprintf(stderr, " %s", arch_info(r->arches[i])->scmp_name);
	fprintf(stderr, "\n");
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct cf_rule *rule = r->rules[i].rule;

		fprintf(stderr, "#%zu %s %s errno %u:", i, r->rules[i].active ? "on " : "off",
			cf_action_name(rule->action), rule->has_errno ? rule->errno_ret : 0);
		for (size_t n = 0; n < rule->n_names; n++)
			fprintf(stderr, " %s", rule->names[n]);
		for (size_t k = 0; k < rule->n_args; k++)
			fprintf(stderr, " [a%u %s %llx %llx]", rule->args[k].index,
				cf_op_name(rule->args[k].op),
				(unsigned long long)rule->args[k].value,
				(unsigned long long)rule->args[k].value_two);
		fprintf(stderr, "\n");
	}
	if (cf_filter_compile(r, &ours, NULL) == 0 && cf_bpf_disasm(ours, r, &text) == 0)
		fprintf(stderr, "%s", text);
	if (lsc_build(r, getenv("LSC_OPT") ? atoi(getenv("LSC_OPT")) : 2, &lsc, &lsc_len) == 0) {
		FILE *f = fopen("/tmp/lsc.bpf", "w");

		if (f) {
			fwrite(lsc, sizeof(*lsc), lsc_len, f);
			fclose(f);
		}
	}
}

static void test_random(void **state)
{
	size_t bad = 0, refused_n = 0, n = 400;
	const char *env = getenv("CALLFENCE_ORACLE_RANDOM");

	(void)state;
	if (env)
		n = strtoul(env, NULL, 10);
	for (size_t seed = 1; seed <= n; seed++) {
		if (getenv("CALLFENCE_ORACLE_SEED") &&
		    strtoul(getenv("CALLFENCE_ORACLE_SEED"), NULL, 10) != seed)
			continue;
		struct rp_profile *p = malloc(sizeof(*p));
		struct rp_rand g;
		char label[64];
		bool refused;
		size_t b;

		assert_non_null(p);
		rp_rand_init(&g, NULL, 0, seed * 7919);
		rp_generate(p, &g);
		snprintf(label, sizeof(label), "random seed %zu", seed);
		b = compare(&p->res, label, &refused);
		refused_n += refused;
		bad += b;
		if (b && getenv("CALLFENCE_ORACLE_SEED"))
			dump(&p->res);
		free(p);
	}
	print_message("# random: %zu profiles, %zu refused by both, %zu with mismatches\n", n,
		      refused_n, bad);
	assert_int_equal(bad, 0);
}

/*
 * Large random profiles (issue 9: the merge is indexed instead of walked): hundreds of rules
 * merged into a few syscalls' trees, with equal, nested, conflicting and distinct conditions.
 * The merge must still be libseccomp's: same refusals, same decisions.
 */
static void test_large(void **state)
{
	static const size_t sizes[] = { 60, 200, 600 };
	static const uint64_t spreads[] = { 3, 50, 1000000 };
	size_t bad = 0, refused_n = 0, n = 8, total = 0;
	const char *env = getenv("CALLFENCE_ORACLE_LARGE");

	(void)state;
	if (env)
		n = strtoul(env, NULL, 10);
	count_only_ours_too_long = true;
	for (size_t seed = 1; seed <= n; seed++)
		for (size_t a = 0; a < ARRAY_SIZE(sizes); a++)
			for (size_t b = 0; b < ARRAY_SIZE(spreads); b++) {
				struct rp_rand g;
				struct rp_large *p;
				char label[96];
				bool refused;

				rp_rand_init(&g, NULL, 0, seed * 104729 + a * 31 + b);
				p = rp_generate_large(&g, sizes[a], spreads[b]);
				assert_non_null(p);
				snprintf(label, sizeof(label),
					 "large seed %zu, %zu rules, spread %llu", seed, sizes[a],
					 (unsigned long long)spreads[b]);
				bad += compare(&p->res, label, &refused);
				refused_n += refused;
				total++;
				rp_large_free(p);
			}
	count_only_ours_too_long = false;
	print_message("# large: %zu profiles, %zu refused by both, %zu over 4096 instructions "
		      "with callfence only, %zu with mismatches\n",
		      total, refused_n, only_ours_too_long, bad);
	assert_int_equal(bad, 0);
}

/* libseccomp 2.5.4 leaks its transaction snapshots when a rule add fails: not ours */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libseccomp.so\n";
}

int main(void)
{
	const struct cf_test_case tests[] = {
		CF_TEST(test_builtin),
		CF_TEST_REFERENCE(test_reference),
		CF_TEST(test_random),
		CF_TEST(test_large),
	};

	return CF_TEST_RUN(tests);
}
