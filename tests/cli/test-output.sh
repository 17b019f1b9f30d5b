#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Output options never damage a file (issue 9 §3): `export -o` and `run --explain-out` replace a
# regular file atomically, write devices, FIFOs and /dev/stdout in place, and refuse
# directories and option-looking names before anything runs. Everything happens in $TMP; a
# device is a node made there with mknod (char 1:3, /dev/null's numbers), never the real /dev;
# read-only and full filesystems are mounted in a private mount namespace (unshare -m).
set -eu
. "$(dirname "$0")/libtest.sh"
CALLFENCE=$(realpath "$CALLFENCE")
cd "$TMP"

ino() { stat -c %i "$1"; }

# --- a device node: written in place, still the same char device ---------------------------
if mknod "$TMP/null" c 1 3 2>/dev/null; then
    before=$(ino "$TMP/null")
    run_cf export -o "$TMP/null"
    assert_rc 0 "export -o a char device"
    if [ "$(stat -c '%F %t:%T %i' "$TMP/null")" = "character special file 1:3 $before" ]; then
        ok "the device node is still char 1:3 with the same inode"
    else
        not_ok "the device node was replaced: $(stat -c '%F %t:%T %i' "$TMP/null")"
    fi
    run_cf run --explain-out "$TMP/null" -- true
    assert_rc 0 "run --explain-out a char device"
    if [ "$(stat -c '%F %t:%T %i' "$TMP/null")" = "character special file 1:3 $before" ]; then ok "--explain-out left the device node alone"; else not_ok "--explain-out replaced the device"; fi
else
    skip "mknod not permitted here"; skip "mknod"; skip "mknod"; skip "mknod"
fi

# --- twin: a regular file IS replaced (new inode), its mode kept ------------------------------
echo old >"$TMP/reg"
chmod 0604 "$TMP/reg"
before=$(ino "$TMP/reg")
run_cf export -o "$TMP/reg"
assert_rc 0 "export -o a regular file"
if [ "$(ino "$TMP/reg")" != "$before" ]; then ok "the regular file was replaced (new inode: rename)"; else not_ok "the regular file was rewritten in place"; fi
if [ "$(stat -c %a "$TMP/reg")" = 604 ]; then ok "its mode 0604 was kept"; else not_ok "mode is $(stat -c %a "$TMP/reg")"; fi
if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/reg" 2>/dev/null; then ok "its content is the profile"; else not_ok "content is not the profile"; fi
if [ -z "$(find "$TMP" -maxdepth 1 -name '.reg.*')" ]; then ok "no temp file left"; else not_ok "temp file left"; fi

# --- a symlink stays a symlink; its target is replaced ---------------------------------------
mkdir "$TMP/sub"
echo old >"$TMP/sub/target"
ln -s sub/target "$TMP/link"
run_cf export -o "$TMP/link"
assert_rc 0 "export -o a symlink"
if [ -L "$TMP/link" ] && [ "$(readlink "$TMP/link")" = sub/target ]; then ok "the symlink is still a symlink to sub/target"; else not_ok "the symlink was replaced"; fi
if grep -q '"seccomp"' "$TMP/sub/target"; then ok "its target got the profile"; else not_ok "the target was not written"; fi

# --- a FIFO: the reader gets the content, the FIFO stays -------------------------------------
mkfifo "$TMP/fifo"
cat "$TMP/fifo" >"$TMP/fifo.got" &
reader=$!
run_cf export -o "$TMP/fifo"
assert_rc 0 "export -o a FIFO with a reader"
# a failed export, or one that replaced the FIFO, must not leave the test waiting forever
if [ "$rc" != 0 ] || [ ! -p "$TMP/fifo" ]; then kill "$reader" 2>/dev/null || true; fi
wait "$reader" || true
if [ -p "$TMP/fifo" ]; then ok "the FIFO is still a FIFO"; else not_ok "the FIFO was replaced"; fi
if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/fifo.got" 2>/dev/null; then ok "the reader received the whole profile"; else not_ok "the reader got $(wc -c <"$TMP/fifo.got") bytes"; fi

# --- a socket node cannot be opened (as with >): refused, left alone --------------------------
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$TMP/sock"
run_cf export -o "$TMP/sock"
assert_rc 125 "export -o a socket is refused"
if [ -S "$TMP/sock" ]; then ok "the socket node is still a socket"; else not_ok "the socket was replaced"; fi

# --- "-" and /dev/stdout: written in place ---------------------------------------------------
# /dev/stdout is a symlink to /proc/self/fd/1; $TMP/stdout is the same link, so a regressed
# binary that "replaces" it damages only $TMP. The literal /dev/stdout is tried only in a
# private mount namespace with a tmpfs on /dev (below).
run_cf export -o -
assert_rc 0 "export -o -"
assert_contains "$out" '"seccomp"' "-o - writes to stdout"
ln -s /proc/self/fd/1 "$TMP/stdout"
: >"$TMP/so"
before=$(ino "$TMP/so")
"$CALLFENCE" run --explain-out "$TMP/stdout" -- echo from-the-command >"$TMP/so" 2>"$TMP/so.err" || true
if [ "$(head -1 "$TMP/so")" = from-the-command ] && grep -q '"defaultAction"' "$TMP/so"; then
    ok "--explain-out a link to fd 1: appended after the command's own output"
else
    not_ok "--explain-out a link to fd 1: $(head -c 200 "$TMP/so")"; diag "$(cat "$TMP/so.err")"
fi
if [ "$(ino "$TMP/so")" = "$before" ]; then ok "the file behind fd 1 was not replaced"; else not_ok "the stdout file was replaced"; fi
if [ -L "$TMP/stdout" ]; then ok "the link to fd 1 is still a symlink"; else not_ok "the link to fd 1 was replaced"; fi
if "$CALLFENCE" export -o "$TMP/stdout" | python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null; then ok "export -o a link to fd 1, into a pipe"; else not_ok "export -o a link to fd 1, into a pipe"; fi

# --- refused before anything runs: option-looking names, "", directories ---------------------
run_cf run --explain-out -- touch "$TMP/ran"
assert_rc 125 "run --explain-out -- CMD is refused"
assert_contains "$err" 'looks like an option' "the message says why"
assert_contains "$err" './--' "and how to name such a file"
if [ ! -e "$TMP/ran" ] && [ ! -e "$TMP/--" ]; then ok "nothing ran, no file named --"; else not_ok "the command ran or -- was created"; fi
run_cf run --explain-out ./-- -- touch "$TMP/ran"
assert_rc 0 "twin: --explain-out ./-- names a file"
if [ -e "$TMP/ran" ] && [ -s "$TMP/--" ]; then ok "the command ran and ./-- was written"; else not_ok "./-- twin"; fi
run_cf export -o --foo
assert_rc 125 "export -o --foo is refused"
if [ ! -e "$TMP/--foo" ]; then ok "no file named --foo"; else not_ok "--foo created"; fi
run_cf export -o ''
assert_rc 125 "export -o '' is refused"
mkdir "$TMP/dir"
run_cf export -o "$TMP/dir"
assert_rc 125 "export -o DIR is refused"
assert_contains "$err" 'is a directory' "the message names the problem"
run_cf run --explain-out "$TMP/dir" -- touch "$TMP/ran2"
assert_rc 125 "run --explain-out DIR is refused"
if [ ! -e "$TMP/ran2" ]; then ok "at option time: the command did not run"; else not_ok "the command ran before the refusal"; fi
if [ -z "$(ls -A "$TMP/dir")" ]; then ok "nothing was written into the directory"; else not_ok "files in the directory"; fi

# --- read-only and full filesystems, in a private mount namespace ----------------------------
if unshare -m true 2>/dev/null; then
    mkdir "$TMP/m"
    # shellcheck disable=SC2016
    unshare -m sh -c '
        mount --make-rprivate / && mount -t tmpfs -o size=16k cf-test "$1/m" || exit 77
        echo old >"$1/m/f"
        mount -o remount,ro "$1/m" || exit 77
        "$2" run --explain-out "$1/m/f" -- touch "$1/ran3"; echo "rc=$?" >"$1/ro.rc"
        cat "$1/m/f" >"$1/ro.content"; ls -A "$1/m" >"$1/ro.ls"
        mount -o remount,rw "$1/m"
        "$2" export -o "$1/m/f"; echo "rc=$?" >"$1/full.rc"
        cat "$1/m/f" >"$1/full.content"; ls -A "$1/m" >"$1/full.ls"
        "$2" export -f bpf -o "$1/m/f"; echo "rc=$?" >"$1/fits.rc"
        mount -t tmpfs cf-dev /dev && ln -s /proc/self/fd/1 /dev/stdout || exit 77
        "$2" export -o /dev/stdout >"$1/devstdout.out"; echo "rc=$?" >"$1/devstdout.rc"
        ls -l /dev >"$1/dev.ls"; [ -L /dev/stdout ] && echo link >"$1/devstdout.kind"
    ' sh "$TMP" "$CALLFENCE" 2>"$TMP/ns.err" || true
    if [ "$(cat "$TMP/ro.rc")" = rc=125 ] && [ ! -e "$TMP/ran3" ]; then ok "read-only dir: refused with 125 before the command ran"; else not_ok "read-only dir: $(cat "$TMP/ro.rc")"; diag "$(cat "$TMP/ns.err")"; fi
    if [ "$(cat "$TMP/ro.content")" = old ] && [ "$(cat "$TMP/ro.ls")" = f ]; then ok "read-only dir: old file intact, no temp file"; else not_ok "read-only dir left $(cat "$TMP/ro.ls")"; fi
    if [ "$(cat "$TMP/full.rc")" = rc=125 ]; then ok "full filesystem (ENOSPC mid-write): 125"; else not_ok "full filesystem: $(cat "$TMP/full.rc")"; fi
    if [ "$(cat "$TMP/full.content")" = old ] && [ "$(cat "$TMP/full.ls")" = f ]; then ok "full filesystem: old file intact, no temp file"; else not_ok "full filesystem left $(cat "$TMP/full.ls"): $(head -c 40 "$TMP/full.content")"; fi
    if [ "$(cat "$TMP/fits.rc")" = rc=0 ]; then ok "twin: what fits is written on the same filesystem"; else not_ok "twin: $(cat "$TMP/fits.rc")"; fi
    if [ "$(cat "$TMP/devstdout.rc" 2>/dev/null)" = rc=0 ] && grep -q '"seccomp"' "$TMP/devstdout.out"; then ok "export -o /dev/stdout (on a private /dev) writes to stdout"; else not_ok "export -o /dev/stdout"; diag "$(cat "$TMP/dev.ls" 2>/dev/null)"; fi
    if [ "$(cat "$TMP/devstdout.kind" 2>/dev/null)" = link ]; then ok "/dev/stdout is still a symlink"; else not_ok "/dev/stdout was replaced"; fi
else
    for i in 1 2 3 4 5 6 7; do skip "no private mount namespace (unshare -m failed)"; done
fi

done_testing
