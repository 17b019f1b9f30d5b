#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# callfence predict against real runs of real Debian binaries (and a Go static binary built here,
# and busybox-static): for each, the predicted profile runs the command unchanged under
# `callfence run` (same stdout, same exit status), and every syscall `strace -f` sees the command
# make is predicted (zero misses; the exec that starts it is the launcher's, allowed by --for).
# Negative twin per binary: the same profile without one syscall the command needs makes the
# run fail, or `run --explain` name it. Also: a warm cache gives the same answer, a corrupted
# cache entry is a miss (same answer, no crash), and a gap the analysis cannot resolve is refused
# without --assume. Precision per binary is printed as TAP comments (see bench/bench-predict).
set -u
. "$(dirname "$0")/../cli/test-run-lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (callfence run installs filters without no-new-privileges)"
command -v strace >/dev/null || skip_all "strace not installed (tools/deps.sh)"
run_out=$("$CF" predict --help 2>&1)
case $run_out in *"Usage: callfence predict"*) ;; *) skip_all "callfence built without predict" ;; esac
strace -f -qq -o /dev/null /bin/true 2>/dev/null || skip_all "strace cannot trace here (ptrace refused)"

W=$TMP/work
mkdir -p "$W"
CACHE=$TMP/cache
cd "$W" || exit 1
printf '{"a":[1,2,{"b":"c"}],"s":"x"}\n' >in.json
head -c 3000000 /dev/urandom >big.bin
cp /etc/services services.txt

# The binaries whose every reachable syscall number the analysis resolves: predicted without
# any --assume (cp and xz reach glibc's setxid broadcast, src/predict/setxid.c; ls and jq reach
# libcap's syscall pointers through libnss_systemd, src/predict/fnptr.c). The others reach gaps
# outside glibc (libcrypto, dlopen of computed names, Go's syscall.Syscall called through a closure):
# predicted with --assume, and their gaps must not be in libc.so.6.
STRICT=" gzip cat cp xz ls jq "

predict() { # predict NAME BINARY: profile in $W/NAME.json, list in $W/NAME.list
	local assume=
	"$CF" predict --cache-dir "$CACHE" -o "$W/$1.json" "$2" 2>"$W/$1.perr0"
	echo $? >"$W/$1.strict"
	case $STRICT in *" $1 "*) ;; *) assume="--assume unresolved --assume no-plugins" ;; esac
	# shellcheck disable=SC2086 # two options or none
	"$CF" predict --cache-dir "$CACHE" $assume -o "$W/$1.json" "$2" 2>"$W/$1.perr" &&
		"$CF" predict --cache-dir "$CACHE" $assume --format list "$2" >"$W/$1.list" 2>/dev/null
}

allowed() { # allowed PROFILE: the names it allows
	python3 -c 'import json,sys
p = json.load(open(sys.argv[1]))
print("\n".join(sorted({n for r in p["syscalls"] if r["action"] == "SCMP_ACT_ALLOW" for n in r["names"]})))' "$1"
}

drop() { # drop PROFILE NAME OUT: the profile without NAME in any allow rule
	python3 -c 'import json,sys
p = json.load(open(sys.argv[1]))
for r in p["syscalls"]:
    if r["action"] == "SCMP_ACT_ALLOW":
        r["names"] = [n for n in r["names"] if n != sys.argv[2]]
p["syscalls"] = [r for r in p["syscalls"] if r["names"]]
json.dump(p, open(sys.argv[3], "w"), indent=1)' "$1" "$2" "$3"
}

reset() { rm -f "$W/db.sqlite" "$W/copy.json"; }

# NAME BINARY NEEDED -- COMMAND...: NEEDED is the syscall the negative twin drops
check() {
	local name=$1 bin=$2 needed=$3
	shift 4
	if ! predict "$name" "$bin"; then
		ok 1 "$name: predict $bin"
		sed 's/^/# /' "$W/$name.perr"
		return
	fi
	ok 0 "$name: predict $bin"
	! grep -q 'at libc\.so\.6+' "$W/$name.perr0"
	ok $? "$name: no gap left inside libc.so.6 (its setxid broadcast is resolved)"
	grep 'at libc\.so\.6+' "$W/$name.perr0" | sed 's/^/# /' | head -3
	case $STRICT in
	*" $name "*)
		[ "$(cat "$W/$name.strict")" = 0 ]
		ok $? "$name: predicted without --assume (exit $(cat "$W/$name.strict"))"
		[ "$(cat "$W/$name.strict")" = 0 ] || sed 's/^/# /' "$W/$name.perr0" | grep -v loaded: | head -4
		;;
	esac
	reset
	"$@" >"$W/$name.exp" 2>/dev/null </dev/null
	local erc=$?
	reset
	strace -f -qq -o "$W/$name.strace" "$@" >/dev/null 2>&1 </dev/null
	reset
	"$CF" run --security-opt seccomp="$W/$name.json" -- "$@" >"$W/$name.got" 2>"$W/$name.goterr" </dev/null
	local grc=$?
	reset
	[ "$grc" = "$erc" ] && cmp -s "$W/$name.exp" "$W/$name.got"
	ok $? "$name: runs unchanged under its predicted profile (exit $grc, expected $erc)"
	[ "$grc" = "$erc" ] || sed 's/^/# /' "$W/$name.goterr" | head -5
	awk '{split($2,a,"("); print a[1]}' "$W/$name.strace" | grep -v '^+++\|^---\|^<' | sort -u >"$W/$name.rec"
	{ awk '{print $2}' "$W/$name.list"; allowed "$W/$name.json"; } | sort -u >"$W/$name.pred"
	local misses
	misses=$(comm -23 "$W/$name.rec" "$W/$name.pred" | tr '\n' ' ')
	[ -z "$misses" ]
	ok $? "$name: every syscall strace sees is predicted (misses: ${misses:-none})"
	diag_precision "$name"
	# negative twin: without the one call, the command fails or explain names it
	# (the call is one the profile allows: clone for xz, whose clone3 gets Docker's ENOSYS)
	allowed "$W/$name.json" | grep -qx "$needed" ||
		{ ok 1 "$name: twin: $needed is not even allowed"; return; }
	drop "$W/$name.json" "$needed" "$W/$name.drop.json"
	reset
	"$CF" run --explain --security-opt seccomp="$W/$name.drop.json" -- "$@" >"$W/$name.dgot" 2>"$W/$name.derr" </dev/null
	local drc=$?
	reset
	if [ "$drc" != "$erc" ] || ! cmp -s "$W/$name.exp" "$W/$name.dgot" || grep -q "$needed" "$W/$name.derr"; then
		ok 0 "$name: twin: without $needed the run fails or explain names it"
	else
		ok 1 "$name: twin: without $needed the run still succeeds silently"
	fi
}

diag_precision() {
	local n=$1
	echo "# precision $n: predicted $(awk '{print $2}' "$W/$n.list" | sort -u | wc -l)" \
		"allowed $(allowed "$W/$n.json" | wc -l) recorded $(wc -l <"$W/$n.rec")"
}

check gzip /usr/bin/gzip write -- gzip -9 -c "$W/services.txt"
check cat /usr/bin/cat read -- cat "$W/services.txt"
check ls /usr/bin/ls getdents64 -- ls -la /etc
check cp /usr/bin/cp openat -- cp -a "$W/in.json" "$W/copy.json"
if command -v xz >/dev/null; then
		# blocks smaller than the input, so that -T2 really starts threads
	check xz "$(command -v xz)" clone -- xz -T2 --block-size=1MiB -c "$W/big.bin"
else skip "xz-utils not installed (tools/deps.sh)" "xz"; fi
if command -v sqlite3 >/dev/null; then
	check sqlite3 "$(command -v sqlite3)" pwrite64 -- sqlite3 "$W/db.sqlite" \
		"create table t(a); insert into t values(1),(2); select sum(a) from t;"
else skip "sqlite3 not installed (tools/deps.sh)" "sqlite3"; fi
if command -v jq >/dev/null; then
	check jq "$(command -v jq)" write -- jq -c '.a[2]' "$W/in.json"
else skip "jq not installed (tools/deps.sh)" "jq"; fi
if command -v curl >/dev/null; then
	check curl "$(command -v curl)" openat -- curl -s "file://$W/in.json"
else skip "curl not installed (tools/deps.sh)" "curl"; fi
if [ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; then
	check busybox /bin/busybox read -- /bin/busybox sha256sum "$W/services.txt"
else skip "busybox-static not installed (tools/deps.sh)" "busybox"; fi
# a Go static binary built here (goroutines, os.Open, sha256): Go's runtime stubs and its
# syscall.Syscall6 take the number in %rax, resolved at their call sites
if command -v go >/dev/null; then
	mkdir -p "$TMP/go"
	cat >"$TMP/go/main.go" <<'GO'
package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	sums := make([]string, len(os.Args)-1)
	for i, name := range os.Args[1:] {
		wg.Add(1)
		go func(i int, name string) {
			defer wg.Done()
			f, err := os.Open(name)
			if err != nil {
				sums[i] = err.Error()
				return
			}
			defer f.Close()
			h := sha256.New()
			io.Copy(h, f)
			sums[i] = fmt.Sprintf("%x  %s", h.Sum(nil), name)
		}(i, name)
	}
	wg.Wait()
	for _, s := range sums {
		fmt.Println(s)
	}
}
GO
	printf 'module sumfiles\n\ngo 1.19\n' >"$TMP/go/go.mod"
	if (cd "$TMP/go" && HOME=$TMP/go GOCACHE=$TMP/go/cache GOPATH=$TMP/go/path GOFLAGS=-mod=mod \
		CGO_ENABLED=0 go build -o sumfiles . >"$TMP/go/build.log" 2>&1); then
		check go "$TMP/go/sumfiles" openat -- "$TMP/go/sumfiles" "$W/services.txt" "$W/in.json"
	else
		ok 1 "go: building the Go test binary failed"
		sed 's/^/# /' "$TMP/go/build.log" | head -5
	fi
else skip "golang-go not installed (tools/deps.sh)" "go"; fi

# --merge: a recording of gzip (strace's names in the Docker form `callfence record` writes, one
# "recorded" rule) united with the prediction: nothing recorded is unpredicted, the calls never
# recorded are listed, and the union runs gzip
python3 -c 'import json,sys
names = sorted({l.split()[1].split("(")[0] for l in open(sys.argv[1]) if "(" in l.split()[1]} - {"execve"})
base = json.load(open(sys.argv[2]))
json.dump({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "archMap": base["archMap"],
           "syscalls": [{"names": names, "action": "SCMP_ACT_ALLOW",
                         "comment": "recorded by strace -f: gzip"}]}, open(sys.argv[3], "w"))' \
	"$W/gzip.strace" "$W/gzip.json" "$W/gzip.recorded.json"
"$CF" predict --cache-dir "$CACHE" --merge "$W/gzip.recorded.json" -o "$W/gzip.merged.json" \
	/usr/bin/gzip 2>"$W/merge.err"
rc=$?
[ $rc = 0 ] && grep -q "every recorded call was predicted" "$W/merge.err" &&
	grep -q "predicted but never recorded (a reviewer may drop them.*): .*fsync" "$W/merge.err"
ok $? "merge: every recorded call predicted, the never-recorded ones listed (exit $rc)"
"$CF" run --security-opt seccomp="$W/gzip.merged.json" -- gzip -9 -c "$W/services.txt" \
	2>/dev/null | cmp -s - "$W/gzip.exp"
ok $? "merge: the union runs gzip unchanged"
# twin: a recording with a call the prediction lacks is reported as an analysis bug
python3 -c 'import json,sys
p = json.load(open(sys.argv[1])); p["syscalls"][0]["names"].append("kexec_load")
json.dump(p, open(sys.argv[2], "w"))' "$W/gzip.recorded.json" "$W/gzip.recorded2.json"
"$CF" predict --cache-dir "$CACHE" --merge "$W/gzip.recorded2.json" -o "$W/gzip.merged2.json" \
	/usr/bin/gzip 2>"$W/merge2.err"
grep -q "1 recorded but not predicted (an analysis bug.*): kexec_load" "$W/merge2.err"
ok $? "merge twin: a recorded call the prediction lacks is reported"

# the same with the real peer, `callfence record` (when this build has it)
if "$CF" record --help >/dev/null 2>&1; then
	"$CF" record -o "$W/gzip.rec-real.json" -- gzip -9 -c "$W/services.txt" >/dev/null 2>"$W/record.err"
	rc=$?
	"$CF" predict --cache-dir "$CACHE" --merge "$W/gzip.rec-real.json" -o "$W/gzip.merged3.json" \
		/usr/bin/gzip 2>"$W/merge3.err"
	[ $rc = 0 ] && grep -q "every recorded call was predicted" "$W/merge3.err"
	ok $? "merge with callfence record's profile: every recorded call predicted (record exit $rc)"
	[ $rc = 0 ] || sed 's/^/# /' "$W/record.err" | head -5
else
	skip "this callfence has no record command" "merge with callfence record's profile"
fi

# --for: the same values and the same lists as record (src/record/synth-needs.c): for each
# runtime, what record adds for it after the filter is allowed by predict's profile and what
# predict adds is allowed by record's; none adds nothing; the default is docker in both
needs() { # needs PROFILE: the names of its "runtime needs" rules
	python3 -c 'import json,sys
p = json.load(open(sys.argv[1]))
print(" ".join(sorted({n for r in p["syscalls"] if r["action"] == "SCMP_ACT_ALLOW" and
                       r.get("comment", "").startswith("runtime needs") for n in r["names"]})))' "$1"
}
within() { # within NAMES PROFILE: every name allowed by PROFILE
	local n
	for n in $1; do allowed "$2" | grep -qx "$n" || { echo "$n"; return 1; }; done
}
if "$CF" record --help >/dev/null 2>&1; then
	for rt in docker runc crun callfence none; do
		"$CF" predict --cache-dir "$CACHE" --for $rt -o "$W/for-$rt.json" /usr/bin/gzip 2>/dev/null
		prc=$?
		"$CF" record --for $rt -o "$W/rec-$rt.json" -- gzip -9 -c "$W/services.txt" >/dev/null 2>&1
		rrc=$?
		if [ $rt = none ]; then
			[ $prc = 0 ] && [ $rrc = 0 ] && [ -z "$(needs "$W/for-$rt.json")" ] &&
				[ -z "$(needs "$W/rec-$rt.json")" ]
			ok $? "--for none: predict and record add nothing (exit $prc, $rrc)"
			continue
		fi
		miss=$(within "$(needs "$W/rec-$rt.json")" "$W/for-$rt.json")
		r1=$?
		miss2=$(within "$(needs "$W/for-$rt.json")" "$W/rec-$rt.json")
		r2=$?
		[ $prc = 0 ] && [ $rrc = 0 ] && [ -n "$(needs "$W/for-$rt.json")" ] && [ $r1 = 0 ] && [ $r2 = 0 ]
		ok $? "--for $rt: predict allows what record adds and record what predict adds (exit $prc, $rrc; missing: ${miss:-}${miss2:-none})"
	done
	"$CF" predict --cache-dir "$CACHE" -o "$W/for-default.json" /usr/bin/gzip 2>/dev/null
	cmp -s "$W/for-default.json" "$W/for-docker.json"
	ok $? "--for: predict's default is docker, as record's"
else
	skip "this callfence has no record command" "--for against record"
fi
"$CF" predict --no-cache --for kubernetes /usr/bin/gzip >/dev/null 2>"$W/for-bad.err"
rc=$?
[ $rc = 125 ] && grep -q 'valid: docker runc crun callfence none' "$W/for-bad.err"
ok $? "twin: --for with an unknown runtime is refused with the valid values (exit $rc)"

# the cache: a warm run gives the same list; a corrupted entry is a miss, never a crash
"$CF" predict --cache-dir "$CACHE" --assume unresolved --format list /usr/bin/gzip >"$W/warm.list" 2>/dev/null
cmp -s "$W/gzip.list" "$W/warm.list"
ok $? "cache: a warm run predicts the same as the cold one"
n=0
for f in "$CACHE"/*; do
	n=$((n + 1))
	case $((n % 3)) in
	0) printf 'garbage' >"$f" ;;
	1) python3 -c 'import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0xff
open(p, "wb").write(b)' "$f" ;;
	2) truncate -s 300 "$f" ;;
	esac
done
"$CF" predict --cache-dir "$CACHE" --assume unresolved --format list /usr/bin/gzip >"$W/corrupt.list" 2>"$W/corrupt.err"
rc=$?
[ $rc = 0 ] && cmp -s "$W/gzip.list" "$W/corrupt.list"
ok $? "cache: corrupted entries (garbage, a flipped byte, truncated) are misses: same prediction (exit $rc)"
# twin: the prediction without the cache directory at all is the same too
"$CF" predict --no-cache --assume unresolved --format list /usr/bin/gzip >"$W/nocache.list" 2>/dev/null
cmp -s "$W/gzip.list" "$W/nocache.list"
ok $? "cache: --no-cache predicts the same"

# glibc's setxid broadcast: cp reaches setresgid, whose multi-threaded path hands the number to
# __nptl_setxid in memory; resolved to the set*id calls the reached wrappers make themselves,
# with the broadcaster's path as the origin
"$CF" predict --no-cache --format list /usr/bin/cp >"$W/setxid.list" 2>"$W/setxid.err"
rc=$?
[ $rc = 0 ] && grep -Eq '^amd64 +setresgid +cp: .*setresgid' "$W/setxid.list" &&
	! grep -Eq ' (setuid|setreuid|setresuid|setgroups) ' "$W/setxid.list"
ok $? "setxid: cp predicted without --assume, the broadcast gives setresgid and no other set*id (exit $rc)"

# twins: a syscall number the analysis truly cannot know is still refused, and so is a hand-made
# look-alike of the broadcast (the number loaded from a struct's first field, called from an
# exported `setresgid` that makes no set*id call itself)
if command -v cc >/dev/null; then
	cat >"$TMP/unknown.c" <<'C'
#include <stdlib.h>
struct cmd { int nr; long id[3]; };
__attribute__((noinline)) long bcast(struct cmd *c)
{
	long r;
	__asm__ volatile("movl (%1), %%eax\n\tsyscall" : "=a"(r) : "D"(c) : "rcx", "r11", "memory");
	return r;
}
__attribute__((noinline)) int setresgid(unsigned r, unsigned e, unsigned s)
{
	struct cmd c = { .nr = (int)(r + e + s), .id = { r, e, s } };
	return (int)bcast(&c);
}
int main(int argc, char **argv)
{
	long nr = strtol(argc > 1 ? argv[1] : "39", NULL, 0), r;
	if (argc > 2)
		return setresgid((unsigned)nr, 0, 0);
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr) : "rcx", "r11", "memory");
	return (int)r;
}
C
	if cc -O2 -rdynamic -o "$TMP/unknown" "$TMP/unknown.c" 2>"$TMP/unknown.log"; then
		"$CF" predict --no-cache --format list "$TMP/unknown" >/dev/null 2>"$W/refuse.err"
		rc=$?
		[ $rc = 125 ] && grep -q "reached by unknown: .*main -> syscall" "$W/refuse.err" &&
			grep -q "not a constant" "$W/refuse.err"
		ok $? "twin: a truly unknown syscall number is refused with its path (exit $rc)"
		grep -q "reached by unknown: .*setresgid -> bcast -> syscall" "$W/refuse.err"
		ok $? "twin: a look-alike of the setxid broadcast whose caller makes no set*id call is refused"
		"$CF" predict --no-cache --assume unresolved --format list "$TMP/unknown" >/dev/null \
			2>"$W/accept.err"
		ok $? "twin: --assume unresolved accepts it, still reported as a warning"
		grep -q "warning: syscall at" "$W/accept.err"
		ok $? "twin: the accepted gap is still printed"
	else
		ok 1 "twin: building the unknown-number binary failed"
		sed 's/^/# /' "$TMP/unknown.log" | head -5
	fi
else skip "no C compiler (tools/deps.sh)" "twin: unknown syscall number"; fi

# errors: not an ELF file, a missing file
"$CF" predict --no-cache "$W/in.json" >/dev/null 2>"$W/bad.err"
rc=$?
[ $rc = 125 ] && grep -q "not a usable x86-64 ELF64 file" "$W/bad.err"
ok $? "a non-ELF file is an error (exit $rc)"
"$CF" predict --no-cache "$W/nonexistent" >/dev/null 2>"$W/missing.err"
[ $? = 125 ]
ok $? "a missing file is an error"

done_testing
