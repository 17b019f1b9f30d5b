/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Level indexes for the rule tree (see ir-level.h): a treap in the level's own order for "the
 * first node chain_lt n" and a hash of chain_eq's key for "the node equal to n". Both are
 * built from the links, only for levels where the walk's answer is the index's: sorted as
 * _db_tree_add keeps a level when it starts at the head, no two nodes chain_eq, links
 * consistent, every node alive and referenced.
 */
#include "bpf/ir-level.h"

#include <stdlib.h>

#include "bpf/ir-tree.h"

/* Shorter levels are walked: the index would cost more than it saves. */
#define LEVEL_MIN 16

bool ir_level_tracked(const struct ir_node *x)
{
	return x->lvl && x->lvl_gen == x->ir->lvl_gen;
}

struct ir_level *ir_level_cur(const struct ir_node *x)
{
	return ir_level_tracked(x) ? x->lvl : NULL;
}

static struct ir_level_ent *ent(const struct ir_level *lv, uint32_t slot)
{
	return &lv->ent[slot - 1];
}

static uint64_t eq_hash(const struct ir_node *n)
{
	uint64_t h = ((uint64_t)ir_arg_priority(n) << 8) ^ (uint64_t)n->op;

	h = (h ^ n->datum) * 0x9e3779b97f4a7c15ull;
	h = (h ^ n->mask) * 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 31);
}

static struct ir_node *hash_find(const struct ir_level *lv, const struct ir_node *n)
{
	size_t mask = lv->hash_cap - 1;
	uint64_t h = eq_hash(n);

	if (!lv->hash)
		return NULL;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct ir_level_slot *sl = &lv->hash[i];

		if (!sl->ent)
			return NULL;
		if (sl->tag == (uint32_t)(h >> 32) && ir_chain_eq(ent(lv, sl->ent)->node, n))
			return ent(lv, sl->ent)->node;
	}
}

static void hash_put(struct ir_level *lv, uint32_t slot)
{
	size_t mask = lv->hash_cap - 1;
	uint64_t h = eq_hash(ent(lv, slot)->node);
	size_t i = h & mask;

	while (lv->hash[i].ent)
		i = (i + 1) & mask;
	lv->hash[i] = (struct ir_level_slot){ .ent = slot, .tag = (uint32_t)(h >> 32) };
}

/* Room for one more entry (hash at most half full); false: out of memory. */
static bool reserve(struct ir_level *lv)
{
	if (lv->n == lv->cap) {
		size_t cap = lv->cap ? lv->cap * 2 : 64;
		struct ir_level_ent *v = realloc(lv->ent, cap * sizeof(*v));

		if (!v)
			return false;
		lv->ent = v;
		lv->cap = cap;
	}
	if (2 * (lv->n + 1) > lv->hash_cap) {
		size_t cap = lv->hash_cap ? lv->hash_cap * 2 : 128;
		struct ir_level_slot *h = calloc(cap, sizeof(*h));

		if (!h)
			return false;
		free(lv->hash);
		lv->hash = h;
		lv->hash_cap = cap;
		for (uint32_t s = 1; s <= lv->n; s++)
			hash_put(lv, s);
	}
	return true;
}

/* Treap insert: a node goes after every node that is not chain_lt it (the list's order). */
static uint32_t treap_insert(struct ir_level *lv, uint32_t t, uint32_t e)
{
	struct ir_level_ent *te;
	uint32_t c;

	if (!t)
		return e;
	te = ent(lv, t);
	if (te->key < ent(lv, e)->key) {
		te->left = treap_insert(lv, te->left, e);
		c = te->left;
		if (ent(lv, c)->prio > te->prio) {
			te->left = ent(lv, c)->right;
			ent(lv, c)->right = t;
			return c;
		}
	} else {
		te->right = treap_insert(lv, te->right, e);
		c = te->right;
		if (ent(lv, c)->prio > te->prio) {
			te->right = ent(lv, c)->left;
			ent(lv, c)->left = t;
			return c;
		}
	}
	return t;
}

static bool add_entry(struct ir_level *lv, struct ir_node *n)
{
	uint32_t slot;

	if (!reserve(lv))
		return false;
	slot = (uint32_t)++lv->n;
	/* deterministic priorities: the same profile always builds the same treap */
	*ent(lv, slot) = (struct ir_level_ent){ .node = n,
						.key = ir_order_key(n),
						.prio = (uint32_t)((n->id + 1) * 0x9e3779b1u) ^
							(n->id >> 7) };
	hash_put(lv, slot);
	lv->root = treap_insert(lv, lv->root, slot);
	if (n->nxt_t || n->nxt_f)
		lv->n_kids++;
	n->lvl = lv;
	n->lvl_gen = n->ir->lvl_gen;
	return true;
}

static void level_free(struct ir_level *lv)
{
	free(lv->ent);
	free(lv->hash);
	free(lv);
}

void ir_level_free_all(struct cf_ir *ir)
{
	while (ir->levels) {
		struct ir_level *lv = ir->levels;

		ir->levels = lv->next;
		level_free(lv);
	}
}

void ir_level_dirty(struct cf_ir *ir)
{
	if (!ir->levels)
		return;
	ir_level_free_all(ir);
	ir->lvl_gen++;
}

/* The level's head, or NULL when its links are not what an index can follow. */
static struct ir_node *regular_head(struct ir_node *x, size_t *ret_n)
{
	size_t bound = x->ir->n_nodes, steps = 0, n = 0;
	struct ir_node *h = x, *prev = NULL;

	while (h->lvl_prv) {
		if (++steps > bound || h->lvl_prv->lvl_nxt != h)
			return NULL;
		h = h->lvl_prv;
	}
	for (struct ir_node *y = h; y; prev = y, y = y->lvl_nxt) {
		if (++n > bound || y->dead || y->refcnt == 0 || ir_level_tracked(y))
			return NULL;
		if (y->lvl_nxt && y->lvl_nxt->lvl_prv != y)
			return NULL;
		if (prev && ir_chain_lt(prev, y))
			return NULL; /* unsorted: _db_tree_add started mid-level once */
	}
	*ret_n = n;
	return h;
}

static size_t level_len_at_least(const struct ir_node *x, size_t want)
{
	size_t n = 1;

	for (const struct ir_node *y = x->lvl_nxt; y && n < want; y = y->lvl_nxt)
		n++;
	for (const struct ir_node *y = x->lvl_prv; y && n < want; y = y->lvl_prv)
		n++;
	return n;
}

struct ir_level *ir_level_of(struct ir_node *x)
{
	struct cf_ir *ir = x->ir;
	struct ir_level *lv;
	struct ir_node *h;
	size_t n = 0;

	if (ir_level_tracked(x))
		return x->lvl;
	if (level_len_at_least(x, LEVEL_MIN) < LEVEL_MIN)
		return NULL;
	h = regular_head(x, &n);
	if (!h)
		return NULL;
	lv = calloc(1, sizeof(*lv));
	if (!lv)
		return NULL;
	for (struct ir_node *y = h; y; y = y->lvl_nxt) {
		if (hash_find(lv, y) || !add_entry(lv, y)) {
			/* two equal nodes (or no memory): untie what was tagged, walk instead */
			for (struct ir_node *z = h; z != y; z = z->lvl_nxt)
				z->lvl = NULL;
			level_free(lv);
			return NULL;
		}
	}
	lv->first = h;
	lv->last = h;
	while (lv->last->lvl_nxt)
		lv->last = lv->last->lvl_nxt;
	lv->next = ir->levels;
	ir->levels = lv;
	return lv;
}

static struct ir_node *first_lt(const struct ir_level *lv, const struct ir_node *n)
{
	uint64_t key = ir_order_key(n);
	struct ir_node *ans = NULL;

	/* rules in ascending or descending order add at either end: no search */
	if (ir_chain_lt(lv->first, n))
		return lv->first;
	if (!ir_chain_lt(lv->last, n))
		return NULL;
	for (uint32_t t = lv->root; t;) {
		const struct ir_level_ent *te = ent(lv, t);

		if (te->key < key) {
			ans = te->node;
			t = te->left;
		} else
			t = te->right;
	}
	return ans;
}

void ir_level_find(struct ir_level *lv, const struct ir_node *n, struct ir_node **ret_eq,
		   struct ir_node **ret_lt)
{
	if (lv->q_node != n || lv->q_len != lv->n) {
		lv->q_node = n;
		lv->q_len = lv->n;
		lv->q_eq = hash_find(lv, n);
		lv->q_lt = first_lt(lv, n);
	}
	*ret_eq = lv->q_eq;
	*ret_lt = lv->q_lt;
}

void ir_level_insert(struct ir_level *lv, struct ir_node *n)
{
	struct cf_ir *ir = n->ir;

	if (hash_find(lv, n) || !add_entry(lv, n)) {
		ir_level_dirty(ir);
		return;
	}
	if (!n->lvl_prv)
		lv->first = n;
	if (!n->lvl_nxt)
		lv->last = n;
}

void ir_level_kids(struct ir_node *x, bool had_kids)
{
	struct ir_level *lv = ir_level_cur(x);
	bool has = x->nxt_t || x->nxt_f;

	if (!lv || has == had_kids)
		return;
	if (has)
		lv->n_kids++;
	else
		lv->n_kids--;
}

/* Add the argument priorities found in the level of z and below; false: too deep to tell. */
static bool below_walk(struct ir_node *z, unsigned stamp, unsigned depth, uint32_t *mask)
{
	size_t steps = 0, bound = z->ir->n_nodes;

	if (depth > 64)
		return false;
	while (z->lvl_prv) {
		if (++steps > bound)
			return false;
		z = z->lvl_prv;
	}
	for (; z; z = z->lvl_nxt) {
		if (++steps > bound)
			return false;
		if (z->walk_stamp == stamp)
			continue;
		z->walk_stamp = stamp;
		*mask |= 1u << ir_arg_priority(z);
		if (z->nxt_t && !below_walk(z->nxt_t, stamp, depth + 1, mask))
			return false;
		if (z->nxt_f && !below_walk(z->nxt_f, stamp, depth + 1, mask))
			return false;
	}
	return true;
}

uint32_t ir_level_below(struct ir_level *lv)
{
	struct cf_ir *ir = lv->first->ir;
	uint32_t mask = 0;
	unsigned stamp;

	if (lv->below_ok)
		return lv->below;
	stamp = ++ir->walk_stamp;
	for (struct ir_node *y = lv->first; y; y = y->lvl_nxt) {
		if ((y->nxt_t && !below_walk(y->nxt_t, stamp, 0, &mask)) ||
		    (y->nxt_f && !below_walk(y->nxt_f, stamp, 0, &mask))) {
			mask = UINT32_MAX;
			break;
		}
	}
	lv->below = mask;
	lv->below_ok = true;
	return mask;
}

void ir_level_add_below(struct ir_node *x, uint32_t mask)
{
	struct ir_level *lv = ir_level_cur(x);

	if (lv)
		lv->below |= mask;
}
