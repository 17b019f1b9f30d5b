/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fixes for a denied call, least privilege first: (a) one more capability, (b) a profile rule
 * restricted to the argument value, (c) a plain profile rule, (d) seccomp=unconfined,
 * (e) --privileged. Nothing is guessed: a capability is offered only if re-resolving the profile
 * with it (moby's algorithm: includes/excludes see the new bounding set) makes the model allow
 * the call; a rule only if the profile with the rule appended allows it.
 *
 * Also here: the escape surfaces a fix would open, what each capability gives in the kernel, and
 * the cases where seccomp is not (the only) obstacle.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "explain/explain.h"

/* capabilities(7), condensed. Index = capability number. */
static const char *const cap_powers[] = {
	[0] = "change the owner of any file",
	[1] = "bypass file read, write and execute permission checks",
	[2] = "bypass file read and directory search checks; open_by_handle_at ('shocker' escape)",
	[3] = "act as the owner of any file (chmod, utimes, ACLs)",
	[4] = "keep set-user/group-ID bits when changing files",
	[5] = "send signals to any process",
	[6] = "change group ids",
	[7] = "change user ids",
	[8] = "change capability sets, drop from the bounding set",
	[9] = "set the immutable and append-only file attributes",
	[10] = "bind to ports below 1024",
	[11] = "broadcast and listen to multicast",
	[12] = "configure interfaces, routes, firewall and other network settings",
	[13] = "use raw and packet sockets",
	[14] = "lock memory (mlock, SHM_LOCK, huge pages)",
	[15] = "bypass System V IPC permission checks",
	[16] = "load and unload kernel modules: full control of the kernel",
	[17] = "raw I/O port access (iopl, ioperm) and /dev/mem",
	[18] = "use chroot",
	[19] = "trace and inspect any process (ptrace, process_vm_readv/writev, kcmp)",
	[20] = "switch process accounting on and off (acct)",
	[21] = "mount, namespaces, BPF, perf, quotas, sethostname and much more: the 'new root'",
	[22] = "reboot and load a new kernel (kexec)",
	[23] = "raise priority, real-time scheduling, NUMA policy and page moves of other processes",
	[24] = "exceed resource limits and quotas",
	[25] = "set the system clock",
	[26] = "vhangup and terminal configuration",
	[27] = "create device nodes (mknod)",
	[28] = "take leases on any file",
	[29] = "write to the kernel audit log",
	[30] = "configure kernel auditing",
	[31] = "set file capabilities",
	[32] = "override the mandatory access control policy (Smack)",
	[33] = "configure the mandatory access control policy",
	[34] = "read and clear the kernel log (syslog, dmesg)",
	[35] = "set timers that wake the system",
	[36] = "block system suspend",
	[37] = "read the audit log over netlink",
	[38] = "performance monitoring (perf_event_open, BPF tracing)",
	[39] = "load BPF programs and create maps",
	[40] = "checkpoint/restore: choose PIDs of new processes, read map_files",
};

const char *cf_cap_powers(int cap)
{
	if (cap < 0 || (size_t)cap >= ARRAY_SIZE(cap_powers))
		return NULL;
	return cap_powers[cap];
}

#define CLONE_NS_MASK 0x7E020000ull /* NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET */

static bool name_in(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

const char *cf_escape_surface(const char *name, const uint64_t *args, unsigned n_given)
{
	static const char *const mounts[] = { "mount",	    "umount",	     "umount2",
					      "pivot_root", "fsopen",	     "fsconfig",
					      "fsmount",    "fspick",	     "move_mount",
					      "open_tree",  "mount_setattr", "open_tree_attr",
					      NULL };
	static const char *const nsops[] = { "unshare", "setns", NULL };
	static const char *const uring[] = { "io_uring_setup", "io_uring_enter",
					     "io_uring_register", NULL };
	static const char *const ptr[] = { "ptrace",
					   "process_vm_readv",
					   "process_vm_writev",
					   "pidfd_getfd",
					   "kcmp",
					   "process_madvise",
					   NULL };
	static const char *const keys[] = { "keyctl", "add_key", "request_key", NULL };
	static const char *const modules[] = { "init_module", "finit_module", "delete_module",
					       NULL };

	if (!name)
		return NULL;
	if (strcmp(name, "socket") == 0 || strcmp(name, "socketpair") == 0) {
		if (!args || n_given == 0)
			return NULL;
		if (args[0] == 38)
			return "AF_ALG: the kernel crypto API over sockets, a recurring source of "
			       "local privilege escalations (CVE-2026-31431)";
		if (args[0] == 40)
			return "AF_VSOCK: host/VM sockets, hypervisor-facing kernel code";
		return NULL;
	}
	if (strcmp(name, "clone") == 0) {
		if (args && n_given > 0 && !(args[0] & CLONE_NS_MASK))
			return NULL;
		if (args && n_given == 0)
			return NULL;
		return "clone with CLONE_NEW* flags: new namespaces; user namespaces open kernel code "
		       "otherwise reserved to root";
	}
	if (strcmp(name, "clone3") == 0)
		return "clone3: can create namespaces, and its flags live in memory where seccomp "
		       "cannot check them";
	if (name_in(name, mounts))
		return "mount and namespace operations: the classic container escape route";
	if (name_in(name, nsops))
		return "namespaces (unshare/setns): new user namespaces expose kernel code otherwise "
		       "reserved to root";
	if (name_in(name, uring))
		return "io_uring: I/O the seccomp filter never sees, and a long list of kernel "
		       "exploits";
	if (name_in(name, ptr))
		return "ptrace family: read and write other processes' memory and syscalls (a "
		       "seccomp bypass before Linux 4.8)";
	if (strcmp(name, "bpf") == 0)
		return "bpf: programs run in the kernel; verifier bugs are a classic escape";
	if (name_in(name, keys))
		return "kernel keyrings: not namespaced, shared with the host";
	if (strcmp(name, "userfaultfd") == 0)
		return "userfaultfd: lets a process pause the kernel at chosen points, a staple of "
		       "exploit races";
	if (strcmp(name, "perf_event_open") == 0)
		return "perf_event_open: a large kernel attack surface and side channels";
	if (strcmp(name, "open_by_handle_at") == 0)
		return "open_by_handle_at: opens any file of a mounted filesystem by handle (the "
		       "'shocker' escape)";
	if (name_in(name, modules))
		return "kernel modules: full control of the kernel";
	return NULL;
}

/* ------------------------------------------------------------------------------------------- */
/* The profile with extra rules (a shallow copy: it borrows everything of the original) */

/* The copy and everything it allocated (the profile is the first member: the public pointer). */
struct patched {
	struct cf_profile prof;
	void **owned;
	size_t n_owned;
};

static int own(struct patched *pp, void *ptr)
{
	void **v;

	if (!ptr)
		return -ENOMEM;
	v = realloc(pp->owned, (pp->n_owned + 1) * sizeof(*v));
	if (!v) {
		free(ptr);
		return -ENOMEM;
	}
	pp->owned = v;
	pp->owned[pp->n_owned++] = ptr;
	return 0;
}

/* Replace rule i's names by a copy without `name` (the strings stay borrowed). */
static int drop_name(struct patched *pp, size_t i, const char *name)
{
	struct cf_rule *r = &pp->prof.rules[i];
	struct cf_pos *pos;
	char **names;
	size_t n = 0;

	names = calloc(r->n_names + 1, sizeof(*names));
	if (own(pp, names) < 0)
		return -ENOMEM;
	pos = calloc(r->n_names + 1, sizeof(*pos));
	if (own(pp, pos) < 0)
		return -ENOMEM;
	for (size_t j = 0; j < r->n_names; j++) {
		if (r->names[j] && strcmp(r->names[j], name) == 0)
			continue;
		names[n] = r->names[j];
		pos[n] = r->name_pos ? r->name_pos[j] : (struct cf_pos){ 0 };
		n++;
	}
	r->names = names;
	r->name_pos = pos;
	r->n_names = n;
	return 0;
}

static int add_rule(struct patched *pp, const struct cf_fix_rule *fr)
{
	struct cf_rule *nr = &pp->prof.rules[pp->prof.n_rules];
	struct cf_arg *args = NULL;
	struct cf_pos *pos;
	char **names, *name;

	name = strdup(fr->name);
	if (own(pp, name) < 0)
		return -ENOMEM;
	names = calloc(1, sizeof(*names));
	if (own(pp, names) < 0)
		return -ENOMEM;
	pos = calloc(1, sizeof(*pos));
	if (own(pp, pos) < 0)
		return -ENOMEM;
	if (fr->has_arg) {
		args = calloc(1, sizeof(*args));
		if (own(pp, args) < 0)
			return -ENOMEM;
	}
	memset(nr, 0, sizeof(*nr));
	names[0] = name;
	nr->names = names;
	nr->name_pos = pos;
	nr->n_names = 1;
	nr->action = CF_ACT_ALLOW;
	if (args) {
		args[0].index = fr->index;
		args[0].op = fr->op;
		args[0].value = fr->value;
		args[0].value_two = fr->value_two;
		args[0].has_value_two = fr->op == CF_OP_MASKED_EQ;
		nr->args = args;
		nr->n_args = 1;
	}
	pp->prof.n_rules++;
	return 0;
}

/* Add an ABI where the profile lists its architectures: archMap's native entry when it has
 * an archMap (moby reads only that one), else "architectures". */
static int add_arch(struct patched *pp, enum cf_arch arch)
{
	struct cf_profile *q = &pp->prof;

	if (q->n_arch_map > 0) {
		struct cf_arch_map *m = calloc(q->n_arch_map, sizeof(*m));
		enum cf_arch native = arch_native();

		if (own(pp, m) < 0)
			return -ENOMEM;
		memcpy(m, q->arch_map, q->n_arch_map * sizeof(*m));
		for (size_t i = 0; i < q->n_arch_map; i++) {
			enum cf_arch *sub;

			if (m[i].arch != native)
				continue;
			sub = calloc(m[i].n_sub + 1, sizeof(*sub));
			if (own(pp, sub) < 0)
				return -ENOMEM;
			if (m[i].n_sub)
				memcpy(sub, m[i].sub, m[i].n_sub * sizeof(*sub));
			sub[m[i].n_sub] = arch;
			m[i].sub = sub;
			m[i].n_sub++;
		}
		q->arch_map = m;
		return 0;
	}
	{
		enum cf_arch *a = calloc(q->n_architectures + 1, sizeof(*a));

		if (own(pp, a) < 0)
			return -ENOMEM;
		if (q->n_architectures)
			memcpy(a, q->architectures, q->n_architectures * sizeof(*a));
		a[q->n_architectures] = arch;
		q->architectures = a;
		q->n_architectures++;
	}
	return 0;
}

int cf_patched_profile_new(const struct cf_profile *p, const struct cf_fix_rule *rules,
			   size_t n_rules, struct cf_profile **ret)
{
	struct patched *pp;
	size_t w = 0;
	int r;

	if (!p || !ret)
		return -EINVAL;
	pp = calloc(1, sizeof(*pp));
	if (!pp)
		return -ENOMEM;
	pp->prof = *p;
	pp->prof.rules = calloc(p->n_rules + n_rules + 1, sizeof(*pp->prof.rules));
	if (own(pp, pp->prof.rules) < 0) {
		cf_patched_profile_free(&pp->prof);
		return -ENOMEM;
	}
	if (p->n_rules)
		memcpy(pp->prof.rules, p->rules, p->n_rules * sizeof(*p->rules));
	pp->prof.n_rules = p->n_rules;
	for (size_t i = 0; i < n_rules; i++) {
		if (rules[i].remove_from < 0 || (size_t)rules[i].remove_from >= p->n_rules)
			continue;
		r = drop_name(pp, (size_t)rules[i].remove_from, rules[i].name);
		if (r < 0) {
			cf_patched_profile_free(&pp->prof);
			return r;
		}
	}
	/* a rule left without names is dropped (runc drops it; our parser refuses it) */
	for (size_t i = 0; i < pp->prof.n_rules; i++)
		if (pp->prof.rules[i].n_names > 0 || p->rules[i].n_names == 0)
			pp->prof.rules[w++] = pp->prof.rules[i];
	pp->prof.n_rules = w;
	for (size_t i = 0; i < n_rules; i++) {
		if (rules[i].add_arch) {
			r = add_arch(pp, rules[i].arch);
			if (r < 0) {
				cf_patched_profile_free(&pp->prof);
				return r;
			}
		}
		if (!rules[i].add)
			continue;
		r = add_rule(pp, &rules[i]);
		if (r < 0) {
			cf_patched_profile_free(&pp->prof);
			return r;
		}
	}
	*ret = &pp->prof;
	return 0;
}

void cf_patched_profile_free(struct cf_profile *q)
{
	struct patched *pp = (struct patched *)q;

	if (!pp)
		return;
	for (size_t i = 0; i < pp->n_owned; i++)
		free(pp->owned[i]);
	free(pp->owned);
	free(pp);
}

/* Resolve (profile + rules) with bounding and evaluate calls; true if all are allowed. */
static int allowed_with(const struct cf_explain_ctx *ctx, cf_capset bounding,
			const struct cf_fix_rule *rules, size_t n_rules,
			const struct cf_call *const *calls, size_t n_calls,
			struct cf_resolved **keep)
{
	cleanup(cf_resolved_freep) struct cf_resolved *res = NULL;
	cleanup(cf_model_freep) struct cf_model *m = NULL;
	struct cf_profile *q = NULL;
	struct cf_resolve_opts o = {
		.native = ctx->resolved->native,
		.kernel = ctx->resolved->kernel,
		.bounding = bounding,
	};
	int r, ok = 1;

	if (n_rules) {
		r = cf_patched_profile_new(ctx->profile, rules, n_rules, &q);
		if (r < 0)
			return r;
	}
	r = cf_profile_resolve(q ? q : ctx->profile, &o, &res, NULL);
	if (r >= 0)
		r = cf_model_new(res, &m, NULL);
	if (r < 0) {
		cf_patched_profile_free(q);
		/* a profile that no longer resolves is not a fix */
		return r == -ENOMEM ? r : 0;
	}
	for (size_t i = 0; i < n_calls && ok; i++) {
		struct seccomp_data d;
		struct cf_eval_result ev;

		cf_call_to_data(calls[i], &d);
		if (cf_model_evaluate(m, &d, &ev) < 0) {
			ok = 0;
			break;
		}
		switch (ev.ret & SECCOMP_RET_ACTION_FULL) {
		case SECCOMP_RET_ALLOW:
		case SECCOMP_RET_LOG:
			break;
		default:
			ok = 0;
		}
	}
	if (keep && ok && !n_rules)
		*keep = TAKE_PTR(res);
	cf_patched_profile_free(q);
	return ok;
}

/* What resolving with one more capability changes, besides the call itself. */
static void diff_rules(const struct cf_resolved *a, const struct cf_resolved *b, const char *self,
		       struct cf_fix *f)
{
	struct strbuf opened = { 0 }, freed = { 0 }, warn = { 0 };
	const char *seen[128];
	size_t n_seen = 0;
	char *t = NULL;

	for (size_t i = 0; i < a->n_rules && i < b->n_rules; i++) {
		const struct cf_rule *rule = b->rules[i].rule;
		bool now = b->rules[i].active, before = a->rules[i].active;
		bool opens;

		if (now == before || !rule)
			continue;
		/* a newly active permissive rule opens; a newly inactive restrictive one does too */
		opens = now ? (rule->action == CF_ACT_ALLOW || rule->action == CF_ACT_LOG) :
			      (rule->action != CF_ACT_ALLOW && rule->action != CF_ACT_LOG) ||
					rule->n_args > 0;
		if (!opens)
			continue;
		for (size_t j = 0; j < rule->n_names; j++) {
			const char *n = rule->names[j];
			bool dup = false;
			const char *w;

			if (!n || strcmp(n, self) == 0 || syscall_resolve_name(a->native, n) < 0)
				continue;
			for (size_t k = 0; k < n_seen; k++)
				dup |= strcmp(seen[k], n) == 0;
			if (dup || n_seen >= ARRAY_SIZE(seen))
				continue;
			seen[n_seen++] = n;
			f->n_opens++;
			if (now && !rule->n_args)
				strbuf_appendf(&opened, "%s%s", opened.len ? ", " : "", n);
			else
				strbuf_appendf(&freed, "%s%s", freed.len ? ", " : "", n);
			w = cf_escape_surface(n, NULL, 0);
			if (w && !strstr(warn.buf ? warn.buf : "", w))
				strbuf_appendf(&warn, "%s%s", warn.len ? "; " : "", w);
		}
	}
	if (opened.len && freed.len)
		strbuf_append(&opened, "; ");
	if (freed.len)
		strbuf_appendf(&opened, "%s%s", "rules change for: ", freed.buf);
	if (strbuf_steal(&opened, &t) == 0 && t)
		snprintf(f->opens, sizeof(f->opens), "%s", t);
	free(t);
	t = NULL;
	if (strbuf_steal(&warn, &t) == 0 && t)
		snprintf(f->warning, sizeof(f->warning), "%s", t);
	free(t);
	strbuf_clear(&opened);
	strbuf_clear(&freed);
	strbuf_clear(&warn);
}

static int fix_tier_kind(const struct cf_fix *f)
{
	switch (f->kind) {
	case CF_FIX_ARCH:
		return 0;
	case CF_FIX_CAP:
		return f->warning[0] ? 4 : 1;
	case CF_FIX_ARG_RULE:
		return 2;
	case CF_FIX_RULE:
		return 3;
	case CF_FIX_UNCONFINED:
		return 5;
	case CF_FIX_PRIVILEGED:
		return 6;
	}
	return 7;
}

static int fix_tier(const struct cf_fix *f)
{
	/* a fix the kernel's own check still defeats is no fix on its own */
	return f->not_enough ? 10 + fix_tier_kind(f) : fix_tier_kind(f);
}

int cf_fix_compare(const struct cf_fix *a, const struct cf_fix *b)
{
	int ta = fix_tier(a), tb = fix_tier(b);

	if (ta != tb)
		return ta - tb;
	if (a->kind != CF_FIX_CAP)
		return 0;
	if (a->n_opens != b->n_opens)
		return a->n_opens < b->n_opens ? -1 : 1;
	return a->cap - b->cap;
}

static int cmp_fix(const void *x, const void *y)
{
	return cf_fix_compare(x, y);
}

const struct cf_fix *cf_explain_best_fix(const struct cf_explanation *e)
{
	return e && e->n_fixes ? &e->fixes[0] : NULL;
}

/* The argument that says what a call does, for an argument-restricted rule. */
struct key_arg {
	const char *name;
	unsigned index;
	enum cf_op op;
	uint64_t mask; /* MASKED_EQ */
};

static const struct key_arg key_args[] = {
	{ "socket", 0, CF_OP_EQ, 0 },	     { "socketpair", 0, CF_OP_EQ, 0 },
	{ "personality", 0, CF_OP_EQ, 0 },   { "clone", 0, CF_OP_MASKED_EQ, CLONE_NS_MASK },
	{ "unshare", 0, CF_OP_EQ, 0 },	     { "setns", 1, CF_OP_EQ, 0 },
	{ "prctl", 0, CF_OP_EQ, 0 },	     { "fcntl", 1, CF_OP_EQ, 0 },
	{ "ioctl", 1, CF_OP_EQ, 0 },	     { "syslog", 0, CF_OP_EQ, 0 },
	{ "keyctl", 0, CF_OP_EQ, 0 },	     { "ptrace", 0, CF_OP_EQ, 0 },
	{ "bpf", 0, CF_OP_EQ, 0 },	     { "madvise", 2, CF_OP_EQ, 0 },
	{ "quotactl", 0, CF_OP_EQ, 0 },	     { "mbind", 2, CF_OP_EQ, 0 },
	{ "set_mempolicy", 0, CF_OP_EQ, 0 }, { "arch_prctl", 0, CF_OP_EQ, 0 },
};

static const struct key_arg *key_arg_for(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(key_args); i++)
		if (strcmp(key_args[i].name, name) == 0)
			return &key_args[i];
	return NULL;
}

int cf_explain_key_arg(const char *name)
{
	const struct key_arg *k = name ? key_arg_for(name) : NULL;

	return k ? (int)k->index : -1;
}

static bool add_fix(struct cf_explanation *e, const struct cf_fix *f)
{
	if (e->n_fixes >= CF_EXPLAIN_MAX_FIXES)
		return false;
	e->fixes[e->n_fixes++] = *f;
	return true;
}

static int rule_fixes(const struct cf_explain_ctx *ctx, struct cf_explanation *e)
{
	const struct cf_call *calls[1] = { &e->call };
	const struct key_arg *k = key_arg_for(e->call.name);
	struct cf_fix f;
	int r;

	if (k && k->index < e->call.n_given) {
		memset(&f, 0, sizeof(f));
		f.kind = CF_FIX_ARG_RULE;
		snprintf(f.rule.name, sizeof(f.rule.name), "%s", e->call.name);
		f.rule.remove_from = -1;
		f.rule.add = true;
		f.rule.has_arg = true;
		f.rule.index = k->index;
		f.rule.op = k->op;
		if (k->op == CF_OP_MASKED_EQ) {
			f.rule.value = k->mask;
			f.rule.value_two = e->call.args[k->index] & k->mask;
		} else {
			f.rule.value = e->call.args[k->index];
		}
		r = allowed_with(ctx, ctx->resolved->bounding, &f.rule, 1, calls, 1, NULL);
		if (r < 0)
			return r;
		if (r > 0) {
			if (e->escape[0])
				snprintf(f.warning, sizeof(f.warning), "%s", e->escape);
			add_fix(e, &f);
		}
	}
	memset(&f, 0, sizeof(f));
	f.kind = CF_FIX_RULE;
	snprintf(f.rule.name, sizeof(f.rule.name), "%s", e->call.name);
	f.rule.remove_from = -1;
	f.rule.add = true;
	if (e->eval.source == CF_EVAL_RULE && e->eval.rule_index >= 0 &&
	    (size_t)e->eval.rule_index < ctx->profile->n_rules &&
	    ctx->profile->rules[e->eval.rule_index].n_args == 0) {
		/* runc: the first unconditional rule for a syscall wins, so an appended allow rule
		 * would never be reached: take the name out of the denying rule instead */
		f.rule.remove_from = e->eval.rule_index;
		f.rule.add = ctx->resolved->default_action != CF_ACT_ALLOW &&
			     ctx->resolved->default_action != CF_ACT_LOG;
	}
	r = allowed_with(ctx, ctx->resolved->bounding, &f.rule, 1, calls, 1, NULL);
	if (r < 0)
		return r;
	if (r > 0) {
		const char *w = e->escape[0] ? e->escape : cf_escape_surface(e->call.name, NULL, 0);

		if (w)
			snprintf(f.warning, sizeof(f.warning), "%s", w);
		add_fix(e, &f);
	}
	return 0;
}

static int kernel_cap_for(const char *name);

/*
 * mount(2) allowed by the profile still fails without CAP_SYS_ADMIN: the kernel checks it
 * itself. Every fix that does not grant that capability (a rule, unconfined) is then not
 * enough on its own and ranks after the ones that are.
 */
static void mark_not_enough(const struct cf_explain_ctx *ctx, struct cf_explanation *e)
{
	int cap = kernel_cap_for(e->call.name);

	if (cap < 0 || ctx->privileged || (ctx->resolved->bounding & CF_CAP_BIT(cap)))
		return;
	for (size_t i = 0; i < e->n_fixes; i++) {
		struct cf_fix *f = &e->fixes[i];

		switch (f->kind) {
		case CF_FIX_ARG_RULE:
		case CF_FIX_RULE:
		case CF_FIX_UNCONFINED:
		case CF_FIX_ARCH:
			f->not_enough = true;
			f->kernel_cap = cap;
			break;
		case CF_FIX_CAP:
			f->not_enough = f->cap != cap;
			f->kernel_cap = cap;
			break;
		case CF_FIX_PRIVILEGED:
			break;
		}
	}
}

int cf_explain_find_fixes(const struct cf_explain_ctx *ctx, struct cf_explanation *e)
{
	const struct cf_call *calls[1] = { &e->call };
	struct cf_fix capfix[64];
	size_t n_cap = 0;
	int last = caps_last_known(), r;

	if (!ctx->resolved || !ctx->profile)
		return 0;
	if (e->eval.source == CF_EVAL_BAD_ARCH) {
		/* the ABI is not in the profile: no rule or capability reaches the call (the
		 * filter kills before it looks at the number); the fix is the architecture */
		struct cf_fix f = { .kind = CF_FIX_ARCH };

		f.rule.remove_from = -1;
		f.rule.add_arch = true;
		f.rule.arch = e->call.arch;
		snprintf(f.rule.name, sizeof(f.rule.name), "%s", e->call.name);
		r = allowed_with(ctx, ctx->resolved->bounding, &f.rule, 1, calls, 1, NULL);
		if (r < 0)
			return r;
		if (r == 0) {
			/* the ABI alone does not allow this call: the arch, then a rule for it */
			snprintf(f.opens, sizeof(f.opens),
				 "then the profile's rules decide %s on that ABI", e->call.name);
		}
		snprintf(f.warning, sizeof(f.warning), "%s",
			 e->call.arch == CF_ARCH_X86 ?
				 "the i386 ABI (int 0x80 works from 64-bit programs too): a second "
				 "syscall table, checked by the same rules" :
				 "a second syscall table, checked by the same rules");
		add_fix(e, &f);
	}
	for (int cap = 0; cap <= last && cap < 64; cap++) {
		cleanup(cf_resolved_freep) struct cf_resolved *res = NULL;
		cf_capset with = ctx->resolved->bounding | CF_CAP_BIT(cap);

		if (ctx->resolved->bounding & CF_CAP_BIT(cap))
			continue;
		r = allowed_with(ctx, with, NULL, 0, calls, 1, &res);
		if (r < 0)
			return r;
		if (r == 0 || !res)
			continue;
		memset(&capfix[n_cap], 0, sizeof(capfix[n_cap]));
		capfix[n_cap].kind = CF_FIX_CAP;
		capfix[n_cap].cap = cap;
		capfix[n_cap].powers = cf_cap_powers(cap);
		diff_rules(ctx->resolved, res, e->call.name, &capfix[n_cap]);
		n_cap++;
	}
	for (size_t i = 0; i < n_cap; i++)
		add_fix(e, &capfix[i]);

	r = rule_fixes(ctx, e);
	if (r < 0)
		return r;

	if (!ctx->seccomp_disabled) {
		struct cf_fix f = { .kind = CF_FIX_UNCONFINED };

		if (e->escape[0])
			snprintf(f.warning, sizeof(f.warning), "%s; and every other syscall",
				 e->escape);
		else
			snprintf(f.warning, sizeof(f.warning),
				 "every syscall, including io_uring, bpf, keyctl, userfaultfd");
		add_fix(e, &f);
	}
	if (!ctx->privileged) {
		struct cf_fix f = { .kind = CF_FIX_PRIVILEGED };
		bool helps = !ctx->explicit_profile;

		if (!helps) {
			/* with an explicit profile, --privileged keeps it (moby >= 27): only the
			 * capabilities change */
			r = allowed_with(ctx, caps_available(), NULL, 0, calls, 1, NULL);
			if (r < 0)
				return r;
			helps = r > 0;
		}
		if (helps) {
			snprintf(f.warning, sizeof(f.warning),
				 "every capability (CAP_SYS_ADMIN, CAP_SYS_MODULE...)%s",
				 ctx->explicit_profile ? "" : " and no seccomp filter");
			add_fix(e, &f);
		}
	}
	mark_not_enough(ctx, e);
	qsort(e->fixes, e->n_fixes, sizeof(e->fixes[0]), cmp_fix);
	return 0;
}

/* ------------------------------------------------------------------------------------------- */
/* Denials by design */

struct fallback {
	const char *name;
	const char *words;
};

/*
 * Calls whose callers fall back to an older call when they get ENOSYS (and only then): the
 * reason Docker's profile answers clone3 with ENOSYS (moby profiles/seccomp/default.json, "clone3"
 * rule: "ENOSYS ... so that glibc falls back to clone") and runc answers calls newer than the
 * profile with ENOSYS (libcontainer/seccomp/patchbpf).
 */
static const struct fallback fallbacks[] = {
	/* glibc sysdeps/unix/sysv/linux/clone-internal.c: clone3, then clone on ENOSYS */
	{ "clone3", "libc falls back to clone" },
	/* glibc sysdeps/unix/sysv/linux/faccessat.c: faccessat2, then faccessat on ENOSYS */
	{ "faccessat2", "libc falls back to faccessat" },
	/* glibc fchmodat (2.39+): fchmodat2, then fchmodat */
	{ "fchmodat2", "libc falls back to fchmodat" },
	/* glibc closefrom / close_range users: a close loop */
	{ "close_range", "libc falls back to closing descriptors one by one" },
	/* glibc stat family on 32-bit ABIs, coreutils (gnulib) everywhere */
	{ "statx", "callers fall back to fstatat" },
	/* glibc sysdeps/nptl/dl-tls_init_tp.c: a failed rseq registration is ignored */
	{ "rseq", "libc runs without restartable sequences" },
	/* coreutils cp and glibc's own copy helpers */
	{ "copy_file_range", "callers fall back to read and write" },
	/* glibc (i386) time64 calls: the 32-bit time calls on ENOSYS (clock_gettime.c ...) */
	{ "clock_gettime64", "libc falls back to clock_gettime" },
	{ "clock_settime64", "libc falls back to clock_settime" },
	{ "clock_nanosleep_time64", "libc falls back to clock_nanosleep" },
	{ "futex_time64", "libc falls back to futex" },
	{ "ppoll_time64", "libc falls back to ppoll" },
	{ "pselect6_time64", "libc falls back to pselect6" },
	{ "utimensat_time64", "libc falls back to utimensat" },
};

const char *cf_explain_fallback(const char *syscall)
{
	for (size_t i = 0; syscall && i < ARRAY_SIZE(fallbacks); i++)
		if (strcmp(fallbacks[i].name, syscall) == 0)
			return fallbacks[i].words;
	return NULL;
}

const char *cf_explain_by_design(const struct cf_explanation *e)
{
	if (!e || !e->denied || e->eval.ret != (SECCOMP_RET_ERRNO | (uint32_t)ENOSYS))
		return NULL;
	/* an explicit rule of the profile (not its default action), or runc's stub */
	if (e->eval.source != CF_EVAL_RULE && e->eval.source != CF_EVAL_NEWER_THAN_PROFILE)
		return NULL;
	return cf_explain_fallback(e->call.name);
}

/* ------------------------------------------------------------------------------------------- */
/* When seccomp is not (only) the cause */

struct kernel_cap {
	const char *name;
	int cap;
	const char *what;
};

/* Capabilities the kernel itself checks for these calls (beyond what seccomp gates). */
static const struct kernel_cap kernel_caps[] = {
	{ "reboot", 22, "reboot(2)" },
	{ "kexec_load", 22, "kexec_load(2)" },
	{ "sethostname", 21, "sethostname(2) (in the UTS namespace's user namespace)" },
	{ "setdomainname", 21, "setdomainname(2)" },
	{ "chroot", 18, "chroot(2)" },
	{ "settimeofday", 25, "setting the clock" },
	{ "clock_settime", 25, "setting the clock" },
	{ "acct", 20, "acct(2)" },
	{ "init_module", 16, "loading modules" },
	{ "finit_module", 16, "loading modules" },
	{ "delete_module", 16, "unloading modules" },
	{ "iopl", 17, "iopl(2)" },
	{ "ioperm", 17, "ioperm(2)" },
	{ "vhangup", 26, "vhangup(2)" },
	{ "open_by_handle_at", 2, "open_by_handle_at(2)" },
	{ "mount", 21, "mount(2)" },
	{ "umount2", 21, "umount2(2)" },
	{ "pivot_root", 21, "pivot_root(2)" },
	{ "swapon", 21, "swapon(2)" },
	{ "swapoff", 21, "swapoff(2)" },
	{ "quotactl", 21, "most quotactl(2) commands" },
	{ "setns", 21, "setns(2) into most namespaces" },
	{ "mknod", 27, "creating device nodes" },
	{ "mknodat", 27, "creating device nodes" },
};

static void note(struct cf_explanation *e, const char *fmt, ...) CF_PRINTF(2, 3);
static void note(struct cf_explanation *e, const char *fmt, ...)
{
	va_list ap;

	if (e->n_notes >= CF_EXPLAIN_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(e->notes[e->n_notes++], sizeof(e->notes[0]), fmt, ap);
	va_end(ap);
}

static int kernel_cap_for(const char *name)
{
	/* mknod: only device nodes need CAP_MKNOD; FIFOs and files do not */
	if (strcmp(name, "mknod") == 0 || strcmp(name, "mknodat") == 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(kernel_caps); i++)
		if (strcmp(name, kernel_caps[i].name) == 0)
			return kernel_caps[i].cap;
	return -1;
}

void cf_explain_add_notes(const struct cf_explain_ctx *ctx, struct cf_explanation *e)
{
	const char *n = e->call.name;
	cf_capset held = ctx->resolved ? ctx->resolved->bounding : ctx->opts.bounding;
	static const char *const mounts[] = { "mount",	    "umount",	     "umount2",
					      "pivot_root", "fsopen",	     "fsconfig",
					      "fsmount",    "fspick",	     "move_mount",
					      "open_tree",  "mount_setattr", NULL };

	if (ctx->privileged)
		held = caps_available();
	if (strcmp(n, "syslog") == 0)
		note(e,
		     "Docker's profile allows syslog with CAP_SYS_ADMIN or CAP_SYSLOG, but the "
		     "kernel checks CAP_SYSLOG for reading/clearing the log and console control "
		     "(kernel/printk check_syslog_permissions; CAP_SYS_ADMIN only as a deprecated "
		     "fallback with a kernel warning): use --cap-add SYSLOG");
	if (name_in(n, mounts))
		note(e,
		     "in Docker, the AppArmor profile docker-default also denies mount even with "
		     "CAP_SYS_ADMIN (callfence applies no AppArmor; this is a note only)");
	if (strcmp(n, "mbind") == 0 || strcmp(n, "set_mempolicy") == 0 ||
	    strcmp(n, "set_mempolicy_home_node") == 0 || strcmp(n, "get_mempolicy") == 0)
		note(e,
		     "seccomp is the only obstacle here: the kernel needs CAP_SYS_NICE for "
		     "mbind/set_mempolicy only with MPOL_MF_MOVE_ALL (moving pages other processes "
		     "share); Docker gates the whole syscall on the capability");
	if (cf_explain_by_design(e))
		note(e, "ENOSYS on %s is by design: %s%s", n, cf_explain_fallback(n),
		     strcmp(n, "clone3") == 0 ? ", whose flags seccomp can check" : "");
	else if (e->denied && cf_explain_fallback(n) &&
		 (e->eval.ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO) {
		char en[32];

		cf_explain_ret_short(e->eval.ret, en, sizeof(en));
		note(e,
		     "%s only on ENOSYS; %s reaches the program instead (%s fails): answer ENOSYS "
		     "(\"errnoRet\": %d) to keep the fallback",
		     cf_explain_fallback(n), en,
		     strcmp(n, "clone3") == 0 ? "thread and process creation" : "the call", ENOSYS);
	}
	for (size_t i = 0; i < ARRAY_SIZE(kernel_caps); i++) {
		const struct kernel_cap *k = &kernel_caps[i];

		if (strcmp(n, k->name) != 0 || (held & CF_CAP_BIT(k->cap)))
			continue;
		if (strcmp(n, "mknod") == 0 || strcmp(n, "mknodat") == 0)
			continue; /* only device nodes need it; FIFOs and files do not */
		note(e, "%sthe kernel checks %s itself for %s, and it is not held%s",
		     e->denied ? "once seccomp allows it, " : "seccomp allows it, but ",
		     caps_to_name(k->cap), k->what,
		     e->denied ? "" : ": expect EPERM from the kernel");
		break;
	}
	if (e->seccomp_disabled)
		note(e, "seccomp is disabled (%s): any failure comes from the kernel's own checks",
		     ctx->label ? ctx->label : "unconfined");
}

/* ------------------------------------------------------------------------------------------- */
/* The smallest fix set for many denials */

void cf_fix_set_clear(struct cf_fix_set *s)
{
	free(s->rules);
	memset(s, 0, sizeof(*s));
}

/* An escape surface the set opens, once (the summary repeats it beside the fix). */
static void add_warning(struct cf_fix_set *s, const char *w)
{
	if (!w || !w[0])
		return;
	for (size_t i = 0; i < s->n_warnings; i++)
		if (strcmp(s->warnings[i], w) == 0)
			return;
	if (s->n_warnings < ARRAY_SIZE(s->warnings))
		snprintf(s->warnings[s->n_warnings++], sizeof(s->warnings[0]), "%s", w);
}

static bool same_edit(const struct cf_fix_rule *a, const struct cf_fix_rule *b)
{
	if (a->add_arch || b->add_arch)
		return a->add_arch == b->add_arch && a->arch == b->arch;
	return strcmp(a->name, b->name) == 0 && a->remove_from == b->remove_from &&
	       a->add == b->add && a->has_arg == b->has_arg &&
	       (!a->has_arg || (a->index == b->index && a->op == b->op && a->value == b->value &&
				a->value_two == b->value_two));
}

static int push_rule(struct cf_fix_set *s, const struct cf_fix_rule *r)
{
	struct cf_fix_rule *v;

	for (size_t i = 0; i < s->n_rules; i++)
		if (same_edit(&s->rules[i], r))
			return 0;
	v = realloc(s->rules, (s->n_rules + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->rules = v;
	s->rules[s->n_rules++] = *r;
	return 0;
}

int cf_fix_set_compute(const struct cf_explain_ctx *ctx,
		       const struct cf_explanation *const *denials, size_t n,
		       struct cf_fix_set *ret)
{
	struct cf_fix_set s = { 0 };
	cleanup_free bool *covered = NULL;
	cleanup_free const struct cf_call **calls = NULL;
	int r;

	if (!ctx->resolved || !ctx->profile || n == 0) {
		s.verified = true;
		*ret = s;
		return 0;
	}
	covered = calloc(n, sizeof(bool));
	calls = calloc(n, sizeof(const struct cf_call *));
	if (!covered || !calls)
		return -ENOMEM; /* NOLINT(clang-analyzer-unix.Malloc): both are cleanup_free */
	for (size_t i = 0; i < n; i++)
		calls[i] = &denials[i]->call;

	/* Greedy set cover with the capabilities that open no escape surface. */
	for (;;) {
		int best = -1;
		size_t best_n = 0;
		unsigned best_opens = 0;

		for (int cap = 0; cap < 64; cap++) {
			size_t cnt = 0;
			unsigned opens = 0;

			if (s.caps & CF_CAP_BIT(cap))
				continue;
			for (size_t i = 0; i < n; i++) {
				if (covered[i])
					continue;
				for (size_t j = 0; j < denials[i]->n_fixes; j++) {
					const struct cf_fix *f = &denials[i]->fixes[j];

					if (f->kind == CF_FIX_CAP && f->cap == cap &&
					    !f->warning[0]) {
						cnt++;
						opens = f->n_opens;
					}
				}
			}
			if (cnt > best_n || (cnt == best_n && cnt && opens < best_opens)) {
				best = cap;
				best_n = cnt;
				best_opens = opens;
			}
		}
		if (best < 0 || best_n == 0)
			break;
		s.caps |= CF_CAP_BIT(best);
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < denials[i]->n_fixes; j++)
				if (denials[i]->fixes[j].kind == CF_FIX_CAP &&
				    denials[i]->fixes[j].cap == best &&
				    !denials[i]->fixes[j].warning[0])
					covered[i] = true;
	}
	/* The rest: each denial's own best fix (the ranking of its live `fix:` line). */
	for (size_t i = 0; i < n; i++) {
		const struct cf_fix *pick = cf_explain_best_fix(denials[i]);

		if (covered[i])
			continue;
		if (!pick || pick->kind == CF_FIX_UNCONFINED || pick->kind == CF_FIX_PRIVILEGED) {
			s.needs_unconfined = true;
			continue;
		}
		add_warning(&s, pick->warning);
		if (pick->kind == CF_FIX_CAP) {
			s.caps |= CF_CAP_BIT(pick->cap);
		} else {
			r = push_rule(&s, &pick->rule);
			if (r < 0) {
				cf_fix_set_clear(&s);
				return r;
			}
		}
		covered[i] = true;
	}
	/* Verify all together (a capability can also switch rules off through excludes). */
	r = allowed_with(ctx, ctx->resolved->bounding | s.caps, s.rules, s.n_rules, calls, n, NULL);
	if (r < 0) {
		cf_fix_set_clear(&s);
		return r;
	}
	if (r == 0) {
		/* fall back to plain rules for everything still denied, then check again */
		for (size_t i = 0; i < n; i++) {
			struct cf_fix_rule plain = { .remove_from = -1, .add = true };

			r = allowed_with(ctx, ctx->resolved->bounding | s.caps, s.rules, s.n_rules,
					 &calls[i], 1, NULL);
			if (r < 0) {
				cf_fix_set_clear(&s);
				return r;
			}
			if (r > 0)
				continue;
			snprintf(plain.name, sizeof(plain.name), "%s", calls[i]->name);
			r = push_rule(&s, &plain);
			if (r < 0) {
				cf_fix_set_clear(&s);
				return r;
			}
		}
		r = allowed_with(ctx, ctx->resolved->bounding | s.caps, s.rules, s.n_rules, calls,
				 n, NULL);
		if (r < 0) {
			cf_fix_set_clear(&s);
			return r;
		}
	}
	s.verified = r > 0 && !s.needs_unconfined;
	*ret = s;
	return 0;
}

int cf_fix_set_profile_json(const struct cf_explain_ctx *ctx, const struct cf_fix_set *s,
			    char **ret)
{
	struct cf_profile *q = NULL;
	struct cf_emit_opts o = { .format = CF_EMIT_DOCKER };
	int r;

	if (!ctx->profile)
		return -EINVAL;
	r = cf_patched_profile_new(ctx->profile, s->rules, s->n_rules, &q);
	if (r < 0)
		return r;
	r = cf_emit(q, NULL, &o, ret);
	cf_patched_profile_free(q);
	return r;
}
