#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# callfence explain: the seed stories (each with its negative twin), JSON, exit codes, errors.
CF=${1:?usage: test-explain-cli.sh CALLFENCE}
. "$(dirname "$0")/tap.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# --- mbind under builtin: EPERM by the default action, the CAP_SYS_NICE rule inactive, fix #1
"$CF" explain mbind >"$W/mbind" 2>&1
ok "mbind: exit 1 (denied)" eq $? 1
ok "mbind: EPERM" has "$W/mbind" "SCMP_ACT_ERRNO(EPERM)"
ok "mbind: decided by the default action" has "$W/mbind" "decided: the default action (no rule matched)"
ok "mbind: the CAP_SYS_NICE rule is inactive" has "$W/mbind" "builtin:rule #29: inactive: includes.caps CAP_SYS_NICE is not held"
ok "mbind: fix #1 is --cap-add SYS_NICE" has "$W/mbind" "1. --cap-add SYS_NICE"
ok "mbind: cap fix says what else it opens" has "$W/mbind" "also opens: get_mempolicy, set_mempolicy, set_mempolicy_home_node"
ok "mbind: unconfined is not fix #1" hasnt "$W/mbind" "1. --security-opt seccomp=unconfined"
ok "mbind: privileged is not fix #1" hasnt "$W/mbind" "1. --privileged"
ok "mbind: capability ranked before unconfined" before "$W/mbind" "--cap-add SYS_NICE" "seccomp=unconfined"
ok "mbind: unconfined ranked before privileged" before "$W/mbind" "seccomp=unconfined" "--privileged"
ok "mbind: kernel note on MPOL_MF_MOVE_ALL" has "$W/mbind" "MPOL_MF_MOVE_ALL"
# twin: with the capability it is allowed by that rule
"$CF" explain --cap-add SYS_NICE mbind >"$W/mbind2" 2>&1
ok "mbind + SYS_NICE: exit 0 (allowed)" eq $? 0
ok "mbind + SYS_NICE: allowed by rule #29" has "$W/mbind2" "decided: builtin:rule #29"
ok "mbind + SYS_NICE: no fixes" hasnt "$W/mbind2" "fixes"

# --- the same with the profile in a file: the rule is named by file:line
"$CF" export --format docker >"$W/default.json"
"$CF" explain --security-opt seccomp="$W/default.json" mbind >"$W/mbindf" 2>&1
line=$(grep -n '"CAP_SYS_NICE"' "$W/default.json" | head -n1 | cut -d: -f1)
ok "mbind (file): rule named by file:line" grep -qE "default.json:[0-9]+:[0-9]+ \(rule #29\): inactive" "$W/mbindf"
ok "mbind (file): the line is the rule's, before its CAP_SYS_NICE" sh -c "l=\$(grep -oE 'default.json:[0-9]+' '$W/mbindf' | head -n1 | cut -d: -f2); [ \"\$l\" -gt 0 ] && [ \"\$l\" -lt $line ] && [ \$(( $line - \$l )) -lt 20 ]"

# --- mkdir with a profile without mkdir: no capability helps, the fix is a rule
cat >"$W/nomkdir.json" <<'J'
{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
 "syscalls": [{"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"}]}
J
"$CF" explain --security-opt seccomp="$W/nomkdir.json" mkdir >"$W/mkdir" 2>&1
ok "mkdir: exit 1" eq $? 1
ok "mkdir: EPERM by default" has "$W/mkdir" "decided: the default action"
ok "mkdir: no capability fix" hasnt "$W/mkdir" "--cap-add"
ok "mkdir: fix #1 is a profile rule" grep -qF '1. profile' "$W/mkdir"
ok "mkdir: the rule JSON" has "$W/mkdir" '{"names": ["mkdir"], "action": "SCMP_ACT_ALLOW"}'
ok "mkdir: --privileged is not offered when it keeps the explicit profile and cannot help" hasnt "$W/mkdir" "--privileged"
"$CF" explain --security-opt seccomp="$W/nomkdir.json" write >"$W/write" 2>&1
ok "write (twin): allowed, exit 0" eq $? 0
ok "write (twin): by rule #0 at its line" grep -qE "nomkdir.json:2:[0-9]+ \(rule #0\)" "$W/write"

# --- personality: allowed by an argument rule vs denied with the mismatch explained
"$CF" explain personality 0x8 >"$W/p8" 2>&1
ok "personality 0x8: exit 0" eq $? 0
ok "personality 0x8: allowed by rule #6" has "$W/p8" "decided: builtin:rule #6"
ok "personality 0x8: decoded" has "$W/p8" "personality(PER_LINUX32)"
"$CF" explain personality PER_LINUX32 >"$W/p8s" 2>&1
ok "personality PER_LINUX32: same as 0x8" eq "$(cat "$W/p8s")" "$(cat "$W/p8")"
"$CF" explain personality 0x4 >"$W/p4" 2>&1
ok "personality 0x4: exit 1" eq $? 1
ok "personality 0x4: mismatch with the 0x8 rule" has "$W/p4" "builtin:rule #6: argument mismatch: needs arg0 == 0x8 (arg0 is 0x4)"
ok "personality 0x4: fix #1 is an argument rule" has "$W/p4" '1. profile builtin: add {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 4, "op": "SCMP_CMP_EQ"}]}'
ok "personality 0x4: plain rule second" before "$W/p4" '"value": 4' '2. profile builtin: add {"names": ["personality"], "action": "SCMP_ACT_ALLOW"}'

# --- socket AF_ALG: denied with the escape-surface warning; AF_INET (twin) allowed, no warning
"$CF" explain socket AF_ALG SOCK_SEQPACKET 0 >"$W/alg" 2>&1
ok "socket AF_ALG: exit 1" eq $? 1
ok "socket AF_ALG: escape surface named" has "$W/alg" "escape surface: AF_ALG"
ok "socket AF_ALG: the fix carries the warning" has "$W/alg" "WARNING: opens an escape surface: AF_ALG"
ok "socket AF_ALG: mismatch with the < 38 rule" has "$W/alg" "needs arg0 < 0x26 (arg0 is 0x26)"
"$CF" explain socket AF_INET SOCK_STREAM 0 >"$W/inet" 2>&1
ok "socket AF_INET: exit 0" eq $? 0
ok "socket AF_INET: no warning" hasnt "$W/inet" "WARNING"
"$CF" explain socket AF_VSOCK >"$W/vsock" 2>&1
ok "socket AF_VSOCK: escape surface" has "$W/vsock" "AF_VSOCK"

# --- clone with namespace flags: CAP_SYS_ADMIN works but is flagged
"$CF" explain clone 'CLONE_NEWUSER|CLONE_NEWNS|SIGCHLD' >"$W/clone" 2>&1
ok "clone NEWUSER: denied" eq $? 1
ok "clone NEWUSER: excluded rule explained" has "$W/clone" "argument mismatch: needs (arg0 & 0x7e020000) == 0"
ok "clone NEWUSER: SYS_ADMIN flagged" has "$W/clone" "WARNING: opens an escape surface"
"$CF" explain clone SIGCHLD >"$W/clone2" 2>&1
ok "clone SIGCHLD (twin): allowed" eq $? 0

# --- syslog: seccomp allows it with SYS_ADMIN, the kernel wants SYSLOG
"$CF" explain syslog SYSLOG_ACTION_READ_ALL >"$W/syslog" 2>&1
ok "syslog: --cap-add SYSLOG before SYS_ADMIN" before "$W/syslog" "--cap-add SYSLOG" "--cap-add SYS_ADMIN"
ok "syslog: kernel note" has "$W/syslog" "the kernel checks CAP_SYSLOG"
"$CF" explain mount >"$W/mount" 2>&1
ok "mount: AppArmor note" has "$W/mount" "AppArmor"
"$CF" explain read >"$W/read" 2>&1
ok "read (twin): no notes" hasnt "$W/read" "note:"

# --- unconfined / privileged: seccomp not the cause
"$CF" explain --security-opt seccomp=unconfined mbind >"$W/unc" 2>&1
ok "unconfined: exit 0" eq $? 0
ok "unconfined: says seccomp is disabled" has "$W/unc" "seccomp is disabled"

# --- JSON
"$CF" explain --json mbind >"$W/json" 2>&1
ok "json: exit 1" eq $? 1
ok "json: one line" eq "$(wc -l <"$W/json")" 1
ok "json: parses, fields" python3 -c "
import json,sys
d=json.load(open('$W/json'))
assert d['syscall']=='mbind' and d['allowed'] is False and d['errno_name']=='EPERM', d
assert d['source']=='default'
assert d['fixes'][0]['kind']=='capability' and d['fixes'][0]['cap']=='CAP_SYS_NICE', d['fixes'][0]
assert any(o['rule']==29 and not o['active'] for o in d['other_rules'])
"
"$CF" explain --json personality 8 >"$W/json2" 2>&1
ok "json twin: allowed, decided by rule 6" python3 -c "
import json
d=json.load(open('$W/json2'))
assert d['allowed'] is True and d['rule']==6 and d['fixes']==[], d
"

# --- errors: 125 with a message
"$CF" explain nosuchcall >"$W/e1" 2>&1
ok "unknown syscall: 125" eq $? 125
ok "unknown syscall: message" has "$W/e1" 'unknown syscall "nosuchcall"'
"$CF" explain socket AF_NOPE >"$W/e2" 2>&1
ok "bad argument: 125" eq $? 125
ok "bad argument: names it" has "$W/e2" "AF_NOPE"
"$CF" explain >"$W/e3" 2>&1
ok "no syscall: 125" eq $? 125
"$CF" explain --cap-add NOPE mbind >"$W/e4" 2>&1
ok "bad capability: 125" eq $? 125
"$CF" explain --help >"$W/help" 2>&1
ok "--help: 0" eq $? 0
ok "--help: mentions --json" has "$W/help" "--json"
"$CF" explain --arch SCMP_ARCH_AARCH64 arch_prctl >"$W/e5" 2>&1
ok "arch_prctl on aarch64: does not exist there (125)" eq $? 125
"$CF" explain --arch SCMP_ARCH_AARCH64 mbind >"$W/arm" 2>&1
ok "--arch aarch64: mbind still EPERM" has "$W/arm" "SCMP_ARCH_AARCH64"

# issue 12: a what-if kernel is not "the running kernel"
cat >"$W/mk.json" <<'J'
{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","includes":{"minKernel":"99.0"}}]}
J
"$CF" explain --kernel 4.4 --security-opt seccomp="$W/mk.json" getpid >"$W/k44" 2>&1
ok "--kernel 4.4: names kernel 4.4" has "$W/k44" "includes.minKernel 99.0 > kernel 4.4"
ok "--kernel 4.4: not the running kernel" hasnt "$W/k44" "running kernel"
"$CF" explain --security-opt seccomp="$W/mk.json" getpid >"$W/krun" 2>&1
ok "no --kernel (twin): the running kernel" has "$W/krun" "includes.minKernel 99.0 > running kernel"

# issue 12: "same action as the default" compares errnoRet too
cat >"$W/errno.json" <<'J'
{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ALLOW"},{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}
J
"$CF" explain --security-opt seccomp="$W/errno.json" getpid >"$W/en" 2>&1
ok "ERRNO(ENOSYS) under a default of ERRNO(EPERM): not the default's action" has "$W/en" "(rule #1): unconditional, but an earlier rule decided"
cat >"$W/errno2.json" <<'J'
{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ALLOW"},{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}
J
"$CF" explain --security-opt seccomp="$W/errno2.json" getpid >"$W/en2" 2>&1
ok "ERRNO(EPERM) under a default of ERRNO(EPERM) (twin): same action as the default" has "$W/en2" "(rule #1): same action as the default"

# issue 12: a bad-arch kill: the fix is the architecture, first
cat >"$W/native.json" <<'J'
{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[]}
J
"$CF" explain --security-opt seccomp="$W/native.json" --abi SCMP_ARCH_X86 getpid >"$W/ba" 2>&1
ok "bad arch: the first fix adds the architecture" has "$W/ba" '1. profile '"$W"'/native.json: add "SCMP_ARCH_X86" to "architectures"'
ok "bad arch: no allow rule for the syscall (twin)" hasnt "$W/ba" '"names": ["getpid"]'

done_testing
