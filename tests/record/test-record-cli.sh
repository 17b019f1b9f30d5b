#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `callfence record` end to end: record real programs (python3 with threads and a subprocess,
# git init/commit, tar | gzip, perl with fork), then replay each under the recorded profile with
# the capabilities the summary names: same output, same status, zero denials (the kernel
# observer of run --explain is the judge). Negative twins: a profile with one recorded call
# removed reports exactly that call; a call the base denies is reported, not added. runc (the
# real peer) starts a container from the recorded OCI fragment; without the runtime's needs
# (--for callfence) it does not. --verify and --merge, positive and negative.
# shellcheck disable=SC2016 # perl and python programs in single quotes
# shellcheck source=tests/cli/test-run-lib.sh
. "$(dirname "$0")/../cli/test-run-lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (records with the default capabilities)"
command -v jq >/dev/null || skip_all "jq not installed"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip_all "python3 not installed"

# record OUT ARGS... -- CMD: stdout in $TMP/rec.out, stderr in $TMP/rec.err, status $rc
record() {
	local out=$1
	shift
	"$CF" record -o "$out" "$@" >"$TMP/rec.out" 2>"$TMP/rec.err"
	rc=$?
}

# the `callfence run` options of the summary's "use it" line (profile + capabilities)
run_opts() {
	sed -n 's/^  callfence run \(.*\) -- .*$/\1/p' "$1"
}

# replay PROFILE-OPTS... -- CMD: --explain=json; stdout $TMP/rep.out, denials (names) $TMP/den;
# a call a rule answers ENOSYS on purpose (the libc probes, as clone3 in Docker's own profile) is
# not a denial
replay() {
	"$CF" run --explain=json "$@" >"$TMP/rep.out" 2>"$TMP/rep.err"
	rrc=$?
	grep '^{' "$TMP/rep.err" | jq -r 'select(.event == "denial" and (.errno_name != "ENOSYS" or .source != "rule")) | .syscall' | sort -u >"$TMP/den"
}

# roundtrip DESC CMD...: record, then replay with the summary's options
roundtrip() {
	local desc=$1 opts
	shift
	record "$TMP/p.json" -- "$@"
	if [ "$rc" -ne "${want_rc:-0}" ] || ! [ -s "$TMP/p.json" ]; then
		ok 1 "$desc: record exit $rc (want ${want_rc:-0})"
		sed 's/^/#   /' "$TMP/rec.err"
		return
	fi
	cp "$TMP/rec.out" "$TMP/first.out"
	read -r -a opts <<<"$(run_opts "$TMP/rec.err")"
	replay "${opts[@]}" -- "$@"
	if [ "$rrc" = "$rc" ] && cmp -s "$TMP/first.out" "$TMP/rep.out" && ! [ -s "$TMP/den" ]; then
		ok 0 "$desc: replay under the recorded profile (${opts[*]}): same output, exit $rc, no denial"
	else
		ok 1 "$desc: replay exit $rrc (recorded $rc), denials: $(tr '\n' ' ' <"$TMP/den")"
		diff "$TMP/first.out" "$TMP/rep.out" | head -5 | sed 's/^/#   /'
		grep -v '^{' "$TMP/rep.err" | head -5 | sed 's/^/#   /'
	fi
}

export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME" "$TMP/src/sub"
for i in 1 2 3; do echo "file $i" >"$TMP/src/sub/f$i"; done

roundtrip "python3 threads + subprocess" "$PY" -c '
import threading, subprocess
out = []
ts = [threading.Thread(target=lambda i=i: out.append(sum(range(i * 1000)))) for i in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
print(sorted(out))
print(subprocess.run(["echo", "from a child"], capture_output=True, text=True).stdout.strip())'
roundtrip "git init + commit" sh -c "rm -rf '$TMP/repo' && git init -q '$TMP/repo' && cd '$TMP/repo' &&
	echo x >f && git add f && git -c user.email=t@e -c user.name=t commit -q -m one && git log --format=%s"
roundtrip "tar | gzip" sh -c "tar -C '$TMP' -cf - src | gzip -n | gzip -dc | tar -tf - | sort"
roundtrip "perl fork + readdir" perl -e '
opendir(my $d, "'"$TMP"'/src/sub") or die; my @e = sort grep { !/^\./ } readdir $d;
print "@e\n"; my $p = fork(); if (!$p) { exit 3 } waitpid($p, 0); print $? >> 8, "\n";'
want_rc=3 roundtrip "exit status kept" sh -c 'ls / >/dev/null; exit 3'

# the thread's last calls (glibc's madvise of its stack, exit) come after join() returns: wait
# until the kernel has ended it, else whether they happen before exit_group is timing, and
# strace (slower) and the recording differ (seen under load: exit and madvise "missing")
PYWAIT='import os, threading
t = threading.Thread(target=print); t.start(); t.join()
while len(os.listdir("/proc/self/task")) > 1: pass'
# strace, the peer: every call it sees in the same workload is in the profile (allowed, or
# answered ENOSYS on purpose); the profile's names strace does not see are counted
if command -v strace >/dev/null; then
	W=(sh -c "tar -C '$TMP' -cf - src | gzip -n | wc -c; $PY -c '$PYWAIT'")
	record "$TMP/p.json" -- "${W[@]}"
	strace -f -qq -o "$TMP/strace.txt" "${W[@]}" >/dev/null 2>&1
	sed -n 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/p' "$TMP/strace.txt" | sort -u >"$TMP/strace.names"
	jq -r '.syscalls[] | select(.action == "SCMP_ACT_ALLOW" or .errnoRet == 38) | .names[]' \
		"$TMP/p.json" | sort -u >"$TMP/profile.names"
	missing=$(comm -23 "$TMP/strace.names" "$TMP/profile.names" | tr '\n' ' ')
	[ -z "$missing" ]
	ok $? "every call strace -f sees is in the recorded profile (missing: ${missing:-none})"
	echo "# strace saw $(wc -l <"$TMP/strace.names") names; the profile has $(wc -l <"$TMP/profile.names"), $(comm -13 "$TMP/strace.names" "$TMP/profile.names" | wc -l) of them not seen by strace (vDSO, runtime needs, libc probes): $(comm -13 "$TMP/strace.names" "$TMP/profile.names" | tr '\n' ' ')"
else
	skip "strace not installed" "strace's calls are in the profile"
fi

# negative twin: one recorded call removed -> the replay reports exactly that one
record "$TMP/p.json" -- sh -c 'ls / >/dev/null'
read -r -a opts <<<"$(run_opts "$TMP/rec.err")"
jq '.syscalls |= map(.names -= ["getdents64"])' "$TMP/p.json" >"$TMP/cut.json"
opts=("${opts[@]/seccomp=*/seccomp=$TMP/cut.json}")
replay "${opts[@]}" -- sh -c 'ls / >/dev/null'
if [ "$(cat "$TMP/den")" = "getdents64" ]; then
	ok 0 "getdents64 removed from the recorded profile: the replay reports exactly getdents64"
else
	ok 1 "removed getdents64: denials were: $(tr '\n' ' ' <"$TMP/den")"
fi
grep -q '"getdents64"' "$TMP/p.json"
ok $? "twin: the recorded profile itself has getdents64"

# the base decides: what it denies is reported with a fix and not added
record "$TMP/p.json" -- "$PROBE" mount personality:0x8 personality:0x0
grep -q 'not added: mount (x1, by .*builtin answers SCMP_ACT_ERRNO(EPERM); fix: --cap-add SYS_ADMIN' "$TMP/rec.err"
ok $? "mount (denied by the builtin) is reported with explain's fix"
! jq -e '.syscalls[] | select(.names | index("mount"))' "$TMP/p.json" >/dev/null
ok $? "twin: mount is not in the recorded profile"
jq -e '[.syscalls[] | select(.names | index("personality"))] | length == 2 and
	all(.args | length == 1 and .[0].index == 0 and .[0].op == "SCMP_CMP_EQ")' \
	"$TMP/p.json" >/dev/null
ok $? "personality keeps the builtin's conditions (arg0 == 0, arg0 == 8), never unconditional"
read -r -a opts <<<"$(run_opts "$TMP/rec.err")"
replay "${opts[@]}" -- "$PROBE" personality:0x20000
has "$TMP/rep.out" "personality:0x20000 errno=EPERM"
ok $? "twin: personality(0x20000), allowed by the builtin but not recorded, is denied"

# --format oci: capabilities reduced to what was used
touch "$TMP/owned"
record "$TMP/oci.json" --format oci -- chown 1:1 "$TMP/owned"
jq -e '.process.capabilities.bounding == ["CAP_CHOWN"] and .linux.seccomp.defaultAction ==
	"SCMP_ACT_ERRNO"' "$TMP/oci.json" >/dev/null
ok $? "--format oci: a chown workload gives process.capabilities CAP_CHOWN and no more"
record "$TMP/oci.json" --format oci -- cat "$TMP/owned"
jq -e '.process.capabilities.bounding == []' "$TMP/oci.json" >/dev/null
ok $? "twin: cat of a file root owns needs no capability"

# --verify
record "$TMP/v.json" --verify -- sh -c 'ls / >/dev/null'
[ "$rc" = 0 ] && grep -q 'verify: ok' "$TMP/rec.err"
ok $? "--verify: the replay passes (exit 0)"
rm -f "$TMP/flag"
record "$TMP/v.json" --verify -- perl -e 'if (-e "'"$TMP"'/flag") { mkdir "'"$TMP"'/d" or die } else { open(my $f, ">", "'"$TMP"'/flag") }'
[ "$rc" = 1 ] && grep -q 'verify: FAILED: the replay under .* was denied 1 call(s): mkdir ' "$TMP/rec.err"
ok $? "twin: a second run that calls mkdir fails --verify (exit $rc), naming mkdir"

# rootless: as uid 65534 (ptrace observer, no-new-privileges forced), then replayed as that user
if command -v setpriv >/dev/null; then
	chmod 755 "$TMP"
	mkdir -m 777 "$TMP/nobody"
	as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
	as_nobody "$CF" record -o "$TMP/nobody/p.json" -- sh -c 'ls / >/dev/null; echo rootless' \
		>"$TMP/rec.out" 2>"$TMP/rec.err"
	rc=$?
	grep -q 'ptrace observer' "$TMP/rec.err" && [ "$rc" = 0 ] && has "$TMP/rec.out" rootless
	ok $? "rootless record (uid 65534, ptrace observer)"
	as_nobody "$CF" run --explain=json --security-opt "seccomp=$TMP/nobody/p.json" -- \
		sh -c 'ls / >/dev/null; echo rootless' >"$TMP/rep.out" 2>"$TMP/rep.err"
	rc=$?
	[ "$rc" = 0 ] && has "$TMP/rep.out" rootless && ! grep -q '"event":"denial"' "$TMP/rep.err"
	ok $? "rootless replay under the rootless recording: no denial"
else
	skip "setpriv not installed" "rootless record"
fi

# --merge: two recordings united cover both programs; each alone does not
record "$TMP/a.json" -- sh -c 'ls / >/dev/null'
record "$TMP/b.json" -- sh -c "mkdir '$TMP/m' && rmdir '$TMP/m'"
"$CF" record --merge -o "$TMP/ab.json" "$TMP/a.json" "$TMP/b.json" 2>"$TMP/merge.err"
ok $? "--merge a.json b.json"
for w in "ls / >/dev/null" "mkdir '$TMP/m' && rmdir '$TMP/m'"; do
	replay --security-opt "seccomp=$TMP/ab.json" -- sh -c "$w"
	[ "$rrc" = 0 ] && ! [ -s "$TMP/den" ]
	ok $? "merged profile runs: $w"
done
replay --security-opt "seccomp=$TMP/a.json" -- sh -c "mkdir '$TMP/m' && rmdir '$TMP/m'"
grep -qx mkdir "$TMP/den"
ok $? "twin: a.json alone denies mkdir"

# options: refused before anything runs (125), with the valid values
"$CF" record --format ocj -- touch "$TMP/ran" 2>"$TMP/o.err"
[ $? = 125 ] && grep -q 'did you mean "oci"' "$TMP/o.err" && ! [ -e "$TMP/ran" ]
ok $? "--format ocj: 125, did you mean oci, the command did not run"
"$CF" record -o "$TMP" -- touch "$TMP/ran" 2>"$TMP/o.err"
[ $? = 125 ] && ! [ -e "$TMP/ran" ]
ok $? "-o DIRECTORY: 125 before the command runs"
echo '{"defaultAction":"SCMP_ACT_KILL","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}' >"$TMP/k.json"
"$CF" record --merge -o "$TMP/x.json" "$TMP/a.json" "$TMP/k.json" 2>"$TMP/o.err"
[ $? = 125 ] && grep -q "k.json.*defaultAction differs" "$TMP/o.err" && ! [ -e "$TMP/x.json" ]
ok $? "--merge of a profile with another defaultAction: 125 naming it, nothing written"

# runc, the real peer: the OCI fragment (with --for docker's runc needs) starts a container;
# the same recording --for callfence lacks what runc calls after the filter and does not
if command -v runc >/dev/null; then
	B="$TMP/bundle"
	mkdir -p "$B/rootfs"
	cp "$PROBE" "$B/rootfs/cf-probe"
	(cd "$B" && runc spec) && mv "$B/config.json" "$B/base.json"
	jq '.process.terminal = false | .process.args = ["/cf-probe", "getpid"] | del(.linux.seccomp)' \
		"$B/base.json" >"$B/config.json"
	if timeout -k 5 30 runc run --bundle "$B" "cf-$$-chk" </dev/null >"$TMP/rt.out" 2>"$TMP/rt.err"; then
		for f in docker callfence; do
			record "$TMP/r-$f.json" --format oci --for "$f" -- "$PROBE" getpid
			jq -s '.[1] as $r | .[0] | .process.capabilities = $r.process.capabilities |
				.process.noNewPrivileges = $r.process.noNewPrivileges |
				.linux.seccomp = $r.linux.seccomp | .process.terminal = false |
				.process.args = ["/cf-probe", "getpid"]' "$B/base.json" "$TMP/r-$f.json" \
				>"$B/config.json"
			timeout -k 5 30 runc run --bundle "$B" "cf-$$-$f" </dev/null >"$TMP/rt.out" 2>"$TMP/rt.err"
			runc delete -f "cf-$$-$f" >/dev/null 2>&1
			if [ "$f" = docker ]; then
				has "$TMP/rt.out" "getpid ok"
				ok $? "runc starts the container from the recorded fragment (--for docker)"
			else
				! has "$TMP/rt.out" "getpid ok" && grep -q 'operation not permitted' "$TMP/rt.err"
				ok $? "twin: --for callfence lacks runc's own calls: runc fails ($(head -c 120 "$TMP/rt.err" | tr '\n' ' '))"
			fi
		done
	else
		skip "$(head -c 200 "$TMP/rt.err" | tr '\n' ' ')" "runc cannot start a container on this host"
	fi
	runc delete -f "cf-$$-chk" >/dev/null 2>&1
else
	skip "runc not installed" "runc starts a container from the recorded fragment"
fi

done_testing
