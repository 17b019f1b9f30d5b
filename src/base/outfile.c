/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Output files that are never damaged: see outfile.h for the contract. The model is systemd's
 * write_string_file(WRITE_STRING_FILE_ATOMIC) / link_tmpfile() for regular files and the
 * shell's `>` for everything else.
 */
#include "base/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "base/cleanup.h"

#define MAX_LINKS 40 /* MAXSYMLINKS in include/linux/namei.h */

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			/* a non-blocking description we share (stdout set O_NONBLOCK by whoever
			 * opened it): wait until it drains instead of failing */
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A symlink in procfs is a "magic link" to an open file (/proc/self/fd/1 -> "pipe:[42]"): its
 * text is not a path to follow, only the kernel can follow it. */
static bool is_procfs_link(const char *path)
{
	cleanup_close int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct statfs sfs;

	return fd >= 0 && fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

/* path is /proc/self/fd/N (however spelled: /dev/fd/N, /dev/stdout after one hop): N, else -1 */
static int own_fd_number(const char *path)
{
	cleanup_free char *dir = strdup(path);
	const char *slash = strrchr(path, '/');
	struct stat a, b;
	char *end;
	long n;

	if (!dir || !slash || !slash[1])
		return -1;
	errno = 0;
	n = strtol(slash + 1, &end, 10);
	if (errno || *end || n < 0 || n > INT_MAX)
		return -1;
	dir[slash - path] = '\0';
	if (stat(dir[0] ? dir : "/", &a) < 0 || stat("/proc/self/fd", &b) < 0)
		return -1;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino ? (int)n : -1;
}

static int open_fifo(const char *path, int extra, unsigned wait_ms)
{
	struct timespec now, end, step = { .tv_nsec = 10 * 1000 * 1000 };
	int fd, fl;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += wait_ms / 1000;
	end.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		/* fifo_open() counts a reader blocked in its own open(), so a reader that
		 * started first is always found; ENXIO means nobody has the FIFO open for read */
		fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | extra);
		if (fd >= 0 || errno != ENXIO)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			return -ENXIO;
		(void)nanosleep(&step, NULL);
	}
	if (fd < 0)
		return -errno;
	/* blocking from now on: the write waits for the reader, as after the shell's `>` */
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

/* Open a non-regular, non-directory node for writing in place. st: what lstat/stat saw. */
static int open_in_place(const char *path, const struct stat *st, bool magic, unsigned wait_ms)
{
	/* a plain name must still be the node we looked at: O_NOFOLLOW refuses a symlink
	 * swapped in since; a magic link has to be followed */
	int extra = magic ? 0 : O_NOFOLLOW;
	struct stat now;
	int fd;

	if (S_ISFIFO(st->st_mode))
		fd = open_fifo(path, extra, wait_ms);
	else if (S_ISREG(st->st_mode)) /* an open file named through procfs */
		fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC | extra);
	else /* devices: no O_TRUNC; sockets fail with ENXIO here, as with `>` */
		fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | extra);
	if (fd < 0)
		return S_ISFIFO(st->st_mode) ? fd : -errno;
	if (fstat(fd, &now) < 0 || now.st_dev != st->st_dev || now.st_ino != st->st_ino) {
		close(fd);
		return -EAGAIN; /* replaced between the check and the open */
	}
	return fd;
}

static int open_magic(struct cf_outfile *f, const char *path, unsigned wait_ms)
{
	int n = own_fd_number(path);
	struct stat st;
	int fl;

	if (n >= 0) {
		/* our own fd: share it, as `-` shares fd 1 (offset, O_APPEND, even a socket) */
		fl = fcntl(n, F_GETFL);
		if (fl < 0)
			return -errno;
		if ((fl & O_ACCMODE) == O_RDONLY)
			return -EBADF; /* /dev/stdin: fail now, not after the command ran */
		if (fstat(n, &st) < 0)
			return -errno;
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		f->fd = fcntl(n, F_DUPFD_CLOEXEC, 3);
		if (f->fd < 0)
			return -errno;
		f->kind = CF_OUTFILE_IN_PLACE;
		return 0;
	}
	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	f->fd = open_in_place(path, &st, true, wait_ms);
	if (f->fd < 0)
		return f->fd;
	f->kind = CF_OUTFILE_IN_PLACE;
	return 0;
}

static int random_name(const char *base, char **ret)
{
	unsigned long long rnd;

	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = (unsigned long long)getpid() << 32 ^ (unsigned long long)time(NULL) ^
		      (unsigned long long)(uintptr_t)ret;
	free(*ret);
	*ret = NULL;
	/* NAME_MAX: keep the temp name valid even when the target's name is near it */
	return asprintf(ret, ".%.200s.%016llx", base, rnd) < 0 ? -ENOMEM : 0;
}

/* Give the temp file a fresh random name with make(): 0, -EEXIST to try another name, or an
 * error. Random names in the target's directory, as mkostemp(3) and systemd's tempfn_random(). */
static int name_temp(struct cf_outfile *f, int (*make)(struct cf_outfile *f))
{
	int r = -EEXIST, i;

	for (i = 0; i < 100 && r == -EEXIST; i++) {
		r = random_name(f->name, &f->tmp_name);
		if (r == 0)
			r = make(f);
	}
	if (r < 0) {
		free(f->tmp_name);
		f->tmp_name = NULL;
	}
	return r;
}

static int make_named(struct cf_outfile *f)
{
	f->fd = openat(f->dir_fd, f->tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		       0600);
	return f->fd < 0 ? -errno : 0;
}

static int make_link(struct cf_outfile *f)
{
	char proc[64];

	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc link works for anyone */
	if (linkat(f->fd, "", f->dir_fd, f->tmp_name, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno == EEXIST)
		return -EEXIST;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f->fd);
	return linkat(AT_FDCWD, proc, f->dir_fd, f->tmp_name, AT_SYMLINK_FOLLOW) == 0 ? 0 : -errno;
}

/* The temp file, created now so that an unwritable directory fails before the real work. */
static int create_temp(struct cf_outfile *f, bool no_tmpfile)
{
	if (!no_tmpfile) {
		/* invisible until linked: nothing is left behind if callfence is killed */
		f->fd = openat(f->dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
		if (f->fd >= 0)
			return 0;
		/* EOPNOTSUPP/EISDIR/EINVAL: kernel or filesystem without O_TMPFILE */
		if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
			return -errno;
	}
	return name_temp(f, make_named);
}

static int open_replace(struct cf_outfile *f, const char *final, const struct cf_outfile_opts *o)
{
	cleanup_free char *dir = strdup(final);
	char *slash;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash) {
		f->name = strdup(slash + 1);
		if (slash == dir)
			slash[1] = '\0'; /* "/name": the root directory */
		else
			*slash = '\0';
	} else {
		f->name = strdup(final);
	}
	if (!f->name)
		return -ENOMEM;
	/* O_RDONLY to fsync it after the rename; O_PATH when it is searchable only */
	f->dir_fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->dir_fd < 0 && errno == EACCES)
		f->dir_fd = open(slash ? dir : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (f->dir_fd < 0)
		return -errno;
	f->kind = CF_OUTFILE_REPLACE;
	f->umask = umask(0);
	umask(f->umask);
	return create_temp(f, o->no_tmpfile);
}

int cf_outfile_open(struct cf_outfile *f, const char *path, const struct cf_outfile_opts *opts)
{
	static const struct cf_outfile_opts defaults = { .fifo_wait_ms = CF_OUTFILE_FIFO_WAIT_MS };
	const struct cf_outfile_opts *o = opts ? opts : &defaults;
	cleanup_free char *cur = NULL;
	struct stat st;
	int hops, r;

	*f = (struct cf_outfile)CF_OUTFILE_INIT;
	if (!path[0])
		return -ENOENT;
	if (strcmp(path, "-") == 0) {
		f->kind = CF_OUTFILE_STDOUT;
		f->fd = STDOUT_FILENO;
		return 0;
	}
	if (path[0] == '-')
		return -EINVAL;
	if (path[strlen(path) - 1] == '/')
		return -EISDIR;
	cur = strdup(path);
	if (!cur)
		return -ENOMEM;
	/* Follow the symlinks of the last component ourselves, to learn the final target's
	 * directory and name (realpath(3) cannot: the target may not exist yet). */
	for (hops = 0;; hops++) {
		char link[PATH_MAX], *next;
		ssize_t n;

		if (lstat(cur, &st) < 0) {
			if (errno != ENOENT)
				return -errno;
			r = open_replace(f, cur,
					 o); /* a new file (maybe a dangling link's target) */
			break;
		}
		if (!S_ISLNK(st.st_mode)) {
			if (S_ISDIR(st.st_mode))
				return -EISDIR;
			if (S_ISREG(st.st_mode)) {
				r = open_replace(f, cur, o);
				break;
			}
			f->fd = open_in_place(cur, &st, false, o->fifo_wait_ms);
			if (f->fd < 0)
				return f->fd;
			f->kind = CF_OUTFILE_IN_PLACE;
			return 0;
		}
		if (hops >= MAX_LINKS)
			return -ELOOP;
		if (is_procfs_link(cur)) {
			r = open_magic(f, cur, o->fifo_wait_ms);
			break;
		}
		n = readlink(cur, link, sizeof(link) - 1);
		if (n < 0)
			return -errno;
		link[n] = '\0';
		if (link[0] == '/' || !strrchr(cur, '/')) {
			next = strdup(link);
		} else {
			int dirlen = (int)(strrchr(cur, '/') - cur);

			if (asprintf(&next, "%.*s/%s", dirlen, cur, link) < 0)
				next = NULL;
		}
		if (!next)
			return -ENOMEM;
		free(cur);
		cur = next;
		if (!cur[0] || cur[strlen(cur) - 1] == '/')
			return -EISDIR;
	}
	if (r < 0)
		cf_outfile_close(f);
	return r;
}

static int commit(struct cf_outfile *f)
{
	struct stat st;
	mode_t mode;
	int r;

	/* the target as it is now, not as it was when the command started */
	if (fstatat(f->dir_fd, f->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISREG(st.st_mode))
			return -EEXIST;
		/* chown first: it clears set-id bits that fchmod then restores */
		if (geteuid() == 0 && fchown(f->fd, st.st_uid, st.st_gid) < 0)
			return -errno;
		mode = st.st_mode & 07777;
	} else if (errno == ENOENT) {
		mode = 0644 & ~f->umask;
	} else {
		return -errno;
	}
	if (fchmod(f->fd, mode) < 0 || fsync(f->fd) < 0)
		return -errno;
	if (!f->tmp_name) {
		r = name_temp(f, make_link);
		if (r < 0)
			return r;
	}
	if (renameat(f->dir_fd, f->tmp_name, f->dir_fd, f->name) < 0)
		return -errno;
	free(f->tmp_name);
	f->tmp_name = NULL;
	(void)fsync(f->dir_fd); /* the rename itself; EBADF on an O_PATH fd is fine */
	return 0;
}

int cf_outfile_write(struct cf_outfile *f, const void *data, size_t len)
{
	int r;

	if (f->kind == CF_OUTFILE_NONE || f->done)
		return -EBADF;
	f->done = true;
	r = write_all(f->fd, data, len);
	if (r == 0 && f->kind == CF_OUTFILE_REPLACE)
		r = commit(f);
	return r;
}

void cf_outfile_close(struct cf_outfile *f)
{
	if (f->tmp_name && f->dir_fd >= 0)
		(void)unlinkat(f->dir_fd, f->tmp_name, 0);
	if (f->fd >= 0 && f->kind != CF_OUTFILE_STDOUT)
		(void)close(f->fd);
	if (f->dir_fd >= 0)
		(void)close(f->dir_fd);
	free(f->name);
	free(f->tmp_name);
	*f = (struct cf_outfile)CF_OUTFILE_INIT;
}
