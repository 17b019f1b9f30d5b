#!/bin/bash
# callfence lint and diff from the command line: exit codes, text positions, the JSON shape and
# SARIF 2.1.0's required structure (checked with python3's json), subset twins.
# shellcheck source=tests/cli/libtest.sh
. "$(dirname "$0")/libtest.sh"
set -e

cat >"$TMP/hole.json" <<'J'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    { "names": ["mkdir"], "action": "SCMP_ACT_ERRNO" },
    { "names": ["setuid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 0 }
  ]
}
J
cat >"$TMP/info-only.json" <<'J'
{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38}
J

# --- lint: exit codes
run_cf lint builtin
assert_rc 0 "lint builtin: nothing at warning or above"
assert_contains "$out" "0 errors, 0 warnings" "lint builtin: no errors or warnings"
run_cf lint "$TMP/hole.json"
assert_rc 1 "lint of a profile with errors"
assert_contains "$out" "$TMP/hole.json:4:17: error [deny-list-twin] /syscalls/0/names/0:" \
	"text: file:line:column, severity, id, pointer"
assert_contains "$out" "$TMP/hole.json:5:68: error [errno-zero] /syscalls/1/errnoRet:" \
	"text: errnoRet 0 located"
assert_contains "$out" "fix: add mkdirat to this rule" "text: the fix"
run_cf lint "$TMP/info-only.json"
assert_rc 1 "an ERRNO(ENOSYS) profile that runc cannot start under is still a finding"
run_cf lint "$TMP/missing.json"
assert_rc 125 "lint of an unreadable profile"
assert_contains "$err" "missing.json" "the unreadable file is named"
printf '{"defaultAction": ' >"$TMP/bad.json"
run_cf lint builtin "$TMP/bad.json"
assert_rc 125 "one unreadable profile among several: 125"
assert_contains "$err" "bad.json:1:" "invalid JSON: position named"
run_cf lint --format yaml builtin
assert_rc 125 "unknown --format"
run_cf lint
assert_rc 125 "no profile"
run_cf lint --help
assert_rc 0 "--help"
assert_contains "$out" "Usage: callfence lint" "--help text"
if have_ref moby-default.json && have_ref containers-common-seccomp.json; then
	run_cf lint "$REF/moby-default.json"
	assert_rc 0 "Docker's default profile: nothing at warning or above"
	run_cf lint "$REF/containers-common-seccomp.json"
	assert_not_contains "$out" "error [" "Podman's default profile: no errors"
else
	skip "../shared/reference is absent"
fi

# --- lint: JSON
run_cf lint --format json "$TMP/hole.json"
assert_rc 1 "lint --format json exit code"
if python3 - "$TMP/out" "$TMP/hole.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
keys = {"id", "severity", "file", "line", "column", "pointer", "message", "fix"}
assert set(doc) == {"findings"}, doc.keys()
assert doc["findings"], "no findings"
for f in doc["findings"]:
    assert set(f) == keys, f.keys()
    assert f["severity"] in ("error", "warning", "info"), f
    assert f["file"] == sys.argv[2]
    assert isinstance(f["line"], int) and isinstance(f["column"], int)
    assert f["pointer"].startswith("/"), f
twin = [f for f in doc["findings"] if f["id"] == "deny-list-twin"][0]
assert (twin["line"], twin["column"], twin["pointer"]) == (4, 17, "/syscalls/0/names/0"), twin
PY
then ok "JSON: {findings: [{id, severity, file, line, column, pointer, message, fix}]}"
else not_ok "JSON shape"; fi

# --- lint: SARIF 2.1.0 (the schema's required properties along the path code scanning reads)
run_cf lint --format sarif "$TMP/hole.json" builtin
assert_rc 1 "lint --format sarif exit code"
if python3 - "$TMP/out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["version"] == "2.1.0"
assert isinstance(doc["runs"], list) and len(doc["runs"]) == 1
run = doc["runs"][0]
driver = run["tool"]["driver"]
assert driver["name"] == "callfence"
rules = driver["rules"]
ids = [r["id"] for r in rules]
for need in ["dangerous-syscall", "deny-list-twin", "clone3-eperm", "cap-spelling",
             "same-as-default", "errno-zero", "runtime-bootstrap", "duplicate-name",
             "unknown-syscall", "arg-index-or"]:
    assert need in ids, need
for r in rules:
    assert r["shortDescription"]["text"]
assert run["results"]
located = 0
for res in run["results"]:
    assert res["ruleId"] in ids
    assert ids[res["ruleIndex"]] == res["ruleId"]
    assert res["level"] in ("error", "warning", "note", "none")
    assert res["message"]["text"]
    for loc in res["locations"]:
        phys = loc["physicalLocation"]
        assert phys["artifactLocation"]["uri"]
        if "region" in phys:
            assert phys["region"]["startLine"] >= 1 and phys["region"]["startColumn"] >= 1
            located += 1
assert located >= 2, located
PY
then ok "SARIF 2.1.0: version, runs[].tool.driver.name/rules, results[].ruleId/level/message/locations"
else not_ok "SARIF shape"; fi

# --- diff
cat >"$TMP/base.json" <<'J'
{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
 "syscalls": [{"names": ["read", "write", "mkdir", "exit_group"], "action": "SCMP_ACT_ALLOW"}]}
J
cat >"$TMP/narrower.json" <<'J'
{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
 "syscalls": [{"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"},
              {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}
J
cat >"$TMP/wider.json" <<'J'
{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
 "syscalls": [{"names": ["read", "write", "mkdir", "exit_group"], "action": "SCMP_ACT_ALLOW"},
              {"names": ["mount"], "action": "SCMP_ACT_ALLOW",
               "args": [{"index": 3, "value": 1, "op": "SCMP_CMP_EQ"}]}]}
J
run_cf diff "$TMP/base.json" "$TMP/base.json"
assert_rc 0 "diff of identical profiles"
assert_contains "$out" "no differences" "identical: no differences"
run_cf diff --format json "$TMP/base.json" "$TMP/base.json"
assert_contains "$out" '"changes": []' "identical: no changes in JSON"
run_cf diff "$TMP/base.json" "$TMP/narrower.json"
assert_rc 1 "diff of differing profiles"
assert_contains "$out" "B denies mkdir that A allowed" "text: a call B denies"
assert_contains "$out" "subset: yes" "narrower B is a subset"
run_cf diff "$TMP/base.json" "$TMP/wider.json"
assert_contains "$out" "B newly allows mount (A: SCMP_ACT_ERRNO(EPERM)) when arg3=0x1" \
	"text: a call B allows for an argument region"
assert_contains "$out" "subset: no" "wider B is not a subset"
run_cf diff --format json "$TMP/base.json" "$TMP/wider.json"
if python3 - "$TMP/out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["subset"] is False
m = [c for c in doc["changes"] if c["syscall"] == "mount"]
assert m and m[0]["arch"] == "SCMP_ARCH_X86_64", doc
assert m[0]["a"] == {"action": "SCMP_ACT_ERRNO", "errno": 1}, m[0]
assert m[0]["b"] == {"action": "SCMP_ACT_ALLOW"}, m[0]
assert m[0]["conditional"] is True and m[0]["when"] == {"arg3": "0x1"}, m[0]
PY
then ok "JSON: {changes: [{arch, syscall, a, b, ...}], subset}"
else not_ok "diff JSON shape"; fi
run_cf diff --format json "$TMP/wider.json" "$TMP/base.json"
assert_contains "$out" '"subset": true' "the twin: A wider than B, subset true"
run_cf diff builtin builtin
assert_rc 0 "builtin against itself"
run_cf diff --cap-add SYS_ADMIN builtin "$TMP/base.json"
assert_rc 1 "options apply to both"
run_cf diff "$TMP/base.json" "$TMP/missing.json"
assert_rc 125 "diff with an unreadable profile"
run_cf diff "$TMP/base.json"
assert_rc 125 "diff needs two profiles"

done_testing
