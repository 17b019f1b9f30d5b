#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cf_record_exec (src/record/record.h) through tests/record/rec-run: both observers on workloads
# with threads, vfork, fork+exec chains, a child that lives microseconds, a static binary, i386
# and x32 calls; each recording must contain every call strace sees in the same workload
# (strace is the peer), the eBPF and ptrace observers must agree (differential), capabilities
# (eBPF only) and scoping have negative twins, and recording works as uid 65534.
set -eu
. "${CALLFENCE_SOURCE_DIR:-.}/tests/cli/libtest.sh"
. "${CALLFENCE_SOURCE_DIR:-.}/tests/lib/int80.sh"
REC=${REC_RUN:-${CALLFENCE_BUILD_DIR:-build}/tests/record/rec-run}
W=${REC_WORKLOAD:-${CALLFENCE_BUILD_DIR:-build}/tests/record/rec-workload}
int80_check

# record BACKEND OUT -- CMD...: rc in $rc
record() {
	local b=$1 o=$2
	shift 3
	set +e
	"$REC" -o "$o" -b "$b" -w x86_64:135:1 -w x86_64:41:3 -- "$@" >"$TMP/cmd.out" 2>"$TMP/cmd.err"
	rc=$?
	set -e
}
# calls FILE: "abi name succeeded" per call, sorted
calls() { awk '$1 == "call" { print $2, $3, $6 }' "$1" | sort; }
names() { awk '$1 == "call" { print $3 }' "$1" | sort -u; }
has_call() { awk -v a="$2" -v n="$3" '$1 == "call" && $2 == a && $3 == n { f = 1 } END { exit !f }' "$1"; }

backends="ptrace"
ebpf_skip=
record ebpf "$TMP/probe.txt" -- true
if [ "$rc" = 0 ]; then
	backends="ptrace ebpf"
else
	ebpf_skip="machine: the eBPF recorder does not load here: $(cat "$TMP/cmd.err")"
fi

# the static binary: build one, else skip with the reason
static_w=
if command -v gcc >/dev/null && gcc -static -O1 -o "$TMP/static-w" -x c - 2>"$TMP/gcc.err" <<'C'
#include <unistd.h>
#include <sys/syscall.h>
int main(void) { syscall(SYS_getpgid, 0); return 0; }
C
then
	static_w="$TMP/static-w"
fi

touch "$TMP/f"
workloads=("threads" "vfork" "shortchild" "chain $W" "x32" "args" "failing")
[ -z "$INT80_SKIP" ] && workloads+=("i386")

for b in $backends; do
	for wl in "${workloads[@]}"; do
		# shellcheck disable=SC2086
		record "$b" "$TMP/$b.txt" -- "$W" $wl
		tag=${wl%% *}
		cp "$TMP/$b.txt" "$TMP/$b-$tag.txt"
		if [ "$rc" != 0 ]; then
			not_ok "$b: $wl: exit $rc"
			diag "$(cat "$TMP/cmd.err")"
			continue
		fi
		case $tag in
		threads) want="x86_64 getpriority" ;;
		vfork) want="x86_64 getitimer" ;;
		shortchild) want="x86_64 sysinfo" ;;
		chain) want="x86_64 times" ;;
		x32) want="x32 getuid" ;;
		args) want="x86_64 personality" ;;
		failing) want="x86_64 clone3" ;;
		i386) want="i386 umask" ;;
		esac
		# shellcheck disable=SC2086
		if has_call "$TMP/$b.txt" $want; then ok "$b: $wl: $want recorded"; else
			not_ok "$b: $wl: $want missing"; diag "$(cat "$TMP/$b.txt")"; fi
	done
	# negative twin of every marker: a workload that does not make it
	if has_call "$TMP/$b-vfork.txt" x86_64 getpriority; then
		not_ok "$b: vfork workload recorded getpriority"
	else ok "$b: negative twin: getpriority only where threads make it"; fi
	# succeeded: clone3(NULL, 0) never succeeds, the threads' clone3 does
	if grep -q "^call x86_64 clone3 435 1 0 " "$TMP/$b-failing.txt" &&
		awk '$1 == "call" && $3 == "clone3" && $6 == 1 { f = 1 } END { exit !f }' "$TMP/$b-threads.txt"; then
		ok "$b: succeeded bit: clone3(NULL) not, pthread_create's clone3 yes"
	else
		not_ok "$b: succeeded bits wrong"; grep clone3 "$TMP/$b-failing.txt" "$TMP/$b-threads.txt" | sed 's/^/# /'
	fi
	# argument vectors: personality(0xffffffff) once, socket (family, type) twice distinct
	if grep -q "^tuple x86_64 personality ffffffff 0 0 0 0 0$" "$TMP/$b-args.txt" &&
		[ "$(grep -c '^tuple x86_64 socket ' "$TMP/$b-args.txt")" = 2 ] &&
		grep -q "^tuple x86_64 socket 1 1 0 0 0 0$" "$TMP/$b-args.txt" &&
		grep -q "^tuple x86_64 socket 2 2 0 0 0 0$" "$TMP/$b-args.txt"; then
		ok "$b: argument vectors: masked, deduplicated"
	else
		not_ok "$b: argument vectors"; grep tuple "$TMP/$b-args.txt" | sed 's/^/# /'
	fi
	if [ -n "$static_w" ]; then
		record "$b" "$TMP/$b-static.txt" -- "$static_w"
		if has_call "$TMP/$b-static.txt" x86_64 getpgid; then ok "$b: static binary: getpgid"
		else not_ok "$b: static binary"; fi
	else
		skip "machine: gcc -static cannot build here: $(head -c 200 "$TMP/gcc.err")"
	fi
	# provenance: the leaf of the chain is the workload binary (ptrace: the full path, the
	# tracee is stopped; eBPF: the full path while the process lives, else the name the
	# kernel had at the call: the leaf is gone before the drain)
	full=$(readlink -f "$W")
	if awk -v w="$full" -v base="${full##*/}" -v b="$b" '$1 == "call" && $3 == "times" &&
		($7 == w || (b == "ebpf" && $7 == base)) { f = 1 } END { exit !f }' \
		"$TMP/$b-chain.txt"; then ok "$b: provenance names the executable"
	else not_ok "$b: provenance"; grep times "$TMP/$b-chain.txt" | sed 's/^/# /'; fi
	# negative twin: the name of the program that made the call, not of its parent
	if grep -q "^call x86_64 times .* rec-run$" "$TMP/$b-chain.txt"; then
		not_ok "$b: provenance blamed the launcher"
	else ok "$b: provenance: not the launcher"; fi
	# the launcher's own calls before execve are not recorded (it never calls close_range
	# after it, the workloads do not either)
	if has_call "$TMP/$b-threads.txt" x86_64 close_range; then
		not_ok "$b: the launcher's close_range was recorded"
	else ok "$b: recording starts at the command's execve"; fi
	[ -z "$INT80_SKIP" ] || skip "$INT80_SKIP"
done

# strace is the peer: every call it sees in the same workload is recorded (names, all ABIs)
if command -v strace >/dev/null; then
	for wl in "${workloads[@]}"; do
		tag=${wl%% *}
		# shellcheck disable=SC2086
		strace -f -qq -o "$TMP/st-$tag" "$W" $wl >/dev/null 2>&1 || true
		sed -nE 's/^[0-9]+ +([a-z0-9_]+)\(.*/\1/p; s/^[0-9]+ +<\.\.\. ([a-z0-9_]+) resumed>.*/\1/p' \
			"$TMP/st-$tag" | sort -u >"$TMP/st-$tag.names"
		for b in $backends; do
			names "$TMP/$b-$tag.txt" >"$TMP/$b-$tag.names"
			missing=$(comm -23 "$TMP/st-$tag.names" "$TMP/$b-$tag.names" | tr '\n' ' ')
			if [ -z "$missing" ]; then
				ok "$b: $tag: every call strace sees ($(wc -l <"$TMP/st-$tag.names") names)"
			else not_ok "$b: $tag: strace saw, not recorded: $missing"; fi
		done
	done
else
	skip "strace is not installed (tools/deps.sh installs it)"
fi

# differential: both observers give the same calls, succeeded bits and argument vectors
if [ -n "$ebpf_skip" ]; then
	skip "$ebpf_skip"
else
	for wl in "${workloads[@]}"; do
		tag=${wl%% *}
		if diff <(calls "$TMP/ebpf-$tag.txt"; grep '^tuple' "$TMP/ebpf-$tag.txt" | sort) \
			<(calls "$TMP/ptrace-$tag.txt"; grep '^tuple' "$TMP/ptrace-$tag.txt" | sort) \
			>"$TMP/diff"; then
			ok "differential: $tag: ebpf = ptrace ($(calls "$TMP/ebpf-$tag.txt" | wc -l) calls)"
		else
			not_ok "differential: $tag"; sed 's/^/# /' "$TMP/diff"
		fi
	done
fi

# capabilities (eBPF): chown to 65534 needs CAP_CHOWN and nothing else; no chown, no CHOWN
if [ -n "$ebpf_skip" ]; then
	skip "$ebpf_skip"
else
	record ebpf "$TMP/caps.txt" -- "$W" chown "$TMP/f"
	if [ "$rc" = 0 ] && grep -qx "caps 1 0 1" "$TMP/caps.txt"; then
		ok "capabilities: chown uses CAP_CHOWN only"
	else not_ok "capabilities: chown: exit $rc, $(grep caps "$TMP/caps.txt")"; fi
	record ebpf "$TMP/nocaps.txt" -- "$W" vfork
	if grep -qx "caps 0 0 1" "$TMP/nocaps.txt"; then ok "capabilities: negative twin: none"
	else not_ok "capabilities: negative twin: $(grep caps "$TMP/nocaps.txt")"; fi
fi
# the ptrace observer says it cannot see them
if grep -qx "caps 0 0 0" "$TMP/ptrace-threads.txt"; then ok "ptrace: caps_observed false"
else not_ok "ptrace: caps line $(grep caps "$TMP/ptrace-threads.txt")"; fi

# scoping: a process outside the tree making a unique call is not recorded; inside it is
for b in $backends; do
	( while [ ! -e "$TMP/stop" ]; do "$W" unique; done ) &
	bg=$!
	record "$b" "$TMP/$b-scope.txt" -- "$W" loop 20000
	touch "$TMP/stop"
	wait "$bg" || true
	rm -f "$TMP/stop"
	if has_call "$TMP/$b-scope.txt" x86_64 flock; then not_ok "$b: scoping: an outside flock was recorded"
	else ok "$b: scoping: nothing from outside the tree"; fi
	record "$b" "$TMP/$b-unique.txt" -- "$W" unique
	if has_call "$TMP/$b-unique.txt" x86_64 flock; then ok "$b: scoping twin: flock inside the tree"
	else not_ok "$b: scoping twin: flock missing"; fi
	if grep -q "^call x86_64 getppid 110 20000 " "$TMP/$b-scope.txt"; then ok "$b: counts: 20000 getppid"
	else not_ok "$b: counts: $(grep getppid "$TMP/$b-scope.txt")"; fi
done

# completeness under load: many short threads each make a marker call just before they end
# (the leader ends first; a forked child makes sched_rr_get_interval), while a busy loop takes
# a CPU: every call is counted exactly, in every round (the joins return after the calls, so
# the run made them all). Negative twin: no threads, no marker.
markers="getitimer sysinfo times getpgid getsid getrusage sched_getscheduler sched_getparam
	sched_get_priority_max sched_get_priority_min capget getgroups getresgid ioprio_get alarm getpgrp"
# exits_check FILE N: "ok" or what differs
exits_check() {
	awk -v n="$2" -v m="$markers" 'BEGIN { split(m, a, /[ \t\n]+/); for (i in a) if (a[i] != "") want[a[i]] = 1 }
		$1 == "call" && $2 == "x86_64" && ($3 in want) { got[$3] = 1; s += $5 }
		$1 == "call" && $2 == "x86_64" && $3 == "exit" { ex = $5 }
		$1 == "call" && $2 == "x86_64" && $3 == "sched_rr_get_interval" { rr = $5 }
		$1 == "lost" { lost = $2 }
		END { for (k in want) if (!(k in got)) miss = miss " " k
			if (miss == "" && s == n && ex == n + 1 && rr == 1 && lost == 0) print "ok"
			else printf "missing:%s; markers %d of %d, exit %d of %d, fork child %d, lost %d\n", miss, s, n, ex, n + 1, rr, lost }' "$1"
}
for b in $backends; do
	( while [ ! -e "$TMP/stop" ]; do :; done ) &
	bg=$!
	bad=
	for round in 1 2 3 4 5; do
		record "$b" "$TMP/$b-exits.txt" -- "$W" exits 160
		res=$(exits_check "$TMP/$b-exits.txt" 160)
		[ "$rc" = 0 ] && [ "$res" = ok ] || bad="$bad round $round: exit $rc, $res;"
	done
	touch "$TMP/stop"
	wait "$bg" || true
	rm -f "$TMP/stop"
	if [ -z "$bad" ]; then ok "$b: under load, 5 rounds of 160 short threads: every call counted"
	else not_ok "$b: under load:$bad"; fi
	record "$b" "$TMP/$b-exits0.txt" -- "$W" exits 0
	if [ "$(exits_check "$TMP/$b-exits0.txt" 0)" != ok ] &&
		! awk '$1 == "call" && $3 == "getitimer" { f = 1 } END { exit !f }' "$TMP/$b-exits0.txt"; then
		ok "$b: under load: negative twin: no threads, no marker"
	else not_ok "$b: under load: negative twin recorded a marker"; fi
done

# rootless: uid 65534 without capabilities: AUTO falls back to ptrace and records
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	chmod 0777 "$TMP"
	set +e
	setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		"$REC" -o "$TMP/rootless.txt" -b auto -- "$W" shortchild 2>"$TMP/rl.err"
	rc=$?
	set -e
	if [ "$rc" = 0 ] && grep -q "^observer ptrace" "$TMP/rootless.txt" &&
		grep -q "^fallback " "$TMP/rootless.txt" && has_call "$TMP/rootless.txt" x86_64 sysinfo; then
		ok "rootless: uid 65534 records with ptrace ($(sed -n 's/^fallback //p' "$TMP/rootless.txt"))"
	else
		not_ok "rootless: exit $rc"; sed 's/^/# /' "$TMP/rl.err" "$TMP/rootless.txt" 2>/dev/null | head -20
	fi
else
	skip "rootless: needs root and setpriv to become uid 65534"
fi
done_testing
