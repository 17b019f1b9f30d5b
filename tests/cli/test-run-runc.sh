#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The real peers: run the static probe under `runc run` (and `crun run`) in a minimal bundle whose
# config.json carries `callfence export --format oci` (capabilities, noNewPrivileges, seccomp),
# and compare every probe row with `callfence run` for the same options. Rows that depend on the
# container itself (namespaces) are not probed. Skips (77) when neither runtime nor jq exists.
# shellcheck source=tests/cli/test-run-lib.sh
. "$(dirname "$0")/test-run-lib.sh"
need_root
command -v jq >/dev/null || skip_all "jq not installed"
runtimes=()
for r in runc crun; do
	command -v "$r" >/dev/null && runtimes+=("$r")
done
[ ${#runtimes[@]} -gt 0 ] || skip_all "neither runc nor crun is installed"

# shellcheck disable=SC2054 # commas are inside probe specs
ROWS=(status mbind mkdir mkdirat chown chroot ptrace kcmp personality:0x8 personality:0x1
	personality:0xffffffff socket:38,5,0 socket:40,1,0 socket:2,2,0 clone clone:0x10000000
	clone:0x20000 clone3 thread unshare setns mount umount2 keyctl bpf io_uring_setup
	@i386:mbind @i386:mkdir @i386:socketcall @x32:mbind @x32:mkdir)
mapfile -t ROWS < <(int80_rows "${ROWS[@]}")
[ -z "$INT80_SKIP" ] || skip "$INT80_SKIP" "the i386 rows (@i386:mbind @i386:mkdir @i386:socketcall)"

B="$TMP/bundle"
mkdir -p "$B/rootfs"
cp "$PROBE" "$B/rootfs/cf-probe"
(cd "$B" && runc spec 2>/dev/null || crun spec 2>/dev/null) || skip_all "cannot create a runtime spec"
mv "$B/config.json" "$B/base.json"

# A runtime that cannot start any container here (e.g. crun on a cgroup v1/v2 hybrid host) is
# an environment limit: its rows are skipped, with its own error as the reason.
usable=()
for rt in "${runtimes[@]}"; do
	jq '.process.terminal = false | .process.args = ["/cf-probe", "getpid"] | del(.linux.seccomp)' \
		"$B/base.json" >"$B/config.json"
	if timeout -k 5 30 "$rt" run --bundle "$B" "cf-$$-check" </dev/null >"$TMP/rt.out" 2>"$TMP/rt.err" &&
		grep -qxF "getpid ok" "$TMP/rt.out"; then
		usable+=("$rt")
	else
		skip "$(head -c 200 "$TMP/rt.err" | tr '\n' ' ')" "$rt cannot start a container on this host"
	fi
	"$rt" delete -f "cf-$$-check" >/dev/null 2>&1
done
[ ${#usable[@]} -gt 0 ] || skip_all "no runtime can start a container here"
runtimes=("${usable[@]}")

n=0
# compare RUNTIME DESC OPTIONS...: same rows from the runtime and from callfence run
compare() {
	local rt=$1 desc=$2
	shift 2
	n=$((n + 1))
	if ! "$CF" export --format oci "$@" >"$TMP/export.json" 2>"$TMP/export.err"; then
		ok 1 "$rt: $desc: callfence export failed"
		sed 's/^/#   /' "$TMP/export.err"
		return
	fi
	# Replace (not merge) the capability object and the seccomp object: the template's
	# ambient set and its default seccomp must not survive.
	jq --slurpfile e "$TMP/export.json" --arg user "${OCI_USER:-}" \
		--argjson args "$(printf '%s\n' /cf-probe "${ROWS[@]}" | jq -R . | jq -s .)" '
		.process.terminal = false
		| .process.args = $args
		| .process.capabilities = $e[0].process.capabilities
		| .process.noNewPrivileges = ($e[0].process.noNewPrivileges // false)
		| .root.readonly = true
		| if $user != "" then .process.user = ($user | fromjson) else . end
		| if ($e[0].linux.seccomp // null) == null then del(.linux.seccomp)
		  else .linux.seccomp = $e[0].linux.seccomp end' "$B/base.json" >"$B/config.json"
	# K8S=1: linux.seccomp is the Kubernetes Localhost file itself, as a CRI runtime passes it
	if [ -n "${K8S:-}" ]; then
		if ! "$CF" export --format k8s "$@" >"$TMP/k8s.json" 2>"$TMP/export.err" ||
			! jq --slurpfile k "$TMP/k8s.json" '.linux.seccomp = $k[0]' "$B/config.json" \
				>"$B/k8s-config.json"; then
			ok 1 "$rt: $desc: callfence export --format k8s failed"
			return
		fi
		mv "$B/k8s-config.json" "$B/config.json"
	fi
	timeout -k 5 30 "$rt" run --bundle "$B" "cf-$$-$n" </dev/null >"$TMP/rt.out" 2>"$TMP/rt.err"
	local rt_rc=$?
	"$rt" delete -f "cf-$$-$n" >/dev/null 2>&1
	# shellcheck disable=SC2086 # optional extra words
	"$CF" run ${CF_RUN_EXTRA:-} "$@" -- "$PROBE" "${ROWS[@]}" </dev/null >"$TMP/cf.out" 2>"$TMP/cf.err"
	local cf_rc=$?
	# callfence's terminal guard is one filter more than the runtime's whenever a profile is
	# installed (src/run/tty-guard.c): count the profile's only
	awk -F= -v OFS== '$1 == "status Seccomp_filters" && $2 > 0 { $2 = $2 - 1 } { print }' \
		"$TMP/cf.out" >"$TMP/cf.tmp" && mv "$TMP/cf.tmp" "$TMP/cf.out"
	if [ "$rt_rc" -eq "$cf_rc" ] && diff -u "$TMP/rt.out" "$TMP/cf.out" >"$TMP/diff"; then
		ok 0 "$rt and callfence agree: $desc ($(wc -l <"$TMP/cf.out") rows)"
	else
		ok 1 "$rt and callfence agree: $desc (exit $rt_rc vs $cf_rc)"
		sed 's/^/#   /' "$TMP/diff" "$TMP/rt.err" "$TMP/cf.err"
	fi
}

for rt in "${runtimes[@]}"; do
	compare "$rt" "builtin"
	compare "$rt" "builtin --cap-add SYS_NICE" --cap-add SYS_NICE
	compare "$rt" "builtin --cap-add SYS_ADMIN" --cap-add SYS_ADMIN
	compare "$rt" "builtin --cap-drop ALL" --cap-drop ALL
	compare "$rt" "builtin --cap-drop SYS_CHROOT --cap-add SYS_PTRACE" --cap-drop SYS_CHROOT --cap-add SYS_PTRACE
	compare "$rt" "no-new-privileges" --security-opt no-new-privileges
	compare "$rt" "no-mkdir profile" --security-opt "seccomp=$PROFILES/no-mkdir.json"
	compare "$rt" "ALLOW default denying ptrace and chroot" --security-opt "seccomp=$PROFILES/allow-deny-ptrace-chroot.json"
	compare "$rt" "chown gated on CAP_AUDIT_CONTROL, without it" --security-opt "seccomp=$PROFILES/chown-audit-control.json"
	compare "$rt" "chown gated on CAP_AUDIT_CONTROL, with it" --security-opt "seccomp=$PROFILES/chown-audit-control.json" --cap-add AUDIT_CONTROL
	compare "$rt" "unconfined" --security-opt seccomp=unconfined
	K8S=1 compare "$rt" "the k8s Localhost file (builtin)"
	K8S=1 compare "$rt" "the k8s Localhost file (builtin --cap-add SYS_ADMIN)" --cap-add SYS_ADMIN
	K8S=1 compare "$rt" "the k8s Localhost file (ALLOW default denying ptrace and chroot)" --security-opt "seccomp=$PROFILES/allow-deny-ptrace-chroot.json"
	# Only actions on syscalls runc itself does not make after its filter: a KILL_THREAD on
	# one of runc's own calls (getppid...) leaves its multi-threaded init hanging forever.
	saved=("${ROWS[@]}")
	ROWS=(trap uname mount mkdir getcwd chroot keyctl getpid kcmp getpid)
	compare "$rt" "actions (TRAP, ERRNO 99, LOG, TRACE, then KILL_PROCESS)" --security-opt "seccomp=$PROFILES/actions-runc.json"
	ROWS=("${saved[@]}")
	# what moby's getUser hands runc for --user 65534 (nobody:nogroup on Debian)
	saved=("${ROWS[@]}")
	ROWS=(id status mbind chown)
	OCI_USER='{"uid":65534,"gid":65534,"additionalGids":[65534]}' CF_RUN_EXTRA="--user 65534" \
		compare "$rt" "--user 65534 (uid, gid, groups, caps after execve)"
	ROWS=("${saved[@]}")
done

# Negative twin: the comparison can fail. Different options on the two sides must disagree.
"$CF" export --format oci >"$TMP/export.json"
jq --slurpfile e "$TMP/export.json" '.process.terminal = false | .process.args = ["/cf-probe", "mbind"]
	| .process.capabilities = $e[0].process.capabilities | .linux.seccomp = $e[0].linux.seccomp
	| .process.noNewPrivileges = false' "$B/base.json" >"$B/config.json"
timeout -k 5 30 "${runtimes[0]}" run --bundle "$B" "cf-$$-twin" </dev/null >"$TMP/rt.out" 2>&1
"${runtimes[0]}" delete -f "cf-$$-twin" >/dev/null 2>&1
"$CF" run --cap-add SYS_NICE "$PROBE" mbind >"$TMP/cf.out" 2>&1
! diff -q "$TMP/rt.out" "$TMP/cf.out" >/dev/null
ok $? "twin: ${runtimes[0]} (default caps) and callfence --cap-add SYS_NICE differ on mbind"

done_testing
