/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Start increment: `callfence run -- /bin/true` with the builtin profile minus the same with
 * seccomp=unconfined (goal <= 1 ms), next to /bin/true alone, and runc/crun when given
 * (anchors from filter-performance.md: crun adds ~15 ms, runc ~17 ms for the same profile).
 * Interleaved rounds, medians. Usage: bench-start CALLFENCE [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/wait.h>

#include "bench-util.h"

static double run_once(char *const argv[])
{
	double t0 = bench_now_ns() / 1e6;
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench-start: %s failed\n", argv[0]);
		exit(1);
	}
	return bench_now_ns() / 1e6 - t0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench-start CALLFENCE [ROUNDS]\n");
		return 2;
	}
	int rounds = argc > 2 ? atoi(argv[2]) : 300;
	char *bare[] = { "/bin/true", NULL };
	char *builtin[] = { argv[1], "run", "--", "/bin/true", NULL };
	char *unconf[] = { argv[1],	"run", "--security-opt", "seccomp=unconfined", "--",
			   "/bin/true", NULL };
	char *nnp[] = { argv[1],     "run", "--security-opt", "no-new-privileges", "--",
			"/bin/true", NULL };
	double *t[4];

	for (int k = 0; k < 4; k++) {
		t[k] = calloc((size_t)rounds, sizeof(double));
		if (!t[k])
			return 1;
	}
	for (int i = 0; i < rounds; i++) {
		t[0][i] = run_once(bare);
		t[1][i] = run_once(unconf);
		t[2][i] = run_once(builtin);
		t[3][i] = run_once(nnp);
	}
	for (int k = 0; k < 4; k++)
		qsort(t[k], (size_t)rounds, sizeof(double), bench_cmp_double);
	double m[4];
	for (int k = 0; k < 4; k++)
		m[k] = t[k][rounds / 2];
	printf("median of %d interleaved runs:\n", rounds);
	printf("  /bin/true alone                          %7.3f ms\n", m[0]);
	printf("  callfence run, seccomp=unconfined        %7.3f ms\n", m[1]);
	printf("  callfence run, builtin                   %7.3f ms\n", m[2]);
	printf("  callfence run, builtin, no-new-privileges %6.3f ms\n", m[3]);
	printf("start increment (builtin - unconfined): %.3f ms (goal <= 1 ms; crun ~15 ms, runc ~17 ms)\n",
	       m[2] - m[1]);
	return 0;
}
