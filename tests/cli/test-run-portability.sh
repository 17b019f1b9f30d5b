#!/bin/bash
# callfence run warns when a profile would stop runc (Docker) at container start although
# callfence itself can run the command.
set -eu
. "$(dirname "$0")/libtest.sh"

cat >"$TMP/noppid.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid", "fstatfs"], "action": "SCMP_ACT_ERRNO"}]}
JSON
run_cf run --security-opt "seccomp=$TMP/noppid.json" -- /bin/true
assert_rc 0 "a profile denying getppid still runs under callfence"
assert_contains "$err" "denies getppid, fstatfs, which runc calls" "warning names the calls runc needs"
assert_contains "$err" "no-new-privileges" "warning names the portable alternative"

run_cf run --security-opt no-new-privileges --security-opt "seccomp=$TMP/noppid.json" -- /bin/true
assert_rc 0 "with no-new-privileges"
assert_not_contains "$err" "warning" "no warning: runc installs the filter last too"

run_cf run -- /bin/true
assert_rc 0 "builtin profile"
assert_not_contains "$err" "warning" "Docker's own profile gets no warning"

done_testing
