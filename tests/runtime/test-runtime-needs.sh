#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The real runtimes judge callfence's "runc/crun would fail to start this container" warning
# (src/run/runtime-needs.c). For runc and crun, with no-new-privileges off and on:
#   1. a whitelist that allows only what the command needs (cf-started: writev, exit): callfence
#      export warns and names, for this runtime, the list L of calls it lacks; the runtime fails;
#   2. the whitelist + L: the container starts (prints "started") and callfence names nothing
#      for this runtime;
#   3. for each entry x of L, the whitelist + L - x: the runtime fails to start the container,
#      and callfence names exactly x for it (no false positive, no miss); for an entry callfence
#      says "may fail" about (the Go runtime's futex wake-ups and signal returns in runc, needed
#      depending on scheduling) one of 8 starts should fail (a skip with the reason otherwise);
#   4. runc only: faccessat2 replaced by faccessat starts (Go falls back on EPERM), no warning.
# Containers are made with `create` + `start`, as Docker and Podman do (crun waits on the exec
# fifo only then). Everything lives in $TMP.
#
# Environment: CALLFENCE, CF_STARTED (tests/runtime/cf-started), CALLFENCE_TESTS_MUST_RUN.
# shellcheck source=../cli/libtest.sh
. "$(dirname "$0")/../cli/libtest.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
HELPER="$HERE/runtime-diff.py"
# shellcheck source=runtime-lib.sh
. "$HERE/runtime-lib.sh"
STARTED=${CF_STARTED:-${CALLFENCE_BUILD_DIR:-build}/tests/runtime/cf-started}

rt_setup "$STARTED" cf-started

seq_id=0
# start RUNTIME EXPORT.json: create + start the container with the exported fragment; 0 when
# the command ran (printed "started"). Output in $TMP/rt.out, errors in $TMP/rt.err.
start() {
	local rt=$1 id
	seq_id=$((seq_id + 1))
	id="cfneeds-$$-$seq_id-$rt"
	python3 "$HELPER" config "$TMP/base.json" "$2" '' /cf-started >"$B/config.json"
	: >"$TMP/rt.out"
	# a runtime whose init dies under the filter may loop printing Go panics: bound everything
	# (8 s: a healthy create + start takes well under a second)
	local pid=""
	# (in a subshell: when timeout kills a hung create, bash reports "Killed" on the stderr it
	# has here, a pipe head may have closed; that SIGPIPE must end the subshell, not the test)
	if (rt_exec "$rt" timeout -s KILL 8 "$rt" create --bundle "$B" "$id" </dev/null) \
		> >(head -c 4000 >"$TMP/rt.out") 2> >(head -c 4000 >"$TMP/rt.err"); then
		pid=$(rt_exec "$rt" "$rt" state "$id" 2>/dev/null | jq -r '.pid // empty')
		rt_exec "$rt" timeout -s KILL 8 "$rt" start "$id" >/dev/null 2>>"$TMP/rt.err"
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			rt_exec "$rt" "$rt" state "$id" 2>/dev/null | grep -q '"status": *"stopped"' && break
			sleep 0.3
		done
	fi
	rt_exec "$rt" timeout -s KILL 8 "$rt" delete -f "$id" >/dev/null 2>&1
	reap_inits "$pid"
	wait
	grep -qxF started "$TMP/rt.out"
}

# reap_inits [PID]: a runtime's init that dies under the filter can loop forever (Go's runtime
# without a call it needs) and survive `delete -f`; kill the container's init (its pid namespace
# goes with it) and any orphaned init of ours, so the test never waits on one
reap_inits() {
	local p comm
	# only a real pid of a live init (a stopped container's state says 0, and kill 0 would hit
	# this test's own process group)
	case $1 in
	'' | 0 | 1 | *[!0-9]*) ;;
	*)
		comm=$(cat "/proc/$1/comm" 2>/dev/null) || comm=""
		case $comm in
		runc:* | crun* | cf-started) kill -9 "$1" 2>/dev/null ;;
		esac
		;;
	esac
	for p in /proc/[0-9]*; do
		comm=$(cat "$p/comm" 2>/dev/null) || continue
		case $comm in
		runc:\[*INIT\] | runc:\[*CHILD\] | runc:\[*PARENT\])
			[ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = 1 ] && kill -9 "${p#/proc/}" 2>/dev/null
			;;
		esac
	done
	return 0
}

# profile NAME... : a whitelist allowing the command's own calls and NAME...
profile() {
	printf '%s\n' writev exit "$@" | jq -R . | jq -s '{defaultAction: "SCMP_ACT_ERRNO",
		syscalls: [{names: ., action: "SCMP_ACT_ALLOW"}]}' >"$TMP/p.json"
}

# named RUNTIME NNP-OPTION...: export the profile for the runtime ($TMP/exp.json) and print the
# calls callfence says RUNTIME lacks (space-separated, empty when none)
named() {
	local rt=$1
	shift
	"$CALLFENCE" export --format oci --security-opt "seccomp=$TMP/p.json" "$@" \
		>"$TMP/exp.json" 2>"$TMP/cf.err" || return 1
	sed -n "s/.* that $rt makes after installing the filter [a-z]* no-new-privileges: \([^;]*\);.*/\1/p" \
		"$TMP/cf.err" | sed 's/, / /g'
}

# starts_silently RUNTIME NNP-OPTION...: the container starts and callfence names nothing for
# RUNTIME; $got holds what it names
starts_silently() {
	local rt=$1
	shift
	got=$(named "$rt" "$@")
	start "$rt" "$TMP/exp.json" && [ -z "$got" ]
}

# crun on a hybrid cgroup host: retry in a private mount namespace (see runtime-lib.sh)
profile execve
usable=()
for rt in "${runtimes[@]}"; do
	"$CALLFENCE" export --format oci --security-opt seccomp=unconfined >"$TMP/exp.json"
	if ! start "$rt" "$TMP/exp.json" && [ "$rt" = crun ]; then
		# shellcheck disable=SC2034 # read by rt_exec (runtime-lib.sh)
		crun_private=1
		start "$rt" "$TMP/exp.json"
	fi
	if grep -qxF started "$TMP/rt.out"; then
		usable+=("$rt")
	else
		skip "$rt cannot start a container here: $(head -c 200 "$TMP/rt.err" | tr '\n' ' ')"
	fi
done
[ ${#usable[@]} -gt 0 ] || skip_all "no runtime can start a container here"

start_time=$(date +%s)
for rt in "${usable[@]}"; do
	for nnp in off on; do
		opt=()
		[ "$nnp" = on ] && opt=(--security-opt no-new-privileges)
		what="$rt, no-new-privileges $nnp"

		# 1. only the command's needs: callfence names the list, the runtime fails
		profile
		list=$(named "$rt" "${opt[@]}")
		if [ -z "$list" ]; then
			not_ok "$what: callfence names no call for a whitelist of writev and exit"
			sed 's/^/#   /' "$TMP/cf.err"
			continue
		fi
		diag "$what: callfence's list: $list"
		# shellcheck disable=SC2086
		set -- $list
		if start "$rt" "$TMP/exp.json"; then
			not_ok "$what: the runtime started with none of the listed calls allowed"
		else
			ok "$what: without the $# listed calls the runtime fails, and callfence warns"
		fi

		# 2. exactly the list: starts, no warning for this runtime
		profile "$@"
		if starts_silently "$rt" "${opt[@]}"; then
			ok "$what: whitelist + the list: the container starts and callfence names nothing"
		else
			not_ok "$what: whitelist + the list: started=$(grep -c started "$TMP/rt.out"), callfence names \"$got\""
			sed 's/^/#   runtime: /' "$TMP/rt.err" | head -5
		fi

		# 3. each entry is needed, and callfence names exactly the missing one
		for x in "$@"; do
			rest=()
			for y in "$@"; do [ "$y" = "$x" ] || rest+=("$y"); done
			profile "${rest[@]}"
			got=$(named "$rt" "${opt[@]}")
			if grep -q "$rt may fail (depending on scheduling)" "$TMP/cf.err"; then
				# needed on some starts only (Go's futex wake-ups): one failure in 8 shows it
				n=0
				while [ $n -lt 8 ] && start "$rt" "$TMP/exp.json"; do n=$((n + 1)); done
				if [ "$got" != "$x" ]; then
					not_ok "$what: without $x callfence names \"$got\""
				elif [ $n = 8 ]; then
					skip "$what: without $x (\"may fail\") 8 starts succeeded: scheduling did not provoke it"
				else
					ok "$what: without $x the runtime failed after $n good start(s), and callfence names exactly $x (may fail)"
				fi
				continue
			fi
			if start "$rt" "$TMP/exp.json"; then
				not_ok "$what: without $x the container still starts (callfence names \"$got\")"
			elif [ "$got" != "$x" ]; then
				not_ok "$what: without $x the runtime fails, but callfence names \"$got\""
			else
				ok "$what: without $x the runtime fails, and callfence names exactly $x"
			fi
		done

		# 4. runc's exec.LookPath: faccessat instead of faccessat2 is enough
		case " $* " in
		*" faccessat2 "*)
			rest=()
			for y in "$@"; do [ "$y" = faccessat2 ] && rest+=(faccessat) || rest+=("$y"); done
			profile "${rest[@]}"
			if starts_silently "$rt" "${opt[@]}"; then
				ok "$what: faccessat instead of faccessat2 (Go's fallback on EPERM): starts, no warning"
			else
				not_ok "$what: faccessat instead of faccessat2: started=$(grep -c started "$TMP/rt.out"), callfence names \"$got\""
			fi
			;;
		esac
	done
done
diag "time: $(($(date +%s) - start_time)) s"
done_testing
