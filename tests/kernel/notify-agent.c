/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * notify-agent SOCKET LOG [METADATA]: a minimal seccomp agent for the listenerPath tests.
 *
 * Listens on SOCKET, then forks: the foreground process prints the background pid and exits 0
 * once the socket accepts connections (so the test needs no sleep), the background one accepts ONE connection, reads
 * the OCI container process state and the fd sent with it, checks the state's fields and
 * answers notifications until every task under the filter is gone:
 *   mkdir   -> error EROFS
 *   mkdirat -> SECCOMP_USER_NOTIF_FLAG_CONTINUE (the kernel runs it: EFAULT for the probe)
 *   other   -> error ENOSYS
 * It writes to LOG: "state ok" or "state bad: WHY", "fds 1", "notif NAME pid-match|pid-other",
 * and "done" last. METADATA: the listenerMetadata the state must carry ("-" or absent: none).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

static FILE *agent_log;

static void logline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logline(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(agent_log, fmt, ap);
	va_end(ap);
	fputc('\n', agent_log);
	fflush(agent_log);
}

static const char *check_state(json_t *root, const char *metadata, long *ret_pid)
{
	json_t *fds, *st, *m;
	json_int_t pid;

	if (!json_is_object(root))
		return "not a JSON object";
	if (!json_is_string(json_object_get(root, "ociVersion")) ||
	    strncmp(json_string_value(json_object_get(root, "ociVersion")), "1.", 2) != 0)
		return "ociVersion";
	fds = json_object_get(root, "fds");
	if (!json_is_array(fds) || json_array_size(fds) != 1 ||
	    !json_is_string(json_array_get(fds, 0)) ||
	    strcmp(json_string_value(json_array_get(fds, 0)), "seccompFd") != 0)
		return "fds is not [\"seccompFd\"]";
	if (!json_is_integer(json_object_get(root, "pid")))
		return "pid";
	pid = json_integer_value(json_object_get(root, "pid"));
	if (pid <= 0)
		return "pid <= 0";
	m = json_object_get(root, "metadata");
	if (metadata && strcmp(metadata, "-") != 0) {
		if (!json_is_string(m) || strcmp(json_string_value(m), metadata) != 0)
			return "metadata differs from listenerMetadata";
	} else if (m) {
		return "metadata present without listenerMetadata";
	}
	st = json_object_get(root, "state");
	if (!json_is_object(st))
		return "state is not an object";
	if (!json_is_string(json_object_get(st, "ociVersion")))
		return "state.ociVersion";
	if (!json_is_string(json_object_get(st, "id")) ||
	    !json_string_value(json_object_get(st, "id"))[0])
		return "state.id";
	if (!json_is_string(json_object_get(st, "status")) ||
	    strcmp(json_string_value(json_object_get(st, "status")), "creating") != 0)
		return "state.status is not \"creating\"";
	if (!json_is_integer(json_object_get(st, "pid")) ||
	    json_integer_value(json_object_get(st, "pid")) != pid)
		return "state.pid differs from pid";
	if (!json_is_string(json_object_get(st, "bundle")))
		return "state.bundle";
	*ret_pid = (long)pid;
	return NULL;
}

/* One message: the JSON text and the fd(s) in SCM_RIGHTS. The sender closes after it. */
static int receive(int conn, char *buf, size_t size, int *fds, int *n_fds)
{
	union {
		char b[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = size - 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)
	};
	size_t len;
	ssize_t n;

	*n_fds = 0;
	n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			memcpy(fds + *n_fds, CMSG_DATA(c), k * sizeof(int));
			*n_fds += (int)k;
		}
	len = (size_t)n;
	buf[len] = '\0';
	/* The rest of the text if the sender's write was split: read until it parses (runc keeps
	 * the connection open for a while after sending) or EOF. */
	while (len < size - 1) {
		json_t *probe = json_loads(buf, 0, NULL);

		if (probe) {
			json_decref(probe);
			break;
		}
		n = read(conn, buf + len, size - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	return 0;
}

static void serve(int lfd, long pid)
{
	struct seccomp_notif_sizes sz;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0) {
		logline("error GET_NOTIF_SIZES %s", strerror(errno));
		return;
	}
	req = calloc(1, sz.seccomp_notif);
	resp = calloc(1, sz.seccomp_notif_resp);
	if (!req || !resp)
		return;
	for (;;) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		const char *name;

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!(p.revents & POLLIN))
			break; /* POLLHUP: no task left under the filter */
		memset(req, 0, sz.seccomp_notif);
		if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			break;
		}
		memset(resp, 0, sz.seccomp_notif_resp);
		resp->id = req->id;
		if (req->data.nr == SYS_mkdir) {
			name = "mkdir";
			resp->error = -EROFS;
		} else if (req->data.nr == SYS_mkdirat) {
			name = "mkdirat";
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		} else {
			name = "other";
			resp->error = -ENOSYS;
		}
		logline("notif %s %s", name, (long)req->pid == pid ? "pid-match" : "pid-other");
		/* ENOENT: the task died meanwhile */
		if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
			logline("error NOTIF_SEND %s", strerror(errno));
	}
	free(req);
	free(resp);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[65536];
	int fds[4], n_fds, s, conn;
	json_error_t jerr;
	json_t *root;
	const char *why;
	long pid = 0;
	pid_t child;

	if (argc < 3 || argc > 4 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: notify-agent SOCKET LOG [METADATA]\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 4) < 0) {
		perror("notify-agent: listen");
		return 1;
	}
	agent_log = fopen(argv[2], "we");
	if (!agent_log) {
		perror("notify-agent: log");
		return 1;
	}
	child = fork();
	if (child < 0) {
		perror("notify-agent: fork");
		return 1;
	}
	if (child > 0) {
		printf("%d\n", (int)child); /* listening: the test can start callfence */
		return 0;
	}
	(void)setsid();
	/* stdout/stderr may be the test's pipe: do not keep the TAP stream open */
	{
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (null >= 0) {
			(void)dup2(null, 1);
			(void)dup2(null, 2);
			close(null);
		}
	}

	conn = accept4(s, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0 || receive(conn, buf, sizeof(buf), fds, &n_fds) < 0) {
		logline("error receive %s", strerror(errno));
		logline("done");
		return 1;
	}
	close(conn);
	close(s);
	logline("fds %d", n_fds);
	root = json_loads(buf, 0, &jerr);
	why = root ? check_state(root, argc == 4 ? argv[3] : NULL, &pid) : jerr.text;
	if (why)
		logline("state bad: %s (%s)", why, buf);
	else
		logline("state ok");
	json_decref(root);
	if (n_fds == 1)
		serve(fds[0], pid);
	logline("done");
	return 0;
}
