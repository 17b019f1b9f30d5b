#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run --explain with the eBPF observer (issue 9, 1.3): the command runs under exactly the filter
# a plain run installs, so the two ways around the old ptrace --explain (a CLONE_UNTRACED child
# traced by its own parent; the command's own USER_NOTIF filter answering CONTINUE) are denied
# exactly as in a plain run AND reported; programs that ptrace (strace, gdb) work; a denial by
# the program's own filter is not blamed on the profile; both backends report the same denials.
CF=${1:?usage: test-explain-observer.sh CALLFENCE ATTACK PROBE}
A=${2:?usage: test-explain-observer.sh CALLFENCE ATTACK PROBE}
P=${3:?usage: test-explain-observer.sh CALLFENCE ATTACK PROBE}
. "$(dirname "$0")/tap.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

if [ "$(uname -m)" != x86_64 ]; then
	echo "1..0 # SKIP the observer is built for x86_64 only"
	exit 0
fi
if ! "$CF" run --explain --explain-backend=ebpf -- /bin/true 2>"$W/pre"; then
	echo "1..0 # SKIP the eBPF observer cannot load here: $(head -n1 "$W/pre")"
	exit 0
fi

run() { # run NAME "OPTIONS" CMD...: stdout+exit status to NAME.out, stderr to NAME.err
	name=$1
	opts=$2
	shift 2
	# shellcheck disable=SC2086
	"$CF" run $opts -- "$@" >"$W/$name.out" 2>"$W/$name.err"
	echo "exit $?" >>"$W/$name.out"
}

run_obs() { # run_obs OBSERVER NAME "OPTIONS" CMD...: run with CALLFENCE_OBSERVER=OBSERVER
	CALLFENCE_OBSERVER=$1
	export CALLFENCE_OBSERVER
	shift
	run "$@"
	unset CALLFENCE_OBSERVER
}

for m in untraced notify; do
	run "$m.plain" "" "$A" $m
	run "$m.ebpf" "--explain" "$A" $m
	for c in unshare keyctl personality; do
		ok "$m: plain run: $c gets EPERM" has "$W/$m.plain.out" "$c errno=1"
		ok "$m: --explain: $c gets EPERM, as in the plain run" has "$W/$m.ebpf.out" "$c errno=1"
	done
	ok "$m: --explain: same output and exit status as the plain run" cmp -s "$W/$m.plain.out" "$W/$m.ebpf.out"
	ok "$m: unshare reported" grep -qE "^callfence: pid [0-9]+: unshare\(CLONE_NEWUSER\) -> EPERM \[default action" "$W/$m.ebpf.err"
	ok "$m: keyctl reported" grep -qE "^callfence: pid [0-9]+: keyctl\(0, 0xfffffffd, .*-> EPERM" "$W/$m.ebpf.err"
	ok "$m: personality reported" grep -qE "^callfence: pid [0-9]+: personality\(READ_IMPLIES_EXEC\) -> EPERM" "$W/$m.ebpf.err"
	ok "$m: summary counts them" grep -qE "^callfence:   personality -> EPERM x1 " "$W/$m.ebpf.err"
	ok "$m: plain run reports nothing" hasnt "$W/$m.plain.err" "callfence: pid"
	# the old design, kept for --complain and where BPF cannot load: the attack works there
	# (documented in callfence-run(1)); this is what the eBPF backend fixes
	run "$m.ptrace" "--explain --explain-backend=ptrace" "$A" $m
	ok "$m: ptrace backend: keyctl runs (the documented limit)" has "$W/$m.ptrace.out" "keyctl errno=0"
	run "$m.complain" "--complain" "$A" $m
	ok "$m: --complain is not confinement: keyctl runs" has "$W/$m.complain.out" "keyctl errno=0"
done

# the program's own filter: its errno, nothing blamed on the profile; a note in JSON
run own.plain "" "$A" ownerrno
run own.ebpf "--explain" "$A" ownerrno
ok "own filter: plain run gets errno 42" has "$W/own.plain.out" "getppid errno=42"
ok "own filter: --explain gets errno 42" has "$W/own.ebpf.out" "getppid errno=42"
ok "own filter: not blamed on the profile" hasnt "$W/own.ebpf.err" "getppid"
ok "own filter: summary: no call was denied" has "$W/own.ebpf.err" "no call was denied"
run own.json "--explain=json" "$A" ownerrno
ok "own filter: JSON summary lists no denial" grep -q "\"denials\":\[\]" "$W/own.json.err"
ok "own filter: JSON has no denial event" hasnt "$W/own.json.err" '"event":"denial"'

# programs that trace: as under a plain run
if command -v strace >/dev/null 2>&1; then
	run strace.plain "--cap-add SYS_PTRACE" strace -f -o "$W/strace.plain.log" true
	run strace.ebpf "--explain --cap-add SYS_PTRACE" strace -f -o "$W/strace.ebpf.log" true
	ok "strace: same exit status as the plain run" cmp -s "$W/strace.plain.out" "$W/strace.ebpf.out"
	ok "strace: exit 0" has "$W/strace.ebpf.out" "exit 0"
	ok "strace: traced true to its end" has "$W/strace.ebpf.log" "+++ exited with 0 +++"
else
	echo "# SKIP strace: not installed"
fi
if command -v gdb >/dev/null 2>&1; then
	run gdb.plain "--cap-add SYS_PTRACE" gdb -nx -batch -ex run --args /bin/true
	run gdb.ebpf "--explain --cap-add SYS_PTRACE" gdb -nx -batch -ex run --args /bin/true
	ok "gdb: same exit status as the plain run" eq "$(tail -n1 "$W/gdb.ebpf.out")" "$(tail -n1 "$W/gdb.plain.out")"
	ok "gdb: the inferior ran" grep -q "exited normally" "$W/gdb.ebpf.out"
else
	echo "# SKIP gdb: not installed"
fi

# differential: the eBPF and the ptrace backends report the same denials for the probe
# one rule per action kind (shared with the other explain test)
cp "$(dirname "$0")/every-action.json" "$W/kt.json"
mask() { # the report lines, pids and addresses masked, sorted (threads race)
	grep '^callfence:' "$1" | sed -E 's/(pid|thread) [0-9,]+/\1 N/g; s/0x[0-9a-f]{6,}/ADDR/g' | sort
}
# the observer programs: sys_exit always loads where the observer does; fexit where the kernel
# loads BPF trampolines (not on every kernel: then its cases are skipped with the reason)
observers=sys_exit
if CALLFENCE_OBSERVER=fexit "$CF" run --explain --explain-backend=ebpf -- /bin/true 2>"$W/fexit.pre"; then
	observers="sys_exit fexit"
else
	echo "# SKIP fexit observer: $(head -n1 "$W/fexit.pre")"
fi
i=0
for args in "mbind" "personality:0x4 personality:0x8 socket:38:5:0" "thread:mbind fork:mbind mbind" \
	"--security-opt seccomp=$W/kt.json|mkdirp:$W/d uname trap getpgrp thread:getsid getppid" \
	"int80:274"; do
	i=$((i + 1))
	case $args in
	*"|"*) opts=${args%%|*} args=${args#*|} ;;
	*) opts="" ;;
	esac
	# shellcheck disable=SC2086
	run "d$i.ptrace" "--explain --explain-backend=ptrace $opts" "$P" $args
	mask "$W/d$i.ptrace.err" >"$W/d$i.b"
	for o in $observers; do
		# shellcheck disable=SC2086
		run_obs $o "d$i.$o" "--explain $opts" "$P" $args
		mask "$W/d$i.$o.err" >"$W/d$i.$o.a"
		# the fexit program is opt-in until it has been verified where trampolines load
		# (this machine class refuses them): a difference there is reported, not fatal
		check=ok
		[ "$o" = fexit ] && check="todo experimental-fexit-observer"
		$check "differential $i ($args): $o observer and ptrace backend report the same" \
			cmp -s "$W/d$i.$o.a" "$W/d$i.b" ||
			diff "$W/d$i.$o.a" "$W/d$i.b" | sed 's/^/# /' >&2
	done
done

# which program observed is named in the JSON summary; each can be forced, a bad name is refused
for o in $observers; do
	run_obs $o "obs.$o" "--explain=json" "$P" mbind
	ok "CALLFENCE_OBSERVER=$o: the JSON summary says \"observer\":\"$o\"" \
		has "$W/obs.$o.err" "\"event\":\"summary\",\"observer\":\"$o\""
	ok "CALLFENCE_OBSERVER=$o: the denial is reported" has "$W/obs.$o.err" '"event":"denial"'
done
run obs.auto "--explain=json" "$P" mbind
best=sys_exit # auto never picks the experimental fexit program
ok "auto: the JSON summary names $best" \
	has "$W/obs.auto.err" "\"observer\":\"$best\""
ok "auto: the denial is reported" has "$W/obs.auto.err" '"event":"denial"'
if [ "$observers" = sys_exit ]; then
	# negative twin of the fexit cases: where fexit cannot load, forcing it is an error that
	# names it, and nothing runs
	run_obs fexit obs.nofexit "--explain --explain-backend=ebpf" "$P" mbind
	ok "CALLFENCE_OBSERVER=fexit where it cannot load: exit 125" has "$W/obs.nofexit.out" "exit 125"
	ok "CALLFENCE_OBSERVER=fexit where it cannot load: the reason names fexit" \
		has "$W/obs.nofexit.err" "fexit program on __seccomp_filter"
fi
run_obs bogus obs.bogus "--explain --explain-backend=ebpf" /bin/true
ok "CALLFENCE_OBSERVER=bogus: exit 125" has "$W/obs.bogus.out" "exit 125"
ok "CALLFENCE_OBSERVER=bogus: the valid names are listed" has "$W/obs.bogus.err" "valid: auto, fexit, sys_exit"

# the observer cannot be forced where it cannot load; unknown backend names are refused
ok "--explain-backend=bogus is refused" sh -c "! '$CF' run --explain-backend=bogus -- true 2>/dev/null"

done_testing
