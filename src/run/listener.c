/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SCMP_ACT_NOTIFY: handing the seccomp listener fd to the agent at listenerPath, as runc does
 * (libcontainer/process_linux.go: the init process reports the fd number, the parent copies it
 * with pidfd_getfd, sends the OCI "container process state" with the fd in SCM_RIGHTS over one
 * AF_UNIX SOCK_STREAM connection, then closes it and lets the init go on).
 *
 * The state follows runtime-spec specs-go/state.go ContainerProcessState: ociVersion, fds
 * (["seccompFd"], the names of the fds in SCM_RIGHTS order), pid, metadata (omitempty: only
 * when listenerMetadata is set) and state {ociVersion, id, status "creating", pid, bundle}.
 * callfence has no container id or bundle: the id is "callfence-<pid>", the bundle the
 * working directory callfence was started in.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "base/cleanup.h"
#include "run/run.h"

/* runtime-spec version the state claims (the first with ContainerProcessState is 1.0.2) */
#define CF_OCI_VERSION "1.0.2"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static int state_json(const struct cf_plan *plan, pid_t pid, char **ret)
{
	cleanup(json_decrefp) json_t *root = NULL;
	cleanup_free char *cwd = NULL;
	json_t *state;
	char id[32];
	char *text;

	cwd = getcwd(NULL, 0);
	if (!cwd)
		return -errno;
	snprintf(id, sizeof(id), "callfence-%d", (int)pid);
	/* json_pack fails on a NULL or non-UTF-8 string as well as on ENOMEM. Keys in the order
	 * of runtime-spec's ContainerProcessState, as runc marshals it. */
	root = json_pack("{s:s, s:[s], s:i}", "ociVersion", CF_OCI_VERSION, "fds", "seccompFd",
			 "pid", (int)pid);
	if (!root)
		return -EINVAL;
	if (plan->listener_metadata && plan->listener_metadata[0]) {
		json_t *m = json_string(plan->listener_metadata);

		if (!m || json_object_set_new(root, "metadata", m) < 0)
			return -EINVAL;
	}
	state = json_pack("{s:s, s:s, s:s, s:i, s:s}", "ociVersion", CF_OCI_VERSION, "id", id,
			  "status", "creating", "pid", (int)pid, "bundle", cwd);
	if (!state || json_object_set_new(root, "state", state) < 0)
		return -EINVAL;
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text)
		return -ENOMEM;
	*ret = text;
	return 0;
}

/*
 * An agent that never accepts (its backlog full) or never reads would block connect(2) or
 * sendmsg(2) forever, with our signals blocked for sigwaitinfo, so SIGTERM did nothing and
 * the child spun on. Each call gets SO_SNDTIMEO slices (unix_stream_connect and
 * unix_stream_sendmsg both wait with sock_sndtimeo, then -EAGAIN); between slices: a signal
 * from abort_on ends the wait (-EINTR), and the deadline (-ETIMEDOUT).
 */
#define SLICE_MS 100

static int64_t now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int next_slice(struct cf_listener_conn *c)
{
	static const int stop[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };
	const struct timespec zero = { 0 };
	sigset_t set;
	siginfo_t si;
	int sig;

	if (c->abort_on) {
		sigemptyset(&set);
		for (size_t i = 0; i < ARRAY_SIZE(stop); i++)
			if (sigismember(c->abort_on, stop[i]) == 1)
				sigaddset(&set, stop[i]);
		sig = sigtimedwait(&set, &si, &zero);
		if (sig > 0) {
			c->signal = sig;
			return -EINTR;
		}
	}
	if (now_ns() >= c->deadline_ns)
		return -ETIMEDOUT;
	return 0;
}

/* After a failed connect/send: 0 to try again (the slice ran out, EINTR), or the error. */
static int retry(struct cf_listener_conn *c)
{
	if (errno != EINTR && errno != EAGAIN)
		return -errno;
	return next_slice(c);
}

static int send_state(struct cf_listener_conn *c, const char *msg, size_t len, int fd)
{
	int sock = c->sock;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	size_t off;
	ssize_t n;

	memset(&u, 0, sizeof(u));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));

	while ((n = sendmsg(sock, &mh, MSG_NOSIGNAL)) < 0) {
		int r = retry(c);

		if (r < 0)
			return r;
	}
	/* The fd went with the first byte; a short write sends the rest of the text plainly. */
	for (off = (size_t)n; off < len; off += (size_t)n) {
		n = send(sock, msg + off, len - off, MSG_NOSIGNAL);
		if (n < 0) {
			int r = retry(c);

			if (r < 0)
				return r;
			n = 0;
		}
	}
	return 0;
}

int cf_listener_prepare(const struct cf_plan *plan, pid_t pid, struct cf_listener_conn *c,
			const char **ret_stage)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const struct timeval slice = { .tv_sec = 0, .tv_usec = SLICE_MS * 1000 };
	size_t plen;
	int r;

	c->deadline_ns = now_ns() + (int64_t)CF_LISTENER_TIMEOUT_MS * 1000000;
	c->signal = 0;
	*ret_stage = "pidfd_open";
	c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (c->pidfd < 0)
		return -errno;

	*ret_stage = "building the container process state";
	r = state_json(plan, pid, &c->msg);
	if (r < 0)
		return r;

	*ret_stage = "connect";
	plen = strlen(plan->listener_path);
	if (plen >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, plan->listener_path, plen + 1);
	c->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->sock < 0)
		return -errno;
	if (setsockopt(c->sock, SOL_SOCKET, SO_SNDTIMEO, &slice, sizeof(slice)) < 0)
		return -errno;
	/* EAGAIN: the slice ran out with the agent's backlog still full */
	while (connect(c->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = retry(c);
		if (r < 0)
			return r;
	}
	*ret_stage = NULL;
	return 0;
}

int cf_listener_send(struct cf_listener_conn *c, int child_fd, const char **ret_stage)
{
	cleanup_close int fd = -EBADF;
	int r;

	*ret_stage = "pidfd_getfd";
	fd = (int)syscall(SYS_pidfd_getfd, c->pidfd, child_fd, 0);
	if (fd < 0)
		return -errno;
	*ret_stage = "sendmsg";
	r = send_state(c, c->msg, strlen(c->msg), fd);
	if (r < 0)
		return r;
	*ret_stage = NULL;
	return 0;
}

void cf_listener_conn_clear(struct cf_listener_conn *c)
{
	/* abort_on and signal are the caller's to read before: cleared with the rest */
	if (c->sock >= 0)
		(void)close(c->sock);
	if (c->pidfd >= 0)
		(void)close(c->pidfd);
	free(c->msg);
	*c = (struct cf_listener_conn)CF_LISTENER_CONN_INIT;
}
