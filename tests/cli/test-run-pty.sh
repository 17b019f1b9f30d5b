#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 12: run -t/--tty. The command gets its own pseudo-terminal (tty names a new /dev/pts/N),
# the caller's window size and its changes, the caller's terminal is raw while it runs and
# restored after, the exit status is the command's, stdin's EOF ends a canonical reader, and
# TIOCSTI from the command lands in its own pty, never in the caller's terminal (with the guard
# filter out of the way: --privileged installs none). The caller's terminal is a pty of
# tests/cli/pty-harness.py, with callfence as its session leader, as under a terminal emulator.
# shellcheck source=tests/cli/test-run-lib.sh
. "$(dirname "$0")/test-run-lib.sh"
need_root
command -v python3 >/dev/null || skip_all "python3 is not installed"
H=(python3 "$CALLFENCE_SOURCE_DIR/tests/cli/pty-harness.py")

# field FILE NAME: the harness's fact NAME
field() { sed -n "s/^$2 //p" "$1" | head -1; }
# output FILE: what the command wrote
output() { sed '1,/^output:$/d' "$1"; }

"${H[@]}" --size 33 77 -- "$CF" run -t -- sh -c 'tty; stty size' >"$TMP/t1"
mine=$(field "$TMP/t1" harness-tty)
theirs=$(output "$TMP/t1" | head -1)
[[ "$theirs" == /dev/pts/* ]] && [ "$theirs" != "$mine" ]
ok $? "-t: the command's tty is a new pty ($theirs), not the caller's ($mine)"
output "$TMP/t1" | grep -qx "33 77"
ok $? "-t: the pty has the caller's window size (33 77)"
"${H[@]}" --size 33 77 -- "$CF" run -- tty >"$TMP/t2"
[ "$(output "$TMP/t2" | head -1)" = "$(field "$TMP/t2" harness-tty)" ]
ok $? "twin: without -t the command is on the caller's terminal"
echo | "$CF" run -t -- tty >"$TMP/t3" 2>&1
grep -q "^/dev/pts/" "$TMP/t3"
ok $? "-t from a pipe: still a pty ($(grep -m1 "^/dev/pts/" "$TMP/t3"))"
echo | "$CF" run -- tty >"$TMP/t4" 2>&1
grep -qx "not a tty" "$TMP/t4"
ok $? "twin: without -t from a pipe: not a tty"

# SIGWINCH on the caller's terminal -> TIOCSWINSZ on the pty -> SIGWINCH to the command
"${H[@]}" --size 33 77 --resize-after READY 40 100 -- "$CF" run -t -- \
	sh -c 'trap "stty size; exit 0" WINCH; echo READY; while :; do sleep 0.1; done' >"$TMP/w"
output "$TMP/w" | grep -qx "40 100"
ok $? "-t: a window-size change reaches the command (40 100)"
[ "$(field "$TMP/w" raw-during)" = 1 ]
ok $? "-t: the caller's terminal is raw while the command runs"
[ "$(field "$TMP/w" restored)" = 1 ]
ok $? "-t: the caller's terminal settings are restored after"
"${H[@]}" --resize-after READY 40 100 -- "$CF" run -- \
	sh -c 'echo READY; sleep 1' >"$TMP/w2"
[ "$(field "$TMP/w2" raw-during)" = 0 ]
ok $? "twin: without -t the caller's terminal stays as it was (not raw)"

# exit status, killed by a signal, the terminal restored on each
"${H[@]}" -- "$CF" run -t -- sh -c 'exit 7' >"$TMP/e1"
[ "$(field "$TMP/e1" exit)" = 7 ] && [ "$(field "$TMP/e1" restored)" = 1 ]
ok $? "-t: exit status 7 kept, terminal restored"
"${H[@]}" -- "$CF" run -t -- sh -c 'kill -TERM $$' >"$TMP/e2"
[ "$(field "$TMP/e2" exit)" = 143 ] && [ "$(field "$TMP/e2" restored)" = 1 ]
ok $? "-t: killed by SIGTERM: 143, terminal restored"
"${H[@]}" -- "$CF" run -t -- /nonexistent/cmd >"$TMP/e3"
[ "$(field "$TMP/e3" exit)" = 127 ] && [ "$(field "$TMP/e3" restored)" = 1 ]
ok $? "-t: command not found: 127, terminal untouched"
"${H[@]}" -- "$CF" run -t --security-opt seccomp="$PROFILES/deny-execve.json" -- true >"$TMP/e4"
[ "$(field "$TMP/e4" exit)" = 125 ] || [ "$(field "$TMP/e4" exit)" = 126 ]
ok $? "-t: a failure before the command: $(field "$TMP/e4" exit), terminal restored: $(field "$TMP/e4" restored)"

# stdin's EOF: a canonical reader (cat) ends
printf 'abc\n' | timeout -k 2 20 "$CF" run -t -- cat >"$TMP/eof" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "abc" "$TMP/eof"
ok $? "-t with a pipe on stdin: cat reads it and ends at EOF (exit $rc)"

# --user: the pty is given to the command's user (runc's fixStdioPermissions), the caller's
# terminal never is
"${H[@]}" -- "$CF" run -t --user 65534 -- sh -c 'echo reopened >"$(tty)" && echo wrote' >"$TMP/u1"
output "$TMP/u1" | grep -qx "wrote"
ok $? "-t --user 65534: the command can reopen its own pty by path"
"${H[@]}" -- "$CF" run --user 65534 -- sh -c 'stat -c %u "$(tty)"' >"$TMP/u2"
[ "$(output "$TMP/u2" | tail -1)" = 0 ]
ok $? "twin: without -t the caller's terminal keeps its owner (uid $(output "$TMP/u2" | tail -1))"

# terminal injection: with the guard out of the way (--privileged installs no filter), the
# command's TIOCSTI succeeds but lands in its own pty
INJ='import fcntl, termios
f = open("/dev/tty", "rb", buffering=0)
for c in b"touch PWNED\n": fcntl.ioctl(f.fileno(), termios.TIOCSTI, bytes([c]))
print("tiocsti-ok")'
"${H[@]}" -- "$CF" run -t --privileged -- python3 -c "$INJ" >"$TMP/i1"
output "$TMP/i1" | grep -q "tiocsti-ok" && [ "$(field "$TMP/i1" injected)" = 0 ]
ok $? "-t: TIOCSTI from the command works on its own pty and nothing reaches the caller's terminal"
"${H[@]}" -- "$CF" run --privileged -- python3 -c "$INJ" >"$TMP/i2"
[ "$(field "$TMP/i2" injected)" -gt 0 ]
ok $? "twin: without -t (and without the guard) the same TIOCSTI types $(field "$TMP/i2" injected) bytes into the caller's terminal"

done_testing
