#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Real-kernel behaviour of `callfence run`: the probe calls syscalls with harmless invalid
# arguments, so "denied by the filter" (EPERM, the profile's errno, SIGSYS) differs from "ran in
# the kernel" (EFAULT, EINVAL, ESRCH...). Every positive check has its negative twin.
# shellcheck source=tests/cli/test-run-lib.sh
. "$(dirname "$0")/../cli/test-run-lib.sh"
need_root

P=$PROBE

# --- mbind: gated on CAP_SYS_NICE in Docker's default profile -----------------------------
expect "builtin: mbind is denied (EPERM)" "mbind errno=EPERM" -- "$P" mbind
expect "builtin + --cap-add SYS_NICE: mbind reaches the kernel (EINVAL)" "mbind errno=EINVAL" \
	--cap-add SYS_NICE -- "$P" mbind
expect "unconfined: mbind reaches the kernel" "mbind errno=EINVAL" --security-opt seccomp=unconfined "$P" mbind

# --- a profile without mkdir -----------------------------------------------------------------
expect "no-mkdir profile: mkdir denied" "mkdir errno=EPERM" --security-opt "seccomp=$PROFILES/no-mkdir.json" "$P" mkdir
expect "no-mkdir profile: mkdirat runs" "mkdirat errno=EFAULT" --security-opt "seccomp=$PROFILES/no-mkdir.json" "$P" mkdirat
expect "builtin: mkdir runs" "mkdir errno=EFAULT" "$P" mkdir

# --- ALLOW-default profile denying ptrace and chroot ----------------------------------------
A=(--security-opt "seccomp=$PROFILES/allow-deny-ptrace-chroot.json")
expect "allow-default: ptrace denied" "ptrace errno=EPERM" "${A[@]}" "$P" ptrace
expect "allow-default: chroot denied" "chroot errno=EPERM" "${A[@]}" "$P" chroot
expect "allow-default: mkdir allowed by the default action" "mkdir errno=EFAULT" "${A[@]}" "$P" mkdir
expect "builtin: ptrace allowed (kernel >= 4.8 rule)" "ptrace errno=ESRCH" "$P" ptrace
expect "builtin: chroot allowed (CAP_SYS_CHROOT is a default cap)" "chroot errno=EFAULT" "$P" chroot
expect "builtin --cap-drop SYS_CHROOT: chroot denied" "chroot errno=EPERM" --cap-drop SYS_CHROOT "$P" chroot

# --- chown gated on CAP_AUDIT_CONTROL ---------------------------------------------------------
C=(--security-opt "seccomp=$PROFILES/chown-audit-control.json")
expect "chown gate without CAP_AUDIT_CONTROL: denied" "chown errno=EPERM" "${C[@]}" "$P" chown
expect "chown gate with --cap-add AUDIT_CONTROL: runs" "chown errno=EFAULT" "${C[@]}" --cap-add AUDIT_CONTROL "$P" chown
expect "chown gate with --cap-add ALL: runs" "chown errno=EFAULT" "${C[@]}" --cap-add ALL "$P" chown

# --- a strict profile that stops the launcher ------------------------------------------------
S=(--security-opt "seccomp=$PROFILES/strict-no-launcher.json")
run "$TMP/out" "${S[@]}" "$P" getpid
ok $((rc != 125)) "strict profile without no-new-privileges: exit 125 before starting"
grep -q "callfence needs after installing the filter: prctl (SCMP_ACT_ERRNO: EPERM) to drop" "$TMP/out"
ok $? "strict profile: the message names prctl and the launcher step"
grep -q "; capset (SCMP_ACT_ERRNO: EPERM) to set" "$TMP/out"
ok $? "strict profile: the same message names capset too (every denied call at once)"
grep -q "use --security-opt no-new-privileges" "$TMP/out"
ok $? "strict profile: the message gives the no-new-privileges fix"
! grep -q "getpid" "$TMP/out"
ok $? "strict profile: the command never ran"
expect "strict profile + no-new-privileges: the command runs" "getpid ok" "${S[@]}" --security-opt no-new-privileges "$P" getpid
expect "strict profile + no-new-privileges: still confined" "mkdir errno=EPERM" "${S[@]}" --security-opt no-new-privileges "$P" mkdir
run "$TMP/out" --security-opt "seccomp=$PROFILES/kill-capset.json" "$P" getpid
ok $((rc != 125)) "a KILL on capset is refused too (exit 125)"
grep -q "after installing the filter: capset (SCMP_ACT_KILL_PROCESS" "$TMP/out"
ok $? "the KILL message names capset and the action"
expect "KILL on capset + no-new-privileges: runs" "getpid ok" --security-opt "seccomp=$PROFILES/kill-capset.json" --security-opt no-new-privileges "$P" getpid
run "$TMP/out" --security-opt "seccomp=$PROFILES/deny-execve.json" --security-opt no-new-privileges "$P" getpid
ok $((rc != 125)) "a profile denying execve is refused in no-new-privileges mode too"
grep -q "the profile denies execve" "$TMP/out"
ok $? "the execve message names execve"
run "$TMP/out" --security-opt "seccomp=$PROFILES/setuid-only-root.json" --user 65534 "$P" getpid
ok $((rc != 125)) "setuid allowed only for uid 0: --user 65534 refused (exact args simulated)"
expect "setuid allowed only for uid 0: --user 0 runs" "getpid ok" --security-opt "seccomp=$PROFILES/setuid-only-root.json" --user 0 "$P" getpid

# --- each action ----------------------------------------------------------------------------
X=(--security-opt "seccomp=$PROFILES/actions.json")
expect_rc "KILL_PROCESS: killed by SIGSYS (exit 159)" 159 "${X[@]}" "$P" kcmp
run "$TMP/out" "${X[@]}" "$P" @thread:kcmp getpid
ok $(( rc != 159 )) "KILL_PROCESS in a thread kills the whole process"
! has "$TMP/out" "getpid ok"
ok $? "KILL_PROCESS: nothing runs after it"
expect_rc "KILL_THREAD in the only thread: exit 159" 159 "${X[@]}" "$P" getppid
run "$TMP/out" "${X[@]}" "$P" @thread:getppid getpid
has "$TMP/out" "@thread:getppid thread-killed" && has "$TMP/out" "getpid ok"
ok $? "KILL_THREAD in a second thread: only that thread dies, the process goes on"
expect_rc "SCMP_ACT_KILL (= KILL_THREAD): exit 159" 159 "${X[@]}" "$P" setns
expect "TRAP with a handler: SIGSYS with si_syscall=63 (uname)" "uname sigsys syscall=63 arch=0xc000003e data=0" "${X[@]}" "$P" trap uname
expect_rc "TRAP without a handler: killed by SIGSYS" 159 "${X[@]}" "$P" uname
expect "ERRNO errnoRet 99: EADDRNOTAVAIL" "mount errno=EADDRNOTAVAIL" "${X[@]}" "$P" mount
# runc and crun (libseccomp) refuse an errno >= 4095 at container start: so does callfence
expect_rc "ERRNO errnoRet 12345: refused before anything runs, like runc (125)" 125 \
	--security-opt "seccomp=$PROFILES/errno-clamp.json" "$P" fchown
grep -q 'errnoRet 12345 is refused by runc and crun' "$TMP/out"
ok $? "the refusal names errnoRet and the runtimes"
expect "ERRNO without errnoRet: EPERM" "mkdir errno=EPERM" "${X[@]}" "$P" mkdir
expect "LOG: the call runs (ERANGE from the kernel)" "getcwd errno=ERANGE" "${X[@]}" "$P" getcwd
expect "TRACE without a tracer: ENOSYS" "chroot errno=ENOSYS" "${X[@]}" "$P" chroot
expect "TRACE with errnoRet, no tracer: still ENOSYS" "keyctl errno=ENOSYS" "${X[@]}" "$P" keyctl
expect "negative twin: kcmp unlisted under an ALLOW-default profile runs" "kcmp errno=ESRCH" "${A[@]}" "$P" kcmp

# --- argument filters of the default profile -------------------------------------------------
for v in 0x0 0x8 0x20000 0x20008 0xffffffff; do
	expect "builtin: personality($v) allowed" "personality:$v ok" "$P" "personality:$v"
done
expect "builtin: personality(0x1) denied" "personality:0x1 errno=EPERM" "$P" personality:0x1
expect "builtin: personality(0x10008) denied" "personality:0x10008 errno=EPERM" "$P" personality:0x10008
expect "builtin: socket(AF_ALG) denied" "socket:38,5,0 errno=EPERM" "$P" socket:38,5,0
expect "builtin: socket(AF_VSOCK) denied" "socket:40,1,0 errno=EPERM" "$P" socket:40,1,0
expect "builtin: socket(AF_INET) allowed" "socket:2,2,0 ok" "$P" socket:2,2,0
expect "builtin: socket(39) allowed (between the two denied families)" "socket:39,1,0 errno=EAFNOSUPPORT" "$P" socket:39,1,0
expect "unconfined: socket(AF_VSOCK) reaches the kernel" "socket:40,1,0 ok" --security-opt seccomp=unconfined "$P" socket:40,1,0
for f in 0x10000000:CLONE_NEWUSER 0x20000:CLONE_NEWNS 0x40000000:CLONE_NEWNET 0x2000000:CLONE_NEWCGROUP; do
	expect "builtin: clone(${f#*:}) denied" "clone:${f%%:*} errno=EPERM" "$P" "clone:${f%%:*}"
done
expect "builtin: clone without namespace flags runs (EINVAL from the kernel)" "clone errno=EINVAL" "$P" clone
expect "builtin + SYS_ADMIN: clone(CLONE_NEWUSER) runs" "clone:0x10000000 errno=EINVAL" --cap-add SYS_ADMIN "$P" clone:0x10000000

# --- clone3 and threads ---------------------------------------------------------------------
expect "builtin: clone3 -> ENOSYS without SYS_ADMIN" "clone3 errno=ENOSYS" "$P" clone3
expect "builtin: threads still start (glibc falls back to clone)" "thread ok" "$P" thread
expect "builtin + SYS_ADMIN: clone3 reaches the kernel (EINVAL)" "clone3 errno=EINVAL" --cap-add SYS_ADMIN "$P" clone3
expect "builtin + SYS_ADMIN: threads start" "thread ok" --cap-add SYS_ADMIN "$P" thread

# --- the same syscall through other ABIs ------------------------------------------------------
i386_case expect "builtin: mbind through int 0x80 denied" "@i386:mbind errno=EPERM" "$P" @i386:mbind
i386_case expect "builtin + SYS_NICE: mbind through int 0x80 runs" "@i386:mbind errno=EINVAL" --cap-add SYS_NICE "$P" @i386:mbind
i386_case expect "builtin: mkdir through int 0x80 runs" "@i386:mkdir errno=EFAULT" "$P" @i386:mkdir
i386_case expect "builtin: socketcall (i386) allowed unconditionally" "@i386:socketcall errno=EINVAL" "$P" @i386:socketcall
expect "builtin: mbind with the x32 bit denied by the filter" "@x32:mbind errno=EPERM" "$P" @x32:mbind
x32=$("$P" x32)
if [ "$x32" = "x32 supported" ]; then
	expect "builtin + SYS_NICE: x32 mbind runs" "@x32:mbind errno=EINVAL" --cap-add SYS_NICE "$P" @x32:mbind
else
	expect "builtin + SYS_NICE: x32 mbind passes the filter (ENOSYS: no x32 in this kernel)" \
		"@x32:mbind errno=ENOSYS" --cap-add SYS_NICE "$P" @x32:mbind
fi
i386_case expect_rc "architectures [X86_64] only: int 0x80 is a bad arch, killed" 159 \
	--security-opt "seccomp=$PROFILES/x86-64-only.json" "$P" @i386:getpid
expect_rc "architectures [X86_64] only: the x32 bit is a bad arch, killed" 159 \
	--security-opt "seccomp=$PROFILES/x86-64-only.json" "$P" @x32:getpid
expect "architectures [X86_64] only: native calls run" "getpid ok" \
	--security-opt "seccomp=$PROFILES/x86-64-only.json" "$P" getpid

# --- /proc/self/status of the command -------------------------------------------------------
status_is() { # DESC KEY VALUE ARGS...
	local d=$1 k=$2 v=$3
	shift 3
	expect "$d: $k $v" "status $k=$v" "$@" "$P" status
}
DEF=00000000a80425fb
status_is "default" Seccomp 2
status_is "default" NoNewPrivs 0
status_is "default" CapBnd $DEF
status_is "default" CapEff $DEF
status_is "default" CapPrm $DEF
status_is "default" CapInh 0000000000000000
status_is "default" CapAmb 0000000000000000
status_is "--cap-add SYS_NICE" CapEff 00000000a88425fb --cap-add SYS_NICE
status_is "--cap-add SYS_NICE" CapBnd 00000000a88425fb --cap-add SYS_NICE
status_is "--cap-drop NET_RAW" CapBnd 00000000a80405fb --cap-drop NET_RAW
status_is "--cap-drop ALL" CapBnd 0000000000000000 --cap-drop ALL
status_is "--cap-drop ALL" CapEff 0000000000000000 --cap-drop ALL
status_is "--cap-drop ALL --cap-add CHOWN" CapEff 0000000000000001 --cap-drop ALL --cap-add CHOWN
own_bnd=$(sed -n 's/^CapBnd:\t//p' /proc/self/status)
status_is "--privileged" CapBnd "$own_bnd" --privileged
status_is "--privileged" CapEff "$own_bnd" --privileged
status_is "--privileged" Seccomp 0 --privileged
status_is "--privileged + explicit profile" Seccomp 2 --privileged --security-opt "seccomp=$PROFILES/allow-deny-ptrace-chroot.json"
status_is "unconfined" Seccomp 0 --security-opt seccomp=unconfined
status_is "unconfined" CapBnd $DEF --security-opt seccomp=unconfined
status_is "no-new-privileges" NoNewPrivs 1 --security-opt no-new-privileges
status_is "no-new-privileges=false" NoNewPrivs 0 --security-opt no-new-privileges=false
status_is "no-new-privileges" Seccomp 2 --security-opt no-new-privileges
status_is "--user 65534" CapEff 0000000000000000 --user 65534
status_is "--user 65534" CapPrm 0000000000000000 --user 65534
status_is "--user 65534" CapBnd $DEF --user 65534
status_is "--user 65534" Seccomp 2 --user 65534
status_is "--user 65534 --cap-add SYS_NICE (bounding only: no ambient)" CapAmb 0000000000000000 --user 65534 --cap-add SYS_NICE
status_is "--user 65534 --cap-add SYS_NICE" CapBnd 00000000a88425fb --user 65534 --cap-add SYS_NICE
status_is "--user 0" CapEff $DEF --user 0
expect "--user 65534: seccomp gating still uses the bounding set (mbind with SYS_NICE passes the filter)" \
	"mbind errno=EINVAL" --user 65534 --cap-add SYS_NICE "$P" mbind

done_testing
