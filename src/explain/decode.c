/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Syscall arguments for humans: parse "AF_ALG", "CLONE_NEWUSER|CLONE_NEWNS", "0x8" on the
 * command line, and print live calls as "socket(AF_ALG, SOCK_SEQPACKET, 0)". Only the calls
 * people meet in seccomp denials are described; everything else prints in hex.
 * Values are the kernel's UAPI constants (include/uapi/linux/{socket,sched,personality,
 * mempolicy,prctl}.h, include/linux/syslog.h), re-typed here so the tool needs no headers of
 * the target system.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain/explain.h"
#include "explain/nargs.h"

/* Kinds of argument, one letter each in the per-syscall signature strings below. */
enum arg_kind {
	K_HEX = 'x', /* unsigned, hex */
	K_INT = 'd', /* signed decimal */
	K_FD = 'f', /* file descriptor (AT_FDCWD named) */
	K_PTR = 'p', /* pointer */
	K_PATH = 'P', /* pointer to a path (read live when possible) */
	K_MODE = 'o', /* octal mode */
	K_AF = 'A', /* address family */
	K_SOCK = 'S', /* socket type | flags */
	K_CLONE = 'C', /* clone/unshare/setns flags */
	K_PER = 'N', /* personality */
	K_MPOL = 'M', /* mempolicy mode */
	K_MPOL_MF = 'm', /* mbind flags */
	K_PRCTL = 'R', /* prctl option */
	K_SYSLOG = 'L', /* syslog action */
	K_OPEN = 'O', /* open flags */
	K_SIGNAL = 's', /* signal number */
	K_ID = 'u', /* uid_t/gid_t: 32 bits, (uid_t)-1 means "unchanged" and prints -1 */
	K_ATFLAGS = 'a', /* AT_* flags of the *at calls */
};

struct sym {
	const char *name;
	uint64_t value;
};

struct sym_table {
	enum arg_kind kind;
	const struct sym *syms;
	size_t n;
	bool flags; /* OR of bits (a value may print as A|B) */
};

static const struct sym af_syms[] = {
	{ "AF_UNSPEC", 0 },	 { "AF_UNIX", 1 },	 { "AF_INET", 2 },
	{ "AF_AX25", 3 },	 { "AF_IPX", 4 },	 { "AF_APPLETALK", 5 },
	{ "AF_NETROM", 6 },	 { "AF_BRIDGE", 7 },	 { "AF_ATMPVC", 8 },
	{ "AF_X25", 9 },	 { "AF_INET6", 10 },	 { "AF_ROSE", 11 },
	{ "AF_DECnet", 12 },	 { "AF_NETBEUI", 13 },	 { "AF_SECURITY", 14 },
	{ "AF_KEY", 15 },	 { "AF_NETLINK", 16 },	 { "AF_PACKET", 17 },
	{ "AF_ASH", 18 },	 { "AF_ECONET", 19 },	 { "AF_ATMSVC", 20 },
	{ "AF_RDS", 21 },	 { "AF_SNA", 22 },	 { "AF_IRDA", 23 },
	{ "AF_PPPOX", 24 },	 { "AF_WANPIPE", 25 },	 { "AF_LLC", 26 },
	{ "AF_IB", 27 },	 { "AF_MPLS", 28 },	 { "AF_CAN", 29 },
	{ "AF_TIPC", 30 },	 { "AF_BLUETOOTH", 31 }, { "AF_IUCV", 32 },
	{ "AF_RXRPC", 33 },	 { "AF_ISDN", 34 },	 { "AF_PHONET", 35 },
	{ "AF_IEEE802154", 36 }, { "AF_CAIF", 37 },	 { "AF_ALG", 38 },
	{ "AF_NFC", 39 },	 { "AF_VSOCK", 40 },	 { "AF_KCM", 41 },
	{ "AF_QIPCRTR", 42 },	 { "AF_SMC", 43 },	 { "AF_XDP", 44 },
	{ "AF_MCTP", 45 },
};

static const struct sym sock_syms[] = {
	{ "SOCK_STREAM", 1 },  { "SOCK_DGRAM", 2 },	   { "SOCK_RAW", 3 },
	{ "SOCK_RDM", 4 },     { "SOCK_SEQPACKET", 5 },	   { "SOCK_DCCP", 6 },
	{ "SOCK_PACKET", 10 }, { "SOCK_NONBLOCK", 04000 }, { "SOCK_CLOEXEC", 02000000 },
};

static const struct sym clone_syms[] = {
	{ "CLONE_VM", 0x100 },
	{ "CLONE_FS", 0x200 },
	{ "CLONE_FILES", 0x400 },
	{ "CLONE_SIGHAND", 0x800 },
	{ "CLONE_PIDFD", 0x1000 },
	{ "CLONE_PTRACE", 0x2000 },
	{ "CLONE_VFORK", 0x4000 },
	{ "CLONE_PARENT", 0x8000 },
	{ "CLONE_THREAD", 0x10000 },
	{ "CLONE_NEWNS", 0x20000 },
	{ "CLONE_SYSVSEM", 0x40000 },
	{ "CLONE_SETTLS", 0x80000 },
	{ "CLONE_PARENT_SETTID", 0x100000 },
	{ "CLONE_CHILD_CLEARTID", 0x200000 },
	{ "CLONE_DETACHED", 0x400000 },
	{ "CLONE_UNTRACED", 0x800000 },
	{ "CLONE_CHILD_SETTID", 0x1000000 },
	{ "CLONE_NEWCGROUP", 0x2000000 },
	{ "CLONE_NEWUTS", 0x4000000 },
	{ "CLONE_NEWIPC", 0x8000000 },
	{ "CLONE_NEWUSER", 0x10000000 },
	{ "CLONE_NEWPID", 0x20000000 },
	{ "CLONE_NEWNET", 0x40000000 },
	{ "CLONE_IO", 0x80000000 },
	/* the exit signal sits in the low byte of clone's flags */
	{ "SIGCHLD", 17 },
};

static const struct sym per_syms[] = {
	/* whole values first: they print before the flag decomposition is tried */
	{ "PER_LINUX", 0x0 },
	{ "PER_LINUX32", 0x8 },
	{ "PER_LINUX_32BIT", 0x800000 },
	{ "PER_LINUX32_3GB", 0x8000008 },
	{ "PER_LINUX_FDPIC", 0x80000 },
	{ "PER_SVR4", 0x4100001 },
	{ "PER_SVR3", 0x5000002 },
	{ "PER_BSD", 0x6 },
	{ "PER_SUNOS", 0x6000006 },
	{ "PER_QUERY", 0xffffffff },
	{ "UNAME26", 0x20000 },
	{ "ADDR_NO_RANDOMIZE", 0x40000 },
	{ "FDPIC_FUNCPTRS", 0x80000 },
	{ "MMAP_PAGE_ZERO", 0x100000 },
	{ "ADDR_COMPAT_LAYOUT", 0x200000 },
	{ "READ_IMPLIES_EXEC", 0x400000 },
	{ "ADDR_LIMIT_32BIT", 0x800000 },
	{ "SHORT_INODE", 0x1000000 },
	{ "WHOLE_SECONDS", 0x2000000 },
	{ "STICKY_TIMEOUTS", 0x4000000 },
	{ "ADDR_LIMIT_3GB", 0x8000000 },
};

static const struct sym mpol_syms[] = {
	{ "MPOL_DEFAULT", 0 },
	{ "MPOL_PREFERRED", 1 },
	{ "MPOL_BIND", 2 },
	{ "MPOL_INTERLEAVE", 3 },
	{ "MPOL_LOCAL", 4 },
	{ "MPOL_PREFERRED_MANY", 5 },
	{ "MPOL_WEIGHTED_INTERLEAVE", 6 },
};

static const struct sym mpol_mf_syms[] = {
	{ "MPOL_MF_STRICT", 1 },
	{ "MPOL_MF_MOVE", 2 },
	{ "MPOL_MF_MOVE_ALL", 4 },
};

static const struct sym prctl_syms[] = {
	{ "PR_SET_PDEATHSIG", 1 },
	{ "PR_GET_PDEATHSIG", 2 },
	{ "PR_GET_DUMPABLE", 3 },
	{ "PR_SET_DUMPABLE", 4 },
	{ "PR_GET_KEEPCAPS", 7 },
	{ "PR_SET_KEEPCAPS", 8 },
	{ "PR_SET_NAME", 15 },
	{ "PR_GET_NAME", 16 },
	{ "PR_GET_SECCOMP", 21 },
	{ "PR_SET_SECCOMP", 22 },
	{ "PR_CAPBSET_READ", 23 },
	{ "PR_CAPBSET_DROP", 24 },
	{ "PR_SET_SECUREBITS", 28 },
	{ "PR_SET_MM", 35 },
	{ "PR_SET_CHILD_SUBREAPER", 36 },
	{ "PR_SET_NO_NEW_PRIVS", 38 },
	{ "PR_GET_NO_NEW_PRIVS", 39 },
	{ "PR_SET_THP_DISABLE", 41 },
	{ "PR_CAP_AMBIENT", 47 },
	{ "PR_SET_VMA", 0x53564d41 },
};

static const struct sym syslog_syms[] = {
	{ "SYSLOG_ACTION_CLOSE", 0 },	      { "SYSLOG_ACTION_OPEN", 1 },
	{ "SYSLOG_ACTION_READ", 2 },	      { "SYSLOG_ACTION_READ_ALL", 3 },
	{ "SYSLOG_ACTION_READ_CLEAR", 4 },    { "SYSLOG_ACTION_CLEAR", 5 },
	{ "SYSLOG_ACTION_CONSOLE_OFF", 6 },   { "SYSLOG_ACTION_CONSOLE_ON", 7 },
	{ "SYSLOG_ACTION_CONSOLE_LEVEL", 8 }, { "SYSLOG_ACTION_SIZE_UNREAD", 9 },
	{ "SYSLOG_ACTION_SIZE_BUFFER", 10 },
};

static const struct sym open_syms[] = {
	{ "O_WRONLY", 01 },	   { "O_RDWR", 02 },	       { "O_CREAT", 0100 },
	{ "O_EXCL", 0200 },	   { "O_NOCTTY", 0400 },       { "O_TRUNC", 01000 },
	{ "O_APPEND", 02000 },	   { "O_NONBLOCK", 04000 },    { "O_DSYNC", 010000 },
	{ "O_DIRECT", 040000 },	   { "O_LARGEFILE", 0100000 }, { "O_DIRECTORY", 0200000 },
	{ "O_NOFOLLOW", 0400000 }, { "O_NOATIME", 01000000 },  { "O_CLOEXEC", 02000000 },
	{ "O_PATH", 010000000 },   { "O_TMPFILE", 020200000 }, { "O_RDONLY", 0 },
};

static const struct sym signal_syms[] = {
	{ "SIGHUP", 1 },   { "SIGINT", 2 },   { "SIGQUIT", 3 },	 { "SIGILL", 4 },
	{ "SIGTRAP", 5 },  { "SIGABRT", 6 },  { "SIGBUS", 7 },	 { "SIGFPE", 8 },
	{ "SIGKILL", 9 },  { "SIGUSR1", 10 }, { "SIGSEGV", 11 }, { "SIGUSR2", 12 },
	{ "SIGPIPE", 13 }, { "SIGALRM", 14 }, { "SIGTERM", 15 }, { "SIGCHLD", 17 },
	{ "SIGCONT", 18 }, { "SIGSTOP", 19 }, { "SIGTSTP", 20 }, { "SIGSYS", 31 },
};

static const struct sym at_syms[] = {
	/* include/uapi/linux/fcntl.h */
	{ "AT_SYMLINK_NOFOLLOW", 0x100 }, { "AT_REMOVEDIR", 0x200 },
	{ "AT_SYMLINK_FOLLOW", 0x400 },	  { "AT_NO_AUTOMOUNT", 0x800 },
	{ "AT_EMPTY_PATH", 0x1000 },	  { "AT_RECURSIVE", 0x8000 },
};

static const struct sym misc_syms[] = {
	{ "AT_FDCWD", (uint64_t)-100 },
};

#define TABLE(k, a, f)                 \
	{                              \
		k, a, ARRAY_SIZE(a), f \
	}
static const struct sym_table tables[] = {
	TABLE(K_AF, af_syms, false),	   TABLE(K_SOCK, sock_syms, true),
	TABLE(K_CLONE, clone_syms, true),  TABLE(K_PER, per_syms, true),
	TABLE(K_MPOL, mpol_syms, false),   TABLE(K_MPOL_MF, mpol_mf_syms, true),
	TABLE(K_PRCTL, prctl_syms, false), TABLE(K_SYSLOG, syslog_syms, false),
	TABLE(K_OPEN, open_syms, true),	   TABLE(K_SIGNAL, signal_syms, false),
	TABLE(K_FD, misc_syms, false),	   TABLE(K_ATFLAGS, at_syms, true),
};

/* Signatures: one letter per argument (enum arg_kind). */
struct sig {
	const char *name;
	const char *args;
};

static const struct sig sigs[] = {
	{ "accept", "fpp" },
	{ "accept4", "fppx" },
	{ "access", "Po" },
	{ "acct", "P" },
	{ "add_key", "PPpdd" },
	{ "bind", "fpd" },
	{ "bpf", "dpd" },
	{ "chdir", "P" },
	{ "chmod", "Po" },
	{ "chown", "Puu" },
	{ "chroot", "P" },
	{ "clock_settime", "dp" },
	{ "clone", "Cpppx" },
	{ "clone3", "pd" },
	{ "close", "f" },
	{ "connect", "fpd" },
	{ "creat", "Po" },
	{ "delete_module", "Px" },
	{ "dup", "f" },
	{ "dup2", "ff" },
	{ "dup3", "ffO" },
	{ "execve", "Ppp" },
	{ "execveat", "fPppx" },
	{ "exit", "d" },
	{ "exit_group", "d" },
	{ "faccessat", "fPo" },
	{ "faccessat2", "fPox" },
	{ "fanotify_init", "xx" },
	{ "fchdir", "f" },
	{ "fchmod", "fo" },
	{ "fchmodat", "fPo" },
	{ "fchmodat2", "fPoa" },
	{ "fchown", "fuu" },
	{ "fchownat", "fPuua" },
	{ "fcntl", "fdx" },
	{ "finit_module", "fPx" },
	{ "fsconfig", "fdPpd" },
	{ "fsmount", "fxx" },
	{ "fsopen", "Px" },
	{ "fspick", "fPx" },
	{ "fstat", "fp" },
	{ "get_mempolicy", "ppxpx" },
	{ "getpgrp", "" },
	{ "getpid", "" },
	{ "getppid", "" },
	{ "getpriority", "dd" },
	{ "getsid", "d" },
	{ "gettid", "" },
	{ "init_module", "pxP" },
	{ "io_uring_enter", "fxxxpx" },
	{ "io_uring_register", "fxpx" },
	{ "io_uring_setup", "xp" },
	{ "ioctl", "fxp" },
	{ "ioperm", "xxd" },
	{ "iopl", "d" },
	{ "kcmp", "dddxx" },
	{ "keyctl", "dxxxx" },
	{ "kill", "ds" },
	{ "lchown", "Puu" },
	{ "link", "PP" },
	{ "linkat", "fPfPa" },
	{ "listen", "fd" },
	{ "lookup_dcookie", "xpx" },
	{ "lstat", "Pp" },
	{ "mbind", "pxMpxm" },
	{ "migrate_pages", "dxpp" },
	{ "mkdir", "Po" },
	{ "mkdirat", "fPo" },
	{ "mknod", "Pox" },
	{ "mknodat", "fPox" },
	{ "mmap", "pxxxfx" },
	{ "mount", "PPPxp" },
	{ "mount_setattr", "fPxpx" },
	{ "move_mount", "fPfPx" },
	{ "move_pages", "dxpppx" },
	{ "mprotect", "pxx" },
	{ "munmap", "px" },
	{ "newfstatat", "fPpa" },
	{ "open", "POo" },
	{ "open_by_handle_at", "fpO" },
	{ "open_tree", "fPx" },
	{ "openat", "fPOo" },
	{ "openat2", "fPpx" },
	{ "perf_event_open", "pddfx" },
	{ "personality", "N" },
	{ "pidfd_getfd", "ffx" },
	{ "pidfd_open", "dx" },
	{ "pipe2", "pO" },
	{ "pivot_root", "PP" },
	{ "prctl", "Rxxxx" },
	{ "process_madvise", "fpxdx" },
	{ "process_vm_readv", "dpxpxx" },
	{ "process_vm_writev", "dpxpxx" },
	{ "ptrace", "ddpp" },
	{ "quotactl", "xPdp" },
	{ "read", "fpx" },
	{ "readlink", "Ppx" },
	{ "reboot", "xxxp" },
	{ "rename", "PP" },
	{ "renameat", "fPfP" },
	{ "renameat2", "fPfPx" },
	{ "request_key", "PPPd" },
	{ "rmdir", "P" },
	{ "sched_setaffinity", "dxp" },
	{ "sched_setattr", "dpx" },
	{ "sched_setscheduler", "ddp" },
	{ "set_mempolicy", "Mpx" },
	{ "set_mempolicy_home_node", "pxxx" },
	{ "setdomainname", "pd" },
	{ "sethostname", "pd" },
	{ "setns", "fC" },
	{ "setpriority", "ddd" },
	{ "settimeofday", "pp" },
	{ "setuid", "u" },
	{ "setgid", "u" },
	{ "setresuid", "uuu" },
	{ "setresgid", "uuu" },
	{ "setreuid", "uu" },
	{ "setregid", "uu" },
	{ "socket", "ASd" },
	{ "socketpair", "ASdp" },
	{ "stat", "Pp" },
	{ "statx", "fPaxp" },
	{ "swapoff", "P" },
	{ "swapon", "Px" },
	{ "symlink", "PP" },
	{ "symlinkat", "PfP" },
	{ "syslog", "Lpd" },
	{ "tgkill", "dds" },
	{ "tkill", "ds" },
	{ "truncate", "Pd" },
	{ "umount", "P" },
	{ "umount2", "Px" },
	{ "uname", "p" },
	{ "unlink", "P" },
	{ "unlinkat", "fPa" },
	{ "unshare", "C" },
	{ "userfaultfd", "O" },
	{ "vhangup", "" },
	{ "write", "fpx" },
};

static const struct sig *sig_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		if (strcmp(sigs[i].name, name) == 0)
			return &sigs[i];
	return NULL;
}

static const struct sym_table *table_for(enum arg_kind k)
{
	for (size_t i = 0; i < ARRAY_SIZE(tables); i++)
		if (tables[i].kind == k)
			return &tables[i];
	return NULL;
}

static enum arg_kind kind_of(const char *syscall, unsigned index)
{
	const struct sig *s = sig_find(syscall);

	if (!s || index >= strlen(s->args))
		return K_HEX;
	return (enum arg_kind)s->args[index];
}

static int cmp_nargs(const void *key, const void *row)
{
	return strcmp(key, ((const struct cf_nargs_row *)row)->name);
}

int cf_explain_syscall_nargs_abi(enum cf_arch arch, const char *syscall)
{
	static const int order[3][CF_NARGS_N_ABIS] = {
		[CF_NARGS_X86_64] = { CF_NARGS_X86_64, CF_NARGS_I386, CF_NARGS_X32 },
		[CF_NARGS_X32] = { CF_NARGS_X32, CF_NARGS_X86_64, CF_NARGS_I386 },
		[CF_NARGS_I386] = { CF_NARGS_I386, CF_NARGS_X86_64, CF_NARGS_X32 },
	};
	const struct cf_nargs_row *row;
	const struct sig *s;
	int abi = arch == CF_ARCH_X86 ? CF_NARGS_I386 :
		  arch == CF_ARCH_X32 ? CF_NARGS_X32 :
					CF_NARGS_X86_64;

	if (!syscall)
		return -1;
	row = bsearch(syscall, cf_nargs_rows, cf_nargs_n_rows, sizeof(*row), cmp_nargs);
	/* the caller's ABI first (i386 mmap is old_mmap: one pointer), then any x86 ABI: the
	 * other architectures' calls of the same name take the same arguments */
	for (int i = 0; row && i < CF_NARGS_N_ABIS; i++)
		if (row->n[order[abi][i]] >= 0)
			return row->n[order[abi][i]];
	s = sig_find(syscall);
	return s ? (int)strlen(s->args) : -1;
}

int cf_explain_syscall_nargs(const char *syscall)
{
	return cf_explain_syscall_nargs_abi(CF_ARCH_X86_64, syscall);
}

unsigned cf_explain_arg_bits(enum cf_arch arch)
{
	const struct cf_arch_info *ai = arch_info(arch);

	/* libseccomp's comparison width: 32 bits on 32-bit ABIs and on x32 / MIPS n32 */
	if (arch == CF_ARCH_X32 || arch == CF_ARCH_MIPS64N32 || arch == CF_ARCH_MIPSEL64N32)
		return 32;
	return ai ? ai->bits : 64;
}

const char *cf_explain_arg_name(const char *syscall, unsigned index, uint64_t value)
{
	const struct sym_table *t = table_for(kind_of(syscall, index));

	if (!t)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (t->syms[i].value == value)
			return t->syms[i].name;
	return NULL;
}

static bool lookup_in(const struct sym_table *t, const char *name, size_t len, uint64_t *ret)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (strlen(t->syms[i].name) == len && strncmp(t->syms[i].name, name, len) == 0) {
			*ret = t->syms[i].value;
			return true;
		}
	return false;
}

static bool lookup_symbol(enum arg_kind preferred, const char *name, size_t len, uint64_t *ret)
{
	char alias[64];

	/* PF_* are the same numbers as AF_* */
	if (len > 3 && len < sizeof(alias) && strncmp(name, "PF_", 3) == 0) {
		snprintf(alias, sizeof(alias), "AF_%.*s", (int)(len - 3), name + 3);
		name = alias;
		len = strlen(alias);
	}
	if (lookup_in(table_for(preferred), name, len, ret))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(tables); i++)
		if (lookup_in(&tables[i], name, len, ret))
			return true;
	return false;
}

static bool parse_number(const char *s, size_t len, uint64_t *ret)
{
	char buf[32], *end;
	bool neg = false;
	uint64_t v;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] == '-') {
		neg = true;
		if (!isdigit((unsigned char)buf[1]))
			return false;
	} else if (!isdigit((unsigned char)buf[0])) {
		return false;
	}
	errno = 0;
	v = strtoull(buf + neg, &end, 0);
	if (errno || *end)
		return false;
	*ret = neg ? (uint64_t)(-(int64_t)v) : v;
	return true;
}

int cf_explain_parse_arg(const char *syscall, unsigned index, const char *text, uint64_t *ret,
			 struct cf_diag *reterr)
{
	enum arg_kind k = kind_of(syscall, index);
	uint64_t acc = 0;
	const char *p = text;

	if (!text || !*text)
		goto bad;
	for (;;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		uint64_t v;

		while (len && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (!parse_number(p, len, &v) && !lookup_symbol(k, p, len, &v))
			goto bad;
		acc |= v;
		if (!bar)
			break;
		p = bar + 1;
	}
	*ret = acc;
	return 0;
bad : {
	const struct sym_table *t = table_for(k);
	int r = diag_set(reterr, EINVAL, NULL, 0, 0, "", "argument %u of %s: cannot read \"%s\"",
			 index, syscall ? syscall : "?", text ? text : "");

	if (t && t->n >= 2)
		diag_hint(reterr,
			  "a number (42, 0x2a, 052) or a name such as %s, %s; join flags "
			  "with '|'",
			  t->syms[0].name, t->syms[t->n > 2 ? 2 : 1].name);
	else
		diag_hint(reterr, "a number (42, 0x2a, 052, -1) or a constant such as AF_ALG, "
				  "CLONE_NEWUSER|CLONE_NEWNS, PER_LINUX32, MPOL_BIND");
	return r;
}
}

static void append(char *buf, size_t size, size_t *pos, const char *fmt, ...) CF_PRINTF(4, 5);
static void append(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, size - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos = CF_MIN(size - 1, *pos + (size_t)n);
}

static void format_flags(const struct sym_table *t, uint64_t v, char *buf, size_t size, size_t *pos)
{
	uint64_t rest = v, low_bits;
	const char *exit_signal = NULL;
	bool first = true;

	/* an exact whole value first (PER_LINUX32, O_RDONLY, SOCK_STREAM) */
	for (size_t i = 0; i < t->n; i++)
		if (t->syms[i].value == v) {
			append(buf, size, pos, "%s", t->syms[i].name);
			return;
		}
	if (t->kind == K_SOCK || t->kind == K_CLONE || t->kind == K_PER) {
		/* a type / exit signal / persona in the low bits, flags above */
		uint64_t low = t->kind == K_SOCK ? (v & 0xf) : (v & 0xff);

		for (size_t i = 0; low && i < t->n; i++)
			if (t->syms[i].value == low && (low & ~(uint64_t)0xff) == 0) {
				rest &= ~low;
				/* clone's exit signal goes last, as strace writes it
				 * (CLONE_NEWUSER|SIGCHLD) */
				if (t->kind == K_CLONE) {
					exit_signal = t->syms[i].name;
					break;
				}
				append(buf, size, pos, "%s", t->syms[i].name);
				first = false;
				break;
			}
	}
	/* below `low_bits` sits a value (socket type, exit signal, persona), not flags */
	low_bits = t->kind == K_SOCK ? 0x10 : (t->kind == K_CLONE || t->kind == K_PER) ? 0x100 : 0;
	for (size_t i = 0; i < t->n && rest; i++) {
		uint64_t b = t->syms[i].value;

		if (b == 0 || (b & (b - 1)) || b < low_bits || (rest & b) != b)
			continue;
		append(buf, size, pos, "%s%s", first ? "" : "|", t->syms[i].name);
		rest &= ~b;
		first = false;
	}
	if (rest || (first && !exit_signal)) {
		append(buf, size, pos, "%s%#" PRIx64, first ? "" : "|", rest);
		first = false;
	}
	if (exit_signal)
		append(buf, size, pos, "%s%s", first ? "" : "|", exit_signal);
}

static void append_string(char *buf, size_t size, size_t *pos, const char *str, size_t len)
{
	append(buf, size, pos, "\"");
	for (size_t i = 0; i < len && i < 64; i++) {
		unsigned char ch = (unsigned char)str[i];

		if (ch == '"' || ch == '\\')
			append(buf, size, pos, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			append(buf, size, pos, "\\x%02x", ch);
		else
			append(buf, size, pos, "%c", ch);
	}
	append(buf, size, pos, len > 64 ? "\"..." : "\"");
}

void cf_explain_format_call(const char *syscall, const uint64_t *args, int n_args,
			    enum cf_arch arch, char *buf, size_t size)
{
	cf_explain_format_call_ex(syscall, args, n_args, arch, NULL, NULL, buf, size);
}

void cf_explain_format_call_ex(const char *syscall, const uint64_t *args, int n_args,
			       enum cf_arch arch, cf_explain_read_str_fn read_str, void *userdata,
			       char *buf, size_t size)
{
	unsigned bits = cf_explain_arg_bits(arch);
	int n = n_args;
	size_t pos = 0;

	/* only the arguments the syscall takes: the other registers hold leftovers */
	if (n < 0)
		n = cf_explain_syscall_nargs_abi(arch, syscall);
	if (n < 0)
		n = 6;

	if (size == 0)
		return;
	buf[0] = '\0';
	append(buf, size, &pos, "%s(", syscall ? syscall : "?");
	for (int i = 0; i < n && i < 6; i++) {
		enum arg_kind k = kind_of(syscall, (unsigned)i);
		uint64_t v = args[i];
		const struct sym_table *t = table_for(k);

		if (bits == 32)
			v &= UINT32_MAX;
		if (i)
			append(buf, size, &pos, ", ");
		switch (k) {
		case K_FD:
		case K_ID:
			/* an int / a 32-bit id: the kernel reads the low 32 bits only; (uid_t)-1
			 * ("leave unchanged") prints -1 as strace does */
			if (k == K_FD && (int32_t)(uint32_t)v == -100)
				append(buf, size, &pos, "AT_FDCWD");
			else if (k == K_FD || (uint32_t)v == UINT32_MAX)
				append(buf, size, &pos, "%" PRId32, (int32_t)(uint32_t)v);
			else
				append(buf, size, &pos, "%" PRIu32, (uint32_t)v);
			break;
		case K_INT:
		case K_SIGNAL:
			if (t) {
				const char *nm = cf_explain_arg_name(syscall, (unsigned)i, v);

				if (nm) {
					append(buf, size, &pos, "%s", nm);
					break;
				}
			}
			append(buf, size, &pos, "%" PRId64,
			       bits == 32 ? (int64_t)(int32_t)v : (int64_t)v);
			break;
		case K_MODE:
			append(buf, size, &pos, v ? "0%" PRIo64 : "0", v);
			break;
		case K_AF:
		case K_MPOL:
		case K_PRCTL:
		case K_SYSLOG: {
			const char *nm = cf_explain_arg_name(syscall, (unsigned)i, v);

			if (nm)
				append(buf, size, &pos, "%s", nm);
			else
				append(buf, size, &pos, "%" PRIu64, v);
			break;
		}
		case K_SOCK:
		case K_CLONE:
		case K_PER:
		case K_MPOL_MF:
		case K_OPEN:
		case K_ATFLAGS:
			format_flags(t, v, buf, size, &pos);
			break;
		case K_PATH:
			if (read_str && v) {
				char str[80];
				int len = read_str(userdata, v, str, sizeof(str));

				if (len >= 0) {
					append_string(buf, size, &pos, str, (size_t)len);
					break;
				}
			}
			append(buf, size, &pos, v < 10 ? "%" PRIu64 : "%#" PRIx64, v);
			break;
		case K_HEX:
		case K_PTR:
			append(buf, size, &pos, v < 10 ? "%" PRIu64 : "%#" PRIx64, v);
			break;
		}
	}
	append(buf, size, &pos, ")");
}
