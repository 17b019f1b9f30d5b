#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The committed src/profile/builtin-data.c is what tools/gen-builtin.py makes from moby's
# seccomp/default.json, and the generator refuses input it cannot express (negative twins).
# Skips (TAP "1..0 # SKIP") when the reference directory is absent.
set -u
python3=${1:-python3}
src=${CALLFENCE_SOURCE_DIR:?CALLFENCE_SOURCE_DIR not set}
ref=${CALLFENCE_REFERENCE_DIR:-}/moby-default.json

if [ -z "${CALLFENCE_REFERENCE_DIR:-}" ] || [ ! -f "$ref" ]; then
    echo "1..0 # SKIP moby-default.json not found (CALLFENCE_REFERENCE_DIR)"
    exit 0 # meson protocol tap: exit 77 would be an ERROR, the SKIP plan is the skip
fi

gen() {
    "$python3" "$src/tools/gen-builtin.py" "$@"
}

echo "1..6"
if out=$(gen --input "$ref" --output "$src/src/profile/builtin-data.c" --check 2>&1); then
    echo "ok 1 - builtin-data.c matches the regenerated tables"
else
    echo "not ok 1 - builtin-data.c differs from the regenerated tables"
    printf '%s\n' "$out" | head -40 | sed 's/^/# /'
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

sed 's/"errnoRet": 38/"errnoRet": 39/' "$ref" >"$tmp/changed.json"
if gen --input "$tmp/changed.json" --output "$src/src/profile/builtin-data.c" --check \
    >/dev/null 2>&1; then
    echo "not ok 2 - a changed profile went unnoticed"
else
    echo "ok 2 - a changed profile is detected"
fi

sed 's/"SCMP_ACT_ERRNO"/"SCMP_ACT_EPERM"/' "$ref" >"$tmp/action.json"
gen --input "$tmp/action.json" --output "$tmp/out.c" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 2 ] && echo "ok 3 - an unknown action is refused" ||
    echo "not ok 3 - an unknown action was accepted (exit $rc)"

sed 's/"action": "SCMP_ACT_ALLOW"/"action": "SCMP_ACT_ALLOW", "newKey": 1/' "$ref" >"$tmp/key.json"
gen --input "$tmp/key.json" --output "$tmp/out.c" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 2 ] && echo "ok 4 - an unknown key is refused" ||
    echo "not ok 4 - an unknown key was accepted (exit $rc)"

# Podman's default (containers/common seccomp.json) -> builtin-podman-data.c, same generator
pref=${CALLFENCE_REFERENCE_DIR}/containers-common-seccomp.json
if [ ! -f "$pref" ]; then
    echo "ok 5 # SKIP containers-common-seccomp.json not found"
    echo "ok 6 # SKIP containers-common-seccomp.json not found"
    exit 0
fi
if out=$(gen --runtime podman --input "$pref" --check 2>&1); then
    echo "ok 5 - builtin-podman-data.c matches the regenerated tables"
else
    echo "not ok 5 - builtin-podman-data.c differs from the regenerated tables"
    printf '%s\n' "$out" | head -40 | sed 's/^/# /'
fi
# twin: Podman's errno name must name the number beside it
sed '0,/"errno": "EPERM"/s//"errno": "EACCES"/' "$pref" >"$tmp/podman.json"
gen --runtime podman --input "$tmp/podman.json" --output "$tmp/p.c" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 2 ] && echo "ok 6 - an errno name that does not match its number is refused" ||
    echo "not ok 6 - a mismatched errno name was accepted (exit $rc)"
