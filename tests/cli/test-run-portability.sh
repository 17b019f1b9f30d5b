#!/bin/bash
# callfence run warns when a profile would stop runc or crun (Docker, Podman) at container start
# although callfence itself can run the command; and a strict whitelist that stops callfence's
# own launcher learns every missing call in one run. (The real runtimes judge these lists in
# tests/runtime/test-runtime-needs.sh.)
set -eu
. "$(dirname "$0")/libtest.sh"

cat >"$TMP/noppid.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid", "fstatfs", "capget"], "action": "SCMP_ACT_ERRNO"}]}
JSON
run_cf run --security-opt "seccomp=$TMP/noppid.json" -- /bin/true
assert_rc 0 "a profile denying getppid, fstatfs, capget still runs under callfence"
assert_contains "$err" "denies 3 system calls that runc makes after installing the filter without no-new-privileges: fstatfs, capget, getppid; runc would fail" \
	"warning names runc and every call it needs"
assert_not_contains "$err" "crun would fail" "crun calls none of them: not named"
assert_contains "$err" '{"names": ["fstatfs", "capget", "getppid"], "action": "SCMP_ACT_ALLOW"}' \
	"one rule covering them"
assert_not_contains "$err" "use --security-opt no-new-privileges" \
	"no-new-privileges is not advised: runc still calls fstatfs there"

# runc's CVE-2024-21626 fd check (fstatfs of /proc/self/fd) runs after the filter with NNP too
run_cf run --security-opt no-new-privileges --security-opt "seccomp=$TMP/noppid.json" -- /bin/true
assert_rc 0 "with no-new-privileges"
assert_contains "$err" "denies 1 system call that runc makes after installing the filter with no-new-privileges: fstatfs;" \
	"with no-new-privileges the warning names fstatfs only"

# faccessat2 may be denied with EPERM when faccessat is allowed (Go falls back), not otherwise
cat >"$TMP/nofa2.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["faccessat2"], "action": "SCMP_ACT_ERRNO"}]}
JSON
run_cf run --security-opt "seccomp=$TMP/nofa2.json" -- /bin/true
assert_not_contains "$err" "warning" "faccessat2 denied with EPERM, faccessat allowed: no warning"
jq '.syscalls[0].names += ["faccessat"]' "$TMP/nofa2.json" >"$TMP/nofa.json"
run_cf run --security-opt "seccomp=$TMP/nofa.json" -- /bin/true
assert_contains "$err" "that runc makes after installing the filter without no-new-privileges: faccessat2;" \
	"twin: both denied: the warning names faccessat2"
jq '.syscalls[0].errnoRet = 13' "$TMP/nofa2.json" >"$TMP/fa2-eacces.json"
run_cf run --security-opt "seccomp=$TMP/fa2-eacces.json" -- /bin/true
assert_contains "$err" ": faccessat2;" "faccessat2 denied with EACCES: Go does not fall back"

# a profile only crun stumbles over (it switches ids with setresuid/setresgid)
cat >"$TMP/nores.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["setresuid"], "action": "SCMP_ACT_ERRNO"}]}
JSON
run_cf run --security-opt "seccomp=$TMP/nores.json" -- /bin/true
assert_contains "$err" "that crun makes after installing the filter without no-new-privileges: setresuid; crun would fail" \
	"crun is named"
assert_not_contains "$err" "runc would fail" "runc is not"
assert_contains "$err" "or use --security-opt no-new-privileges" \
	"no-new-privileges is advised where it is true (no runtime needs setresuid then)"

run_cf run -- /bin/true
assert_rc 0 "builtin profile"
assert_not_contains "$err" "warning" "Docker's own profile gets no warning"
run_cf run --security-opt no-new-privileges -- /bin/true
assert_not_contains "$err" "warning" "nor with no-new-privileges"

# A strict whitelist without what callfence's launcher needs: every missing call at once (as
# root the launcher also switches ids), then the rule from the hint makes it run.
if [ "$(id -u)" = 0 ]; then
	cat >"$TMP/strict.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["execve", "exit_group", "brk",
 "arch_prctl", "mmap", "munmap", "mprotect", "access", "openat", "newfstatat", "fstat", "close",
 "read", "pread64", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "getrandom"],
 "action": "SCMP_ACT_ALLOW"}]}
JSON
	run_cf run --security-opt "seccomp=$TMP/strict.json" -- /bin/true
	assert_rc 125 "strict whitelist: refused before anything runs"
	for sc in prctl setgroups setgid setuid capset; do
		assert_contains "$err" "$sc (SCMP_ACT_ERRNO: EPERM) to" "the one message names $sc"
	done
	rule=$(printf '%s\n' "$err" | sed -n 's/.*add this rule to the profile.s syscalls: \({[^}]*}\).*/\1/p')
	assert_contains "$rule" '"prctl", "setgroups", "setgid", "setuid", "capset"' "the hint's rule lists all five"
	jq --argjson r "$rule" '.syscalls += [$r]' "$TMP/strict.json" >"$TMP/strict-fixed.json"
	run_cf run --security-opt "seccomp=$TMP/strict-fixed.json" -- /bin/true
	assert_rc 0 "twin: with the hint's rule added, the command runs at the first retry"
else
	skip "the launcher switches ids only as root"
fi

done_testing
