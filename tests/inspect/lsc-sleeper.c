/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lsc-sleeper: installs a filter built by libseccomp (not by callfence), says "ready" and
 * sleeps, for `callfence inspect` to read. The rules, printed first as lines
 * "rule NAME ACTION ERRNO conditional|unconditional", are what the test compares with:
 *   default ALLOW; mkdir ERRNO(EACCES); kcmp KILL_PROCESS; personality ERRNO(EPERM) when
 *   arg0 == 4; socket ERRNO(EAFNOSUPPORT) when arg0 == AF_PACKET (17); getppid LOG.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r = 0;

	if (!ctx)
		return 2;
	r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(mkdir), 0);
	r |= seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(kcmp), 0);
	r |= seccomp_rule_add(
		ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(personality), 1,
		(struct scmp_arg_cmp){ .arg = 0, .op = SCMP_CMP_EQ, .datum_a = 4, .datum_b = 0 });
	r |= seccomp_rule_add(
		ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
		(struct scmp_arg_cmp){ .arg = 0, .op = SCMP_CMP_EQ, .datum_a = 17, .datum_b = 0 });
	r |= seccomp_rule_add(ctx, SCMP_ACT_LOG, SCMP_SYS(getppid), 0);
	if (r)
		return 3;
	printf("rule mkdir SCMP_ACT_ERRNO %d unconditional\n", EACCES);
	printf("rule kcmp SCMP_ACT_KILL_PROCESS 0 unconditional\n");
	printf("rule personality SCMP_ACT_ALLOW 0 conditional\n");
	printf("rule socket SCMP_ACT_ALLOW 0 conditional\n");
	printf("rule getppid SCMP_ACT_LOG 0 unconditional\n");
	printf("rule getpid SCMP_ACT_ALLOW 0 unconditional\n");
	fflush(stdout);
	if (seccomp_load(ctx) < 0)
		return 4;
	seccomp_release(ctx);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
