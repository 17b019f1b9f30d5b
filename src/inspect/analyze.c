/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Decompiling a stack of filters into a verdict per syscall, and telling which verdicts depend
 * on the arguments or the instruction pointer.
 *
 * For one (arch, nr), a filter is explored path by path with nr and arch known: the
 * accumulator is a constant, a raw word of seccomp_data (an argument half or the ip half), or
 * "derived" (after arithmetic on a word). A test of a word against a constant splits the path
 * and narrows the word (an interval, bits that must be set or clear, values it must not be);
 * an unsatisfiable side is dropped; a test on a derived value takes both sides. Each path that
 * reaches a RET yields one concrete seccomp_data satisfying its tests, and the simulator
 * (src/bpf/sim.c) runs that input through every filter of the stack, combined with the kernel's
 * precedence. Only concrete inputs decide, so a verdict is called conditional only when two
 * real inputs get different verdicts. Paths are capped per filter and syscall; past the cap,
 * and wherever arithmetic hid a word, the boundary values of the program's own constants
 * (K, K-1, K+1 of every test on an argument word) are probed as well.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/audit.h>
#include <linux/seccomp.h>

#include "bpf/filter.h"
#include "bpf/sim.h"
#include "inspect/inspect.h"

#define NWORDS	    14 /* 32-bit words of seccomp_data after nr and arch: ip, args[0..5] */
#define MAX_NE	    8
#define MAX_PATHS   512 /* RETs reached per (filter, arch, nr) */
#define MAX_WITNESS 1024
#define MAX_MEM	    16

enum kind {
	K_CONST,
	K_WORD,
	K_DERIVED
};

struct val {
	enum kind kind;
	uint32_t v; /* K_CONST: the value; K_WORD: the word index */
};

struct word {
	uint32_t lo, hi, set, clr;
	uint32_t ne[MAX_NE];
	unsigned n_ne;
};

struct state {
	struct val a, x, mem[MAX_MEM];
	struct word w[NWORDS];
};

struct witnesses {
	struct seccomp_data d[MAX_WITNESS];
	size_t n;
	unsigned paths;
	bool imprecise; /* truncated, or a test on a derived value */
};

static bool word_ok(const struct word *w, uint32_t v)
{
	if (v < w->lo || v > w->hi || (v & w->set) != w->set || (v & w->clr))
		return false;
	for (unsigned i = 0; i < w->n_ne; i++)
		if (w->ne[i] == v)
			return false;
	return true;
}

/* a value satisfying the word's constraints, preferring small ones (0 when unconstrained) */
static bool word_pick(const struct word *w, uint32_t *ret)
{
	uint32_t cands[] = { w->lo, (w->lo | w->set) & ~w->clr, w->set, w->hi, w->hi & ~w->clr };

	for (size_t c = 0; c < ARRAY_SIZE(cands); c++)
		for (uint32_t d = 0; d <= MAX_NE; d++) {
			uint32_t v = cands[c] + d;

			if (v >= cands[c] && word_ok(w, v)) {
				*ret = v;
				return true;
			}
		}
	return false;
}

static void witness(const struct state *s, uint32_t arch, int nr, struct witnesses *ws)
{
	struct seccomp_data d = { .nr = nr, .arch = arch };
	uint32_t v[NWORDS];

	for (int i = 0; i < NWORDS; i++)
		if (!word_pick(&s->w[i], &v[i]))
			return;
	/* little-endian words: ip lo/hi, then each argument lo/hi (big-endian ABIs swap them) */
	if (!(arch & __AUDIT_ARCH_LE))
		for (int i = 0; i < NWORDS; i += 2) {
			uint32_t t = v[i];

			v[i] = v[i + 1];
			v[i + 1] = t;
		}
	d.instruction_pointer = (uint64_t)v[1] << 32 | v[0];
	for (int i = 0; i < 6; i++)
		d.args[i] = (uint64_t)v[2 + 2 * i + 1] << 32 | v[2 + 2 * i];
	for (size_t i = 0; i < ws->n; i++)
		if (memcmp(&ws->d[i], &d, sizeof(d)) == 0)
			return;
	if (ws->n < MAX_WITNESS)
		ws->d[ws->n++] = d;
	else
		ws->imprecise = true;
}

static struct val load(uint32_t k, uint32_t arch, int nr)
{
	if (k == 0)
		return (struct val){ K_CONST, (uint32_t)nr };
	if (k == 4)
		return (struct val){ K_CONST, arch };
	return (struct val){ K_WORD, (k - 8) / 4 };
}

static bool alu_const(uint16_t code, uint32_t *a, uint32_t b)
{
	switch (BPF_OP(code)) {
	case BPF_ADD:
		*a += b;
		return true;
	case BPF_SUB:
		*a -= b;
		return true;
	case BPF_MUL:
		*a *= b;
		return true;
	case BPF_DIV:
		if (!b)
			return false;
		*a /= b;
		return true;
	case BPF_AND:
		*a &= b;
		return true;
	case BPF_OR:
		*a |= b;
		return true;
	case BPF_XOR:
		*a ^= b;
		return true;
	case BPF_LSH:
		*a = b >= 32 ? 0 : *a << b;
		return true;
	case BPF_RSH:
		*a = b >= 32 ? 0 : *a >> b;
		return true;
	case BPF_NEG:
		*a = (uint32_t) - *a;
		return true;
	default:
		return false;
	}
}

/* narrow word w by "w OP k is `taken`"; false when no value is left */
static bool narrow(struct word *w, uint16_t op, uint32_t k, bool taken)
{
	uint32_t v;

	switch (op) {
	case BPF_JEQ:
		if (taken) {
			if (!word_ok(w, k))
				return false;
			w->lo = w->hi = k;
		} else if (w->n_ne < MAX_NE) {
			w->ne[w->n_ne++] = k;
		}
		break;
	case BPF_JGT:
		if (taken) {
			if (k == UINT32_MAX)
				return false;
			if (k + 1 > w->lo)
				w->lo = k + 1;
		} else if (k < w->hi) {
			w->hi = k;
		}
		break;
	case BPF_JGE:
		if (taken) {
			if (k > w->lo)
				w->lo = k;
		} else {
			if (k == 0)
				return false;
			if (k - 1 < w->hi)
				w->hi = k - 1;
		}
		break;
	case BPF_JSET:
		if (!taken) {
			w->clr |= k;
		} else if (!(w->set & k)) {
			uint32_t free_bits = k & ~w->clr;

			if (!free_bits)
				return false;
			/* one bit of k suffices: the lowest still free (a witness, not all) */
			w->set |= free_bits & -free_bits;
		}
		break;
	default:
		return false;
	}
	return w->lo <= w->hi && word_pick(w, &v);
}

struct explore {
	const struct sock_filter *insns;
	size_t len;
	uint32_t arch;
	int nr;
	struct witnesses *ws;
};

static void walk(const struct explore *e, size_t pc, struct state *s)
{
	while (pc < e->len) {
		const struct sock_filter *f = &e->insns[pc];
		struct val operand;

		if (e->ws->paths >= MAX_PATHS) {
			e->ws->imprecise = true;
			return;
		}
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
		case BPF_LDX: {
			struct val v;

			if (BPF_MODE(f->code) == BPF_ABS)
				v = load(f->k, e->arch, e->nr);
			else if (BPF_MODE(f->code) == BPF_LEN)
				v = (struct val){ K_CONST, sizeof(struct seccomp_data) };
			else if (BPF_MODE(f->code) == BPF_IMM)
				v = (struct val){ K_CONST, f->k };
			else if (BPF_MODE(f->code) == BPF_MEM && f->k < MAX_MEM)
				v = s->mem[f->k];
			else
				return;
			if (BPF_CLASS(f->code) == BPF_LD)
				s->a = v;
			else
				s->x = v;
			pc++;
			break;
		}
		case BPF_ST:
		case BPF_STX:
			if (f->k >= MAX_MEM)
				return;
			s->mem[f->k] = BPF_CLASS(f->code) == BPF_ST ? s->a : s->x;
			pc++;
			break;
		case BPF_ALU:
			operand = BPF_SRC(f->code) == BPF_X ? s->x : (struct val){ K_CONST, f->k };
			if (s->a.kind == K_CONST &&
			    (operand.kind == K_CONST || BPF_OP(f->code) == BPF_NEG)) {
				if (!alu_const(f->code, &s->a.v, operand.v)) {
					e->ws->paths++; /* division by zero: the kernel returns 0 */
					witness(s, e->arch, e->nr, e->ws);
					return;
				}
			} else {
				s->a = (struct val){ K_DERIVED, 0 };
			}
			pc++;
			break;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				s->x = s->a;
			else
				s->a = s->x;
			pc++;
			break;
		case BPF_RET:
			e->ws->paths++;
			witness(s, e->arch, e->nr, e->ws);
			return;
		case BPF_JMP: {
			uint16_t op = BPF_OP(f->code);

			if (op == BPF_JA) {
				pc += 1 + f->k;
				break;
			}
			operand = BPF_SRC(f->code) == BPF_X ? s->x : (struct val){ K_CONST, f->k };
			if (s->a.kind == K_CONST && operand.kind == K_CONST) {
				bool t;

				switch (op) {
				case BPF_JEQ:
					t = s->a.v == operand.v;
					break;
				case BPF_JGT:
					t = s->a.v > operand.v;
					break;
				case BPF_JGE:
					t = s->a.v >= operand.v;
					break;
				default:
					t = (s->a.v & operand.v) != 0;
					break;
				}
				pc += 1 + (t ? f->jt : f->jf);
				break;
			}
			if (f->jt == f->jf) {
				pc += 1 + f->jt;
				break;
			}
			/* both sides: the taken one on a copy, the other continues here */
			struct state *t = malloc(sizeof(*t));

			if (!t)
				return;
			*t = *s;
			if (s->a.kind == K_WORD && operand.kind == K_CONST) {
				if (narrow(&t->w[s->a.v], op, operand.v, true))
					walk(e, pc + 1 + f->jt, t);
				free(t);
				if (!narrow(&s->w[s->a.v], op, operand.v, false))
					return;
			} else {
				e->ws->imprecise = true;
				walk(e, pc + 1 + f->jt, t);
				free(t);
			}
			pc += 1 + f->jf;
			break;
		}
		default:
			return;
		}
	}
}

/* boundary probes: K-1, K, K+1 of every test right after a load of an argument/ip word */
static void probe_constants(const struct cf_inspect_filters *fs, uint32_t arch, int nr,
			    struct witnesses *ws)
{
	for (size_t i = 0; i < fs->n; i++) {
		int word = -1;

		for (size_t pc = 0; pc < fs->f[i].len; pc++) {
			const struct sock_filter *f = &fs->f[i].insns[pc];

			if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
				word = f->k >= 8 && f->k < 64 ? (int)((f->k - 8) / 4) : -1;
				continue;
			}
			if (BPF_CLASS(f->code) != BPF_JMP || BPF_OP(f->code) == BPF_JA ||
			    BPF_SRC(f->code) == BPF_X || word < 0)
				continue;
			for (uint32_t dv = 0; dv < 3; dv++) {
				struct state s;

				memset(&s, 0, sizeof(s));
				for (int w = 0; w < NWORDS; w++)
					s.w[w].hi = UINT32_MAX;
				s.w[word].lo = s.w[word].hi = f->k + dv - 1;
				witness(&s, arch, nr, ws);
			}
		}
	}
}

uint32_t cf_inspect_combine(const uint32_t *rets, size_t n)
{
	uint32_t ret = SECCOMP_RET_ALLOW;

	/* newest first; strictly lower wins, so between equal actions the newest's data stays */
	for (size_t i = n; i-- > 0;)
		if ((int32_t)(rets[i] & SECCOMP_RET_ACTION_FULL) <
		    (int32_t)(ret & SECCOMP_RET_ACTION_FULL))
			ret = rets[i];
	return ret;
}

const char *cf_inspect_action_name(uint32_t ret, uint32_t *ret_errno)
{
	uint32_t data = ret & SECCOMP_RET_DATA;

	*ret_errno = 0;
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		return "SCMP_ACT_KILL_PROCESS";
	case SECCOMP_RET_KILL_THREAD:
		return "SCMP_ACT_KILL_THREAD";
	case SECCOMP_RET_TRAP:
		*ret_errno = data;
		return "SCMP_ACT_TRAP";
	case SECCOMP_RET_ERRNO:
		*ret_errno = data > CF_ERRNO_MAX ? CF_ERRNO_MAX : data;
		return "SCMP_ACT_ERRNO";
	case SECCOMP_RET_USER_NOTIF:
		return "SCMP_ACT_NOTIFY";
	case SECCOMP_RET_TRACE:
		*ret_errno = data;
		return "SCMP_ACT_TRACE";
	case SECCOMP_RET_LOG:
		return "SCMP_ACT_LOG";
	case SECCOMP_RET_ALLOW:
		return "SCMP_ACT_ALLOW";
	default:
		return "SCMP_ACT_KILL_PROCESS"; /* unknown actions kill the process */
	}
}

/* the part of a return value that makes a difference to the caller */
static uint32_t normalize(uint32_t ret)
{
	uint32_t e;
	const char *n = cf_inspect_action_name(ret, &e);

	if (strcmp(n, "SCMP_ACT_KILL_PROCESS") == 0)
		return SECCOMP_RET_KILL_PROCESS;
	return (ret & SECCOMP_RET_ACTION_FULL) | e;
}

static int run_stack(const struct cf_inspect_filters *fs, const struct seccomp_data *d,
		     uint32_t *rets, uint32_t *ret)
{
	for (size_t i = 0; i < fs->n; i++) {
		int r = cf_bpf_sim(fs->f[i].insns, fs->f[i].len, d, &rets[i], NULL);

		if (r < 0)
			return r;
	}
	*ret = normalize(cf_inspect_combine(rets, fs->n));
	return 0;
}

static int decide(const struct cf_inspect_filters *fs, enum cf_arch arch, int nr,
		  struct witnesses *ws, uint32_t *rets, struct cf_inspect_verdict *v)
{
	uint32_t audit = arch_info(arch)->audit_arch;
	struct state *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	ws->n = 0;
	ws->imprecise = false;
	/* the all-zero input first: it is the reported verdict */
	for (int w = 0; w < NWORDS; w++)
		s->w[w].hi = UINT32_MAX;
	witness(s, audit, nr, ws);
	for (size_t i = 0; i < fs->n; i++) {
		struct explore e = { fs->f[i].insns, fs->f[i].len, audit, nr, ws };

		memset(s, 0, sizeof(*s));
		for (int w = 0; w < NWORDS; w++)
			s->w[w].hi = UINT32_MAX;
		ws->paths = 0;
		walk(&e, 0, s);
	}
	free(s);
	if (ws->imprecise)
		probe_constants(fs, audit, nr, ws);

	v->arch = arch;
	v->nr = nr;
	for (size_t i = 0; i < ws->n; i++) {
		uint32_t ret;
		bool seen = false;

		r = run_stack(fs, &ws->d[i], rets, &ret);
		if (r < 0)
			return r;
		if (i == 0) {
			v->ret = ret;
			continue;
		}
		if (ret == v->ret)
			continue;
		v->conditional = true;
		for (unsigned k = 0; k < v->n_other; k++)
			seen |= v->other[k] == ret;
		if (!seen && v->n_other < ARRAY_SIZE(v->other))
			v->other[v->n_other++] = ret;
	}
	return 0;
}

static size_t family(enum cf_arch *out)
{
	enum cf_arch n = arch_native();

	/* the ABIs a process of this machine can enter the kernel with */
	if (n == CF_ARCH_X86_64) {
		out[0] = CF_ARCH_X86_64, out[1] = CF_ARCH_X32, out[2] = CF_ARCH_X86;
		return 3;
	}
	if (n == CF_ARCH_AARCH64) {
		out[0] = CF_ARCH_AARCH64, out[1] = CF_ARCH_ARM;
		return 2;
	}
	out[0] = n;
	return 1;
}

void cf_inspect_report_clear(struct cf_inspect_report *rep)
{
	free(rep->v);
	rep->v = NULL;
	rep->n = 0;
}

int cf_inspect_analyze(const struct cf_inspect_filters *fs, struct cf_inspect_report *ret,
		       struct cf_diag *reterr)
{
	struct cf_inspect_report rep = { 0 };
	struct witnesses *ws = NULL;
	uint32_t *rets = NULL;
	size_t cap = 0;
	int r = 0;

	for (size_t i = 0; i < fs->n; i++) {
		r = cf_bpf_verify(fs->f[i].insns, fs->f[i].len, reterr);
		if (r < 0) {
			char msg[sizeof(reterr->message)];

			memcpy(msg, reterr->message, sizeof(msg));
			return diag_set(
				reterr, -r, NULL, 0, 0, NULL,
				"filter %zu (%zu instructions): %s; the kernel accepted it, "
				"so our verifier is wrong here: no verdict is printed",
				i, fs->f[i].len, msg);
		}
	}
	rep.n_arches = family(rep.arches);
	for (size_t a = 0; a < rep.n_arches; a++) {
		int n = syscall_table_size(rep.arches[a]);

		cap += n > 0 ? (size_t)n : 0;
	}
	rep.v = calloc(cap ? cap : 1, sizeof(*rep.v));
	ws = malloc(sizeof(*ws));
	rets = calloc(fs->n ? fs->n : 1, sizeof(*rets));
	if (!rep.v || !ws || !rets) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t a = 0; a < rep.n_arches; a++) {
		const char *name;
		int nr;

		for (unsigned i = 0; syscall_table_entry(rep.arches[a], i, &name, &nr); i++) {
			struct cf_inspect_verdict *v = &rep.v[rep.n];

			if (rep.n >= cap)
				break;
			r = decide(fs, rep.arches[a], nr, ws, rets, v);
			if (r < 0) {
				diag_set(reterr, -r, NULL, 0, 0, NULL, "simulating %s on %s: %s",
					 name, arch_info(rep.arches[a])->scmp_name, strerror(-r));
				goto out;
			}
			v->name = name;
			rep.n++;
		}
	}
	*ret = rep;
	rep.v = NULL;
out:
	free(rep.v);
	free(ws);
	free(rets);
	return r;
}
