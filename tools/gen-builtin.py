#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Regenerate src/profile/builtin-data.c from Docker's default seccomp profile.

Usage: tools/gen-builtin.py [--runtime docker|podman] [--input default.json] [--output FILE]
                            [--upstream TEXT] [--check]

The input is moby/profiles seccomp/default.json (--runtime podman: containers/common
pkg/seccomp/seccomp.json, into builtin-podman-data.c); the output expresses it as callfence's own
constant tables (src/profile/builtin-data.h). Podman's errno names ("errno", "defaultErrno") are
checked against the numbers they name and not kept (Docker and runc read only the numbers). Every key, action, operator and architecture is
validated: anything this generator does not know stops it (exit 2), so an upstream change can
never be dropped silently. --check compares with the committed file instead of writing it.
"""

import argparse
import json
import os
import sys

from genutil import write_or_check  # noqa: E402 (tools/ is on sys.path when run)

DEFAULT_INPUT = "/work/shared/reference/moby-default.json"
DEFAULT_OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "profile",
                              "builtin-data.c")
DEFAULT_UPSTREAM = "moby/profiles seccomp/v0.2.3"

# --runtime: (input, output file, symbol, upstream, source path named in the header)
RUNTIMES = {
    "docker": (DEFAULT_INPUT, DEFAULT_OUTPUT, "builtin_docker_default", DEFAULT_UPSTREAM,
               "seccomp/default.json"),
    "podman": ("/work/shared/reference/containers-common-seccomp.json",
               os.path.join(os.path.dirname(DEFAULT_OUTPUT), "builtin-podman-data.c"),
               "builtin_podman_default",
               "containers/container-libs@f0ddf1a745bb",
               "common/pkg/seccomp/seccomp.json"),
}

ACTIONS = {
    "SCMP_ACT_KILL": "CF_ACT_KILL",
    "SCMP_ACT_KILL_THREAD": "CF_ACT_KILL_THREAD",
    "SCMP_ACT_KILL_PROCESS": "CF_ACT_KILL_PROCESS",
    "SCMP_ACT_TRAP": "CF_ACT_TRAP",
    "SCMP_ACT_ERRNO": "CF_ACT_ERRNO",
    "SCMP_ACT_TRACE": "CF_ACT_TRACE",
    "SCMP_ACT_ALLOW": "CF_ACT_ALLOW",
    "SCMP_ACT_LOG": "CF_ACT_LOG",
    "SCMP_ACT_NOTIFY": "CF_ACT_NOTIFY",
}
OPS = {
    "SCMP_CMP_NE": "CF_OP_NE",
    "SCMP_CMP_LT": "CF_OP_LT",
    "SCMP_CMP_LE": "CF_OP_LE",
    "SCMP_CMP_EQ": "CF_OP_EQ",
    "SCMP_CMP_GE": "CF_OP_GE",
    "SCMP_CMP_GT": "CF_OP_GT",
    "SCMP_CMP_MASKED_EQ": "CF_OP_MASKED_EQ",
}
ARCHES = [
    "X86_64", "X86", "X32", "AARCH64", "ARM", "MIPS", "MIPS64", "MIPS64N32", "MIPSEL",
    "MIPSEL64", "MIPSEL64N32", "PPC", "PPC64", "PPC64LE", "S390", "S390X", "PARISC",
    "PARISC64", "RISCV64", "LOONGARCH64", "M68K", "SH", "SHEB",
]
TOP_KEYS = {"defaultAction", "defaultErrnoRet", "archMap", "syscalls"}
RULE_KEYS = {"names", "action", "errnoRet", "args", "comment", "includes", "excludes"}
# Podman's errno names beside the numbers (containers/common seccomp types)
PODMAN_TOP_KEYS = TOP_KEYS | {"defaultErrno"}
PODMAN_RULE_KEYS = RULE_KEYS | {"errno"}
GATE_KEYS = {"caps", "arches", "minKernel"}
ARG_KEYS = {"index", "value", "valueTwo", "op"}


class ProfileError(Exception):
    pass


def check_keys(obj, allowed, where):
    if not isinstance(obj, dict):
        raise ProfileError(f"{where}: expected an object")
    extra = set(obj) - allowed
    if extra:
        raise ProfileError(f"{where}: keys this generator does not handle: {sorted(extra)}")


def c_str(s):
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= ord(ch) < 0x7F:
            out.append(ch)
        else:
            raise ProfileError(f"non-ASCII or control character in {s!r}")
    return '"' + "".join(out) + '"'


def arch_enum(name, where):
    if not name.startswith("SCMP_ARCH_") or name[len("SCMP_ARCH_"):] not in ARCHES:
        raise ProfileError(f"{where}: unknown architecture {name!r}")
    return "CF_ARCH_" + name[len("SCMP_ARCH_"):]


def u32(v, where):
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 0xFFFFFFFF:
        raise ProfileError(f"{where}: expected a uint32")
    return v


def u64(v, where):
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 0xFFFFFFFFFFFFFFFF:
        raise ProfileError(f"{where}: expected a uint64")
    return v


def kernel(v, where):
    """moby's KernelVersion: "X.Y", each part 0-255, "0.0" invalid, "" = present 0.0."""
    if v is None:
        return "{ false, 0, 0 }"
    if not isinstance(v, str):
        raise ProfileError(f"{where}: expected a string")
    if v == "":
        return "{ true, 0, 0 }"
    parts = v.split(".")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ProfileError(f"{where}: invalid kernel version {v!r}")
    major, minor = int(parts[0]), int(parts[1])
    if major > 255 or minor > 255 or (major, minor) == (0, 0):
        raise ProfileError(f"{where}: invalid kernel version {v!r}")
    return f"{{ true, {major}, {minor} }}"


def strv(lines, name, values, where):
    if not isinstance(values, list) or not all(isinstance(x, str) for x in values):
        raise ProfileError(f"{where}: expected an array of strings")
    lines.append(f"static const char *const {name}[] = {{")
    for v in values:
        lines.append(f"\t{c_str(v)},")
    lines.append("};")


def gate(lines, prefix, g, where):
    if g is None:
        return "{ NULL, 0, NULL, 0, { false, 0, 0 } }"
    check_keys(g, GATE_KEYS, where)
    caps = g.get("caps") or []
    arches = g.get("arches") or []
    caps_ref, arches_ref = "NULL", "NULL"
    if caps:
        strv(lines, f"{prefix}_caps", caps, f"{where}/caps")
        caps_ref = f"{prefix}_caps"
    if arches:
        strv(lines, f"{prefix}_arches", arches, f"{where}/arches")
        arches_ref = f"{prefix}_arches"
    mk = kernel(g.get("minKernel"), f"{where}/minKernel")
    return f"{{ {caps_ref}, {len(caps)}, {arches_ref}, {len(arches)}, {mk} }}"


def check_errno_name(name, number, where):
    """Podman's errno name must name the errnoRet number beside it (Linux x86_64 values)."""
    import errno as errno_mod
    if name is None:
        return
    if not isinstance(name, str) or getattr(errno_mod, name, None) != number:
        raise ProfileError(f"{where}: errno name {name!r} does not match the number {number}")


def generate(profile, upstream, source_name, symbol="builtin_docker_default",
             source_path="seccomp/default.json"):
    podman = symbol != "builtin_docker_default"
    top_keys, rule_keys = (PODMAN_TOP_KEYS, PODMAN_RULE_KEYS) if podman else (TOP_KEYS, RULE_KEYS)
    check_keys(profile, top_keys, "profile")
    lines = [
        "/* SPDX-License-Identifier: LGPL-2.1-or-later */",
        "/*",
        f" * GENERATED by tools/gen-builtin.py from {upstream} ({source_path},",
        f" * read from {source_name}). Do not edit; regenerate and review the diff.",
        f" * {'Podman' if podman else 'Docker'}'s default seccomp profile, re-expressed as "
        "callfence tables.",
        " */",
        "/* clang-format off */",
        '#include "profile/builtin-data.h"',
        "",
    ]
    action = profile.get("defaultAction")
    if action not in ACTIONS:
        raise ProfileError(f"/defaultAction: unknown action {action!r}")
    has_errno = "defaultErrnoRet" in profile and profile["defaultErrnoRet"] is not None
    default_errno = u32(profile["defaultErrnoRet"], "/defaultErrnoRet") if has_errno else 0
    if podman:
        check_errno_name(profile.get("defaultErrno"), default_errno, "/defaultErrno")

    arch_map = profile.get("archMap") or []
    for i, e in enumerate(arch_map):
        where = f"/archMap/{i}"
        check_keys(e, {"architecture", "subArchitectures"}, where)
        subs = e.get("subArchitectures") or []
        if subs:
            lines.append(f"static const enum cf_arch arch_map_{i}_sub[] = {{")
            for j, s in enumerate(subs):
                lines.append(f"\t{arch_enum(s, f'{where}/subArchitectures/{j}')},")
            lines.append("};")
    lines.append("")
    lines.append("static const struct builtin_arch_map arch_map[] = {")
    for i, e in enumerate(arch_map):
        subs = e.get("subArchitectures") or []
        ref = f"arch_map_{i}_sub" if subs else "NULL"
        lines.append(f"\t{{ {arch_enum(e.get('architecture'), f'/archMap/{i}/architecture')}, "
                     f"{ref}, {len(subs)} }},")
    lines.append("};")

    rules = profile.get("syscalls") or []
    rule_inits = []
    for i, r in enumerate(rules):
        where = f"/syscalls/{i}"
        check_keys(r, rule_keys, where)
        lines.append("")
        names = r.get("names")
        if not names:
            raise ProfileError(f"{where}/names: missing or empty")
        strv(lines, f"rule_{i}_names", names, f"{where}/names")
        act = r.get("action")
        if act not in ACTIONS:
            raise ProfileError(f"{where}/action: unknown action {act!r}")
        r_has_errno = "errnoRet" in r and r["errnoRet"] is not None
        r_errno = u32(r["errnoRet"], f"{where}/errnoRet") if r_has_errno else 0
        if podman:
            check_errno_name(r.get("errno"), r_errno, f"{where}/errno")
        args = r.get("args") or []
        args_ref = "NULL"
        if args:
            lines.append(f"static const struct builtin_arg rule_{i}_args[] = {{")
            for j, a in enumerate(args):
                aw = f"{where}/args/{j}"
                check_keys(a, ARG_KEYS, aw)
                idx = u32(a.get("index"), f"{aw}/index")
                if idx > 5:
                    raise ProfileError(f"{aw}/index: out of range")
                if a.get("op") not in OPS:
                    raise ProfileError(f"{aw}/op: unknown operator {a.get('op')!r}")
                value = u64(a.get("value", 0), f"{aw}/value")
                has_two = "valueTwo" in a and a["valueTwo"] is not None
                two = u64(a["valueTwo"], f"{aw}/valueTwo") if has_two else 0
                lines.append(f"\t{{ {idx}, {OPS[a['op']]}, {value:#x}ULL, {two:#x}ULL, "
                             f"{'true' if has_two else 'false'} }},")
            lines.append("};")
            args_ref = f"rule_{i}_args"
        inc = gate(lines, f"rule_{i}_includes", r.get("includes"), f"{where}/includes")
        exc = gate(lines, f"rule_{i}_excludes", r.get("excludes"), f"{where}/excludes")
        comment = r.get("comment")
        if comment is not None and not isinstance(comment, str):
            raise ProfileError(f"{where}/comment: expected a string")
        rule_inits.append("\t{\n"
                          f"\t\t.names = rule_{i}_names,\n"
                          f"\t\t.n_names = {len(names)},\n"
                          f"\t\t.action = {ACTIONS[act]},\n"
                          f"\t\t.has_errno = {'true' if r_has_errno else 'false'},\n"
                          f"\t\t.errno_ret = {r_errno},\n"
                          f"\t\t.args = {args_ref},\n"
                          f"\t\t.n_args = {len(args)},\n"
                          f"\t\t.comment = {c_str(comment) if comment is not None else 'NULL'},\n"
                          f"\t\t.includes = {inc},\n"
                          f"\t\t.excludes = {exc},\n"
                          "\t},")
    lines.append("")
    lines.append("static const struct builtin_rule rules[] = {")
    lines.extend(rule_inits)
    lines.append("};")
    lines.append("")
    lines.append(f"const struct builtin_profile {symbol} = {{")
    lines.append(f"\t.upstream = {c_str(upstream)},")
    lines.append(f"\t.default_action = {ACTIONS[action]},")
    lines.append(f"\t.has_default_errno = {'true' if has_errno else 'false'},")
    lines.append(f"\t.default_errno = {default_errno},")
    lines.append("\t.arch_map = arch_map,")
    lines.append(f"\t.n_arch_map = {len(arch_map)},")
    lines.append("\t.rules = rules,")
    lines.append(f"\t.n_rules = {len(rules)},")
    lines.append("};")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runtime", choices=sorted(RUNTIMES), default="docker")
    ap.add_argument("--input")
    ap.add_argument("--output")
    ap.add_argument("--upstream")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    d_input, d_output, symbol, d_upstream, source_path = RUNTIMES[args.runtime]
    args.input = args.input or d_input
    args.output = args.output or d_output
    args.upstream = args.upstream or d_upstream
    try:
        with open(args.input, encoding="utf-8") as f:
            profile = json.load(f)
        text = generate(profile, args.upstream, os.path.basename(args.input), symbol,
                        source_path)
    except (OSError, ValueError, ProfileError) as e:
        print(f"gen-builtin: {e}", file=sys.stderr)
        return 2
    return write_or_check(args.output, text, args.check, "gen-builtin")


if __name__ == "__main__":
    sys.exit(main())
