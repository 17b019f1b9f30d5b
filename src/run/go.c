/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The "go" pipe of --explain's backends: the forked child waits on it before its first step
 * until the parent has made it observable (ptrace-seized, or tracked by the eBPF observer), so
 * no call of the command can happen unobserved.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "run/run.h"

int cf_go_open(int go[2])
{
	go[0] = go[1] = -1;
	return pipe2(go, O_CLOEXEC) < 0 ? -errno : 0;
}

void cf_go_close(int go[2])
{
	for (int i = 0; i < 2; i++)
		if (go[i] >= 0) {
			(void)close(go[i]);
			go[i] = -1;
		}
}

void cf_go_wait(int go[2])
{
	char c;
	ssize_t n;

	(void)close(go[1]);
	do
		n = read(go[0], &c, 1);
	while (n < 0 && errno == EINTR);
	(void)close(go[0]);
	/* the parent could not make us observable: an --explain run must not run unobserved */
	if (n != 1)
		_exit(125);
}

void cf_go_parent_begin(int go[2])
{
	(void)close(go[0]);
	go[0] = -1;
}

int cf_go_send(int go[2], int r)
{
	if (r == 0 && write(go[1], "g", 1) != 1)
		r = -EIO;
	(void)close(go[1]);
	go[1] = -1;
	return r;
}
