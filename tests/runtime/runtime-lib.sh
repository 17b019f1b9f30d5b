# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the runtime tests (sourced after ../cli/libtest.sh).

# meson 1.0 counts exit 77 of a TAP test as an error: a clean skip is a TAP plan of 0.
skip_all() {
	if [ -n "${CALLFENCE_TESTS_MUST_RUN:-}" ]; then
		echo "not ok 1 - cannot run: $1 (CALLFENCE_TESTS_MUST_RUN is set)"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP $1"
	exit 0
}

# crun 1.8.1 refuses a cgroup v1/v2 hybrid host ("cgroups in hybrid mode not supported"); in a
# private mount namespace without the v2 mount it sees plain cgroup v1 and runs. The seccomp
# part, the only thing judged here, does not depend on it. Set crun_private=1 to use it.
crun_private=0
# rt_exec RUNTIME CMD...: run CMD (in crun's private mount namespace when needed)
rt_exec() {
	local rt=$1
	shift
	if [ "$rt" = crun ] && [ "$crun_private" = 1 ]; then
		unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' sh "$@"
	else
		"$@"
	fi
}

# rt_setup COMMAND NAME: skip unless root with the tools, callfence and a runtime; set
# $runtimes (installed ones, runc first) and make the bundle $B with COMMAND copied to
# rootfs/NAME and the runtime's spec template in $TMP/base.json.
rt_setup() {
	local t r
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (runc/crun run containers)"
	for t in jq python3 unshare timeout; do
		command -v "$t" >/dev/null || skip_all "$t not installed"
	done
	[ -x "$CALLFENCE" ] || skip_all "callfence not built at $CALLFENCE"
	[ -x "$1" ] || skip_all "$2 not built at $1"
	runtimes=()
	for r in runc crun; do
		command -v "$r" >/dev/null && runtimes+=("$r")
	done
	[ ${#runtimes[@]} -gt 0 ] || skip_all "neither runc nor crun is installed"
	B="$TMP/bundle"
	mkdir -p "$B/rootfs"
	cp "$1" "$B/rootfs/$2"
	(cd "$B" && { runc spec 2>/dev/null || crun spec; }) || skip_all "cannot create an OCI spec template"
	mv "$B/config.json" "$TMP/base.json"
}
