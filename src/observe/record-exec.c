/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cf_record_exec: pick the observer (record-exec.h), run the plan through exec.c with the profile's
 * program observed, not enforced, and leave the recording sorted and complete.
 */
#include "observe/record-exec.h"

#include <errno.h>
#include <string.h>

#include <linux/capability.h>

#include "base/cleanup.h"
#include "observe/record-observe.h"

const char *cf_rec_backend_name(enum cf_rec_backend b)
{
	switch (b) {
	case CF_REC_BACKEND_AUTO:
		return "auto";
	case CF_REC_BACKEND_EBPF:
		return "ebpf";
	case CF_REC_BACKEND_PTRACE:
		return "ptrace";
	}
	return NULL;
}

static int exec_with(const struct cf_plan *plan, const struct cf_run_observer *obs, bool ptrace,
		     struct cf_run_result *result)
{
	size_t n;
	const struct cf_self_allow *extra = cf_rec_parent_allow(ptrace, &n);
	/* /proc/PID/exe of a command under another uid needs CAP_SYS_PTRACE
	 * (proc_fd_access_allowed -> ptrace_may_access); kept as for --explain's observer */
	const struct cf_exec_opts o = {
		.extra = extra,
		.n_extra = n,
		.keep_caps = 1ull << CAP_SYS_PTRACE,
		.seccomp_unenforced = true,
	};

	return cf_run_exec_observed_with(plan, obs, &o, result);
}

static int record_ptrace(const struct cf_plan *plan, const struct cf_rec_opts *opts,
			 struct cf_recording *ret, struct cf_run_result *result)
{
	cleanup(cf_rec_ptrace_freep) struct cf_rec_ptrace *p = NULL;
	struct cf_run_observer obs;
	int r;

	r = cf_rec_ptrace_new(opts, ret, &p);
	if (r < 0)
		return r;
	cf_rec_ptrace_hooks(p, &obs);
	r = exec_with(plan, &obs, true, result);
	if (r < 0)
		return r;
	return cf_rec_ptrace_finish(p);
}

int cf_record_exec(const struct cf_plan *plan, enum cf_rec_backend backend,
		   const struct cf_rec_opts *opts, struct cf_recording *ret,
		   struct cf_run_result *result, const char **ret_fallback_why)
{
	cleanup(cf_rec_ebpf_freep) struct cf_rec_ebpf *e = NULL;
	const char *why = NULL;
	struct cf_run_observer obs;
	int r;

	*ret = (struct cf_recording){ 0 };
	*result = (struct cf_run_result){ 0 };
	if (ret_fallback_why)
		*ret_fallback_why = NULL;
	if (plan->listener_path)
		return -EOPNOTSUPP;
	if (backend == CF_REC_BACKEND_PTRACE)
		return record_ptrace(plan, opts, ret, result);

	r = cf_rec_ebpf_new(opts, ret, &e, &why);
	if (r < 0) {
		if (ret_fallback_why)
			*ret_fallback_why = why;
		if (backend == CF_REC_BACKEND_EBPF)
			return r;
		cf_recording_clear(ret);
		return record_ptrace(plan, opts, ret, result);
	}
	cf_rec_ebpf_hooks(e, &obs);
	r = exec_with(plan, &obs, false, result);
	if (r < 0)
		return r;
	return cf_rec_ebpf_finish(e);
}
