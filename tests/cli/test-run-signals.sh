#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# callfence run supervises the command: signals sent to callfence reach it, its death by a
# signal becomes 128+N, a stop of the job stops callfence too, and what callfence raised itself
# (SIGPIPE) or what was sent to the command alone (SIGSTOP) is not forwarded or mirrored.
# shellcheck source=tests/cli/test-run-lib.sh
. "$(dirname "$0")/test-run-lib.sh"
need_root

P=$PROBE

# wait_line FILE LINE: up to 10 s for the probe to reach a point
wait_line() {
	for _ in $(seq 100); do
		grep -qxF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# start the probe under callfence in the background; it reports "getpid ok" then sleeps.
# bash starts background commands of a non-interactive shell with SIGINT and SIGQUIT ignored,
# and an exec'd program inherits that: reset them so the forwarded signal can act.
start() {
	env --default-signal=INT,QUIT "$CF" run "$P" getpid sleep:20 >"$TMP/bg" 2>&1 &
	cf_pid=$!
	wait_line "$TMP/bg" "getpid ok"
}

for sig in TERM HUP USR1 INT QUIT; do
	start
	kill -"$sig" "$cf_pid"
	wait "$cf_pid"
	rc=$?
	num=$(kill -l "$sig")
	ok $((rc != 128 + num)) "SIG$sig sent to callfence reaches the command (exit $rc = 128+$num)"
	! grep -qxF "sleep done" "$TMP/bg"
	ok $? "SIG$sig: the command did not finish its sleep"
done

# an ignored signal stays ignored: callfence passes the caller's dispositions through
"$CF" run "$P" getpid sleep:1 >"$TMP/bg" 2>&1 &
cf_pid=$!
wait_line "$TMP/bg" "getpid ok"
kill -INT "$cf_pid"
wait "$cf_pid"
ok $? "SIGINT ignored by the caller (background job): the command keeps running, exit 0"

# a caller that ignores SIGCHLD: callfence must still see the command end, and the command
# inherits the ignored disposition like any exec'd program
timeout -k 2 20 env --ignore-signal=CHLD "$CF" run grep SigIgn /proc/self/status >"$TMP/out" 2>&1
ok $? "SIGCHLD ignored by the caller: callfence still returns the status"
has "$TMP/out" "$(env --ignore-signal=CHLD grep SigIgn /proc/self/status)"
ok $? "SIGCHLD ignored by the caller: the command inherits SIG_IGN (SigIgn as without callfence)"
"$CF" run grep SigIgn /proc/self/status >"$TMP/out" 2>&1
! has "$TMP/out" "$(env --ignore-signal=CHLD grep SigIgn /proc/self/status)"
ok $? "twin: without it the command's SigIgn differs"

# twin: without a signal the command finishes normally
"$CF" run "$P" sleep:1 >"$TMP/out" 2>&1
ok $(($? != 0)) "no signal: exit 0"
has "$TMP/out" "sleep done"
ok $? "no signal: the sleep finished"

# state PID: the process state letter (T when stopped)
state() { awk '{print $3}' /proc/"$1"/stat 2>/dev/null; }
# wait_state PID LETTER: up to 5 s
wait_state() {
	for _ in $(seq 50); do
		[ "$(state "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# A SIGSTOP sent to the command alone (kill -STOP of its pid) is not the job's: callfence
# keeps waiting, sees it continue, and returns its status. (Before: callfence stopped itself
# and nobody resumed it, so the status was never reaped.)
env --default-signal=INT,QUIT "$CF" run "$P" getpid sleep:2 >"$TMP/bg" 2>&1 &
cf_pid=$!
wait_line "$TMP/bg" "getpid ok"
child=$(pgrep -P "$cf_pid" | head -1)
kill -STOP "$child"
wait_state "$child" T
ok $? "kill -STOP of the command: the command stopped"
sleep 0.5 # callfence has had its SIGCHLD
[ "$(state "$cf_pid")" != T ]
ok $? "kill -STOP of the command: callfence did not stop with it (state $(state "$cf_pid"))"
kill -CONT "$child"
timeout 20 tail --pid="$cf_pid" -f /dev/null 2>/dev/null
ok $? "kill -CONT of the command: callfence ends (no hang)"
wait "$cf_pid"
rc=$?
ok $((rc != 0)) "kill -STOP/-CONT of the command from outside: exit status 0 (got $rc)"
has "$TMP/bg" "sleep done"
ok $? "kill -STOP/-CONT of the command: the command finished"

# The twin (a stop of the job through the terminal, ^Z, stops callfence too and `fg`
# resumes both) needs a terminal with job control: tests/cli/test-run-tty.py. Here the
# process group may be orphaned, where the kernel discards SIGTSTP.
start
kill -TERM "$cf_pid"
wait "$cf_pid"
ok $(($? != 143)) "SIGTERM ends it: 143"

# callfence's own SIGPIPE is not the command's: stderr is a pipe nobody reads, --explain
# writes a report there while the command runs. (Before: the kernel's SIGPIPE for that write,
# queued while callfence waited, was forwarded and the command died with 141.)
if "$CF" run --explain -- true 2>/dev/null; then
	"$CF" run --explain -- "$P" sleep:1 mbind exit:3 2>&1 >"$TMP/pipe.out" | true
	rc=${PIPESTATUS[0]}
	ok $((rc != 3)) "stderr closed under --explain: the command's status 3, not 141 (got $rc)"
	has "$TMP/pipe.out" "mbind errno=EPERM"
	ok $? "stderr closed under --explain: the command ran past the reported call"
	# twin: a SIGPIPE someone sends to callfence is forwarded like any signal
	env --default-signal=PIPE "$CF" run "$P" getpid sleep:20 >"$TMP/bg" 2>&1 &
	cf_pid=$!
	wait_line "$TMP/bg" "getpid ok"
	kill -PIPE "$cf_pid"
	wait "$cf_pid"
	rc=$?
	ok $((rc != 141)) "twin: SIGPIPE sent to callfence reaches the command (exit $rc = 141)"
else
	skip "--explain cannot run here (ptrace)" "stderr closed under --explain: status kept"
	skip "--explain cannot run here (ptrace)" "stderr closed under --explain: command ran on"
	skip "--explain cannot run here (ptrace)" "twin: SIGPIPE sent to callfence is forwarded"
fi

# the command's own pid is not callfence's: callfence is a supervising parent
start
child=$(pgrep -P "$cf_pid" | head -1)
[ -n "$child" ] && [ "$child" != "$cf_pid" ]
ok $? "the command runs as a child of callfence"
kill -KILL "$child"
wait "$cf_pid"
ok $(($? != 137)) "SIGKILL of the command: callfence exits 137"

done_testing
