/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Code graph -> classic BPF. Reverse post-order makes every edge a forward jump (the kernel
 * refuses backward ones); visiting the true successor before the false one puts the false
 * successor right after its jump whenever it is not shared, so most jf are 0. jt/jf are 8 bits:
 * a longer conditional jump goes through a trampoline placed right after it, a copy of the
 * target when that is a RET (libseccomp _gen_bpf_build_jmp_ret does the same) or a JA.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "bpf/cg.h"
#include "bpf/insn.h"

static int rpo_order(const struct cg_node *nodes, size_t n_nodes, int entry, int **ret_order,
		     size_t *ret_n)
{
	cleanup_free int *order = NULL, *stack = NULL;
	cleanup_free uint8_t *state = NULL; /* 0 new, 1 open, 2 done */
	size_t n_post = 0, sp = 0;

	order = malloc(n_nodes * sizeof(*order));
	stack = malloc(n_nodes * sizeof(*stack));
	state = calloc(n_nodes, 1);
	if (!order || !stack || !state)
		return -ENOMEM;
	stack[sp++] = entry;
	while (sp) {
		int v = stack[sp - 1];
		const struct cg_node *n = &nodes[v];
		int kids[2], nk = 0;
		bool pushed = false;

		if (state[v] == 0)
			state[v] = 1;
		/* the child visited last lands right after its parent: f, or the next insn */
		if (n->kind == CG_JMP) {
			kids[nk++] = n->t;
			kids[nk++] = n->f;
		} else if (n->kind != CG_RET)
			kids[nk++] = n->t;
		for (int i = 0; i < nk; i++)
			if (state[kids[i]] == 0) {
				state[kids[i]] = 1;
				stack[sp++] = kids[i];
				pushed = true;
				break;
			}
		if (pushed)
			continue;
		sp--;
		state[v] = 2;
		order[n_post++] = v;
	}
	/* reverse */
	for (size_t i = 0; i < n_post / 2; i++) {
		int t = order[i];

		order[i] = order[n_post - 1 - i];
		order[n_post - 1 - i] = t;
	}
	*ret_order = TAKE_PTR(order);
	*ret_n = n_post;
	return 0;
}

/*
 * Drop loads of a word the accumulator already holds on every path into them (and masks it
 * already has): a forward data-flow over the DAG in reverse post-order, then every edge into a
 * redundant LD/AND is pointed past it. Sound because the state is the meet over all predecessors.
 */
#define ACC_UNSET      UINT64_MAX
#define ACC_UNKNOWN    (UINT64_MAX - 1)
#define ACC(off, mask) (((uint64_t)(off) << 32) | (mask))

static uint64_t acc_meet(uint64_t a, uint64_t b)
{
	if (a == ACC_UNSET)
		return b;
	return a == b ? a : ACC_UNKNOWN;
}

static int elide_loads(struct cg_node *nodes, size_t n_nodes, int *entry)
{
	cleanup_free int *order = NULL, *fwd = NULL;
	cleanup_free uint64_t *in = NULL;
	size_t n_order;
	int r;

	r = rpo_order(nodes, n_nodes, *entry, &order, &n_order);
	if (r < 0)
		return r;
	in = malloc(n_nodes * sizeof(*in));
	fwd = malloc(n_nodes * sizeof(*fwd));
	if (!in || !fwd)
		return -ENOMEM;
	for (size_t i = 0; i < n_nodes; i++) {
		in[i] = ACC_UNSET;
		fwd[i] = (int)i;
	}
	in[*entry] = ACC_UNKNOWN;
	for (size_t i = 0; i < n_order; i++) {
		const struct cg_node *n = &nodes[order[i]];
		uint64_t out = in[order[i]];

		switch (n->kind) {
		case CG_LD:
			out = ACC(n->k, UINT32_MAX);
			break;
		case CG_AND:
			if (out < ACC_UNKNOWN)
				out = (out & ~(uint64_t)UINT32_MAX) | ((uint32_t)out & n->k);
			break;
		case CG_JMP:
		case CG_RET:
			break;
		}
		if (n->kind == CG_JMP) {
			in[n->t] = acc_meet(in[n->t], out);
			in[n->f] = acc_meet(in[n->f], out);
		} else if (n->kind != CG_RET)
			in[n->t] = acc_meet(in[n->t], out);
	}
	/* reverse order: a node's successor is resolved before the node */
	for (size_t i = n_order; i-- > 0;) {
		int v = order[i];
		const struct cg_node *n = &nodes[v];
		bool same_load = n->kind == CG_LD && in[v] == ACC(n->k, UINT32_MAX);
		bool same_mask = n->kind == CG_AND && in[v] < ACC_UNKNOWN &&
				 ((uint32_t)in[v] & n->k) == (uint32_t)in[v];

		if (same_load || same_mask)
			fwd[v] = fwd[n->t];
	}
	for (size_t i = 0; i < n_order; i++) {
		struct cg_node *n = &nodes[order[i]];

		if (n->kind != CG_RET)
			n->t = fwd[n->t];
		if (n->kind == CG_JMP)
			n->f = fwd[n->f];
	}
	*entry = fwd[*entry];
	return 0;
}

int cg_assemble(const struct cg *g, int entry, struct sock_filter **ret_insns, int32_t **ret_origin,
		size_t *ret_len)
{
	cleanup_free int *order = NULL, *jmps = NULL;
	cleanup_free size_t *pos = NULL;
	/* extra: instructions after the node (its JA, or its trampolines); tramp: bit 0 jt, 1 jf */
	cleanup_free uint8_t *extra = NULL, *tramp = NULL;
	struct sock_filter *insns;
	int32_t *origin;
	size_t n_order, n_jmps = 0, len = 0;
	bool changed;
	int r;

	cleanup_free struct cg_node *nodes = NULL;

	if (g->oom || entry < 0)
		return -ENOMEM;
	nodes = malloc(g->n * sizeof(*nodes));
	if (!nodes)
		return -ENOMEM;
	memcpy(nodes, g->nodes, g->n * sizeof(*nodes));
	r = elide_loads(nodes, g->n, &entry);
	if (r < 0)
		return r;
	r = rpo_order(nodes, g->n, entry, &order, &n_order);
	if (r < 0)
		return r;
	pos = calloc(g->n, sizeof(*pos));
	extra = calloc(g->n, 1);
	tramp = calloc(g->n, 1);
	jmps = malloc((n_order ? n_order : 1) * sizeof(*jmps));
	if (!pos || !extra || !tramp || !jmps)
		return -ENOMEM;
	for (size_t i = 0; i < n_order; i++) {
		const struct cg_node *n = &nodes[order[i]];

		if ((n->kind == CG_LD || n->kind == CG_AND) &&
		    (i + 1 >= n_order || order[i + 1] != n->t))
			extra[order[i]] = 1;
		if (n->kind == CG_JMP)
			jmps[n_jmps++] = order[i];
	}

	do {
		changed = false;
		len = 0;
		for (size_t i = 0; i < n_order; i++) {
			int v = order[i];

			pos[v] = len;
			len += 1u + extra[v];
		}
		for (size_t i = 0; i < n_jmps; i++) {
			int v = jmps[i];
			const struct cg_node *n = &nodes[v];

			if (!(tramp[v] & 1) && pos[n->t] - pos[v] - 1 > CF_BPF_JMP_MAX) {
				tramp[v] |= 1;
				extra[v]++;
				changed = true;
			}
			if (!(tramp[v] & 2) && pos[n->f] - pos[v] - 1 > CF_BPF_JMP_MAX) {
				tramp[v] |= 2;
				extra[v]++;
				changed = true;
			}
		}
	} while (changed);

	insns = calloc(len, sizeof(*insns));
	origin = calloc(len, sizeof(*origin));
	if (!insns || !origin) {
		free(insns);
		free(origin);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n_order; i++) {
		int v = order[i];
		const struct cg_node *n = &nodes[v];
		size_t p = pos[v], slot = p + 1;

		origin[p] = n->origin;
		switch (n->kind) {
		case CG_RET:
			insns[p] = cf_insn(BPF_RET | BPF_K, 0, 0, n->k);
			break;
		case CG_LD:
		case CG_AND:
			insns[p] = n->kind == CG_LD ?
					   cf_insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, n->k) :
					   cf_insn(BPF_ALU | BPF_AND | BPF_K, 0, 0, n->k);
			if (extra[v]) {
				insns[slot] = cf_insn(BPF_JMP | BPF_JA, 0, 0,
						      (uint32_t)(pos[n->t] - slot - 1));
				origin[slot] = n->origin;
			}
			break;
		case CG_JMP: {
			size_t tpos = pos[n->t], fpos = pos[n->f];
			const int targets[2] = { n->t, n->f };
			size_t *tp[2] = { &tpos, &fpos };

			for (int b = 0; b < 2; b++) {
				const struct cg_node *tn = &nodes[targets[b]];

				if (!(tramp[v] & (1u << b)))
					continue;
				if (tn->kind == CG_RET)
					insns[slot] = cf_insn(BPF_RET | BPF_K, 0, 0, tn->k);
				else
					insns[slot] =
						cf_insn(BPF_JMP | BPF_JA, 0, 0,
							(uint32_t)(pos[targets[b]] - slot - 1));
				origin[slot] = tn->kind == CG_RET ? tn->origin : n->origin;
				*tp[b] = slot++;
			}
			insns[p] = cf_insn(BPF_JMP | n->code | BPF_K, (uint8_t)(tpos - p - 1),
					   (uint8_t)(fpos - p - 1), n->k);
			break;
		}
		}
	}
	*ret_insns = insns;
	*ret_origin = origin;
	*ret_len = len;
	return len > CF_BPF_MAXINSNS ? -E2BIG : 0;
}
