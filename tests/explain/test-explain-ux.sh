#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run --explain for people (issue 12), on both backends: the same lines from the eBPF observer
# and the ptrace supervisor. By-design answers (Docker's clone3 -> ENOSYS, glibc falls back)
# are one summary line, not a stream; arguments are decoded; the live fix and the summary's
# fix agree; a bad-arch kill recommends the architecture; --explain-log writes the JSON lines
# to a file or a FIFO; --explain-out says when the fix is a capability.
CF=${1:?usage: test-explain-ux.sh CALLFENCE PROBE}
P=${2:?usage: test-explain-ux.sh CALLFENCE PROBE}
. "$(dirname "$0")/tap.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1

if [ "$(uname -m)" != x86_64 ]; then
	echo "1..0 # SKIP the supervisor reads x86_64 registers"
	exit 0
fi
backends=ptrace
if "$CF" run --explain --explain-backend=ebpf -- /bin/true 2>"$W/pre"; then
	backends="ebpf ptrace"
else
	echo "# SKIP eBPF backend: $(head -n1 "$W/pre")"
fi
PY=$(command -v python3)

run() { # run BACKEND NAME "OPTIONS" CMD...: stderr to NAME.BACKEND.err, stdout+status to .out
	b=$1 name=$2 opts=$3
	shift 3
	# shellcheck disable=SC2086
	"$CF" run --explain-backend=$b $opts -- "$@" >"$W/$name.$b.out" 2>"$W/$name.$b.err"
	echo "exit $?" >>"$W/$name.$b.out"
}
lines() { # the callfence lines, pids masked
	grep '^callfence:' "$1" | grep -v 'report written' | sed -E 's/(pid|thread) [0-9,]+/\1 N/g; s/0x[0-9a-f]{6,}/ADDR/g; s/\.(ebpf|ptrace)\./.B./g'
}
fixof() { # the live fix of the first live line
	sed -nE 's/^callfence: pid [0-9]+.* fix: //p' "$1" | head -n1
}
sumfix() { # the summary's smallest fix (the capability on its line, else the first edit)
	l=$(sed -nE 's/^callfence: smallest fix: (.+)$/\1/p' "$1")
	[ -n "$l" ] && { echo "$l" | sed 's/^ *//'; return; }
	sed -n '/^callfence: smallest fix:$/{n;s/^callfence:   //p}' "$1"
}

cat >"$W/clone3-eperm.json" <<'J'
{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}
J
cat >"$W/nochown.json" <<'J'
{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["fchownat"],"action":"SCMP_ACT_ERRNO"}]}
J
cat >"$W/native.json" <<'J'
{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["mbind"],"action":"SCMP_ACT_ERRNO"}]}
J
: >"$W/f"
THREADS='import threading
ts = [threading.Thread(target=lambda: None) for _ in range(14)]
[t.start() for t in ts]
[t.join() for t in ts]
print("threads ok")'

for b in $backends; do
	# --- 1. by design: python threads, one summary line, no stream
	if [ -n "$PY" ]; then
		run $b py "--explain" "$PY" -c "$THREADS"
		ok "$b: python threads run" has "$W/py.$b.out" "threads ok"
		ok "$b: python threads: no live clone3 line" sh -c "! grep -q '^callfence: pid.*clone3' '$W/py.$b.err'"
		ok "$b: python threads: one by-design summary line" grep -qE \
			'^callfence:   clone3 -> ENOSYS x(1[4-9]|[2-9][0-9]): by design, libc falls back to clone \[builtin:rule #[0-9]+\]$' "$W/py.$b.err"
		ok "$b: python threads: exactly one clone3 line" eq "$(grep -c clone3 "$W/py.$b.err")" 1
		ok "$b: python threads: nothing to fix" hasnt "$W/py.$b.err" "smallest fix"
		# twin: EPERM for clone3 is news (glibc falls back only on ENOSYS): live, with why
		run $b py3 "--explain --security-opt seccomp=$W/clone3-eperm.json" "$PY" -c "$THREADS"
		ok "$b: clone3-eperm: threads fail" hasnt "$W/py3.$b.out" "threads ok"
		ok "$b: clone3-eperm: reported live" grep -q '^callfence: pid [0-9]*: clone3(.*) -> EPERM' "$W/py3.$b.err"
		ok "$b: clone3-eperm: says the fallback needs ENOSYS" has "$W/py3.$b.err" \
			'note: libc falls back to clone only on ENOSYS; EPERM reaches the program instead (thread and process creation fails): answer ENOSYS ("errnoRet": 38)'
		ok "$b: clone3-eperm: not called by design" hasnt "$W/py3.$b.err" "by design"
	else
		skip "$b: python threads" "python3 not installed"
	fi

	# --- 2. decoded arguments, only the real ones, paths from the caller
	run $b chown "--explain --security-opt seccomp=$W/nochown.json" "$P" fchownat:-100:@f:65534:-1:0
	ok "$b: fchownat decoded" grep -q '^callfence: pid [0-9]*: fchownat(AT_FDCWD, "f", 65534, -1, 0) -> EPERM' "$W/chown.$b.err"
	run $b mbind "--explain" "$P" mbind:0x7f0000:4096:3:0:0:2
	ok "$b: mbind decoded" grep -q '^callfence: pid [0-9]*: mbind(0x7f0000, 0x1000, MPOL_INTERLEAVE, 0, 0, MPOL_MF_MOVE) -> EPERM' "$W/mbind.$b.err"
	run $b clone "--explain" "$P" clone:0x10000011
	ok "$b: clone decoded" grep -q '^callfence: pid [0-9]*: clone(CLONE_NEWUSER|SIGCHLD, 0, 0, 0, 0) -> EPERM' "$W/clone.$b.err"
	run $b unsh "--explain" "$P" unshare:0x10000000:7:7:7:7:7
	ok "$b: unshare: one argument, not six" grep -q '^callfence: pid [0-9]*: unshare(CLONE_NEWUSER) -> EPERM' "$W/unsh.$b.err"

	# --- 3. one ranking: the live fix is the summary's fix, warnings follow it
	for c in unsh mbind; do
		live=$(fixof "$W/$c.$b.err")
		live=${live#profile builtin: }
		ok "$b: $c: live fix = summary fix ($live)" eq "$live" "$(sumfix "$W/$c.$b.err" | sed 's/^profile builtin: //')"
	done
	ok "$b: unshare: the argument rule, not CAP_SYS_ADMIN" has "$W/unsh.$b.err" 'fix: profile builtin: add {"names": ["unshare"]'
	ok "$b: unshare: twin: no SYS_ADMIN anywhere" hasnt "$W/unsh.$b.err" "--cap-add SYS_ADMIN"
	ok "$b: unshare: the escape surface in the summary too" eq \
		"$(grep -c 'WARNING: that fix opens namespaces' "$W/unsh.$b.err")" 2
	ok "$b: mbind: a capability" eq "$(fixof "$W/mbind.$b.err")" "--cap-add SYS_NICE"
	# identical denials merge in the summary with a count
	run $b twice "--explain" "$P" mbind:0:0:3:0:0:2 mbind:0:0:2:0:0:0
	ok "$b: same syscall, same decision: one summary line x2" grep -q '^callfence:   mbind -> EPERM x2 ' "$W/twice.$b.err"

	# --- 4. a bad-arch kill recommends the architecture
	run $b arch "--explain --security-opt seccomp=$W/native.json" "$P" int80:20
	ok "$b: bad arch: killed as in a plain run" has "$W/arch.$b.out" "exit 159"
	ok "$b: bad arch: the live fix is the architecture" grep -q \
		'^callfence: pid [0-9]*: getpid() -> SIGSYS (kills the thread) \[architecture not in the profile\] fix: profile .*native.json: add "SCMP_ARCH_X86" to "architectures"$' "$W/arch.$b.err"
	ok "$b: bad arch: twin: no allow rule for getpid" hasnt "$W/arch.$b.err" '"names": ["getpid"]'
	run $b archout "--explain --explain-out $W/native-fixed.json --security-opt seccomp=$W/native.json" "$P" int80:20
	ok "$b: bad arch: --explain-out adds the arch" grep -q '"SCMP_ARCH_X86"' "$W/native-fixed.json"
	run $b archok "--security-opt seccomp=$W/native-fixed.json" "$P" int80:20
	ok "$b: bad arch: the written profile runs the call" has "$W/archok.$b.out" "exit 0"

	# --- 5. --explain-log: JSON lines to a file, the program's stderr left alone
	run $b log "--explain-log $W/log.$b.json" "$P" mbind
	ok "$b: --explain-log: denial event in the file" has "$W/log.$b.json" '"event":"denial"'
	ok "$b: --explain-log: summary in the file" has "$W/log.$b.json" '"event":"summary"'
	ok "$b: --explain-log: every line is JSON" sh -c "! grep -qv '^{' '$W/log.$b.json'"
	ok "$b: --explain-log: only real arguments in JSON" has "$W/log.$b.json" '"args":["0","0","0","0","0","0"]'
	ok "$b: --explain-log: no JSON on stderr (twin)" hasnt "$W/log.$b.err" '"event"'
	ok "$b: --explain-log: stderr names the file" has "$W/log.$b.err" "report written to $W/log.$b.json"
	rm -f "$W/fifo"
	mkfifo "$W/fifo"
	# bounded: if callfence never opened the FIFO, the reader must not hang the test
	timeout 30 cat "$W/fifo" >"$W/fifo.$b.json" &
	reader=$!
	run $b fifo "--explain-log $W/fifo" "$P" mbind
	wait $reader
	ok "$b: --explain-log FIFO: written in place" sh -c "[ -p '$W/fifo' ]"
	ok "$b: --explain-log FIFO: the summary came through" has "$W/fifo.$b.json" '"event":"summary"'
	run $b logdir "--explain-log $W" "$P" mbind
	ok "$b: --explain-log DIR refused, 125 (twin)" has "$W/logdir.$b.out" "exit 125"

	# --- 6. --explain-out with a capability fix says so; the file is the profile unchanged
	run $b capout "--explain --explain-out $W/cap.$b.json" "$P" mbind
	ok "$b: capability fix: --explain-out says the profile is unchanged" has "$W/capout.$b.err" \
		"$W/cap.$b.json: the profile unchanged: the fix is a capability"
	run $b ruleout "--explain --explain-out $W/rule.$b.json" "$P" unshare:0x10000000
	ok "$b: rule fix (twin): written with the rule" grep -q '"unshare"' "$W/rule.$b.json"
	ok "$b: rule fix (twin): no capability note" hasnt "$W/ruleout.$b.err" "the profile unchanged"
done

# the same lines from both backends (the differential of test-explain-observer.sh, on these)
if [ "$backends" = "ebpf ptrace" ]; then
	for c in py py3 chown mbind clone unsh twice arch capout; do
		[ -f "$W/$c.ebpf.err" ] || continue
		lines "$W/$c.ebpf.err" | sort >"$W/$c.a"
		lines "$W/$c.ptrace.err" | sort >"$W/$c.b"
		ok "differential $c: eBPF and ptrace print the same lines" cmp -s "$W/$c.a" "$W/$c.b" ||
			diff "$W/$c.a" "$W/$c.b" | sed 's/^/# /' >&2
	done
fi
done_testing
