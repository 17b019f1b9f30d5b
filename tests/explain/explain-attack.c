/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The two ways around the old `run --explain` (issue 9, 1.3), as a program to run under it.
 * Each makes unshare(CLONE_NEWUSER), keyctl(KEYCTL_GET_KEYRING_ID) and
 * personality(READ_IMPLIES_EXEC), which the builtin profile denies with EPERM, and prints
 * "NAME errno=E" (0: the call ran). Modes:
 *   untraced   the calls in a clone(CLONE_UNTRACED) child that its parent traces with
 *              PTRACE_O_TRACESECCOMP, continuing every seccomp stop (a TRACE verdict the
 *              tracer lets through runs the call)
 *   notify     the program installs its own SECCOMP_RET_USER_NOTIF filter on those calls and a
 *              thread answers every notification with SECCOMP_USER_NOTIF_FLAG_CONTINUE
 *              (USER_NOTIF outranks TRACE)
 *   ownerrno   the program's own filter fails getppid (allowed by the profile) with errno 42:
 *              a denial that is not the profile's
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define CLONE_NEWUSER_		  0x10000000
#define KEYCTL_GET_KEYRING_ID_	  0
#define KEY_SPEC_SESSION_KEYRING_ (-3)
#define READ_IMPLIES_EXEC_	  0x0400000

static void report(const char *name, long r)
{
	printf("%s errno=%d\n", name, r < 0 ? errno : 0);
	fflush(stdout);
}

static void the_calls(void)
{
	report("unshare", syscall(SYS_unshare, CLONE_NEWUSER_));
	report("keyctl", syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID_, KEY_SPEC_SESSION_KEYRING_, 0));
	report("personality", syscall(SYS_personality, READ_IMPLIES_EXEC_) < 0 ? -1 : 0);
}

static int untraced(void)
{
	pid_t pid;
	int st;

	/* raw clone: glibc's fork() would not take CLONE_UNTRACED */
	pid = (pid_t)syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0) {
		perror("clone");
		return 1;
	}
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0) {
			perror("PTRACE_TRACEME");
			_exit(1);
		}
		raise(SIGSTOP);
		the_calls();
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
		return 1;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)(long)PTRACE_O_TRACESECCOMP) < 0) {
		perror("PTRACE_SETOPTIONS");
		return 1;
	}
	(void)ptrace(PTRACE_CONT, pid, 0, 0);
	for (;;) {
		if (waitpid(pid, &st, 0) != pid)
			return 1;
		if (WIFEXITED(st))
			return WEXITSTATUS(st);
		if (WIFSIGNALED(st))
			return 128 + WTERMSIG(st);
		/* a seccomp stop: let the call run; any other stop: deliver its signal */
		(void)ptrace(PTRACE_CONT, pid, 0,
			     (void *)(long)((st >> 16) == PTRACE_EVENT_SECCOMP ? 0 : WSTOPSIG(st)));
	}
}

static void *answer(void *arg)
{
	int fd = *(int *)arg;

	for (;;) {
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;

		memset(&req, 0, sizeof(req));
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		(void)ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

static int install(const struct sock_filter *f, unsigned short len, unsigned flags)
{
	struct sock_fprog prog = { .len = len, .filter = (struct sock_filter *)f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		perror("PR_SET_NO_NEW_PRIVS");
		return -1;
	}
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

#define NR_IS(nr, ret) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, (ret))

static int notify(void)
{
	static const struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		NR_IS(SYS_unshare, SECCOMP_RET_USER_NOTIF),
		NR_IS(SYS_keyctl, SECCOMP_RET_USER_NOTIF),
		NR_IS(SYS_personality, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	pthread_t t;
	int fd = install(f, sizeof(f) / sizeof(f[0]), SECCOMP_FILTER_FLAG_NEW_LISTENER);

	if (fd < 0) {
		perror("seccomp NEW_LISTENER");
		return 1;
	}
	if (pthread_create(&t, NULL, answer, &fd) != 0)
		return 1;
	the_calls();
	return 0;
}

static int ownerrno(void)
{
	static const struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		NR_IS(SYS_getppid, SECCOMP_RET_ERRNO | 42),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	if (install(f, sizeof(f) / sizeof(f[0]), 0) < 0) {
		perror("seccomp");
		return 1;
	}
	report("getppid", syscall(SYS_getppid));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: explain-attack untraced|notify|ownerrno\n");
		return 2;
	}
	if (strcmp(argv[1], "untraced") == 0)
		return untraced();
	if (strcmp(argv[1], "notify") == 0)
		return notify();
	if (strcmp(argv[1], "ownerrno") == 0)
		return ownerrno();
	return 2;
}
