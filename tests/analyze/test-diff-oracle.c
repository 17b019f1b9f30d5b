/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * callfence diff judged by libseccomp: random pairs of profiles (JSON text through the parser
 * and resolver, as the command reads them) are compiled by libseccomp 2.5.4 the way runc builds
 * them (tests/oracle/lsc-build.c) and run in the simulator (src/bpf/sim.c) over every number of
 * every ABI either accepts and a grid of argument values chosen by the test itself
 * (rp_corner_values of tests/bpf). Then:
 *   - every point where the two libseccomp filters decide differently is reported by cf_diff
 *     (same ABI and number, same pair of verdicts): nothing is missed;
 *   - every change cf_diff reports is real: the libseccomp filters decide that pair at the
 *     change's own argument example;
 *   - subset agrees with the judge.
 * runc puts an ENOSYS stub before libseccomp's program (patchbpf); the judge adds it for the one
 * case its profiles use it in (x86_64 only, default ERRNO(EPERM)): numbers above the largest
 * number the rules name get ENOSYS. Other defaults (ALLOW, LOG, ERRNO(ENOSYS)) get no stub.
 */
#include <linux/audit.h>

#include "analyze/diff.h"
#include "bpf/filter.h"
#include "bpf/sim.h"
#include "lib/cf-test.h"
#include "lsc-build.h"
#include "random-profile.h"

static const char *const pool[] = { "read",  "write",  "mkdir",	    "mkdirat", "personality",
				    "clone", "kill",   "openat",    "getpid",  "mount",
				    "umask", "ptrace", "fchmodat2", "statx",   "dup3" };
static const char *const actions[] = { "\"SCMP_ACT_ALLOW\"",
				       "\"SCMP_ACT_ERRNO\"",
				       "\"SCMP_ACT_ERRNO\", \"errnoRet\": 13",
				       "\"SCMP_ACT_ERRNO\", \"errnoRet\": 38",
				       "\"SCMP_ACT_KILL_PROCESS\"",
				       "\"SCMP_ACT_TRAP\"",
				       "\"SCMP_ACT_LOG\"" };
static const char *const ops[] = { "SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT",	      "SCMP_CMP_LE",
				   "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ" };

struct side {
	char text[8192];
	struct cf_profile *p;
	struct cf_resolved *r;
	struct sock_filter *lsc;
	size_t n_lsc;
	bool stub; /* runc's ENOSYS stub applies (x86_64 only) */
	int max_named;
};

/* A profile: each name in at most one rule (libseccomp's merge of several rules for one name
 * is the oracle test's business, tests/oracle). */
static void generate(struct rp_rand *g, char *buf, size_t size, bool eperm_default)
{
	static const char *const defaults[] = {
		"\"SCMP_ACT_ALLOW\"",
		"\"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38",
		"\"SCMP_ACT_LOG\"",
	};
	bool used[ARRAY_SIZE(pool)] = { false };
	size_t n = 0, rules = 1 + rp_next(g, 5);

	n += (size_t)snprintf(buf + n, size - n, "{\"defaultAction\": %s, \"architectures\": [%s],",
			      eperm_default ? "\"SCMP_ACT_ERRNO\"" :
					      defaults[rp_next(g, ARRAY_SIZE(defaults))],
			      eperm_default	 ? "\"SCMP_ARCH_X86_64\"" :
			      rp_next(g, 2) == 0 ? "\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", "
						   "\"SCMP_ARCH_X32\"" :
						   "\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X32\"");
	n += (size_t)snprintf(buf + n, size - n, " \"syscalls\": [");
	for (size_t i = 0; i < rules; i++) {
		size_t names = 1 + rp_next(g, 3), k = 0, n_args = rp_next(g, 3);

		n += (size_t)snprintf(buf + n, size - n, "%s{\"names\": [", i ? ", " : "");
		for (size_t j = 0; j < names; j++) {
			size_t w = rp_next(g, ARRAY_SIZE(pool));

			if (used[w])
				continue;
			used[w] = true;
			n += (size_t)snprintf(buf + n, size - n, "%s\"%s\"", k++ ? ", " : "",
					      pool[w]);
		}
		if (!k) /* every name drawn was taken: one more getpid-like filler */
			n += (size_t)snprintf(buf + n, size - n, "\"gettid\"");
		n += (size_t)snprintf(buf + n, size - n, "], \"action\": %s, \"args\": [",
				      actions[rp_next(g, ARRAY_SIZE(actions))]);
		for (size_t a = 0; a < n_args; a++) {
			const char *op = ops[rp_next(g, ARRAY_SIZE(ops))];
			uint64_t v =
				rp_next(g, 4) == 0 ? (uint64_t)1 << rp_next(g, 40) : rp_next(g, 10);

			n += (size_t)snprintf(
				buf + n, size - n,
				"%s{\"index\": %u, \"value\": %llu, \"valueTwo\": %llu, \"op\": \"%s\"}",
				a ? ", " : "", (unsigned)rp_next(g, 2), (unsigned long long)v,
				strcmp(op, "SCMP_CMP_MASKED_EQ") == 0 ?
					(unsigned long long)(v & rp_next(g, 16)) :
					0ull,
				op);
		}
		n += (size_t)snprintf(buf + n, size - n, "]}");
	}
	snprintf(buf + n, size - n, "]}");
}

static int side_load(struct side *s)
{
	struct cf_resolve_opts o = { .native = CF_ARCH_X86_64,
				     .kernel = { .set = true, .major = 6, .minor = 1 },
				     .bounding = caps_docker_default() };
	struct cf_diag d;
	int r = cf_profile_parse_buffer("gen.json", s->text, strlen(s->text), &s->p, &d);

	if (r < 0)
		fail_msg("generated profile refused: %s (%s)", d.message, s->text);
	r = cf_profile_resolve(s->p, &o, &s->r, &d);
	if (r < 0)
		fail_msg("generated profile not resolved: %s", d.message);
	if (lsc_build(s->r, 2, &s->lsc, &s->n_lsc) < 0)
		return -1; /* libseccomp (and runc) refuse it: not a pair to compare */
	s->stub = s->r->default_action == CF_ACT_ERRNO && s->r->default_errno != ENOSYS;
	s->max_named = -1;
	for (size_t i = 0; i < s->r->n_rules; i++)
		for (size_t j = 0; j < s->r->rules[i].rule->n_names; j++)
			s->max_named =
				CF_MAX(s->max_named,
				       lsc_resolve(CF_ARCH_X86_64, s->r->rules[i].rule->names[j]));
	return 0;
}

static void side_free(struct side *s)
{
	free(s->lsc);
	s->r = cf_resolved_free(s->r);
	s->p = cf_profile_free(s->p);
	s->lsc = NULL;
}

static uint32_t judge(const struct side *s, const struct seccomp_data *d)
{
	uint32_t ret;

	/* runc's stub (patchbpf enosys_linux.go), x86_64 only in these profiles */
	if (s->stub && d->arch == AUDIT_ARCH_X86_64 && (uint32_t)d->nr < 0x40000000 &&
	    d->nr > s->max_named)
		return SECCOMP_RET_ERRNO | ENOSYS;
	assert_int_equal(cf_bpf_sim(s->lsc, s->n_lsc, d, &ret, NULL), 0);
	return ret;
}

static bool allows(uint32_t ret)
{
	uint32_t a = ret & SECCOMP_RET_ACTION_FULL;

	return a == SECCOMP_RET_ALLOW || a == SECCOMP_RET_LOG;
}

static bool cond_name(const struct cf_resolved *r, const char *name)
{
	for (size_t i = 0; name && i < r->n_rules; i++) {
		const struct cf_rule *rule = r->rules[i].rule;

		for (size_t j = 0; r->rules[i].active && rule->n_args && j < rule->n_names; j++)
			if (strcmp(rule->names[j], name) == 0)
				return true;
	}
	return false;
}

struct tally {
	size_t pairs, refused, points, differ, changes;
};

static const struct cf_diff_change *find_change(const struct cf_diff_result *res, enum cf_arch arch,
						int nr, uint32_t a, uint32_t b)
{
	for (size_t i = 0; i < res->n; i++) {
		const struct cf_diff_change *c = &res->items[i];

		if (c->arch == arch && c->a == a && c->b == b && nr >= c->nr && nr <= c->nr_last)
			return c;
	}
	return NULL;
}

static void check_pair(struct side *A, struct side *B, struct tally *t)
{
	static const enum cf_arch abis[] = { CF_ARCH_X86_64, CF_ARCH_X86, CF_ARCH_X32 };
	struct cf_diff_result res = { 0 };
	struct cf_diag d;
	uint64_t corners[256];
	size_t n_corners;
	bool subset = true;

	assert_int_equal(cf_diff(A->r, B->r, &res, &d), 0);
	n_corners = rp_corner_values(A->r, corners, 128);
	n_corners += rp_corner_values(B->r, corners + n_corners, 128);
	for (size_t k = 0; k < ARRAY_SIZE(abis); k++) {
		const struct cf_arch_info *ai = arch_info(abis[k]);

		/* the numbers, one far beyond (the tail diff stands for), and two args grids */
		for (uint32_t i = 0; i <= CF_DIFF_NR_SPAN; i++) {
			struct seccomp_data sd = { .arch = ai->audit_arch };
			int nr = (int)(ai->nr_base + (i < CF_DIFF_NR_SPAN ? i : 5000));
			const char *name = syscall_resolve_num(abis[k], nr);
			/* a call without conditions in either profile: one point says it all */
			size_t grid = cond_name(A->r, name) || cond_name(B->r, name) ?
					      n_corners * n_corners :
					      1;

			sd.nr = nr;
			for (size_t p = 0; p < grid; p++) {
				uint32_t a, b;

				sd.args[0] = corners[p % n_corners];
				sd.args[1] = corners[p / n_corners];
				a = judge(A, &sd);
				b = judge(B, &sd);
				t->points++;
				if (a == b)
					continue;
				t->differ++;
				if (allows(b) && !allows(a))
					subset = false;
				/* beyond the span: the change of the last number covers it */
				if (!find_change(&res, abis[k],
						 i < CF_DIFF_NR_SPAN ?
							 nr :
							 (int)(ai->nr_base + CF_DIFF_NR_SPAN - 1),
						 a, b))
					fail_msg("missed: %s nr %d args %#llx %#llx: A %#x B %#x\n"
						 "A: %s\nB: %s",
						 ai->scmp_name, nr, (unsigned long long)sd.args[0],
						 (unsigned long long)sd.args[1], a, b, A->text,
						 B->text);
			}
		}
	}
	/* every reported change is real */
	for (size_t i = 0; i < res.n; i++) {
		const struct cf_diff_change *c = &res.items[i];
		struct seccomp_data sd = { .arch = arch_info(c->arch)->audit_arch, .nr = c->nr };

		memcpy(sd.args, c->args, sizeof(sd.args));
		if (judge(A, &sd) != c->a || judge(B, &sd) != c->b)
			fail_msg(
				"not real: %s nr %d: diff says A %#x B %#x, libseccomp A %#x B %#x\n"
				"A: %s\nB: %s",
				arch_info(c->arch)->scmp_name, c->nr, c->a, c->b, judge(A, &sd),
				judge(B, &sd), A->text, B->text);
	}
	assert_int_equal(res.subset, subset);
	t->changes += res.n;
	cf_diff_result_clear(&res);
}

static void run_pairs(unsigned n, bool eperm_default, uint64_t seed)
{
	struct tally t = { 0 };
	struct rp_rand g;

	rp_rand_init(&g, NULL, 0, seed);
	for (unsigned i = 0; i < n; i++) {
		struct side A = { 0 }, B = { 0 };

		generate(&g, A.text, sizeof(A.text), eperm_default);
		generate(&g, B.text, sizeof(B.text), eperm_default);
		if (side_load(&A) < 0 || side_load(&B) < 0) {
			t.refused++;
		} else {
			check_pair(&A, &B, &t);
			t.pairs++;
		}
		side_free(&A);
		side_free(&B);
	}
	printf("# %zu pairs (%zu refused by libseccomp), %zu points, %zu differing, %zu "
	       "changes reported, all confirmed\n",
	       t.pairs, t.refused, t.points, t.differ, t.changes);
	assert_true(t.pairs > n / 2);
}

static void test_random_pairs(void **state)
{
	(void)state;
	run_pairs(60, false, 0x5eed);
}

static void test_random_pairs_enosys_stub(void **state)
{
	(void)state;
	run_pairs(40, true, 0xd1ff);
}

/* Same profile twice: no change, subset. */
static void test_identical(void **state)
{
	struct side A = { 0 }, B = { 0 };
	struct rp_rand g;
	struct cf_diff_result res = { 0 };
	struct cf_diag d;

	(void)state;
	rp_rand_init(&g, NULL, 0, 7);
	generate(&g, A.text, sizeof(A.text), false);
	memcpy(B.text, A.text, sizeof(A.text));
	assert_int_equal(side_load(&A) == 0 && side_load(&B) == 0, 1);
	assert_int_equal(cf_diff(A.r, B.r, &res, &d), 0);
	assert_int_equal(res.n, 0);
	assert_true(res.subset);
	side_free(&A);
	side_free(&B);
}

int main(void)
{
	static const struct cf_test_case cases[] = {
		CF_TEST(test_identical),
		CF_TEST(test_random_pairs),
		CF_TEST(test_random_pairs_enosys_stub),
	};

	return CF_TEST_RUN(cases);
}
