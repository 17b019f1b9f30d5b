/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cf-probe SPEC...: try syscalls with harmless invalid arguments and print one line per SPEC,
 * "<SPEC> ok" or "<SPEC> errno=<NAME>", so that "denied by the filter" (the profile's errno or
 * SIGSYS) is told apart from "ran in the kernel" (EFAULT, EBADF, EINVAL...).
 *
 * SPEC:
 *   NAME                 a known syscall with its harmless default arguments (table below)
 *   NAME:A0,A1,...       explicit arguments (decimal, 0x hex, negative); clone keeps
 *                        CLONE_SIGHAND without CLONE_VM so the kernel always refuses it (EINVAL)
 *   nr:N[:A0,...]        a raw syscall number
 *   @i386:SPEC           the i386 number through int 0x80 (x86_64 only; see cf-int80.h)
 *   @x32:SPEC            the x86_64 number with the x32 bit (0x40000000)
 *   @thread:SPEC         in a second thread; "<SPEC> thread-killed" when only that thread died
 *   trap                 install a SIGSYS handler: a TRAP then prints
 *                        "<SPEC> sigsys syscall=N arch=0x... data=D" instead of dying
 *   status               the Seccomp, NoNewPrivs and Cap* lines of /proc/self/status
 *   id                   "id uid=U gid=G groups=G1,G2"
 *   env:NAME             "env:NAME=value" or "env:NAME unset"
 *   fds                  open fds: "fds 0,1,2"
 *   thread               pthread_create + join: "thread ok" or "thread errno=..."
 *   x32                  "x32 supported" / "x32 unsupported" (run it without a filter)
 *   sleep:SECONDS        sleep (signal forwarding tests); prints "sleep done"
 *   exit:N / kill:SIG    exit with N / raise SIG (exit status tests)
 * Exit status 0, or 2 for a bad SPEC.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/syscall.h>

#include "cf-int80.h"

#define X32_BIT 0x40000000L

struct known {
	const char *name;
	long nr; /* x86_64 (or native) number */
	long nr_32; /* i386 number, -1 when none */
	long args[6];
};

/* Arguments chosen so the kernel refuses the call before doing anything (and before any
 * capability check where one would also return EPERM). */
static const struct known known[] = {
	{ "getpid", SYS_getpid, 20, { 0 } },
	{ "getppid", SYS_getppid, 64, { 0 } },
	{ "getuid", SYS_getuid, 199, { 0 } },
	{ "uname", SYS_uname, 122, { 0 } }, /* NULL: EFAULT */
	{ "write", SYS_write, 4, { -1, 0, 0 } },
	{ "close", SYS_close, 6, { -1 } },
	{ "kill", SYS_kill, 37, { 0x7fffffff, 0 } }, /* no such pid: ESRCH */
	{ "mkdir", SYS_mkdir, 39, { 0, 0755 } },
	{ "mkdirat", SYS_mkdirat, 296, { -100, 0, 0755 } },
	{ "chown", SYS_chown, 182, { 0, -1, -1 } },
	{ "chown32", -1, 212, { 0, -1, -1 } },
	{ "fchown", SYS_fchown, 95, { -1, -1, -1 } },
	{ "chroot", SYS_chroot, 61, { 0 } },
	{ "chdir", SYS_chdir, 12, { 0 } },
	{ "ptrace", SYS_ptrace, 26, { 2 /* PEEKDATA */, 0, 0, 0 } }, /* pid 0: ESRCH */
	{ "personality", SYS_personality, 136, { 0xffffffffL } }, /* query only */
	{ "mbind", SYS_mbind, 274, { 0, 0, 999, 0, 0, 0 } }, /* bad mode: EINVAL */
	{ "get_mempolicy", SYS_get_mempolicy, 275, { 0, 0, 0, 0, -1 } },
	{ "set_mempolicy", SYS_set_mempolicy, 276, { 999, 0, 0 } },
	{ "socket", SYS_socket, 359, { 2 /* AF_INET */, 2 /* SOCK_DGRAM */, 0 } },
	{ "socketcall", -1, 102, { 0, 0 } }, /* call 0: EINVAL */
	{ "clone", SYS_clone, 120, { 0 } },
	{ "clone3", SYS_clone3, 435, { 0, 0 } }, /* size 0: EINVAL */
	{ "unshare", SYS_unshare, 310, { -1 } },
	{ "setns", SYS_setns, 346, { -1, 0 } },
	{ "mount", SYS_mount, 21, { 0, 0, 0, 0, 0 } },
	{ "umount2", SYS_umount2, 52, { 0, 0x100 } }, /* bad flags: EINVAL */
	{ "io_uring_setup", SYS_io_uring_setup, 425, { 0, 0 } }, /* 0 entries: EINVAL */
	{ "keyctl", SYS_keyctl, 288, { -1 } },
	{ "userfaultfd", SYS_userfaultfd, 374, { -1 } },
	{ "kcmp", SYS_kcmp, 349, { 0x7fffffff, 0x7fffffff, 0 } },
	{ "process_vm_readv", SYS_process_vm_readv, 347, { 0, 0, 0, 0, 0, 1 } },
	{ "iopl", SYS_iopl, 110, { 99 } },
	{ "ioperm", SYS_ioperm, 101, { 0, 0, 0 } },
	{ "clock_settime", SYS_clock_settime, 264, { -1, 0 } },
	{ "bpf", SYS_bpf, 357, { -1, 0, 0 } },
	{ "perf_event_open", SYS_perf_event_open, 336, { 0, 0, -1, -1, 0 } },
	{ "capset", SYS_capset, 185, { 0, 0 } },
	{ "capget", SYS_capget, 184, { 0, 0 } },
	{ "prctl", SYS_prctl, 172, { -1 } },
	{ "setuid", SYS_setuid, 213, { -1 } },
	{ "setgroups", SYS_setgroups, 206, { -1, 0 } },
	{ "ioctl", SYS_ioctl, 54, { -1, 0, 0 } },
	{ "quotactl", SYS_quotactl, 131, { 0, 0, 0, 0 } },
	{ "getcwd", SYS_getcwd, 183, { 0, 0 } },
	{ "syslog", SYS_syslog, 103, { -1, 0, 0 } },
	{ "add_key", SYS_add_key, 286, { 0, 0, 0, 0, 0 } },
	{ "settimeofday", SYS_settimeofday, 79, { 0, 0 } }, /* NULL, NULL: a no-op */
};

static volatile sig_atomic_t sigsys_hit;
static volatile long sigsys_syscall, sigsys_data;
static volatile unsigned long sigsys_arch;

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* One write per line, unbuffered: lines before a SIGSYS death are not lost. */
	(void)!write(1, buf, (size_t)n);
}

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	sigsys_hit = 1;
	sigsys_syscall = si->si_syscall;
	sigsys_arch = si->si_arch;
	sigsys_data = si->si_errno;
}

static const char *errname(int e, char *buf, size_t size)
{
	const char *n = strerrorname_np(e);

	if (n)
		return n;
	snprintf(buf, size, "%d", e);
	return buf;
}

static const struct known *lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].name) == len && memcmp(known[i].name, name, len) == 0)
			return &known[i];
	return NULL;
}

static bool parse_args(const char *s, long args[6])
{
	for (int i = 0; i < 6 && *s; i++) {
		char *end;

		errno = 0;
		args[i] = (long)strtoull(s, &end, 0);
		if (*s == '-')
			args[i] = strtol(s, &end, 0);
		if (errno || end == s || (*end && *end != ','))
			return false;
		s = *end ? end + 1 : end;
	}
	return *s == '\0';
}

enum abi {
	ABI_NATIVE,
	ABI_I386,
	ABI_X32
};

static int do_syscall(const char *label, const char *spec, enum abi abi)
{
	const char *colon = strchr(spec, ':');
	size_t nlen = colon ? (size_t)(colon - spec) : strlen(spec);
	long args[6] = { 0 }, nr, ret = -1;
	const struct known *k = NULL;
	bool is_clone = false, is_socket = false, is_pers = false;
	char eb[16];
	int err;

	if (nlen == 2 && memcmp(spec, "nr", 2) == 0) {
		char *end;

		if (!colon)
			return -1;
		nr = strtol(colon + 1, &end, 0);
		if (end == colon + 1 || (*end && *end != ':'))
			return -1;
		if (*end && !parse_args(end + 1, args))
			return -1;
	} else {
		k = lookup(spec, nlen);
		if (!k)
			return -1;
		memcpy(args, k->args, sizeof(args));
		if (colon && !parse_args(colon + 1, args))
			return -1;
		nr = abi == ABI_I386 ? k->nr_32 : k->nr;
		if (nr < 0) {
			out("%s skip=no-such-syscall-on-this-abi", label);
			return 0;
		}
		is_clone = strcmp(k->name, "clone") == 0;
		is_socket = strcmp(k->name, "socket") == 0;
		is_pers = strcmp(k->name, "personality") == 0;
	}
	if (is_clone) /* CLONE_SIGHAND without CLONE_VM: the kernel refuses it, EINVAL */
		args[0] = (args[0] | 0x800) & ~0x100L;

	sigsys_hit = 0;
	errno = 0;
	switch (abi) {
	case ABI_I386:
#if defined(__x86_64__)
		ret = cf_int80(nr, args);
		if (ret < 0 && ret > -4096) {
			errno = (int)-ret;
			ret = -1;
		}
#else
		out("%s skip=no-int80", label);
		return 0;
#endif
		break;
	case ABI_X32:
		ret = syscall(nr | X32_BIT, args[0], args[1], args[2], args[3], args[4], args[5]);
		break;
	case ABI_NATIVE:
		ret = syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
		break;
	}
	err = errno;
	if (sigsys_hit) {
		out("%s sigsys syscall=%ld arch=0x%lx data=%ld", label, sigsys_syscall, sigsys_arch,
		    sigsys_data);
		return 0;
	}
	if (ret < 0) {
		out("%s errno=%s", label, errname(err, eb, sizeof(eb)));
		return 0;
	}
	if (is_socket)
		close((int)ret);
	if (is_pers && (unsigned long)args[0] != 0xffffffffUL)
		(void)syscall(SYS_personality, ret); /* put the old persona back */
	out("%s ok", label);
	return 0;
}

static void show_status(void)
{
	static const char *keys[] = { "Seccomp:", "Seccomp_filters:", "NoNewPrivs:", "CapInh:",
				      "CapPrm:",  "CapEff:",	      "CapBnd:",     "CapAmb:" };
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f) {
		out("status errno=%s", strerrorname_np(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t kl = strlen(keys[i]);
			char *v;

			if (strncmp(line, keys[i], kl) != 0)
				continue;
			v = line + kl;
			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			out("status %.*s=%s", (int)kl - 1, keys[i], v);
		}
	}
	fclose(f);
}

static void show_id(void)
{
	gid_t g[256];
	char buf[2048];
	int n = getgroups(256, g);
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && off < sizeof(buf) - 16; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%u", i ? "," : "",
					(unsigned)g[i]);
	out("id uid=%u gid=%u groups=%s", (unsigned)getuid(), (unsigned)getgid(), buf);
}

static void show_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	char buf[2048];
	size_t off = 0;
	struct dirent *e;

	if (!d) {
		out("fds errno=%s", strerrorname_np(errno));
		return;
	}
	buf[0] = '\0';
	while ((e = readdir(d)) && off < sizeof(buf) - 16) {
		int fd;

		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		if (fd == dirfd(d))
			continue;
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%d", off ? "," : "", fd);
	}
	closedir(d);
	out("fds %s", buf);
}

static void *thread_noop(void *arg)
{
	return arg;
}

struct thread_job {
	const char *label, *spec;
	enum abi abi;
	volatile int returned;
};

static void *thread_spec(void *arg)
{
	struct thread_job *j = arg;

	(void)do_syscall(j->label, j->spec, j->abi);
	j->returned = 1;
	return NULL;
}

static int run_spec(const char *spec);

static int run_in_thread(const char *label, const char *spec)
{
	struct thread_job j = { .label = label, .spec = spec, .abi = ABI_NATIVE };
	pthread_t t;
	int r;

	if (strncmp(spec, "@i386:", 6) == 0) {
		j.abi = ABI_I386;
		j.spec = spec + 6;
	} else if (strncmp(spec, "@x32:", 5) == 0) {
		j.abi = ABI_X32;
		j.spec = spec + 5;
	}
	r = pthread_create(&t, NULL, thread_spec, &j);
	if (r) {
		out("%s thread-errno=%s", label, strerrorname_np(r));
		return 0;
	}
	pthread_join(t, NULL);
	if (!j.returned)
		out("%s thread-killed", label);
	return 0;
}

static int run_spec(const char *spec)
{
	if (strcmp(spec, "status") == 0) {
		show_status();
		return 0;
	}
	if (strcmp(spec, "id") == 0) {
		show_id();
		return 0;
	}
	if (strcmp(spec, "fds") == 0) {
		show_fds();
		return 0;
	}
	if (strncmp(spec, "env:", 4) == 0) {
		const char *v = getenv(spec + 4);

		if (v)
			out("%s=%s", spec, v);
		else
			out("%s unset", spec);
		return 0;
	}
	if (strcmp(spec, "trap") == 0) {
		struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };

		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSYS, &sa, NULL) < 0)
			out("trap errno=%s", strerrorname_np(errno));
		else
			out("trap installed");
		return 0;
	}
	if (strcmp(spec, "thread") == 0) {
		pthread_t t;
		int r = pthread_create(&t, NULL, thread_noop, NULL);

		if (r) {
			out("thread errno=%s", strerrorname_np(r));
			return 0;
		}
		pthread_join(t, NULL);
		out("thread ok");
		return 0;
	}
	if (strcmp(spec, "x32") == 0) {
		long r = syscall(SYS_getpid | X32_BIT);

		out("x32 %s", r >= 0 ? "supported" : "unsupported");
		return 0;
	}
	if (strncmp(spec, "sleep:", 6) == 0) {
		sleep((unsigned)atoi(spec + 6));
		out("sleep done");
		return 0;
	}
	if (strncmp(spec, "exit:", 5) == 0)
		exit(atoi(spec + 5));
	if (strncmp(spec, "kill:", 5) == 0) {
		raise(atoi(spec + 5));
		out("kill survived");
		return 0;
	}
	if (strncmp(spec, "@thread:", 8) == 0)
		return run_in_thread(spec, spec + 8);
	if (strncmp(spec, "@i386:", 6) == 0)
		return do_syscall(spec, spec + 6, ABI_I386);
	if (strncmp(spec, "@x32:", 5) == 0)
		return do_syscall(spec, spec + 5, ABI_X32);
	return do_syscall(spec, spec, ABI_NATIVE);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (run_spec(argv[i]) < 0) {
			fprintf(stderr, "cf-probe: bad spec \"%s\"\n", argv[i]);
			return 2;
		}
	}
	return 0;
}
