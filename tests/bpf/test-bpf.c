/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of src/bpf: simulator, verifier, assembler, compiler semantics, cache subset. */
#include <linux/audit.h>

#include "bpf/cg.h"
#include "bpf/filter.h"
#include "bpf/insn.h"
#include "bpf/ir.h"
#include "bpf/sim.h"
#include "cache-emu.h"
#include "caps/caps.h"
#include "hand-profile.h"
#include "lib/cf-test.h"
#include "random-profile.h"

#define X64	 AUDIT_ARCH_X86_64
#define I386	 AUDIT_ARCH_I386
#define ALLOW	 SECCOMP_RET_ALLOW
#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))

static int nr_of(enum cf_arch a, const char *name)
{
	int nr = syscall_resolve_name(a, name);

	if (nr < 0)
		fail_msg("no %s on arch %d", name, (int)a);
	return nr;
}

/* Decision of a compiled program, checked against the model on the way. */
static uint32_t run(const struct cf_bpf_prog *p, const struct cf_resolved *r, uint32_t arch,
		    uint32_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct seccomp_data d = { .nr = (int)nr, .arch = arch, .args = { a0, a1, a2 } };
	struct cf_eval_result e;
	uint32_t v;

	assert_int_equal(cf_bpf_sim(p->insns, p->len, &d, &v, NULL), 0);
	assert_int_equal(cf_resolved_evaluate(r, &d, &e), 0);
	if (v != e.ret)
		fail_msg("arch 0x%x nr 0x%x: program 0x%x, model 0x%x", arch, nr, v, e.ret);
	return v;
}

static struct cf_bpf_prog *compile_ok(const struct cf_resolved *r)
{
	struct cf_bpf_prog *p = NULL;
	struct cf_diag d;

	if (cf_filter_compile(r, &p, &d) < 0)
		fail_msg("compile: %s (%s)", d.message, d.hint);
	assert_int_equal(cf_bpf_verify(p->insns, p->len, &d), 0);
	return p;
}

/* ------------------------------------------------------------------------------------------- */
/* simulator */

static void test_sim_opcodes(void **state)
{
	const struct sock_filter prog[] = {
		cf_insn(BPF_LD | BPF_IMM, 0, 0, 7),
		cf_insn(BPF_MISC | BPF_TAX, 0, 0, 0),
		cf_insn(BPF_ALU | BPF_MUL | BPF_X, 0, 0, 0), /* 49 */
		cf_insn(BPF_ALU | BPF_SUB | BPF_K, 0, 0, 9), /* 40 */
		cf_insn(BPF_ST, 0, 0, 3), /* M[3] = 40 */
		cf_insn(BPF_LDX | BPF_MEM, 0, 0, 3), /* X = 40 */
		cf_insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, 16), /* args[0] lo */
		cf_insn(BPF_JMP | BPF_JSET | BPF_X, 0, 1, 0), /* & 40 ? */
		cf_insn(BPF_RET | BPF_A, 0, 0, 0),
		cf_insn(BPF_ALU | BPF_RSH | BPF_K, 0, 0, 1),
		cf_insn(BPF_RET | BPF_A, 0, 0, 0),
	};
	struct seccomp_data d = { .arch = X64, .args = { 8 } };
	uint32_t v;
	unsigned steps;

	(void)state;
	assert_int_equal(cf_bpf_sim(prog, ARRAY_SIZE(prog), &d, &v, &steps), 0);
	assert_int_equal(v, 8); /* 8 & 40 -> RET A */
	assert_int_equal(steps, 9);
	d.args[0] = 6;
	assert_int_equal(cf_bpf_sim(prog, ARRAY_SIZE(prog), &d, &v, &steps), 0);
	assert_int_equal(v, 3);
}

static void test_sim_malformed(void **state)
{
	const struct sock_filter off_end[] = { cf_insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0) };
	const struct sock_filter far[] = { cf_insn(BPF_JMP | BPF_JA, 0, 0, 5),
					   cf_insn(BPF_RET | BPF_K, 0, 0, 0) };
	const struct sock_filter bad_load[] = { cf_insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, 64),
						cf_insn(BPF_RET | BPF_K, 0, 0, 0) };
	const struct sock_filter good[] = { cf_insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, 60),
					    cf_insn(BPF_RET | BPF_A, 0, 0, 0) };
	struct seccomp_data d = { .arch = X64, .args = { [5] = 0x1122334455667788ull } };
	uint32_t v;

	(void)state;
	assert_int_equal(cf_bpf_sim(off_end, 1, &d, &v, NULL), -EINVAL);
	assert_int_equal(cf_bpf_sim(far, 2, &d, &v, NULL), -EINVAL);
	assert_int_equal(cf_bpf_sim(bad_load, 2, &d, &v, NULL), -EINVAL);
	assert_int_equal(cf_bpf_sim(good, 2, &d, &v, NULL), 0);
	assert_int_equal(v, 0x11223344); /* args[5] high word on little-endian */
}

static void test_sim_big_endian(void **state)
{
	const struct sock_filter prog[] = { cf_insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, 16),
					    cf_insn(BPF_RET | BPF_A, 0, 0, 0) };
	struct seccomp_data d = { .arch = AUDIT_ARCH_S390X, .args = { 0xaaaabbbb0000ccccull } };
	uint32_t v;

	(void)state;
	assert_int_equal(cf_bpf_sim(prog, 2, &d, &v, NULL), 0);
	assert_int_equal(v, 0xaaaabbbb); /* big-endian: upper half first */
	d.arch = AUDIT_ARCH_AARCH64;
	assert_int_equal(cf_bpf_sim(prog, 2, &d, &v, NULL), 0);
	assert_int_equal(v, 0x0000cccc);
}

/* ------------------------------------------------------------------------------------------- */
/* verifier: every rejection has an accepted twin */

static void test_verify(void **state)
{
	struct sock_filter ok[] = { cf_insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, 4),
				    cf_insn(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, X64),
				    cf_insn(BPF_RET | BPF_K, 0, 0, ALLOW),
				    cf_insn(BPF_RET | BPF_K, 0, 0, 0) };
	struct sock_filter p[4];
	struct sock_filter *big;
	struct cf_diag d;

	(void)state;
	assert_int_equal(cf_bpf_verify(ok, 4, &d), 0);
	assert_int_equal(cf_bpf_verify(ok, 0, &d), -EINVAL);

	memcpy(p, ok, sizeof(p));
	p[1].jf = 2; /* past the end */
	assert_int_equal(cf_bpf_verify(p, 4, &d), -EINVAL);
	assert_non_null(strstr(d.message, "jump out of range"));

	memcpy(p, ok, sizeof(p));
	p[0].k = 6; /* unaligned */
	assert_int_equal(cf_bpf_verify(p, 4, &d), -EINVAL);
	p[0].k = 64; /* outside seccomp_data */
	assert_int_equal(cf_bpf_verify(p, 4, &d), -EINVAL);
	p[0].k = 60;
	assert_int_equal(cf_bpf_verify(p, 4, &d), 0);

	memcpy(p, ok, sizeof(p));
	p[0] = cf_insn(BPF_LD | BPF_B | BPF_ABS, 0, 0, 4); /* byte loads: not for seccomp */
	assert_int_equal(cf_bpf_verify(p, 4, &d), -EINVAL);
	p[0] = cf_insn(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0);
	assert_int_equal(cf_bpf_verify(p, 4, &d), -EINVAL);
	p[0] = cf_insn(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 2);
	assert_int_equal(cf_bpf_verify(p, 4, &d), 0);
	p[0] = cf_insn(BPF_LD | BPF_MEM, 0, 0, 1); /* read before write */
	assert_int_equal(cf_bpf_verify(p, 4, &d), -EINVAL);
	p[0] = cf_insn(BPF_ST, 0, 0, 1);
	assert_int_equal(cf_bpf_verify(p, 4, &d), 0);

	memcpy(p, ok, sizeof(p));
	p[3] = cf_insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0); /* last is not a return */
	assert_int_equal(cf_bpf_verify(p, 4, &d), -EINVAL);

	big = calloc(4097, sizeof(*big));
	assert_non_null(big);
	for (size_t i = 0; i < 4097; i++)
		big[i] = cf_insn(BPF_RET | BPF_K, 0, 0, ALLOW);
	assert_int_equal(cf_bpf_verify(big, 4097, &d), -E2BIG);
	assert_int_equal(cf_bpf_verify(big, 4096, &d), 0);
	free(big);
}

/* ------------------------------------------------------------------------------------------- */
/* assembler */

static void test_long_jumps(void **state)
{
	struct cg g;
	struct sock_filter *insns = NULL;
	int32_t *origin = NULL;
	size_t len = 0;
	int far, chain, entry;
	struct cf_diag d;

	(void)state;
	cg_init(&g);
	/* a jump over 600 instructions to a shared RET and to a shared non-RET block */
	far = cg_ret(&g, ERRNO(5), 7);
	chain = cg_ld(&g, CF_OFF_ARG(1), cg_jmp(&g, BPF_JEQ, 77, cg_ret(&g, ALLOW, 1), far, 1), 1);
	entry = chain;
	for (uint32_t i = 0; i < 300; i++)
		entry = cg_ld(&g, CF_OFF_ARG(0),
			      cg_jmp(&g, BPF_JEQ, 1000 + i, i % 2 ? far : chain, entry, 2), 2);
	assert_int_equal(cg_assemble(&g, entry, &insns, &origin, &len), 0);
	assert_int_equal(cf_bpf_verify(insns, len, &d), 0);
	for (uint32_t i = 0; i < 300; i++) {
		struct seccomp_data sd = { .arch = X64, .args = { 1000 + i, 77 } };
		uint32_t v;

		assert_int_equal(cf_bpf_sim(insns, len, &sd, &v, NULL), 0);
		assert_int_equal(v, i % 2 ? ERRNO(5) : ALLOW);
		sd.args[1] = 78;
		assert_int_equal(cf_bpf_sim(insns, len, &sd, &v, NULL), 0);
		assert_int_equal(v, ERRNO(5));
	}
	{
		struct seccomp_data sd = { .arch = X64, .args = { 5 } };
		uint32_t v;

		assert_int_equal(cf_bpf_sim(insns, len, &sd, &v, NULL), 0);
		assert_int_equal(v, ERRNO(5)); /* no match: falls to the chain, arg1 0 */
	}
	free(insns);
	free(origin);
	cg_done(&g);
}

static void test_e2big(void **state)
{
	struct hand_profile *h = malloc(sizeof(*h));
	struct cf_bpf_prog *p = NULL;
	struct cf_diag d;
	int i = 0;

	(void)state;
	assert_non_null(h);
	hp_init(h, CF_ACT_ERRNO, 0);
	/* every syscall with 6 distinct 64-bit range conditions: far beyond 4096 instructions */
	for (unsigned nr = 0; nr < 330; nr++) {
		const char *name = syscall_resolve_num(CF_ARCH_X86_64, (int)nr);
		struct cf_rule *r;

		if (!name || i >= HP_MAX_RULES)
			continue;
		r = hp_rule(h, CF_ACT_ALLOW, 0, name);
		for (unsigned a = 0; a < 6; a++)
			hp_arg(r, a, CF_OP_GT, 0x100000000ull * (a + 1) + nr, 0);
		i++;
	}
	assert_int_equal(cf_filter_compile(&h->res, &p, &d), -E2BIG);
	assert_null(p);
	assert_non_null(strstr(d.message, "4096"));
	assert_non_null(strstr(d.hint, "#"));
	assert_int_equal(d.line, 100u + 0); /* all rules are the same size: the first is named */

	/* the twin: the same shape on 10 syscalls fits */
	h->prof.n_rules = h->res.n_rules = 10;
	p = compile_ok(&h->res);
	cf_bpf_prog_free(p);
	free(h);
}

/* ------------------------------------------------------------------------------------------- */
/* compiler semantics */

static void test_dispatch(void **state)
{
	struct hand_profile h;
	struct cf_bpf_prog *p;
	int x32_read = nr_of(CF_ARCH_X32, "read");

	(void)state;
	hp_init(&h, CF_ACT_ERRNO, 0);
	hp_arch(&h, CF_ARCH_X86);
	hp_rule(&h, CF_ACT_ALLOW, 0, "read write exit_group");
	p = compile_ok(&h.res);
	assert_int_equal(run(p, &h.res, X64, 0, 0, 0, 0), ALLOW);
	assert_int_equal(run(p, &h.res, X64, 39, 0, 0, 0), ERRNO(EPERM)); /* getpid: default */
	assert_int_equal(run(p, &h.res, X64, 1000, 0, 0, 0), ERRNO(ENOSYS)); /* newer */
	assert_int_equal(run(p, &h.res, X64, 0xffffffff, 0, 0, 0), ERRNO(ENOSYS));
	/* x32 not listed: its numbers get the bad-arch action, like libseccomp */
	assert_int_equal(run(p, &h.res, X64, (uint32_t)x32_read, 0, 0, 0), SECCOMP_RET_KILL_THREAD);
	assert_int_equal(run(p, &h.res, X64, 0x80000000, 0, 0, 0), SECCOMP_RET_KILL_THREAD);
	assert_int_equal(run(p, &h.res, I386, 3, 0, 0, 0), ALLOW);
	assert_int_equal(run(p, &h.res, I386, 20, 0, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(p, &h.res, AUDIT_ARCH_AARCH64, 63, 0, 0, 0), SECCOMP_RET_KILL_THREAD);
	cf_bpf_prog_free(p);

	/* with x32 listed, x32 numbers are an ABI of their own (own ENOSYS boundary) */
	hp_arch(&h, CF_ARCH_X32);
	p = compile_ok(&h.res);
	assert_int_equal(run(p, &h.res, X64, (uint32_t)x32_read, 0, 0, 0), ALLOW);
	assert_int_equal(run(p, &h.res, X64, 0x40000000 + 39, 0, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(p, &h.res, X64, 0x40000000 + 1000, 0, 0, 0), ERRNO(ENOSYS));
	assert_int_equal(run(p, &h.res, X64, 0, 0, 0, 0), ALLOW);
	cf_bpf_prog_free(p);

	/* no ENOSYS when the default already allows, or already is ENOSYS */
	hp_init(&h, CF_ACT_ERRNO, ENOSYS);
	hp_rule(&h, CF_ACT_ALLOW, 0, "read");
	p = compile_ok(&h.res);
	assert_int_equal(run(p, &h.res, X64, 1000, 0, 0, 0), ERRNO(ENOSYS));
	assert_int_equal(run(p, &h.res, X64, 39, 0, 0, 0), ERRNO(ENOSYS));
	cf_bpf_prog_free(p);
	hp_init(&h, CF_ACT_ALLOW, 0);
	hp_rule(&h, CF_ACT_ERRNO, 13, "read");
	p = compile_ok(&h.res);
	assert_int_equal(run(p, &h.res, X64, 1000, 0, 0, 0), ALLOW);
	assert_int_equal(run(p, &h.res, X64, 0, 0, 0, 0), ERRNO(13));
	cf_bpf_prog_free(p);
}

/*
 * ARM's private calls sit at __ARM_NR_BASE 0x0f0000, far above the rest of its table: the
 * compiler leaves the hole out of its per-number index. Numbers on both sides and inside the
 * hole must decide as the model does.
 */
static void test_arm_private_calls(void **state)
{
	struct hand_profile h;
	struct cf_bpf_prog *p;
	uint32_t flush = (uint32_t)nr_of(CF_ARCH_ARM, "cacheflush");
	uint32_t tls = (uint32_t)nr_of(CF_ARCH_ARM, "set_tls");

	(void)state;
	assert_int_equal(flush, 0x0f0002);
	hp_init(&h, CF_ACT_ERRNO, 0);
	h.res.native = CF_ARCH_ARM;
	h.res.arches[0] = CF_ARCH_ARM;
	hp_rule(&h, CF_ACT_ERRNO, 13, "cacheflush");
	hp_rule(&h, CF_ACT_ALLOW, 0, "read set_tls");
	p = compile_ok(&h.res);
	assert_int_equal(run(p, &h.res, AUDIT_ARCH_ARM, flush, 0, 0, 0), ERRNO(13));
	assert_int_equal(run(p, &h.res, AUDIT_ARCH_ARM, tls, 0, 0, 0), ALLOW);
	assert_int_equal(run(p, &h.res, AUDIT_ARCH_ARM, 3, 0, 0, 0), ALLOW); /* read */
	/* twins: an unnamed private call, a number in the hole, one past the table */
	assert_int_equal(run(p, &h.res, AUDIT_ARCH_ARM, 0x0f0001, 0, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(p, &h.res, AUDIT_ARCH_ARM, 0x80000, 0, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(p, &h.res, AUDIT_ARCH_ARM, 0x0f0100, 0, 0, 0), ERRNO(ENOSYS));
	cf_bpf_prog_free(p);
}

static void test_rule_merging(void **state)
{
	struct hand_profile h;
	struct cf_bpf_prog *p;
	struct cf_rule *r;

	(void)state;
	/* the first unconditional rule wins over later ones */
	hp_init(&h, CF_ACT_ERRNO, 0);
	hp_rule(&h, CF_ACT_ALLOW, 0, "setns");
	hp_rule(&h, CF_ACT_ERRNO, 22, "setns");
	/* a later unconditional rule replaces earlier conditional ones */
	r = hp_rule(&h, CF_ACT_TRAP, 0, "uname");
	hp_arg(r, 0, CF_OP_EQ, 5, 0);
	hp_rule(&h, CF_ACT_ERRNO, 9, "uname");
	/* a rule equal to the default is skipped but its name moves the ENOSYS boundary */
	hp_rule(&h, CF_ACT_ERRNO, EPERM, "getpid openat2");
	p = compile_ok(&h.res);
	assert_int_equal(run(p, &h.res, X64, (uint32_t)nr_of(CF_ARCH_X86_64, "setns"), 0, 0, 0),
			 ALLOW);
	assert_int_equal(run(p, &h.res, X64, 63, 5, 0, 0), ERRNO(9));
	assert_int_equal(run(p, &h.res, X64, 63, 0, 0, 0), ERRNO(9));
	assert_int_equal(run(p, &h.res, X64, 39, 0, 0, 0), ERRNO(EPERM));
	/* openat2 (437) is the largest name: 436 gets the default, 438 ENOSYS */
	assert_int_equal(run(p, &h.res, X64, 436, 0, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(p, &h.res, X64, 438, 0, 0, 0), ERRNO(ENOSYS));
	cf_bpf_prog_free(p);

	/* the reverse order: ERRNO first wins */
	hp_init(&h, CF_ACT_ERRNO, 0);
	hp_rule(&h, CF_ACT_ERRNO, 22, "setns");
	hp_rule(&h, CF_ACT_ALLOW, 0, "setns");
	p = compile_ok(&h.res);
	assert_int_equal(run(p, &h.res, X64, (uint32_t)nr_of(CF_ARCH_X86_64, "setns"), 0, 0, 0),
			 ERRNO(22));
	cf_bpf_prog_free(p);
}

static void test_arguments(void **state)
{
	static const uint64_t pers[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };
	struct hand_profile h;
	struct cf_bpf_prog *p;
	struct cf_rule *r;

	(void)state;
	hp_init(&h, CF_ACT_ERRNO, 0);
	hp_arch(&h, CF_ARCH_X86);
	for (size_t i = 0; i < ARRAY_SIZE(pers); i++) {
		r = hp_rule(&h, CF_ACT_ALLOW, 0, "personality");
		hp_arg(r, 0, CF_OP_EQ, pers[i], 0);
	}
	/* Docker's socket rules: everything but 38 and 40 */
	r = hp_rule(&h, CF_ACT_ALLOW, 0, "socket");
	hp_arg(r, 0, CF_OP_LT, 38, 0);
	r = hp_rule(&h, CF_ACT_ALLOW, 0, "socket");
	hp_arg(r, 0, CF_OP_EQ, 39, 0);
	r = hp_rule(&h, CF_ACT_ALLOW, 0, "socket");
	hp_arg(r, 0, CF_OP_GT, 40, 0);
	/* clone without namespace flags */
	r = hp_rule(&h, CF_ACT_ALLOW, 0, "clone");
	hp_arg(r, 0, CF_OP_MASKED_EQ, 0x7e020000, 0);
	/* repeated index: OR of every condition, even on other indices */
	r = hp_rule(&h, CF_ACT_ERRNO, 33, "kill");
	hp_arg(r, 0, CF_OP_EQ, 1, 0);
	hp_arg(r, 0, CF_OP_EQ, 2, 0);
	hp_arg(r, 1, CF_OP_EQ, 9, 0);
	/* distinct indices: AND */
	r = hp_rule(&h, CF_ACT_ERRNO, 34, "tgkill");
	hp_arg(r, 0, CF_OP_EQ, 1, 0);
	hp_arg(r, 2, CF_OP_NE, 9, 0);
	p = compile_ok(&h.res);

	for (size_t i = 0; i < ARRAY_SIZE(pers); i++) {
		assert_int_equal(run(p, &h.res, X64, 135, pers[i], 0, 0), ALLOW);
		assert_int_equal(run(p, &h.res, X64, 135, pers[i] + 1, 0, 0), ERRNO(EPERM));
		/* 64-bit ABI: the upper half counts */
		assert_int_equal(run(p, &h.res, X64, 135, pers[i] | 0x100000000ull, 0, 0),
				 ERRNO(EPERM));
		/* i386 (32-bit in libseccomp): only the low word is compared */
		assert_int_equal(run(p, &h.res, I386, 136, pers[i] | 0x100000000ull, 0, 0), ALLOW);
	}
	for (uint64_t fam = 0; fam < 50; fam++)
		assert_int_equal(run(p, &h.res, X64, 41, fam, 0, 0),
				 fam == 38 || fam == 40 ? ERRNO(EPERM) : ALLOW);
	assert_int_equal(run(p, &h.res, X64, 41, 0x100000000ull + 38, 0, 0), ALLOW);
	assert_int_equal(run(p, &h.res, X64, 56, 0x11, 0, 0), ALLOW);
	assert_int_equal(run(p, &h.res, X64, 56, 0x10000000 | 0x11, 0, 0), ERRNO(EPERM));
	assert_int_equal(run(p, &h.res, X64, 56, 0xffffffff00000000ull, 0, 0), ALLOW);
	assert_int_equal(run(p, &h.res, X64, 62, 1, 0, 0), ERRNO(33));
	assert_int_equal(run(p, &h.res, X64, 62, 2, 0, 0), ERRNO(33));
	assert_int_equal(run(p, &h.res, X64, 62, 3, 9, 0), ERRNO(33));
	assert_int_equal(run(p, &h.res, X64, 62, 3, 8, 0), ERRNO(EPERM));
	assert_int_equal(run(p, &h.res, X64, 234, 1, 0, 8), ERRNO(34));
	assert_int_equal(run(p, &h.res, X64, 234, 1, 0, 9), ERRNO(EPERM));
	assert_int_equal(run(p, &h.res, X64, 234, 2, 0, 8), ERRNO(EPERM));
	cf_bpf_prog_free(p);
}

/* Podman's socket rules without CAP_AUDIT_WRITE: merged the libseccomp way. */
static void test_podman_socket(void **state)
{
	struct hand_profile h;
	struct cf_bpf_prog *p;
	struct cf_rule *r;

	(void)state;
	hp_init(&h, CF_ACT_ERRNO, ENOSYS);
	r = hp_rule(&h, CF_ACT_ERRNO, EPERM, "socket");
	hp_arg(r, 0, CF_OP_EQ, 40, 0);
	r = hp_rule(&h, CF_ACT_ERRNO, EINVAL, "socket");
	hp_arg(r, 0, CF_OP_EQ, 16, 0);
	hp_arg(r, 2, CF_OP_EQ, 9, 0);
	r = hp_rule(&h, CF_ACT_ALLOW, 0, "socket");
	hp_arg(r, 0, CF_OP_EQ, 16, 0);
	hp_arg(r, 2, CF_OP_NE, 9, 0);
	r = hp_rule(&h, CF_ACT_ALLOW, 0, "socket");
	hp_arg(r, 0, CF_OP_NE, 16, 0);
	p = compile_ok(&h.res);
	assert_int_equal(run(p, &h.res, X64, 41, 40, 1, 0), ERRNO(EPERM));
	assert_int_equal(run(p, &h.res, X64, 41, 16, 3, 9), ERRNO(EINVAL));
	assert_int_equal(run(p, &h.res, X64, 41, 16, 3, 0), ALLOW);
	assert_int_equal(run(p, &h.res, X64, 41, 2, 1, 0), ALLOW);
	assert_int_equal(run(p, &h.res, X64, 41, 38, 5, 0), ALLOW);
	assert_int_equal(run(p, &h.res, X64, 41, 0x100000000ull + 40, 5, 0), ALLOW);
	cf_bpf_prog_free(p);
}

static void test_conflict_refused(void **state)
{
	struct hand_profile h;
	struct cf_bpf_prog *p = NULL;
	struct cf_diag d;
	struct cf_rule *r;

	(void)state;
	hp_init(&h, CF_ACT_ERRNO, 0);
	r = hp_rule(&h, CF_ACT_ALLOW, 0, "socket");
	hp_arg(r, 0, CF_OP_EQ, 1, 0);
	r = hp_rule(&h, CF_ACT_ERRNO, 13, "socket");
	hp_arg(r, 0, CF_OP_EQ, 1, 0);
	assert_int_equal(cf_filter_compile(&h.res, &p, &d), -EINVAL);
	assert_null(p);
	assert_non_null(strstr(d.message, "\"socket\""));
	assert_int_equal(d.line, 101u);
	/* twin: a different value is fine */
	h.args[1][0].value = 2;
	p = compile_ok(&h.res);
	cf_bpf_prog_free(p);
}

static void test_flags_and_actions(void **state)
{
	struct hand_profile h;
	struct cf_bpf_prog *p;

	(void)state;
	hp_init(&h, CF_ACT_ALLOW, 0);
	hp_rule(&h, CF_ACT_ERRNO, 5000, "getppid");
	hp_rule(&h, CF_ACT_TRACE, 0, "getpid");
	hp_rule(&h, CF_ACT_KILL_PROCESS, 0, "acct");
	hp_rule(&h, CF_ACT_TRAP, 0, "reboot");
	hp_rule(&h, CF_ACT_LOG, 0, "uname");
	p = compile_ok(&h.res);
	/* 16 bits of data like SCMP_ACT_ERRNO; the kernel clamps to 4095 */
	assert_int_equal(run(p, &h.res, X64, 110, 0, 0, 0), ERRNO(5000));
	assert_int_equal(run(p, &h.res, X64, 39, 0, 0, 0), SECCOMP_RET_TRACE | EPERM);
	assert_int_equal(run(p, &h.res, X64, 163, 0, 0, 0), SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(run(p, &h.res, X64, 169, 0, 0, 0), SECCOMP_RET_TRAP);
	assert_int_equal(run(p, &h.res, X64, 63, 0, 0, 0), SECCOMP_RET_LOG);
	/* no "flags" key: runc's SPEC_ALLOW */
	assert_int_equal(p->seccomp_flags, SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	assert_false(p->needs_listener);
	cf_bpf_prog_free(p);

	h.prof.has_flags = true;
	h.res.flags = CF_FLAG_LOG | CF_FLAG_TSYNC | CF_FLAG_WAIT_KILLABLE_RECV;
	p = compile_ok(&h.res);
	assert_int_equal(p->seccomp_flags, SECCOMP_FILTER_FLAG_LOG);
	cf_bpf_prog_free(p);

	hp_rule(&h, CF_ACT_NOTIFY, 0, "mount");
	p = compile_ok(&h.res);
	assert_true(p->needs_listener);
	assert_int_equal(p->seccomp_flags, SECCOMP_FILTER_FLAG_LOG |
						   SECCOMP_FILTER_FLAG_NEW_LISTENER |
						   SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
	assert_int_equal(run(p, &h.res, X64, 165, 0, 0, 0), SECCOMP_RET_USER_NOTIF);
	cf_bpf_prog_free(p);
}

static void test_provenance_disasm(void **state)
{
	struct hand_profile h;
	struct cf_bpf_prog *p;
	struct cf_rule *r;
	char *text = NULL;
	bool seen = false;

	(void)state;
	hp_init(&h, CF_ACT_ERRNO, 0);
	hp_rule(&h, CF_ACT_ALLOW, 0, "read write");
	r = hp_rule(&h, CF_ACT_ALLOW, 0, "personality");
	hp_arg(r, 0, CF_OP_EQ, 8, 0);
	p = compile_ok(&h.res);
	for (size_t i = 0; i < p->len; i++)
		seen |= p->origin[i] == 1;
	assert_true(seen);
	assert_int_equal(cf_bpf_disasm(p, &h.res, &text), 0);
	assert_non_null(strstr(text, "hand.json:101 rule #1"));
	assert_non_null(strstr(text, "personality"));
	assert_non_null(strstr(text, "ret ALLOW"));
	free(text);
	cf_bpf_prog_free(p);
}

/* Every unconditionally allowed syscall must stay in the kernel's action cache. */
static void test_cacheable(void **state)
{
	cleanup(cf_profile_freep) struct cf_profile *prof = NULL;
	cleanup(cf_resolved_freep) struct cf_resolved *r = NULL;
	struct cf_resolve_opts o = { .native = CF_ARCH_X86_64,
				     .bounding = caps_docker_default(),
				     .kernel = { .set = true, .major = 6, .minor = 18 } };
	const enum cf_arch abis[] = { CF_ARCH_X86_64, CF_ARCH_X86 };
	struct cf_bpf_prog *p;
	struct cf_ir *ir = NULL;
	struct cf_diag d;
	size_t uncond = 0, cached = 0;

	(void)state;
	assert_int_equal(cf_profile_builtin(&prof), 0);
	assert_int_equal(cf_profile_resolve(prof, &o, &r, &d), 0);
	p = compile_ok(r);
	assert_int_equal(ir_build(r, &ir, &d), 0);
	for (size_t k = 0; k < ARRAY_SIZE(abis); k++) {
		const struct cf_arch_info *info = arch_info(abis[k]);
		const struct ir_abi *abi = ir_abi_for(ir, info->audit_arch, info->nr_base);

		assert_non_null(abi);
		for (uint32_t nr = 0; nr < 1024; nr++) {
			const struct ir_sys *s = ir_find_sys(abi, nr);
			bool want = s && !s->chains && s->action == ALLOW;
			bool got = cf_cache_const_allow(p->insns, p->len, info->audit_arch, nr);

			uncond += want;
			cached += got;
			if (want != got)
				fail_msg("arch %s nr %u: unconditional allow %d, cacheable %d",
					 info->scmp_name, nr, want, got);
		}
	}
	print_message("# %zu unconditionally allowed x86_64+i386 syscalls, %zu cacheable\n", uncond,
		      cached);
	assert_true(uncond > 500);
	ir_free(ir);
	cf_bpf_prog_free(p);
}

/* Found by fuzz-compile: libseccomp 2.5.4 never returns on these rules (its merged tree links
 * back to itself); callfence refuses them with a message instead of hanging. */
static void test_libseccomp_hang_refused(void **state)
{
	static const uint8_t input[] = {
		0x7e, 0x9a, 0x46, 0x40, 0x7e, 0x9a, 0x46, 0x40, 0xfc, 0x3d, 0x3d, 0x3d, 0x3d,
		0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x36, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d,
		0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x36, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d,
		0x3d, 0x3d, 0x3d, 0x3d, 0x6f, 0x75, 0x6e, 0x00, 0x08, 0xa3, 0x3d, 0x3d, 0x3d,
		0x3d, 0x3d, 0x3d, 0x3d, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3d,
		0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x6f, 0x75, 0x6e, 0x00,
		0x08, 0xa3, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x48, 0x48,
		0x48, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d,
		0x3d, 0x3d, 0x1d, 0x3d, 0x36, 0x3d, 0x3d, 0x3d, 0x3d, 0x3d
	};
	struct rp_profile *rp = malloc(sizeof(*rp));
	struct cf_bpf_prog *p = NULL;
	struct cf_diag d;
	struct rp_rand g;

	(void)state;
	assert_non_null(rp);
	rp_rand_init(&g, input, sizeof(input), 1);
	rp_generate(rp, &g);
	assert_int_equal(cf_filter_compile(&rp->res, &p, &d), -ELOOP);
	assert_null(p);
	assert_non_null(strstr(d.message, "loop"));
	/* twin: without the rule that breaks the tree, it compiles */
	rp->rrules[6].active = false;
	p = compile_ok(&rp->res);
	cf_bpf_prog_free(p);
	free(rp);
}

/* Random profiles: the program and the model agree everywhere we look. */
static void test_differential_random(void **state)
{
	size_t n = 300, points = 0, refused = 0;

	(void)state;
	for (size_t seed = 1; seed <= n; seed++) {
		struct rp_profile *rp = malloc(sizeof(*rp));
		struct cf_bpf_prog *p = NULL;
		cleanup(cf_model_freep) struct cf_model *m = NULL;
		uint64_t corners[256];
		size_t nc;
		struct rp_rand g;
		struct cf_diag d;

		assert_non_null(rp);
		rp_rand_init(&g, NULL, 0, seed * 104729);
		rp_generate(rp, &g);
		if (cf_filter_compile(&rp->res, &p, &d) < 0) {
			assert_int_equal(cf_model_new(&rp->res, &m, &d), -EINVAL);
			refused++;
			free(rp);
			continue;
		}
		assert_int_equal(cf_model_new(&rp->res, &m, &d), 0);
		nc = rp_corner_values(&rp->res, corners, 256);
		for (int k = 0; k < 4000; k++) {
			static const uint32_t arches[] = { X64, I386, AUDIT_ARCH_AARCH64 };
			struct seccomp_data sd = { .arch = arches[rp_next(&g, 3)] };
			struct cf_eval_result e;
			uint32_t v;

			sd.nr = (int)(rp_next(&g, 8) == 0 ?
					      0x40000000u + (uint32_t)rp_next(&g, 600) :
					      (uint32_t)rp_next(&g, 600));
			if (rp_next(&g, 50) == 0)
				sd.nr = -1;
			for (int a = 0; a < 3; a++)
				sd.args[a] = corners[rp_next(&g, nc)];
			assert_int_equal(cf_bpf_sim(p->insns, p->len, &sd, &v, NULL), 0);
			assert_int_equal(cf_model_evaluate(m, &sd, &e), 0);
			if (v != e.ret)
				fail_msg("seed %zu arch 0x%x nr 0x%x: program 0x%x model 0x%x",
					 seed, sd.arch, sd.nr, v, e.ret);
			points++;
		}
		cf_bpf_prog_free(p);
		free(rp);
	}
	print_message("# %zu profiles (%zu refused), %zu points\n", n, refused, points);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sim_opcodes),
		cmocka_unit_test(test_sim_malformed),
		cmocka_unit_test(test_sim_big_endian),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_long_jumps),
		cmocka_unit_test(test_e2big),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_arm_private_calls),
		cmocka_unit_test(test_rule_merging),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_podman_socket),
		cmocka_unit_test(test_conflict_refused),
		cmocka_unit_test(test_flags_and_actions),
		cmocka_unit_test(test_provenance_disasm),
		cmocka_unit_test(test_cacheable),
		cmocka_unit_test(test_libseccomp_hang_refused),
		cmocka_unit_test(test_differential_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
