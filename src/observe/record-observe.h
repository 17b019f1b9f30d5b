/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The two observers of `callfence record` (src/observe/record-exec.h is the entry point; both fill a
 * struct cf_recording, recording.h). Each gives the hooks exec.c calls (struct
 * cf_run_observer): the eBPF one is passive (attach, drain), the ptrace one reaps its tracees.
 */
#include <stdint.h>

#include <sys/types.h>

#include "base/macro.h"
#include "record/recording.h"
#include "run/run.h"

/* ---- eBPF (record-ebpf.c, record.bpf.c) ---- */
struct cf_rec_ebpf;
/* -EOPNOTSUPP (not built), -ENOENT (no BTF), -EPERM, -errno of libbpf; *ret_why says it. */
CF_MUST_CHECK int cf_rec_ebpf_new(const struct cf_rec_opts *o, struct cf_recording *rec,
				  struct cf_rec_ebpf **ret, const char **ret_why);
struct cf_rec_ebpf *cf_rec_ebpf_free(struct cf_rec_ebpf *e);
DEFINE_CLEANUP_FUNC(struct cf_rec_ebpf *, cf_rec_ebpf_free)
void cf_rec_ebpf_hooks(struct cf_rec_ebpf *e, struct cf_run_observer *ret);
/* After the run: drain, add the in-kernel counts, succeeded bits, capabilities, losses. */
CF_MUST_CHECK int cf_rec_ebpf_finish(struct cf_rec_ebpf *e);

/* ---- ptrace (record-ptrace.c) ---- */
struct cf_rec_ptrace;
CF_MUST_CHECK int cf_rec_ptrace_new(const struct cf_rec_opts *o, struct cf_recording *rec,
				    struct cf_rec_ptrace **ret);
struct cf_rec_ptrace *cf_rec_ptrace_free(struct cf_rec_ptrace *p);
DEFINE_CLEANUP_FUNC(struct cf_rec_ptrace *, cf_rec_ptrace_free)
void cf_rec_ptrace_hooks(struct cf_rec_ptrace *p, struct cf_run_observer *ret);
/* After the run: -ENOMEM if an event could not be stored (the recording is then incomplete). */
CF_MUST_CHECK int cf_rec_ptrace_finish(struct cf_rec_ptrace *p);

/* ---- shared (record-util.c) ---- */
/* The watched argument mask of (arch, nr) in o->arg_watch, 0 when not watched. */
uint8_t cf_rec_watch_mask(const struct cf_rec_opts *o, uint32_t arch, int32_t nr);
/* The first-call provenance: /proc/PID/exe when it still names the executable the kernel saw
 * (exe_base: its last path component as the kernel read it at the call, NULL: unknown), else
 * exe_base, else "[comm]". */
void cf_rec_origin(pid_t pid, const char *exe_base, const char *comm, char out[CF_REC_ORIGIN_SIZE]);
/* The parent's allow-list additions for each observer (see the definitions for why). */
const struct cf_self_allow *cf_rec_parent_allow(bool ptrace, size_t *ret_n);
