#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The committed src/arch/syscalls.csv is exactly what tools/gen-syscall-tables.py makes from the
# reference kernel tables (so nobody edits the fact file by hand), and the generator rejects a
# corrupted table (negative twin). Skips (TAP "1..0 # SKIP") when the reference directory is
# absent.
set -u
python3=${1:-python3}
src=${CALLFENCE_SOURCE_DIR:?CALLFENCE_SOURCE_DIR not set}
ref=${CALLFENCE_REFERENCE_DIR:-}/syscalls

if [ -z "${CALLFENCE_REFERENCE_DIR:-}" ] || [ ! -d "$ref" ]; then
    echo "1..0 # SKIP reference syscall tables not found (CALLFENCE_REFERENCE_DIR)"
    exit 0 # meson protocol tap: exit 77 would be an ERROR, the SKIP plan is the skip
fi

echo "1..3"
out=$("$python3" "$src/tools/gen-syscall-tables.py" --input "$ref" \
    --output "$src/src/arch/syscalls.csv" --check 2>&1)
if [ $? -eq 0 ]; then
    echo "ok 1 - syscalls.csv matches the regenerated table"
else
    echo "not ok 1 - syscalls.csv differs from the regenerated table"
    printf '%s\n' "$out" | head -40 | sed 's/^/# /'
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cp -R "$ref/." "$tmp/" && chmod -R u+w "$tmp"
# renumber read on x86_64: the check must notice
sed -i 's/^0\tcommon\tread\t/1000\tcommon\tread\t/' "$tmp/arch/x86/entry/syscalls/syscall_64.tbl"
if "$python3" "$src/tools/gen-syscall-tables.py" --input "$tmp" \
    --output "$src/src/arch/syscalls.csv" --check >/dev/null 2>&1; then
    echo "not ok 2 - a changed kernel table went unnoticed"
else
    echo "ok 2 - a changed kernel table is detected"
fi

# a number both i386 and the generic table use, given two names: the generator refuses
printf '470\ti386\tnot_listns\tsys_x\n' >>"$tmp/arch/x86/entry/syscalls/syscall_32.tbl"
"$python3" "$src/tools/gen-syscall-tables.py" --input "$tmp" --output "$tmp/out.csv" \
    >/dev/null 2>&1
rc=$?
if [ "$rc" -eq 2 ]; then
    echo "ok 3 - an inconsistent kernel table is rejected"
else
    echo "not ok 3 - an inconsistent kernel table was accepted (exit $rc)"
fi
