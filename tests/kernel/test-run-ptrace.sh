#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 9 §1.2: the confined command ptrace-attaches callfence's parent and makes it execve a
# shell (tests/kernel/ptrace-parent.c). The parent must never run it unconfined. Two layers:
# callfence's guard filter in the command refuses PTRACE_ATTACH/SEIZE of the parent (EPERM;
# it rides with any profile filter), and the parent confines itself (non-dumpable, no
# capabilities, no-new-privileges, allow-list filter) before the command starts, which the
# runs without a profile filter (seccomp=unconfined, --privileged) test alone: there the
# attach succeeds and the injected execve kills the parent with SIGSYS.
# shellcheck source=tests/cli/test-run-lib.sh
. "$(dirname "$0")/../cli/test-run-lib.sh"
need_root
ATTACK=${CF_PTRACE_PARENT:?}
[ "$(uname -m)" = x86_64 ] || skip_all "the attack program writes x86_64 registers"

chmod 755 "$TMP"
mkdir -m 1777 "$TMP/out"
mkdir -m 755 "$TMP/bin"
cp "$CF" "$ATTACK" "$TMP/bin/"
CFB=$TMP/bin/callfence
A=$TMP/bin/ptrace-parent

# escaped OUTFILE: the shell ran with Seccomp 0 or with capabilities (the escape)
escaped() {
	[ -e "$1" ] || return 1
	! grep -qx $'Seccomp:\t2' "$1" || grep -q $'CapEff:\t0*[1-9a-f]' "$1"
}

# attack DESC AS-USER OPTIONS...: the command attacks its parent
attack() {
	local desc=$1 as=$2
	shift 2
	local out=$TMP/out/$RANDOM
	local -a pre=()
	[ "$as" = root ] || pre=(setpriv --reuid "$as" --regid "$as" --clear-groups)
	timeout -k 2 30 "${pre[@]}" "$CFB" run "$@" -- "$A" "$out" >"$TMP/log" 2>&1
	rc=$?
	ok $((rc == 124 || rc == 137)) "$desc: callfence ended (exit $rc, no hang)"
	! escaped "$out"
	ok $? "$desc: the parent never ran the shell unconfined ($(head -c 200 "$TMP/log" | tr '\n' ' '))"
	[ -e "$out" ] && sed 's/^/#   /' "$out"
}

attack "root --cap-add SYS_PTRACE" root --cap-add SYS_PTRACE
attack "root --cap-add ALL" root --cap-add ALL
attack "root --privileged --security-opt seccomp=builtin" root --privileged --security-opt seccomp=builtin
# no profile filter, so no guard: the parent's own confinement is all there is
attack "root --privileged (unconfined)" root --privileged
has "$TMP/log" "injected"
ok $? "root --privileged: the attach worked (the self-confinement was what stopped it)"
attack "root seccomp=unconfined --cap-add SYS_PTRACE" root --security-opt seccomp=unconfined --cap-add SYS_PTRACE
# A user other than root: same uid as the parent, which is then all ptrace asks for. Until
# rootless runs need no option, --privileged keeps the bounding set as it is.
if timeout 10 setpriv --reuid 65534 --regid 65534 --clear-groups "$CFB" run \
	--security-opt no-new-privileges -- true 2>/dev/null; then
	unpriv=(--security-opt no-new-privileges)
else
	unpriv=(--privileged --security-opt seccomp=builtin --security-opt no-new-privileges)
fi
attack "uid 65534 ${unpriv[*]}" 65534 "${unpriv[@]}"
attack "uid 65534 --security-opt seccomp=unconfined (NNP)" 65534 --privileged \
	--security-opt seccomp=unconfined --security-opt no-new-privileges

# --explain with every capability: before, the command and the supervisor traced each other
# and hung
if "$CFB" run --explain -- true 2>/dev/null; then
	attack "--explain --cap-add ALL" root --explain --cap-add ALL
else
	skip "ptrace is not permitted here" "--explain --cap-add ALL: no hang"
	skip "ptrace is not permitted here" "--explain --cap-add ALL: no escape"
fi

# Negative twins: the same program against a dumpable, unconfined process it may attach does
# run the shell there (so the attack works, and the checks above can fail).
twin() { # twin DESC AS-USER
	local desc=$1 as=$2 out=$TMP/out/twin-$2
	local -a pre=()
	[ "$as" = root ] || pre=(setpriv --reuid "$as" --regid "$as" --clear-groups)
	"${pre[@]}" sleep 60 &
	local victim=$!
	sleep 0.2
	timeout -k 2 30 "${pre[@]}" "$A" "$out" "$victim" >"$TMP/log" 2>&1
	for _ in $(seq 50); do
		[ -s "$out" ] && break
		sleep 0.1
	done
	grep -qx $'Seccomp:\t0' "$out" 2>/dev/null
	ok $? "twin $desc: the attack runs a shell in an unconfined victim ($(tr '\n' ' ' <"$TMP/log"))"
	kill "$victim" 2>/dev/null
	wait "$victim" 2>/dev/null
}
twin "as root" root
twin "as uid 65534" 65534

done_testing
