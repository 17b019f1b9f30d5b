#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# export and explain say what Docker would use whatever the host's bounding set holds; only run
# depends on the host, and only to add what it cannot give. The host is made to lack
# CAP_SYS_RESOURCE with setpriv --bounding-set (as some VMs and containers do).
# shellcheck source=tests/cli/test-run-lib.sh
. "$(dirname "$0")/test-run-lib.sh"
need_root
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) is not installed"

LACK=(setpriv --bounding-set=-sys_resource)
P=$PROBE

"${LACK[@]}" "$CF" export --cap-add SYS_RESOURCE >"$TMP/o" 2>"$TMP/e"
ok $? "host without CAP_SYS_RESOURCE: export --cap-add SYS_RESOURCE succeeds"
grep -q '"CAP_SYS_RESOURCE"' "$TMP/o"
ok $? "... and prints it, as Docker would use it"
"${LACK[@]}" "$CF" export >"$TMP/o" 2>&1
! grep -q '"CAP_SYS_RESOURCE"' "$TMP/o"
ok $? "twin: export without --cap-add has no CAP_SYS_RESOURCE"
"${LACK[@]}" "$CF" export --privileged >"$TMP/o" 2>&1
n=$(jq '.process.capabilities.bounding | length' "$TMP/o")
[ "$n" -eq $(($(cat /proc/sys/kernel/cap_last_cap) + 1)) ] && grep -q '"CAP_SYS_RESOURCE"' "$TMP/o"
ok $? "export --privileged: every capability of the kernel ($n), the host's bounding set aside"
"${LACK[@]}" "$CF" explain --cap-add SYS_RESOURCE getpid >"$TMP/o" 2>&1
ok $? "explain --cap-add SYS_RESOURCE getpid: exit 0 (allowed), not 125"
"${LACK[@]}" "$CF" explain --cap-add NOT_A_CAP getpid >"$TMP/o" 2>&1
ok $(($? != 125)) "twin: explain --cap-add NOT_A_CAP: 125 (names are still checked)"

"${LACK[@]}" "$CF" run --cap-drop SYS_RESOURCE "$P" getpid >"$TMP/o" 2>&1
has "$TMP/o" "getpid ok"
ok $? "run --cap-drop SYS_RESOURCE (already absent) runs"
"${LACK[@]}" "$CF" run --cap-add SYS_RESOURCE "$P" getpid >"$TMP/o" 2>&1
ok $(($? != 125)) "run --cap-add SYS_RESOURCE on that host: 125"
grep -q "cannot grant CAP_SYS_RESOURCE: it is not in callfence's own bounding set" "$TMP/o"
ok $? "... naming the capability and the bounding set"
! has "$TMP/o" "getpid ok"
ok $? "... and the command never ran"
bnd=$(sed -n 's/^CapBnd:\t//p' /proc/self/status)
if [ $(((0x$bnd >> 24) & 1)) -eq 1 ]; then
	"$CF" run --cap-add SYS_RESOURCE "$P" getpid >"$TMP/o" 2>&1
	has "$TMP/o" "getpid ok"
	ok $? "twin: where the host has it, run --cap-add SYS_RESOURCE runs"
else
	skip "this host's bounding set lacks CAP_SYS_RESOURCE itself" \
		"twin: where the host has it, run --cap-add SYS_RESOURCE runs"
fi
"${LACK[@]}" "$CF" run --privileged "$P" status >"$TMP/o" 2>&1
want=$("${LACK[@]}" sed -n 's/^CapBnd:\t//p' /proc/self/status)
has "$TMP/o" "status CapEff=$want"
ok $? "run --privileged: every capability callfence holds ($want)"

done_testing
