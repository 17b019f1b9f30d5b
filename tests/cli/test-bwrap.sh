#!/bin/bash
# Round trip on a real peer: the filter from `callfence export --format bpf`, loaded by bubblewrap
# (bwrap --seccomp FD), must give the probe the same results as `callfence run` with the same
# profile. bwrap sets no-new-privileges and loads the filter last, so callfence runs with
# no-new-privileges too; only filter-decided rows are compared (bwrap changes the capabilities).
set -eu
. "$(dirname "$0")/libtest.sh"
PROBE=${CF_PROBE:-}

if ! command -v bwrap >/dev/null || [ -z "$PROBE" ] || [ "$(id -u)" != 0 ]; then
    if [ -n "${CALLFENCE_TESTS_MUST_RUN:-}" ]; then
        not_ok "bwrap, the probe and root are needed"
        done_testing
        exit 1
    fi
    echo "1..0 # SKIP bwrap, the probe and root are needed"
    exit 0
fi
# bwrap needs to create a mount namespace; some sandboxes refuse that
if ! bwrap --ro-bind / / --dev /dev --proc /proc -- /bin/true 2>"$TMP/bw.err"; then
    echo "1..0 # SKIP bwrap cannot create its sandbox here: $(head -1 "$TMP/bw.err")"
    exit 0
fi

ROWS=(getpid mkdir mkdirat mbind kcmp unshare clone3 "socket:38,5,0" "socket:40,1,0" "socket:2,1,0"
      "personality:0x8" "personality:0x4" "personality:0xffffffff" ptrace io_uring_setup
      "@i386:mbind" "@i386:getpid" "nr:1023")
# shellcheck source=../lib/int80.sh
. "$(dirname "$0")/../lib/int80.sh"
int80_check
mapfile -t ROWS < <(int80_rows "${ROWS[@]}")
[ -z "$INT80_SKIP" ] || { diag "rows @i386:mbind @i386:getpid left out"; skip "$INT80_SKIP"; }

compare() { # DESC EXPORT-ARGS...
    local desc=$1
    shift
    if ! "$CALLFENCE" export --format bpf -o "$TMP/f.bpf" "$@" 2>"$TMP/exp.err"; then
        not_ok "$desc: export failed: $(cat "$TMP/exp.err")"
        return
    fi
    bwrap --ro-bind / / --dev /dev --proc /proc --seccomp 3 -- "$PROBE" "${ROWS[@]}" \
        3<"$TMP/f.bpf" >"$TMP/bw.out" 2>&1 || true
    "$CALLFENCE" run --security-opt no-new-privileges "$@" -- "$PROBE" "${ROWS[@]}" \
        >"$TMP/cf.out" 2>&1 || true
    if [ -s "$TMP/cf.out" ] && cmp -s "$TMP/bw.out" "$TMP/cf.out"; then
        ok "$desc: bwrap --seccomp and callfence run agree on ${#ROWS[@]} rows"
    else
        not_ok "$desc: bwrap and callfence differ"
        diff "$TMP/bw.out" "$TMP/cf.out" | sed 's/^/# /' | head -20
    fi
}

compare "builtin"
compare "builtin +SYS_NICE +SYS_ADMIN" --cap-add SYS_NICE --cap-add SYS_ADMIN
cat >"$TMP/p.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
  {"names": ["mkdir", "kcmp"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
  {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 4, "op": "SCMP_CMP_EQ"}]}]}
JSON
compare "allow-default deny list" --security-opt "seccomp=$TMP/p.json"

# negative twin: a different profile on one side must be noticed
"$CALLFENCE" export --format bpf -o "$TMP/f.bpf"
bwrap --ro-bind / / --dev /dev --proc /proc --seccomp 3 -- "$PROBE" "${ROWS[@]}" 3<"$TMP/f.bpf" >"$TMP/bw.out" 2>&1 || true
"$CALLFENCE" run --security-opt no-new-privileges --cap-add SYS_NICE -- "$PROBE" "${ROWS[@]}" >"$TMP/cf.out" 2>&1 || true
if cmp -s "$TMP/bw.out" "$TMP/cf.out"; then not_ok "twin: different caps not noticed"; else ok "twin: different caps give different rows (mbind)"; fi

done_testing
