#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# callfence run: options, exit codes, messages, pass-through (stdio, env, fds), --user.
# shellcheck source=tests/cli/test-run-lib.sh
. "$(dirname "$0")/test-run-lib.sh"
need_root

P=$PROBE

# --- help and usage ------------------------------------------------------------------------
"$CF" run --help >"$TMP/help" 2>&1
ok $? "--help exits 0"
grep -q -- "--security-opt seccomp=PROFILE" "$TMP/help" && grep -q -- "--user USER\[:GROUP\]" "$TMP/help"
ok $? "--help lists the shared options and --user"
expect_rc "no command: 125" 125
expect_rc "unknown option: 125" 125 --frobnicate "$P" getpid
expect_rc "--security-opt without a value: 125" 125 --security-opt
expect_rc "--security-opt apparmor=x refused (not applied, so not ignored): 125" 125 \
	--security-opt apparmor=unconfined "$P" getpid
expect_rc "--security-opt no-new-privileges=maybe: 125" 125 --security-opt no-new-privileges=maybe "$P" getpid
expect_rc "--cap-add NOT_A_CAP: 125" 125 --cap-add NOT_A_CAP "$P" getpid
expect_rc "--arch is not a run option: 125" 125 --arch arm64 "$P" getpid
expect_rc "missing profile file: 125" 125 --security-opt seccomp=/nonexistent.json "$P" getpid
printf '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ {"names": ["read"], "action": "SCMP_ACT_NOPE"} ]}\n' >"$TMP/bad.json"
run "$TMP/out" --security-opt "seccomp=$TMP/bad.json" "$P" getpid
ok $((rc != 125)) "invalid action in the profile: 125"
grep -q "bad.json:1:" "$TMP/out"
ok $? "invalid profile: the message names file:line"
! grep -q "getpid" "$TMP/out"
ok $? "invalid profile: nothing ran"

# --- options stop at the command; -- is accepted ---------------------------------------------
expect "options after the command belong to it" "getpid ok" "$P" getpid
expect "-- before the command" "getpid ok" -- "$P" getpid
run "$TMP/out" -- /bin/echo --privileged -u x
has "$TMP/out" "--privileged -u x"
ok $? "arguments that look like options are passed to the command"
expect "-u is --user" "id uid=65534 gid=65534 groups=65534" -u 65534 "$P" id
expect "--user=NAME form" "id uid=65534 gid=65534 groups=65534" --user=nobody "$P" id

# --- exit codes ------------------------------------------------------------------------------
expect_rc "the command's status" 7 "$P" exit:7
expect_rc "status 0" 0 "$P" exit:0
expect_rc "killed by SIGKILL: 137" 137 "$P" kill:9
expect_rc "killed by SIGSEGV: 139" 139 "$P" kill:11
expect_rc "not found in PATH: 127" 127 no-such-command-callfence
has "$TMP/out" "callfence: exec: no-such-command-callfence: executable file not found in \$PATH"
ok $? "not found: Docker-style message"
expect_rc "missing path: 127" 127 /nonexistent/cmd
has "$TMP/out" "callfence: exec: /nonexistent/cmd: No such file or directory"
ok $? "missing path: exec: PATH: No such file or directory"
printf 'not a program\n' >"$TMP/noexec"
expect_rc "not executable: 126" 126 "$TMP/noexec"
has "$TMP/out" "callfence: exec: $TMP/noexec: Permission denied"
ok $? "not executable: Permission denied"
chmod +x "$TMP/noexec"
printf '\x7fELF garbage' >"$TMP/noexec"
expect_rc "exec format error: 126" 126 "$TMP/noexec"
expect_rc "a directory: 126" 126 /tmp
expect_rc "callfence errors before exec: 125, even when the command would exit 0" 125 \
	--user no-such-user-callfence "$P" exit:0
has "$TMP/out" "callfence: /etc/passwd: error: --user: unable to find user no-such-user-callfence: no matching entries in passwd file; give a user name from /etc/passwd or a numeric uid"
ok $? "unknown user: message names the file and the fix"
expect_rc "unknown group: 125" 125 --user 0:no-such-group-callfence "$P" exit:0
expect_rc "uid out of range: 125" 125 --user 2147483648 "$P" exit:0

# --- PATH lookup as runc (the command's PATH) --------------------------------------------------
mkdir -p "$TMP/bin"
cp "$P" "$TMP/bin/cfp"
PATH="$TMP/bin:$PATH" "$CF" run cfp getpid >"$TMP/out" 2>&1
has "$TMP/out" "getpid ok"
ok $? "command found through PATH"
PATH="/usr/bin:/bin" "$CF" run cfp getpid >"$TMP/out" 2>&1
ok $(($? != 127)) "twin: not in PATH -> 127"

# --- pass-through ----------------------------------------------------------------------------
echo "hello through stdin" | "$CF" run cat >"$TMP/out" 2>&1
has "$TMP/out" "hello through stdin"
ok $? "stdin and stdout pass through"
"$CF" run sh -c 'echo to-stderr >&2' 2>"$TMP/err" >/dev/null
has "$TMP/err" "to-stderr"
ok $? "stderr passes through"
CF_TEST_VAR=xyzzy "$CF" run "$P" env:CF_TEST_VAR >"$TMP/out" 2>&1
has "$TMP/out" "env:CF_TEST_VAR=xyzzy"
ok $? "environment passes through"
HOME=/custom "$CF" run --user 65534 "$P" env:HOME >"$TMP/out" 2>&1
has "$TMP/out" "env:HOME=/custom"
ok $? "HOME set: kept (runc prepareEnv)"
env -u HOME "$CF" run --user 65534 "$P" env:HOME >"$TMP/out" 2>&1
nobody_home=$(awk -F: '$3 == 65534 { print $6; exit }' /etc/passwd)
has "$TMP/out" "env:HOME=${nobody_home:-/}"
ok $? "HOME unset: the user's passwd home"
env HOME= "$CF" run --user 4242 "$P" env:HOME >"$TMP/out" 2>&1
has "$TMP/out" "env:HOME=/"
ok $? "HOME empty, uid without a passwd entry: /"

# --- no fd leaks -----------------------------------------------------------------------------
"$CF" run "$P" fds 5</dev/null 7>"$TMP/x" >"$TMP/out" 2>&1
has "$TMP/out" "fds 0,1,2"
ok $? "only fds 0-2 reach the command"
"$P" fds 5</dev/null >"$TMP/out" 2>&1
grep -q "^fds 0,1,2.*5" "$TMP/out"
ok $? "twin: without callfence the probe does see fd 5"

# --- --user ----------------------------------------------------------------------------------
expect "--user 65534:65534" "id uid=65534 gid=65534 groups=65534" --user 65534:65534 "$P" id
expect "--user 4242 (no passwd entry): gid 0" "id uid=4242 gid=0 groups=0" --user 4242 "$P" id
expect "--user 4242:4343" "id uid=4242 gid=4343 groups=4343" --user 4242:4343 "$P" id
expect "--user root:nogroup" "id uid=0 gid=65534 groups=65534" --user root:nogroup "$P" id
# Docker's default user is the image's root, and moby's getUser always hands runc the primary gid
# as a supplementary group: `docker run debian id` says groups=0(root)
expect "without --user: the caller's uid and gid, groups = the primary gid (as Docker)" \
	"id uid=$(id -u) gid=$(id -g) groups=$(id -g)" "$P" id

# an unprivileged caller: tests/kernel/test-run-rootless.sh

done_testing
