#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# callfence run supervises the command: signals sent to callfence reach it, its death by a
# signal becomes 128+N, and a stop of the command stops callfence too.
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

# a stop of the command stops callfence (the shell sees the job stop); SIGCONT resumes both
start
child=$(pgrep -P "$cf_pid" | head -1)
kill -STOP "$child"
stopped=1
for _ in $(seq 50); do
	if [ "$(awk '{print $3}' /proc/"$cf_pid"/stat 2>/dev/null)" = T ]; then
		stopped=0
		break
	fi
	sleep 0.1
done
ok $stopped "the command stopped: callfence stopped too"
kill -CONT "$cf_pid"
sleep 0.3
state=$(awk '{print $3}' /proc/"$child"/stat 2>/dev/null)
[ "$state" != T ]
ok $? "SIGCONT to callfence resumes the command (state $state)"
kill -TERM "$cf_pid"
wait "$cf_pid"
ok $(($? != 143)) "then SIGTERM ends it: 143"

# the command's own pid is not callfence's: callfence is a supervising parent
start
child=$(pgrep -P "$cf_pid" | head -1)
[ -n "$child" ] && [ "$child" != "$cf_pid" ]
ok $? "the command runs as a child of callfence"
kill -KILL "$child"
wait "$cf_pid"
ok $(($? != 137)) "SIGKILL of the command: callfence exits 137"

done_testing
