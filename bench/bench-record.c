/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What recording costs (issue 10): `find /usr -name '*.h'` (a directory walk, ~1 syscall per
 * entry) plain, under the eBPF recorder, under the ptrace recorder (both through
 * tests/record/rec-run: cf_record_exec with the builtin profile, what `callfence record` runs),
 * under `strace -f -c -o /dev/null` and under `perf trace -s -o /dev/null`. Rounds interleave
 * the variants; each prints its median wall time and the ratio to plain of the same run.
 * A variant that cannot run here (no strace, perf, not root for eBPF) is skipped with why.
 *
 *   bench-record REC-RUN [ROUNDS=5] [DIR=/usr]
 *
 * BENCH_RECORD_NO_PEERS=1 leaves out strace and perf trace (~100x and ~30x: most of a run's
 * time), to compare two builds of the recorder quickly.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/wait.h>

#include "bench-util.h"

#define MAX_ROUNDS 50

/* wall time of one run in ns, or -1 when it failed (status != 0) */
static double run_once(char *const argv[])
{
	double t0 = bench_now_ns();
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return bench_now_ns() - t0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 3 ? argv[3] : "/usr";
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	char *plain[] = { "find", (char *)dir, "-name", "*.h", NULL };
	char *ebpf[] = { argv[1], "-o",	       "/dev/null", "-b",  "ebpf", "--",
			 "find",  (char *)dir, "-name",	    "*.h", NULL };
	char *ptr[] = { argv[1], "-o",	      "/dev/null", "-b",  "ptrace", "--",
			"find",	 (char *)dir, "-name",	   "*.h", NULL };
	/* the fixed start-up (load, verify and attach the programs) apart from the per-call cost */
	char *ebpf_true[] = { argv[1], "-o", "/dev/null", "-b", "ebpf", "--", "true", NULL };
	char *strc[] = { "strace", "-f",	"-c",	 "-o",	"/dev/null",
			 "find",   (char *)dir, "-name", "*.h", NULL };
	char *perf[] = { "perf", "trace",     "-s",    "-o",  "/dev/null",
			 "find", (char *)dir, "-name", "*.h", NULL };
	struct {
		const char *name;
		char **argv;
		double t[MAX_ROUNDS];
		int n;
		bool dead, skipped;
	} v[] = {
		{ .name = "plain", .argv = plain },
		{ .name = "record (eBPF)", .argv = ebpf },
		{ .name = "record (ptrace)", .argv = ptr },
		{ .name = "strace -f -c", .argv = strc },
		{ .name = "eBPF start-up", .argv = ebpf_true },
		{ .name = "perf trace -s", .argv = perf },
	};
	const int nv = (int)(sizeof(v) / sizeof(v[0]));
	double base = 0;

	if (argc < 2 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: bench-record REC-RUN [ROUNDS<=%d] [DIR]\n", MAX_ROUNDS);
		return 2;
	}
	if (getenv("BENCH_RECORD_NO_PEERS") && strcmp(getenv("BENCH_RECORD_NO_PEERS"), "1") == 0)
		v[3].dead = v[5].dead = v[3].skipped = v[5].skipped = true;
	(void)run_once(plain); /* warm the dentry cache */
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < nv; i++) {
			double t;

			if (v[i].dead)
				continue;
			t = run_once(v[i].argv);
			if (t < 0)
				v[i].dead = true;
			else
				v[i].t[v[i].n++] = t;
		}
	printf("find %s -name '*.h', %d rounds, median wall time\n", dir, rounds);
	for (int i = 0; i < nv; i++) {
		double med;

		if (v[i].skipped) {
			printf("%-18s skipped: BENCH_RECORD_NO_PEERS=1\n", v[i].name);
			continue;
		}
		if (v[i].dead || v[i].n == 0) {
			printf("%-18s skipped: %s failed here (not installed, not permitted, or "
			       "cannot trace in this VM)\n",
			       v[i].name, v[i].argv[0]);
			continue;
		}
		qsort(v[i].t, (size_t)v[i].n, sizeof(double), bench_cmp_double);
		med = v[i].t[v[i].n / 2];
		if (i == 0)
			base = med;
		printf("%-18s %9.1f ms  %6.2fx plain\n", v[i].name, med / 1e6, med / base);
	}
	/* record (eBPF) minus its start-up: what the programs cost the walk itself */
	if (!v[1].dead && !v[4].dead && v[1].n && v[4].n && base > 0)
		printf("%-18s %9.1f ms  %6.2fx plain (record (eBPF) minus eBPF start-up)\n",
		       "eBPF per-call", (v[1].t[v[1].n / 2] - v[4].t[v[4].n / 2]) / 1e6,
		       (v[1].t[v[1].n / 2] - v[4].t[v[4].n / 2]) / base);
	return 0;
}
