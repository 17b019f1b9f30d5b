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
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <linux/audit.h>

#include "base/cleanup.h"
#include "bpf/insn.h"
#include "bpf/ir-level.h"
#include "bpf/ir-tree.h"

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

/*
 * name id -> call number of the socketcall (1..20) or ipc (+128) multiplexer, 0: none. The
 * same for every compile: built once (the names are looked up by hashing).
 */
static uint8_t *mux_by_id;

static void mux_table_init(void)
{
	unsigned n = syscall_n_ids();
	uint8_t *t = calloc(n ? n : 1, 1);

	if (!t)
		return;
	for (unsigned i = 1; i < ARRAY_SIZE(socket_calls); i++) {
		int id = syscall_name_id(socket_calls[i]);

		if (id >= 0 && (unsigned)id < n)
			t[id] = (uint8_t)i;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ipc_calls); i++) {
		int id = syscall_name_id(ipc_calls[i].name);

		if (id >= 0 && (unsigned)id < n)
			t[id] = (uint8_t)(128 + ipc_calls[i].call);
	}
	mux_by_id = t;
}

static int mux_table(struct cf_ir *ir)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	(void)pthread_once(&once, mux_table_init);
	ir->mux_call_by_id = mux_by_id;
	return mux_by_id ? 0 : -ENOMEM;
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
/* Per-ABI syscall list */

static int32_t *index_slot(const struct ir_abi *abi, uint32_t nr)
{
	uint32_t off;

	if (nr < abi->info->nr_base)
		return NULL;
	off = nr - abi->info->nr_base;
	if (off >= abi->gap_at) {
		if (off - abi->gap_at < abi->gap)
			return NULL;
		off -= abi->gap;
	}
	return off < abi->index_n ? &abi->index[off] : NULL;
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

/*
 * Whether _db_rule_gen_64 links the next condition from two nodes (GT/GE, LT/LE and NE
 * continue on two exits): the tree then shares a sub-level between two parents. Counted for
 * every condition but the last, whether or not a zero mask drops one (a superset is fine).
 */
static bool rule_shares(const struct ir_abi *abi, const struct ir_cond *conds, size_t n_conds)
{
	if (abi->arg_bits != 64)
		return false;
	for (size_t i = 0; i + 1 < n_conds; i++)
		if (conds[i].op != CF_OP_EQ && conds[i].op != CF_OP_MASKED_EQ)
			return true;
	return false;
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

	/* most rules have no condition: no chain to generate */
	if (n_conds == 0) {
		chain = NULL;
		r = 0;
	} else if (abi->arg_bits == 64)
		chain = ir_rule_gen_64(ir, abi, conds, n_conds, action, origin, &r);
	else
		chain = ir_rule_gen_32(ir, abi, conds, n_conds, action, origin, &r);
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
			s->dag = rule_shares(abi, conds, n_conds);
			return 0;
		}
		goto merge;
	}
	slot = index_slot(abi, nr);
	if (!slot)
		return -EINVAL; /* numbers come from the ABI's own table */
	if (*slot < 0) {
		/* entries sit at their number's own place until sort_entries packs them */
		*slot = (int32_t)(slot - abi->index);
		s = &abi->sys[*slot];
		abi->n_sys++;
		*s = (struct ir_sys){ .nr = nr,
				      .chains = chain,
				      .action = action,
				      .origin = origin,
				      .dag = rule_shares(abi, conds, n_conds) };
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
	s->dag |= rule_shares(abi, conds, n_conds);
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
		ir_tree_put(&chain);
		return 0;
	}
	if (!chain) {
		/* a later unconditional rule replaces the conditional ones */
		ir_tree_put(&s->chains);
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
	if (ir_tree_prune(&s->chains, chain, &state) > 0) {
		rm_flag = true;
		if (!s->chains)
			goto add_reset;
	} else if ((state.flags & IST_M_REDUNDANT) == IST_M_REDUNDANT) {
		/* libseccomp judged the existing tree shorter and drops the new rule */
		ir_tree_put(&chain);
		return 0;
	}
	memset(&state, 0, sizeof(state));
	state.sx = s;
	state.conflict = -1;
	state.merge_254 = ir->merge_254;
	r = ir_tree_add(&s->chains, chain, &state);
	if (r < 0) {
		*ret_conflict = state.conflict;
		return r;
	}
	ir_tree_put(&chain);
	return 0;
}

/* arch_filter_rule_add + abi_rule_add for one name (id, -1: unknown) on one ABI (nr, <0: none) */
static int abi_rule_add(struct cf_ir *ir, struct ir_abi *abi, int id, int nr,
			const struct ir_cond *conds, size_t n_conds, uint32_t action,
			int32_t origin, int32_t *ret_conflict)
{
	unsigned call = id >= 0 && abi->has_mux ? ir->mux_call_by_id[id] : 0;
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
		if (abi->has_mux || id < 0)
			return 0;
		return db_rule_add(ir, abi, 0, id, conds, n_conds, action, origin, ret_conflict);
	}
	return db_rule_add(ir, abi, (uint32_t)nr, -1, conds, n_conds, action, origin, ret_conflict);
}

static uint32_t rule_ret(const struct cf_rule *rule)
{
	return cf_action_ret(rule->action, rule->has_errno ? rule->errno_ret : EPERM);
}

/* Fill reterr for profile rule i (file:line of the rule, /syscalls/N); returns -err. */
static int rule_diag(const struct cf_resolved *r, size_t i, int err, struct cf_diag *reterr,
		     const char *fmt, ...) CF_PRINTF(5, 6);

static int rule_diag(const struct cf_resolved *r, size_t i, int err, struct cf_diag *reterr,
		     const char *fmt, ...)
{
	const struct cf_rule *rule = r->rules[i].rule;
	const char *src = r->profile && r->profile->source ? r->profile->source : "<profile>";
	char path[64];
	va_list ap;

	snprintf(path, sizeof(path), "/syscalls/%zu", r->rules[i].index);
	(void)diag_set(reterr, err, src, rule->pos.line, rule->pos.column, path, "%s", "");
	if (reterr) {
		va_start(ap, fmt);
		vsnprintf(reterr->message, sizeof(reterr->message), fmt, ap);
		va_end(ap);
	}
	return -err;
}

static int conflict_diag(const struct cf_resolved *r, size_t i, const char *name, int32_t other,
			 struct cf_diag *reterr)
{
	int e = rule_diag(r, i, EINVAL, reterr,
			  "rule #%zu gives \"%s\" a different action than rule #%d for the same "
			  "argument values; libseccomp (and so runc) refuses this profile",
			  r->rules[i].index, name, other);

	diag_hint(reterr, "make the conditions of the two rules disjoint, or give them the same "
			  "action");
	return e;
}

/*
 * libseccomp 2.5.4 (and runc with it) never returns for some rule combinations: its node
 * reference count drops below zero in _db_level_clean and the loop runs on. Fail the same
 * profile, with a message, instead of guessing what the user meant.
 */
static int loop_diag(const struct cf_resolved *r, size_t i, const char *name,
		     struct cf_diag *reterr)
{
	int e = rule_diag(r, i, ELOOP, reterr,
			  "merging rule #%zu for \"%s\" with the earlier rules for it breaks "
			  "libseccomp's rule tree (it loops forever, so runc would hang)",
			  r->rules[i].index, name);

	diag_hint(reterr, "simplify the overlapping argument conditions of the rules for \"%s\"",
		  name);
	return e;
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
		int id = r->rules[i].name_ids ? r->rules[i].name_ids[n] : syscall_name_id(name);
		int nrs[CF_ARCH_COUNT];
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
				int q;

				/*
				 * far more than any real merge needs; see fuel(). Measured: at
				 * most 5747 steps for one rule (53 nodes) over the oracle's random
				 * profiles, Docker's and Podman's; 618 nodes took 4961. Quadratic in
				 * the nodes so large profiles keep their headroom, capped at the
				 * former flat 10M + 64 n so a looping huge profile is refused as
				 * soon as before; the flat budget made every looping small input
				 * cost 2.6 s under the fuzzer's sanitizers.
				 */
				ir->fuel = 65536u + 16u * (uint64_t)ir->n_nodes * ir->n_nodes;
				if (ir->fuel > 10000000u + 64u * (uint64_t)ir->n_nodes)
					ir->fuel = 10000000u + 64u * (uint64_t)ir->n_nodes;
				q = abi_rule_add(ir, &ir->abis[k], id, nrs[k], conds, n_conds, ret,
						 origin, &conflict);
				if (q == -ELOOP || ir->refcount_broken)
					return loop_diag(r, i, name, reterr);
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

/*
 * The code generator and the model walk the trees recursively: make sure the finished trees
 * have no cycles (libseccomp's merge can create one, see fuel()). state: 0 new, 1 open, 2 done.
 */
static bool tree_sane(const struct ir_node *n, uint8_t *state, uint64_t *steps)
{
	if (!n)
		return true;
	while (n->lvl_prv) {
		if (++*steps > 4 * (uint64_t)n->ir->n_nodes + 16)
			return false;
		n = n->lvl_prv;
	}
	if (state[n->id] == 1)
		return false;
	if (state[n->id] == 2)
		return true;
	state[n->id] = 1;
	for (const struct ir_node *x = n; x; x = x->lvl_nxt) {
		if (++*steps > 4 * (uint64_t)n->ir->n_nodes + 16)
			return false;
		if (!tree_sane(x->nxt_t, state, steps) || !tree_sane(x->nxt_f, state, steps))
			return false;
	}
	state[n->id] = 2;
	return true;
}

static bool trees_sane(const struct cf_ir *ir)
{
	uint8_t *state = calloc(ir->n_nodes + 1, 1);
	uint64_t steps = 0;
	bool ok = state != NULL;

	for (size_t k = 0; ok && k < ir->n_abis; k++)
		for (size_t i = 0; ok && i < ir->abis[k].n_sys; i++) {
			/* levels shared between syscalls are fine (state 2); a path back is not */
			if (ir->abis[k].sys[i].chains)
				ok = tree_sane(ir->abis[k].sys[i].chains, state, &steps);
		}
	free(state);
	return ok;
}

/*
 * Entries sit at their number's place (index[i] == i): pack them in number order. Moving
 * forward only (n <= i), in place.
 */
static void sort_entries(struct ir_abi *abi)
{
	size_t n = 0;

	for (uint32_t i = 0; i < abi->index_n; i++)
		if (abi->index[i] >= 0) {
			if (n != i)
				abi->sys[n] = abi->sys[i];
			abi->index[i] = (int32_t)n++;
		}
}

/*
 * The largest hole between two numbers of the ABI's table, when it is too large for a dense
 * index (ARM: a million slots allocated, filled and scanned on every compile, 20 ms each).
 */
static void index_gap(struct ir_abi *abi)
{
	uint32_t prev = abi->info->nr_base;
	int nr, max = syscall_max_nr(abi->arch), size = syscall_table_size(abi->arch);

	abi->gap_at = abi->gap = 0;
	/* the common case, decided without a walk: the numbers are (nearly) dense */
	if (max < 0 || size < 0 || (uint32_t)max - prev + 1 - (uint32_t)size < 4096)
		return;
	for (unsigned i = 0; syscall_table_entry(abi->arch, i, NULL, &nr); i++) {
		if (nr >= 0 && (uint32_t)nr > prev && (uint32_t)nr - prev - 1 > abi->gap) {
			abi->gap_at = prev + 1 - abi->info->nr_base;
			abi->gap = (uint32_t)nr - prev - 1;
		}
		if (nr >= 0)
			prev = (uint32_t)nr;
	}
	if (abi->gap < 4096)
		abi->gap_at = abi->gap = 0;
}

static int abi_init(struct ir_abi *abi, enum cf_arch arch, const struct cf_arch_info *info)
{
	int max = syscall_max_nr(arch);

	abi->arch = arch;
	abi->info = info;
	abi->arg_bits = ir_arg_bits(arch);
	if (max < 0 || (uint32_t)max < info->nr_base)
		return -EINVAL;
	index_gap(abi);
	abi->index_n = (uint32_t)max - info->nr_base + 1 - abi->gap;
	abi->index = malloc(abi->index_n * sizeof(*abi->index));
	if (!abi->index)
		return -ENOMEM;
	memset(abi->index, 0xff, abi->index_n * sizeof(*abi->index));
	/* room for every number of the table: db_rule_add never grows it */
	abi->sys = malloc(abi->index_n * sizeof(*abi->sys));
	if (!abi->sys)
		return -ENOMEM;
	abi->cap_sys = abi->index_n;
	abi->has_mux = arch_has_mux(arch);
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
		/* counted first: ir_free releases what a failed abi_init allocated */
		q = abi_init(&ir->abis[ir->n_abis++], r->arches[i], info);
		if (q < 0)
			return q;
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
		sort_entries(abi);
	}
	if (!trees_sane(ir))
		return diag_set(reterr, ELOOP, r->profile ? r->profile->source : NULL, 0, 0, NULL,
				"the argument conditions of the rules break libseccomp's rule tree "
				"(it would loop forever, so runc would hang)");
	ir->seccomp_flags = filter_flags(ir);
	*ret = TAKE_PTR(ir);
	return 0;
}

struct cf_ir *ir_free(struct cf_ir *ir)
{
	if (!ir)
		return NULL;
	ir_level_free_all(ir);
	while (ir->blocks) {
		struct ir_node_block *b = ir->blocks;

		ir->blocks = b->next;
		free(b);
	}
	for (size_t k = 0; k < ir->n_abis; k++) {
		const struct ir_abi *abi = &ir->abis[k];

		/* through the index: valid before and after sort_entries packed the entries */
		for (uint32_t i = 0; abi->index && i < abi->index_n; i++)
			if (abi->index[i] >= 0 && abi->sys[abi->index[i]].contribs)
				free(abi->sys[abi->index[i]].contribs);
		free(abi->sys);
		free(abi->phantom);
		free(abi->phantom_index);
		free(abi->index);
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
