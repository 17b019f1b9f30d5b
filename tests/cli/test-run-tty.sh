#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 9 §1.1 (bubblewrap CVE-2017-5226 class): a confined command pushes a line into the
# caller's terminal with ioctl(TIOCSTI); the caller's shell would run it after callfence
# exits. callfence's guard filter answers TIOCSTI/TIOCLINUX with EPERM. Interactive use keeps
# working: a shell under callfence gets typed input, ^C and ^Z/fg act on its jobs, and ^Z of
# callfence's own job stops it (the shell sees "Stopped") and fg resumes it. Terminals come
# from script(1).
# shellcheck source=tests/cli/test-run-lib.sh
. "$(dirname "$0")/test-run-lib.sh"
need_root
command -v script >/dev/null || skip_all "script(1) is not installed"
P=$PROBE

# the injector: pushes its argument byte by byte into fd 0's input queue
INJ="python3 -c 'import fcntl, sys, termios
for c in sys.argv[1].encode(): fcntl.ioctl(0, termios.TIOCSTI, bytes([c]))' "

# in_tty SCRIPT-LINES...: feed the lines (1 s apart) to an interactive bash in a pty
in_tty() {
	{
		sleep 1
		for l in "$@"; do
			printf '%s' "$l"
			sleep 1
		done
		printf 'exit\n'
	} | timeout -k 2 60 script -q -c "bash --norc --noprofile -i" /dev/null 2>&1
}

legacy=$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1)

in_tty "$CF run -- $INJ \$'touch $TMP/PWNED\\n'"$'\n' "sleep 2"$'\n' >"$TMP/inj.log"
[ ! -e "$TMP/PWNED" ]
ok $? "TIOCSTI from the confined command: nothing typed into the caller's shell"
grep -q "Operation not permitted" "$TMP/inj.log"
ok $? "TIOCSTI: the injector got EPERM from callfence's guard"

# negative twin: the same injector without callfence does inject (root: TIOCSTI works even
# with legacy_tiocsti=0, CAP_SYS_ADMIN)
if [ "$legacy" = 1 ] || [ "$(id -u)" = 0 ]; then
	in_tty "$INJ \$'touch $TMP/PWNED2\\n'"$'\n' "sleep 2"$'\n' >"$TMP/inj2.log"
	[ -e "$TMP/PWNED2" ]
	ok $? "twin: without callfence the injector types into the shell (the attack works)"
else
	skip "dev.tty.legacy_tiocsti=0 and not root: TIOCSTI refused by the kernel" "twin"
fi
# the guard also holds with CAP_SYS_ADMIN (where legacy_tiocsti=0 would not stop it)
in_tty "$CF run --cap-add SYS_ADMIN -- $INJ \$'touch $TMP/PWNED3\\n'"$'\n' "sleep 2"$'\n' >"$TMP/inj3.log"
[ ! -e "$TMP/PWNED3" ]
ok $? "TIOCSTI with --cap-add SYS_ADMIN: nothing typed"

# without a profile filter the guard stays when --user hands the terminal to another uid: the
# user nobody must not type into the root caller's shell
in_tty "$CF run --security-opt seccomp=unconfined --user 65534 -- $INJ \$'touch $TMP/PWNED4\\n'"$'\n' \
	"sleep 2"$'\n' >"$TMP/inj4.log"
[ ! -e "$TMP/PWNED4" ]
ok $? "seccomp=unconfined --user 65534: nothing typed into the caller's shell"
# twin: unconfined as the caller's own uid keeps Docker's "no filter at all"
"$CF" run --security-opt seccomp=unconfined -- grep -q "^Seccomp:[[:space:]]*0" /proc/self/status
ok $? "twin: seccomp=unconfined without --user installs no filter (Seccomp: 0, as Docker)"

# interactive shell under callfence: typed input, ^C interrupts, ^Z stops a job, fg resumes
in_tty "$CF run -- sh -i"$'\n' "echo typed-\$((20+22))"$'\n' "sleep 30"$'\n' $'\003' \
	"echo after-int"$'\n' "sleep 3; echo slept"$'\n' $'\032' "jobs"$'\n' "fg"$'\n' \
	"sleep 3"$'\n' "exit"$'\n' >"$TMP/sh.log"
rc=$?
ok $((rc == 124 || rc == 137)) "interactive sh under callfence ends (no hang, exit $rc)"
grep -q "typed-42" "$TMP/sh.log"
ok $? "interactive sh: typed input reaches it"
grep -q "after-int" "$TMP/sh.log"
ok $? "interactive sh: ^C interrupted the sleep and the shell went on"
grep -qi "stopped" "$TMP/sh.log" && grep -q "slept" "$TMP/sh.log"
ok $? "interactive sh: ^Z stopped the job, fg resumed it to the end"

# ^Z of callfence's own job: callfence stops with the command (bash reports it), fg resumes
in_tty "$CF run -- $P sleep:3"$'\n' $'\032' "echo after-stop"$'\n' "fg"$'\n' "sleep 4"$'\n' \
	"echo rc=\$?"$'\n' >"$TMP/job.log"
grep -qi "stopped" "$TMP/job.log"
ok $? "^Z: the shell sees callfence's job stopped"
grep -q "sleep done" "$TMP/job.log"
ok $? "fg: the command resumed and finished"
sed 's/^/#   /' "$TMP/job.log" | tail -5

done_testing
