#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Regenerate src/arch/syscalls.csv from Linux kernel syscall tables.

The input is a directory laid out like a kernel tree (only the syscall tables and the
arch/*/kernel/Makefile.syscalls files are read).  The output is callfence's own fact file: one
row per (table, number, name), where "table" is a kernel syscall ABI.  Numbers are the kernel
table numbers; the ABI's nr_base (x32 0x40000000, MIPS 4000/5000/6000) is added in C
(src/arch/arch.c), never here.

Usage: tools/gen-syscall-tables.py [--input DIR] [--output FILE] [--check]
  --check  compare with FILE instead of writing it (exit 1 and print a diff when they differ)

Rules (kept in sync with the kernel's scripts/syscalltbl.sh and Makefile.syscalls):
  * a table line is "<nr> <abi> <name> [entry points...]"; lines without an entry point still
    define __NR_<name> and are kept, as libseccomp and the kernel headers keep them;
  * each ABI selects lines by their abi column (see TABLES below); the generic table
    (scripts/syscall.tbl) is read with "common" + the ABI's bitness + the arch's
    syscall_abis_64 list from arch/<arch>/kernel/Makefile.syscalls;
  * since v5.1 every arch numbers new syscalls alike (>= 424, MIPS adds its base): an arch table
    that is older than the generic table is completed from it (entries above the arch table's own
    highest unified number), which is what each arch's next "wire up" commit does;
  * the few facts that are not in any .tbl file are listed in SUPPLEMENTS with their source;
  * placeholder slots the MIPS tables name "unusedNN"/"reservedNN" are not syscall names a
    profile can mean and are left out (libseccomp leaves them out too).
"""

import argparse
import os
import re
import sys

from genutil import write_or_check  # noqa: E402 (tools/ is on sys.path when run)

DEFAULT_INPUT = "/work/shared/reference/syscalls"
DEFAULT_OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "arch",
                              "syscalls.csv")

GENERIC = "scripts/syscall.tbl"
UNIFIED_FIRST = 424  # first number shared by every arch (v5.1, pidfd_send_signal)
UNIFIED_END = 512    # x32's legacy range starts here; nothing unified lives above it

# table key -> (file, abi columns to take, Makefile.syscalls adding abis for the generic table)
TABLES = {
    "x86_64": ("arch/x86/entry/syscalls/syscall_64.tbl", {"common", "64"}, None),
    "x32": ("arch/x86/entry/syscalls/syscall_64.tbl", {"common", "x32"}, None),
    "i386": ("arch/x86/entry/syscalls/syscall_32.tbl", {"i386"}, None),
    "aarch64": (GENERIC, {"common", "64"}, "arch/arm64/kernel/Makefile.syscalls"),
    "arm": ("arch/arm/tools/syscall.tbl", {"common", "eabi"}, None),
    "riscv64": (GENERIC, {"common", "64"}, "arch/riscv/kernel/Makefile.syscalls"),
    "loongarch64": (GENERIC, {"common", "64"}, "arch/loongarch/kernel/Makefile.syscalls"),
    "mips_o32": ("arch/mips/kernel/syscalls/syscall_o32.tbl", {"o32", "common"}, None),
    "mips_n64": ("arch/mips/kernel/syscalls/syscall_n64.tbl", {"n64", "common"}, None),
    "mips_n32": ("arch/mips/kernel/syscalls/syscall_n32.tbl", {"n32", "common"}, None),
    "ppc": ("arch/powerpc/kernel/syscalls/syscall.tbl", {"common", "32", "nospu"}, None),
    "ppc64": ("arch/powerpc/kernel/syscalls/syscall.tbl", {"common", "64", "nospu"}, None),
    "s390": ("arch/s390/kernel/syscalls/syscall.tbl", {"common", "32"}, None),
    "s390x": ("arch/s390/kernel/syscalls/syscall.tbl", {"common", "64"}, None),
}

# Which SCMP_ARCH_* use which table (documentation in the CSV header; arch.c holds the mapping).
USERS = {
    "x86_64": "SCMP_ARCH_X86_64",
    "x32": "SCMP_ARCH_X32 (nr_base 0x40000000)",
    "i386": "SCMP_ARCH_X86",
    "aarch64": "SCMP_ARCH_AARCH64",
    "arm": "SCMP_ARCH_ARM (EABI; also AArch32 compat on arm64)",
    "riscv64": "SCMP_ARCH_RISCV64",
    "loongarch64": "SCMP_ARCH_LOONGARCH64",
    "mips_o32": "SCMP_ARCH_MIPS, SCMP_ARCH_MIPSEL (nr_base 4000)",
    "mips_n64": "SCMP_ARCH_MIPS64, SCMP_ARCH_MIPSEL64 (nr_base 5000)",
    "mips_n32": "SCMP_ARCH_MIPS64N32, SCMP_ARCH_MIPSEL64N32 (nr_base 6000)",
    "ppc": "SCMP_ARCH_PPC",
    "ppc64": "SCMP_ARCH_PPC64, SCMP_ARCH_PPC64LE",
    "s390": "SCMP_ARCH_S390",
    "s390x": "SCMP_ARCH_S390X",
}

# Tables cross-checked against a second copy of the same ABI (must agree on shared names).
CROSS_CHECKS = {
    "arm": ("arch/arm64/tools/syscall_32.tbl", {"common"}),
}

# Facts missing from the input tables, each with the kernel source that defines it.
SUPPLEMENTS = [
    # x86: "uprobes/x86: Add uprobe syscall to speed up uprobe" (v6.16) adds
    # "336 common uprobe sys_uprobe" to syscall_64.tbl; the stored table predates it.
    ("x86_64", 336, "uprobe", "v6.16 syscall_64.tbl: 336 common uprobe"),
    ("x32", 336, "uprobe", "v6.16 syscall_64.tbl: 336 common uprobe"),
    # ARM private syscalls: arch/arm/include/uapi/asm/unistd.h, __ARM_NR_BASE = 0x0f0000
    # (EABI __NR_SYSCALL_BASE is 0).  Not in the .tbl file; Docker's profile allows breakpoint,
    # cacheflush and set_tls on arm/arm64.
    ("arm", 0x0F0001, "breakpoint", "arch/arm/include/uapi/asm/unistd.h __ARM_NR_breakpoint"),
    ("arm", 0x0F0002, "cacheflush", "arch/arm/include/uapi/asm/unistd.h __ARM_NR_cacheflush"),
    ("arm", 0x0F0003, "usr26", "arch/arm/include/uapi/asm/unistd.h __ARM_NR_usr26"),
    ("arm", 0x0F0004, "usr32", "arch/arm/include/uapi/asm/unistd.h __ARM_NR_usr32"),
    ("arm", 0x0F0005, "set_tls", "arch/arm/include/uapi/asm/unistd.h __ARM_NR_set_tls"),
    ("arm", 0x0F0006, "get_tls", "arch/arm/include/uapi/asm/unistd.h __ARM_NR_get_tls"),
]

# Renames of entries in stored tables that never shipped under that name.
# quotactl_path (443) was wired in v5.13-rc1 and replaced by quotactl_fd before any release
# ("quota: Change quotactl_path() systcall to an fd-based one", v5.14).
RENAMES = {
    ("mips_n32", 443, "quotactl_path"): "quotactl_fd",
}

PLACEHOLDER = re.compile(r"^(unused|reserved)[0-9]+$")

KERNEL_VERSION = "6.19"  # listns (470) was hooked up after v6.18


class TableError(Exception):
    pass


def read_table(root, path, abis):
    """Return [(nr, name)] of the lines of `path` whose abi column is in `abis`."""
    out = []
    full = os.path.join(root, path)
    with open(full, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            fields = line.split()
            if len(fields) < 3 or not fields[0].isdigit():
                raise TableError(f"{full}:{lineno}: cannot parse {line!r}")
            if fields[1] in abis:
                out.append((int(fields[0]), fields[2]))
    return out


def read_abis(root, path):
    """The syscall_abis_64 list of an arch's Makefile.syscalls."""
    abis = set()
    full = os.path.join(root, path)
    with open(full, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*syscall_abis_64\s*\+?=\s*(.*)$", line)
            if m:
                abis.update(m.group(1).split())
    return abis


def to_map(entries, key, where):
    """name -> nr, refusing duplicate names or numbers (a parse or selection bug)."""
    by_name, by_nr = {}, {}
    for nr, name in entries:
        if name in by_name and by_name[name] != nr:
            raise TableError(f"{where}: {name} numbered both {by_name[name]} and {nr}")
        if nr in by_nr and by_nr[nr] != name:
            raise TableError(f"{where}: {nr} is both {by_nr[nr]} and {name}")
        by_name[name] = nr
        by_nr[nr] = name
    return by_name


def build(root):
    generic_lines = read_table(root, GENERIC, {"common"})
    generic_unified = {nr: name for nr, name in generic_lines if nr >= UNIFIED_FIRST}
    tables, notes = {}, {}

    for key, (path, abis, makefile) in TABLES.items():
        note = [f"{path} abis={','.join(sorted(abis))}"]
        abis = set(abis)
        if makefile:
            extra = read_abis(root, makefile)
            abis |= extra
            note = [f"{path} abis={','.join(sorted(abis))} (from {makefile})"]
        entries = read_table(root, path, abis)
        skipped = [f"{name}" for nr, name in entries if PLACEHOLDER.match(name)]
        entries = [(nr, RENAMES.get((key, nr, name), name)) for nr, name in entries
                   if not PLACEHOLDER.match(name)]
        if skipped:
            note.append(f"placeholders left out: {' '.join(skipped)}")
        for (k, nr, old), new in RENAMES.items():
            if k == key:
                note.append(f"{nr} {old} renamed {new}")
        names = to_map(entries, key, path)

        if path != GENERIC:
            unified = [nr for nr in names.values() if UNIFIED_FIRST <= nr < UNIFIED_END]
            top = max(unified) if unified else UNIFIED_FIRST - 1
            for name, nr in names.items():
                if nr in generic_unified and generic_unified[nr] != name:
                    raise TableError(f"{key}: {nr} is {name} but {generic_unified[nr]} in {GENERIC}")
            added = []
            for nr in sorted(generic_unified):
                if nr > top and generic_unified[nr] not in names:
                    names[generic_unified[nr]] = nr
                    added.append(nr)
            if added:
                span = f"{added[0]}-{added[-1]}" if len(added) > 1 else f"{added[0]}"
                note.append(f"completed from {GENERIC}: {span}")

        for k, nr, name, why in SUPPLEMENTS:
            if k != key:
                continue
            if name in names and names[name] != nr:
                raise TableError(f"{key}: supplement {name}={nr} contradicts table ({names[name]})")
            if name not in names:
                if nr in names.values():
                    raise TableError(f"{key}: supplement {name}={nr} collides with a table entry")
                names[name] = nr
                note.append(f"+{name} {nr:#x} ({why})" if nr > 0xFFFF else f"+{name} {nr} ({why})")

        if key in CROSS_CHECKS:
            cpath, cabis = CROSS_CHECKS[key]
            other = to_map(read_table(root, cpath, cabis), key, cpath)
            for name, nr in other.items():
                if names.get(name, nr) != nr:
                    raise TableError(f"{key}: {name} is {names[name]} here, {nr} in {cpath}")
            note.append(f"cross-checked with {cpath}")
        tables[key] = names
        notes[key] = note
    return tables, notes


def render(tables, notes):
    out = [
        "# SPDX-License-Identifier: LGPL-2.1-or-later",
        "# callfence syscall numbers per kernel ABI. GENERATED by tools/gen-syscall-tables.py from",
        "# the Linux kernel syscall tables (facts only, re-expressed); do not edit by hand.",
        f"# kernel: {KERNEL_VERSION}",
        f"#   (every table numbered through {KERNEL_VERSION}'s newest call, listns = 470; the",
        "#   per-table sources, completions and supplements are listed below)",
        "# Rows: table,nr,name sorted by table then nr. nr is the kernel table number; the",
        "# ABI's nr_base (x32 0x40000000, MIPS o32 4000, n64 5000, n32 6000) is added in",
        "# src/arch/arch.c. Lines starting with '#' are comments.",
    ]
    for key in TABLES:
        out.append(f"# table {key}: {USERS[key]}; {len(tables[key])} syscalls")
        for n in notes[key]:
            out.append(f"#   {n}")
    out.append("table,nr,name")
    for key in TABLES:
        for name, nr in sorted(tables[key].items(), key=lambda kv: (kv[1], kv[0])):
            out.append(f"{key},{nr},{name}")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", default=DEFAULT_INPUT)
    ap.add_argument("--output", default=DEFAULT_OUTPUT)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    try:
        tables, notes = build(args.input)
    except (OSError, TableError) as e:
        print(f"gen-syscall-tables: {e}", file=sys.stderr)
        return 2
    text = render(tables, notes)
    return write_or_check(args.output, text, args.check, "gen-syscall-tables")


if __name__ == "__main__":
    sys.exit(main())
