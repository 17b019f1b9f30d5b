#!/bin/bash
# callfence export: formats, option handling, fail-closed errors with file:line:col.
set -eu
. "$(dirname "$0")/libtest.sh"

run_cf export
assert_rc 0 "export builtin as OCI"
assert_contains "$out" '"SCMP_ARCH_X86_64"' "OCI has the native arch"
assert_contains "$out" '"noNewPrivileges": false' "no-new-privileges off by default"
assert_not_contains "$out" '"mbind"' "mbind not allowed with the default caps"
if python3 -c 'import json,sys; json.load(sys.stdin)' <"$TMP/out"; then ok "OCI output is valid JSON"; else not_ok "OCI output is valid JSON"; fi

run_cf export --cap-add SYS_NICE --security-opt no-new-privileges
assert_rc 0 "export with --cap-add SYS_NICE"
assert_contains "$out" '"mbind"' "mbind rule present with CAP_SYS_NICE"
assert_contains "$out" '"CAP_SYS_NICE"' "CAP_SYS_NICE in the capability sets"
assert_contains "$out" '"noNewPrivileges": true' "no-new-privileges set"

run_cf export --cap-add sys_nice --cap-drop ALL
assert_rc 0 "cap-drop ALL keeps only the added caps"
n=$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["process"]["capabilities"]["bounding"]))' <"$TMP/out")
if [ "$n" = 1 ]; then ok "bounding set has one cap"; else not_ok "bounding set has $n caps, expected 1"; fi

run_cf export --security-opt seccomp=unconfined
assert_rc 0 "export unconfined"
assert_not_contains "$out" '"seccomp"' "unconfined has no linux.seccomp"

run_cf export --privileged
assert_rc 0 "export privileged"
assert_not_contains "$out" '"seccomp"' "privileged without a profile has no seccomp"
assert_contains "$out" '"CAP_SYS_ADMIN"' "privileged has every capability"

run_cf export --cap-add NOT_A_CAP
assert_rc 125 "unknown capability fails"
assert_contains "$err" 'unknown capability: "NOT_A_CAP"' "message names the capability"

run_cf export --security-opt seccomp=/nonexistent.json
assert_rc 125 "missing profile fails"
assert_contains "$err" "/nonexistent.json" "message names the file"

cat >"$TMP/bad.json" <<'JSON'
{
  "defaultAction": "SCMP_ACT_ERRNO",
  "syscalls": [
    { "names": ["read"], "action": "SCMP_ACT_ALOW" }
  ]
}
JSON
run_cf export --security-opt "seccomp=$TMP/bad.json"
assert_rc 125 "unknown action fails closed"
assert_contains "$err" "bad.json:4:36: error: /syscalls/0/action" "message has file:line:col and JSON path"
assert_contains "$err" "SCMP_ACT_ALLOW" "message lists valid actions"

cat >"$TMP/deny.json" <<'JSON'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    { "names": ["ptrace", "chrot"], "action": "SCMP_ACT_ERRNO" }
  ]
}
JSON
run_cf export --security-opt "seccomp=$TMP/deny.json"
assert_rc 125 "typo in a deny rule is an error"
assert_contains "$err" 'unknown syscall "chrot"' "message names the unknown syscall"

cat >"$TMP/allow.json" <<'JSON'
{
  "defaultAction": "SCMP_ACT_ERRNO",
  "syscalls": [
    { "names": ["read", "future_syscall_2030"], "action": "SCMP_ACT_ALLOW" }
  ]
}
JSON
run_cf export --security-opt "seccomp=$TMP/allow.json"
assert_rc 0 "unknown name in an allow rule is only a warning"
assert_contains "$err" "warning" "a warning is printed"

run_cf export --format docker
assert_rc 0 "export builtin in Docker format"
assert_contains "$out" '"archMap"' "Docker format keeps archMap"
cp "$TMP/out" "$TMP/docker.json"
run_cf export --format docker --security-opt "seccomp=$TMP/docker.json"
if cmp -s "$TMP/out" "$TMP/docker.json"; then ok "Docker format round-trips byte for byte"; else not_ok "Docker format round trip differs"; fi

run_cf export --arch SCMP_ARCH_AARCH64
assert_rc 0 "export for aarch64"
assert_contains "$out" '"SCMP_ARCH_ARM"' "aarch64 maps to ARM sub-arch"
assert_not_contains "$out" '"SCMP_ARCH_X86"' "no x86 arches for aarch64"

run_cf export --kernel 4.7
assert_rc 0 "export for kernel 4.7"
n_new=$(grep -c '"ptrace"' "$TMP/out" || true)
if [ "$n_new" = 0 ]; then ok "ptrace rule (minKernel 4.8) absent on 4.7"; else not_ok "ptrace present on 4.7"; fi

run_cf export -o "$TMP/out.json" --cap-add SYS_ADMIN
assert_rc 0 "export -o FILE"
if grep -q '"mount"' "$TMP/out.json"; then ok "-o wrote the file atomically with the mount rule"; else not_ok "-o file lacks mount"; fi
tmp_left=$(find "$TMP" -maxdepth 1 -name ".out.json.*" | head -1)
if [ -n "$tmp_left" ]; then not_ok "temp file left behind"; else ok "no temp file left behind"; fi

run_cf export --format yaml
assert_rc 125 "unknown format fails"

if have_ref moby-default.json; then
    run_cf export --security-opt "seccomp=$REF/moby-default.json"
    cp "$TMP/out" "$TMP/ref.json"
    run_cf export
if     cmp -s "$TMP/out" "$TMP/ref.json"; then ok "builtin exports exactly like the reference file"; else not_ok "builtin differs from moby-default.json"; fi
else
    skip "reference profile absent"
fi

done_testing
