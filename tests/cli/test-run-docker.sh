#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 12, the CLI: docker run's process options seen by the command itself (/proc/self/status,
# ulimit, pwd, id -G, env), container-only options refused with 125, `help run`, did-you-mean for
# options, commands, capabilities and syscalls, unknown profile keys and unknown syscall names
# (lenient by default, --strict), and Podman's defaults. Every case has a negative twin.
# shellcheck source=tests/cli/test-run-lib.sh
. "$(dirname "$0")/test-run-lib.sh"
need_root

# --- -e / --env-file ----------------------------------------------------------------------
FROMCF=callfence-value expect "-e NAME=VALUE reaches the command" "X=1" \
	-e X=1 -- sh -c 'echo "X=$X"'
FROMCF=callfence-value expect "-e NAME passes callfence's own value" "FROMCF=callfence-value" \
	-e FROMCF -- sh -c 'echo "FROMCF=$FROMCF"'
expect "twin: -e NAME of an unset variable sets nothing (docker)" "UNSET=<unset>" \
	-e UNSET_CF_VAR -- sh -c 'echo "UNSET=${UNSET_CF_VAR-<unset>}"'
printf '# a comment\n\n  SPACED=a b "c"\nFROMCF\nGONE_CF_VAR\nX=from-file\n' >"$TMP/e.env"
FROMCF=inherited expect "--env-file: value verbatim (quotes kept), leading blanks trimmed" \
	'SPACED=a b "c"' --env-file "$TMP/e.env" -- sh -c 'echo "SPACED=$SPACED"'
FROMCF=inherited expect "--env-file: NAME alone inherits" "FROMCF=inherited" \
	--env-file "$TMP/e.env" -- sh -c 'echo "FROMCF=$FROMCF"'
expect "--env-file then -e: -e wins (docker's order)" "X=from-e" \
	--env-file "$TMP/e.env" -e X=from-e -- sh -c 'echo "X=$X"'
printf 'BAD NAME=1\n' >"$TMP/bad.env"
expect_rc "twin: --env-file with a name containing whitespace: 125" 125 \
	--env-file "$TMP/bad.env" -- true
grep -q "bad.env:1" "$TMP/out" && grep -q "contains whitespaces" "$TMP/out"
ok $? "twin: the message names the file and line"
expect_rc "twin: --env-file missing: 125" 125 --env-file "$TMP/nope.env" -- true

# --- -w / --workdir -------------------------------------------------------------------------
mkdir -p "$TMP/wd"
expect "-w DIR: the command runs in DIR" "$TMP/wd" -w "$TMP/wd" -- pwd
expect_rc "twin: -w of a missing directory: 125, nothing created" 125 -w "$TMP/missing" -- true
[ ! -e "$TMP/missing" ]
ok $? "twin: the missing directory was not created on the host"
grep -q "mkdir -p" "$TMP/out"
ok $? "twin: the message says what to do"
expect_rc "twin: -w relative: 125 (docker wants an absolute path)" 125 -w wd -- true

# --- --ulimit -------------------------------------------------------------------------------
expect "--ulimit nofile=123:456: soft limit seen by the command" "123" \
	--ulimit nofile=123:456 -- sh -c 'ulimit -n'
expect "--ulimit nofile=123:456: hard limit seen by the command" "456" \
	--ulimit nofile=123:456 -- sh -c 'ulimit -Hn'
run "$TMP/out" -- sh -c 'ulimit -n'
! has "$TMP/out" "123"
ok $? "twin: without --ulimit the command keeps callfence's limit"
expect_rc "twin: --ulimit soft > hard: 125" 125 --ulimit nofile=10:5 -- true
expect_rc "twin: --ulimit unknown name: 125" 125 --ulimit nofle=10 -- true
grep -q "did you mean nofile" "$TMP/out"
ok $? "twin: --ulimit nofle suggests nofile"

# --- --group-add ----------------------------------------------------------------------------
expect "--group-add 4242: id -G of the command lists it" "0 4242" --group-add 4242 -- id -G
expect "--group-add with --user: added after the user's groups" "65534 4242" \
	--user 65534:65534 --group-add 4242 -- id -G
run "$TMP/out" -- id -G
! grep -qw 4242 "$TMP/out"
ok $? "twin: without --group-add the group is not there"
expect_rc "twin: --group-add of an unknown group name: 125" 125 \
	--group-add no-such-group-cf -- true

# --- -i / --init accepted; container-only options refused -----------------------------------
expect "-i (stdin is always passed): a pipe reaches the command" "piped" -i -- cat <<<"piped"
expect_rc "--init: accepted (run already forwards signals; orphans go to the host's init)" 0 \
	--init -- true
for opt in "--rm" "-d" "--detach" "--network=none" "--net host" "-v /a:/b" "--volume=/a:/b" \
	"-p 80:80" "--name x" "--mount type=bind" "--entrypoint sh" "--pid host" "-m 1g"; do
	# shellcheck disable=SC2086 # the option and its value are two words
	expect_rc "$opt: refused with 125" 125 $opt -- true
	grep -q "callfence has no containers: " "$TMP/out"
	ok $? "$opt: the one line says there are no containers and what to do"
done
[ "$(wc -l <"$TMP/out")" -eq 1 ]
ok $? "the refusal is one line"

# --- help run, did-you-mean -----------------------------------------------------------------
"$CF" help run >"$TMP/h1" 2>&1
r1=$?
"$CF" run --help >"$TMP/h2" 2>&1
cmp -s "$TMP/h1" "$TMP/h2" && [ $r1 -eq 0 ]
ok $? "callfence help run == callfence run --help"
"$CF" help >"$TMP/h3" 2>&1
grep -q "^Usage: callfence COMMAND" "$TMP/h3" && ! cmp -s "$TMP/h1" "$TMP/h3"
ok $? "twin: callfence help alone is the usage, not a command's help"
for o in "-e, --env" "--env-file" "-w, --workdir" "--group-add" "--ulimit" "-t, --tty" \
	"-i, --interactive" "--init" "--strict" "--defaults"; do
	grep -qE "^  +$o " "$TMP/h2"
	ok $? "run --help lists $o in the '  -x, --long VALUE  text' shape"
done
"$CF" help nosuch >"$TMP/out" 2>&1
[ $? -eq 125 ] && grep -q "valid: run export explain .* help$" "$TMP/out"
ok $? "help nosuch: 125 and the valid commands (nothing near)"
"$CF" help runn >"$TMP/out" 2>&1
grep -q "did you mean run?" "$TMP/out"
ok $? "help runn: did you mean run?"
"$CF" rnu >"$TMP/out" 2>&1
[ $? -eq 125 ] && grep -q "did you mean run?" "$TMP/out"
ok $? "command rnu: did you mean run?"
expect_rc "--privilged: 125" 125 --privilged -- true
grep -q "did you mean --privileged?" "$TMP/out"
ok $? "--privilged: did you mean --privileged?"
expect_rc "twin: an option far from every one: 125 without a suggestion" 125 --zzzzzzzz -- true
! grep -q "did you mean" "$TMP/out"
ok $? "twin: no suggestion for --zzzzzzzz"
expect_rc "--cap-add SYS_ADMN: 125" 125 --cap-add SYS_ADMN -- true
grep -q "did you mean SYS_ADMIN?" "$TMP/out"
ok $? "--cap-add SYS_ADMN: did you mean SYS_ADMIN?"
expect_rc "--cap-add CAP_SYS_ADMN: 125" 125 --cap-add CAP_SYS_ADMN -- true
grep -q "did you mean CAP_SYS_ADMIN?" "$TMP/out"
ok $? "--cap-add CAP_SYS_ADMN: answered as spelled, CAP_SYS_ADMIN"
"$CF" explain mbnd >"$TMP/out" 2>&1
[ $? -eq 125 ] && grep -q "did you mean mbind?" "$TMP/out"
ok $? "explain mbnd: did you mean mbind?"
"$CF" explain this_syscall_does_not_exist_12345 >"$TMP/out" 2>&1
! grep -q "did you mean" "$TMP/out"
ok $? "twin: explain of a far name suggests nothing"
"$CF" export --formt oci >"$TMP/out" 2>&1
grep -q "did you mean --format?" "$TMP/out"
ok $? "export --formt: did you mean --format?"

# --- unknown profile keys -------------------------------------------------------------------
P="$TMP/p"
mkdir -p "$P"
cat >"$P/desc.json" <<'EOF'
{"description": "a profile with notes", "_comment": "Docker ignores these",
 "defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "_comment": "x"}]}
EOF
run "$TMP/out" --security-opt seccomp="$P/desc.json" -- "$PROBE" mkdir
[ "$rc" -eq 0 ] && grep -q "mkdir errno=EPERM" "$TMP/out"
ok $? "\"description\"/\"_comment\" keys: the profile runs and its rule holds"
grep -q 'desc.json:1:17: warning: /description: unknown key "description" ignored' "$TMP/out"
ok $? "the warning names file:line:col and the JSON pointer"
grep -q '/syscalls/0/_comment: unknown key "_comment" ignored' "$TMP/out"
ok $? "a rule's _comment (one edit from comment, which means nothing) is a warning"
expect_rc "twin: --strict refuses the description key" 125 --strict \
	--security-opt seccomp="$P/desc.json" -- true
grep -q 'error: /description: unknown key "description"' "$TMP/out"
ok $? "twin: --strict names the key"
cat >"$P/incldues.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
 {"names": ["read", "write", "exit_group", "execve", "brk", "mmap", "arch_prctl"], "action": "SCMP_ACT_ALLOW"},
 {"names": ["chroot"], "action": "SCMP_ACT_ALLOW", "incldues": {"caps": ["CAP_SYS_CHROOT"]}}]}
EOF
expect_rc "\"incldues\" (a near miss of includes): 125" 125 \
	--security-opt seccomp="$P/incldues.json" -- true
grep -q 'did you mean "includes"?' "$TMP/out"
ok $? "\"incldues\": did you mean \"includes\"?"
cat >"$P/errnoret.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "erronRet": 38}]}
EOF
expect_rc "\"erronRet\" (a near miss of errnoRet): 125" 125 \
	--security-opt seccomp="$P/errnoret.json" -- true
grep -q 'did you mean "errnoRet"?' "$TMP/out"
ok $? "\"erronRet\": did you mean \"errnoRet\"?"

# --- unknown syscall names in deny rules ----------------------------------------------------
# crun's own test (tests/test_seccomp.py): a default-allow profile denying a name that does not
# exist starts the container
cat >"$P/far.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["this_syscall_does_not_exist_12345", "mkdir"], "action": "SCMP_ACT_ERRNO"}]}
EOF
cat >"$P/chrot.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["chrot"], "action": "SCMP_ACT_ERRNO"}]}
EOF
run "$TMP/out" --security-opt seccomp="$P/far.json" -- "$PROBE" mkdir
[ "$rc" -eq 0 ] && grep -q "mkdir errno=EPERM" "$TMP/out"
ok $? "a far unknown name in a deny rule: skipped, the command runs, the rule's other names hold"
grep -q 'warning: /syscalls/0/names/0: unknown syscall "this_syscall_does_not_exist_12345" skipped' \
	"$TMP/out"
ok $? "the skipped name is a warning with its position"
expect_rc "twin: chrot (a near miss of chroot) in a deny rule: 125" 125 \
	--security-opt seccomp="$P/chrot.json" -- true
grep -q "did you mean chroot?" "$TMP/out"
ok $? "twin: chrot: did you mean chroot?"
expect_rc "twin: --strict refuses the far name too" 125 --strict \
	--security-opt seccomp="$P/far.json" -- true
expect_rc "twin: --strict refuses chrot" 125 --strict --security-opt seccomp="$P/chrot.json" -- true

# the peer: crun and runc start the container with the far name (and, unlike callfence, with
# chrot: they cannot tell a typo from a newer syscall)
B="$TMP/bundle"
mkdir -p "$B/rootfs"
cp "$PROBE" "$B/rootfs/cf-probe"
for rt in crun runc; do
	command -v "$rt" >/dev/null && command -v jq >/dev/null || {
		skip "$rt or jq not installed" "$rt: the far name runs there too"
		continue
	}
	(cd "$B" && rm -f config.json && "$rt" spec >/dev/null 2>&1) || {
		skip "$rt spec failed" "$rt: the far name runs there too"
		continue
	}
	jq --slurpfile s "$P/far.json" '.process.terminal = false | .process.args = ["/cf-probe", "getpid"]
		| .linux.seccomp = $s[0]' "$B/config.json" >"$B/c.json" && mv "$B/c.json" "$B/config.json"
	timeout -k 5 30 "$rt" run --bundle "$B" "cfux-$$" </dev/null >"$TMP/rt.out" 2>"$TMP/rt.err"
	rrc=$?
	"$rt" delete -f "cfux-$$" >/dev/null 2>&1
	if grep -qiE "cgroup|cannot start|mount" "$TMP/rt.err" && [ $rrc -ne 0 ]; then
		skip "$(head -c 150 "$TMP/rt.err" | tr '\n' ' ')" "$rt: the far name runs there too"
		continue
	fi
	[ $rrc -eq 0 ] && grep -q "getpid ok" "$TMP/rt.out"
	ok $? "$rt: the far name runs there too (exit $rrc), as callfence now does"
done

# --- Podman's defaults ----------------------------------------------------------------------
# containers/common's 11: CHOWN DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE SETFCAP SETGID
# SETPCAP SETUID SYS_CHROOT (no AUDIT_WRITE, MKNOD, NET_RAW)
podman_caps=$(capsh --decode=0x800405fb 2>/dev/null | sed 's/.*=//')
expect "--defaults podman: CapEff is Podman's 11" "CapEff:	00000000800405fb" \
	--defaults podman -- grep CapEff /proc/self/status
diag "0x800405fb = $podman_caps"
expect "twin: Docker's default keeps NET_RAW, MKNOD, AUDIT_WRITE (14)" \
	"CapEff:	00000000a80425fb" -- grep CapEff /proc/self/status
"$CF" export --format docker --security-opt seccomp=podman >"$TMP/podman.json" 2>"$TMP/err"
ok $? "seccomp=podman exports"
"$CF" export --format docker --defaults podman >"$TMP/podman2.json" 2>>"$TMP/err"
cmp -s "$TMP/podman.json" "$TMP/podman2.json"
ok $? "--defaults podman picks the same profile as seccomp=podman"
"$CF" export --format docker >"$TMP/docker.json" 2>>"$TMP/err"
! cmp -s "$TMP/podman.json" "$TMP/docker.json"
ok $? "twin: Podman's profile is not Docker's"
ref=${CALLFENCE_REFERENCE_DIR:-}/containers-common-seccomp.json
if [ -n "${CALLFENCE_REFERENCE_DIR:-}" ] && [ -r "$ref" ]; then
	"$CF" export --format bpf --security-opt seccomp=podman >"$TMP/a.bpf" 2>/dev/null
	"$CF" export --format bpf --security-opt seccomp="$ref" >"$TMP/b.bpf" 2>/dev/null
	[ -s "$TMP/a.bpf" ] && cmp -s "$TMP/a.bpf" "$TMP/b.bpf"
	ok $? "seccomp=podman compiles to the same filter as containers/common's seccomp.json"
	"$CF" export --format bpf --security-opt seccomp="$CALLFENCE_REFERENCE_DIR/moby-default.json" \
		>"$TMP/c.bpf" 2>/dev/null
	! cmp -s "$TMP/a.bpf" "$TMP/c.bpf"
	ok $? "twin: and not to the same filter as moby's default.json"
else
	skip "reference data not present (CALLFENCE_REFERENCE_DIR)" "seccomp=podman vs seccomp.json"
fi
run "$TMP/out" --security-opt seccomp=podman -- grep Seccomp: /proc/self/status
[ "$rc" -eq 0 ] && grep -qE "^Seccomp:[[:space:]]+2" "$TMP/out"
ok $? "run --security-opt seccomp=podman: the command runs filtered"
expect_rc "twin: --defaults nosuch: 125" 125 --defaults nosuch -- true

done_testing
