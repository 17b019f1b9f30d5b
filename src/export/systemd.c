/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * systemd unit settings (systemd.exec(5) "System Call Filtering", systemd 252 in Debian 12).
 *
 * SystemCallFilter= is an allow-list, or a deny-list when its first value starts with '~'; the
 * action for everything else follows: ERRNO/KILL defaults become an allow-list with
 * SystemCallErrorNumber= (an errno name, or kill), an ALLOW default a deny-list whose entries
 * carry their own ":ERRNO" or ":kill". What systemd cannot say, and what we do about it:
 *  - argument conditions: none. The nearest knobs exist for three calls: socket's family
 *    (RestrictAddressFamilies=), clone's namespace flags (RestrictNamespaces=) and personality
 *    (LockPersonality=). Every other condition is a loss.
 *  - per-call errno in an allow-list: systemd ignores it ("Allow-listed system calls cannot take
 *    error number"), so a deny rule whose errno differs from the default is a loss, except
 *    clone3's ENOSYS: systemd's own RestrictNamespaces= filter answers ENOSYS for clone3
 *    (seccomp_restrict_namespaces), so listing clone3 there keeps glibc's fallback to clone.
 *  - an allow-list always contains systemd's @default set (config_parse_syscall_filter adds
 *    it): a profile that denies one of those is widened.
 *  - TRAP and NOTIFY have no equivalent; TRACE without a tracer is ENOSYS (kernel/seccomp.c
 *    __seccomp_filter), which is what a service gets, so it is written as :ENOSYS.
 * A loss refuses the export unless --lossy, which applies it and names it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>

#include "base/strbuf.h"
#include "bpf/filter.h"
#include "export/export.h"

/* systemd 252 src/shared/seccomp-util.c, SYSCALL_FILTER_SET_DEFAULT ("@default"); the test
 * compares it with `systemd-analyze syscall-filter @default`. */
static const char *const systemd_default_set[] = {
	"arch_prctl",
	"brk",
	"cacheflush",
	"clock_getres",
	"clock_getres_time64",
	"clock_gettime",
	"clock_gettime64",
	"clock_nanosleep",
	"clock_nanosleep_time64",
	"execve",
	"exit",
	"exit_group",
	"futex",
	"futex_time64",
	"futex_waitv",
	"get_robust_list",
	"get_thread_area",
	"getegid",
	"getegid32",
	"geteuid",
	"geteuid32",
	"getgid",
	"getgid32",
	"getgroups",
	"getgroups32",
	"getpgid",
	"getpgrp",
	"getpid",
	"getppid",
	"getrandom",
	"getresgid",
	"getresgid32",
	"getresuid",
	"getresuid32",
	"getrlimit",
	"getsid",
	"gettid",
	"gettimeofday",
	"getuid",
	"getuid32",
	"membarrier",
	"mmap",
	"mmap2",
	"mprotect",
	"munmap",
	"nanosleep",
	"pause",
	"prlimit64",
	"restart_syscall",
	"riscv_flush_icache",
	"riscv_hwprobe",
	"rseq",
	"rt_sigreturn",
	"sched_getaffinity",
	"sched_yield",
	"set_robust_list",
	"set_thread_area",
	"set_tid_address",
	"set_tls",
	"sigreturn",
	"time",
	"ugetrlimit",
	"uretprobe",
};

/* address family names as systemd spells them (its af-list is generated from these macros) */
static const char *af_name(unsigned v)
{
#define AF(x)   \
	case x: \
		return #x
	switch (v) {
		AF(AF_UNIX);
		AF(AF_INET);
		AF(AF_AX25);
		AF(AF_IPX);
		AF(AF_APPLETALK);
		AF(AF_NETROM);
		AF(AF_BRIDGE);
		AF(AF_ATMPVC);
		AF(AF_X25);
		AF(AF_INET6);
		AF(AF_ROSE);
		AF(AF_DECnet);
		AF(AF_NETBEUI);
		AF(AF_SECURITY);
		AF(AF_KEY);
		AF(AF_NETLINK);
		AF(AF_PACKET);
		AF(AF_ASH);
		AF(AF_ECONET);
		AF(AF_ATMSVC);
		AF(AF_RDS);
		AF(AF_SNA);
		AF(AF_IRDA);
		AF(AF_PPPOX);
		AF(AF_WANPIPE);
		AF(AF_LLC);
		AF(AF_IB);
		AF(AF_MPLS);
		AF(AF_CAN);
		AF(AF_TIPC);
		AF(AF_BLUETOOTH);
		AF(AF_IUCV);
		AF(AF_RXRPC);
		AF(AF_ISDN);
		AF(AF_PHONET);
		AF(AF_IEEE802154);
		AF(AF_CAIF);
		AF(AF_ALG);
		AF(AF_NFC);
		AF(AF_VSOCK);
		AF(AF_KCM);
		AF(AF_QIPCRTR);
		AF(AF_SMC);
		AF(AF_XDP);
	default:
		return NULL;
	}
#undef AF
}
#define AF_LAST 44u /* AF_XDP: the newest family glibc 2.36 and systemd 252 both name */

/* CLONE_NEW* flags and their RestrictNamespaces= names (clone(2); systemd nsflags.c) */
static const struct {
	unsigned long flag;
	const char *name;
} ns_types[] = {
	{ 0x02000000, "cgroup" }, { 0x08000000, "ipc" }, { 0x40000000, "net" },
	{ 0x00020000, "mnt" },	  { 0x20000000, "pid" }, { 0x10000000, "user" },
	{ 0x04000000, "uts" },
};

static const char *systemd_arch(enum cf_arch a)
{
	switch (a) {
	case CF_ARCH_X86_64:
		return "x86-64";
	case CF_ARCH_X86:
		return "x86";
	case CF_ARCH_X32:
		return "x32";
	case CF_ARCH_AARCH64:
		return "arm64";
	case CF_ARCH_ARM:
		return "arm";
	case CF_ARCH_MIPS:
		return "mips";
	case CF_ARCH_MIPSEL:
		return "mips-le";
	case CF_ARCH_MIPS64:
		return "mips64";
	case CF_ARCH_MIPSEL64:
		return "mips64-le";
	case CF_ARCH_MIPS64N32:
		return "mips64-n32";
	case CF_ARCH_MIPSEL64N32:
		return "mips64-le-n32";
	case CF_ARCH_PPC:
		return "ppc";
	case CF_ARCH_PPC64:
		return "ppc64";
	case CF_ARCH_PPC64LE:
		return "ppc64-le";
	case CF_ARCH_S390:
		return "s390";
	case CF_ARCH_S390X:
		return "s390x";
	case CF_ARCH_PARISC:
		return "parisc";
	case CF_ARCH_PARISC64:
		return "parisc64";
	case CF_ARCH_RISCV64:
		return "riscv64";
	case CF_ARCH_LOONGARCH64:
		return "loongarch64";
	case CF_ARCH_M68K:
	case CF_ARCH_SH:
	case CF_ARCH_SHEB:
	case CF_ARCH_COUNT:
	case CF_ARCH_INVALID:
		break;
	}
	return NULL;
}

static void errno_text(uint32_t e, char *buf, size_t size)
{
	const char *n = strerrorname_np((int)e);

	if (n)
		snprintf(buf, size, "%s", n);
	else
		snprintf(buf, size, "%u", e);
}

static bool is_kill(enum cf_action a)
{
	return a == CF_ACT_KILL || a == CF_ACT_KILL_THREAD || a == CF_ACT_KILL_PROCESS;
}

static bool rule_names(const struct cf_resolved_rule *rr, const char *name)
{
	for (size_t j = 0; j < rr->rule->n_names; j++)
		if (strcmp(rr->rule->names[j], name) == 0)
			return true;
	return false;
}

struct sd {
	const struct cf_profile *p;
	const struct cf_resolved *r;
	const struct cf_export_opts *o;
	struct cf_warnings *notes;
	struct cf_diag *reterr;
	bool allow_list;
	bool *listed; /* by name id: allow-list entry */
	char **deny; /* by name id: deny-list suffix (":EPERM", ":kill") or NULL */
	bool *logged; /* by name id: SystemCallLog= */
	struct strbuf knobs;
	bool restrict_ns, lock_personality, address_families;
};

/*
 * The verdict of the name's conditional rules for arg `index` == v (other args 0): true when
 * the call is allowed. Unmappable (a rule with args on another index, or mixed actions):
 * returns -EINVAL.
 */
static int cond_allowed(struct sd *x, const char *name, unsigned index, uint64_t v, bool *ret)
{
	bool matched_allow = false, matched_deny = false;

	for (size_t i = 0; i < x->r->n_rules; i++) {
		const struct cf_resolved_rule *rr = &x->r->rules[i];
		bool all = true;

		if (!rr->active || !rule_names(rr, name))
			continue;
		for (size_t k = 0; k < rr->rule->n_args; k++) {
			const struct cf_arg *a = &rr->rule->args[k];
			uint64_t datum = a->op == CF_OP_MASKED_EQ ? a->value_two : a->value;

			if (a->index != index)
				return -EINVAL;
			all &= cf_arg_compare(a->op, v, datum, a->value, 64);
		}
		if (!all)
			continue;
		if (rr->rule->action == CF_ACT_ALLOW || rr->rule->action == CF_ACT_LOG)
			matched_allow = true;
		else
			matched_deny = true;
	}
	if (x->allow_list)
		*ret = matched_allow && !matched_deny;
	else
		*ret = !matched_deny;
	return 0;
}

static int knob_socket(struct sd *x, const struct cf_resolved_rule *first)
{
	bool big, allowed[AF_LAST + 1];
	struct strbuf list = { 0 };
	int e;

	e = cond_allowed(x, "socket", 0, 0x7fffffff, &big);
	if (e < 0)
		return 0;
	for (unsigned v = 1; v <= 4096; v++) {
		bool a;

		if (cond_allowed(x, "socket", 0, v, &a) < 0)
			return 0;
		if (v <= AF_LAST)
			allowed[v] = a;
		else if (a != big)
			return 0; /* a condition above the families systemd names */
	}
	for (unsigned v = 1; v <= AF_LAST; v++) {
		if (allowed[v] == big)
			continue;
		if (!af_name(v)) {
			strbuf_clear(&list);
			return 0;
		}
		strbuf_appendf(&list, " %s", af_name(v));
	}
	if (big && !list.len) {
		strbuf_clear(&list);
		return 1; /* nothing denied */
	}
	strbuf_appendf(&x->knobs, "RestrictAddressFamilies=%s%s\n", big ? "~" : "",
		       list.len ? list.buf + 1 : "none");
	strbuf_clear(&list);
	x->address_families = true;
	export_note(x->notes, x->p, first,
		    "systemd: socket's family conditions became RestrictAddressFamilies= (its "
		    "refusal is EAFNOSUPPORT, and i386's socketcall is not covered)");
	return 1;
}

static int knob_clone(struct sd *x, const struct cf_resolved_rule *first)
{
	unsigned long masked = 0, all = 0;
	struct strbuf list = { 0 };

	/* only the shape Docker uses: ALLOW when (flags & MASK) == 0, MASK namespace bits only,
	 * on an ABI whose first clone argument is the flags (not s390) */
	if (x->r->native == CF_ARCH_S390 || x->r->native == CF_ARCH_S390X || !x->allow_list)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(ns_types); i++)
		all |= ns_types[i].flag;
	for (size_t i = 0; i < x->r->n_rules; i++) {
		const struct cf_resolved_rule *rr = &x->r->rules[i];
		const struct cf_arg *a = rr->rule->args;

		if (!rr->active || !rule_names(rr, "clone"))
			continue;
		if (rr->rule->action != CF_ACT_ALLOW || rr->rule->n_args != 1 || a->index != 0 ||
		    a->op != CF_OP_MASKED_EQ || a->value_two != 0 || (a->value & ~(uint64_t)all))
			return 0;
		if (masked && masked != a->value)
			return 0;
		masked = a->value;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ns_types); i++)
		if (!(masked & ns_types[i].flag))
			strbuf_appendf(&list, " %s", ns_types[i].name);
	strbuf_appendf(&x->knobs, "RestrictNamespaces=%s\n", list.len ? list.buf + 1 : "yes");
	strbuf_clear(&list);
	x->restrict_ns = true;
	export_note(x->notes, x->p, first,
		    "systemd: clone's namespace-flag mask became RestrictNamespaces= (it also "
		    "covers unshare and setns, and answers ENOSYS to clone3)");
	return 1;
}

static int knob_personality(struct sd *x, const struct cf_resolved_rule *first)
{
	if (!x->lock_personality)
		strbuf_append(&x->knobs, "LockPersonality=yes\n");
	x->lock_personality = true;
	export_note(x->notes, x->p, first,
		    "systemd: personality's argument conditions became LockPersonality=yes (only "
		    "the current personality and the 0xffffffff query)");
	return 1;
}

/* 1: a knob expresses the name's conditional rules; 0: none does */
static int knob(struct sd *x, const char *name, const struct cf_resolved_rule *first)
{
	if (strcmp(name, "socket") == 0)
		return knob_socket(x, first);
	if (strcmp(name, "clone") == 0)
		return knob_clone(x, first);
	if (strcmp(name, "personality") == 0)
		return knob_personality(x, first);
	return 0;
}

static int deny_entry(struct sd *x, int id, const char *suffix)
{
	free(x->deny[id]);
	x->deny[id] = strdup(suffix);
	return x->deny[id] ? 0 : -ENOMEM;
}

static int one_name(struct sd *x, int id, const struct cf_resolved_rule *uncond,
		    const struct cf_resolved_rule *cond)
{
	const char *name = syscall_id_name(id);
	char en[32], suffix[40];
	int e;

	if (uncond) {
		const struct cf_rule *rule = uncond->rule;
		uint32_t er = rule->has_errno ? rule->errno_ret : 1;

		switch (rule->action) {
		case CF_ACT_ALLOW:
		case CF_ACT_LOG:
			x->logged[id] = rule->action == CF_ACT_LOG;
			if (x->allow_list)
				x->listed[id] = true;
			return 0;
		case CF_ACT_ERRNO:
			if (er > CF_ERRNO_MAX) /* systemd: "Failed to parse syscall:errno" */
				return diag_set(x->reterr, EINVAL, x->p->source, rule->pos.line,
						rule->pos.column, NULL,
						"/syscalls/%zu: errnoRet %u is above %u, which "
						"systemd (like runc) refuses",
						uncond->index, er, CF_ERRNO_MAX);
			errno_text(er, en, sizeof(en));
			if (!x->allow_list) {
				snprintf(suffix, sizeof(suffix), ":%s", en);
				return deny_entry(x, id, suffix);
			}
			if (x->r->default_action == CF_ACT_ERRNO && er == x->r->default_errno)
				return 0;
			if (strcmp(name, "clone3") == 0 && er == ENOSYS && x->restrict_ns) {
				x->listed[id] = true; /* RestrictNamespaces= answers ENOSYS */
				return 0;
			}
			return export_loss(x->o, x->notes, x->reterr, x->p, uncond,
					   "systemd: %s returns %s here, but an allow-list cannot "
					   "carry per-call errnos: it gets SystemCallErrorNumber=",
					   name, en);
		case CF_ACT_KILL:
		case CF_ACT_KILL_THREAD:
		case CF_ACT_KILL_PROCESS:
			if (!x->allow_list)
				return deny_entry(x, id, ":kill");
			if (is_kill(x->r->default_action))
				return 0;
			return export_loss(x->o, x->notes, x->reterr, x->p, uncond,
					   "systemd: %s kills here, but an allow-list cannot carry "
					   "per-call actions: it gets SystemCallErrorNumber=",
					   name);
		case CF_ACT_TRACE:
			/* no tracer in a service: the kernel answers ENOSYS */
			if (!x->allow_list)
				return deny_entry(x, id, ":ENOSYS");
			return export_loss(
				x->o, x->notes, x->reterr, x->p, uncond,
				"systemd: %s is SCMP_ACT_TRACE (ENOSYS without a tracer); "
				"an allow-list gives it SystemCallErrorNumber=",
				name);
		case CF_ACT_TRAP:
		case CF_ACT_NOTIFY:
			e = export_loss(x->o, x->notes, x->reterr, x->p, uncond,
					"systemd: %s is %s, which systemd cannot express; it is "
					"killed instead",
					name, cf_action_name(rule->action));
			if (e < 0 || x->allow_list)
				return e;
			return deny_entry(x, id, ":kill");
		case CF_ACT_COUNT:
		case CF_ACT_INVALID:
			break;
		}
		return -EINVAL;
	}
	if (knob(x, name, cond)) {
		if (x->allow_list)
			x->listed[id] = true;
		return 0;
	}
	if (x->allow_list) {
		e = export_loss(x->o, x->notes, x->reterr, x->p, cond,
				"systemd: %s is allowed only for some arguments; systemd filters "
				"no arguments, so it would be allowed for every argument (widened)",
				name);
		if (e == 0)
			x->listed[id] = true;
		return e;
	}
	return export_loss(x->o, x->notes, x->reterr, x->p, cond,
			   "systemd: %s is denied only for some arguments; systemd filters no "
			   "arguments, so it stays allowed for every argument (widened)",
			   name);
}

static void list_lines(struct strbuf *s, const char *key, const char *prefix, struct sd *x,
		       bool (*pick)(struct sd *, int, const char **))
{
	unsigned per_line = 0;

	for (unsigned id = 0; id < syscall_n_ids(); id++) {
		const char *suffix = "";

		if (!pick(x, (int)id, &suffix))
			continue;
		if (per_line == 0)
			strbuf_appendf(s, "%s=%s", key, prefix);
		else
			strbuf_append(s, " ");
		strbuf_appendf(s, "%s%s", syscall_id_name((int)id), suffix);
		if (++per_line == 8) {
			strbuf_append(s, "\n");
			per_line = 0;
		}
	}
	if (per_line)
		strbuf_append(s, "\n");
}

static bool pick_listed(struct sd *x, int id, const char **suffix)
{
	(void)suffix;
	return x->listed[id];
}

static bool pick_denied(struct sd *x, int id, const char **suffix)
{
	*suffix = x->deny[id];
	return x->deny[id] != NULL;
}

static bool pick_logged(struct sd *x, int id, const char **suffix)
{
	(void)suffix;
	return x->logged[id];
}

static bool known_here(const struct cf_resolved *r, int id)
{
	for (size_t i = 0; i < r->n_arches; i++)
		if (syscall_resolve_id(r->arches[i], id) >= 0)
			return true;
	return false;
}

static int run(struct sd *x, struct strbuf *s)
{
	unsigned n = syscall_n_ids();
	const struct cf_resolved *r = x->r;
	char en[32];
	int e;

	switch (r->default_action) {
	case CF_ACT_ALLOW:
		x->allow_list = false;
		break;
	case CF_ACT_ERRNO:
	case CF_ACT_KILL:
	case CF_ACT_KILL_THREAD:
	case CF_ACT_KILL_PROCESS:
		x->allow_list = true;
		break;
	case CF_ACT_LOG:
	case CF_ACT_TRAP:
	case CF_ACT_TRACE:
	case CF_ACT_NOTIFY:
	case CF_ACT_COUNT:
	case CF_ACT_INVALID:
		return diag_set(x->reterr, EINVAL, x->p->source, x->p->default_action_pos.line,
				x->p->default_action_pos.column, "/defaultAction",
				"systemd has no default action like %s (only an errno or kill for "
				"an allow-list, allow for a deny-list)",
				cf_action_name(r->default_action));
	}

	/* clone first: clone3's ENOSYS depends on whether RestrictNamespaces= is written */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned id = 0; id < n; id++) {
			const struct cf_resolved_rule *uncond = NULL, *cond = NULL;
			const char *name = syscall_id_name((int)id);

			if ((pass == 0) != (strcmp(name, "clone") == 0))
				continue;
			for (size_t i = 0; i < r->n_rules; i++) {
				const struct cf_resolved_rule *rr = &r->rules[i];

				if (!rr->active || !rule_names(rr, name))
					continue;
				/* runc skips rules equal to the default action */
				if (rr->rule->action == r->default_action &&
				    (!cf_action_takes_errno(rr->rule->action) ||
				     (rr->rule->has_errno ? rr->rule->errno_ret : 1) ==
					     r->default_errno))
					continue;
				if (rr->rule->n_args == 0 && !uncond)
					uncond = rr; /* unconditional rules win (libseccomp) */
				else if (rr->rule->n_args && !cond)
					cond = rr;
			}
			if (!uncond && !cond)
				continue;
			e = one_name(x, (int)id, uncond, cond);
			if (e < 0)
				return e;
		}
	}
	if (x->allow_list) {
		for (size_t i = 0; i < ARRAY_SIZE(systemd_default_set); i++) {
			int id = syscall_name_id(systemd_default_set[i]);

			if (id < 0 || x->listed[id] || !known_here(r, id))
				continue;
			e = export_loss(x->o, x->notes, x->reterr, x->p, NULL,
					"systemd: an allow-list always allows %s (systemd's "
					"@default set); the profile denies it (widened)",
					systemd_default_set[i]);
			if (e < 0)
				return e;
		}
	}

	strbuf_append(s, "[Service]\n");
	if (r->n_arches) {
		strbuf_append(s, "SystemCallArchitectures=");
		for (size_t i = 0, k = 0; i < r->n_arches; i++) {
			const char *a = systemd_arch(r->arches[i]);

			if (!a) {
				export_note(x->notes, x->p, NULL,
					    "systemd: no such architecture in systemd: %s left out "
					    "(its calls are refused)",
					    arch_info(r->arches[i])->scmp_name);
				continue;
			}
			strbuf_appendf(s, "%s%s", k++ ? " " : "", a);
		}
		strbuf_append(s, "\n");
	}
	if (x->allow_list) {
		list_lines(s, "SystemCallFilter", "", x, pick_listed);
		if (is_kill(r->default_action))
			strbuf_append(s, "SystemCallErrorNumber=kill\n");
		else {
			errno_text(r->default_errno, en, sizeof(en));
			strbuf_appendf(s, "SystemCallErrorNumber=%s\n", en);
		}
	} else {
		list_lines(s, "SystemCallFilter", "~", x, pick_denied);
		export_note(x->notes, x->p, NULL,
			    "systemd: a deny-list entry that systemd's libseccomp does not know is "
			    "ignored (systemd-analyze verify: \"Failed to parse system call\"), "
			    "which leaves that call allowed");
	}
	list_lines(s, "SystemCallLog", "", x, pick_logged);
	if (x->knobs.len)
		strbuf_append(s, x->knobs.buf);
	return 0;
}

int cf_export_systemd(const struct cf_profile *p, const struct cf_resolved *r,
		      const struct cf_export_opts *o, char **ret, struct cf_warnings *notes,
		      struct cf_diag *reterr)
{
	unsigned n = syscall_n_ids();
	struct sd x = {
		.p = p,
		.r = r,
		.o = o,
		.notes = notes,
		.reterr = reterr,
		.listed = calloc(n, sizeof(bool)),
		.deny = calloc(n, sizeof(char *)),
		.logged = calloc(n, sizeof(bool)),
	};
	struct strbuf s = { 0 };
	int e = -ENOMEM;

	if (x.listed && x.deny && x.logged)
		e = run(&x, &s);
	for (unsigned i = 0; x.deny && i < n; i++)
		free(x.deny[i]);
	free(x.listed);
	free(x.deny);
	free(x.logged);
	strbuf_clear(&x.knobs);
	if (e < 0) {
		strbuf_clear(&s);
		return e;
	}
	return strbuf_steal(&s, ret);
}
