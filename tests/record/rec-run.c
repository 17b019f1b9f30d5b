/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test driver for cf_record_exec until `callfence record` exists (and after: the differential
 * test compares the backends through it). Builds the plan like `callfence run` with the builtin
 * profile and Docker's default capabilities (what the caller can grant), records the command
 * and writes the recording to FILE (opened before the run: the parent is confined after it):
 *
 *   rec-run -o FILE [-b auto|ebpf|ptrace] [-w ARCH:NR:MASK]... -- CMD [ARGS]
 *
 * FILE lines: "observer NAME", "fallback REASON", "call ABI NAME NR COUNT SUCCEEDED ORIGIN",
 * "tuple ABI NAME A0..A5" (hex), "dropped ABI NAME N", "caps USED DENIED OBSERVED" (hex),
 * "lost N". ABI: x86_64, x32, i386. Exit status: the command's, or 125 on our errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/audit.h>

#include "arch/arch.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "bpf/filter.h"
#include "caps/caps.h"
#include "observe/record-exec.h"
#include "profile/profile.h"
#include "run/run.h"

extern char **environ;

static const char *abi_name(uint32_t arch, int32_t nr)
{
	if (arch == AUDIT_ARCH_I386)
		return "i386";
	return (nr & 0x40000000) ? "x32" : "x86_64";
}

static const char *call_name(uint32_t arch, int32_t nr)
{
	enum cf_arch a = arch_from_seccomp_data(arch, (uint32_t)nr);
	const char *n = a == CF_ARCH_INVALID ? NULL : syscall_resolve_num(a, nr);

	return n ? n : "?";
}

static int write_recording(int fd, const struct cf_recording *r, const char *why)
{
	/* one write(2): the confined parent may not fcntl or lseek (fdopen, dprintf) */
	struct strbuf sb = { 0 };
	struct strbuf *f = &sb;
	ssize_t n;

	strbuf_appendf(f, "observer %s\n", r->observer ? r->observer : "?");
	if (why)
		strbuf_appendf(f, "fallback %s\n", why);
	for (size_t i = 0; i < r->n_calls; i++) {
		const struct cf_rec_call *c = &r->calls[i];
		const char *abi = abi_name(c->arch, c->nr), *name = call_name(c->arch, c->nr);

		strbuf_appendf(f, "call %s %s %d %llu %d %s\n", abi, name, c->nr,
			       (unsigned long long)c->count, c->succeeded, c->origin);
		for (size_t t = 0; t < c->n_tuples; t++) {
			strbuf_appendf(f, "tuple %s %s", abi, name);
			for (int a = 0; a < 6; a++)
				strbuf_appendf(f, " %llx", (unsigned long long)c->tuples[t][a]);
			strbuf_append(f, "\n");
		}
		if (c->tuples_dropped)
			strbuf_appendf(f, "dropped %s %s %llu\n", abi, name,
				       (unsigned long long)c->tuples_dropped);
	}
	strbuf_appendf(f, "caps %llx %llx %d\n", (unsigned long long)r->caps_used,
		       (unsigned long long)r->caps_denied, r->caps_observed);
	strbuf_appendf(f, "lost %llu\n", (unsigned long long)r->lost);
	n = sb.buf ? write(fd, sb.buf, sb.len) : 0;
	strbuf_clear(&sb);
	return n >= 0 ? 0 : -EIO;
}

static int parse_watch(const char *s, struct cf_rec_watch *w)
{
	char abi[16];
	unsigned nr, mask;

	if (sscanf(s, "%15[^:]:%u:%x", abi, &nr, &mask) != 3)
		return -EINVAL;
	w->arch = strcmp(abi, "i386") == 0 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
	w->nr = (int32_t)nr | (strcmp(abi, "x32") == 0 ? 0x40000000 : 0);
	w->arg_mask = (uint8_t)mask;
	return 0;
}

int main(int argc, char **argv)
{
	cleanup(cf_bpf_prog_freep) struct cf_bpf_prog *prog = NULL;
	cleanup(cf_plan_freep) struct cf_plan *plan = NULL;
	cleanup(cf_profile_freep) struct cf_profile *profile = NULL;
	cleanup(cf_resolved_freep) struct cf_resolved *resolved = NULL;
	struct cf_rec_watch watch[32];
	struct cf_rec_opts ropts = { .arg_watch = watch };
	enum cf_rec_backend backend = CF_REC_BACKEND_AUTO;
	struct cf_recording rec = { 0 };
	struct cf_run_result res = { 0 };
	struct cf_caller caller = { 0 };
	struct cf_cap_limit limit;
	struct cf_cap_request req = { 0 };
	struct cf_resolve_opts ro = { .native = CF_ARCH_INVALID };
	struct cf_run_spec spec;
	struct cf_diag diag;
	cf_capset caps;
	const char *why = NULL, *out = NULL;
	cleanup_free char *path = NULL;
	int c, r, fd;

	while ((c = getopt(argc, argv, "+o:b:w:")) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'b':
			backend = strcmp(optarg, "ebpf") == 0	? CF_REC_BACKEND_EBPF :
				  strcmp(optarg, "ptrace") == 0 ? CF_REC_BACKEND_PTRACE :
								  CF_REC_BACKEND_AUTO;
			break;
		case 'w':
			if (ropts.n_arg_watch >= ARRAY_SIZE(watch) ||
			    parse_watch(optarg, &watch[ropts.n_arg_watch]) < 0) {
				fprintf(stderr, "rec-run: bad -w %s (ABI:NR:HEXMASK)\n", optarg);
				return 125;
			}
			ropts.n_arg_watch++;
			break;
		default:
			return 125;
		}
	}
	if (!out || optind >= argc) {
		fprintf(stderr, "usage: rec-run -o FILE [-b B] [-w ABI:NR:MASK]... -- CMD...\n");
		return 125;
	}
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || cf_caller_get(&caller) < 0) {
		perror("rec-run");
		return 125;
	}
	cf_caller_cap_limit(&caller, caller.euid == 0, &limit);
	req.limit = &limit;
	if (caps_resolve(&req, &caps, &diag) < 0)
		return 125;
	ro.bounding = caps;
	r = cf_profile_builtin(&profile);
	if (r == 0)
		r = cf_profile_resolve(profile, &ro, &resolved, &diag);
	if (r == 0)
		r = cf_filter_compile(resolved, &prog, &diag);
	if (r == 0)
		r = cf_exec_find(argv[optind], environ, &path);
	if (r < 0) {
		fprintf(stderr, "rec-run: setup: %s\n", strerror(-r));
		return 125;
	}
	spec = (struct cf_run_spec){
		.prog = prog,
		.caps = caps,
		.caller = &caller,
		.path = path,
		.argv = argv + optind,
		.envp = environ,
	};
	r = cf_plan_build(&spec, &plan, &diag);
	if (r < 0) {
		fprintf(stderr, "rec-run: plan: %s\n", strerror(-r));
		return 125;
	}
	r = cf_record_exec(plan, backend, &ropts, &rec, &res, &why);
	if (r < 0) {
		fprintf(stderr, "rec-run: record: %s (%s)\n", strerror(-r), why ? why : "-");
		return 125;
	}
	if (res.launcher_failed || res.confine_failed)
		fprintf(stderr, "rec-run: launcher/confine failed: %s\n", strerror(res.error));
	if (write_recording(fd, &rec, why) < 0)
		return 125;
	cf_recording_clear(&rec);
	return res.exit_code;
}
