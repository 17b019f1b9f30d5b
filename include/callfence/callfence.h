/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef CALLFENCE_CALLFENCE_H
#define CALLFENCE_CALLFENCE_H

/*
 * libcallfence: Docker-compatible seccomp profiles, compiled and installed.
 *
 * The library behind the callfence(1) command, for runtimes and sandboxes written in C that want
 * Docker's profile semantics (moby's resolution, runc's filter building, libseccomp's rule merge)
 * without libseccomp. The flow:
 *
 *	callfence_profile_builtin(&p)                    (or _load_file, _load_string)
 *	callfence_filter_new(p, cap_add, cap_drop, 0, &f, &err)   resolve + compile
 *	callfence_exec(f, path, argv, envp, 0, &err)     confine this process and execve
 *
 * Conventions (as libseccomp's seccomp.h):
 *   - Functions returning int return 0 on success and a negative errno value on failure; they
 *     never print and never exit.
 *   - Handles are opaque. Every object a function hands out is owned by the caller and freed
 *     with its _free function, which accepts NULL and returns NULL.
 *   - Strings a handle returns (const char *) are owned by the handle and live as long as it.
 *   - Functions taking `struct callfence_error **reterr` accept NULL. When it is not NULL and
 *     the call fails on user input (a profile, a capability name, what the caller may grant),
 *     *reterr is set to a new error object with the file, line, column, JSON pointer, message
 *     and hint; it is left unchanged on success and when the failure has no details (-ENOMEM).
 *   - Nothing here is thread-safe against concurrent use of one handle; distinct handles may be
 *     used from distinct threads. callfence_filter_install and callfence_exec act on the
 *     calling thread only: call them from a single-threaded process (typically after fork).
 *
 * Only the functions declared here are exported; the symbol version is CALLFENCE_0.1.
 * Link with `pkg-config --cflags --libs callfence`. See callfence(3).
 */

#include <stddef.h>
#include <stdint.h>

#include <linux/filter.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------- */
/* Version */

/* The library's version, "MAJOR.MINOR.PATCH" (e.g. "0.1.0"). Never NULL; static storage. */
const char *callfence_version(void);

/* ------------------------------------------------------------------------------------------- */
/* Errors */

/*
 * Details of a failure on user input: where (file, line, column; JSON pointer) and what (message,
 * hint naming what would be valid or the fix).
 */
struct callfence_error;

/* Free an error; NULL is fine. Returns NULL. */
struct callfence_error *callfence_error_free(struct callfence_error *e);

/* The negative errno the failing call returned (e.g. -EINVAL). */
int callfence_error_code(const struct callfence_error *e);

/*
 * Where the error is. *ret_file is the profile path, "builtin", the source name given to
 * callfence_profile_load_string, or "" when the error is not in a file (a capability name);
 * *ret_line and *ret_column are 1-based, 0 when unknown. Any of the pointers may be NULL.
 */
void callfence_error_location(const struct callfence_error *e, const char **ret_file,
			      unsigned *ret_line, unsigned *ret_column);

/* The JSON pointer of the value at fault ("/syscalls/3/action"), or the option ("cap_add");
 * "" when none. */
const char *callfence_error_pointer(const struct callfence_error *e);

/* What is wrong, one line without the location ("unknown action \"SCMP_ACT_ALOW\""). */
const char *callfence_error_message(const struct callfence_error *e);

/* What would be valid, or the fix ("did you mean SCMP_ACT_ALLOW?"); "" when none. */
const char *callfence_error_hint(const struct callfence_error *e);

/* The whole diagnostic on one line, as callfence(1) prints it:
 * "prof.json:4:15: error: /syscalls/0/action: unknown action ... (hint)". */
const char *callfence_error_text(const struct callfence_error *e);

/* ------------------------------------------------------------------------------------------- */
/* Profiles */

/* A parsed seccomp profile: a Docker/moby profile, an OCI linux.seccomp object, or a whole OCI
 * config.json. Not yet resolved for a capability set, arch or kernel. */
struct callfence_profile;

/*
 * Parse the profile in the file at path (strict, as callfence(1): unknown keys, actions,
 * operators, duplicate keys, out-of-range numbers are errors).
 * Errors: -EINVAL (not a valid profile; *reterr says where), -EFBIG (over 16 MiB), -ENOENT,
 * -EACCES and other open/read errors, -ENOMEM.
 * On success *ret is a new profile owned by the caller (callfence_profile_free).
 */
int callfence_profile_load_file(const char *path, struct callfence_profile **ret,
				struct callfence_error **reterr);

/*
 * Parse a profile from memory: text of len bytes (need not be NUL-terminated). name is what
 * errors call the source (e.g. "<stdin>", "pod.json"); NULL means "<string>".
 * Errors and ownership as callfence_profile_load_file.
 */
int callfence_profile_load_string(const char *name, const char *text, size_t len,
				  struct callfence_profile **ret, struct callfence_error **reterr);

/*
 * Docker's default profile (moby's profiles/seccomp/default.json), from the library's own
 * tables. Errors: -ENOMEM. On success *ret is owned by the caller.
 */
int callfence_profile_builtin(struct callfence_profile **ret);

/* Release the caller's reference; a filter made from the profile keeps its own, so the profile
 * may be freed right after callfence_filter_new. NULL is fine. Returns NULL. */
struct callfence_profile *callfence_profile_free(struct callfence_profile *p);

/* ------------------------------------------------------------------------------------------- */
/* Filters: a profile resolved for a capability set on this machine, and compiled */

struct callfence_filter;

/*
 * Resolve the profile for a capability set and compile it to a seccomp BPF program.
 *
 * The capability set is Docker's: its 14 default capabilities, minus cap_drop, plus cap_add
 * (moby's TweakCapabilities; "ALL" in cap_drop starts from nothing, "ALL" in cap_add means every
 * capability of the running kernel). Both lists are NULL-terminated arrays of names spelled as
 * for `docker run` ("SYS_NICE", "CAP_SYS_NICE", "ALL"), or NULL for none. As `callfence run`
 * does, the set is cut to what the calling process can grant: a capability in cap_add that the
 * caller does not hold is -EPERM (a non-root caller gets only what cap_add names and it holds).
 * The profile is resolved like moby for the running architecture (with archMap), the running
 * kernel and that set (includes/excludes on caps, arches, minKernel), then compiled with runc's
 * and libseccomp's semantics (ENOSYS for syscalls newer than the profile).
 *
 * flags: must be 0 (reserved).
 * Errors: -EINVAL (unknown capability name, a profile runc would refuse, conflicting rules,
 * flags not 0; *reterr says which), -EPERM (a capability the caller cannot grant, or unknown to
 * the running kernel), -E2BIG (over 4096 BPF instructions), -ELOOP (rules on which libseccomp
 * 2.5.4 never returns), -ENOMEM.
 * On success *ret is a new filter owned by the caller (callfence_filter_free); it holds its own
 * reference to p.
 */
int callfence_filter_new(struct callfence_profile *p, const char *const *cap_add,
			 const char *const *cap_drop, unsigned flags, struct callfence_filter **ret,
			 struct callfence_error **reterr);

/* Free a filter; NULL is fine. An installed filter stays installed. Returns NULL. */
struct callfence_filter *callfence_filter_free(struct callfence_filter *f);

/* The resolved capability set: bit N set for capability number N of <linux/capability.h>. */
uint64_t callfence_filter_capabilities(const struct callfence_filter *f);

/*
 * The compiled program, to install yourself (seccomp(2) SECCOMP_SET_MODE_FILTER) or to hand to
 * another process. *ret_insns points into the filter (valid while it lives; do not free);
 * *ret_len is the number of instructions (1..4096); *ret_flags the SECCOMP_FILTER_FLAG_* the
 * profile asks for (its "flags", and SPEC_ALLOW as runc adds it when "flags" is absent; drop
 * SPEC_ALLOW when the kernel refuses it, as runc does). Any out pointer may be NULL.
 */
void callfence_filter_bpf(const struct callfence_filter *f, const struct sock_filter **ret_insns,
			  size_t *ret_len, unsigned *ret_flags);

/* callfence_filter_install flags */
#define CALLFENCE_INSTALL_NNP (1u << 0) /* set no-new-privileges even when it is not needed */

/*
 * Install the filter on the calling thread; it is inherited across fork, clone and execve and
 * cannot be removed. No-new-privileges as `callfence run` and runc handle it: set when flags
 * has CALLFENCE_INSTALL_NNP, or when the caller lacks CAP_SYS_ADMIN in its effective set (the
 * kernel accepts a filter from an unprivileged thread only under no-new-privileges); otherwise
 * left alone, as Docker's default does. Capabilities are not changed: callfence_exec applies
 * both in runc's order.
 * Errors: -EOPNOTSUPP (the profile uses SCMP_ACT_NOTIFY, which needs an agent the library does
 * not talk to; or the kernel refuses the profile's flags), -EINVAL (unknown flags), and the
 * errno of prctl(2) or seccomp(2) (*reterr names the step). Nothing is installed on failure
 * unless no-new-privileges was already set.
 */
int callfence_filter_install(const struct callfence_filter *f, unsigned flags,
			     struct callfence_error **reterr);

/*
 * Confine the calling process as `callfence run` confines its child, and execve the command:
 * bounding set, capabilities (effective = permitted = the filter's set; for a non-root caller
 * ambient), no-new-privileges (when needed, as callfence_filter_install) and the filter, in
 * runc's order, each step checked beforehand against the filter so the launch itself cannot be
 * denied half-way. Also installs callfence's terminal guard (TIOCSTI/TIOCLINUX denied).
 * path: the command, looked up in envp's PATH (Docker's default PATH when envp has none) when it
 * has no '/'; argv: NULL-terminated; envp: NULL-terminated or NULL for environ. A HOME unset or
 * empty is set to the user's home directory, as runc does.
 * flags: 0 or CALLFENCE_INSTALL_NNP.
 * Returns only on failure: -ENOENT (command not found), -EACCES, the preflight's -EPERM (the
 * profile denies a call the launch must make; *reterr names it), -EOPNOTSUPP (NOTIFY), -ENOMEM,
 * or the errno of the step that failed (*reterr names it). When a step after the filter failed,
 * the process is already confined: the caller should _exit (a shell would exit 126/127).
 */
int callfence_exec(const struct callfence_filter *f, const char *path, char *const argv[],
		   char *const envp[], unsigned flags, struct callfence_error **reterr);

/* ------------------------------------------------------------------------------------------- */
/* Explaining one call */

struct callfence_explanation;

/*
 * What the filter does with one call of the native ABI: syscall by name ("mount") or number,
 * with n_args (0..6) raw argument values (the others are taken as 0). Computed from the resolved
 * profile by the model the compiler is tested against, with the fixes that would allow the call
 * (least privilege first: a capability, a rule for this argument, a rule, unconfined), each one
 * checked by resolving again.
 * Errors: -ENOENT (no such syscall on this ABI), -EINVAL (n_args > 6), -ENOMEM.
 * On success *ret is owned by the caller (callfence_explanation_free).
 */
int callfence_explain(const struct callfence_filter *f, const char *syscall, const uint64_t *args,
		      unsigned n_args, struct callfence_explanation **ret);

/* The kernel's return value for the call: SECCOMP_RET_* | data (e.g. SECCOMP_RET_ERRNO | EPERM,
 * SECCOMP_RET_ALLOW). */
uint32_t callfence_explanation_action(const struct callfence_explanation *e);

/* Whether the call is denied (anything but SECCOMP_RET_ALLOW and SECCOMP_RET_LOG). */
int callfence_explanation_denied(const struct callfence_explanation *e);

/* What decided: the rule ("builtin:rule #29", "prof.json:12:5 (rule #3)") or "the default
 * action", "the ENOSYS boundary (newer than the profile)". */
const char *callfence_explanation_rule(const struct callfence_explanation *e);

/* The least-privilege fix as callfence(1) spells it ("--cap-add SYS_ADMIN", "profile builtin:
 * add {...}", "--security-opt seccomp=unconfined"); "" when the call is allowed. */
const char *callfence_explanation_fix(const struct callfence_explanation *e);

/* The whole explanation as `callfence explain` prints it (several lines). */
const char *callfence_explanation_text(const struct callfence_explanation *e);

/* Free an explanation; NULL is fine. Returns NULL. */
struct callfence_explanation *callfence_explanation_free(struct callfence_explanation *e);

#ifdef __cplusplus
}
#endif

#endif /* CALLFENCE_CALLFENCE_H */
