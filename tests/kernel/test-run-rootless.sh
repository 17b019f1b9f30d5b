#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# callfence run without privilege (src/run/caller.c): a real non-root caller made with setpriv
# on the existing nobody account (uid 65534), with and without some capabilities, and root
# callers that lack one of the capabilities the launcher needs. Every branch is checked in the
# kernel (/proc/self/status, a denied or allowed call), each with its twin.
# shellcheck source=tests/cli/test-run-lib.sh
. "$(dirname "$0")/../cli/test-run-lib.sh"
need_root
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) is not installed"
getent passwd 65534 >/dev/null || skip_all "no passwd entry for uid 65534 (nobody)"

# uid 65534 must reach the binaries: copy them to a directory it can traverse.
PUB=$(mktemp -d)
trap 'rm -rf "$TMP" "$PUB"' EXIT
chmod 0755 "$PUB"
cp "$CF" "$PUB/callfence"
cp "$PROBE" "$PUB/cf-probe"
cp "$PROFILES/no-mkdir.json" "$PUB/"
chmod 0644 "$PUB/no-mkdir.json"
CFX=$PUB/callfence
P=$PUB/cf-probe

NOBODY=(setpriv --reuid=65534 --regid=65534 --init-groups --inh-caps=-all)
NOTE="callfence: not privileged (uid 65534 without CAP_SYS_ADMIN): running with no-new-privileges; capabilities: none (see ROOTLESS in callfence-run(1))"

# as OUTFILE SETPRIV-ARGS... -- CALLFENCE-RUN-ARGS...: sets $rc
as() {
	local out=$1 pre=()
	shift
	while [ "$1" != "--" ]; do
		pre+=("$1")
		shift
	done
	shift
	"${pre[@]}" "$CFX" run "$@" >"$out" 2>&1
	rc=$?
}
line() { # DESC FILE LINE
	if has "$2" "$3"; then ok 0 "$1"; else
		ok 1 "$1"
		echo "# expected line: $3 (exit $rc)"
		sed 's/^/#   /' "$2"
	fi
}
no_line() { # DESC FILE LINE
	if has "$2" "$3"; then
		ok 1 "$1"
		sed 's/^/#   /' "$2"
	else ok 0 "$1"; fi
}
code() { # DESC EXPECTED
	if [ "$rc" -eq "$2" ]; then ok 0 "$1"; else
		ok 1 "$1"
		echo "# expected exit $2, got $rc"
		sed 's/^/#   /' "$TMP/o"
	fi
}

# --- a plain non-root user: the issue's "done when" -----------------------------------------
as "$TMP/o" "${NOBODY[@]}" -- sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'
code "nobody: callfence run -- sh runs (exit 0)" 0
line "nobody: the command runs under the filter (Seccomp: 2)" "$TMP/o" "$(printf 'Seccomp:\t2')"
line "nobody: with no-new-privileges (NoNewPrivs: 1)" "$TMP/o" "$(printf 'NoNewPrivs:\t1')"
line "nobody: one line says so, naming the missing capability" "$TMP/o" "$NOTE"
[ "$(grep -c '^callfence:' "$TMP/o")" -eq 1 ]
ok $? "nobody: callfence says it once and nothing else"
"${NOBODY[@]}" sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status' >"$TMP/o" 2>&1
has "$TMP/o" "$(printf 'Seccomp:\t0')" && has "$TMP/o" "$(printf 'NoNewPrivs:\t0')"
ok $? "twin: the same shell as nobody without callfence: Seccomp 0, NoNewPrivs 0"

as "$TMP/o" "${NOBODY[@]}" -- --security-opt no-new-privileges "$P" getpid
line "nobody + --security-opt no-new-privileges: runs" "$TMP/o" "getpid ok"
no_line "nobody + no-new-privileges asked for: no note (nothing was changed)" "$TMP/o" "$NOTE"
as "$TMP/o" "${NOBODY[@]}" -- --security-opt no-new-privileges=false "$P" getpid
code "nobody + no-new-privileges=false: 125 (cannot be honoured)" 125
grep -q "no-new-privileges=false: you are uid 65534 without CAP_SYS_ADMIN" "$TMP/o"
ok $? "nobody + no-new-privileges=false: the message says why"
no_line "nobody + no-new-privileges=false: the command never ran" "$TMP/o" "getpid ok"

as "$TMP/o" "${NOBODY[@]}" -- "$P" status id
line "nobody: keeps its uid, gid and groups (no switch)" "$TMP/o" "id uid=65534 gid=65534 groups=65534"
line "nobody: no capability" "$TMP/o" "status CapEff=0000000000000000"
line "nobody: none ambient either" "$TMP/o" "status CapAmb=0000000000000000"
own_bnd=$("${NOBODY[@]}" sed -n 's/^CapBnd:\t//p' /proc/self/status)
line "nobody: the bounding set stays (no CAP_SETPCAP; moot under NNP)" "$TMP/o" "status CapBnd=$own_bnd"

# --- the profile's denials act as for root ---------------------------------------------------
"$CF" run "$PROBE" unshare:0x10000000 mkdir >"$TMP/root" 2>&1
as "$TMP/o" "${NOBODY[@]}" -- "$P" unshare:0x10000000 mkdir
line "nobody, builtin: unshare(CLONE_NEWUSER) denied by the filter" "$TMP/o" "unshare:0x10000000 errno=EPERM"
line "root, builtin: the same line" "$TMP/root" "unshare:0x10000000 errno=EPERM"
line "nobody, builtin: mkdir reaches the kernel (EFAULT)" "$TMP/o" "mkdir errno=EFAULT"
"${NOBODY[@]}" "$P" unshare:0x10000000 >"$TMP/o" 2>&1
if has "$TMP/o" "unshare:0x10000000 ok"; then
	ok 0 "twin: nobody without callfence creates a user namespace"
else
	skip "unprivileged user namespaces are disabled here ($(cat "$TMP/o"))" \
		"twin: nobody without callfence creates a user namespace"
fi
as "$TMP/o" "${NOBODY[@]}" -- --security-opt "seccomp=$PUB/no-mkdir.json" "$P" mkdir mkdirat
line "nobody, no-mkdir profile: mkdir denied" "$TMP/o" "mkdir errno=EPERM"
line "nobody, no-mkdir profile: mkdirat runs" "$TMP/o" "mkdirat errno=EFAULT"
as "$TMP/o" "${NOBODY[@]}" -- "$P" mbind
line "nobody, builtin: mbind denied (no CAP_SYS_NICE, gate closed)" "$TMP/o" "mbind errno=EPERM"

# --- what a non-root user cannot grant: 125, naming it ----------------------------------------
as "$TMP/o" "${NOBODY[@]}" -- --cap-add SYS_ADMIN "$P" getpid
code "nobody --cap-add SYS_ADMIN: 125" 125
grep -q "cannot grant CAP_SYS_ADMIN: you are uid 65534 and do not hold it (you hold: none)" "$TMP/o"
ok $? "nobody --cap-add SYS_ADMIN: the message names the capability and why"
no_line "nobody --cap-add SYS_ADMIN: the command never ran" "$TMP/o" "getpid ok"
as "$TMP/o" "${NOBODY[@]}" -- --cap-drop ALL --cap-drop SYS_ADMIN "$P" getpid
line "twin: nobody --cap-drop of capabilities it lacks runs" "$TMP/o" "getpid ok"
as "$TMP/o" "${NOBODY[@]}" -- --user 0 "$P" getpid
code "nobody --user 0: 125" 125
grep -q "you are uid 65534 without CAP_SETUID: cannot switch to uid 0" "$TMP/o"
ok $? "nobody --user 0: the message says why"
as "$TMP/o" "${NOBODY[@]}" -- --user nobody:root "$P" getpid
code "nobody --user nobody:root: 125" 125
grep -q "you are uid 65534 without CAP_SETGID: cannot switch to gid 0" "$TMP/o"
ok $? "nobody --user nobody:root: the message says why"
as "$TMP/o" "${NOBODY[@]}" -- --user nobody "$P" id
line "twin: nobody --user nobody (itself) runs as itself" "$TMP/o" "id uid=65534 gid=65534 groups=65534"
as "$TMP/o" "${NOBODY[@]}" -- --user 65534:65534 "$P" id
line "twin: nobody --user 65534:65534 runs" "$TMP/o" "id uid=65534 gid=65534 groups=65534"

# --- a non-root user holding CAP_NET_BIND_SERVICE (ambient, as a systemd AmbientCapabilities=) --
NBS=(setpriv --reuid=65534 --regid=65534 --init-groups --inh-caps=-all,+net_bind_service
	--ambient-caps=+net_bind_service)
as "$TMP/o" "${NBS[@]}" -- --cap-add NET_BIND_SERVICE "$P" status
line "NET_BIND_SERVICE holder --cap-add NET_BIND_SERVICE: effective" "$TMP/o" "status CapEff=0000000000000400"
line "... and ambient, so it outlives execve" "$TMP/o" "status CapAmb=0000000000000400"
line "... under the filter" "$TMP/o" "status Seccomp=2"
as "$TMP/o" "${NBS[@]}" -- "$P" status
line "twin: without --cap-add, Docker's defaults are not given to a non-root command" "$TMP/o" \
	"status CapEff=0000000000000000"
as "$TMP/o" "${NBS[@]}" -- --cap-add SYS_ADMIN "$P" getpid
code "NET_BIND_SERVICE holder --cap-add SYS_ADMIN: 125" 125
grep -q "cannot grant CAP_SYS_ADMIN: you are uid 65534 and do not hold it (you hold: CAP_NET_BIND_SERVICE)" "$TMP/o"
ok $? "NET_BIND_SERVICE holder --cap-add SYS_ADMIN: the message lists what is held"
start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null || echo 1024)
PY=/usr/bin/python3
BIND='import socket
s = socket.socket()
try:
    s.bind(("127.0.0.1", 1)); print("bind ok")
except OSError as e:
    print("bind errno=%d" % e.errno)'
if [ ! -x "$PY" ] || [ "$start" -le 1 ]; then
	skip "needs $PY and net.ipv4.ip_unprivileged_port_start > 1 (is $start)" "binding port 1"
elif ! "$PY" -c "$BIND" | grep -qx "bind ok"; then
	skip "port 1 on 127.0.0.1 is not free here" "binding port 1"
else
	as "$TMP/o" "${NBS[@]}" -- --cap-add NET_BIND_SERVICE "$PY" -c "$BIND"
	line "NET_BIND_SERVICE holder --cap-add NET_BIND_SERVICE: binds port 1" "$TMP/o" "bind ok"
	as "$TMP/o" "${NBS[@]}" -- "$PY" -c "$BIND"
	line "twin: without --cap-add: EACCES" "$TMP/o" "bind errno=13"
fi

# --- a non-root user holding CAP_SETUID and CAP_SETGID may switch users ------------------------
IDS=(setpriv --reuid=65534 --regid=65534 --init-groups --inh-caps=-all,+setuid,+setgid
	--ambient-caps=+setuid,+setgid)
as "$TMP/o" "${IDS[@]}" -- --user 4242:4343 "$P" id status
line "CAP_SETUID+CAP_SETGID holder --user 4242:4343: switched" "$TMP/o" "id uid=4242 gid=4343 groups=4343"
line "... without Docker's default capabilities" "$TMP/o" "status CapEff=0000000000000000"
line "... under the filter" "$TMP/o" "status Seccomp=2"

# --- root without CAP_SYS_ADMIN (root in a container) -------------------------------------------
DEF=00000000a80425fb
NOADMIN=(setpriv --bounding-set=-sys_admin --inh-caps=-all)
"${NOADMIN[@]}" "$CF" run "$PROBE" status >"$TMP/o" 2>&1
line "root without CAP_SYS_ADMIN: filter installed (Seccomp 2)" "$TMP/o" "status Seccomp=2"
line "root without CAP_SYS_ADMIN: NNP set by callfence" "$TMP/o" "status NoNewPrivs=1"
line "root without CAP_SYS_ADMIN: still Docker's 14 capabilities" "$TMP/o" "status CapEff=$DEF"
grep -q "^callfence: not privileged (uid 0 without CAP_SYS_ADMIN): running with no-new-privileges" "$TMP/o"
ok $? "root without CAP_SYS_ADMIN: the note names uid 0 and CAP_SYS_ADMIN"
"$CF" run "$PROBE" status >"$TMP/o" 2>&1
line "twin: root with CAP_SYS_ADMIN: no NNP (Docker's default)" "$TMP/o" "status NoNewPrivs=0"

# --- root without CAP_SETPCAP: the bounding set cannot shrink, so NNP --------------------------
NOPCAP=(setpriv --bounding-set=-setpcap --inh-caps=-all)
"${NOPCAP[@]}" "$CF" run "$PROBE" status >"$TMP/o" 2>&1
line "root without CAP_SETPCAP: NNP set by callfence" "$TMP/o" "status NoNewPrivs=1"
line "root without CAP_SETPCAP: the defaults it holds (all but CAP_SETPCAP)" "$TMP/o" \
	"status CapEff=$(printf '%016x' $((0x$DEF & ~(1 << 8))))"
grep -q "^callfence: not privileged (uid 0 without CAP_SETPCAP)" "$TMP/o"
ok $? "root without CAP_SETPCAP: the note names CAP_SETPCAP"
"${NOPCAP[@]}" "$CF" run --cap-add SETPCAP "$PROBE" getpid >"$TMP/o" 2>&1
rc=$?
code "root without CAP_SETPCAP --cap-add SETPCAP: 125" 125

done_testing
