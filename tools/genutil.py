# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared by the generators in tools/: write a generated file atomically, or --check it."""
import difflib
import os
import sys


def write_or_check(path, text, check, prog):
    """Return the exit code: with check, 0 if path already holds text, 1 (and a diff) if not."""
    if check:
        try:
            with open(path, encoding="utf-8") as f:
                old = f.read()
        except OSError as e:
            print(f"{prog}: {e}", file=sys.stderr)
            return 2
        if old != text:
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True),
                                                       path, "regenerated"))
            return 1
        return 0
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
    return 0
