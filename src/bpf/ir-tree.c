/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libseccomp's per-syscall rule tree (src/db.c), step by step: _db_rule_gen_64/_32 turn one rule
 * into a chain of 32-bit comparisons, _db_tree_prune drops what a shorter new rule with the same
 * action makes redundant, _db_tree_add merges the chain into the existing tree; reference
 * counting included, because pruning decides by it. The 64-bit false-action merge is libseccomp
 * 2.6.1's (GHSA-4q85-33p6-j5g6), unless the IR asks for 2.5.4's (the oracle does).
 */
#include "bpf/ir-tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/insn.h"
#include "bpf/ir-level.h"

/* ------------------------------------------------------------------------------------------- */
/* Tree construction (libseccomp src/db.c) */

static struct ir_node *node_new(struct cf_ir *ir)
{
	struct ir_node_block *b = ir->blocks;
	struct ir_node *n;

	if (!b || b->used == ARRAY_SIZE(b->v)) {
		b = malloc(sizeof(*b));
		if (!b)
			return NULL;
		b->next = ir->blocks;
		b->used = 0;
		ir->blocks = b;
	}
	n = &b->v[b->used++];
	memset(n, 0, sizeof(*n));
	n->id = (unsigned)ir->n_nodes++;
	n->org_t = n->org_f = -1;
	n->ir = ir;
	return n;
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

/*
 * libseccomp can corrupt its own tree (a level list that links back to itself, a reference
 * count below zero) and then never returns. Every step of the emulated tree walks burns fuel;
 * an exhausted tank means "libseccomp would hang here" and the build fails.
 */
static bool fuel(const struct ir_node *n)
{
	struct cf_ir *ir = n->ir;

	if (ir->fuel == 0) {
		ir->refcount_broken = true;
		return false;
	}
	ir->fuel--;
	return true;
}

/*
 * The first node of x's level: libseccomp walks lvl_prv there; an indexed level knows it (the
 * walk's fuel only runs out on a broken level, and broken levels are never indexed).
 */
static struct ir_node *level_head(struct ir_node *x)
{
	const struct ir_level *lv = ir_level_cur(x);

	if (lv)
		return lv->first;
	while (x->lvl_prv && fuel(x))
		x = x->lvl_prv;
	return x;
}

/* _db_level_clean */
static unsigned level_clean(struct ir_node *node)
{
	struct ir_node *n = level_head(node), *start = n;
	unsigned cnt = 0;

	for (; n && fuel(n); n = n->lvl_nxt) {
		unsigned links = (n->lvl_prv ? 1u : 0u) + (n->lvl_nxt ? 1u : 0u);

		if (n->refcnt > links)
			return cnt;
	}
	n = start;
	while (n && fuel(n)) {
		struct ir_node *before = n;

		cnt += node_put(&n);
		if (n == before && n->refcnt == 0) {
			/* libseccomp's count wraps around here and it loops for good */
			n->ir->refcount_broken = true;
			break;
		}
	}
	return cnt;
}

/* _db_tree_put */
unsigned ir_tree_put(struct ir_node **tree)
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
	if (n->refcnt == 0) {
		n->ir->refcount_broken = true;
		return 0;
	}
	if (--n->refcnt == 0) {
		/* its level changes: the indexes no longer describe it */
		if (ir_level_tracked(n))
			ir_level_dirty(n->ir);
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
		cnt += ir_tree_put(&nxt_t);
		cnt += ir_tree_put(&nxt_f);
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
	c = level_head(*tree);
	do {
		if (!fuel(c))
			return cnt;
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
	if (ir_level_tracked(c))
		ir_level_dirty(c->ir);
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
static int tree_act_check(struct ir_node *tree, uint32_t action)
{
	if (!tree)
		return 0;
	for (const struct ir_node *n = level_head(tree); n; n = n->lvl_nxt) {
		if (!fuel(n))
			return -EEXIST;
		if (n->act_t_flg && n->act_t != action)
			return -EEXIST;
		if (n->act_f_flg && n->act_f != action)
			return -EEXIST;
		if (tree_act_check(n->nxt_t, action) < 0 || tree_act_check(n->nxt_f, action) < 0)
			return -EEXIST;
	}
	return 0;
}

/*
 * Which nodes of a level _db_tree_prune's walk can skip for a new node n, the state's flags
 * given. A node other than the one chain_eq n (an index holds at most one):
 * - not chain_lt n ("gt"): X_PREFIX ends the walk there (not skippable); else the walk searches
 *   n's sub-levels from this level's head again: nothing when n is a leaf or MATCH_ONCE ends
 *   the search at once, and for every later gt node the same as for the first one (the search
 *   starts at the head, whichever node asks);
 * - chain_lt n ("lt"): N_PREFIX stops the walk there (not skippable); else it searches the
 *   node's sub-levels for n, which only finds something where a node chain_eq n is below this
 *   level: never with MATCH_ONCE, in a level without sub-levels, or when no node below has n's
 *   argument priority (known while the tree has no shared sub-levels, see ir_sys.dag).
 * In a sorted level the gt nodes come first: the walk jumps over runs of skippable nodes to
 * the equal node, the first lt node, or the end. Any change to the level ends the jumping.
 */
struct prune_skip {
	struct ir_level *lv; /* NULL: walk every node */
	unsigned gen;
	const struct ir_node *n;
	struct ir_node *eq, *lt; /* the node chain_eq n, the first node chain_lt n */
	bool eq_seen, gt_noop, lt_noop;
};

static void skip_init(struct prune_skip *sk, struct ir_node *head, const struct ir_node *n,
		      const struct iter_state *state)
{
	unsigned f = state->flags;

	memset(sk, 0, sizeof(*sk));
	sk->lv = ir_level_of(head);
	if (!sk->lv)
		return;
	sk->gen = head->ir->lvl_gen;
	sk->n = n;
	ir_level_find(sk->lv, n, &sk->eq, &sk->lt);
	sk->gt_noop = !(f & IST_X_PREFIX) && (chain_leaf(n) || (f & IST_MATCH_ONCE));
	sk->lt_noop = !(f & IST_N_PREFIX) &&
		      ((f & IST_MATCH_ONCE) || sk->lv->n_kids == 0 ||
		       (!state->sx->dag && !(ir_level_below(sk->lv) & (1u << ir_arg_priority(n)))));
}

/* x, or the next node the walk must visit (NULL: none, the walk ends as at the level's end) */
static struct ir_node *skip_next(struct prune_skip *sk, struct ir_node *x)
{
	if (!sk->lv)
		return x;
	if (x->ir->lvl_gen != sk->gen) {
		/* the level changed: walk the rest of it as libseccomp does */
		sk->lv = NULL;
		return x;
	}
	/* jumps never pass the equal node: if it was not visited yet, it lies ahead */
	while (x && x != sk->eq) {
		if (!ir_chain_lt(x, sk->n)) {
			if (!sk->gt_noop)
				return x;
			if (sk->eq && !sk->eq_seen && !ir_chain_lt(sk->eq, sk->n))
				x = sk->eq;
			else
				x = sk->lt;
		} else {
			if (!sk->lt_noop)
				return x;
			x = sk->eq && !sk->eq_seen ? sk->eq : NULL;
		}
	}
	if (x)
		sk->eq_seen = true;
	return x;
}

/* _db_tree_prune: drop existing sub-trees that a shorter new rule with the same action covers */
unsigned ir_tree_prune(struct ir_node **existing, struct ir_node *new, struct iter_state *state)
{
	struct iter_state state_nxt, state_new = *state;
	struct ir_node *x = *existing, *n = new, *x_next;
	struct prune_skip sk;
	unsigned cnt = 0, cnt0;

	if (!n || !x)
		goto out;
	if ((state->flags & IST_M_MATCHSET) == IST_MATCH_ONCE)
		goto out;
	x = level_head(x);
	skip_init(&sk, x, n, state);
	do {
		x = skip_next(&sk, x);
		if (!x)
			break;
		if (!fuel(x))
			goto out;
		x_next = x->lvl_nxt;
		if (ir_chain_eq(x, n)) {
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
				cnt += ir_tree_prune(&x->nxt_t, n->nxt_t, &state_nxt);
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
				cnt += ir_tree_prune(&x->nxt_f, n->nxt_f, &state_nxt);
				cnt += node_put(&x);
				if (state_nxt.flags & IST_MATCH)
					state_new.flags |= state_nxt.flags;
				if (!x)
					goto next_node;
			}
			/*
			 * libseccomp checks the actions first; that walks x's whole level and has
			 * no effect unless one of these holds (it only reads the tree)
			 */
			bool n_done = (state_new.flags & IST_MATCH) &&
				      (state_new.flags & IST_N_FINISHED) &&
				      (state_new.flags & IST_X_PREFIX);
			bool x_done = (state_new.flags & IST_MATCH) &&
				      (state_new.flags & IST_X_FINISHED) &&
				      (state_new.flags & IST_N_PREFIX);

			if ((n_done || x_done) && !tree_act_check(x, state_new.action)) {
				if (n_done) {
					cnt += tree_remove(&state->sx->chains, x);
					if (!state->sx->chains)
						goto out;
				} else
					goto out;
			}
		} else if (ir_chain_lt(x, n)) {
			if (state->flags & IST_N_PREFIX)
				goto out;
			if (x->nxt_t) {
				node_get(x);
				state_nxt = *state;
				state_nxt.flags &= ~IST_MATCH;
				state_nxt.flags |= IST_X_PREFIX;
				cnt += ir_tree_prune(&x->nxt_t, n, &state_nxt);
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
				cnt += ir_tree_prune(&x->nxt_f, n, &state_nxt);
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
			cnt0 = cnt;
			if (n->nxt_t) {
				node_get(x);
				state_nxt = *state;
				state_nxt.flags &= ~IST_MATCH;
				state_nxt.flags |= IST_N_PREFIX;
				cnt += ir_tree_prune(&x, n->nxt_t, &state_nxt);
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
				cnt += ir_tree_prune(&x, n->nxt_f, &state_nxt);
				cnt += node_put(&x);
				if (state_nxt.flags & IST_MATCH) {
					state_new.flags |= state_nxt.flags;
					goto out;
				}
				if (!x)
					goto next_node;
			}
			/* no effect: neither will the same searches from the next such node */
			if (cnt == cnt0)
				sk.gt_noop = true;
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

/*
 * The argument priorities below n in its (new) chain: what merging n brings below its level.
 * Only asked for trees without shared sub-levels (ir_sys.dag), where a chain is a path of at
 * most 18 nodes (6 conditions of 3) that keeps its nxt links while merged; anything deeper is
 * a chain this code did not build: all priorities.
 */
static uint32_t chain_below(const struct ir_node *n, unsigned depth)
{
	uint32_t m = 0;

	if (depth > 18)
		return UINT32_MAX;
	if (n->nxt_t)
		m |= (1u << ir_arg_priority(n->nxt_t)) | chain_below(n->nxt_t, depth + 1);
	if (n->nxt_f)
		m |= (1u << ir_arg_priority(n->nxt_f)) | chain_below(n->nxt_f, depth + 1);
	return m;
}

/* _db_tree_add's merge of n into the existing node x that is chain_eq to it */
static int add_merge(struct ir_node *x, struct ir_node *n, struct iter_state *state)
{
	int r;

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
			if (n->hi && n->datum_full < x->datum_full && state->merge_254) {
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
			r = ir_tree_add(&x->nxt_t, n->nxt_t, state);
			if (r != 0)
				return r;
		} else if (!x->act_t_flg)
			x->nxt_t = node_get(n->nxt_t);
		else
			return 0; /* the existing tree is shorter */
	}
	if (n->nxt_f) {
		if (x->nxt_f) {
			r = ir_tree_add(&x->nxt_f, n->nxt_f, state);
			if (r != 0)
				return r;
		} else if (!x->act_f_flg)
			x->nxt_f = node_get(n->nxt_f);
		else
			return 0;
	}
	return 0;
}

/* the same, telling x's level index when x gains or loses its last sub-level */
static int add_merge_tracked(struct ir_node *x, struct ir_node *n, struct iter_state *state)
{
	bool had_kids = x->nxt_t || x->nxt_f;
	int r = add_merge(x, n, state);

	/* what the rule brings below x is now below x's level */
	if (!state->sx->dag)
		ir_level_add_below(x, chain_below(n, 0));
	ir_level_kids(x, had_kids);
	return r;
}

/* _db_tree_add's insertion of n before x, the first node of the level that is chain_lt it */
static void add_before(struct ir_node **existing, struct ir_node *x, struct ir_node *n)
{
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
}

/* _db_tree_add's insertion of n after x, the last node of the level */
static void add_after(struct ir_node *x, struct ir_node *n)
{
	n->lvl_prv = node_get(x);
	x->lvl_nxt = node_get(n);
}

/*
 * _db_tree_add starting at a level's head with a fresh node, as an index lookup: the walk stops
 * at the first node that is chain_eq to n or chain_lt it. In a sorted level the nodes chain_lt
 * n come after all others, so that is the equal node if it comes before them, else the first
 * node chain_lt n (checked for equality first, as the walk does), else the end.
 */
static int add_indexed(struct ir_level *lv, struct ir_node **existing, struct ir_node *n,
		       struct iter_state *state)
{
	struct ir_node *eq, *lt;

	ir_level_find(lv, n, &eq, &lt);
	if (!fuel(*existing))
		return -ELOOP;
	if (eq && (eq == lt || !ir_chain_lt(eq, n)))
		return add_merge_tracked(eq, n, state);
	if (lt)
		add_before(existing, lt, n);
	else
		add_after(lv->last, n);
	if (!state->sx->dag)
		lv->below |= chain_below(n, 0);
	ir_level_insert(lv, n);
	return 0;
}

/* _db_tree_add, with libseccomp 2.6.1's fix of the 64-bit false-action merge */
int ir_tree_add(struct ir_node **existing, struct ir_node *new, struct iter_state *state)
{
	struct ir_node *x = *existing, *n = new;
	struct ir_level *lv;

	if (!x->lvl_prv && !n->lvl_prv && !n->lvl_nxt && !ir_level_tracked(n)) {
		lv = ir_level_of(x);
		if (lv)
			return add_indexed(lv, existing, n, state);
	}
	do {
		if (!fuel(x))
			return -ELOOP;
		if (ir_chain_eq(x, n))
			return add_merge_tracked(x, n, state);
		if (!ir_chain_lt(x, n)) {
			if (!x->lvl_nxt) {
				if (ir_level_tracked(x) || ir_level_tracked(n))
					ir_level_dirty(x->ir);
				add_after(x, n);
				return 0;
			}
			x = x->lvl_nxt;
		} else {
			if (ir_level_tracked(x) || ir_level_tracked(n))
				ir_level_dirty(x->ir);
			add_before(existing, x, n);
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
struct ir_node *ir_rule_gen_64(struct cf_ir *ir, const struct ir_abi *abi,
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
struct ir_node *ir_rule_gen_32(struct cf_ir *ir, const struct ir_abi *abi,
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
