#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# callfence run --explain / --complain: live reports with the right pid/tid, KILL and TRAP,
# threads and children, JSON, --explain-out, and that the program sees exactly what it sees
# without --explain (same output, same errno, same exit status, same signals).
CF=${1:?usage: test-run-explain.sh CALLFENCE PROBE}
P=${2:?usage: test-run-explain.sh CALLFENCE PROBE}
. "$(dirname "$0")/tap.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

if [ "$(uname -m)" != x86_64 ]; then
	echo "1..0 # SKIP the supervisor reads x86_64 registers"
	exit 0
fi
if ! "$CF" run --explain -- /bin/true 2>"$W/pre"; then
	if grep -q "ptrace is not permitted" "$W/pre"; then
		echo "1..0 # SKIP ptrace is not permitted here"
		exit 0
	fi
fi

# one rule per action kind (shared with the other explain test)
cp "$(dirname "$0")/every-action.json" "$W/kt.json"

# same: run the probe with and without OPTS, compare stdout (pids masked) and exit status
same() { # same NAME "CF OPTIONS" PROBE-ARGS...
	name=$1
	opts=$2
	shift 2
	# shellcheck disable=SC2086
	"$CF" run $opts -- "$P" "$@" >"$W/$name.plain" 2>"$W/$name.plain.err"
	echo "exit $?" >>"$W/$name.plain"
	# shellcheck disable=SC2086
	"$CF" run --explain $opts -- "$P" "$@" >"$W/$name.out" 2>"$W/$name.err"
	echo "exit $?" >>"$W/$name.out"
	sed -E 's/(pid|tid|child) [0-9]+/\1 N/g; s/= [0-9]{3,}/= N/' "$W/$name.plain" >"$W/$name.a"
	sed -E 's/(pid|tid|child) [0-9]+/\1 N/g; s/= [0-9]{3,}/= N/' "$W/$name.out" >"$W/$name.b"
	cmp -s "$W/$name.a" "$W/$name.b" || { diff "$W/$name.a" "$W/$name.b" | sed 's/^/# /' >&2; return 1; }
}

# --- the seed story live: mbind under builtin
same mbind "" mbind exit:3
ok "mbind: same output and exit status with --explain" eq $? 0
ok "mbind: errno 1 and exit 3 both times" has "$W/mbind.out" "mbind = -1 errno=1"
ok "mbind: exit status 3 kept" has "$W/mbind.out" "exit 3"
ok "mbind: reported with the call" grep -qE "^callfence: pid [0-9]+: mbind\(0, 0, MPOL_DEFAULT, 0, 0, 0\) -> EPERM \[default action, no rule matched\] fix: --cap-add SYS_NICE" "$W/mbind.err"
ok "mbind: the inactive rule" has "$W/mbind.err" "builtin:rule #29: inactive: includes.caps CAP_SYS_NICE is not held"
ok "mbind: summary fix set" has "$W/mbind.err" "callfence: smallest fix: --cap-add SYS_NICE"
ok "mbind: summary verified" has "$W/mbind.err" "verified: with this, every call above is allowed"
pid=$(sed -nE 's/^\[pid ([0-9]+) .*mbind.*/\1/p' "$W/mbind.out")
ok "mbind: attributed to the probe's pid" grep -q "^callfence: pid $pid: mbind" "$W/mbind.err"
ok "mbind: without --explain nothing is reported" hasnt "$W/mbind.plain.err" "callfence: pid"

# negative twin: only allowed calls -> no report, same result
same allowed "" getpid uname
ok "allowed calls: same output" eq $? 0
ok "allowed calls: nothing reported" hasnt "$W/allowed.err" "callfence: pid"
ok "allowed calls: summary says so" has "$W/allowed.err" "no call was denied"

# --- argument-gated rule: personality 0x8 allowed, 0x4 denied with the mismatch
same pers "" personality:0x4 personality:0x8 personality:0xffffffff
ok "personality: same results" eq $? 0
ok "personality 0x4 reported" has "$W/pers.err" "personality(0x4) -> EPERM"
ok "personality 0x8 not reported" hasnt "$W/pers.err" "personality(PER_LINUX32)"
ok "personality: mismatch explained" has "$W/pers.err" "argument mismatch: needs arg0 == 0x8 (arg0 is 0x4)"
ok "personality: argument rule fix" has "$W/pers.err" '"args": [{"index": 0, "value": 4, "op": "SCMP_CMP_EQ"}]'

# --- socket AF_ALG with its warning
same alg "" socket:38:5:0 socket:2:1:0
ok "socket: same results" eq $? 0
ok "socket AF_ALG reported" has "$W/alg.err" "socket(AF_ALG, SOCK_SEQPACKET, 0) -> EPERM"
ok "socket AF_ALG: warning" has "$W/alg.err" "WARNING: that fix opens AF_ALG"
ok "socket AF_INET (twin) not reported" hasnt "$W/alg.err" "socket(AF_INET"

# --- threads and children: the right pid and tid
same thr "" thread:mbind fork:mbind
ok "thread+fork: same results" eq $? 0
tpid=$(sed -nE '1s/^\[pid ([0-9]+) tid ([0-9]+)\].*/\1/p' "$W/thr.out")
ttid=$(sed -nE '1s/^\[pid ([0-9]+) tid ([0-9]+)\].*/\2/p' "$W/thr.out")
cpid=$(sed -nE '2s/^\[pid ([0-9]+) .*/\1/p' "$W/thr.out")
ok "thread: tid differs from pid" sh -c "[ -n '$ttid' ] && [ '$ttid' != '$tpid' ]"
ok "thread: reported as pid (thread tid)" grep -q "^callfence: pid $tpid (thread $ttid): mbind" "$W/thr.err"
ok "child: reported with the child's pid" grep -q "^callfence: pid $cpid: mbind" "$W/thr.err"
ok "child: the child is not the parent" sh -c "[ -n '$cpid' ] && [ '$cpid' != '$tpid' ]"
ok "summary: one distinct denial, two calls, both pids" grep -qE "mbind -> EPERM x2 \(pid ($tpid,$cpid|$cpid,$tpid)\)" "$W/thr.err"

ok "thread: glibc's clone3 gets Docker's ENOSYS: no live line" sh -c "! grep -qE '^callfence: pid [0-9]+.*: clone3' '$W/thr.err'"
ok "thread: ... but one summary line, by design" grep -qE "^callfence:   clone3 -> ENOSYS x[0-9]+: by design, libc falls back to clone \[builtin:rule #[0-9]+\]$" "$W/thr.err"
ok "thread: the deliberate ENOSYS stays out of the fix set" has "$W/thr.err" "callfence: smallest fix: --cap-add SYS_NICE"
ok "thread: no CAP_SYS_ADMIN in the fix set (twin)" hasnt "$W/thr.err" "smallest fix: --cap-add SYS_ADMIN"

# --- KILL_PROCESS: reported before the process dies, status unchanged (128+SIGSYS)
same kill "--security-opt seccomp=$W/kt.json" getpid getppid getpid
ok "KILL_PROCESS: same output and status" eq $? 0
ok "KILL_PROCESS: died of SIGSYS (159)" has "$W/kill.out" "exit 159"
ok "KILL_PROCESS: the call after it never ran" sh -c "[ \$(grep -c 'getpid =' '$W/kill.out') -eq 1 ]"
ok "KILL_PROCESS: reported" has "$W/kill.err" "getppid() -> SIGSYS (kills the process)"
ok "KILL_PROCESS: rule named by file:line" has "$W/kill.err" "kt.json:3:3 (rule #0)"
# twin
same nokill "--security-opt seccomp=$W/kt.json" getpid
ok "no KILL (twin): exit 0, nothing reported" sh -c "grep -q 'exit 0' '$W/nokill.out' && ! grep -q 'callfence: pid' '$W/nokill.err'"

# --- KILL_THREAD in a thread: the thread dies, the process goes on
same killt "--security-opt seccomp=$W/kt.json" thread:getsid getpid
ok "KILL_THREAD: same output and status" eq $? 0
ok "KILL_THREAD: process went on" has "$W/killt.out" "getpid ="
ok "KILL_THREAD: reported with the thread" grep -qE "^callfence: pid [0-9]+ \(thread [0-9]+\): getsid\(0\) -> SIGSYS \(kills the thread\)" "$W/killt.err"

# --- TRAP: the program's handler sees the same SIGSYS
same trap "--security-opt seccomp=$W/kt.json" trap getpgrp getpid
ok "TRAP: same output (handler saw the same siginfo)" eq $? 0
ok "TRAP: handler ran" has "$W/trap.out" "SIGSYS syscall=111 code=1"
ok "TRAP: reported" has "$W/trap.err" "getpgrp() -> SIGSYS (trap)"
same trapdie "--security-opt seccomp=$W/kt.json" getpgrp
ok "TRAP without handler: same death (159)" sh -c "[ \$? -eq 0 ] && grep -q 'exit 159' '$W/trapdie.out'"

# --- ERRNO with errnoRet and the profile's own TRACE (no tracer: ENOSYS)
same errno "--security-opt seccomp=$W/kt.json" mkdir:0 uname
ok "errnoRet 13 and TRACE->ENOSYS: same results" eq $? 0
ok "mkdir: EACCES" has "$W/errno.out" "mkdir = -1 errno=13"
ok "uname: ENOSYS" has "$W/errno.out" "uname = -1 errno=38"
ok "mkdir: the fix removes it from the denying rule" has "$W/errno.err" 'remove "mkdir" from'

# --- an i386 caller (int $0x80) under the x86_64 profile: i386 mbind is 274
# (a machine-class skip where this kernel cannot run int $0x80: tests/lib/int80.sh)
. "$(dirname "$0")/../lib/int80.sh"
int80_check
i386_ok() {
	if [ -n "$INT80_SKIP" ]; then skip "$1" "$INT80_SKIP"; else ok "$@"; fi
}
[ -n "$INT80_SKIP" ] || same i386 "" int80:274 int80:20
i386_ok "i386 caller: same results" eq $? 0
i386_ok "i386 caller: EPERM (-1)" has "$W/i386.out" "int80:274 = -1"
i386_ok "i386 caller: reported as mbind" grep -qE "mbind\(0, 0, MPOL_DEFAULT, 0, [^)]*\) -> EPERM" "$W/i386.err"
i386_ok "i386 getpid (twin): not reported" sh -c "[ \$(grep -c 'callfence: pid' '$W/i386.err') -eq 1 ]"

# --- paths are read from the process for the report
cat >"$W/nomkdir.json" <<'J'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 30}]}
J
same path "--security-opt seccomp=$W/nomkdir.json" "mkdirp:$W/newdir"
ok "path: same results (EROFS)" eq $? 0
ok "path: the path is in the report" has "$W/path.err" "mkdir(\"$W/newdir\", 0755) -> EROFS"
ok "path: the directory was not created" test ! -e "$W/newdir"

# --- JSON lines
"$CF" run --explain=json -- "$P" mbind fork:mbind >"$W/j.out" 2>"$W/j.err"
ok "json: exit 0" eq $? 0
ok "json: every stderr line is JSON with an event" python3 -c "
import json
ev=[json.loads(l) for l in open('$W/j.err') if l.strip()]
d=[e for e in ev if e['event']=='denial']
s=[e for e in ev if e['event']=='summary']
assert len(d)==2 and len(s)==1, ev
assert d[0]['syscall']=='mbind' and d[0]['errno_name']=='EPERM' and d[0]['result']=='denied'
assert d[0]['pid']!=d[1]['pid']
assert d[0]['fixes'][0]['cap']=='CAP_SYS_NICE'
assert s[0]['cap_add']==['SYS_NICE'] and s[0]['verified'] is True and s[0]['denials'][0]['count']==2
"

# --- --explain-out: the patched profile fixes what was denied
"$CF" run --explain --explain-out "$W/fixed.json" -- "$P" socket:38:5:0 mkdir:0 >/dev/null 2>"$W/o.err"
ok "explain-out: written" test -s "$W/fixed.json"
ok "explain-out: summary names the file" has "$W/o.err" "written to $W/fixed.json"
"$CF" run --explain --security-opt seccomp="$W/fixed.json" -- "$P" socket:38:5:0 >"$W/o2.out" 2>"$W/o2.err"
ok "explain-out: with it, AF_ALG is no longer denied" has "$W/o2.err" "no call was denied"
"$CF" run --explain --security-opt seccomp="$W/fixed.json" -- "$P" socket:40:5:0 >"$W/o3.out" 2>"$W/o3.err"
ok "explain-out twin: AF_VSOCK still denied" has "$W/o3.err" "socket(AF_VSOCK"

# --- --complain: reported but allowed
"$CF" run --complain --security-opt seccomp="$W/kt.json" -- "$P" mkdir:0 getppid getpid >"$W/c.out" 2>"$W/c.err"
ok "complain: exit 0 (KILL did not kill)" eq $? 0
ok "complain: mkdir ran in the kernel (EFAULT, not EACCES)" has "$W/c.out" "mkdir = -1 errno=14"
ok "complain: getppid ran" grep -q "getppid = [0-9]" "$W/c.out"
ok "complain: reported as would-be denials" has "$W/c.err" "mkdir(0, 0) would get EACCES"
ok "complain: kill reported" has "$W/c.err" "getppid() would get SIGSYS (kills the process)"

# --- errors
"$CF" run --explain=xml -- /bin/true >/dev/null 2>"$W/e1"
ok "bad --explain value: 125" eq $? 125
"$CF" run --explain --security-opt seccomp=unconfined -- /bin/true >/dev/null 2>"$W/e2"
ok "unconfined: runs, says nothing can be denied" sh -c "[ \$? -eq 0 ] && grep -q 'seccomp is disabled' '$W/e2'"

done_testing
