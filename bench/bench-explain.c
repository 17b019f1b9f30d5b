/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What `run --explain` costs a program whose calls are allowed: the same workload under
 * `callfence run` and `callfence run --explain` (eBPF observer, each of its two kernel programs
 * forced with CALLFENCE_OBSERVER; the ptrace backend and --complain for comparison),
 * interleaved, median wall time of each, and the ratio to the plain run of the same rounds.
 * Goal: <= 1.10x. The workload is syscall-heavy on purpose (getppid, 1-byte reads of
 * /dev/zero: every one passes the filter), with a few threads and forks so clone/exit handling
 * is included.
 *
 * The sys_exit observer puts every task on the machine on the syscall-tracepoint slow path,
 * the fexit one only tasks with a seccomp filter; so the second measure is what an --explain
 * run costs OTHER processes: a getppid loop in this process, outside the tree and without a
 * filter, while `callfence run --explain -- sleep` runs, against the same loop with nothing
 * running, interleaved in the same rounds.
 *
 *   bench-explain [CALLFENCE [CALLS [ROUNDS [MODES]]]]   (defaults: ./callfence 4000000 7 all)
 *   bench-explain --workload CALLS                       (the workload itself)
 *
 * MODES: comma-separated among run (always measured: the anchor), auto, sys_exit, fexit,
 * ptrace, complain, outside. A mode this kernel cannot run (fexit where BPF trampolines are
 * refused) is reported as unavailable.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
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

struct mode {
	const char *name;
	const char *label;
	const char *observer; /* CALLFENCE_OBSERVER, NULL: unset */
	const char *opts[MAX_OPTS];
	bool on, failed;
	double t[64], out[64]; /* workload seconds; ns per outside getppid */
};

/* Wall time of the workload under callfence with the mode's options; < 0 when it failed. */
static double run_once(const char *cf, const struct mode *m, const char *self, const char *calls)
{
	double t0 = bench_now_ns() / 1e9;
	pid_t p = fork();
	int st;

	if (p == 0) {
		int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
		const char *av[MAX_OPTS + 8];
		int k = 0;

		if (devnull >= 0)
			dup2(devnull, 2); /* the summary line */
		if (m->observer)
			setenv("CALLFENCE_OBSERVER", m->observer, 1);
		av[k++] = cf;
		av[k++] = "run";
		for (int i = 0; i < MAX_OPTS && m->opts[i]; i++)
			av[k++] = m->opts[i];
		av[k++] = "--";
		av[k++] = self;
		av[k++] = "--workload";
		av[k++] = calls;
		av[k] = NULL;
		execv(cf, (char *const *)av);
		_exit(127);
	}
	if (waitpid(p, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return bench_now_ns() / 1e9 - t0;
}

/* ns per getppid in this process (outside any callfence tree, no seccomp filter) */
static double outside_loop(long calls)
{
	double t0 = bench_now_ns();

	for (long i = 0; i < calls; i++)
		(void)syscall(SYS_getppid);
	return (bench_now_ns() - t0) / (double)calls;
}

/*
 * The same loop while `callfence run --explain -- sleep 60` runs with the mode's observer;
 * < 0 when that run failed (the observer cannot load). The observer is attached before the
 * command runs, so the loop starts once callfence's child has become sleep.
 */
static double outside_with_explain(const char *cf, const struct mode *m, long calls)
{
	pid_t p = fork();
	double ns;
	int st;

	if (p == 0) {
		int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (devnull >= 0)
			dup2(devnull, 2);
		if (m->observer)
			setenv("CALLFENCE_OBSERVER", m->observer, 1);
		execl(cf, cf, "run", "--explain", "--explain-backend=ebpf", "--", "sleep", "60",
		      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) { /* up to 5 s for the observer to load and sleep to run */
		char path[64], comm[32] = "";
		FILE *f;
		int child = 0;

		(void)nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
		if (waitpid(p, &st, WNOHANG) == p)
			return -1; /* the observer could not start */
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)p, (int)p);
		f = fopen(path, "re");
		if (f) {
			if (fscanf(f, "%d", &child) != 1)
				child = 0;
			fclose(f);
		}
		if (child <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", child);
		f = fopen(path, "re");
		if (f) {
			if (!fgets(comm, sizeof(comm), f))
				comm[0] = '\0';
			fclose(f);
		}
		if (strncmp(comm, "sleep", 5) == 0)
			break;
	}
	ns = outside_loop(calls);
	(void)kill(p, SIGTERM); /* forwarded to sleep */
	(void)waitpid(p, NULL, 0);
	return ns;
}

static void print_spread(const char *label, const double *v, int n, double anchor, const char *unit,
			 double scale)
{
	printf("  %-30s median %8.3f %s  (min %.3f, max %.3f)", label, v[n / 2] * scale, unit,
	       v[0] * scale, v[n - 1] * scale);
	if (anchor > 0)
		printf("   ratio %.3fx", v[n / 2] / anchor);
	printf("\n");
}

int main(int argc, char **argv)
{
	const char *cf = argc > 1 ? argv[1] : "./callfence";
	const char *calls = argc > 2 ? argv[2] : "4000000";
	int rounds = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 7;
	const char *which = argc > 4 ? argv[4] : "all";
	struct mode modes[] = {
		{ .name = "run", .label = "run" },
		{ .name = "auto",
		  .label = "--explain (eBPF, auto)",
		  .opts = { "--explain", "--explain-backend=ebpf" } },
		{ .name = "fexit",
		  .label = "--explain (eBPF fexit)",
		  .observer = "fexit",
		  .opts = { "--explain", "--explain-backend=ebpf" } },
		{ .name = "sys_exit",
		  .label = "--explain (eBPF sys_exit)",
		  .observer = "sys_exit",
		  .opts = { "--explain", "--explain-backend=ebpf" } },
		{ .name = "ptrace",
		  .label = "--explain (ptrace)",
		  .opts = { "--explain", "--explain-backend=ptrace" } },
		{ .name = "complain", .label = "--complain", .opts = { "--complain" } },
	};
	enum {
		N_MODES = sizeof(modes) / sizeof(modes[0])
	};
	double out0[64], rt[N_MODES][64];
	bool outside;
	char self[4096], list[256];
	ssize_t n;

	if (argc > 2 && strcmp(argv[1], "--workload") == 0)
		return workload(strtol(argv[2], NULL, 10));
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';
	if (rounds < 1 || rounds > 64)
		rounds = 7;
	snprintf(list, sizeof(list), ",%s,", which);
	outside = strcmp(which, "all") == 0 || strstr(list, ",outside,");
	for (int m = 0; m < N_MODES; m++) {
		char key[32];

		snprintf(key, sizeof(key), ",%s,", modes[m].name);
		modes[m].on = m == 0 || strcmp(which, "all") == 0 || strstr(list, key);
	}
	for (int r = 0; r < rounds; r++) {
		for (int m = 0; m < N_MODES; m++) {
			if (!modes[m].on || modes[m].failed)
				continue;
			modes[m].t[r] = run_once(cf, &modes[m], self, calls);
			if (modes[m].t[r] < 0) {
				if (m == 0) {
					fprintf(stderr, "bench-explain: %s run failed\n", cf);
					return 1;
				}
				modes[m].failed = true;
			}
		}
		if (!outside)
			continue;
		out0[r] = outside_loop(1000000);
		for (int m = 2; m <= 3; m++) /* fexit, sys_exit */
			if (!modes[m].failed) {
				modes[m].out[r] = outside_with_explain(cf, &modes[m], 1000000);
				if (modes[m].out[r] < 0)
					modes[m].failed = true;
			}
	}
	/* the ratio of each round to that round's plain run, then their median: the machine's
	 * load drifts between rounds, less within one */
	for (int m = 0; m < N_MODES; m++)
		for (int r = 0; r < rounds && modes[m].on && !modes[m].failed; r++)
			rt[m][r] = modes[m].t[r] / modes[0].t[r];
	printf("workload: %s allowed syscalls in 4 threads + 4 forked children, %d rounds\n", calls,
	       rounds);
	for (int m = 0; m < N_MODES; m++) {
		if (!modes[m].on)
			continue;
		if (modes[m].failed) {
			printf("  %-30s unavailable on this kernel\n", modes[m].label);
			continue;
		}
		qsort(modes[m].t, (size_t)rounds, sizeof(double), bench_cmp_double);
		qsort(rt[m], (size_t)rounds, sizeof(double), bench_cmp_double);
		printf("  %-30s median %.3f s", modes[m].label, modes[m].t[rounds / 2]);
		if (m > 0)
			printf("   ratio to run: median %.3fx (min %.3f, max %.3f)%s",
			       rt[m][rounds / 2], rt[m][0], rt[m][rounds - 1],
			       m == 1 ? "  goal <= 1.10x" : "");
		printf("\n");
	}
	if (!outside)
		return 0;
	printf("other processes: getppid outside the tree, ns per call\n");
	qsort(out0, (size_t)rounds, sizeof(double), bench_cmp_double);
	print_spread("nothing running", out0, rounds, 0, "ns", 1);
	for (int m = 2; m <= 3; m++) {
		char label[64];

		snprintf(label, sizeof(label), "during %s", modes[m].label + 2);
		if (modes[m].failed) {
			printf("  %-30s unavailable on this kernel\n", label);
			continue;
		}
		qsort(modes[m].out, (size_t)rounds, sizeof(double), bench_cmp_double);
		print_spread(label, modes[m].out, rounds, out0[rounds / 2], "ns", 1);
	}
	return 0;
}
