/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Explaining seccomp decisions: what one call gets, which rule decides it, why the other rules
 * naming it did not, and the fixes ranked by how much privilege they add. Used offline by
 * `callfence explain` and live by the run supervisor (src/run/supervise.c).
 *
 * Everything here is computed from the resolved profile (the reference model of
 * cf_resolved_evaluate), so an explanation names profile rules, not BPF instructions. Fixes are
 * checked, not guessed: a capability fix is re-resolved and re-evaluated, a rule fix is appended
 * to a copy of the profile which is resolved and evaluated again.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/seccomp.h>

#include "arch/arch.h"
#include "base/diag.h"
#include "base/macro.h"
#include "bpf/filter.h"
#include "caps/caps.h"
#include "profile/profile.h"

/* ------------------------------------------------------------------------------------------- */
/* decode.c: arguments on the command line and in live reports */

/* Syscall arguments in a form a human wrote them: numbers (0x.., 0.., decimal, negative) and
 * symbolic names, several joined with '|' ("CLONE_NEWUSER|CLONE_NEWNS", "AF_ALG", "PER_LINUX32").
 * The syscall and the argument position choose which names are accepted first, then any known
 * name. -EINVAL (diag names the token and some valid names). */
CF_MUST_CHECK int cf_explain_parse_arg(const char *syscall, unsigned index, const char *text,
				       uint64_t *ret, struct cf_diag *reterr);

/* "socket(AF_ALG, SOCK_SEQPACKET, 0)": decoded for common calls, hex otherwise. n_args < 0
 * means "as many as the syscall takes on arch" (cf_explain_syscall_nargs_abi); arch also sets
 * the argument width (32 bits on i386, x32). */
void cf_explain_format_call(const char *syscall, const uint64_t *args, int n_args,
			    enum cf_arch arch, char *buf, size_t size);

/* Reads a NUL-terminated string of the traced process at addr into buf (live reports);
 * returns its length or -errno. */
typedef int (*cf_explain_read_str_fn)(void *userdata, uint64_t addr, char *buf, size_t size);
/* cf_explain_format_call, printing path arguments as strings read with read_str. */
void cf_explain_format_call_ex(const char *syscall, const uint64_t *args, int n_args,
			       enum cf_arch arch, cf_explain_read_str_fn read_str, void *userdata,
			       char *buf, size_t size);

/* Number of arguments a syscall takes on an ABI (x86: the kernel's SYSCALL_DEFINEn through
 * syscall-nargs.csv; i386 mmap is old_mmap, 1), -1 when we do not know it. */
int cf_explain_syscall_nargs_abi(enum cf_arch arch, const char *syscall);
/* ... on x86_64. */
int cf_explain_syscall_nargs(const char *syscall);
/* Width of an argument as libseccomp compares it: 32 on 32-bit ABIs, x32 and MIPS n32. */
unsigned cf_explain_arg_bits(enum cf_arch arch);

/* The symbolic name of one argument value, or NULL ("AF_ALG" for socket arg0 = 38). */
const char *cf_explain_arg_name(const char *syscall, unsigned index, uint64_t value);

/* ------------------------------------------------------------------------------------------- */
/* What the options asked for: the profile (not resolved) and how to resolve it. */

struct cf_explain_ctx {
	const struct cf_profile *profile; /* NULL when seccomp is disabled */
	const struct cf_resolved *resolved; /* NULL when seccomp is disabled */
	struct cf_resolve_opts opts; /* native, kernel, bounding actually used */
	bool seccomp_disabled;
	bool privileged;
	bool explicit_profile; /* --security-opt seccomp=FILE was given */
	const char *label; /* "builtin", "unconfined", or the path */
};

/* One call, as the kernel's seccomp_data will hold it. */
struct cf_call {
	enum cf_arch arch; /* the caller's ABI (i386 callers of an x86_64 filter: CF_ARCH_X86) */
	int nr; /* including the ABI's nr_base */
	char name[64];
	uint64_t args[6];
	unsigned n_given; /* how many arguments the user wrote (6 for live calls) */
	uint64_t ip; /* instruction pointer (live only, 0 otherwise) */
};

/* Fill a cf_call from a name (or number) for an ABI. -ENOENT: the ABI has no such syscall. */
CF_MUST_CHECK int cf_call_init(struct cf_call *c, enum cf_arch arch, const char *name_or_nr);
/* seccomp_data for a call. */
void cf_call_to_data(const struct cf_call *c, struct seccomp_data *d);

/* The fixes, most least-privileged first. */
enum cf_fix_kind {
	CF_FIX_ARCH, /* add the caller's ABI to the profile's architectures / archMap */
	CF_FIX_CAP, /* --cap-add CAP */
	CF_FIX_ARG_RULE, /* a profile rule restricted to this argument value */
	CF_FIX_RULE, /* a plain profile rule */
	CF_FIX_UNCONFINED, /* --security-opt seccomp=unconfined */
	CF_FIX_PRIVILEGED, /* --privileged */
};

/* A profile edit: remove the name from one rule, and/or add an allow rule for it. */
struct cf_fix_rule {
	char name[64];
	int remove_from; /* rule index whose names lose this name; -1: none */
	bool add; /* append an allow rule (has_arg: restricted to one argument value) */
	bool has_arg;
	unsigned index;
	enum cf_op op;
	uint64_t value; /* the datum (for MASKED_EQ: the mask, as the profile writes it) */
	uint64_t value_two; /* MASKED_EQ only */
	bool add_arch; /* CF_FIX_ARCH: add `arch` to "architectures" (or archMap's native entry) */
	enum cf_arch arch;
};

struct cf_fix {
	enum cf_fix_kind kind;
	int cap; /* CF_FIX_CAP */
	struct cf_fix_rule rule; /* CF_FIX_ARG_RULE / CF_FIX_RULE */
	char opens[512]; /* what else it opens (syscalls, rules) */
	unsigned n_opens; /* how many syscalls/rules it opens besides this call */
	const char *powers; /* CF_FIX_CAP: the capability's kernel powers in one line */
	char warning[384]; /* escape surfaces it opens, empty when none */
	/* a fix that leaves the kernel's own capability check failing (mount without
	 * CAP_SYS_ADMIN): ranked after every fix that works alone; kernel_cap is that CAP_* */
	bool not_enough;
	int kernel_cap;
};

/* A rule naming the syscall that did not decide the call, and why. */
struct cf_other_rule {
	size_t index;
	bool active;
	bool args_matched; /* active and its argument conditions hold (a higher rule decided) */
	char why[256];
};

#define CF_EXPLAIN_MAX_FIXES  48
#define CF_EXPLAIN_MAX_NOTES  4
#define CF_EXPLAIN_MAX_OTHERS 32

struct cf_explanation {
	struct cf_call call;
	bool seccomp_disabled;
	struct cf_eval_result eval; /* the decision (the model) */
	bool denied; /* anything but ALLOW/LOG */
	struct cf_other_rule others[CF_EXPLAIN_MAX_OTHERS];
	size_t n_others;
	bool args_unknown; /* a rule checks an argument the user did not give (taken as 0) */
	struct cf_fix fixes[CF_EXPLAIN_MAX_FIXES];
	size_t n_fixes;
	char escape[256]; /* the call itself touches an escape surface */
	char notes[CF_EXPLAIN_MAX_NOTES][384];
	size_t n_notes;
};

/*
 * Explain one call. model may be NULL (built from ctx->resolved); with_fixes=false skips the
 * (slower) fix search. -EINVAL (bad ctx), -ENOMEM.
 */
CF_MUST_CHECK int cf_explain_call(const struct cf_explain_ctx *ctx, const struct cf_model *model,
				  const struct cf_call *call, bool with_fixes,
				  struct cf_explanation *ret);

/* ------------------------------------------------------------------------------------------- */
/* Words for the output (explain.c) */

/* "SCMP_ACT_ERRNO(EPERM)", "SCMP_ACT_KILL_PROCESS", ... for a kernel return value. */
void cf_explain_ret_name(uint32_t ret, char *buf, size_t size);
/* Short: "EPERM", "ENOSYS", "SIGSYS (kill process)", "allowed". */
void cf_explain_ret_short(uint32_t ret, char *buf, size_t size);
/* "builtin:rule #29" / "prof.json:12:5 (rule #3)". */
void cf_explain_rule_location(const struct cf_profile *p, size_t index, char *buf, size_t size);
/* The fix as a command-line fragment or JSON rule ("--cap-add SYS_NICE"). */
void cf_explain_fix_text(const struct cf_fix *f, const struct cf_explain_ctx *ctx, char *buf,
			 size_t size);
/* JSON rule object for a rule fix (Docker format, one line); "" when it adds no rule. */
void cf_explain_rule_json(const struct cf_fix_rule *r, char *buf, size_t size);
/* The whole edit in words: "remove \"mkdir\" from f.json:4:2 (rule #2)" and/or "add {...}". */
void cf_explain_edit_text(const struct cf_fix_rule *r, const struct cf_profile *p, char *buf,
			  size_t size);

/* Whole explanation as text (several lines) or one JSON object (no newline). Malloc'd. */
CF_MUST_CHECK int cf_explain_format_text(const struct cf_explain_ctx *ctx,
					 const struct cf_explanation *e, char **ret);
CF_MUST_CHECK int cf_explain_format_json(const struct cf_explain_ctx *ctx,
					 const struct cf_explanation *e, char **ret);

/* ------------------------------------------------------------------------------------------- */
/* fixes.c */

/*
 * The one ranking of fixes, least privilege first, used by `explain`'s list, the live `fix:` of
 * run --explain and the summary's smallest fix set (so they cannot disagree): the architecture
 * (a bad-arch kill), a capability that opens no escape surface (fewest other calls opened
 * first), a rule restricted to the argument value, a plain rule, a capability that opens an
 * escape surface, seccomp=unconfined, --privileged. cf_explain_call returns the fixes sorted.
 */
int cf_fix_compare(const struct cf_fix *a, const struct cf_fix *b);
/* The first fix of the ranking, NULL when there is none. */
const struct cf_fix *cf_explain_best_fix(const struct cf_explanation *e);

/*
 * A denial by design: the profile answers ENOSYS (an explicit rule, or runc's stub for calls
 * newer than the profile) for a call whose callers fall back to an older one when it is
 * missing (glibc's clone3 -> clone). Returns the fallback in words ("libc falls back to
 * clone"), NULL when the denial is news.
 */
const char *cf_explain_by_design(const struct cf_explanation *e);
/* The fallback of a call when it fails with ENOSYS ("libc falls back to clone"), or NULL. */
const char *cf_explain_fallback(const char *syscall);

/* Kernel powers of a capability in one line; NULL for unknown. */
const char *cf_cap_powers(int cap);
/* Escape surface a call opens (io_uring, ptrace, namespaces, AF_ALG...), or NULL. args may be
 * NULL (then only argument-free surfaces are named). */
const char *cf_escape_surface(const char *syscall, const uint64_t *args, unsigned n_given);
/* The argument that says what a call does (socket: 0, the family), -1 when none. */
int cf_explain_key_arg(const char *syscall);
/* Append the fixes to e (called by cf_explain_call). */
CF_MUST_CHECK int cf_explain_find_fixes(const struct cf_explain_ctx *ctx, struct cf_explanation *e);
/* Notes when seccomp is not (only) the cause. */
void cf_explain_add_notes(const struct cf_explain_ctx *ctx, struct cf_explanation *e);

/*
 * The profile plus extra rules, as a shallow copy for resolving: the returned profile borrows
 * everything from p; free it with cf_patched_profile_free(), never cf_profile_free.
 */
CF_MUST_CHECK int cf_patched_profile_new(const struct cf_profile *p,
					 const struct cf_fix_rule *rules, size_t n_rules,
					 struct cf_profile **ret);
void cf_patched_profile_free(struct cf_profile *q);

/*
 * The smallest fix set for many denials: capabilities first (fewest, those that open no escape
 * surface), then rules for what no such capability fixes. Verified by resolving the patched
 * profile with the extra capabilities and evaluating every call again.
 */
struct cf_fix_set {
	cf_capset caps; /* to --cap-add */
	char warnings[3][384]; /* escape surfaces the set opens (from each chosen fix) */
	size_t n_warnings;
	struct cf_fix_rule *rules; /* to add to the profile */
	size_t n_rules;
	bool verified; /* every call is allowed with caps + rules */
	bool needs_unconfined; /* some call cannot be fixed by caps or rules */
};
CF_MUST_CHECK int cf_fix_set_compute(const struct cf_explain_ctx *ctx,
				     const struct cf_explanation *const *denials, size_t n,
				     struct cf_fix_set *ret);
void cf_fix_set_clear(struct cf_fix_set *s);
/* The original profile plus the set's rules, in Docker format. Malloc'd. */
CF_MUST_CHECK int cf_fix_set_profile_json(const struct cf_explain_ctx *ctx,
					  const struct cf_fix_set *s, char **ret);

/* ------------------------------------------------------------------------------------------- */
/* rewrite.c: the filter --explain / --complain install */

enum cf_rewrite_mode {
	CF_REWRITE_EXPLAIN, /* ERRNO/TRACE -> TRACE (the supervisor emulates them exactly) */
	CF_REWRITE_COMPLAIN, /* every denial -> TRACE (the supervisor lets it run) */
};
/* Data the rewritten TRACE returns carry (SECCOMP_RET_DATA, 16 bits). */
#define CF_TRACE_MARK_ERRNO    0x0000u /* | errno (<= 4095): emulate ERRNO */
#define CF_TRACE_MARK_NOTRACER 0x1000u /* the profile's own TRACE: emulate "no tracer" ENOSYS */
#define CF_TRACE_MARK_COMPLAIN 0x2000u /* | low bits of the action: let the call run */
#define CF_TRACE_MARK_MASK     0xf000u

/* A copy of prog with its RET K instructions rewritten; -EINVAL for RET A (never emitted). */
CF_MUST_CHECK int cf_explain_rewrite_prog(const struct cf_bpf_prog *prog, enum cf_rewrite_mode mode,
					  struct cf_bpf_prog **ret);
