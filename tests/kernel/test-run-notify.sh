#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# SCMP_ACT_NOTIFY under `callfence run`: the listener fd goes to the agent on listenerPath with
# the OCI container process state, as runc sends it, and the agent's answers are what the
# command sees. Negative twins: no agent => exit 125 and the command never ran.
# shellcheck source=tests/cli/test-run-lib.sh
. "$(dirname "$0")/../cli/test-run-lib.sh"
need_root

AGENT="${CF_NOTIFY_AGENT:-$CALLFENCE_BUILD_DIR/tests/kernel/notify-agent}"
[ -x "$AGENT" ] || skip_all "notify-agent not built at $AGENT"
P=$PROBE
AGENTS=()
# only the script's own shell: a job signalled before its exec is a fork that runs this trap
# too (see cleanup_tmp in test-run-lib.sh)
cleanup_agents() {
	[ "$BASHPID" = "$$" ] || return 0
	for a in "${AGENTS[@]}"; do kill "$a" 2>/dev/null; done
	cleanup_tmp
}
trap cleanup_agents EXIT

# profile FILE LISTENER [METADATA]: ALLOW by default, mkdir and mkdirat go to the agent
profile() {
	local meta=""
	[ $# -ge 3 ] && meta=$(printf ',\n "listenerMetadata": "%s"' "$3")
	cat >"$1" <<JSON
{
 "defaultAction": "SCMP_ACT_ALLOW",
 "listenerPath": "$2"$meta,
 "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY" } ]
}
JSON
}

# start_agent SOCKET LOG [METADATA]
start_agent() {
	local pid
	rm -f "$1" "$2"
	pid=$("$AGENT" "$@") || return 1
	AGENTS+=("$pid")
}

# wait_done LOG: the agent writes "done" once no task is left under the filter
wait_done() {
	local _
	for _ in $(seq 1 200); do
		grep -qx "done" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

SOCK=$TMP/agent.sock
LOG=$TMP/agent.log

# --- the agent decides mkdir (EROFS) and lets mkdirat run (CONTINUE) ------------------------
profile "$TMP/notify.json" "$SOCK"
start_agent "$SOCK" "$LOG"
run "$TMP/out" --security-opt "seccomp=$TMP/notify.json" "$P" mkdir mkdirat getpid fds
ok $rc "notify profile with an agent: the command ran (exit $rc)"
has "$TMP/out" "mkdir errno=EROFS"
ok $? "the agent's answer to mkdir (EROFS) is what the command sees"
has "$TMP/out" "mkdirat errno=EFAULT"
ok $? "the agent's CONTINUE lets mkdirat run in the kernel (EFAULT)"
has "$TMP/out" "getpid ok"
ok $? "syscalls without NOTIFY do not reach the agent"
has "$TMP/out" "fds 0,1,2"
ok $? "the listener fd (O_CLOEXEC) does not leak into the command"
wait_done "$LOG"
ok $? "the agent saw every task leave the filter (listener hung up)"
has "$LOG" "fds 1"
ok $? "one fd arrived in SCM_RIGHTS"
has "$LOG" "state ok"
ok $? "the container process state has runc's fields (ociVersion, fds, pid, state{...})"
grep -q "^state bad" "$LOG" && sed 's/^/#   /' "$LOG"
has "$LOG" "notif mkdir pid-match"
ok $? "the notification comes from the pid the state named"
has "$LOG" "notif mkdirat pid-match"
ok $? "mkdirat was notified too"
! grep -q "^notif other" "$LOG"
ok $? "no other syscall was notified"
[ -s "$TMP/out" ] || sed 's/^/#   /' "$TMP/out"

# twin without the agent's answer: the same probe unconfined runs mkdir in the kernel
expect "unconfined: mkdir reaches the kernel (EFAULT)" "mkdir errno=EFAULT" \
	--security-opt seccomp=unconfined "$P" mkdir

# --- listenerMetadata is passed through as "metadata" ---------------------------------------
profile "$TMP/notify-meta.json" "$SOCK" "tenant=blue"
start_agent "$SOCK" "$LOG" "tenant=blue"
expect "notify + listenerMetadata: the agent answers" "mkdir errno=EROFS" \
	--security-opt "seccomp=$TMP/notify-meta.json" "$P" mkdir
wait_done "$LOG"
has "$LOG" "state ok"
ok $? "the state carries listenerMetadata as metadata"
# twin: an agent expecting other metadata sees the difference
start_agent "$SOCK" "$LOG" "tenant=red"
run "$TMP/out" --security-opt "seccomp=$TMP/notify-meta.json" "$P" mkdir
wait_done "$LOG"
grep -q "^state bad: metadata differs" "$LOG"
ok $? "twin: a different metadata is detected by the agent"

# --- no-new-privileges: the filter goes in last, the handoff still happens -----------------
start_agent "$SOCK" "$LOG"
expect "notify + no-new-privileges: the agent answers mkdir" "mkdir errno=EROFS" \
	--security-opt "seccomp=$TMP/notify.json" --security-opt no-new-privileges "$P" mkdir
wait_done "$LOG"
has "$LOG" "state ok"
ok $? "notify + no-new-privileges: state ok"
start_agent "$SOCK" "$LOG"
expect "notify + --user 65534: the agent answers mkdir" "mkdir errno=EROFS" \
	--security-opt "seccomp=$TMP/notify.json" --user 65534 "$P" mkdir
wait_done "$LOG"

# --- negative twins: nobody listening => 125, the command never ran -------------------------
profile "$TMP/nobody.json" "$TMP/nobody.sock"
run "$TMP/out" --security-opt "seccomp=$TMP/nobody.json" "$P" getpid
[ "$rc" -eq 125 ]
ok $? "listenerPath pointing at nothing: exit 125 (got $rc)"
! grep -q "getpid" "$TMP/out"
ok $? "listenerPath pointing at nothing: the command never ran"
grep -q "listenerPath $TMP/nobody.sock: connect: No such file or directory" "$TMP/out"
ok $? "the message names listenerPath, the call and the errno"
: >"$TMP/plain"
profile "$TMP/plain.json" "$TMP/plain"
run "$TMP/out" --security-opt "seccomp=$TMP/plain.json" "$P" getpid
[ "$rc" -eq 125 ] && ! grep -q getpid "$TMP/out" && grep -q "Connection refused" "$TMP/out"
ok $? "listenerPath on a regular file: 125, ECONNREFUSED, nothing ran"

cat >"$TMP/nolistener.json" <<'JSON'
{ "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_NOTIFY" } ] }
JSON
run "$TMP/out" --security-opt "seccomp=$TMP/nolistener.json" "$P" getpid
[ "$rc" -eq 125 ] && ! grep -q getpid "$TMP/out" && grep -q "listenerPath" "$TMP/out"
ok $? "NOTIFY without listenerPath: 125 before anything runs"

# --- NOTIFY on a launcher step: refused before starting (the agent's answer is unknowable) ---
cat >"$TMP/notify-capset.json" <<JSON
{ "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "$SOCK",
  "syscalls": [ { "names": ["capset"], "action": "SCMP_ACT_NOTIFY" } ] }
JSON
start_agent "$SOCK" "$LOG"
run "$TMP/out" --security-opt "seccomp=$TMP/notify-capset.json" "$P" getpid
[ "$rc" -eq 125 ] && ! grep -q "getpid ok" "$TMP/out" &&
	grep -q "after installing the filter: capset (SCMP_ACT_NOTIFY" "$TMP/out"
ok $? "NOTIFY on capset without no-new-privileges: 125, names capset"
# twin: with no-new-privileges capset runs before the filter
expect "NOTIFY on capset + no-new-privileges: runs" "getpid ok" \
	--security-opt "seccomp=$TMP/notify-capset.json" --security-opt no-new-privileges "$P" getpid
wait_done "$LOG"
has "$LOG" "state ok"
ok $? "NOTIFY on capset + no-new-privileges: the agent got the state"

# --- the real peer: runc hands the fd to the same agent, with the same state and answers -----
if command -v runc >/dev/null && command -v python3 >/dev/null; then
	B=$TMP/bundle
	mkdir -p "$B/rootfs"
	cp "$P" "$B/rootfs/cf-probe"
	# runc_run NAME PROFILE-JSON: the probe in a bundle with that seccomp object
	runc_run() {
		(cd "$B" && rm -f config.json && runc spec) &&
			python3 - "$B/config.json" "$2" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"] = ["/cf-probe", "mkdir", "mkdirat", "getpid"]
c["process"]["terminal"] = False
c["root"]["readonly"] = True
c["linux"]["seccomp"] = json.load(open(sys.argv[2]))
json.dump(c, open(sys.argv[1], "w"))
PY
		timeout -k 5 30 runc run --bundle "$B" "$1" </dev/null >"$TMP/runc.out" 2>&1
		rc=$?
		runc delete -f "$1" >/dev/null 2>&1
	}
	start_agent "$SOCK" "$LOG" "tenant=blue"
	runc_run "cf-notify-$$" "$TMP/notify-meta.json"
	wait_done "$LOG"
	ok $((rc != 0)) "runc with the same agent: the container ran (exit $rc)"
	has "$LOG" "state ok"
	ok $? "runc's state passes the same agent checks as callfence's"
	grep -E "^(mkdir|mkdirat|getpid) " "$TMP/runc.out" >"$TMP/runc.lines"
	start_agent "$SOCK" "$LOG" "tenant=blue"
	run "$TMP/out" --security-opt "seccomp=$TMP/notify-meta.json" "$P" mkdir mkdirat getpid
	wait_done "$LOG"
	grep -E "^(mkdir|mkdirat|getpid) " "$TMP/out" >"$TMP/cf.lines"
	cmp -s "$TMP/runc.lines" "$TMP/cf.lines" && [ -s "$TMP/cf.lines" ]
	ok $? "runc and callfence: the probe sees the same answers from the agent"
	# twin: runc also refuses to start when nothing listens
	runc_run "cf-notify-$$" "$TMP/nobody.json"
	[ "$rc" -ne 0 ] && ! grep -q "getpid" "$TMP/runc.out" && grep -q "seccomp agent" "$TMP/runc.out"
	ok $? "runc without an agent on listenerPath: fails, the command never ran (as callfence)"
else
	skip "runc or python3 missing" "runc with the same agent"
fi

# --- --explain cannot supervise a notify filter: refused with a message ----------------------
start_agent "$SOCK" "$LOG"
run "$TMP/out" --explain --security-opt "seccomp=$TMP/notify.json" "$P" getpid
[ "$rc" -eq 125 ] && ! grep -q getpid "$TMP/out" && grep -q "SCMP_ACT_NOTIFY" "$TMP/out"
ok $? "--explain with a NOTIFY profile: refused (125) with a message"
run "$TMP/out" --complain --security-opt "seccomp=$TMP/notify.json" "$P" getpid
[ "$rc" -eq 125 ] && ! grep -q getpid "$TMP/out"
ok $? "--complain with a NOTIFY profile: refused (125)"
# twin: --explain on a profile without NOTIFY still runs
expect "--explain without NOTIFY still runs" "getpid ok" --explain "$P" getpid

# An agent that never accepts, its backlog (0) already full: callfence used to block in
# connect() forever, deaf to SIGTERM, while its child spun and outlived kill -9. Now the
# handoff is bounded (10 s), SIGTERM ends the wait, and the waiting child dies with callfence.
# stuck_agent SOCK: listen with backlog 0, fill it with one connection, never accept
stuck_agent() {
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(0)
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.connect(sys.argv[1])
print("ready", flush=True)
time.sleep(120)' "$1" >"$TMP/stuck.out" &
	stuck=$!
	for _ in $(seq 50); do grep -q ready "$TMP/stuck.out" && break; sleep 0.1; done
}
stuck_agent "$TMP/stuck.sock"
profile "$TMP/stuck.json" "$TMP/stuck.sock"
timeout -k 2 40 "$CF" run --security-opt "seccomp=$TMP/stuck.json" -- "$P" getpid >"$TMP/out" 2>&1 &
cf=$!
sleep 1
kids=$(pgrep -P "$cf")
wait "$cf"
rc=$?
ok $((rc != 125)) "agent never accepts: exit 125 after the timeout (got $rc)"
grep -q "listenerPath $TMP/stuck.sock: connect: Connection timed out" "$TMP/out"
ok $? "agent never accepts: the message says connect timed out"
! grep -q "getpid ok" "$TMP/out"
ok $? "agent never accepts: the command never ran"
left=0
for k in $kids; do [ -d "/proc/$k" ] && left=1; done
ok $left "agent never accepts: no child left (was: ${kids:-none})"

# wait_kids PID: up to 20 s until PID has a child (callfence has forked the command: the
# signal that follows is callfence's, not its shell fork's); sets $kids
wait_kids() {
	for _ in $(seq 200); do
		kids=$(pgrep -P "$1") && return 0
		sleep 0.1
	done
	echo "# pid $1 has no child after 20 s"
	return 1
}

# SIGTERM while waiting: ends the wait at once, 128+15, nothing ran
"$CF" run --security-opt "seccomp=$TMP/stuck.json" -- "$P" getpid >"$TMP/out" 2>&1 &
cf=$!
wait_kids "$cf"
kill -TERM "$cf"
timeout 20 tail --pid="$cf" -f /dev/null 2>/dev/null
ok $? "SIGTERM while waiting for the agent: callfence ends"
wait "$cf"
rc=$?
ok $((rc != 143)) "SIGTERM while waiting for the agent: exit 143 (got $rc)"
left=0
for k in $kids; do [ -d "/proc/$k" ] && left=1; done
ok $left "SIGTERM while waiting: no child left"

# kill -9 of callfence while waiting: its child dies with it (PR_SET_PDEATHSIG)
for opt in "" "--security-opt no-new-privileges --user 65534"; do
	# shellcheck disable=SC2086 # optional words
	"$CF" run $opt --security-opt "seccomp=$TMP/stuck.json" -- "$P" getpid >"$TMP/out" 2>&1 &
	cf=$!
	wait_kids "$cf"
	kill -KILL "$cf"
	wait "$cf" 2>/dev/null
	left=0
	for k in $kids; do
		for _ in $(seq 20); do [ -d "/proc/$k" ] || break; sleep 0.1; done
		[ -d "/proc/$k" ] && left=1 && kill -KILL "$k"
	done
	ok $left "kill -9 of callfence while waiting ${opt:+($opt)}: no child left (was: ${kids:-none})"
done
kill "$stuck" 2>/dev/null

done_testing
