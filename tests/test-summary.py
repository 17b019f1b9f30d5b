#!/usr/bin/env python3
"""Read meson testlog.json files and print one line: N passed, N failed, N skipped.

TAP tests count per test case (meson records the sub-results in stdout); other tests count once.
Exits non-zero if anything failed or nothing passed, so an empty run cannot pass.

Skip reasons come in two classes:
  - missing environment (a package, root, a runtime): the scripts turn these into failures
    when CALLFENCE_TESTS_MUST_RUN is set, as CI does (skip_all in the TAP libraries);
  - "machine:" (TAP "# SKIP machine: ..."): what this kernel or CPU cannot do, e.g. int 0x80
    without IA32 emulation (tests/lib/int80.sh, tests/lib/cf-int80.h). Installing packages
    cannot change it, so it stays a skip under CALLFENCE_TESTS_MUST_RUN; the distinct reasons
    are listed above the closing line so a CI log says what the machine could not run.
"""
import json
import re
import sys

PASS = {"OK", "EXPECTEDFAIL"}
FAIL = {"FAIL", "UNEXPECTEDPASS", "TIMEOUT", "ERROR"}


MACHINE_SKIP = re.compile(r"#\s*skip\s+machine:\s*(.*)$", re.I)


def count_tap(stdout, machine=None):
    passed = failed = skipped = 0
    for line in stdout.splitlines():
        m = re.match(r"^(not ok|ok)\b(.*)$", line)
        if not m:
            continue
        rest = m.group(2)
        # "# SKIP" and "# TODO" (a known difference of an old peer, e.g. runc 1.1.5) are not
        # failures of ours: count them as skipped
        if re.search(r"#\s*(skip|todo)", rest, re.I):
            skipped += 1
            why = MACHINE_SKIP.search(rest)
            if why and machine is not None:
                reason = why.group(1).strip()
                machine[reason] = machine.get(reason, 0) + 1
        elif m.group(1) == "ok":
            passed += 1
        else:
            failed += 1
    return passed, failed, skipped


def main(paths):
    passed = failed = skipped = 0
    failures = []
    machine = {}
    for path in paths:
        try:
            f = open(path)
        except OSError as e:
            print(f"test-summary: cannot read {path}: {e}", file=sys.stderr)
            failed += 1
            continue
        with f:
            for line in f:
                if not line.strip():
                    continue
                t = json.loads(line)
                result = t.get("result")
                p, fl, s = count_tap(t.get("stdout") or "", machine)
                if result in FAIL:
                    failures.append(f"{path}: {t.get('name')}")
                    failed += max(fl, 1)
                    passed += p
                    skipped += s
                elif result == "SKIP":
                    skipped += max(s, 1)
                elif result in PASS:
                    if p + fl + s:
                        passed += p
                        failed += fl
                        skipped += s
                    else:
                        passed += 1
    for reason, n in sorted(machine.items()):
        print(f"skipped ({n}), a property of this machine: {reason}")
    for name in failures:
        print(f"FAILED: {name}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
