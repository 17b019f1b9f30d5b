/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bpf/cg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t h)
{
	/* murmur3's finalizer: every input bit reaches the low bits used as bucket index */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static uint32_t node_hash(const struct cg_node *n)
{
	uint64_t h = ((uint64_t)n->kind << 56) ^ ((uint64_t)n->code << 40) ^ n->k;

	h = mix(h ^ ((uint64_t)(uint32_t)n->t << 32 | (uint32_t)n->f));
	/* non-RET nodes keep their rule: provenance is worth a few duplicate instructions */
	if (n->kind != CG_RET)
		h = mix(h ^ (uint32_t)n->origin);
	return (uint32_t)h;
}

static bool node_eq(const struct cg_node *a, const struct cg_node *b)
{
	return a->kind == b->kind && a->code == b->code && a->k == b->k && a->t == b->t &&
	       a->f == b->f && (a->kind == CG_RET || a->origin == b->origin);
}

void cg_init(struct cg *g)
{
	memset(g, 0, sizeof(*g));
}

void cg_done(struct cg *g)
{
	free(g->nodes);
	free(g->buckets);
	memset(g, 0, sizeof(*g));
}

static int rehash(struct cg *g, size_t n_buckets)
{
	uint32_t *b = calloc(n_buckets, sizeof(*b));

	if (!b)
		return -ENOMEM;
	free(g->buckets);
	g->buckets = b;
	g->n_buckets = n_buckets;
	for (size_t i = 0; i < g->n; i++) {
		uint32_t h = node_hash(&g->nodes[i]) % n_buckets;

		g->nodes[i].hash_next = b[h];
		b[h] = (uint32_t)i + 1;
	}
	return 0;
}

static int intern(struct cg *g, const struct cg_node *n)
{
	uint32_t h;

	if (g->oom)
		return -ENOMEM;
	if (!g->buckets && rehash(g, 1024) < 0)
		goto oom;
	h = node_hash(n) % g->n_buckets;
	for (uint32_t i = g->buckets[h]; i; i = g->nodes[i - 1].hash_next)
		if (node_eq(&g->nodes[i - 1], n)) {
			if (g->nodes[i - 1].origin != n->origin)
				g->nodes[i - 1].origin = -1; /* shared by several rules */
			return (int)(i - 1);
		}
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 512;
		struct cg_node *v = realloc(g->nodes, cap * sizeof(*v));

		if (!v)
			goto oom;
		g->nodes = v;
		g->cap = cap;
	}
	g->nodes[g->n] = *n;
	g->nodes[g->n].hash_next = g->buckets[h];
	g->buckets[h] = (uint32_t)g->n + 1;
	g->n++;
	if (g->n > g->n_buckets * 2 && rehash(g, g->n_buckets * 4) < 0)
		goto oom;
	return (int)(g->n - 1);
oom:
	g->oom = true;
	return -ENOMEM;
}

int cg_ret(struct cg *g, uint32_t k, int32_t origin)
{
	struct cg_node n = { .kind = CG_RET, .k = k, .t = -1, .f = -1, .origin = origin };

	return intern(g, &n);
}

int cg_ld(struct cg *g, uint32_t off, int next, int32_t origin)
{
	struct cg_node n = { .kind = CG_LD, .k = off, .t = next, .f = -1, .origin = origin };

	if (next < 0)
		return next;
	return intern(g, &n);
}

int cg_and(struct cg *g, uint32_t mask, int next, int32_t origin)
{
	struct cg_node n = { .kind = CG_AND, .k = mask, .t = next, .f = -1, .origin = origin };

	if (next < 0)
		return next;
	return intern(g, &n);
}

int cg_jmp(struct cg *g, uint16_t op, uint32_t k, int t, int f, int32_t origin)
{
	struct cg_node n = { .kind = CG_JMP, .code = op, .k = k, .t = t, .f = f, .origin = origin };

	if (t < 0)
		return t;
	if (f < 0)
		return f;
	if (t == f)
		return t;
	return intern(g, &n);
}
