/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * "Calls this process tree was denied" (docs/ARCHITECTURE.md): the aggregation, the live report
 * lines, the summary and the --explain-out profile of `run --explain` / `--complain`, shared by
 * both backends that see the calls (the ptrace supervisor, src/run/supervise.c, and the eBPF
 * observer, src/observe/). A backend reports each call it saw skipped or killed with the
 * seccomp_data the kernel evaluated; whether the PROFILE denied it is decided here, from our
 * own program. The library prints nothing: every line goes to the report callback.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include "base/macro.h"
#include "bpf/filter.h"
#include "explain/explain.h"

enum cf_supervise_mode {
	CF_SUPERVISE_EXPLAIN, /* denials keep their exact result, each is reported */
	CF_SUPERVISE_COMPLAIN, /* denials are reported, then the call runs */
};

enum cf_supervise_format {
	CF_SUPERVISE_TEXT,
	CF_SUPERVISE_JSON, /* one JSON object per line */
};

/* One line of output (no trailing newline). */
typedef void (*cf_supervise_report_fn)(void *userdata, const char *line);

struct cf_denials_opts {
	enum cf_supervise_mode mode;
	enum cf_supervise_format format;
	const struct cf_explain_ctx *ctx; /* borrowed; must outlive the aggregation */
	const struct cf_bpf_prog *prog; /* the program a plain run installs, borrowed */
	cf_supervise_report_fn report;
	void *userdata;
};

struct cf_denials;

/* -EINVAL (bad options), -ENOMEM. */
CF_MUST_CHECK int cf_denials_new(const struct cf_denials_opts *o, struct cf_denials **ret);
struct cf_denials *cf_denials_free(struct cf_denials *s);
DEFINE_CLEANUP_FUNC(struct cf_denials *, cf_denials_free)

/* What our program returns for d (the BPF simulator; KILL_PROCESS if it cannot run). */
uint32_t cf_denials_decision(const struct cf_denials *s, const struct seccomp_data *d);
/* Everything but ALLOW, LOG and USER_NOTIF. */
bool cf_denials_is_denial(uint32_t ret);

/*
 * One call the profile denied (kret: cf_denials_decision of d) made by thread tid of process
 * pid; how: "->" or "would get". read_str (may be NULL) reads path arguments of the caller.
 */
void cf_denials_report(struct cf_denials *s, pid_t tid, pid_t pid, const struct seccomp_data *d,
		       uint32_t kret, const char *how, cf_explain_read_str_fn read_str, void *rd);
/*
 * A call that was skipped or killed, but not by the profile (the program's own filter, a
 * tracer): never blamed on the profile; a "note" object in JSON mode, nothing in text mode.
 * observed: the return value or the SIGSYS data the program got.
 */
void cf_denials_note(struct cf_denials *s, pid_t tid, pid_t pid, const struct seccomp_data *d,
		     int64_t observed, const char *what);
/* n more calls of a denial already reported once (the eBPF observer's in-kernel counts). */
void cf_denials_add_count(struct cf_denials *s, uint32_t audit_arch, int nr, size_t n);
/* Events the backend could not deliver: printed in the summary, never silent. */
void cf_denials_set_lost(struct cf_denials *s, uint64_t lost);

/* read_str for a live process: userdata is the tid (process_vm_readv). */
int cf_denials_read_str(void *userdata, uint64_t addr, char *buf, size_t size);

size_t cf_denials_n_distinct(const struct cf_denials *s);
size_t cf_denials_n_calls(const struct cf_denials *s);

/*
 * The summary: each distinct denial once and the smallest verified fix set. ret_lines: the
 * report lines, joined with '\n' (text or JSON per the format). ret_profile (may be NULL): the
 * original profile plus the needed rules, Docker format; NULL is stored when no rule is needed.
 */
CF_MUST_CHECK int cf_denials_summary(struct cf_denials *s, const char *profile_out,
				     char **ret_lines, char **ret_profile);
