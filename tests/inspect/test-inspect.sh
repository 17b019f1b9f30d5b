#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# callfence inspect PID on real processes: confined by `callfence run` (recognized, with the
# terminal guard), by a filter libseccomp built (verdicts compared with the rules the helper
# gave libseccomp), unconfined; a stopped process stays stopped, a running one runs on; a
# traced one, a missing one, and callers without CAP_SYS_ADMIN or under seccomp get 125.
set -eu
. "$(dirname "$0")/../cli/libtest.sh"

if [ "$(id -u)" != 0 ]; then
    if [ -n "${CALLFENCE_TESTS_MUST_RUN:-}" ]; then not_ok "root is needed"; done_testing; exit 1; fi
    echo "1..0 # SKIP root is needed (PTRACE_SECCOMP_GET_FILTER needs CAP_SYS_ADMIN)"
    exit 0
fi
pids=()
# only the script's own shell: a job signalled before its exec is a fork that runs this trap
# too (see cleanup_tmp in tests/cli/test-run-lib.sh)
cleanup() {
    [ "$BASHPID" = "$$" ] || return 0
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT

# start_confined ARGS...: `callfence run ARGS -- sleep 300` in the background; sets $child
# (the sleep, under the filters) and $runner (callfence)
start_confined() {
    "$CALLFENCE" run "$@" -- sleep 300 </dev/null >/dev/null 2>&1 &
    runner=$!
    pids+=("$runner")
    child=
    for _ in $(seq 100); do
        child=$(pgrep -P "$runner" -x sleep || true)
        [ -n "$child" ] && grep -q '^Seccomp:[[:space:]]*2' "/proc/$child/status" && break
        sleep 0.05
    done
}
state() { sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status"; }

# --- callfence run, builtin: recognized, guard named, conditional calls found
start_confined
run_cf inspect "$child"
assert_rc 0 "inspect a callfence run process"
assert_contains "$out" "filter 1: " "two filters listed"
assert_contains "$out" "callfence builtin (Docker's default capabilities)" "the builtin filter is recognized"
assert_contains "$out" "callfence's terminal guard" "the terminal guard is recognized"
assert_contains "$out" "ptrace of process $runner" "the guard's protected pid is read back (callfence's own pid)"
run_cf inspect --format json "$child"
printf '%s\n' "$out" >"$TMP/b.json"
if python3 - "$TMP/b.json" "$child" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["pid"] == int(sys.argv[2]) and len(d["filters"]) == 2
v = {(s["arch"], s["syscall"]): s for s in d["syscalls"]}
x = lambda n: v[("SCMP_ARCH_X86_64", n)]
assert x("read")["action"] == "SCMP_ACT_ALLOW" and not x("read")["conditional"]
assert x("mount")["action"] == "SCMP_ACT_ERRNO" and x("mount")["errno"] == 1
assert x("clone3")["action"] == "SCMP_ACT_ERRNO" and x("clone3")["errno"] == 38
for n in ("socket", "personality", "clone", "ioctl", "ptrace"):
    assert x(n)["conditional"], n
assert not x("mkdir")["conditional"]
assert v[("SCMP_ARCH_X86", "mbind")]["action"] == "SCMP_ACT_ERRNO"
PY
then ok "json: verdicts of builtin (read, mount EPERM, clone3 ENOSYS, 5 conditional calls)"; else not_ok "json verdicts of builtin"; fi
# a stopped process stays stopped, and continues after
kill -STOP "$child"
for _ in $(seq 50); do [ "$(state "$child")" = T ] && break; sleep 0.05; done
run_cf inspect "$child"
assert_rc 0 "inspect a stopped process"
sleep 0.2
if [ "$(state "$child")" = T ]; then ok "a stopped process stays stopped"; else not_ok "stopped process now in state $(state "$child")"; fi
kill -CONT "$child"
sleep 0.2
if [ "$(state "$child")" = S ]; then ok "it continues on SIGCONT"; else not_ok "state after SIGCONT: $(state "$child")"; fi
# a running process keeps running (and no tracer is left behind)
run_cf inspect "$child"
sleep 0.2
if [ "$(state "$child")" = S ] && grep -q '^TracerPid:[[:space:]]*0$' "/proc/$child/status"; then
    ok "a running process runs on, not traced"
else
    not_ok "after inspect: state $(state "$child"), $(grep TracerPid "/proc/$child/status")"
fi
# already traced: a clear error
strace -o /dev/null -p "$child" </dev/null >/dev/null 2>&1 &
tracer=$!
pids+=("$tracer")
for _ in $(seq 100); do grep -q "^TracerPid:[[:space:]]*$tracer" "/proc/$child/status" && break; sleep 0.05; done
run_cf inspect "$child"
assert_rc 125 "a traced process: refused"
assert_contains "$err" "already traced by process $tracer" "the error names the tracer"
kill "$tracer" 2>/dev/null || true
wait "$tracer" 2>/dev/null || true

# --- builtin --cap-add SYS_NICE: recognized as such (and the twin: not as the default)
start_confined --cap-add SYS_NICE
run_cf inspect "$child"
assert_contains "$out" "callfence builtin + CAP_SYS_NICE" "builtin --cap-add SYS_NICE is recognized"
assert_not_contains "$out" "Docker's default capabilities" "twin: it is not taken for the default set"
# a profile of our own is not claimed as builtin
printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}' >"$TMP/p.json"
start_confined --security-opt "seccomp=$TMP/p.json"
run_cf inspect --format json "$child"
printf '%s\n' "$out" >"$TMP/c.json"
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert "origin" not in d["filters"][1]
v = {(s["arch"], s["syscall"]): s for s in d["syscalls"]}
assert v[("SCMP_ARCH_X86_64", "mkdir")]["action"] == "SCMP_ACT_ERRNO"
assert v[("SCMP_ARCH_X86_64", "mkdirat")]["action"] == "SCMP_ACT_ALLOW"
' "$TMP/c.json"; then ok "twin: a custom profile is not named builtin; its verdicts are read back"; else not_ok "custom profile"; fi

# --- a filter libseccomp built
if [ -n "${LSC_SLEEPER:-}" ]; then
    "$LSC_SLEEPER" </dev/null >"$TMP/lsc.out" 2>&1 &
    lsc=$!
    pids+=("$lsc")
    for _ in $(seq 100); do grep -q ready "$TMP/lsc.out" && break; sleep 0.05; done
    run_cf inspect --format json "$lsc"
    assert_rc 0 "inspect a process under a libseccomp filter"
    printf '%s\n' "$out" >"$TMP/lsc.json"
    if python3 - "$TMP/lsc.json" "$TMP/lsc.out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
v = {(s["arch"], s["syscall"]): s for s in d["syscalls"]}
assert len(d["filters"]) == 1 and "origin" not in d["filters"][0]
n = 0
for line in open(sys.argv[2]):
    if not line.startswith("rule "):
        continue
    _, name, action, errno, cond = line.split()
    s = v[("SCMP_ARCH_X86_64", name)]
    assert (s["action"], s["errno"], s["conditional"]) == (action, int(errno), cond == "conditional"), (name, s)
    n += 1
assert v[("SCMP_ARCH_X86_64", "personality")]["other"] == [{"action": "SCMP_ACT_ERRNO", "errno": 1}]
assert v[("SCMP_ARCH_X86_64", "socket")]["other"] == [{"action": "SCMP_ACT_ERRNO", "errno": 97}]
# libseccomp's filter kills other ABIs (SCMP_ACT_KILL_THREAD is its bad-arch default)
assert v[("SCMP_ARCH_X86", "getpid")]["action"].startswith("SCMP_ACT_KILL")
print("# libseccomp rules checked:", n)
PY
    then ok "libseccomp's rules read back: every rule's verdict and conditionality"; else not_ok "libseccomp filter verdicts"; fi
else
    skip "libseccomp-dev not installed: the libseccomp helper was not built"
fi

# --- bubblewrap loading `callfence export --format bpf`: recognized in another sandbox's hands
if command -v bwrap >/dev/null && bwrap --ro-bind / / --dev /dev --proc /proc -- /bin/true 2>/dev/null; then
    "$CALLFENCE" export --format bpf -o "$TMP/f.bpf"
    bwrap --ro-bind / / --dev /dev --proc /proc --die-with-parent --seccomp 3 -- sleep 300 \
        3<"$TMP/f.bpf" </dev/null >/dev/null 2>&1 &
    bw=$!
    pids+=("$bw")
    sl=
    for _ in $(seq 100); do
        sl=$(pgrep -P "$bw" -x sleep || true)
        [ -z "$sl" ] && grep -q '^Seccomp:[[:space:]]*2' "/proc/$bw/status" 2>/dev/null && sl=$bw
        [ -n "$sl" ] && break
        sleep 0.05
    done
    pids+=("$sl")
    run_cf inspect "$sl"
    assert_contains "$out" "instructions: callfence builtin (Docker's default capabilities)" "bwrap --seccomp with the exported builtin: recognized"
    assert_not_contains "$out" "terminal guard" "twin: bwrap's process has no callfence guard"
else
    skip "bwrap cannot create its sandbox here"
fi

# --- unconfined, and the errors
sleep 300 </dev/null >/dev/null 2>&1 &
plain=$!
pids+=("$plain")
run_cf inspect "$plain"
assert_rc 0 "inspect an unconfined process"
assert_contains "$out" "no seccomp filter" "unconfined: said so"
run_cf inspect --format json "$plain"
assert_contains "$out" '"filters": []' "unconfined json: no filters"
run_cf inspect 999999999
assert_rc 125 "no such process"
assert_contains "$err" "no process 999999999" "the error names the pid"
run_cf inspect abc
assert_rc 125 "a pid that is not a number"
run_cf inspect
assert_rc 125 "no pid"
# without CAP_SYS_ADMIN: the kernel would refuse; we say why first
set +e
setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin "$CALLFENCE" inspect "$child" >"$TMP/o" 2>"$TMP/e"
rc=$?
set -e
assert_rc 125 "without CAP_SYS_ADMIN: refused"
assert_contains "$(cat "$TMP/e")" "needs CAP_SYS_ADMIN" "the error names CAP_SYS_ADMIN"
# under seccomp itself (here: inside callfence run, with every capability)
set +e
"$CALLFENCE" run --privileged --security-opt seccomp=builtin -- "$CALLFENCE" inspect "$child" >"$TMP/o" 2>"$TMP/e"
rc=$?
set -e
assert_rc 125 "callfence inspect under seccomp: refused"
assert_contains "$(cat "$TMP/e")" "runs under seccomp" "the error says it runs under seccomp"
done_testing
