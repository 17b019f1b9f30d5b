/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What both recorders share: the argument watch, the provenance string, and what each adds to
 * the parent's allow-list (self-confine.c) after the command started.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include "base/macro.h"
#include "observe/record-observe.h"

uint8_t cf_rec_watch_mask(const struct cf_rec_opts *o, uint32_t arch, int32_t nr)
{
	if (!o)
		return 0;
	for (size_t i = 0; i < o->n_arg_watch; i++)
		if (o->arg_watch[i].arch == arch && o->arg_watch[i].nr == nr)
			return o->arg_watch[i].arg_mask;
	return 0;
}

void cf_rec_origin(pid_t pid, const char *exe_base, const char *comm, char out[CF_REC_ORIGIN_SIZE])
{
	char path[64], buf[CF_REC_ORIGIN_SIZE];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	/* readlinkat(2) directly: glibc's readlink() is SYS_readlink on x86_64, and the parent's
	 * allow-list has only the *at form */
	n = syscall(SYS_readlinkat, AT_FDCWD, path, buf, sizeof(buf) - 1);
	if (n > 0) {
		const char *slash;

		buf[n] = '\0';
		slash = strrchr(buf, '/');
		/* the process may have exec'd another program since the call (eBPF: read at
		 * drain time): keep the link only when its name is what the kernel saw */
		if (!exe_base || !*exe_base || strcmp(slash ? slash + 1 : buf, exe_base) == 0) {
			snprintf(out, CF_REC_ORIGIN_SIZE, "%s", buf);
			return;
		}
	}
	if (exe_base && *exe_base)
		snprintf(out, CF_REC_ORIGIN_SIZE, "%s", exe_base);
	else if (comm && *comm)
		snprintf(out, CF_REC_ORIGIN_SIZE, "[%s]", comm);
	else
		snprintf(out, CF_REC_ORIGIN_SIZE, "?");
}

/*
 * After the command started the parent runs under its allow-list (self-confine.c). Record adds:
 * readlinkat, for the provenance of each call's first use (/proc/PID/exe: reading a link, never
 * a file; with CAP_SYS_PTRACE kept, as for --explain, it works for a command under another uid).
 * ptrace: the requests on its own tracees, never ATTACH/SEIZE/TRACEME (it cannot take a new
 * process; the children of tracees are attached by the kernel through PTRACE_O_TRACE*).
 * eBPF: bpf(2) map lookups on the fds it already holds (the per-CPU counters; map lookups need
 * no capability). Neither writes a file or starts a process.
 */
static const struct cf_self_allow ptrace_allow[] = {
	{ .nr = SYS_ptrace,
	  .match = CF_SELF_ARG0_LO_NOT_IN,
	  .values = { PTRACE_ATTACH, PTRACE_SEIZE, PTRACE_TRACEME },
	  .n_values = 3 },
	{ .nr = SYS_readlinkat },
};

static const struct cf_self_allow ebpf_allow[] = {
	{ .nr = SYS_bpf,
	  .match = CF_SELF_ARG0_IN,
	  .values = { BPF_MAP_LOOKUP_ELEM, BPF_MAP_GET_NEXT_KEY },
	  .n_values = 2 },
	{ .nr = SYS_readlinkat },
};

const struct cf_self_allow *cf_rec_parent_allow(bool ptrace, size_t *ret_n)
{
	*ret_n = ptrace ? ARRAY_SIZE(ptrace_allow) : ARRAY_SIZE(ebpf_allow);
	return ptrace ? ptrace_allow : ebpf_allow;
}
