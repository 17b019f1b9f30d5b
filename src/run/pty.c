/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * -t/--tty: the command on a new pseudo-terminal, relayed by the parent, as docker run -t.
 *
 * The child makes itself a session leader (setsid), takes the pty's slave as its controlling
 * terminal (TIOCSCTTY) and as stdin, stdout and stderr (docker -t merges stderr into the tty
 * too), all before the first privileged step (process.c), so nothing of it is filtered. The
 * caller's terminal is no longer the command's: it is not its controlling terminal and no fd of
 * it reaches the command (the child's copies are close-on-exec). That is the structural answer
 * to terminal injection (TIOCSTI, TIOCLINUX, writing escape sequences that the caller's
 * terminal answers into its input): what the command pushes lands in its own pty, which only it
 * reads. callfence's guard filter (tty-guard.c) stays installed as without -t.
 *
 * The parent puts the caller's terminal in raw mode (as docker's client does), so ^C, ^Z and
 * ^\ reach the pty as bytes and its line discipline signals the command; passes window-size
 * changes on (SIGWINCH -> TIOCGWINSZ on the caller's terminal, TIOCSWINSZ on the master; the
 * kernel then sends SIGWINCH to the pty's foreground group); restores the terminal on every
 * way out of the run (the command's exit, a signal, an error after the start). It does so
 * under its own allow-list (self-confine.c, cf_self_pty_allow). stdin's EOF (a pipe, not a
 * terminal) becomes the pty's EOF character when the pty is in canonical mode, as script(1).
 * The exit status is the command's, as without -t.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/signalfd.h>

#include "run/run.h"

int cf_pty_open(struct cf_pty *p)
{
	char name[64];
	struct winsize ws;
	int r;

	*p = (struct cf_pty)CF_PTY_INIT;
	p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->master < 0)
		return -errno;
	if (grantpt(p->master) < 0 || unlockpt(p->master) < 0 ||
	    ptsname_r(p->master, name, sizeof(name)) != 0)
		goto fail;
	p->slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->slave < 0)
		goto fail;
	if (isatty(STDIN_FILENO))
		p->caller = STDIN_FILENO;
	else if (isatty(STDOUT_FILENO))
		p->caller = STDOUT_FILENO;
	/* docker's client sends its terminal's size before the start; without one the kernel's
	 * 0x0 stays, as `docker run -t` from a pipe */
	if (p->caller >= 0 && ioctl(p->caller, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(p->master, TIOCSWINSZ, &ws);
	return 0;
fail:
	r = -errno;
	cf_pty_close(p);
	return r ? r : -EIO;
}

int cf_pty_parent_begin(struct cf_pty *p, const sigset_t *waitset)
{
	struct termios raw;

	/* the master reads EIO once the command and all its children closed the slave */
	if (p->slave >= 0) {
		(void)close(p->slave);
		p->slave = -1;
	}
	p->sigfd = signalfd(-1, waitset, SFD_CLOEXEC | SFD_NONBLOCK);
	if (p->sigfd < 0)
		return -errno;
	/* the only input is stdin: nothing to read when it is closed */
	if (fcntl(STDIN_FILENO, F_GETFD) < 0)
		p->in_done = true;
	if (p->caller == STDIN_FILENO && tcgetattr(p->caller, &p->saved) == 0) {
		raw = p->saved;
		cfmakeraw(&raw);
		/* output processing stays as it was: the command's output comes through its pty
		 * already translated, and callfence's own lines (warnings, --explain) written
		 * while the command runs keep their carriage returns */
		raw.c_oflag = p->saved.c_oflag;
		if (tcsetattr(p->caller, TCSADRAIN, &raw) == 0)
			p->raw = true;
	}
	return 0;
}

/* Write all of buf to fd; false when fd is gone (the reader closed it). */
static bool write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, buf, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			(void)ppoll(&pfd, 1, NULL, NULL);
			continue;
		}
		if (k <= 0)
			return false;
		buf += k;
		n -= (size_t)k;
	}
	return true;
}

/* One read of the master to stdout; false at EOF/EIO (no slave left open) */
static bool relay_out(struct cf_pty *p)
{
	char buf[4096];
	ssize_t n = read(p->master, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	(void)write_all(STDOUT_FILENO, buf, (size_t)n);
	return true;
}

static void relay_in(struct cf_pty *p)
{
	char buf[4096];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	struct termios t;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		if (!write_all(p->master, buf, (size_t)n))
			p->in_done = true;
		return;
	}
	p->in_done = true;
	/* EOF of a pipe: the pty's own EOF character, which a canonical-mode reader sees as
	 * end of input (script(1) does the same); a raw-mode reader gets nothing */
	if (n == 0 && ioctl(p->master, TCGETS, &t) == 0 && (t.c_lflag & ICANON))
		(void)write_all(p->master, (const char *)&t.c_cc[VEOF], 1);
}

static void pass_winsize(struct cf_pty *p)
{
	struct winsize ws;

	if (p->caller >= 0 && ioctl(p->caller, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(p->master, TIOCSWINSZ, &ws);
}

int cf_pty_wait(struct cf_pty *p, const struct timespec *timeout, siginfo_t *si)
{
	for (;;) {
		struct pollfd fds[3] = {
			{ .fd = p->sigfd, .events = POLLIN },
			{ .fd = p->out_done ? -1 : p->master, .events = POLLIN },
			{ .fd = p->in_done ? -1 : STDIN_FILENO, .events = POLLIN },
		};
		struct signalfd_siginfo ssi;

		int n = ppoll(fds, 3, timeout, NULL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EAGAIN; /* the caller's timeout, as sigtimedwait */
			return -1;
		}
		/* EIO: no process holds the slave any more; the command's exit follows */
		if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) && !relay_out(p))
			p->out_done = true;
		if (fds[2].revents & (POLLIN | POLLHUP | POLLERR))
			relay_in(p);
		if (!(fds[0].revents & POLLIN))
			continue;
		if (read(p->sigfd, &ssi, sizeof(ssi)) != sizeof(ssi))
			continue;
		if (ssi.ssi_signo == SIGWINCH && ssi.ssi_code == SI_KERNEL) {
			/* from the caller's terminal: the pty's size follows */
			pass_winsize(p);
			continue;
		}
		memset(si, 0, sizeof(*si));
		si->si_signo = (int)ssi.ssi_signo;
		si->si_code = ssi.ssi_code;
		si->si_pid = (pid_t)ssi.ssi_pid;
		return si->si_signo;
	}
}

void cf_pty_finish(struct cf_pty *p)
{
	/* What the command wrote before it ended. Once no process holds the slave the kernel
	 * hands over all of it and then EIO (drivers/tty/n_tty.c waits for the flip buffer when
	 * the other side is closed); a background child that keeps the slave open gets 100 ms
	 * of quiet before callfence goes, as it would not get more from docker either (the
	 * container's other processes die with its init). */
	while (p->master >= 0 && !p->out_done) {
		struct pollfd pfd = { .fd = p->master, .events = POLLIN };
		const struct timespec quiet = { .tv_sec = 0, .tv_nsec = 100 * 1000 * 1000 };

		if (ppoll(&pfd, 1, &quiet, NULL) <= 0 || !relay_out(p))
			p->out_done = true;
	}
	if (p->raw) {
		(void)tcsetattr(p->caller, TCSADRAIN, &p->saved);
		p->raw = false;
	}
}

void cf_pty_close(struct cf_pty *p)
{
	if (p->raw)
		(void)tcsetattr(p->caller, TCSADRAIN, &p->saved);
	p->raw = false;
	if (p->master >= 0)
		(void)close(p->master);
	if (p->slave >= 0)
		(void)close(p->slave);
	if (p->sigfd >= 0)
		(void)close(p->sigfd);
	p->master = p->slave = p->sigfd = -1;
}
