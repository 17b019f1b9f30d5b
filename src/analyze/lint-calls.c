/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Lint checks on verdicts: what the resolved profile (the reference model, src/bpf/model.c)
 * decides for particular calls with particular arguments, on every ABI the filter accepts.
 * Asking the model rather than reading rules catches every way a call gets through: the
 * default action, a rule for a sibling name, a condition that does not cover the argument.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <linux/capability.h>
#include <linux/personality.h>
#include <linux/seccomp.h>

#include "analyze/lint-int.h"
#include "base/strbuf.h"
#include "explain/explain.h"
#include "run/run.h"

/*
 * Calls whose unrestricted use has escaped containers or exploited the kernel. error: a hole
 * whatever namespaces the container has (io_uring bypasses the filter itself, kernel code,
 * host-global state with the capability held). warning: kernel attack surface that a design
 * may accept on purpose: Podman's default profile allows namespaces and keyrings for nested
 * rootless containers and leaves the rest to the kernel's capability checks in them
 * (containers/common seccomp.json), and keyrings are per user namespace since Linux 5.3.
 */
struct danger {
	const char *name;
	enum cf_lint_severity sev;
	/* the kernel itself requires this capability (-1: none): without it, info only */
	int cap;
	bool ptrace_family; /* before 4.8 ptrace could bypass seccomp: info from 4.8 on */
	uint64_t arg0; /* the argument value probed (namespace flags for clone/unshare) */
	const char *why;
};

#define NS_FLAGS CLONE_NEWUSER
static const struct danger dangers[] = {
	{ "io_uring_setup", CF_LINT_ERROR, -1, false, 0,
	  "io_uring runs file and network operations seccomp never sees; ~60% of kCTF VRP "
	  "exploits used it (CVE-2023-2598, CVE-2024-0582)" },
	{ "io_uring_enter", CF_LINT_ERROR, -1, false, 0,
	  "io_uring runs operations seccomp never sees (CVE-2023-2598, CVE-2024-0582)" },
	{ "io_uring_register", CF_LINT_ERROR, -1, false, 0,
	  "io_uring runs operations seccomp never sees (CVE-2023-2598, CVE-2024-0582)" },
	{ "bpf", CF_LINT_ERROR, -1, false, 0,
	  "loads programs into the kernel; verifier bugs are privilege escalations "
	  "(CVE-2021-3490, CVE-2023-2163)" },
	{ "keyctl", CF_LINT_WARNING, -1, false, 0,
	  "the kernel keyring is not namespaced (CVE-2016-0728, CVE-2017-15274)" },
	{ "add_key", CF_LINT_WARNING, -1, false, 0,
	  "the kernel keyring is not namespaced (CVE-2016-0728)" },
	{ "request_key", CF_LINT_WARNING, -1, false, 0,
	  "the kernel keyring is not namespaced (CVE-2015-7550)" },
	{ "perf_event_open", CF_LINT_ERROR, -1, false, 0,
	  "leaks host information and has a history of exploits (CVE-2022-1729, "
	  "CVE-2017-6001)" },
	{ "userfaultfd", CF_LINT_WARNING, -1, false, 0,
	  "stalls kernel page faults at will, the race-widening step of many kernel exploits" },
	{ "kexec_load", CF_LINT_ERROR, CAP_SYS_BOOT, false, 0, "replaces the host kernel" },
	{ "kexec_file_load", CF_LINT_ERROR, CAP_SYS_BOOT, false, 0, "replaces the host kernel" },
	{ "init_module", CF_LINT_ERROR, CAP_SYS_MODULE, false, 0, "loads host kernel code" },
	{ "finit_module", CF_LINT_ERROR, CAP_SYS_MODULE, false, 0, "loads host kernel code" },
	{ "delete_module", CF_LINT_ERROR, CAP_SYS_MODULE, false, 0, "unloads host kernel code" },
	{ "create_module", CF_LINT_ERROR, CAP_SYS_MODULE, false, 0, "loads host kernel code" },
	{ "open_by_handle_at", CF_LINT_ERROR, CAP_DAC_READ_SEARCH, false, 0,
	  "opens host files by handle, past the container's root: the \"shocker\" breakout" },
	{ "mount", CF_LINT_ERROR, CAP_SYS_ADMIN, false, 0,
	  "remounts and exposes host filesystems (CVE-2022-0185 through fsconfig)" },
	{ "umount", CF_LINT_ERROR, CAP_SYS_ADMIN, false, 0,
	  "uncovers what the runtime mounted over (masked /proc paths)" },
	{ "umount2", CF_LINT_ERROR, CAP_SYS_ADMIN, false, 0,
	  "uncovers what the runtime mounted over (masked /proc paths)" },
	{ "pivot_root", CF_LINT_ERROR, CAP_SYS_ADMIN, false, 0, "changes the root filesystem" },
	{ "fsopen", CF_LINT_ERROR, CAP_SYS_ADMIN, false, 0,
	  "new mount API; CVE-2022-0185 (fsconfig heap overflow)" },
	{ "fsconfig", CF_LINT_ERROR, CAP_SYS_ADMIN, false, 0,
	  "CVE-2022-0185 (heap overflow reached through unshare)" },
	{ "fsmount", CF_LINT_ERROR, CAP_SYS_ADMIN, false, 0, "new mount API" },
	{ "fspick", CF_LINT_ERROR, CAP_SYS_ADMIN, false, 0, "new mount API" },
	{ "move_mount", CF_LINT_ERROR, CAP_SYS_ADMIN, false, 0, "new mount API" },
	{ "open_tree", CF_LINT_ERROR, CAP_SYS_ADMIN, false, 0, "new mount API" },
	{ "mount_setattr", CF_LINT_ERROR, CAP_SYS_ADMIN, false, 0, "new mount API" },
	{ "unshare", CF_LINT_WARNING, -1, false, NS_FLAGS,
	  "unprivileged user namespaces hand out capabilities over new kernel surface "
	  "(CVE-2022-0185, CVE-2013-1858); Docker allows it only with CAP_SYS_ADMIN" },
	{ "setns", CF_LINT_WARNING, -1, false, 0,
	  "joins other namespaces; Docker allows it only with CAP_SYS_ADMIN" },
	{ "clone", CF_LINT_WARNING, -1, false, NS_FLAGS,
	  "creates namespaces: Docker masks the flags with 0x7E020000 unless CAP_SYS_ADMIN "
	  "is held" },
	{ "clone3", CF_LINT_WARNING, -1, false, 0,
	  "its flags are in memory seccomp cannot read, so namespaces cannot be masked: Docker "
	  "answers ENOSYS (glibc then uses clone) unless CAP_SYS_ADMIN is held" },
	{ "personality", CF_LINT_WARNING, -1, false, READ_IMPLIES_EXEC,
	  "other personalities are poorly tested kernel paths (READ_IMPLIES_EXEC makes data "
	  "executable); Docker allows only 0, 8, 0x20000, 0x20008 and 0xffffffff" },
	{ "ptrace", CF_LINT_WARNING, -1, true, 0,
	  "before Linux 4.8 a tracer could bypass seccomp (CVE-2019-13272 for ptrace itself)" },
	{ "process_vm_readv", CF_LINT_WARNING, -1, true, 0,
	  "reads other processes' memory; gated like ptrace" },
	{ "process_vm_writev", CF_LINT_WARNING, -1, true, 0,
	  "writes other processes' memory; gated like ptrace" },
	{ "kcmp", CF_LINT_WARNING, -1, false, 0,
	  "compares kernel objects of other processes; Docker needs CAP_SYS_PTRACE" },
	{ "pidfd_getfd", CF_LINT_WARNING, -1, false, 0,
	  "steals file descriptors of other processes; Docker needs CAP_SYS_PTRACE" },
	{ "lookup_dcookie", CF_LINT_WARNING, CAP_SYS_ADMIN, false, 0, "leaks host paths" },
	{ "name_to_handle_at", CF_LINT_INFO, -1, false, 0,
	  "the first half of the shocker breakout (harmless without open_by_handle_at)" },
	{ "reboot", CF_LINT_WARNING, CAP_SYS_BOOT, false, 0, "reboots the host" },
	{ "swapon", CF_LINT_WARNING, CAP_SYS_ADMIN, false, 0, "host-global swap" },
	{ "swapoff", CF_LINT_WARNING, CAP_SYS_ADMIN, false, 0, "host-global swap" },
	{ "acct", CF_LINT_WARNING, CAP_SYS_PACCT, false, 0, "host-global accounting" },
	{ "quotactl", CF_LINT_WARNING, CAP_SYS_ADMIN, false, 0, "host-global quotas" },
	{ "settimeofday", CF_LINT_WARNING, CAP_SYS_TIME, false, 0, "the clock is not namespaced" },
	{ "stime", CF_LINT_WARNING, CAP_SYS_TIME, false, 0, "the clock is not namespaced" },
	{ "clock_settime", CF_LINT_WARNING, CAP_SYS_TIME, false, 0, "the clock is not namespaced" },
	{ "clock_adjtime", CF_LINT_WARNING, CAP_SYS_TIME, false, 0, "the clock is not namespaced" },
	{ "adjtimex", CF_LINT_WARNING, CAP_SYS_TIME, false, 0, "the clock is not namespaced" },
	{ "iopl", CF_LINT_WARNING, CAP_SYS_RAWIO, false, 0, "raw port I/O on the host" },
	{ "ioperm", CF_LINT_WARNING, CAP_SYS_RAWIO, false, 0, "raw port I/O on the host" },
	{ "syslog", CF_LINT_WARNING, CAP_SYSLOG, false, 0, "reads the host kernel log" },
	{ "mbind", CF_LINT_WARNING, CAP_SYS_NICE, false, 0, "NUMA policy of host memory" },
	{ "set_mempolicy", CF_LINT_WARNING, CAP_SYS_NICE, false, 0, "NUMA policy" },
	{ "move_pages", CF_LINT_WARNING, CAP_SYS_NICE, false, 0, "NUMA placement" },
	{ "migrate_pages", CF_LINT_WARNING, CAP_SYS_NICE, false, 0, "NUMA placement" },
	{ "vm86", CF_LINT_INFO, -1, false, 0, "obsolete, poorly tested" },
	{ "vm86old", CF_LINT_INFO, -1, false, 0, "obsolete, poorly tested" },
	{ "uselib", CF_LINT_INFO, -1, false, 0, "obsolete, poorly tested" },
	{ "ustat", CF_LINT_INFO, -1, false, 0, "obsolete" },
	{ "sysfs", CF_LINT_INFO, -1, false, 0, "obsolete" },
	{ "_sysctl", CF_LINT_INFO, -1, false, 0, "obsolete" },
	{ "nfsservctl", CF_LINT_INFO, -1, false, 0, "obsolete" },
};

static enum cf_lint_severity danger_severity(const struct lint_ctx *c, const struct danger *d,
					     const char **ret_note)
{
	static const struct cf_kernel_version k48 = { .set = true, .major = 4, .minor = 8 };

	*ret_note = "";
	if (d->cap >= 0 && !(c->r->bounding & CF_CAP_BIT(d->cap))) {
		*ret_note = "; the kernel also requires a capability this confinement does not "
			    "grant";
		return CF_LINT_INFO;
	}
	if (d->ptrace_family && cf_kernel_at_least(c->r->kernel, k48)) {
		*ret_note = "; since Linux 4.8 seccomp re-checks a traced call";
		return CF_LINT_INFO;
	}
	return d->sev;
}

static void check_dangerous(struct lint_ctx *c)
{
	/* what the default action allows, one finding per severity */
	struct strbuf by_default[3] = { { 0 } };
	size_t n_default[3] = { 0 };

	for (size_t k = 0; k < ARRAY_SIZE(dangers); k++) {
		const struct danger *d = &dangers[k];
		uint64_t args[6] = { d->arg0, d->arg0 }; /* s390 clone: flags in arg1 */

		for (size_t a = 0; a < c->r->n_arches; a++) {
			enum cf_arch arch = c->r->arches[a];
			struct cf_eval_result ev;
			enum cf_lint_severity sev;
			const char *note;
			char ptr[96], on[64] = "";
			struct cf_pos pos;

			if (lint_eval(c, arch, d->name, args, &ev) < 0 || !lint_ret_allows(ev.ret))
				continue;
			sev = danger_severity(c, d, &note);
			if (ev.rule_index < 0) {
				strbuf_appendf(&by_default[sev], "%s%s", n_default[sev] ? ", " : "",
					       d->name);
				n_default[sev]++;
				break;
			}
			if (a > 0)
				snprintf(on, sizeof(on), " on %s", arch_info(arch)->scmp_name);
			lint_decider(c, ev.rule_index, d->name, ptr, sizeof(ptr), &pos);
			lint_add(
				c, "dangerous-syscall", sev, pos, ptr,
				"deny it, or allow it only for the arguments and capabilities that "
				"need it (as Docker's default profile does)",
				"%s is allowed%s%s: %s%s", d->name,
				d->arg0 ?
					" with the namespace or personality flags it is probed with" :
					" for every argument",
				on, d->why, note);
			break;
		}
	}
	for (int sev = CF_LINT_ERROR; sev >= CF_LINT_INFO; sev--) {
		char ptr[32];
		struct cf_pos pos;

		if (!n_default[sev])
			continue;
		lint_decider(c, -1, "", ptr, sizeof(ptr), &pos);
		lint_add(c, "dangerous-syscall", (enum cf_lint_severity)sev, pos, ptr,
			 "deny them explicitly, or make the default deny (allow-list)",
			 "the default action allows %zu call%s with a history of escapes or "
			 "exploits%s: %s",
			 n_default[sev], n_default[sev] == 1 ? "" : "s",
			 sev == CF_LINT_INFO ? " (gated by capabilities not granted here, or "
					       "obsolete)" :
					       "",
			 by_default[sev].buf ? by_default[sev].buf : "");
		strbuf_clear(&by_default[sev]);
	}
}

/* Calls that do the same thing: denying one of them alone denies nothing. */
static const char *const twins[][8] = {
	{ "mkdir", "mkdirat" },
	{ "open", "openat", "openat2", "creat" },
	{ "execve", "execveat" },
	{ "chown", "fchown", "lchown", "fchownat", "chown32", "fchown32", "lchown32" },
	{ "chmod", "fchmod", "fchmodat", "fchmodat2" },
	{ "rename", "renameat", "renameat2" },
	{ "unlink", "unlinkat" },
	{ "rmdir", "unlinkat" },
	{ "link", "linkat" },
	{ "symlink", "symlinkat" },
	{ "mknod", "mknodat" },
	{ "kill", "tkill", "tgkill", "pidfd_send_signal", "rt_sigqueueinfo" },
	{ "fork", "vfork", "clone", "clone3" },
};

static bool named_by_denying_rule(const struct lint_ctx *c, const char *name)
{
	for (size_t i = 0; i < c->r->n_rules; i++) {
		const struct cf_rule *rule = &c->p->rules[i];

		if (!c->r->rules[i].active || lint_ret_allows(lint_rule_ret(rule)))
			continue;
		for (size_t j = 0; j < rule->n_names; j++)
			if (strcmp(rule->names[j], name) == 0)
				return true;
	}
	return false;
}

static void check_twins(struct lint_ctx *c)
{
	enum cf_arch native = c->r->native;

	if (!lint_ret_allows(cf_action_ret(c->p->default_action, 0)))
		return;
	for (size_t f = 0; f < ARRAY_SIZE(twins); f++) {
		const char *denied = NULL, *allowed[8];
		size_t n_allowed = 0;
		int denied_rule = -1;

		for (size_t k = 0; k < 8 && twins[f][k]; k++) {
			struct cf_eval_result ev;
			const char *name = twins[f][k];

			if (lint_eval(c, native, name, NULL, &ev) < 0)
				continue;
			if (lint_ret_allows(ev.ret))
				allowed[n_allowed++] = name;
			else if (!denied && named_by_denying_rule(c, name)) {
				denied = name;
				denied_rule = ev.rule_index;
			}
		}
		if (!denied || !n_allowed)
			continue;

		struct strbuf list = { 0 };
		char ptr[96], fix[256];
		struct cf_pos pos;

		for (size_t k = 0; k < n_allowed; k++)
			strbuf_appendf(&list, "%s%s", k ? ", " : "", allowed[k]);
		lint_decider(c, denied_rule, denied, ptr, sizeof(ptr), &pos);
		snprintf(fix, sizeof(fix), "add %s to this rule", list.buf ? list.buf : "");
		lint_add(c, "deny-list-twin", CF_LINT_ERROR, pos, ptr, fix,
			 "%s is denied but %s, which do%s the same, %s allowed by the default "
			 "action: a program (or libc, which calls the *at form) takes the twin",
			 denied, list.buf ? list.buf : "", n_allowed == 1 ? "es" : "",
			 n_allowed == 1 ? "is" : "are");
		strbuf_clear(&list);
	}
}

/* libc probes these and falls back to an older call only when the kernel says ENOSYS. */
static const struct {
	const char *name, *fallback, *who;
} probed[] = {
	{ "clone3", "clone", "glibc 2.34+ pthread_create/fork (moby#42680)" },
	{ "faccessat2", "faccessat", "glibc 2.33+ faccessat with flags" },
	{ "fchmodat2", "fchmodat", "glibc 2.39+ fchmodat(AT_SYMLINK_NOFOLLOW)" },
};

static void check_probed(struct lint_ctx *c)
{
	for (size_t k = 0; k < ARRAY_SIZE(probed); k++) {
		struct cf_eval_result ev;
		char ptr[96], text[64], fix[256];
		struct cf_pos pos;

		if (lint_eval(c, c->r->native, probed[k].name, NULL, &ev) < 0)
			continue;
		if ((ev.ret & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ERRNO ||
		    (ev.ret & SECCOMP_RET_DATA) == ENOSYS)
			continue;
		cf_explain_ret_name(ev.ret, text, sizeof(text));
		lint_decider(c, ev.rule_index, probed[k].name, ptr, sizeof(ptr), &pos);
		snprintf(fix, sizeof(fix),
			 "add {\"names\": [\"%s\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": "
			 "38} (ENOSYS), or allow it",
			 probed[k].name);
		lint_add(c, "clone3-eperm", CF_LINT_ERROR, pos, ptr, fix,
			 "%s gets %s%s: %s falls back to %s only on ENOSYS, so with any other "
			 "errno the operation fails",
			 probed[k].name, text, ev.rule_index < 0 ? " from the default action" : "",
			 probed[k].who, probed[k].fallback);
	}
}

void lint_check_calls(struct lint_ctx *c)
{
	check_dangerous(c);
	check_twins(c);
	check_probed(c);
}

void lint_check_runtime(struct lint_ctx *c)
{
	cleanup(cf_bpf_prog_freep) struct cf_bpf_prog *prog = NULL;
	struct cf_runtime_gap gaps[4];
	struct cf_diag d;
	int n, r;

	/* what runc refuses at container start (libseccomp: errno below 4095); errno 0, which it
	 * accepts, is errno-zero's */
	if (c->r->default_action == CF_ACT_ERRNO && c->r->default_errno >= CF_ERRNO_MAX)
		lint_add(c, "runtime-refuses", CF_LINT_ERROR, c->p->default_action_pos,
			 "/defaultErrnoRet", "use an errno below 4095, e.g. 1 (EPERM)",
			 "defaultErrnoRet %u: runc and crun refuse the profile at container start "
			 "(libseccomp accepts an errno below 4095)",
			 c->r->default_errno);
	for (size_t i = 0; i < c->r->n_rules; i++) {
		const struct cf_rule *rule = &c->p->rules[i];
		char ptr[64];

		if (!c->r->rules[i].active || rule->action != CF_ACT_ERRNO || !rule->has_errno ||
		    rule->errno_ret < CF_ERRNO_MAX)
			continue;
		snprintf(ptr, sizeof(ptr), "/syscalls/%zu/errnoRet", i);
		lint_add(c, "runtime-refuses", CF_LINT_ERROR, lint_locate(c, ptr, rule->pos), ptr,
			 "use an errno below 4095, e.g. 1 (EPERM) or 13 (EACCES)",
			 "errnoRet %u: runc and crun refuse the profile at container start "
			 "(libseccomp accepts an errno below 4095)",
			 rule->errno_ret);
	}
	r = cf_filter_compile(c->r, &prog, &d);
	if (r == -ENOMEM) {
		c->error = r;
		return;
	}
	if (r < 0) {
		lint_add(c, "runtime-refuses", CF_LINT_ERROR, (struct cf_pos){ d.line, d.column },
			 d.path, d.hint, "%s", d.message);
		return;
	}
	n = cf_runtime_gaps(prog, c->opts->no_new_privileges, gaps, ARRAY_SIZE(gaps));
	for (int g = 0; g < n && g < (int)ARRAY_SIZE(gaps); g++) {
		struct strbuf list = { 0 };
		struct cf_eval_result ev = { .rule_index = -1 };
		char ptr[96], fix[512];
		struct cf_pos pos;

		const char *at = NULL;
		int at_rule = -1;
		size_t n_names = 0;

		for (size_t k = 0; k < gaps[g].n; k++) {
			/* ERRNO(0) "succeeds": the runtime goes on (errno-zero reports it) */
			if (lint_eval(c, c->r->native, gaps[g].names[k], NULL, &ev) == 0 &&
			    ev.ret == SECCOMP_RET_ERRNO)
				continue;
			strbuf_appendf(&list, "%s%s", n_names++ ? ", " : "", gaps[g].names[k]);
			if (!at) {
				at = gaps[g].names[k];
				at_rule = ev.rule_index;
			}
		}
		if (!n_names) {
			strbuf_clear(&list);
			continue;
		}
		lint_decider(c, at_rule, at, ptr, sizeof(ptr), &pos);
		snprintf(fix, sizeof(fix), "allow %s", list.buf ? list.buf : "");
		lint_add(
			c, "runtime-bootstrap", gaps[g].sometimes ? CF_LINT_WARNING : CF_LINT_ERROR,
			pos, ptr, fix,
			"%s %s start a container under this profile%s: after installing the filter "
			"it calls %s, which the profile denies (measured: src/run/runtime-needs.c)",
			gaps[g].runtime, gaps[g].sometimes ? "may fail to" : "cannot",
			c->opts->no_new_privileges ? " (no-new-privileges)" : "",
			list.buf ? list.buf : "");
		strbuf_clear(&list);
	}
}
