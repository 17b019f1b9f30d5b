# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# TAP helpers for the callfence run tests (sourced). Expects CALLFENCE_BUILD_DIR and
# CALLFENCE_SOURCE_DIR from meson's test environment (falls back to ./build-run layout).

set -u
: "${CALLFENCE_BUILD_DIR:=$(cd "$(dirname "$0")/../.." && pwd)/build}"
: "${CALLFENCE_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
CF="${CALLFENCE:-$CALLFENCE_BUILD_DIR/callfence}"
PROBE="${CF_PROBE:-$CALLFENCE_BUILD_DIR/tests/probe/cf-probe}"
export PROFILES="$CALLFENCE_SOURCE_DIR/tests/kernel/profiles"
TMP=$(mktemp -d)
# Only the script's own shell removes it ($$ is the script's pid in every fork, $BASHPID the
# fork's). A background job is a fork of this shell until it execs, and a non-interactive bash
# with an EXIT trap catches the terminating signals (HUP, TERM, USR1, PIPE, ...) to run that
# trap before it dies: a signal that reached a job before its exec removed $TMP from the fork,
# and every later case failed with exit 1 (its redirection into $TMP failing).
cleanup_tmp() {
	[ "$BASHPID" != "$$" ] || rm -rf "$TMP"
}
trap cleanup_tmp EXIT

_n=0
_failed=0

ok() { # ok COND-STATUS DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
	fi
}

# show FILE...: the files as TAP diagnostics ('#' lines), or why they cannot be shown
show() {
	local f
	for f in "$@"; do
		if [ ! -d "$TMP" ]; then
			echo "# $TMP is gone"
			return
		fi
		if [ -e "$f" ]; then
			echo "# ${f#"$TMP/"}:"
			sed 's/^/#   /' "$f"
		else
			echo "# ${f#"$TMP/"}: missing"
		fi
	done
}

# ok_show COND-STATUS DESCRIPTION FILE...: ok, and on failure the files as diagnostics
ok_show() {
	local st=$1 desc=$2
	shift 2
	ok "$st" "$desc"
	[ "$st" -eq 0 ] || show "$@"
}

# bg OUT CMD...: CMD in the background with stdout+stderr in OUT; sets $bg_pid. OUT is removed
# first: the job truncates it only once its fork runs, so a wait for a line of OUT could
# otherwise read the previous job's and signal this one before it is what it will exec.
bg() {
	local out=$1
	shift
	rm -f "$out"
	"$@" >"$out" 2>&1 &
	# shellcheck disable=SC2034 # read by the sourcing script
	bg_pid=$!
}

skip() { # skip REASON DESCRIPTION
	_n=$((_n + 1))
	echo "ok $_n - $2 # SKIP $1"
}

done_testing() {
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}

skip_all() {
	# meson 1.0's TAP parser counts exit 77 as an error: a TAP skip is "1..0 # SKIP", exit 0.
	# CI sets CALLFENCE_TESTS_MUST_RUN, and there a missing environment is a failure.
	if [ -n "${CALLFENCE_TESTS_MUST_RUN:-}" ]; then
		echo "not ok 1 - environment missing: $1"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP $1"
	exit 0
}

# run OUTFILE ARGS...: callfence run ARGS with stdout+stderr in OUTFILE; sets $rc
run() {
	local out=$1
	shift
	"$CF" run "$@" >"$out" 2>&1
	rc=$?
}

# has FILE LINE: the exact line is in FILE
has() {
	grep -qxF -- "$2" "$1"
}

# expect DESC EXPECTED-LINE ARGS...: run callfence run ARGS, the output must have the line
expect() {
	local desc=$1 line=$2
	shift 2
	run "$TMP/out" "$@"
	if has "$TMP/out" "$line"; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		echo "# expected line: $line (exit $rc)"
		show "$TMP/out"
	fi
}

# expect_rc DESC CODE ARGS...: exit status of callfence run ARGS must be CODE
expect_rc() {
	local desc=$1 code=$2
	shift 2
	run "$TMP/out" "$@"
	if [ "$rc" -eq "$code" ]; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		echo "# expected exit $code, got $rc"
		show "$TMP/out"
	fi
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (installs filters without no-new-privileges)"
}

# i386_case CHECK DESC ARGS...: an expect/expect_rc case whose probe makes int $0x80 calls; a
# machine-class skip where this kernel cannot run them (tests/lib/int80.sh)
i386_case() {
	if [ -n "$INT80_SKIP" ]; then
		skip "$INT80_SKIP" "$2"
	else
		"$@"
	fi
}

[ -x "$CF" ] || skip_all "callfence not built at $CF"
[ -x "$PROBE" ] || skip_all "cf-probe not built at $PROBE"
# shellcheck source=tests/lib/int80.sh
. "$CALLFENCE_SOURCE_DIR/tests/lib/int80.sh"
int80_check
