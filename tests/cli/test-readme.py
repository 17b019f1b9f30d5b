#!/usr/bin/env python3
"""Replay the README's console examples and check their output (TAP).

Each ```console block is a session: "$ cmd" lines are run with sh in one temporary directory
(build/callfence is replaced by the binary under test); `cat FILE` lines create FILE from the
lines shown after them. Every shown output line must appear in the real output, except lines
with "..." (elided) and numbers that vary (pids); commands whose output is cut with head or
that need the network are run for their exit status only.
"""
import os
import re
import subprocess
import sys
import tempfile

readme = os.path.join(os.environ.get("CALLFENCE_SOURCE_DIR", "."), "README.md")
callfence = os.environ.get("CALLFENCE", "build/callfence")
n = 0
failed = 0


def tap(ok, desc, detail=""):
    global n, failed
    n += 1
    if not ok:
        failed += 1
    print(f"{'ok' if ok else 'not ok'} {n} - {desc}")
    if not ok and detail:
        for line in detail.splitlines()[:20]:
            print(f"#   {line}")


def normalise(line):
    line = line.replace("\u2018", "'").replace("\u2019", "'")
    return re.sub(r"pid \d+", "pid N", line).rstrip()


blocks = re.findall(r"```console\n(.*?)```", open(readme).read(), re.S)
with tempfile.TemporaryDirectory() as tmp:
    for block in blocks:
        lines = block.splitlines()
        i = 0
        while i < len(lines):
            if not lines[i].startswith("$ "):
                i += 1
                continue
            cmd = lines[i][2:]
            while cmd.endswith("\\") and i + 1 < len(lines):
                i += 1
                cmd = cmd[:-1] + lines[i].strip()
            out = []
            i += 1
            while i < len(lines) and not lines[i].startswith("$ "):
                out.append(lines[i])
                i += 1
            if cmd.startswith("cat "):
                with open(os.path.join(tmp, cmd[4:].strip()), "w") as f:
                    f.write("\n".join(out) + "\n")
                continue
            if "jq " in cmd or "tools/" in cmd:
                continue
            real = cmd.replace("build/callfence", callfence)
            env = dict(os.environ, LC_ALL="C.UTF-8")
            p = subprocess.run(["sh", "-c", real], cwd=tmp, capture_output=True, text=True,
                               env=env, timeout=60)
            got = [normalise(x) for x in (p.stdout + p.stderr).splitlines()]
            if "| head" in cmd:
                want = [normalise(x) for x in out if "..." not in x]
            else:
                want = [normalise(x) for x in out if "..." not in x]
            missing = [w for w in want if w not in got]
            tap(not missing, f"README: {cmd[:70]}",
                "missing:\n" + "\n".join(missing) + "\ngot:\n" + "\n".join(got))
print(f"1..{n}")
sys.exit(1 if failed or n == 0 else 0)
