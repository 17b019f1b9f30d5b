/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/base/outfile.c against the real kernel: every case in its own temp dir; device nodes are
 * made there with mknod (never /dev); read-only and full filesystems are mounted in a private
 * mount namespace of a forked child. Each positive case has a negative twin: the regular file
 * IS replaced (its inode changes), the device, FIFO and symlink are NOT.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>

#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "base/outfile.h"
#include "lib/cf-test.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/cf-outfile.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *p(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static char *get(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

/* entries in d other than . and .. */
static int count_entries(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	int n = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(dp);
	return n;
}

static int put_out(const char *path, const char *text, const struct cf_outfile_opts *o)
{
	struct cf_outfile f;
	int r = cf_outfile_open(&f, path, o);

	if (r == 0)
		r = cf_outfile_write(&f, text, strlen(text));
	cf_outfile_close(&f);
	return r;
}

static const struct cf_outfile_opts modes[] = {
	{ .fifo_wait_ms = 100 },
	{ .fifo_wait_ms = 100, .no_tmpfile = true },
};

static void test_regular_replaced_mode_kept(void **state)
{
	struct stat a, b;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		put(p("f"), "old", 0640);
		assert_int_equal(stat(p("f"), &a), 0);
		assert_int_equal(put_out(p("f"), "new", &modes[i]), 0);
		assert_int_equal(stat(p("f"), &b), 0);
		assert_string_equal(get(p("f")), "new");
		assert_true(S_ISREG(b.st_mode));
		assert_int_equal(b.st_mode & 07777, 0640);
		/* replaced by rename, not rewritten: a reader holding the old one keeps it */
		assert_true(a.st_ino != b.st_ino);
		assert_int_equal(count_entries(dir), 1);
	}
}

static void test_new_file_mode(void **state)
{
	mode_t old = umask(022);
	struct stat st;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		umask(022);
		unlink(p("n"));
		assert_int_equal(put_out(p("n"), "x", &modes[i]), 0);
		assert_int_equal(stat(p("n"), &st), 0);
		assert_int_equal(st.st_mode & 07777, 0644);
		umask(077);
		unlink(p("n"));
		assert_int_equal(put_out(p("n"), "x", &modes[i]), 0);
		assert_int_equal(stat(p("n"), &st), 0);
		assert_int_equal(st.st_mode & 07777, 0600);
		assert_int_equal(count_entries(dir), 1);
	}
	umask(old);
}

static void test_owner_kept(void **state)
{
	struct stat st;

	(void)state;
	if (geteuid() != 0) {
		print_message("# owner: not root, chown impossible; checked as root only\n");
		return;
	}
	put(p("o"), "old", 0600);
	assert_int_equal(chown(p("o"), 1234, 5678), 0);
	assert_int_equal(put_out(p("o"), "new", NULL), 0);
	assert_int_equal(stat(p("o"), &st), 0);
	assert_int_equal(st.st_uid, 1234);
	assert_int_equal(st.st_gid, 5678);
	/* twin: a new file is the caller's */
	assert_int_equal(put_out(p("o2"), "new", NULL), 0);
	assert_int_equal(stat(p("o2"), &st), 0);
	assert_int_equal(st.st_uid, 0);
}

static void test_symlink_kept(void **state)
{
	char link[64];
	struct stat st;

	(void)state;
	assert_int_equal(mkdir(p("sub"), 0755), 0);
	put(p("sub/target"), "old", 0600);
	/* two relative hops: l1 -> sub/l2 -> target (relative to sub/) */
	assert_int_equal(symlink("target", p("sub/l2")), 0);
	assert_int_equal(symlink("sub/l2", p("l1")), 0);
	assert_int_equal(put_out(p("l1"), "new", NULL), 0);
	assert_int_equal(lstat(p("l1"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(p("sub/l2"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(readlink(p("l1"), link, sizeof(link)), 6);
	assert_string_equal(get(p("sub/target")), "new");
	assert_int_equal(stat(p("sub/target"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(count_entries(p("sub")), 2);

	/* a dangling link: its target is created, as the shell's `>` does */
	assert_int_equal(symlink("sub/fresh", p("dangling")), 0);
	assert_int_equal(put_out(p("dangling"), "fresh", NULL), 0);
	assert_int_equal(lstat(p("dangling"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_string_equal(get(p("sub/fresh")), "fresh");

	/* a loop */
	assert_int_equal(symlink("loop2", p("loop1")), 0);
	assert_int_equal(symlink("loop1", p("loop2")), 0);
	assert_int_equal(put_out(p("loop1"), "x", NULL), -ELOOP);
}

static void test_device_in_place(void **state)
{
	struct stat a, b;

	(void)state;
	if (mknod(p("null"), S_IFCHR | 0666, makedev(1, 3)) < 0) {
		print_message("# device: mknod not permitted (%s); checked where it is\n",
			      strerror(errno));
		return;
	}
	assert_int_equal(stat(p("null"), &a), 0);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(put_out(p("null"), "data", &modes[i]), 0);
	assert_int_equal(lstat(p("null"), &b), 0);
	assert_true(S_ISCHR(b.st_mode));
	assert_int_equal(b.st_rdev, makedev(1, 3));
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(count_entries(dir), 1);
}

static void test_fifo_reader_gets_it(void **state)
{
	struct stat a, b;
	int status, r;
	pid_t pid;

	(void)state;
	assert_int_equal(mkfifo(p("fifo"), 0600), 0);
	assert_int_equal(stat(p("fifo"), &a), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* the reader may open before or after the writer: both must work */
		int fd = open(p("fifo"), O_RDONLY | O_CLOEXEC);
		char buf[64] = { 0 };
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

		_exit(n == 7 && strcmp(buf, "payload") == 0 ? 0 : 1);
	}
	r = put_out(p("fifo"), "payload", NULL);
	if (r < 0)
		kill(pid, SIGKILL); /* a failure must not leave the reader (and us) waiting */
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(r, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(lstat(p("fifo"), &b), 0);
	assert_true(S_ISFIFO(b.st_mode));
	assert_int_equal(a.st_ino, b.st_ino);
}

static void test_fifo_no_reader(void **state)
{
	struct stat st;

	(void)state;
	assert_int_equal(mkfifo(p("fifo"), 0600), 0);
	/* nobody reads: a bounded wait, then ENXIO; the shell's `>` would hang forever */
	assert_int_equal(put_out(p("fifo"), "x", &modes[0]), -ENXIO);
	assert_int_equal(lstat(p("fifo"), &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(count_entries(dir), 1);
}

static void test_socket_left_alone(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct stat st;

	(void)state;
	assert_true(s >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p("sock"));
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(put_out(p("sock"), "x", NULL), -ENXIO);
	assert_int_equal(lstat(p("sock"), &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	close(s);
}

static void test_refused_names(void **state)
{
	struct cf_outfile f;
	struct stat st;

	(void)state;
	assert_int_equal(mkdir(p("d"), 0755), 0);
	assert_int_equal(cf_outfile_open(&f, "", NULL), -ENOENT);
	assert_int_equal(cf_outfile_open(&f, "--", NULL), -EINVAL);
	assert_int_equal(cf_outfile_open(&f, "--foo", NULL), -EINVAL);
	assert_int_equal(cf_outfile_open(&f, p("d"), NULL), -EISDIR);
	assert_int_equal(cf_outfile_open(&f, p("d/"), NULL), -EISDIR);
	assert_int_equal(cf_outfile_open(&f, p("new/"), NULL), -EISDIR);
	assert_int_equal(symlink("d", p("dl")), 0);
	assert_int_equal(cf_outfile_open(&f, p("dl"), NULL), -EISDIR);
	cf_outfile_close(&f);
	assert_int_equal(count_entries(p("d")), 0);
	assert_int_equal(lstat(p("new"), &st), -1);

	/* twins: "-" is stdout, "./--" is a file of that name */
	assert_int_equal(cf_outfile_open(&f, "-", NULL), 0);
	assert_int_equal(f.kind, CF_OUTFILE_STDOUT);
	assert_int_equal(f.fd, STDOUT_FILENO);
	cf_outfile_close(&f);
	assert_true(fcntl(STDOUT_FILENO, F_GETFD) >= 0); /* not closed */
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(put_out("./--", "dashes", NULL), 0);
	assert_string_equal(get(p("--")), "dashes");
	assert_int_equal(chdir("/"), 0);
}

/* our own fd named through procfs (/dev/stdout -> /proc/self/fd/1): written in place, sharing
 * the description; read-only fds refused at open time */
static void test_open_fd_in_place(void **state)
{
	char name[64];
	int pfd[2], rfd;
	char buf[16] = { 0 };
	struct cf_outfile f;

	(void)state;
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	snprintf(name, sizeof(name), "/proc/self/fd/%d", pfd[1]);
	assert_int_equal(symlink(name, p("stdout-like")), 0);
	assert_int_equal(cf_outfile_open(&f, p("stdout-like"), NULL), 0);
	assert_int_equal(f.kind, CF_OUTFILE_IN_PLACE);
	assert_int_equal(cf_outfile_write(&f, "pipe", 4), 0);
	cf_outfile_close(&f);
	assert_int_equal(read(pfd[0], buf, sizeof(buf)), 4);
	assert_string_equal(buf, "pipe");
	assert_int_equal(count_entries(dir), 1);
	assert_true(fcntl(pfd[1], F_GETFD) >= 0); /* ours stays open */

	/* a regular file open for appending: the data goes after what is there */
	put(p("log"), "head:", 0644);
	rfd = open(p("log"), O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(rfd >= 0);
	snprintf(name, sizeof(name), "/dev/fd/%d", rfd);
	if (access("/dev/fd", F_OK) == 0) {
		struct stat a, b;

		assert_int_equal(stat(p("log"), &a), 0);
		assert_int_equal(put_out(name, "tail", NULL), 0);
		assert_string_equal(get(p("log")), "head:tail");
		assert_int_equal(stat(p("log"), &b), 0);
		assert_int_equal(a.st_ino, b.st_ino);
	}
	close(rfd);

	rfd = open(p("log"), O_RDONLY | O_CLOEXEC);
	snprintf(name, sizeof(name), "/proc/self/fd/%d", rfd);
	assert_int_equal(cf_outfile_open(&f, name, NULL), -EBADF);
	close(rfd);
	close(pfd[0]);
	close(pfd[1]);
}

/* A regular target that became a FIFO while the command ran is not replaced. */
static void test_changed_meanwhile(void **state)
{
	struct cf_outfile f;
	struct stat st;

	(void)state;
	put(p("t"), "old", 0644);
	assert_int_equal(cf_outfile_open(&f, p("t"), NULL), 0);
	assert_int_equal(unlink(p("t")), 0);
	assert_int_equal(mkfifo(p("t"), 0600), 0);
	assert_int_equal(cf_outfile_write(&f, "new", 3), -EEXIST);
	cf_outfile_close(&f);
	assert_int_equal(lstat(p("t"), &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(count_entries(dir), 1);

	/* twin: removed meanwhile, so created */
	put(p("u"), "old", 0644);
	assert_int_equal(cf_outfile_open(&f, p("u"), NULL), 0);
	assert_int_equal(unlink(p("u")), 0);
	assert_int_equal(cf_outfile_write(&f, "new", 3), 0);
	cf_outfile_close(&f);
	assert_string_equal(get(p("u")), "new");

	/* an uncommitted open leaves nothing behind, in both temp modes */
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(cf_outfile_open(&f, p("u"), &modes[i]), 0);
		cf_outfile_close(&f);
		assert_int_equal(count_entries(dir), 2);
		assert_string_equal(get(p("u")), "new");
	}
}

enum mount_case {
	FULL,
	READ_ONLY
};

/*
 * In a forked child with a private mount namespace (nothing leaks to the host): a 16 KiB tmpfs
 * on dir/m holding "old" in dir/m/f, remounted read-only for READ_ONLY; then LEN bytes are
 * written to dir/m/f. The child exits 0 when the result is WANT and, on failure, dir/m still
 * holds only the intact old file (no temp file); 77 when it cannot make the namespace. No
 * cmocka assertion runs in the child: a failed one would resume the test run there.
 */
static int in_private_mount(enum mount_case c, size_t len, bool no_tmpfile, int want)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct cf_outfile_opts o = { .no_tmpfile = no_tmpfile };
		char *buf = malloc(len + 1), old[8] = { 0 };
		int fd, r;

		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(77);
		if ((mkdir(p("m"), 0755) < 0 && errno != EEXIST) ||
		    mount("cf-test", p("m"), "tmpfs", 0, "size=16k") < 0)
			_exit(77);
		fd = open(p("m/f"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, "old", 3) != 3 || close(fd) < 0 || !buf)
			_exit(10);
		if (c == READ_ONLY &&
		    mount(NULL, p("m"), NULL, MS_REMOUNT | MS_RDONLY, "size=16k") < 0)
			_exit(77);
		memset(buf, 'x', len);
		buf[len] = '\0';
		r = put_out(p("m/f"), buf, &o);
		if (r != want)
			_exit(20);
		fd = open(p("m/f"), O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			_exit(21);
		if (want < 0 && (read(fd, old, sizeof(old)) != 3 || strcmp(old, "old") != 0))
			_exit(22);
		if (want == 0 && lseek(fd, 0, SEEK_END) != (off_t)len)
			_exit(23);
		_exit(count_entries(p("m")) == 1 ? 0 : 24);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_full_and_readonly(void **state)
{
	(void)state;
	for (size_t i = 0; i < 2; i++) {
		bool nt = modes[i].no_tmpfile;
		int r = in_private_mount(FULL, 64 * 1024, nt, -ENOSPC);

		if (r == 77) {
			print_message(
				"# full/read-only: no private mount namespace here; skipped\n");
			return;
		}
		/* ENOSPC in the middle of the write: the old file is intact, no temp file */
		assert_int_equal(r, 0);
		/* twin: what fits is written */
		assert_int_equal(in_private_mount(FULL, 4096, nt, 0), 0);
		/* read-only: refused at open time, before any work, nothing left */
		assert_int_equal(in_private_mount(READ_ONLY, 10, nt, -EROFS), 0);
	}
}

/* every case in a fresh temp dir */
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_regular_replaced_mode_kept),
		T(test_new_file_mode),
		T(test_owner_kept),
		T(test_symlink_kept),
		T(test_device_in_place),
		T(test_fifo_reader_gets_it),
		T(test_fifo_no_reader),
		T(test_socket_left_alone),
		T(test_refused_names),
		T(test_open_fd_in_place),
		T(test_changed_meanwhile),
		T(test_full_and_readonly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
