/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "base/cleanup.h"
#include "base/diag.h"
#include "base/macro.h"
#include "caps/caps.h"

/* Seccomp actions as the profile names them. KILL and KILL_THREAD are the same kernel action. */
enum cf_action {
	CF_ACT_KILL, /* SCMP_ACT_KILL (= kill thread) */
	CF_ACT_KILL_THREAD,
	CF_ACT_KILL_PROCESS,
	CF_ACT_TRAP,
	CF_ACT_ERRNO,
	CF_ACT_TRACE,
	CF_ACT_ALLOW,
	CF_ACT_LOG,
	CF_ACT_NOTIFY,
	CF_ACT_COUNT,
	CF_ACT_INVALID = -22,
};

enum cf_op {
	CF_OP_NE,
	CF_OP_LT,
	CF_OP_LE,
	CF_OP_EQ,
	CF_OP_GE,
	CF_OP_GT,
	CF_OP_MASKED_EQ,
	CF_OP_COUNT,
	CF_OP_INVALID = -22,
};

enum cf_profile_flag {
	CF_FLAG_TSYNC = 1 << 0,
	CF_FLAG_LOG = 1 << 1,
	CF_FLAG_SPEC_ALLOW = 1 << 2,
	CF_FLAG_WAIT_KILLABLE_RECV = 1 << 3,
};

/* Position of a JSON value in its source file (1-based; 0 = unknown). */
struct cf_pos {
	unsigned line;
	unsigned column;
};

struct cf_arg {
	unsigned index; /* 0..5 */
	uint64_t value;
	uint64_t value_two;
	bool has_value_two;
	enum cf_op op;
	struct cf_pos pos;
};

struct cf_kernel_version {
	bool set;
	unsigned major, minor;
};

/* includes / excludes */
struct cf_gate {
	char **caps; /* verbatim, as the profile spells them (moby compares exact strings) */
	size_t n_caps;
	char **arches; /* native arch names ("amd64"), verbatim */
	size_t n_arches;
	struct cf_kernel_version min_kernel;
	struct cf_pos pos;
};

struct cf_rule {
	char **names;
	struct cf_pos *name_pos;
	size_t n_names;
	bool legacy_name; /* written as "name": "x" */
	enum cf_action action;
	bool has_errno;
	uint32_t errno_ret;
	struct cf_arg *args;
	size_t n_args;
	char *comment;
	struct cf_gate includes;
	struct cf_gate excludes;
	struct cf_pos pos; /* the rule object */
	struct cf_pos action_pos; /* the action value */
};

struct cf_arch_map {
	enum cf_arch arch;
	enum cf_arch *sub;
	size_t n_sub;
};

enum cf_profile_format {
	CF_FORMAT_DOCKER, /* Docker/moby profile (may use archMap, includes, ...) */
	CF_FORMAT_OCI, /* linux.seccomp object of the runtime-spec */
};

struct cf_profile {
	char *source; /* file path, "builtin", or "<stdin>" */
	enum cf_profile_format format;
	bool has_default_action;
	enum cf_action default_action;
	bool has_default_errno;
	uint32_t default_errno;
	enum cf_arch *architectures;
	size_t n_architectures;
	struct cf_arch_map *arch_map;
	size_t n_arch_map;
	unsigned flags; /* enum cf_profile_flag */
	bool has_flags; /* "flags" present (even empty): runc adds SPEC_ALLOW only when absent */
	char *listener_path;
	char *listener_metadata;
	struct cf_rule *rules;
	size_t n_rules;
	struct cf_pos default_action_pos;
	/* what the parser let through with a warning (an unknown key), in file order */
	struct cf_warnings warnings;
};

/* Limits on user-controlled sizes (fail closed on anything bigger). */
#define CF_PROFILE_MAX_BYTES (16u << 20)
#define CF_PROFILE_MAX_RULES 65536u
#define CF_PROFILE_MAX_NAMES 65536u
#define CF_ERRNO_MAX	     4095u /* kernel MAX_ERRNO */

const char *cf_action_name(enum cf_action a); /* "SCMP_ACT_ALLOW" */
enum cf_action cf_action_from_name(const char *name);
const char *cf_op_name(enum cf_op op); /* "SCMP_CMP_EQ" */
enum cf_op cf_op_from_name(const char *name);
/* Whether the action takes an errno (ERRNO, TRACE). */
bool cf_action_takes_errno(enum cf_action a);

/*
 * Parse a Docker profile, an OCI linux.seccomp object, or a whole OCI config.json.
 * -EINVAL (bad input, diag filled), -ENOMEM, -EFBIG (too big), or a read error.
 * Warnings (unknown names in permissive rules...) are reported at resolve time, not here.
 */
CF_MUST_CHECK int cf_profile_parse_file(const char *path, struct cf_profile **ret,
					struct cf_diag *reterr);
CF_MUST_CHECK int cf_profile_parse_buffer(const char *source, const char *buf, size_t len,
					  struct cf_profile **ret, struct cf_diag *reterr);
/*
 * Read a profile file (or stdin for "-") as cf_profile_parse_file() does, without parsing it:
 * for callers that also need the text (lint locates values by JSON pointer).
 */
CF_MUST_CHECK int cf_profile_read_file(const char *path, char **ret_buf, size_t *ret_len,
				       struct cf_diag *reterr);

/* What a lenient parse lets through (callfence lint: report, not refuse). */
enum cf_parse_flags {
	/* errnoRet / defaultErrnoRet 0 with SCMP_ACT_ERRNO: kept as 0 (what runc installs), and
	 * the diagnostic strict mode would fail with goes to `accepted` */
	CF_PARSE_KEEP_ERRNO_ZERO = 1 << 0,
	/* every unknown key is an error (cf_parse_opts.strict) */
	CF_PARSE_STRICT = 1 << 1,
};
/* cf_profile_parse_buffer() with flags; accepted may be NULL only when flags is 0. */
CF_MUST_CHECK int cf_profile_parse_buffer_flags(const char *source, const char *buf, size_t len,
						unsigned flags, struct cf_warnings *accepted,
						struct cf_profile **ret, struct cf_diag *reterr);

/*
 * How forgiving the parser is. Docker (Go's encoding/json) ignores keys it does not know, so
 * profiles carry "description" or "_comment" keys. By default a key that is a near miss of a
 * key valid at its place and meaningful there (base/suggest.h: "incldues", "erronRet") is an
 * error with "did you mean", since a typo there can turn a gated rule into an unconditional
 * one, and any other unknown key (also a near miss of the inert "comment", "errno") is a
 * warning in profile->warnings and ignored. A key in another case ("errnoret") is the key, as
 * for Go's decoder. strict: every unknown key is an error (callfence before issue 12;
 * `--strict`).
 */
struct cf_parse_opts {
	bool strict;
};
CF_MUST_CHECK int cf_profile_parse_file_with(const char *path, const struct cf_parse_opts *opts,
					     struct cf_profile **ret, struct cf_diag *reterr);
CF_MUST_CHECK int cf_profile_parse_buffer_with(const char *source, const char *buf, size_t len,
					       const struct cf_parse_opts *opts,
					       struct cf_profile **ret, struct cf_diag *reterr);
/* Docker's default profile, from our own tables. */
CF_MUST_CHECK int cf_profile_builtin(struct cf_profile **ret);
/* Podman's default profile (containers/common seccomp.json), from our own tables. */
CF_MUST_CHECK int cf_profile_builtin_podman(struct cf_profile **ret);
/* The profile a built-in name stands for ("builtin": Docker's, "podman": Podman's); -ENOENT when
 * the name is none of them (then it is a file name), other -errno on failure. */
CF_MUST_CHECK int cf_profile_builtin_named(const char *name, struct cf_profile **ret);
struct cf_profile *cf_profile_free(struct cf_profile *p);
DEFINE_CLEANUP_FUNC(struct cf_profile *, cf_profile_free)

/* ------------------------------------------------------------------------------------------- */
/* Resolution (moby's algorithm) */

struct cf_resolve_opts {
	enum cf_arch native; /* CF_ARCH_INVALID: the running arch */
	struct cf_kernel_version kernel; /* !set: the running kernel (uname) */
	cf_capset bounding; /* capabilities the container will hold */
	/* An unknown syscall name in a rule stricter than the default: by default an error only
	 * when it is a near miss of a known name (a typo there leaves the call less confined),
	 * skipped with a warning otherwise, as runc and crun skip it; strict: always an error. */
	bool strict;
};

/* Why a rule is in or out, for provenance and explain. */
enum cf_verdict_reason {
	CF_WHY_UNCONDITIONAL, /* no includes/excludes */
	CF_WHY_INCLUDED, /* includes met (detail says which) */
	CF_WHY_EXCLUDED_ARCH, /* excludes.arches has the native arch */
	CF_WHY_EXCLUDED_CAP, /* a cap in excludes.caps is held */
	CF_WHY_EXCLUDED_KERNEL, /* kernel >= excludes.minKernel */
	CF_WHY_MISSING_ARCH, /* includes.arches lacks the native arch */
	CF_WHY_MISSING_CAP, /* a cap of includes.caps is not held */
	CF_WHY_OLD_KERNEL, /* kernel < includes.minKernel */
	CF_WHY_COUNT,
	CF_WHY_INVALID = -22,
};

struct cf_resolved_rule {
	const struct cf_rule *rule; /* points into the profile */
	size_t index; /* rule index in the profile's "syscalls" */
	bool active; /* kept by resolution */
	enum cf_verdict_reason why;
	char detail
		[128]; /* "includes.caps CAP_SYS_NICE held", "excludes.caps CAP_SYS_ADMIN held" */
	const char
		*missing_cap; /* for CF_WHY_MISSING_CAP / EXCLUDED_CAP: the cap string at fault */
	/*
	 * Active rules: syscall_name_id() of each rule->names[j] (< 0: unknown), looked up once
	 * here so the compiler need not hash every name on every compile. NULL when the rules
	 * were built by hand (tests): users then look the names up themselves.
	 */
	int *name_ids;
};

struct cf_resolved {
	const struct cf_profile *profile;
	/* moby: no defaultAction and no syscalls => no seccomp at all. callfence refuses such a
	 * profile (parse and resolve, issue 9), so this stays false; kept for its readers. */
	bool unconfined;
	enum cf_arch native;
	enum cf_arch arches[CF_ARCH_COUNT]; /* architectures the filter accepts, native first */
	size_t n_arches;
	struct cf_kernel_version kernel;
	bool kernel_given; /* kernel came from the options (--kernel), not uname */
	cf_capset bounding;
	enum cf_action default_action;
	uint32_t default_errno; /* EPERM when absent */
	unsigned flags;
	struct cf_resolved_rule *rules; /* one per profile rule, in file order (active or not) */
	size_t n_rules;
	struct cf_warnings warnings;
};

/*
 * Resolve for a native arch, kernel and capability set. Errors (-EINVAL, diag filled): both
 * name and names, both architectures and archMap, a deny rule naming a syscall unknown on every
 * ABI, NOTIFY without listenerPath, an arch without a syscall table. Unknown names in rules more
 * permissive than the default are warnings in res->warnings.
 */
CF_MUST_CHECK int cf_profile_resolve(const struct cf_profile *p, const struct cf_resolve_opts *opts,
				     struct cf_resolved **ret, struct cf_diag *reterr);
/* What runc/crun refuse at container start (errno outside libseccomp's range); -EINVAL + diag. */
CF_MUST_CHECK int cf_resolved_check_runtime(const struct cf_resolved *r, struct cf_diag *reterr);
struct cf_resolved *cf_resolved_free(struct cf_resolved *r);
DEFINE_CLEANUP_FUNC(struct cf_resolved *, cf_resolved_free)

/* The running kernel's "X.Y" (uname release, like moby). */
int cf_kernel_running(struct cf_kernel_version *ret);
/* "X.Y" -> version with moby's rules (0-255 each, "0.0" rejected, "" = 0.0). */
int cf_kernel_parse(const char *s, struct cf_kernel_version *ret);
/* a >= b */
bool cf_kernel_at_least(struct cf_kernel_version a, struct cf_kernel_version b);

/* ------------------------------------------------------------------------------------------- */
/* Emitters */

enum cf_emit_format {
	CF_EMIT_OCI, /* {"process":{capabilities,noNewPrivileges},"linux":{"seccomp":...}} */
	CF_EMIT_DOCKER, /* normalised Docker profile */
	CF_EMIT_SECCOMP, /* the resolved linux.seccomp object alone (the Kubernetes Localhost file) */
};

struct cf_emit_opts {
	enum cf_emit_format format;
	bool no_new_privileges;
	bool seccomp_disabled; /* unconfined / privileged: no linux.seccomp */
	cf_capset caps; /* process.capabilities */
};

/* Returns a malloc'd NUL-terminated JSON text (with trailing newline). */
CF_MUST_CHECK int cf_emit(const struct cf_profile *p, const struct cf_resolved *r,
			  const struct cf_emit_opts *opts, char **ret);
