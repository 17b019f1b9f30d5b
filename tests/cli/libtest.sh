# shellcheck shell=bash
# TAP helpers for CLI tests (bubblewrap-style). Source it, call ok/not_ok/skip, end with
# done_testing. Environment: CALLFENCE (the binary), CALLFENCE_REFERENCE_DIR.
set -u
CALLFENCE=${CALLFENCE:-${CALLFENCE_BUILD_DIR:-build}/callfence}
REF=${CALLFENCE_REFERENCE_DIR:-}
tap_n=0
tap_failed=0
TMP=$(mktemp -d /tmp/callfence-test.XXXXXX)
# only the script's own shell: a job signalled before its exec is a fork that runs this trap
# too (see cleanup_tmp in test-run-lib.sh)
trap '[ "$BASHPID" != "$$" ] || rm -rf "$TMP"' EXIT

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"; }
diag() { echo "# $*"; }

# run_cf ARGS...: runs callfence, sets $out, $err, $rc (read by the sourcing script)
# shellcheck disable=SC2034
run_cf() {
    set +e
    "$CALLFENCE" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    set -e
    out=$(cat "$TMP/out")
    err=$(cat "$TMP/err")
}

# assert_rc EXPECTED DESCRIPTION
assert_rc() {
    if [ "$rc" = "$1" ]; then ok "$2 (exit $rc)"; else not_ok "$2: exit $rc, expected $1"; diag "stderr: $err"; fi
}
# assert_contains HAYSTACK NEEDLE DESCRIPTION
assert_contains() {
    case "$1" in *"$2"*) ok "$3" ;; *) not_ok "$3: missing \"$2\""; diag "got: $1" ;; esac
}
assert_not_contains() {
    case "$1" in *"$2"*) not_ok "$3: unexpected \"$2\""; diag "got: $1" ;; *) ok "$3" ;; esac
}

# The reference directory is not part of the project: tests that need it skip when absent.
have_ref() { [ -n "$REF" ] && [ -r "$REF/$1" ]; }

done_testing() {
    echo "1..$tap_n"
    [ "$tap_failed" = 0 ]
}
