/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Workloads for the record tests, one per argument, each making a marker call nothing else in
 * the run makes, so a test can name what must be in the recording:
 *   threads     4 threads, each getpriority(PRIO_PROCESS, 0)        (marker: getpriority)
 *               and a FUTEX_WAKE: pthread_join waits on a futex only when the thread has not
 *               ended yet, so without it strace (slower) and a recording differ by timing
 *   vfork       vfork, the child calls getitimer and _exits          (marker: getitimer)
 *   shortchild  fork; the child makes sysinfo and exits at once       (marker: sysinfo)
 *   chain SELF  fork; the child execs SELF "leaf"                     (marker: times, in leaf)
 *   leaf        times() and exit
 *   i386        int $0x80 getppid (nr 64) and i386 umask (nr 60)      (marker: i386 umask)
 *   x32         x32 getuid (0x40000000|102): ENOSYS where x32 is off  (marker: x32 getuid)
 *   chown FILE  chown FILE to 65534:65534                             (capability: CHOWN)
 *   args        personality(0xffffffff), socket(AF_UNIX, SOCK_STREAM) and socket(AF_INET,
 *               SOCK_DGRAM) twice (argument vectors)
 *   failing     clone3(NULL, 0): EFAULT/EINVAL/ENOSYS, never succeeds (succeeded bit 0)
 *   unique      flock(-1, 0) once (the scoping test runs it outside the recorded tree)
 *   loop N      N getppid calls (counts)
 *   exits N     N short threads in waves; thread k makes marker k % CF_EXIT_MARKERS (a call
 *               nothing else makes) as its last call before it ends; the leader ends first
 *               (SYS_exit) while the last wave still runs; before it, a fork whose child
 *               makes sched_rr_get_interval and exits at once. The completeness stress: every marker must be
 *               recorded, whatever the load (the calls are made before the joins return, so
 *               the run made them all)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/futex.h>
#include <sys/file.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>

#include "lib/cf-int80.h"

static void *thread_main(void *arg)
{
	static int word;

	(void)arg;
	(void)syscall(SYS_getpriority, PRIO_PROCESS, 0);
	(void)syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	return NULL;
}

/* harmless calls no libc start-up makes; the record test names them (test-record.sh) */
static const long exit_markers[] = {
	SYS_getitimer,
	SYS_sysinfo,
	SYS_times,
	SYS_getpgid,
	SYS_getsid,
	SYS_getrusage,
	SYS_sched_getscheduler,
	SYS_sched_getparam,
	SYS_sched_get_priority_max,
	SYS_sched_get_priority_min,
	SYS_capget,
	SYS_getgroups,
	SYS_getresgid,
	SYS_ioprio_get,
	SYS_alarm,
	SYS_getpgrp,
};
#define CF_EXIT_MARKERS ARRAY_LEN(exit_markers)
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static int wait_child(pid_t pid);

static void exit_marker(unsigned long k)
{
	long a[2] = { 0, 0 };
	char buf[256] = { 0 };

	switch (exit_markers[k % CF_EXIT_MARKERS]) {
	case SYS_getitimer:
	case SYS_getrusage:
	case SYS_getgroups:
	case SYS_getresgid:
		a[1] = (long)buf; /* a valid buffer; getresgid's three pointers share it */
		break;
	case SYS_sysinfo:
	case SYS_times:
		a[0] = (long)buf;
		break;
	case SYS_capget: /* capget(NULL, buf): EFAULT, still a call */
	case SYS_sched_getparam:
		a[1] = (long)buf;
		break;
	case SYS_ioprio_get:
		a[0] = 1; /* IOPRIO_WHO_PROCESS, 0: this thread */
		break;
	}
	(void)syscall(exit_markers[k % CF_EXIT_MARKERS], a[0], a[1], a[1], a[1]);
}

static void *exit_thread(void *arg)
{
	exit_marker((unsigned long)arg);
	return NULL;
}

/* the leader ends with SYS_exit while the last wave runs: the process lives on in its threads */
static int exits(long n)
{
	pthread_t t[16];
	pid_t pid;
	long k = 0;

	while (k + 16 < n) {
		for (int j = 0; j < 16; j++)
			if (pthread_create(&t[j], NULL, exit_thread, (void *)(k + j)) != 0)
				return 1;
		for (int j = 0; j < 16; j++)
			pthread_join(t[j], NULL);
		k += 16;
	}
	pid = fork();
	if (pid == 0) {
		struct timespec ts;

		(void)syscall(SYS_sched_rr_get_interval, 0, &ts);
		syscall(SYS_exit_group, 0);
	}
	if (wait_child(pid) != 0)
		return 1;
	for (; k < n; k++)
		if (pthread_create(&t[0], NULL, exit_thread, (void *)k) != 0)
			return 1;
	/* the leader alone: the threads above are detached in effect, the kernel keeps the
	 * process (and the parent's waitpid) until the last of them ends */
	syscall(SYS_exit, 0);
	return 1;
}

static int wait_child(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static int run(int argc, char **argv, int i)
{
	const char *w = argv[i];

	if (strcmp(w, "threads") == 0) {
		pthread_t t[4];

		for (int k = 0; k < 4; k++)
			if (pthread_create(&t[k], NULL, thread_main, NULL) != 0)
				return 1;
		for (int k = 0; k < 4; k++)
			pthread_join(t[k], NULL);
		return 0;
	}
	if (strcmp(w, "vfork") == 0) {
		pid_t pid = vfork();

		if (pid == 0) {
			struct itimerval it;

			(void)syscall(SYS_getitimer, ITIMER_REAL, &it);
			_exit(0);
		}
		return wait_child(pid);
	}
	if (strcmp(w, "shortchild") == 0) {
		pid_t pid = fork();

		if (pid == 0) {
			struct sysinfo si;

			(void)syscall(SYS_sysinfo, &si);
			syscall(SYS_exit_group, 0);
		}
		return wait_child(pid);
	}
	if (strcmp(w, "chain") == 0 && i + 1 < argc) {
		pid_t pid = fork();

		if (pid == 0) {
			execl(argv[i + 1], argv[i + 1], "leaf", (char *)NULL);
			_exit(127);
		}
		return wait_child(pid);
	}
	if (strcmp(w, "leaf") == 0) {
		struct tms t;

		(void)syscall(SYS_times, &t);
		return 0;
	}
	if (strcmp(w, "i386") == 0) {
		static const long none[6];
		long um[6] = { 022 };

		(void)cf_int80(64, none);
		(void)cf_int80(60, um);
		return 0;
	}
	if (strcmp(w, "x32") == 0) {
		(void)syscall(0x40000000 | SYS_getuid);
		return 0;
	}
	if (strcmp(w, "chown") == 0 && i + 1 < argc)
		return chown(argv[i + 1], 65534, 65534) == 0 ? 0 : 1;
	if (strcmp(w, "args") == 0) {
		for (int k = 0; k < 2; k++) {
			int a = socket(AF_UNIX, SOCK_STREAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);

			(void)personality(0xffffffff);
			if (a >= 0)
				close(a);
			if (b >= 0)
				close(b);
		}
		return 0;
	}
	if (strcmp(w, "failing") == 0) {
		(void)syscall(SYS_clone3, NULL, 0);
		return 0;
	}
	if (strcmp(w, "unique") == 0) {
		(void)flock(-1, 0);
		return 0;
	}
	if (strcmp(w, "loop") == 0 && i + 1 < argc) {
		long n = atol(argv[i + 1]);

		for (long k = 0; k < n; k++)
			(void)syscall(SYS_getppid);
		return 0;
	}
	if (strcmp(w, "exits") == 0 && i + 1 < argc)
		return exits(atol(argv[i + 1]));
	fprintf(stderr, "rec-workload: unknown workload %s\n", w);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: rec-workload WORKLOAD [ARG]\n");
		return 2;
	}
	return run(argc, argv, 1);
}
