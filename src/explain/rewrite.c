/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The filter `run --explain` / `--complain` installs: the compiled program with its RET K
 * instructions rewritten, nothing else. The compiler is untouched, every path that returns
 * ALLOW/LOG is the same instruction sequence, so allowed calls cost what they cost without
 * --explain and the kernel's action cache (kernel/seccomp.c seccomp_cache_prepare_bitmap, which
 * emulates the program per syscall number) marks exactly the same numbers as always-allowed.
 *
 * --explain: ERRNO(e) -> TRACE(e): the supervisor, a ptracer with PTRACE_O_TRACESECCOMP, stops
 * the thread, reports, and skips the call with -e (orig_rax = -1, rax = -e; the kernel then skips
 * the re-check of the filter, __seccomp_filter "this_syscall < 0"). The profile's own TRACE(d)
 * becomes TRACE(mark): without a tracer the kernel fails it with ENOSYS, so the supervisor does
 * that. KILL_* and TRAP stay: the supervisor sees TRAP as a SIGSYS signal-delivery-stop and
 * re-injects it, and KILL as a PTRACE_EVENT_EXIT stop (the forced SIGSYS of KILL_PROCESS is
 * SA_IMMUTABLE, so it never reaches the tracer as a signal), so both act exactly as before.
 *
 * --complain: every RET that is not ALLOW/LOG becomes TRACE(complain mark); the supervisor
 * reports and resumes without touching the registers. The kernel then re-runs the filters
 * (recheck_after_trace) and treats TRACE as "the tracer decided": the call runs.
 *
 * Precedence with filters the program stacks later: the kernel takes the most severe action
 * over all filters. Ours is the oldest filter, so turning our ERRNO into TRACE changes nothing
 * when a newer one returns ERRNO (the newest same-action filter wins anyway) or anything more
 * severe; only a newer USER_NOTIF now outranks us (documented in callfence-explain(1)).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "explain/explain.h"

static uint32_t rewrite_ret(uint32_t k, enum cf_rewrite_mode mode)
{
	uint32_t data = k & SECCOMP_RET_DATA;

	switch (k & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_USER_NOTIF:
		return k;
	case SECCOMP_RET_ERRNO:
		if (mode == CF_REWRITE_COMPLAIN)
			return SECCOMP_RET_TRACE | CF_TRACE_MARK_COMPLAIN | 1;
		/* the kernel clamps the errno to MAX_ERRNO (4095) itself; keep it in 12 bits */
		return SECCOMP_RET_TRACE | CF_TRACE_MARK_ERRNO | CF_MIN(data, CF_ERRNO_MAX);
	case SECCOMP_RET_TRACE:
		if (mode == CF_REWRITE_COMPLAIN)
			return SECCOMP_RET_TRACE | CF_TRACE_MARK_COMPLAIN | 2;
		return SECCOMP_RET_TRACE | CF_TRACE_MARK_NOTRACER;
	case SECCOMP_RET_TRAP:
		return mode == CF_REWRITE_COMPLAIN ?
			       SECCOMP_RET_TRACE | CF_TRACE_MARK_COMPLAIN | 3 :
			       k;
	case SECCOMP_RET_KILL_THREAD:
		return mode == CF_REWRITE_COMPLAIN ?
			       SECCOMP_RET_TRACE | CF_TRACE_MARK_COMPLAIN | 4 :
			       k;
	case SECCOMP_RET_KILL_PROCESS:
		return mode == CF_REWRITE_COMPLAIN ?
			       SECCOMP_RET_TRACE | CF_TRACE_MARK_COMPLAIN | 5 :
			       k;
	default:
		/* the kernel treats unknown actions as KILL_PROCESS: keep them, fail closed */
		return k;
	}
}

int cf_explain_rewrite_prog(const struct cf_bpf_prog *prog, enum cf_rewrite_mode mode,
			    struct cf_bpf_prog **ret)
{
	struct cf_bpf_prog *p;

	if (!prog || !ret || prog->len == 0)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	*p = *prog;
	p->insns = calloc(prog->len, sizeof(*p->insns));
	p->origin = prog->origin ? calloc(prog->len, sizeof(*p->origin)) : NULL;
	if (!p->insns || (prog->origin && !p->origin)) {
		free(p->insns);
		free(p->origin);
		free(p);
		return -ENOMEM;
	}
	memcpy(p->insns, prog->insns, prog->len * sizeof(*p->insns));
	if (prog->origin)
		memcpy(p->origin, prog->origin, prog->len * sizeof(*p->origin));
	for (size_t i = 0; i < p->len; i++) {
		struct sock_filter *in = &p->insns[i];

		if (BPF_CLASS(in->code) != BPF_RET)
			continue;
		if (BPF_RVAL(in->code) != BPF_K) {
			/* a computed return could be any action: we cannot rewrite it */
			free(p->insns);
			free(p->origin);
			free(p);
			return -EINVAL;
		}
		in->k = rewrite_ret(in->k, mode);
	}
	*ret = p;
	return 0;
}
