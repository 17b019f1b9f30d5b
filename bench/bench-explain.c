/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What `run --explain` costs a program whose calls are allowed: the same workload under
 * `callfence run` and `callfence run --explain` (eBPF observer; the ptrace backend and
 * --complain for comparison), interleaved, median wall time of each, and the ratio. Goal:
 * <= 1.10x. The workload is syscall-heavy on purpose (getppid, 1-byte reads of /dev/zero: every
 * one passes the filter), with a few threads and forks so clone/exit handling is included.
 *
 * The eBPF observer's programs run for every syscall on the machine (and leave after one task
 * storage lookup for tasks outside the tree), so the second measure is what an --explain run
 * costs OTHER processes: a getppid loop in this process, outside the tree, while
 * `callfence run --explain -- sleep` runs, against the same loop with nothing running.
 *
 *   bench-explain [CALLFENCE [CALLS [ROUNDS]]]     (defaults: ./callfence 4000000 7)
 *   bench-explain --workload CALLS                 (the workload itself)
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
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

#define MAX_OPTS 4

static double run_once(const char *cf, const char *const *mode, const char *self, const char *calls)
{
	double t0 = bench_now_ns() / 1e9;
	pid_t p = fork();
	int st;

	if (p == 0) {
		int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (devnull >= 0)
			dup2(devnull, 2); /* the summary line */
		const char *av[MAX_OPTS + 8];
		int k = 0;

		av[k++] = cf;
		av[k++] = "run";
		for (int i = 0; i < MAX_OPTS && mode[i]; i++)
			av[k++] = mode[i];
		av[k++] = "--";
		av[k++] = self;
		av[k++] = "--workload";
		av[k++] = calls;
		av[k] = NULL;
		execv(cf, (char *const *)av);
		_exit(127);
	}
	if (waitpid(p, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench-explain: %s run %s failed (status %d)\n", cf,
			mode[0] ? mode[0] : "", st);
		exit(1);
	}
	return bench_now_ns() / 1e9 - t0;
}

/* ns per getppid in this process (outside any callfence tree) */
static double outside_loop(long calls)
{
	double t0 = bench_now_ns();

	for (long i = 0; i < calls; i++)
		(void)syscall(SYS_getppid);
	return (bench_now_ns() - t0) / (double)calls;
}

/* The same loop while `callfence run --explain -- sleep 60` is running. */
static double outside_with_explain(const char *cf, long calls)
{
	pid_t p = fork();
	double ns;

	if (p == 0) {
		int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (devnull >= 0)
			dup2(devnull, 2);
		execl(cf, cf, "run", "--explain", "--explain-backend=ebpf", "--", "sleep", "60",
		      (char *)NULL);
		_exit(127);
	}
	/* the observer is attached once the command runs: give it time to load */
	(void)nanosleep(&(struct timespec){ .tv_nsec = 500 * 1000 * 1000 }, NULL);
	ns = outside_loop(calls);
	(void)kill(p, SIGTERM); /* forwarded to sleep */
	(void)waitpid(p, NULL, 0);
	return ns;
}

int main(int argc, char **argv)
{
	const char *cf = argc > 1 ? argv[1] : "./callfence";
	const char *calls = argc > 2 ? argv[2] : "4000000";
	int rounds = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 7;
	static const char *const modes[][MAX_OPTS] = {
		{ NULL },
		{ "--explain", "--explain-backend=ebpf", NULL },
		{ "--explain", "--explain-backend=ptrace", NULL },
		{ "--complain", NULL },
	};
	enum {
		N_MODES = 4
	};
	double t[N_MODES][64], out0[64], out1[64];
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
	for (int r = 0; r < rounds; r++) {
		for (int m = 0; m < N_MODES; m++)
			t[m][r] = run_once(cf, modes[m], self, calls);
		out0[r] = outside_loop(1000000);
		out1[r] = outside_with_explain(cf, 1000000);
	}
	for (int m = 0; m < N_MODES; m++)
		qsort(t[m], (size_t)rounds, sizeof(double), bench_cmp_double);
	qsort(out0, (size_t)rounds, sizeof(double), bench_cmp_double);
	qsort(out1, (size_t)rounds, sizeof(double), bench_cmp_double);
	printf("workload: %s allowed syscalls in 4 threads + 4 forked children, %d rounds\n", calls,
	       rounds);
	printf("  run              median %.3f s\n", t[0][rounds / 2]);
	printf("  run --explain (eBPF)    median %.3f s   ratio %.3fx (goal <= 1.10x)\n",
	       t[1][rounds / 2], t[1][rounds / 2] / t[0][rounds / 2]);
	printf("  run --explain (ptrace)  median %.3f s   ratio %.3fx\n", t[2][rounds / 2],
	       t[2][rounds / 2] / t[0][rounds / 2]);
	printf("  run --complain          median %.3f s   ratio %.3fx\n", t[3][rounds / 2],
	       t[3][rounds / 2] / t[0][rounds / 2]);
	printf("other processes: getppid outside the tree, median ns per call\n");
	printf("  nothing running         %.0f ns\n", out0[rounds / 2]);
	printf("  during run --explain    %.0f ns   ratio %.3fx\n", out1[rounds / 2],
	       out1[rounds / 2] / out0[rounds / 2]);
	return 0;
}
