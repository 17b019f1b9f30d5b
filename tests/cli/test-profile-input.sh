#!/bin/bash
# Profile inputs that used to run a command less confined than asked, or hang (issue 9): each
# is refused with 125 before anything runs; each has a twin that still works.
set -eu
. "$(dirname "$0")/libtest.sh"

NNP=(--security-opt no-new-privileges)
# the command every refused case would run: it leaves a mark if it ever runs
MARK="$TMP/ran"
touch_mark=(sh -c ': >"$1"' sh "$MARK")

# refused DESC PROFILE-FILE NEEDLE: run, export and explain all refuse; the command never runs
refused() {
	local desc=$1 prof=$2 needle=$3
	rm -f "$MARK"
	run_cf run "${NNP[@]}" --security-opt "seccomp=$prof" -- "${touch_mark[@]}"
	assert_rc 125 "run: $desc"
	if [ -e "$MARK" ]; then not_ok "run: $desc: the command ran"; else ok "run: $desc: the command did not run"; fi
	assert_contains "$err" "$needle" "run: $desc: the message says why"
	assert_contains "$err" "$prof:" "run: $desc: the message names the file"
	run_cf export --security-opt "seccomp=$prof"
	assert_rc 125 "export: $desc"
	run_cf explain --security-opt "seccomp=$prof" mkdir
	assert_rc 125 "explain: $desc"
}

# --- 1. empty profiles: Docker and runc run them with no filter at all ---------------------
echo '{}' >"$TMP/empty.json"
refused "{}" "$TMP/empty.json" 'missing "defaultAction"'
assert_contains "$err" "seccomp=unconfined" "the hint names seccomp=unconfined"
echo '{"defaultAction": ""}' >"$TMP/empty-action.json"
refused '{"defaultAction": ""}' "$TMP/empty-action.json" 'empty "defaultAction"'
printf '{"ociVersion": "1.0.2",\n "linux": {"seccomp": {}}}\n' >"$TMP/empty-oci.json"
refused 'config.json with "linux": {"seccomp": {}}' "$TMP/empty-oci.json" "empty-oci.json:2:23"
# the twin: asking for no filter by name runs the command
rm -f "$MARK"
run_cf run "${NNP[@]}" --security-opt seccomp=unconfined -- "${touch_mark[@]}"
assert_rc 0 "seccomp=unconfined runs the command"
if [ -e "$MARK" ]; then ok "seccomp=unconfined: the command ran"; else not_ok "seccomp=unconfined: the command did not run"; fi

# --- 2. case-variant keys: structure from one, argument values from the other -------------
# The reviewed profile is "linux": mkdir/mkdirat are denied unless mode == 0. "Linux" comes
# first in the text with mode 0777; before the fix the values were read from it, so
# "mkdir -m 0777" went through.
rule() { # rule MODE: deny mkdir and mkdirat unless the mode is MODE
	printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
  {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": %s, "op": "SCMP_CMP_NE"}]},
  {"names": ["mkdirat"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 2, "value": %s, "op": "SCMP_CMP_NE"}]}]}' "$1" "$1"
}
printf '{"ociVersion": "1.0.2",\n "Linux": {"seccomp": %s},\n "linux": {"seccomp": %s}}\n' \
	"$(rule 511)" "$(rule 0)" >"$TMP/two-linux.json"
mk777=(sh -c 'mkdir -m 0777 "$1" 2>/dev/null; [ -d "$1" ] && echo made || echo denied' sh "$TMP/d777")
rm -rf "$TMP/d777"
run_cf run "${NNP[@]}" --security-opt "seccomp=$TMP/two-linux.json" -- "${mk777[@]}"
assert_rc 125 "config.json with linux and Linux is refused"
if [ -d "$TMP/d777" ]; then not_ok "linux/Linux: mkdir -m 0777 ran"; else ok "linux/Linux: mkdir -m 0777 did not run"; fi
assert_contains "$err" 'duplicate key "linux" (also spelled "Linux" at 2:2)' "the message names both keys and positions"
printf '{"ociVersion": "1.0.2", "linux": {\n "Seccomp": %s,\n "seccomp": %s}}\n' \
	"$(rule 511)" "$(rule 0)" >"$TMP/two-seccomp.json"
run_cf run "${NNP[@]}" --security-opt "seccomp=$TMP/two-seccomp.json" -- "${mk777[@]}"
assert_rc 125 "config.json with seccomp and Seccomp is refused"
# twins: one key, in either spelling Go's decoder accepts, is read as written
for key in linux Linux; do
	printf '{"ociVersion": "1.0.2", "%s": {"seccomp": %s}}\n' "$key" "$(rule 0)" >"$TMP/one-$key.json"
	rm -rf "$TMP/d777"
	run_cf run "${NNP[@]}" --security-opt "seccomp=$TMP/one-$key.json" -- "${mk777[@]}"
	assert_rc 0 "config.json with only \"$key\" runs"
	assert_contains "$out" denied "only \"$key\": mkdir -m 0777 is denied (mode != 0)"
	rm -rf "$TMP/d0"
	run_cf run "${NNP[@]}" --security-opt "seccomp=$TMP/one-$key.json" -- mkdir -m 0 "$TMP/d0"
	if [ "$rc" = 0 ] && [ -d "$TMP/d0" ]; then ok "only \"$key\": mkdir -m 0 is allowed"; else not_ok "only \"$key\": mkdir -m 0: exit $rc"; fi
done

# --- 3. errnoRet that means success or wraps; valueTwo that libseccomp drops ---------------
deny_mkdir() { # deny_mkdir ERRNO-JSON: mkdir and mkdirat denied with that errnoRet
	printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": %s}]}\n' "$1"
}
mkd=(sh -c 'if mkdir "$1" 2>/dev/null; then echo mkdir-succeeded; else echo mkdir-failed; fi' sh "$TMP/dd")
for e in 0 65536 65537; do
	deny_mkdir "$e" >"$TMP/errno-$e.json"
	refused "errnoRet $e" "$TMP/errno-$e.json" "errnoRet $e"
	run_cf run "${NNP[@]}" --security-opt "seccomp=$TMP/errno-$e.json" -- "${mkd[@]}"
	assert_not_contains "$out" mkdir-succeeded "errnoRet $e: mkdir never \"succeeds\" without running"
done
printf '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 65536, "syscalls": []}\n' >"$TMP/default-errno.json"
refused "defaultErrnoRet 65536" "$TMP/default-errno.json" "defaultErrnoRet 65536"
# the twin: errnoRet 1 is EPERM, and the call fails
deny_mkdir 1 >"$TMP/errno-1.json"
rm -rf "$TMP/dd"
run_cf run "${NNP[@]}" --security-opt "seccomp=$TMP/errno-1.json" -- "${mkd[@]}"
assert_rc 0 "errnoRet 1 runs"
assert_contains "$out" mkdir-failed "errnoRet 1: mkdir fails"

vt() { # vt OP: deny mkdir when (mode op 0700), with valueTwo 0700
	printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 448, "valueTwo": 448, "op": "%s"}]}]}\n' "$1"
}
vt SCMP_CMP_EQ >"$TMP/vt-eq.json"
refused "valueTwo on SCMP_CMP_EQ" "$TMP/vt-eq.json" "valueTwo 448 is ignored by SCMP_CMP_EQ"
vt SCMP_CMP_MASKED_EQ >"$TMP/vt-masked.json"
run_cf run "${NNP[@]}" --security-opt "seccomp=$TMP/vt-masked.json" -- true
assert_rc 0 "the twin: valueTwo on SCMP_CMP_MASKED_EQ runs"

# --- 4. a profile that is not a regular file; stdin with seccomp=- -------------------------
good='{"defaultAction": "SCMP_ACT_ALLOW"}'
mkfifo "$TMP/fifo"
for what in fifo dir; do
	path="$TMP/$what"
	[ "$what" = dir ] && mkdir "$path"
	for cmd in run export explain; do
		rm -f "$MARK"
		case $cmd in
		run) args=(run "${NNP[@]}" --security-opt "seccomp=$path" -- "${touch_mark[@]}") ;;
		export) args=(export --security-opt "seccomp=$path") ;;
		explain) args=(explain --security-opt "seccomp=$path" mkdir) ;;
		esac
		set +e
		# timeout: a regression must fail this test, not hang it
		timeout 10 "$CALLFENCE" "${args[@]}" >"$TMP/out" 2>"$TMP/err"
		rc=$?
		set -e
		err=$(cat "$TMP/err")
		assert_rc 125 "$cmd with a $what as the profile fails at once"
		assert_contains "$err" "not a regular file" "$cmd: the $what is named as not a regular file"
	done
	if [ -e "$MARK" ]; then not_ok "$what: the command ran"; else ok "$what: the command did not run"; fi
done
# twins: seccomp=- reads stdin, from a file, a pipe, or the FIFO itself
rm -f "$MARK"
echo "$good" >"$TMP/good.json"
set +e
timeout 10 "$CALLFENCE" run "${NNP[@]}" --security-opt seccomp=- -- "${touch_mark[@]}" <"$TMP/good.json"
rc=$?
set -e
if [ "$rc" = 0 ] && [ -e "$MARK" ]; then ok "seccomp=- reads the profile from stdin (a file)"; else not_ok "seccomp=- from a file: exit $rc"; fi
set +e
echo "$good" | timeout 10 "$CALLFENCE" export --security-opt seccomp=- >"$TMP/out" 2>"$TMP/err"
rc=$?
set -e
if [ "$rc" = 0 ] && grep -q SCMP_ACT_ALLOW "$TMP/out"; then ok "seccomp=- reads a pipe"; else not_ok "seccomp=- from a pipe: exit $rc"; fi
(echo "$good" >"$TMP/fifo") &
writer=$!
set +e
timeout 10 "$CALLFENCE" export --security-opt seccomp=- <"$TMP/fifo" >"$TMP/out" 2>"$TMP/err"
rc=$?
set -e
kill "$writer" 2>/dev/null || true
wait "$writer" 2>/dev/null || true
if [ "$rc" = 0 ] && grep -q SCMP_ACT_ALLOW "$TMP/out"; then ok "seccomp=- reads a FIFO given as stdin"; else not_ok "seccomp=- from a FIFO: exit $rc"; fi
echo '{}' | timeout 10 "$CALLFENCE" export --security-opt seccomp=- >"$TMP/out" 2>"$TMP/err" && rc=0 || rc=$?
err=$(cat "$TMP/err")
assert_rc 125 "seccomp=- with an empty profile is refused like a file"
assert_contains "$err" "<stdin>:1:1" "the message names <stdin>"

done_testing
