/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test helper for run --explain: makes the calls named on the command line and prints what it
 * got, so a test can compare a run with and without --explain.
 *   NAME[:ARG...]   raw syscall (names below), args as numbers (strtoull base 0, a leading
 *                   '-' negated), or @TEXT: a pointer to the string TEXT
 *   thread:CALL     the call in a new thread (joined)
 *   fork:CALL       the call in a child process (waited; its pid printed)
 *   trap            install a SIGSYS handler that prints si_syscall and goes on
 *   int80:NR[:ARG...]  an i386 syscall via int $0x80 (x86_64 only)
 *   mkdirp:PATH     mkdir(PATH, 0755)
 *   exit:N          exit with N now
 * Output, one line per call: "[pid P tid T] NAME = RET errno=E".
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/syscall.h>
#include <sys/wait.h>

#include "cf-int80.h"

struct sc {
	const char *name;
	long nr;
};

static const struct sc scs[] = {
	{ "mbind", SYS_mbind },
	{ "mkdir", SYS_mkdir },
	{ "socket", SYS_socket },
	{ "personality", SYS_personality },
	{ "getppid", SYS_getppid },
	{ "getpgrp", SYS_getpgrp },
	{ "getsid", SYS_getsid },
	{ "getpid", SYS_getpid },
	{ "unshare", SYS_unshare },
	{ "set_mempolicy", SYS_set_mempolicy },
	{ "syslog", SYS_syslog },
	{ "uname", SYS_uname },
	{ "getpriority", SYS_getpriority },
	{ "setpriority", SYS_setpriority },
	{ "fchownat", SYS_fchownat },
	{ "clone", SYS_clone },
};

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char buf[128];
	int n;

	(void)sig;
	(void)uc;
	n = snprintf(buf, sizeof(buf), "SIGSYS syscall=%d code=%d\n", si->si_syscall, si->si_code);
	if (n > 0)
		(void)!write(1, buf, (size_t)n);
}

static void do_call(const char *spec)
{
	char copy[256], *save = NULL, *tok;
	long nr = -1, args[6] = { 0 };
	const char *name;
	int n = 0;

	snprintf(copy, sizeof(copy), "%s", spec);
	name = strtok_r(copy, ":", &save);
	for (size_t i = 0; name && i < sizeof(scs) / sizeof(scs[0]); i++)
		if (strcmp(scs[i].name, name) == 0)
			nr = scs[i].nr;
	if (nr < 0) {
		fprintf(stderr, "explain-probe: unknown call %s\n", spec);
		exit(2);
	}
	while ((tok = strtok_r(NULL, ":", &save)) && n < 6) {
		if (tok[0] == '@')
			args[n++] = (long)(uintptr_t)(tok + 1); /* lives in copy[] until the call */
		else if (tok[0] == '-')
			args[n++] = -(long)strtoull(tok + 1, NULL, 0);
		else
			args[n++] = (long)strtoull(tok, NULL, 0);
	}
	errno = 0;
	long r = syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
	if (nr == SYS_clone && r == 0)
		_exit(0); /* an allowed raw clone: the child goes no further */
	printf("[pid %d tid %ld] %s = %ld errno=%d\n", (int)getpid(), (long)syscall(SYS_gettid),
	       name, r, r < 0 ? errno : 0);
	fflush(stdout);
}

#if defined(__x86_64__)
/* An i386 syscall from this 64-bit process (seccomp sees AUDIT_ARCH_I386). */
static void do_int80(const char *spec)
{
	long a[6] = { 0 }, nr, ret;
	char *end;
	int n = 0;

	nr = strtol(spec, &end, 0);
	while (*end == ':' && n < 6)
		a[n++] = strtol(end + 1, &end, 0);
	ret = cf_int80(nr, a);
	printf("[pid %d tid %ld] int80:%ld = %ld\n", (int)getpid(), (long)syscall(SYS_gettid), nr,
	       ret);
	fflush(stdout);
}
#endif

static void *thread_main(void *arg)
{
	do_call(arg);
	return NULL;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "trap") == 0) {
			struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };

			sigaction(SIGSYS, &sa, NULL);
		} else if (strncmp(a, "mkdirp:", 7) == 0) {
			errno = 0;
			long r = syscall(SYS_mkdir, a + 7, 0755);

			printf("[pid %d tid %ld] mkdir = %ld errno=%d\n", (int)getpid(),
			       (long)syscall(SYS_gettid), r, r < 0 ? errno : 0);
		} else if (strncmp(a, "exit:", 5) == 0) {
			exit((int)strtol(a + 5, NULL, 10));
#if defined(__x86_64__)
		} else if (strncmp(a, "int80:", 6) == 0) {
			do_int80(a + 6);
#endif
		} else if (strncmp(a, "thread:", 7) == 0) {
			pthread_t t;

			if (pthread_create(&t, NULL, thread_main, (void *)(a + 7)) != 0)
				return 2;
			pthread_join(t, NULL);
		} else if (strncmp(a, "fork:", 5) == 0) {
			pid_t p = fork();
			int st;

			if (p == 0) {
				do_call(a + 5);
				_exit(0);
			}
			waitpid(p, &st, 0);
			printf("child %d status %d\n", (int)p, st);
		} else {
			do_call(a);
		}
	}
	return 0;
}
