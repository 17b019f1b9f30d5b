/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Resolved profile -> decision IR, with runc's rule expansion and libseccomp's merge algorithm.
 *
 * runc (libcontainer/seccomp/seccomp_linux.go matchCall): one rule per name; a rule whose action
 * (and errno) equals the default is skipped; names unknown on an ABI are skipped; when an argument
 * index repeats, every condition becomes its own rule. libseccomp 2.5.4 then adds each rule to
 * every architecture of the filter (src/arch.c arch_filter_rule_add, src/syscalls.c abi_rule_add
 * for the socketcall/ipc multiplexers) and merges it into that syscall's entry (src/db.c
 * db_rule_add, _db_tree_add). The functions below follow those algorithms step by step, with
 * the 64-bit merge fix of libseccomp 2.6.1 (GHSA-4q85-33p6-j5g6) applied.
 */
#include "bpf/ir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/audit.h>

#include "base/cleanup.h"
#include "bpf/insn.h"

/* ------------------------------------------------------------------------------------------- */
/* socketcall / ipc multiplexers (libseccomp src/syscalls.c abi_rule_add) */

static const char *const socket_calls[] = {
	NULL,	       "socket",     "bind",	"connect", "listen",  "accept",	  "getsockname",
	"getpeername", "socketpair", "send",	"recv",	   "sendto",  "recvfrom", "shutdown",
	"setsockopt",  "getsockopt", "sendmsg", "recvmsg", "accept4", "recvmmsg", "sendmmsg",
};

static const struct {
	const char *name;
	unsigned call;
} ipc_calls[] = {
	{ "semop", 1 },	  { "semget", 2 },  { "semctl", 3 },  { "semtimedop", 4 },
	{ "msgsnd", 11 }, { "msgrcv", 12 }, { "msgget", 13 }, { "msgctl", 14 },
	{ "shmat", 21 },  { "shmdt", 22 },  { "shmget", 23 }, { "shmctl", 24 },
};

/* libseccomp's arches whose rule_add is abi_rule_add. */
static bool arch_has_mux(enum cf_arch a)
{
	switch (a) {
	case CF_ARCH_X86:
	case CF_ARCH_MIPS:
	case CF_ARCH_MIPSEL:
	case CF_ARCH_PPC:
	case CF_ARCH_PPC64:
	case CF_ARCH_PPC64LE:
	case CF_ARCH_S390:
	case CF_ARCH_S390X:
		return true;
	case CF_ARCH_X86_64:
	case CF_ARCH_X32:
	case CF_ARCH_AARCH64:
	case CF_ARCH_ARM:
	case CF_ARCH_MIPS64:
	case CF_ARCH_MIPS64N32:
	case CF_ARCH_MIPSEL64:
	case CF_ARCH_MIPSEL64N32:
	case CF_ARCH_PARISC:
	case CF_ARCH_PARISC64:
	case CF_ARCH_RISCV64:
	case CF_ARCH_LOONGARCH64:
	case CF_ARCH_M68K:
	case CF_ARCH_SH:
	case CF_ARCH_SHEB:
	case CF_ARCH_COUNT:
	case CF_ARCH_INVALID:
		return false;
	}
	return false;
}

/* name id -> call number of the socketcall (1..20) or ipc (+128) multiplexer, 0: none */
static int mux_table(struct cf_ir *ir)
{
	unsigned n = syscall_n_ids();

	ir->mux_call_by_id = calloc(n ? n : 1, 1);
	if (!ir->mux_call_by_id)
		return -ENOMEM;
	for (unsigned i = 1; i < ARRAY_SIZE(socket_calls); i++) {
		int id = syscall_name_id(socket_calls[i]);

		if (id >= 0 && (unsigned)id < n)
			ir->mux_call_by_id[id] = (uint8_t)i;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ipc_calls); i++) {
		int id = syscall_name_id(ipc_calls[i].name);

		if (id >= 0 && (unsigned)id < n)
			ir->mux_call_by_id[id] = (uint8_t)(128 + ipc_calls[i].call);
	}
	return 0;
}

unsigned ir_arg_bits(enum cf_arch arch)
{
	const struct cf_arch_info *info;

	/* libseccomp declares these ABIs ARCH_SIZE_32 and compares only the low word */
	if (arch == CF_ARCH_X32 || arch == CF_ARCH_MIPS64N32 || arch == CF_ARCH_MIPSEL64N32)
		return 32;
	info = arch_info(arch);
	return info && info->bits == 64 ? 64 : 32;
}

/* ------------------------------------------------------------------------------------------- */
/* Word access and comparison, shared by the tree walker and the model */

uint32_t ir_data_word(const struct seccomp_data *d, uint32_t off, bool big_endian)
{
	uint64_t v;

	if (off == CF_OFF_NR)
		return (uint32_t)d->nr;
	if (off == CF_OFF_ARCH)
		return d->arch;
	v = off < 16 ? d->instruction_pointer : d->args[(off - 16) / 8];
	if ((off & 7u) == 0)
		return big_endian ? (uint32_t)(v >> 32) : (uint32_t)v;
	return big_endian ? (uint32_t)v : (uint32_t)(v >> 32);
}

bool ir_cmp_word(enum ir_cmp op, uint32_t v, uint32_t mask, uint32_t datum)
{
	switch (op) {
	case IR_CMP_EQ:
	case IR_CMP_MASKED_EQ:
		return (v & mask) == datum;
	case IR_CMP_GT:
		return (v & mask) > datum;
	case IR_CMP_GE:
		return (v & mask) >= datum;
	}
	return false;
}

/* ------------------------------------------------------------------------------------------- */
/* Tree construction (libseccomp src/db.c) */

static struct ir_node *node_new(struct cf_ir *ir)
{
	struct ir_node *n;

	if (ir->n_nodes == ir->cap_nodes) {
		size_t cap = ir->cap_nodes ? ir->cap_nodes * 2 : 256;
		struct ir_node **v = realloc(ir->nodes, cap * sizeof(*v));

		if (!v)
			return NULL;
		ir->nodes = v;
		ir->cap_nodes = cap;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->id = (unsigned)ir->n_nodes;
	n->org_t = n->org_f = -1;
	ir->nodes[ir->n_nodes++] = n;
	return n;
}

static unsigned arg_priority(const struct ir_node *a)
{
	return (a->arg << 1) + (a->hi ? 1 : 0);
}

static unsigned op_priority(enum cf_op op)
{
	switch (op) {
	case CF_OP_MASKED_EQ:
	case CF_OP_EQ:
	case CF_OP_NE:
		return 3;
	case CF_OP_LE:
	case CF_OP_LT:
		return 2;
	case CF_OP_GE:
	case CF_OP_GT:
		return 1;
	case CF_OP_COUNT:
	case CF_OP_INVALID:
		return 0;
	}
	return 0;
}

/* _db_chain_lt */
static bool chain_lt(const struct ir_node *a, const struct ir_node *b)
{
	unsigned pa = arg_priority(a), pb = arg_priority(b);

	if (pa != pb)
		return pa < pb;
	pa = op_priority(a->op_orig);
	pb = op_priority(b->op_orig);
	if (pa != pb)
		return pa < pb;
	if (a->op_orig == CF_OP_LE || a->op_orig == CF_OP_LT)
		return a->datum > b->datum;
	return a->datum < b->datum;
}

/* _db_chain_eq */
static bool chain_eq(const struct ir_node *a, const struct ir_node *b)
{
	return arg_priority(a) == arg_priority(b) && a->op == b->op && a->datum == b->datum &&
	       a->mask == b->mask;
}

static bool chain_leaf(const struct ir_node *n)
{
	return !n->nxt_t && !n->nxt_f;
}

/*
 * Reference counting as libseccomp does it: pruning and level cleanup decide by reference
 * counts, so the counts must be exact for the merged tree to come out the same. A node whose
 * count drops to zero is "freed": unlinked and marked dead, its memory stays in the pool.
 */
static struct ir_node *node_get(struct ir_node *n)
{
	if (n)
		n->refcnt++;
	return n;
}

static unsigned node_put(struct ir_node **node);

/* _db_level_clean */
static unsigned level_clean(struct ir_node *node)
{
	struct ir_node *n = node, *start;
	unsigned cnt = 0;

	while (n->lvl_prv)
		n = n->lvl_prv;
	start = n;
	for (; n; n = n->lvl_nxt) {
		unsigned links = (n->lvl_prv ? 1u : 0u) + (n->lvl_nxt ? 1u : 0u);

		if (n->refcnt > links)
			return cnt;
	}
	n = start;
	while (n)
		cnt += node_put(&n);
	return cnt;
}

/* _db_tree_put */
static unsigned tree_put(struct ir_node **tree)
{
	unsigned cnt = node_put(tree);

	if (*tree)
		cnt += level_clean(*tree);
	return cnt;
}

/* _db_node_put */
static unsigned node_put(struct ir_node **node)
{
	struct ir_node *n = *node, *lvl_p, *lvl_n, *nxt_t, *nxt_f;
	unsigned cnt = 0;

	if (!n)
		return 0;
	if (--n->refcnt == 0) {
		lvl_p = n->lvl_prv;
		lvl_n = n->lvl_nxt;
		nxt_t = n->nxt_t;
		nxt_f = n->nxt_f;
		if (lvl_p)
			lvl_p->lvl_nxt = NULL;
		if (lvl_n)
			lvl_n->lvl_prv = NULL;
		if (lvl_p)
			cnt += node_put(&lvl_p);
		if (lvl_n)
			cnt += node_put(&lvl_n);
		if (lvl_p)
			lvl_p->lvl_nxt = node_get(lvl_n);
		if (lvl_n)
			lvl_n->lvl_prv = node_get(lvl_p);
		if (lvl_p)
			*node = lvl_p;
		else if (lvl_n)
			*node = lvl_n;
		else
			*node = NULL;
		cnt += tree_put(&nxt_t);
		cnt += tree_put(&nxt_f);
		n->dead = true;
		n->lvl_prv = n->lvl_nxt = n->nxt_t = n->nxt_f = NULL;
		cnt++;
	}
	return cnt;
}

static bool chain_zombie(const struct ir_node *n)
{
	return chain_leaf(n) && !n->act_t_flg && !n->act_f_flg;
}

/* _db_tree_remove */
static unsigned tree_remove(struct ir_node **tree, struct ir_node *node)
{
	struct ir_node *c;
	unsigned cnt = 0;

	if (!tree || !*tree || !node)
		return 0;
	c = *tree;
	while (c->lvl_prv)
		c = c->lvl_prv;
	do {
		if (c == node)
			goto remove;
		cnt += tree_remove(&c->nxt_t, node);
		cnt += tree_remove(&c->nxt_f, node);
		if (chain_zombie(c))
			goto remove;
		c = c->lvl_nxt;
	} while (c && cnt == 0);
	return cnt;
remove:
	if (c == *tree)
		*tree = c->lvl_prv ? c->lvl_prv : c->lvl_nxt;
	if (c->lvl_prv)
		c->lvl_prv->lvl_nxt = c->lvl_nxt;
	if (c->lvl_nxt)
		c->lvl_nxt->lvl_prv = c->lvl_prv;
	c->lvl_prv = NULL;
	c->lvl_nxt = NULL;
	cnt += node_put(&c);
	return cnt;
}

/* _db_tree_act_check: 0 when every action in the tree equals `action` */
static int tree_act_check(const struct ir_node *tree, uint32_t action)
{
	if (!tree)
		return 0;
	while (tree->lvl_prv)
		tree = tree->lvl_prv;
	for (const struct ir_node *n = tree; n; n = n->lvl_nxt) {
		if (n->act_t_flg && n->act_t != action)
			return -EEXIST;
		if (n->act_f_flg && n->act_f != action)
			return -EEXIST;
		if (tree_act_check(n->nxt_t, action) < 0 || tree_act_check(n->nxt_f, action) < 0)
			return -EEXIST;
	}
	return 0;
}

#define IST_MATCH	0x001u
#define IST_MATCH_ONCE	0x002u
#define IST_X_FINISHED	0x010u
#define IST_N_FINISHED	0x020u
#define IST_X_PREFIX	0x100u
#define IST_N_PREFIX	0x200u
#define IST_M_MATCHSET	(IST_MATCH | IST_MATCH_ONCE)
#define IST_M_REDUNDANT (IST_MATCH | IST_X_FINISHED | IST_N_PREFIX)

struct iter_state {
	unsigned flags;
	uint32_t action;
	struct ir_sys *sx;
	int32_t conflict; /* rule behind an -EEXIST */
	bool merge_254; /* reproduce libseccomp <= 2.6.0 (tests only) */
};

/* _db_tree_prune: drop existing sub-trees that a shorter new rule with the same action covers */
static unsigned tree_prune(struct ir_node **existing, struct ir_node *new, struct iter_state *state)
{
	struct iter_state state_nxt, state_new = *state;
	struct ir_node *x = *existing, *n = new, *x_next;
	unsigned cnt = 0;

	if (!n || !x)
		goto out;
	if ((state->flags & IST_M_MATCHSET) == IST_MATCH_ONCE)
		goto out;
	while (x->lvl_prv)
		x = x->lvl_prv;
	do {
		x_next = x->lvl_nxt;
		if (chain_eq(x, n)) {
			state_new.flags |= IST_M_MATCHSET;
			if (chain_leaf(n))
				state_new.flags |= IST_N_FINISHED;
			if (chain_leaf(x))
				state_new.flags |= IST_X_FINISHED;
			if ((x->act_t_flg || x->nxt_t) && !(n->act_t_flg || n->nxt_t))
				goto out;
			if ((x->act_f_flg || x->nxt_f) && !(n->act_f_flg || n->nxt_f))
				goto out;
			if ((state_new.flags & IST_N_FINISHED) &&
			    (state_new.flags & IST_X_FINISHED)) {
				if (n->act_t_flg != x->act_t_flg || n->act_t != x->act_t)
					goto out;
				if (n->act_f_flg != x->act_f_flg || n->act_f != x->act_f)
					goto out;
			}
			if (n->nxt_t) {
				node_get(x);
				state_nxt = *state;
				state_nxt.flags |= IST_M_MATCHSET;
				cnt += tree_prune(&x->nxt_t, n->nxt_t, &state_nxt);
				cnt += node_put(&x);
				if (state_nxt.flags & IST_MATCH)
					state_new.flags |= state_nxt.flags;
				if (!x)
					goto next_node;
			}
			if (n->nxt_f) {
				node_get(x);
				state_nxt = *state;
				state_nxt.flags |= IST_M_MATCHSET;
				cnt += tree_prune(&x->nxt_f, n->nxt_f, &state_nxt);
				cnt += node_put(&x);
				if (state_nxt.flags & IST_MATCH)
					state_new.flags |= state_nxt.flags;
				if (!x)
					goto next_node;
			}
			if (!tree_act_check(x, state_new.action) && (state_new.flags & IST_MATCH) &&
			    (state_new.flags & IST_N_FINISHED) &&
			    (state_new.flags & IST_X_PREFIX)) {
				cnt += tree_remove(&state->sx->chains, x);
				if (!state->sx->chains)
					goto out;
			} else if (!tree_act_check(x, state_new.action) &&
				   (state_new.flags & IST_MATCH) &&
				   (state_new.flags & IST_X_FINISHED) &&
				   (state_new.flags & IST_N_PREFIX)) {
				goto out;
			}
		} else if (chain_lt(x, n)) {
			if (state->flags & IST_N_PREFIX)
				goto out;
			if (x->nxt_t) {
				node_get(x);
				state_nxt = *state;
				state_nxt.flags &= ~IST_MATCH;
				state_nxt.flags |= IST_X_PREFIX;
				cnt += tree_prune(&x->nxt_t, n, &state_nxt);
				cnt += node_put(&x);
				if (state_nxt.flags & IST_MATCH) {
					state_new.flags |= state_nxt.flags;
					goto out;
				}
				if (!x)
					goto next_node;
			}
			if (x->nxt_f) {
				node_get(x);
				state_nxt = *state;
				state_nxt.flags &= ~IST_MATCH;
				state_nxt.flags |= IST_X_PREFIX;
				cnt += tree_prune(&x->nxt_f, n, &state_nxt);
				cnt += node_put(&x);
				if (state_nxt.flags & IST_MATCH) {
					state_new.flags |= state_nxt.flags;
					goto out;
				}
				if (!x)
					goto next_node;
			}
		} else {
			if (state->flags & IST_X_PREFIX)
				goto out;
			if (n->nxt_t) {
				node_get(x);
				state_nxt = *state;
				state_nxt.flags &= ~IST_MATCH;
				state_nxt.flags |= IST_N_PREFIX;
				cnt += tree_prune(&x, n->nxt_t, &state_nxt);
				cnt += node_put(&x);
				if (state_nxt.flags & IST_MATCH) {
					state_new.flags |= state_nxt.flags;
					goto out;
				}
				if (!x)
					goto next_node;
			}
			if (n->nxt_f) {
				node_get(x);
				state_nxt = *state;
				state_nxt.flags &= ~IST_MATCH;
				state_nxt.flags |= IST_N_PREFIX;
				cnt += tree_prune(&x, n->nxt_f, &state_nxt);
				cnt += node_put(&x);
				if (state_nxt.flags & IST_MATCH) {
					state_new.flags |= state_nxt.flags;
					goto out;
				}
				if (!x)
					goto next_node;
			}
		}
next_node:
		x = x_next;
	} while (x);
	state_new.flags &= ~IST_MATCH;
out:
	if (state_new.flags & IST_MATCH)
		state->flags |= state_new.flags;
	else
		state->flags &= ~IST_MATCH;
	return cnt;
}

/* first rule found in a subtree, for conflict messages */
static int32_t tree_origin(const struct ir_node *n)
{
	return n ? n->origin : -1;
}

/* _db_tree_add, with libseccomp 2.6.1's fix of the 64-bit false-action merge */
static int tree_add(struct ir_node **existing, struct ir_node *new, struct iter_state *state)
{
	struct ir_node *x = *existing, *n = new;
	int r;

	do {
		if (chain_eq(x, n)) {
			if (n->act_t_flg) {
				if (!x->act_t_flg) {
					if (tree_act_check(x->nxt_t, n->act_t) != 0) {
						state->conflict = tree_origin(x->nxt_t);
						return -EEXIST;
					}
					node_put(&x->nxt_t);
					x->nxt_t = NULL;
					x->act_t = n->act_t;
					x->org_t = n->org_t;
					x->act_t_flg = true;
				} else if (n->act_t != x->act_t) {
					/* 64-bit GT/GE: the larger datum decides the upper word */
					if (n->hi && n->datum_full > x->datum_full) {
						x->act_t = n->act_t;
						x->org_t = n->org_t;
					}
					if (chain_leaf(x) || chain_leaf(n)) {
						state->conflict = x->org_t;
						return -EEXIST;
					}
				}
			}
			if (n->act_f_flg) {
				if (!x->act_f_flg) {
					if (tree_act_check(x->nxt_f, n->act_f) != 0) {
						state->conflict = tree_origin(x->nxt_f);
						return -EEXIST;
					}
					node_put(&x->nxt_f);
					x->nxt_f = NULL;
					x->act_f = n->act_f;
					x->org_f = n->org_f;
					x->act_f_flg = true;
				} else if (n->act_f != x->act_f) {
					if (n->hi && n->datum_full < x->datum_full &&
					    state->merge_254) {
						/* the defect GHSA-4q85-33p6-j5g6 fixed: kept for the
						 * oracle, which compares against 2.5.4 */
						x->act_t = n->act_t;
						x->org_t = n->org_t;
					} else if (n->hi && n->datum_full < x->datum_full) {
						x->act_f = n->act_f;
						x->org_f = n->org_f;
					}
					if (chain_leaf(x) || chain_leaf(n)) {
						state->conflict = x->org_f;
						return -EEXIST;
					}
				}
			}
			if (n->nxt_t) {
				if (x->nxt_t) {
					r = tree_add(&x->nxt_t, n->nxt_t, state);
					if (r != 0)
						return r;
				} else if (!x->act_t_flg)
					x->nxt_t = node_get(n->nxt_t);
				else
					return 0; /* the existing tree is shorter */
			}
			if (n->nxt_f) {
				if (x->nxt_f) {
					r = tree_add(&x->nxt_f, n->nxt_f, state);
					if (r != 0)
						return r;
				} else if (!x->act_f_flg)
					x->nxt_f = node_get(n->nxt_f);
				else
					return 0;
			}
			return 0;
		} else if (!chain_lt(x, n)) {
			if (!x->lvl_nxt) {
				n->lvl_prv = node_get(x);
				x->lvl_nxt = node_get(n);
				return 0;
			}
			x = x->lvl_nxt;
		} else {
			if (x->lvl_prv) {
				x->lvl_prv->lvl_nxt = node_get(n);
				n->lvl_prv = x->lvl_prv;
				x->lvl_prv = node_get(n);
				n->lvl_nxt = x;
			} else {
				x->lvl_prv = node_get(n);
				n->lvl_nxt = node_get(x);
			}
			if (*existing == x) {
				*existing = node_get(n);
				node_put(&x);
			}
			return 0;
		}
	} while (x);
	return 0;
}

static uint32_t lo32(uint64_t v)
{
	return (uint32_t)v;
}

static uint32_t hi32(uint64_t v)
{
	return (uint32_t)(v >> 32);
}

static struct ir_node *mk(struct cf_ir *ir, const struct ir_abi *abi, const struct ir_cond *c,
			  bool hi, int32_t origin)
{
	struct ir_node *n = node_new(ir);
	bool be = abi->info->big_endian;

	if (!n)
		return NULL;
	n->arg = c->arg;
	n->hi = hi;
	if (hi)
		n->off = CF_OFF_ARG(c->arg) + (be ? 0 : 4);
	else
		n->off = CF_OFF_ARG(c->arg) + (be ? 4 : 0);
	n->mask = hi ? hi32(c->mask) : lo32(c->mask);
	n->datum = (hi ? hi32(c->datum) : lo32(c->datum)) & n->mask;
	n->datum_full = c->datum;
	n->op_orig = c->op;
	n->origin = origin;
	return n;
}

/* _db_rule_gen_64: returns the chain head, or NULL with *ret_err == 0 for "unconditional" */
static struct ir_node *rule_gen_64(struct cf_ir *ir, const struct ir_abi *abi,
				   const struct ir_cond *conds, size_t n_conds, uint32_t action,
				   int32_t origin, int *ret_err)
{
	struct ir_node *head = NULL, *c[3] = { NULL, NULL, NULL }, *p[3] = { NULL, NULL, NULL };
	enum cf_op op_prev = CF_OP_EQ;

	*ret_err = 0;
	for (size_t i = 0; i < n_conds; i++) {
		const struct ir_cond *cd = &conds[i];

		if (cd->op == CF_OP_MASKED_EQ && hi32(cd->mask) == 0 && lo32(cd->mask) == 0)
			continue;
		c[0] = mk(ir, abi, cd, true, origin);
		c[1] = mk(ir, abi, cd,
			  cd->op == CF_OP_EQ || cd->op == CF_OP_NE || cd->op == CF_OP_MASKED_EQ ?
				  false :
				  true,
			  origin);
		c[2] = NULL;
		if (!c[0] || !c[1])
			goto oom;
		switch (cd->op) {
		case CF_OP_GT:
		case CF_OP_GE:
		case CF_OP_LE:
		case CF_OP_LT:
			c[2] = mk(ir, abi, cd, false, origin);
			if (!c[2])
				goto oom;
			c[0]->op = IR_CMP_GT;
			c[1]->op = IR_CMP_EQ;
			c[2]->op = cd->op == CF_OP_GT || cd->op == CF_OP_LE ? IR_CMP_GT : IR_CMP_GE;
			c[0]->nxt_f = node_get(c[1]);
			c[1]->nxt_t = node_get(c[2]);
			break;
		case CF_OP_EQ:
		case CF_OP_NE:
		case CF_OP_MASKED_EQ:
			c[0]->op = c[1]->op =
				cd->op == CF_OP_MASKED_EQ ? IR_CMP_MASKED_EQ : IR_CMP_EQ;
			c[0]->nxt_t = node_get(c[1]);
			break;
		case CF_OP_COUNT:
		case CF_OP_INVALID:
			*ret_err = -EINVAL;
			return NULL;
		}
		if (p[0]) {
			switch (op_prev) {
			case CF_OP_GT:
			case CF_OP_GE:
				p[0]->nxt_t = node_get(c[0]);
				p[2]->nxt_t = node_get(c[0]);
				break;
			case CF_OP_EQ:
			case CF_OP_MASKED_EQ:
				p[1]->nxt_t = node_get(c[0]);
				break;
			case CF_OP_LE:
			case CF_OP_LT:
				p[1]->nxt_f = node_get(c[0]);
				p[2]->nxt_f = node_get(c[0]);
				break;
			case CF_OP_NE:
				p[0]->nxt_f = node_get(c[0]);
				p[1]->nxt_f = node_get(c[0]);
				break;
			case CF_OP_COUNT:
			case CF_OP_INVALID:
				*ret_err = -EINVAL;
				return NULL;
			}
		} else
			head = node_get(c[0]);
		memcpy(p, c, sizeof(p));
		op_prev = cd->op;
	}
	if (!head)
		return NULL;
	switch (op_prev) {
	case CF_OP_GT:
	case CF_OP_GE:
		p[0]->act_t_flg = p[2]->act_t_flg = true;
		p[0]->act_t = p[2]->act_t = action;
		p[0]->org_t = p[2]->org_t = origin;
		break;
	case CF_OP_LE:
	case CF_OP_LT:
		p[1]->act_f_flg = p[2]->act_f_flg = true;
		p[1]->act_f = p[2]->act_f = action;
		p[1]->org_f = p[2]->org_f = origin;
		break;
	case CF_OP_EQ:
	case CF_OP_MASKED_EQ:
		p[1]->act_t_flg = true;
		p[1]->act_t = action;
		p[1]->org_t = origin;
		break;
	case CF_OP_NE:
		p[0]->act_f_flg = p[1]->act_f_flg = true;
		p[0]->act_f = p[1]->act_f = action;
		p[0]->org_f = p[1]->org_f = origin;
		break;
	case CF_OP_COUNT:
	case CF_OP_INVALID:
		*ret_err = -EINVAL;
		return NULL;
	}
	return head;
oom:
	*ret_err = -ENOMEM;
	return NULL;
}

/* _db_rule_gen_32: only the low word; NE/LT/LE become EQ/GE/GT with the exits swapped */
static struct ir_node *rule_gen_32(struct cf_ir *ir, const struct ir_abi *abi,
				   const struct ir_cond *conds, size_t n_conds, uint32_t action,
				   int32_t origin, int *ret_err)
{
	struct ir_node *head = NULL, *prev = NULL, *c = NULL;
	bool tf = true;

	*ret_err = 0;
	for (size_t i = 0; i < n_conds; i++) {
		const struct ir_cond *cd = &conds[i];

		if (cd->op == CF_OP_MASKED_EQ && lo32(cd->mask) == 0)
			continue;
		c = mk(ir, abi, cd, false, origin);
		if (!c) {
			*ret_err = -ENOMEM;
			return NULL;
		}
		if (prev) {
			if (tf)
				prev->nxt_t = node_get(c);
			else
				prev->nxt_f = node_get(c);
		} else
			head = node_get(c);
		switch (cd->op) {
		case CF_OP_NE:
			c->op = IR_CMP_EQ;
			tf = false;
			break;
		case CF_OP_LT:
			c->op = IR_CMP_GE;
			tf = false;
			break;
		case CF_OP_LE:
			c->op = IR_CMP_GT;
			tf = false;
			break;
		case CF_OP_EQ:
			c->op = IR_CMP_EQ;
			tf = true;
			break;
		case CF_OP_GE:
			c->op = IR_CMP_GE;
			tf = true;
			break;
		case CF_OP_GT:
			c->op = IR_CMP_GT;
			tf = true;
			break;
		case CF_OP_MASKED_EQ:
			c->op = IR_CMP_MASKED_EQ;
			tf = true;
			break;
		case CF_OP_COUNT:
		case CF_OP_INVALID:
			*ret_err = -EINVAL;
			return NULL;
		}
		prev = c;
	}
	if (!head)
		return NULL;
	if (tf) {
		c->act_t_flg = true;
		c->act_t = action;
		c->org_t = origin;
	} else {
		c->act_f_flg = true;
		c->act_f = action;
		c->org_f = origin;
	}
	return head;
}

/* ------------------------------------------------------------------------------------------- */
/* Per-ABI syscall list */

static int32_t *index_slot(const struct ir_abi *abi, uint32_t nr)
{
	uint32_t base = abi->info->nr_base;

	if (nr < base || nr - base >= abi->index_n)
		return NULL;
	return &abi->index[nr - base];
}

const struct ir_sys *ir_find_sys(const struct ir_abi *abi, uint32_t nr)
{
	const int32_t *slot = index_slot(abi, nr);

	return slot && *slot >= 0 ? &abi->sys[*slot] : NULL;
}

static int contrib_add(struct ir_sys *s, const struct ir_contrib *c)
{
	if (s->n_contribs == s->cap_contribs) {
		size_t cap = s->cap_contribs ? s->cap_contribs * 2 : 2;
		struct ir_contrib *v = realloc(s->contribs, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->contribs = v;
		s->cap_contribs = cap;
	}
	s->contribs[s->n_contribs++] = *c;
	return 0;
}

static int phantom_slot(struct ir_abi *abi, int id, struct ir_sys **ret)
{
	if (!abi->phantom_index) {
		unsigned n = syscall_n_ids();

		abi->phantom_index = malloc((n ? n : 1) * sizeof(*abi->phantom_index));
		if (!abi->phantom_index)
			return -ENOMEM;
		memset(abi->phantom_index, 0xff, (n ? n : 1) * sizeof(*abi->phantom_index));
	}
	if (abi->phantom_index[id] >= 0) {
		*ret = &abi->phantom[abi->phantom_index[id]];
		return 0;
	}
	if (abi->n_phantom == abi->cap_phantom) {
		size_t cap = abi->cap_phantom ? abi->cap_phantom * 2 : 8;
		struct ir_sys *v = realloc(abi->phantom, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		abi->phantom = v;
		abi->cap_phantom = cap;
	}
	abi->phantom_index[id] = (int32_t)abi->n_phantom;
	*ret = &abi->phantom[abi->n_phantom];
	memset(*ret, 0, sizeof(**ret));
	(*ret)->nr = (uint32_t)abi->n_phantom++;
	return 1;
}

/* Keep a rule of a conditional entry for the model. */
static int contrib_keep(struct ir_sys *s, const struct ir_cond *conds, size_t n_conds,
			uint32_t action, int32_t origin)
{
	struct ir_contrib c = { .origin = origin, .ret = action, .n_conds = n_conds };

	memcpy(c.conds, conds, n_conds * sizeof(*conds));
	return contrib_add(s, &c);
}

/* db_rule_add; phantom_id >= 0: merge into the pseudo entry of a name this ABI lacks */
static int db_rule_add(struct cf_ir *ir, struct ir_abi *abi, uint32_t nr, int phantom_id,
		       const struct ir_cond *conds, size_t n_conds, uint32_t action, int32_t origin,
		       int32_t *ret_conflict)
{
	struct iter_state state;
	struct ir_node *chain;
	struct ir_sys *s;
	int32_t *slot;
	bool rm_flag = false;
	int r;

	if (abi->arg_bits == 64)
		chain = rule_gen_64(ir, abi, conds, n_conds, action, origin, &r);
	else
		chain = rule_gen_32(ir, abi, conds, n_conds, action, origin, &r);
	if (r < 0)
		return r;
	if (phantom_id >= 0) {
		r = phantom_slot(abi, phantom_id, &s);
		if (r < 0)
			return r;
		if (r > 0) {
			s->chains = chain;
			s->action = action;
			s->origin = origin;
			return 0;
		}
		goto merge;
	}
	slot = index_slot(abi, nr);
	if (!slot)
		return -EINVAL; /* numbers come from the ABI's own table */
	if (*slot < 0) {
		if (abi->n_sys == abi->cap_sys) {
			size_t cap = abi->cap_sys ? abi->cap_sys * 2 : 64;
			struct ir_sys *v = realloc(abi->sys, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			abi->sys = v;
			abi->cap_sys = cap;
		}
		*slot = (int32_t)abi->n_sys;
		s = &abi->sys[abi->n_sys++];
		memset(s, 0, sizeof(*s));
		s->nr = nr;
		s->chains = chain;
		s->action = action;
		s->origin = origin;
		/* the rules of a conditional entry are kept for the model; see struct ir_sys */
		return chain ? contrib_keep(s, conds, n_conds, action, origin) : 0;
	}
	s = &abi->sys[*slot];
	if (s->chains && chain) {
		r = contrib_keep(s, conds, n_conds, action, origin);
		if (r < 0)
			return r;
	}
merge:
add_reset:
	if (!s->chains) {
		if (rm_flag) {
			/* pruning emptied the entry: the new rule takes it */
			s->chains = chain;
			s->action = action;
			s->origin = origin;
			return 0;
		}
		/* an unconditional entry already decides: the new rule changes nothing */
		tree_put(&chain);
		return 0;
	}
	if (!chain) {
		/* a later unconditional rule replaces the conditional ones */
		tree_put(&s->chains);
		s->chains = NULL;
		s->n_contribs = 0;
		s->action = action;
		s->origin = origin;
		return 0;
	}
	memset(&state, 0, sizeof(state));
	state.sx = s;
	state.action = action;
	state.conflict = -1;
	if (tree_prune(&s->chains, chain, &state) > 0) {
		rm_flag = true;
		if (!s->chains)
			goto add_reset;
	} else if ((state.flags & IST_M_REDUNDANT) == IST_M_REDUNDANT) {
		/* libseccomp judged the existing tree shorter and drops the new rule */
		tree_put(&chain);
		return 0;
	}
	memset(&state, 0, sizeof(state));
	state.sx = s;
	state.conflict = -1;
	state.merge_254 = ir->merge_254;
	r = tree_add(&s->chains, chain, &state);
	if (r < 0) {
		*ret_conflict = state.conflict;
		return r;
	}
	tree_put(&chain);
	return 0;
}

/* arch_filter_rule_add + abi_rule_add for one name (id, -1: unknown) on one ABI (nr, <0: none) */
static int abi_rule_add(struct cf_ir *ir, struct ir_abi *abi, int id, int nr,
			const struct ir_cond *conds, size_t n_conds, uint32_t action,
			int32_t origin, int32_t *ret_conflict)
{
	unsigned call = id >= 0 && arch_has_mux(abi->arch) ? ir->mux_call_by_id[id] : 0;
	int r;

	if (call) {
		int mux = call >= 128 ? abi->mux_ipc : abi->mux_socketcall;

		if (mux >= 0) {
			/* the companion rule: arg0 of the multiplexer is the call number */
			struct ir_cond mc[6];
			size_t n = 0;

			mc[n++] = (struct ir_cond){ .arg = 0,
						    .op = CF_OP_EQ,
						    .mask = UINT64_MAX,
						    .datum = call >= 128 ? call - 128 : call };
			for (size_t i = 0; i < n_conds; i++)
				if (conds[i].arg != 0)
					mc[n++] = conds[i];
			r = db_rule_add(ir, abi, (uint32_t)mux, -1, mc, n, action, origin,
					ret_conflict);
			if (r < 0)
				return r;
		}
	}
	if (nr < 0) {
		/* libseccomp knows the name elsewhere: arches without a multiplexer hook merge it
		 * under a pseudo number (refusing conflicts there); abi_rule_add drops it */
		if (arch_has_mux(abi->arch) || id < 0)
			return 0;
		return db_rule_add(ir, abi, 0, id, conds, n_conds, action, origin, ret_conflict);
	}
	return db_rule_add(ir, abi, (uint32_t)nr, -1, conds, n_conds, action, origin, ret_conflict);
}

static uint32_t rule_ret(const struct cf_rule *rule)
{
	return cf_action_ret(rule->action, rule->has_errno ? rule->errno_ret : EPERM);
}

static int conflict_diag(const struct cf_resolved *r, size_t i, const char *name, int32_t other,
			 struct cf_diag *reterr)
{
	const struct cf_rule *rule = r->rules[i].rule;
	const char *src = r->profile && r->profile->source ? r->profile->source : "<profile>";
	char path[64];

	snprintf(path, sizeof(path), "/syscalls/%zu", r->rules[i].index);
	diag_set(reterr, EINVAL, src, rule->pos.line, rule->pos.column, path,
		 "rule #%zu gives \"%s\" a different action than rule #%d for the same argument "
		 "values; libseccomp (and so runc) refuses this profile",
		 r->rules[i].index, name, other);
	diag_hint(reterr, "make the conditions of the two rules disjoint, or give them the same "
			  "action");
	return -EINVAL;
}

static int add_rule(struct cf_ir *ir, size_t i, struct cf_diag *reterr)
{
	const struct cf_resolved *r = ir->r;
	const struct cf_rule *rule = r->rules[i].rule;
	int32_t origin = (int32_t)r->rules[i].index;
	uint32_t ret = rule_ret(rule);
	bool skip = ret == ir->default_ret, split = false;
	struct ir_cond conds[6];
	unsigned seen = 0;
	size_t n_conds = 0;

	for (size_t a = 0; a < rule->n_args; a++) {
		const struct cf_arg *arg = &rule->args[a];

		if (arg->index > 5)
			return diag_set(reterr, EINVAL, r->profile ? r->profile->source : NULL,
					arg->pos.line, arg->pos.column, NULL,
					"argument index %u: syscalls only have up to 6 arguments",
					arg->index);
		if (seen & (1u << arg->index))
			split = true;
		seen |= 1u << arg->index;
	}

	for (size_t n = 0; n < rule->n_names; n++) {
		const char *name = rule->names[n];
		int id = syscall_name_id(name), nrs[CF_ARCH_COUNT];
		size_t n_rules = split ? rule->n_args : 1;

		for (size_t k = 0; k < ir->n_abis; k++) {
			struct ir_abi *abi = &ir->abis[k];
			int nr = id >= 0 ? syscall_resolve_id(abi->arch, id) : -ENOENT;

			nrs[k] = nr;
			if (nr >= 0 && (!abi->has_named || (uint32_t)nr > abi->max_named)) {
				abi->has_named = true;
				abi->max_named = (uint32_t)nr;
			}
			if (nr >= 0 && rule->action == CF_ACT_NOTIFY && !skip)
				ir->needs_listener = true;
		}
		if (skip)
			continue;
		for (size_t s = 0; s < n_rules; s++) {
			n_conds = 0;
			/* libseccomp orders a rule's conditions by argument index */
			for (unsigned idx = 0; idx < 6; idx++)
				for (size_t a = 0; a < rule->n_args; a++) {
					const struct cf_arg *arg = &rule->args[a];

					if (arg->index != idx || (split && a != s))
						continue;
					conds[n_conds++] = (struct ir_cond){
						.arg = idx,
						.op = arg->op,
						.mask = arg->op == CF_OP_MASKED_EQ ? arg->value :
										     UINT64_MAX,
						.datum = arg->op == CF_OP_MASKED_EQ ?
								 arg->value_two :
								 arg->value,
					};
				}
			for (size_t k = 0; k < ir->n_abis; k++) {
				int32_t conflict = -1;
				int q = abi_rule_add(ir, &ir->abis[k], id, nrs[k], conds, n_conds,
						     ret, origin, &conflict);

				if (q == -EEXIST)
					return conflict_diag(r, i, name, conflict, reterr);
				if (q < 0)
					return q;
			}
		}
	}
	return 0;
}

static unsigned filter_flags(const struct cf_ir *ir)
{
	const struct cf_resolved *r = ir->r;
	unsigned f = 0;

	if (r->flags & CF_FLAG_LOG)
		f |= SECCOMP_FILTER_FLAG_LOG;
	if (r->flags & CF_FLAG_SPEC_ALLOW)
		f |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	/* the kernel accepts WAIT_KILLABLE_RECV only with a listener (libseccomp drops it too) */
	if ((r->flags & CF_FLAG_WAIT_KILLABLE_RECV) && ir->needs_listener)
		f |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	if (ir->needs_listener)
		f |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	/* runc adds SPEC_ALLOW when the profile has no "flags" key; TSYNC is a no-op there */
	if (!r->profile || !r->profile->has_flags)
		f |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	return f;
}

/* Entries were appended in rule order: order them by number through the index. */
static int sort_entries(struct ir_abi *abi)
{
	struct ir_sys *sorted;
	size_t n = 0;

	if (abi->n_sys == 0)
		return 0;
	sorted = malloc(abi->n_sys * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	for (uint32_t i = 0; i < abi->index_n; i++)
		if (abi->index[i] >= 0) {
			sorted[n] = abi->sys[abi->index[i]];
			abi->index[i] = (int32_t)n++;
		}
	free(abi->sys);
	abi->sys = sorted;
	abi->cap_sys = n;
	return 0;
}

static int abi_init(struct ir_abi *abi, enum cf_arch arch, const struct cf_arch_info *info)
{
	int max = syscall_max_nr(arch);

	abi->arch = arch;
	abi->info = info;
	abi->arg_bits = ir_arg_bits(arch);
	if (max < 0 || (uint32_t)max < info->nr_base)
		return -EINVAL;
	abi->index_n = (uint32_t)max - info->nr_base + 1;
	abi->index = malloc(abi->index_n * sizeof(*abi->index));
	if (!abi->index)
		return -ENOMEM;
	memset(abi->index, 0xff, abi->index_n * sizeof(*abi->index));
	abi->mux_socketcall = syscall_resolve_name(arch, "socketcall");
	abi->mux_ipc = syscall_resolve_name(arch, "ipc");
	return 0;
}

int ir_build(const struct cf_resolved *r, struct cf_ir **ret, struct cf_diag *reterr)
{
	return ir_build_compat(r, false, ret, reterr);
}

int ir_build_compat(const struct cf_resolved *r, bool libseccomp_254, struct cf_ir **ret,
		    struct cf_diag *reterr)
{
	cleanup(ir_freep) struct cf_ir *ir = NULL;
	bool stub = false;
	int q;

	if (!r || !ret)
		return -EINVAL;
	if (r->n_arches == 0 || r->n_arches > CF_ARCH_COUNT)
		return diag_set(reterr, EINVAL, r->profile ? r->profile->source : NULL, 0, 0, NULL,
				"the filter accepts no architecture");
	ir = calloc(1, sizeof(*ir));
	if (!ir)
		return -ENOMEM;
	ir->r = r;
	ir->merge_254 = libseccomp_254;
	ir->default_ret = cf_action_ret(r->default_action, r->default_errno);
	ir->bad_arch_ret = SECCOMP_RET_KILL_THREAD;
	ir->enosys_ret = SECCOMP_RET_ERRNO | ENOSYS;
	for (size_t i = 0; i < r->n_arches; i++) {
		const struct cf_arch_info *info = arch_info(r->arches[i]);
		bool dup = false;

		if (!info || !info->has_table)
			return diag_set(reterr, EINVAL, r->profile ? r->profile->source : NULL, 0,
					0, "/architectures", "architecture %d has no syscall table",
					(int)r->arches[i]);
		for (size_t k = 0; k < ir->n_abis; k++)
			dup |= ir->abis[k].arch == r->arches[i];
		if (dup)
			continue;
		q = abi_init(&ir->abis[ir->n_abis], r->arches[i], info);
		if (q < 0)
			return q;
		ir->n_abis++;
	}
	q = mux_table(ir);
	if (q < 0)
		return q;

	for (size_t i = 0; i < r->n_rules; i++) {
		if (!r->rules[i].active)
			continue;
		q = add_rule(ir, i, reterr);
		if (q < 0)
			return q;
	}

	/* runc's -ENOSYS stub (patchbpf/enosys_linux.go generatePatch) */
	switch (r->default_action) {
	case CF_ACT_ALLOW:
	case CF_ACT_LOG:
	case CF_ACT_TRACE:
		stub = false;
		break;
	case CF_ACT_KILL:
	case CF_ACT_KILL_THREAD:
	case CF_ACT_KILL_PROCESS:
	case CF_ACT_TRAP:
	case CF_ACT_ERRNO:
	case CF_ACT_NOTIFY:
	case CF_ACT_COUNT:
	case CF_ACT_INVALID:
		stub = r->default_errno != ENOSYS;
		break;
	}
	for (size_t k = 0; k < ir->n_abis; k++) {
		struct ir_abi *abi = &ir->abis[k];

		abi->enosys = stub && abi->has_named;
		q = sort_entries(abi);
		if (q < 0)
			return q;
	}
	ir->seccomp_flags = filter_flags(ir);
	*ret = TAKE_PTR(ir);
	return 0;
}

struct cf_ir *ir_free(struct cf_ir *ir)
{
	if (!ir)
		return NULL;
	for (size_t i = 0; i < ir->n_nodes; i++)
		free(ir->nodes[i]);
	free(ir->nodes);
	free(ir->mux_call_by_id);
	for (size_t k = 0; k < ir->n_abis; k++) {
		for (size_t s = 0; s < ir->abis[k].n_sys; s++)
			free(ir->abis[k].sys[s].contribs);
		free(ir->abis[k].sys);
		free(ir->abis[k].phantom);
		free(ir->abis[k].phantom_index);
		free(ir->abis[k].index);
	}
	free(ir);
	return NULL;
}

const struct ir_abi *ir_abi_for(const struct cf_ir *ir, uint32_t audit_arch, uint32_t nr)
{
	const struct ir_abi *native64 = NULL, *x32 = NULL;

	for (size_t k = 0; k < ir->n_abis; k++) {
		const struct ir_abi *abi = &ir->abis[k];

		if (abi->info->audit_arch != audit_arch)
			continue;
		if (abi->arch == CF_ARCH_X32)
			x32 = abi;
		else if (abi->arch == CF_ARCH_X86_64)
			native64 = abi;
		else
			return abi;
	}
	if (!native64 && !x32)
		return NULL;
	/* x86_64 and x32 share AUDIT_ARCH_X86_64; x32 numbers carry bit 30 */
	if (nr == UINT32_MAX)
		/* the tracer's "skip" value belongs to whichever ABI is there (x32 first) */
		return x32 ? x32 : native64;
	/* libseccomp splits the number space at 0x40000000 (JGE), not on the bit alone */
	return nr >= CF_X32_SYSCALL_BIT ? x32 : native64;
}

/* gen_bpf's reading of a level: nodes in order, a branch without target falls to the next */
bool ir_tree_eval(const struct ir_node *chain, const struct seccomp_data *d, uint32_t *ret,
		  int32_t *ret_origin)
{
	bool be = !(d->arch & __AUDIT_ARCH_LE);

	if (!chain)
		return false;
	while (chain->lvl_prv)
		chain = chain->lvl_prv;
	for (const struct ir_node *n = chain; n; n = n->lvl_nxt) {
		bool t = ir_cmp_word(n->op, ir_data_word(d, n->off, be), n->mask, n->datum);
		const struct ir_node *next = t ? n->nxt_t : n->nxt_f;

		if (next) {
			if (ir_tree_eval(next, d, ret, ret_origin))
				return true;
			continue;
		}
		if (t && n->act_t_flg) {
			*ret = n->act_t;
			*ret_origin = n->org_t;
			return true;
		}
		if (!t && n->act_f_flg) {
			*ret = n->act_f;
			*ret_origin = n->org_f;
			return true;
		}
	}
	return false;
}
