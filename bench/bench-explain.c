/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What `run --explain` costs a program whose calls are allowed: the same workload under
 * `callfence run` and `callfence run --explain` (and --complain), interleaved, median wall time
 * of each, and the ratio. Goal: <= 1.10x. The workload is syscall-heavy on purpose (getppid,
 * 1-byte reads of /dev/zero: every one passes the filter), with a few threads and forks so the
 * supervisor's clone/exit stops are included.
 *
 *   bench-explain [CALLFENCE [CALLS [ROUNDS]]]     (defaults: ./callfence 2000000 7)
 *   bench-explain --workload CALLS                 (the workload itself)
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/syscall.h>
#include <sys/wait.h>

#include "bench-util.h"

static long calls_per_thread;

static void *worker(void *arg)
{
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	char c;

	(void)arg;
	for (long i = 0; i < calls_per_thread; i++) {
		if (i & 1)
			(void)syscall(SYS_getppid);
		else if (read(fd, &c, 1) != 1)
			abort();
	}
	close(fd);
	return NULL;
}

static int workload(long calls)
{
	pthread_t t[4];

	calls_per_thread = calls / 8;
	/* half in 4 threads, half in 4 forked children (each runs one worker) */
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, worker, NULL) != 0)
			return 1;
	for (int i = 0; i < 4; i++) {
		pid_t p = fork();

		if (p == 0) {
			worker(NULL);
			_exit(0);
		}
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	while (wait(NULL) > 0)
		;
	return 0;
}

static double run_once(const char *cf, const char *mode, const char *self, const char *calls)
{
	double t0 = bench_now_ns() / 1e9;
	pid_t p = fork();
	int st;

	if (p == 0) {
		int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (devnull >= 0)
			dup2(devnull, 2); /* the summary line */
		if (mode)
			execl(cf, cf, "run", mode, "--", self, "--workload", calls, (char *)NULL);
		else
			execl(cf, cf, "run", "--", self, "--workload", calls, (char *)NULL);
		_exit(127);
	}
	if (waitpid(p, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench-explain: %s run %s failed (status %d)\n", cf,
			mode ? mode : "", st);
		exit(1);
	}
	return bench_now_ns() / 1e9 - t0;
}

int main(int argc, char **argv)
{
	const char *cf = argc > 1 ? argv[1] : "./callfence";
	const char *calls = argc > 2 ? argv[2] : "2000000";
	int rounds = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 7;
	static const char *const modes[] = { NULL, "--explain", "--complain" };
	double t[3][64];
	char self[4096];
	ssize_t n;

	if (argc > 2 && strcmp(argv[1], "--workload") == 0)
		return workload(strtol(argv[2], NULL, 10));
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';
	if (rounds < 1 || rounds > 64)
		rounds = 7;
	for (int r = 0; r < rounds; r++)
		for (int m = 0; m < 3; m++)
			t[m][r] = run_once(cf, modes[m], self, calls);
	for (int m = 0; m < 3; m++)
		qsort(t[m], (size_t)rounds, sizeof(double), bench_cmp_double);
	printf("workload: %s allowed syscalls in 4 threads + 4 forked children, %d rounds\n", calls,
	       rounds);
	printf("  run              median %.3f s\n", t[0][rounds / 2]);
	printf("  run --explain    median %.3f s   ratio %.3fx (goal <= 1.10x)\n", t[1][rounds / 2],
	       t[1][rounds / 2] / t[0][rounds / 2]);
	printf("  run --complain   median %.3f s   ratio %.3fx\n", t[2][rounds / 2],
	       t[2][rounds / 2] / t[0][rounds / 2]);
	return 0;
}
