/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What `callfence record` learned from one run (or `callfence predict` from the binaries): the
 * contract between what fills it (the eBPF observer in src/observe/, the ptrace fallback, the
 * static analysis in src/predict/) and what turns it into a profile (src/record/synth.c, merge,
 * verify). Both observers fill exactly these fields, so a test can
 * compare them field by field.
 *
 * Numbers are what the kernel's seccomp_data would carry: `arch` is AUDIT_ARCH_*, `nr` the number
 * as the program passed it (x32 calls keep __X32_SYSCALL_BIT), so one table serves all three
 * x86 ABIs.
 */
#include <stdbool.h>
#include <stdint.h>

#include <sys/types.h>

#include "base/cleanup.h"
#include "base/macro.h"

/* Distinct argument vectors kept per call for the calls the base decides by argument; more are
 * counted in `tuples_dropped` and make synth fall back to the base's own conditions. */
#define CF_REC_MAX_TUPLES  64
#define CF_REC_ORIGIN_SIZE 256

/* One (arch, nr) the command's process tree entered, successfully or not. */
struct cf_rec_call {
	uint32_t arch; /* AUDIT_ARCH_X86_64, AUDIT_ARCH_I386 */
	int32_t nr; /* x32: with __X32_SYSCALL_BIT */
	uint64_t count;
	/* at least one call returned >= 0, or never returned (execve, exit): synth answers a
	 * call libc probes and abandons (clone3) with ENOSYS when this stays false */
	bool succeeded;
	/* provenance, for the rule's comment: record puts the executable that made the call first
	 * (/proc/PID/exe, or the kernel's comm when it is gone); predict the function path that
	 * reaches it ("curl: getaddrinfo -> __nss_... -> socket") */
	char origin[CF_REC_ORIGIN_SIZE];
	/* only for calls in cf_rec_opts.arg_watch: the distinct argument vectors seen, all six
	 * arguments as the kernel saw them at entry (masked by the watch's arg mask: unwatched
	 * arguments are 0 so equal vectors dedupe) */
	uint64_t (*tuples)[6];
	size_t n_tuples;
	uint64_t tuples_dropped;
};

/* A call whose verdict in the base profile depends on arguments: record those arguments. */
struct cf_rec_watch {
	uint32_t arch;
	int32_t nr;
	uint8_t arg_mask; /* bit i: argument i is compared by some base rule */
};

struct cf_rec_opts {
	const struct cf_rec_watch *arg_watch;
	size_t n_arg_watch;
};

struct cf_recording {
	struct cf_rec_call *calls; /* sorted by (arch, nr), unique */
	size_t n_calls;
	/* capabilities the kernel checked for the tree (cap_capable), bit = CAP_*; `caps_denied`
	 * those it refused at least once (checked but not held) */
	uint64_t caps_used;
	uint64_t caps_denied;
	bool caps_observed; /* false: this observer cannot see capability checks (said in output) */
	const char *observer; /* "ebpf" or "ptrace" (static) */
	uint64_t lost; /* events the observer could not deliver: the recording may be incomplete */
};

void cf_recording_clear(struct cf_recording *r);

/* Find or add (arch, nr), keeping `calls` sorted; -ENOMEM. */
CF_MUST_CHECK int cf_recording_add(struct cf_recording *r, uint32_t arch, int32_t nr,
				   struct cf_rec_call **ret);
/* Add one distinct argument vector (deduped; counted as dropped past CF_REC_MAX_TUPLES). */
CF_MUST_CHECK int cf_rec_call_add_tuple(struct cf_rec_call *c, const uint64_t args[6]);
const struct cf_rec_call *cf_recording_find(const struct cf_recording *r, uint32_t arch,
					    int32_t nr);
