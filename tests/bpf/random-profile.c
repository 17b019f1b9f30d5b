/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "random-profile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const name_pool[] = {
	"read",		 "write",
	"open",		 "close",
	"socket",	 "personality",
	"clone",	 "getpid",
	"mmap",		 "ioctl",
	"bind",		 "connect",
	"recv",		 "send",
	"semop",	 "shmat",
	"socketcall",	 "ipc",
	"mmap2",	 "chown32",
	"mseal",	 "statmount",
	"futex_requeue", "nosuchcall",
	"accept4",	 "kill",
	"arch_prctl",	 "clone3",
	"openat",	 "getppid",
	"uname",	 "sendmmsg",
	"fchmodat2",	 "process_mrelease",
	"waitpid",	 "time",
};

static const uint64_t value_pool[] = {
	0,
	1,
	2,
	5,
	9,
	16,
	38,
	40,
	0x7fffffff,
	0x80000000,
	0xffffffff,
	0x100000000ull,
	0x100000005ull,
	0xffffffff00000000ull,
	UINT64_MAX,
	0xfffffffffffffff6ull,
	0x7e020000,
	0xff,
	0x10,
};

void rp_rand_init(struct rp_rand *g, const uint8_t *data, size_t size, uint64_t seed)
{
	g->data = data;
	g->size = data ? size : 0;
	g->pos = 0;
	/* after the fuzzer's bytes run out, a stream seeded by them keeps inputs distinct */
	for (size_t i = 0; i < g->size; i++)
		seed = (seed ^ data[i]) * 1099511628211ull;
	g->state = seed ? seed : 0x9e3779b97f4a7c15ull;
}

uint64_t rp_next(struct rp_rand *g, uint64_t bound)
{
	uint64_t v;

	if (bound <= 1)
		return 0;
	if (g->pos < g->size)
		return g->data[g->pos++] % bound;
	g->state ^= g->state << 13;
	g->state ^= g->state >> 7;
	g->state ^= g->state << 17;
	v = g->state;
	return v % bound;
}

static void pick_action(struct rp_rand *g, enum cf_action *a, bool *has_errno, uint32_t *e,
			bool is_default)
{
	/* errno >= 4095 is left to unit tests: libseccomp 2.5.4 refuses it */
	static const uint32_t errnos[] = { 1, 22, 38, 13, 12, 95 };
	unsigned k = (unsigned)rp_next(g, is_default ? 8 : 12);

	*has_errno = false;
	*e = 0;
	switch (k) {
	case 0:
	case 1:
		*a = CF_ACT_ERRNO;
		*has_errno = rp_next(g, 4) != 0;
		*e = errnos[rp_next(g, 6)];
		break;
	case 2:
		*a = CF_ACT_KILL;
		break;
	case 3:
		*a = CF_ACT_TRAP;
		break;
	case 4:
		*a = is_default ? CF_ACT_ERRNO : CF_ACT_LOG;
		*has_errno = true;
		*e = 38;
		break;
	case 5:
		*a = CF_ACT_KILL_PROCESS;
		break;
	case 6:
		*a = is_default ? CF_ACT_ALLOW : CF_ACT_TRACE;
		break;
	case 7:
		*a = is_default ? CF_ACT_LOG : CF_ACT_KILL_THREAD;
		break;
	default:
		*a = CF_ACT_ALLOW;
		break;
	}
}

/* Rule i with its conditions, and its resolved entry (activity left to the caller). */
static void rule_done(struct cf_rule *r, struct cf_arg *args, size_t n_args, size_t i,
		      struct cf_resolved_rule *rr)
{
	r->args = args;
	r->n_args = n_args;
	r->pos.line = (unsigned)(10 + i);
	r->pos.column = 5;
	rr->rule = r;
	rr->index = i;
}

void rp_generate(struct rp_profile *p, struct rp_rand *g)
{
	size_t n_rules;

	memset(p, 0, sizeof(*p));
	p->prof.source = (char *)"random.json";
	p->prof.has_default_action = true;
	pick_action(g, &p->prof.default_action, &p->prof.has_default_errno, &p->prof.default_errno,
		    true);
	p->prof.has_flags = rp_next(g, 2);
	n_rules = 1 + rp_next(g, RP_MAX_RULES);
	for (size_t i = 0; i < n_rules; i++) {
		struct cf_rule *r = &p->rules[i];
		size_t n_names = 1 + rp_next(g, RP_MAX_NAMES);
		size_t n_args = 0;

		/* conditions on about half of the rules */
		if (rp_next(g, 2))
			n_args = 1 + rp_next(g, RP_MAX_ARGS);
		for (size_t k = 0; k < n_names; k++)
			p->names[i][k] = (char *)
				name_pool[rp_next(g, sizeof(name_pool) / sizeof(name_pool[0]))];
		r->names = p->names[i];
		r->n_names = n_names;
		pick_action(g, &r->action, &r->has_errno, &r->errno_ret, false);
		for (size_t k = 0; k < n_args; k++) {
			struct cf_arg *a = &p->args[i][k];

			a->index = (unsigned)rp_next(g, 3);
			a->op = (enum cf_op)rp_next(g, CF_OP_COUNT);
			a->value =
				value_pool[rp_next(g, sizeof(value_pool) / sizeof(value_pool[0]))];
			a->value_two =
				value_pool[rp_next(g, sizeof(value_pool) / sizeof(value_pool[0]))];
			a->has_value_two = a->op == CF_OP_MASKED_EQ;
		}
		rule_done(r, p->args[i], n_args, i, &p->rrules[i]);
		p->rrules[i].active = rp_next(g, 8) != 0;
	}
	p->prof.rules = p->rules;
	p->prof.n_rules = n_rules;

	p->res.profile = &p->prof;
	switch (rp_next(g, 10)) {
	default: /* mostly the x86 family, the one this host runs */
		p->res.arches[p->res.n_arches++] = CF_ARCH_X86_64;
		if (rp_next(g, 4))
			p->res.arches[p->res.n_arches++] = CF_ARCH_X86;
		if (rp_next(g, 2))
			p->res.arches[p->res.n_arches++] = CF_ARCH_X32;
		break;
	case 0: /* Docker's arm64 map */
		p->res.arches[p->res.n_arches++] = CF_ARCH_AARCH64;
		p->res.arches[p->res.n_arches++] = CF_ARCH_ARM;
		break;
	case 1: /* big-endian, 64 and 32 bit, socketcall multiplexer on both */
		p->res.arches[p->res.n_arches++] = CF_ARCH_S390X;
		p->res.arches[p->res.n_arches++] = CF_ARCH_S390;
		break;
	case 2: /* MIPS: o32 numbers start at 4000, n32 compares 32 bits */
		p->res.arches[p->res.n_arches++] = CF_ARCH_MIPS64;
		p->res.arches[p->res.n_arches++] = CF_ARCH_MIPS64N32;
		p->res.arches[p->res.n_arches++] = CF_ARCH_MIPS;
		break;
	case 3: /* one byte order per filter (libseccomp refuses mixes) */
		if (rp_next(g, 2)) {
			p->res.arches[p->res.n_arches++] = CF_ARCH_PPC64LE;
			if (rp_next(g, 2))
				p->res.arches[p->res.n_arches++] = CF_ARCH_RISCV64;
		} else {
			p->res.arches[p->res.n_arches++] = CF_ARCH_PPC64;
			if (rp_next(g, 2))
				p->res.arches[p->res.n_arches++] = CF_ARCH_PPC;
		}
		break;
	}
	p->res.native = p->res.arches[0];
	p->res.default_action = p->prof.default_action;
	p->res.default_errno = p->prof.has_default_errno ? p->prof.default_errno : EPERM;
	p->res.rules = p->rrules;
	p->res.n_rules = n_rules;
}

static size_t add_unique(uint64_t *out, size_t n, size_t max, uint64_t v)
{
	for (size_t i = 0; i < n; i++)
		if (out[i] == v)
			return n;
	if (n < max)
		out[n++] = v;
	return n;
}

size_t rp_corner_values(const struct cf_resolved *r, uint64_t *out, size_t max)
{
	static const uint64_t fixed[] = { 0,
					  1,
					  0x7fffffff,
					  0x80000000,
					  0xffffffff,
					  0x100000000ull,
					  0xffffffff80000000ull,
					  UINT64_MAX };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		n = add_unique(out, n, max, fixed[i]);
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct cf_rule *rule = r->rules[i].rule;

		if (!r->rules[i].active)
			continue;
		for (size_t k = 0; k < rule->n_args; k++) {
			uint64_t vs[2] = { rule->args[k].value, rule->args[k].value_two };

			for (int j = 0; j < 2; j++) {
				uint64_t v = vs[j];
				uint64_t lo = (uint32_t)v;

				n = add_unique(out, n, max, v);
				n = add_unique(out, n, max, v + 1);
				n = add_unique(out, n, max, v - 1);
				n = add_unique(out, n, max, lo);
				n = add_unique(out, n, max, lo | 0x100000000ull);
				n = add_unique(out, n, max, lo | 0xffffffff00000000ull);
				n = add_unique(out, n, max, (uint64_t)(int64_t)(int32_t)lo);
				n = add_unique(out, n, max, v ^ 0x100000000ull);
				n = add_unique(out, n, max, v & (v - 1));
			}
			/* masked values: the mask itself with the datum bits, and without */
			if (rule->args[k].op == CF_OP_MASKED_EQ) {
				n = add_unique(out, n, max,
					       rule->args[k].value_two & rule->args[k].value);
				n = add_unique(out, n, max,
					       (rule->args[k].value_two & rule->args[k].value) |
						       ~rule->args[k].value);
			}
		}
	}
	return n;
}

/* A condition value: a 64-bit corner now and then, else one of `spread` values around it. */
static uint64_t large_value(struct rp_rand *g, uint64_t spread)
{
	uint64_t base = value_pool[rp_next(g, sizeof(value_pool) / sizeof(value_pool[0]))];

	if (rp_next(g, 8) == 0)
		return base;
	return (rp_next(g, 4) == 0 ? base : 0) + rp_next(g, spread);
}

struct rp_large *rp_generate_large(struct rp_rand *g, size_t n_rules, uint64_t spread)
{
	static const char *const few[] = { "personality", "ioctl", "socket", "sendmmsg", "mseal" };
	struct rp_large *p = calloc(1, sizeof(*p));
	/* one action for most rules: with several, almost every large profile is refused */
	enum cf_action main_act = rp_next(g, 2) ? CF_ACT_ALLOW : CF_ACT_LOG;
	/* how often another action comes in: never, rarely, now and then */
	uint64_t other = (uint64_t[]){ 0, 512, 48 }[rp_next(g, 3)];
	/* the ops come from a per-profile subset, so the same shapes meet often */
	unsigned op_seed = (unsigned)rp_next(g, CF_OP_COUNT);

	if (!p)
		return NULL;
	p->rules = calloc(n_rules, sizeof(*p->rules));
	p->names = calloc(n_rules, sizeof(*p->names));
	p->args = calloc(n_rules, sizeof(*p->args));
	p->rrules = calloc(n_rules, sizeof(*p->rrules));
	if (!p->rules || !p->names || !p->args || !p->rrules) {
		rp_large_free(p);
		return NULL;
	}
	p->prof.source = (char *)"large.json";
	p->prof.has_default_action = true;
	p->prof.default_action = CF_ACT_ERRNO;
	for (size_t i = 0; i < n_rules; i++) {
		struct cf_rule *r = &p->rules[i];
		size_t n_names = 1 + rp_next(g, 2);
		/* an unconditional rule decides its syscall for good: rare */
		size_t n_args = rp_next(g, 256) ? 1 + rp_next(g, 3) : 0;

		for (size_t k = 0; k < n_names; k++)
			p->names[i][k] = (char *)few[rp_next(g, sizeof(few) / sizeof(few[0]))];
		r->names = p->names[i];
		r->n_names = n_names;
		r->action = other && rp_next(g, other) == 0 ? CF_ACT_TRAP : main_act;
		for (size_t k = 0; k < n_args; k++) {
			struct cf_arg *a = &p->args[i][k];

			a->index = (unsigned)(k == 0 ? rp_next(g, 2) : rp_next(g, 3));
			a->op = (enum cf_op)(rp_next(g, 4) ? (op_seed + k) % CF_OP_COUNT :
							     rp_next(g, CF_OP_COUNT));
			a->value = large_value(g, spread);
			a->value_two = large_value(g, spread);
			a->has_value_two = a->op == CF_OP_MASKED_EQ;
		}
		rule_done(r, p->args[i], n_args, i, &p->rrules[i]);
		p->rrules[i].active = true;
	}
	p->prof.rules = p->rules;
	p->prof.n_rules = n_rules;
	p->res.profile = &p->prof;
	p->res.arches[p->res.n_arches++] = CF_ARCH_X86_64;
	p->res.arches[p->res.n_arches++] = CF_ARCH_X86;
	p->res.arches[p->res.n_arches++] = CF_ARCH_X32;
	p->res.native = CF_ARCH_X86_64;
	p->res.default_action = CF_ACT_ERRNO;
	p->res.default_errno = EPERM;
	p->res.rules = p->rrules;
	p->res.n_rules = n_rules;
	return p;
}

void rp_large_free(struct rp_large *p)
{
	if (!p)
		return;
	free(p->rules);
	free(p->names);
	free(p->args);
	free(p->rrules);
	free(p);
}
