/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The smallest container command: writev(1, "started\n") and exit(0), nothing else (no libc, no
 * startup code). Its needs under a whitelist are exactly writev and exit, so a profile built for
 * the runtime tests holds the runtime's own calls and nothing that could hide a missing one
 * (writev is in no runtime's list; write is).
 */
#include <stddef.h>

#include <sys/syscall.h>
#include <sys/uio.h>

static const char msg[] = "started\n";

__attribute__((noreturn)) void _start(void);

static long raw3(long nr, long a, long b, long c)
{
	long ret;
#if defined(__x86_64__)
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	ret = x0;
#else
#error "cf-started: x86_64 and aarch64 only"
#endif
	return ret;
}

void _start(void)
{
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = sizeof(msg) - 1 };

	raw3(SYS_writev, 1, (long)&iov, 1);
	for (;;)
		raw3(SYS_exit, 0, 0, 0);
}
