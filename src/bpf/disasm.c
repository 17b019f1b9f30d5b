/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Readable listing of a compiled program. A forward pass tracks what the accumulator holds and
 * which audit arch a path is in, so that comparisons can be shown as syscall names; every run
 * of instructions that comes from one profile rule gets a header "rule #N (file:line)".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strbuf.h"
#include "bpf/filter.h"
#include "bpf/insn.h"

#define ST_UNKNOWN  (-2)
#define ST_CONFLICT (-1)

struct st {
	int64_t arch; /* audit arch value, ST_UNKNOWN / ST_CONFLICT */
	int64_t acc; /* offset loaded into A, or ST_UNKNOWN */
	bool seen;
};

static void merge(struct st *dst, struct st src)
{
	if (!dst->seen) {
		*dst = src;
		dst->seen = true;
		return;
	}
	if (dst->arch != src.arch)
		dst->arch = ST_CONFLICT;
	if (dst->acc != src.acc)
		dst->acc = ST_UNKNOWN;
}

static enum cf_arch arch_for(int64_t audit, uint32_t nr)
{
	for (int a = 0; a < CF_ARCH_COUNT; a++) {
		const struct cf_arch_info *i = arch_info((enum cf_arch)a);

		if (!i || !i->has_table || (int64_t)i->audit_arch != audit)
			continue;
		if (a == CF_ARCH_X86_64 && (nr & CF_X32_SYSCALL_BIT))
			return CF_ARCH_X32;
		return (enum cf_arch)a;
	}
	return CF_ARCH_INVALID;
}

static const char *arch_label(uint32_t audit)
{
	for (int a = 0; a < CF_ARCH_COUNT; a++) {
		const struct cf_arch_info *i = arch_info((enum cf_arch)a);

		if (i && i->audit_arch == audit && a != CF_ARCH_X32)
			return i->scmp_name;
	}
	return NULL;
}

static void ret_str(struct strbuf *s, uint32_t k)
{
	uint32_t data = k & SECCOMP_RET_DATA;

	switch (k & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		strbuf_append(s, "KILL_PROCESS");
		return;
	case SECCOMP_RET_KILL_THREAD:
		strbuf_append(s, "KILL_THREAD");
		return;
	case SECCOMP_RET_TRAP:
		strbuf_appendf(s, "TRAP(%u)", data);
		return;
	case SECCOMP_RET_ERRNO:
		strbuf_appendf(s, "ERRNO(%u)", data);
		return;
	case SECCOMP_RET_USER_NOTIF:
		strbuf_append(s, "NOTIFY");
		return;
	case SECCOMP_RET_TRACE:
		strbuf_appendf(s, "TRACE(%u)", data);
		return;
	case SECCOMP_RET_LOG:
		strbuf_append(s, "LOG");
		return;
	case SECCOMP_RET_ALLOW:
		strbuf_append(s, "ALLOW");
		return;
	default:
		strbuf_appendf(s, "0x%08x", k);
		return;
	}
}

static void field_text(struct strbuf *s, uint32_t k)
{
	if (k == CF_OFF_NR)
		strbuf_append(s, "[nr]");
	else if (k == CF_OFF_ARCH)
		strbuf_append(s, "[arch]");
	else if (k < 16)
		strbuf_appendf(s, "[ip %s]", k == 8 ? "w0" : "w1");
	else if (k < CF_SECCOMP_DATA_SZ)
		strbuf_appendf(s, "[args[%u] %s]", (k - 16) / 8, (k & 7u) ? "w1" : "w0");
	else
		strbuf_appendf(s, "[%u]", k);
}

static void rule_header(struct strbuf *s, const struct cf_resolved *r, int32_t origin)
{
	const struct cf_rule *rule = NULL;
	const char *src = "<profile>";

	if (r && r->profile && r->profile->source)
		src = r->profile->source;
	if (r)
		for (size_t i = 0; i < r->n_rules; i++)
			if ((int32_t)r->rules[i].index == origin) {
				rule = r->rules[i].rule;
				break;
			}
	if (!rule) {
		strbuf_appendf(s, "; rule #%d\n", origin);
		return;
	}
	if (rule->pos.line)
		strbuf_appendf(s, "; %s:%u rule #%d %s", src, rule->pos.line, origin,
			       cf_action_name(rule->action));
	else
		strbuf_appendf(s, "; %s rule #%d %s", src, origin, cf_action_name(rule->action));
	for (size_t i = 0; i < rule->n_names && i < 4; i++)
		strbuf_appendf(s, "%s%s", i ? "," : " ", rule->names[i]);
	if (rule->n_names > 4)
		strbuf_appendf(s, ",... (%zu names)", rule->n_names);
	strbuf_append(s, "\n");
}

int cf_bpf_disasm(const struct cf_bpf_prog *p, const struct cf_resolved *r, char **ret_text)
{
	struct strbuf s = { 0 };
	cleanup_free struct st *st = NULL;
	int32_t last_origin = -1;

	if (!p || !ret_text || !p->insns)
		return -EINVAL;
	st = calloc(p->len + 1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st[0] = (struct st){ .arch = ST_UNKNOWN, .acc = ST_UNKNOWN, .seen = true };

	strbuf_appendf(&s, "; callfence seccomp filter: %zu instructions, flags 0x%x%s\n", p->len,
		       p->seccomp_flags, p->needs_listener ? ", user notification" : "");
	strbuf_append(
		&s,
		"; w0/w1: first/second 32-bit word of a 64-bit field (w0 = low on little-endian ABIs)\n");
	for (size_t pc = 0; pc < p->len; pc++) {
		const struct sock_filter *f = &p->insns[pc];
		struct st cur = st[pc];
		int32_t origin = p->origin ? p->origin[pc] : -1;
		size_t tt = pc + 1 + f->jt, ft = pc + 1 + f->jf;

		if (origin != last_origin) {
			if (origin >= 0)
				rule_header(&s, r, origin);
			else if (last_origin >= 0)
				strbuf_append(&s, "; dispatch\n");
			last_origin = origin;
		}
		strbuf_appendf(&s, "%04zu: ", pc);
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
				strbuf_append(&s, "ld  ");
				field_text(&s, f->k);
				cur.acc = f->k;
			} else {
				strbuf_appendf(&s, "ld  (code 0x%x) #%u", f->code, f->k);
				cur.acc = ST_UNKNOWN;
			}
			if (pc + 1 < p->len)
				merge(&st[pc + 1], cur);
			break;
		case BPF_ALU:
			if (f->code == (BPF_ALU | BPF_AND | BPF_K))
				strbuf_appendf(&s, "and #0x%x", f->k);
			else
				strbuf_appendf(&s, "alu (code 0x%x) #0x%x", f->code, f->k);
			if (pc + 1 < p->len)
				merge(&st[pc + 1], cur);
			break;
		case BPF_JMP: {
			const char *op = "j?";
			struct st t = cur, e = cur;

			if (BPF_OP(f->code) == BPF_JA) {
				strbuf_appendf(&s, "ja  %04zu", pc + 1 + f->k);
				if (pc + 1 + f->k < p->len)
					merge(&st[pc + 1 + f->k], cur);
				break;
			}
			switch (BPF_OP(f->code)) {
			case BPF_JEQ:
				op = "jeq";
				break;
			case BPF_JGT:
				op = "jgt";
				break;
			case BPF_JGE:
				op = "jge";
				break;
			case BPF_JSET:
				op = "jset";
				break;
			default:
				break;
			}
			strbuf_appendf(&s, "%-4s #0x%x", op, f->k);
			strbuf_appendf(&s, " jt %04zu jf %04zu", tt, ft);
			if (cur.acc == CF_OFF_ARCH && BPF_OP(f->code) == BPF_JEQ) {
				const char *l = arch_label(f->k);

				if (l)
					strbuf_appendf(&s, "  ; %s", l);
				t.arch = f->k;
			} else if (cur.acc == CF_OFF_NR && cur.arch >= 0) {
				enum cf_arch a = arch_for(cur.arch, f->k);
				const char *name =
					a >= 0 ? syscall_resolve_num(a, (int)f->k) : NULL;

				if (name)
					strbuf_appendf(&s, "  ; %s", name);
			}
			if (tt < p->len)
				merge(&st[tt], t);
			if (ft < p->len)
				merge(&st[ft], e);
			break;
		}
		case BPF_RET:
			strbuf_append(&s, "ret ");
			if (BPF_RVAL(f->code) == BPF_K)
				ret_str(&s, f->k);
			else
				strbuf_append(&s, "A");
			break;
		default:
			strbuf_appendf(&s, "(code 0x%x k 0x%x)", f->code, f->k);
			if (pc + 1 < p->len)
				merge(&st[pc + 1], cur);
			break;
		}
		strbuf_append(&s, "\n");
	}
	return strbuf_steal(&s, ret_text);
}
