#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers for test-runtime-diff.sh: build an OCI config.json around the probe, and compare the
probe's rows from a real runtime (runc, crun) with callfence's, telling the documented, expected
differences (names Debian's libseccomp 2.5.4 cannot resolve; ENOSYS boundaries) from findings.

  runtime-diff.py config BASE.json EXPORT.json USER-JSON|'' ARG...    config.json on stdout
  runtime-diff.py allowlist EXPORT.json MAXNR CSV                     JSON list on stdout: the
      names of the exported profile's unconditional ALLOW rules that libseccomp resolves and whose
      x86_64 number is <= MAXNR (names of other ABIs kept), so that a hand-written profile
      contains nothing runc would drop
  runtime-diff.py compare RUNTIME EXPORT.json CSV RT.out RT.rc CF.out CF.rc
      prints '# ...' diagnostics; exit 0 when every difference is an expected one, 1 otherwise

libseccomp is used here only as the oracle of what runc and crun can resolve (ctypes, tests only).
"""
import ctypes
import errno
import json
import sys

ARCH_TOKEN = {'x86_64': 0xc000003e, 'i386': 0x40000003, 'x32': 0x4000003e}
OCI_ARCH = {'SCMP_ARCH_X86_64': 'x86_64', 'SCMP_ARCH_X86': 'i386', 'SCMP_ARCH_X32': 'x32'}
X32_BIT = 0x40000000
NR_SCMP_ERROR = -1

_lsc = None


def lsc():
    global _lsc
    if _lsc is None:
        _lsc = ctypes.CDLL('libseccomp.so.2')
        _lsc.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        _lsc.seccomp_syscall_resolve_name_arch.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
        _lsc.seccomp_syscall_resolve_num_arch.argtypes = [ctypes.c_uint32, ctypes.c_int]
        _lsc.seccomp_syscall_resolve_num_arch.restype = ctypes.c_void_p
    return _lsc


def lsc_resolves(name):
    """runc's matchCall and crun both use seccomp_syscall_resolve_name (native arch)."""
    return lsc().seccomp_syscall_resolve_name(name.encode()) != NR_SCMP_ERROR


def lsc_nr(abi, name):
    return lsc().seccomp_syscall_resolve_name_arch(ARCH_TOKEN[abi], name.encode())


def load_csv(path):
    tables = {}
    with open(path) as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            table, nr, name = line.strip().split(',')[:3]
            if table in ('x86_64', 'i386', 'x32'):
                tables.setdefault(table, {})[name] = int(nr)
    return tables


def seccomp_of(export):
    return (export.get('linux') or {}).get('seccomp')


def cmd_config(base, exp, user, args):
    with open(base) as f:
        cfg = json.load(f)
    with open(exp) as f:
        e = json.load(f)
    p = cfg['process']
    p['terminal'] = False
    p['args'] = args
    # Replace, never merge: the template's own capability sets (ambient!) must not survive.
    p['capabilities'] = e['process'].get('capabilities', {})
    p['noNewPrivileges'] = bool(e['process'].get('noNewPrivileges', False))
    # What moby's getUser hands runc: the primary gid is always in additionalGids (for the
    # default root user too, so `docker run debian id` shows groups=0).
    p['user'] = json.loads(user) if user else {'uid': 0, 'gid': 0, 'additionalGids': [0]}
    cfg['root']['readonly'] = True
    sc = seccomp_of(e)
    if sc is None:
        cfg['linux'].pop('seccomp', None)
    else:
        cfg['linux']['seccomp'] = sc
    json.dump(cfg, sys.stdout, indent=1)
    print()


def cmd_allowlist(exp, maxnr, csv):
    with open(exp) as f:
        e = json.load(f)
    tables = load_csv(csv)
    names = []
    uncond = [n for r in seccomp_of(e)['syscalls']
              if r.get('action') == 'SCMP_ACT_ALLOW' and not r.get('args') for n in r['names']]
    for n in dict.fromkeys(uncond):
        if not lsc_resolves(n):
            continue
        nr = tables['x86_64'].get(n)
        if nr is not None and nr > maxnr:
            continue
        names.append(n)
    json.dump(names, sys.stdout)
    print()


def parse_rows(path):
    rows = {}
    order = []
    with open(path, errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line:
                continue
            head, _, rest = line.partition(' ')
            key = head
            if head == 'status':
                k, _, v = rest.partition('=')
                key, rest = 'status ' + k, v
            if key in rows:
                key += '#%d' % len(order)
            rows[key] = rest
            order.append(key)
    return rows, order


def row_abi_nr(label, tables):
    """(abi, table number, name) of a probe row label, or None for non-syscall rows."""
    s = label
    if s.startswith('@thread:'):
        s = s[len('@thread:'):]
    abi = 'x86_64'
    for pfx, a in (('@i386:', 'i386'), ('@x32:', 'x32')):
        if s.startswith(pfx):
            abi, s = a, s[len(pfx):]
    if s.startswith('nr:'):
        nr = int(s.split(':')[1], 0)
        name = next((n for n, v in tables[abi].items() if v == nr), None)
        return abi, nr, name
    name = s.split(':')[0]
    if name in ('status', 'id', 'trap', 'thread', 'x32') or name not in tables[abi]:
        return None
    return abi, tables[abi][name], name


def errno_row(e):
    if e == 0:
        return 'ok'  # SCMP_ACT_ERRNO(0): the call "succeeds" without running
    return 'errno=' + errno.errorcode.get(e, str(e))


def cmd_compare(runtime, exp, csv, rt_out, rt_rc, cf_out, cf_rc):
    with open(exp) as f:
        e = json.load(f)
    tables = load_csv(csv)
    sc = seccomp_of(e)
    rt_rows, rt_order = parse_rows(rt_out)
    cf_rows, cf_order = parse_rows(cf_out)
    rt_rc, cf_rc = int(rt_rc), int(cf_rc)

    names = []
    dropped = set()
    stub_abis = {}
    lsc_last = {}
    cf_last = {}
    default = None
    if sc is not None:
        for r in sc.get('syscalls') or []:
            names += r.get('names') or []
        dropped = {n for n in names if not lsc_resolves(n)}
        act = sc.get('defaultAction')
        der = sc.get('defaultErrnoRet')
        if act == 'SCMP_ACT_ERRNO':
            default = errno_row(1 if der is None else der)
        stub = act not in ('SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_TRACE') and der != 38
        for abi in ('x86_64', 'i386', 'x32'):
            cf_nrs = [tables[abi][n] for n in names if n in tables[abi]]
            cf_last[abi] = max(cf_nrs) if cf_nrs else None
            lsc_nrs = [lsc_nr(abi, n) for n in names]
            last = max(lsc_nrs) if lsc_nrs else 0
            if abi == 'x32' and last >= X32_BIT:
                last -= X32_BIT
            lsc_last[abi] = last if last > 0 else None
        # runc 1.1.5 (findLastSyscalls) only stubs the arches listed in the profile.
        for a in sc.get('architectures') or []:
            abi = OCI_ARCH.get(a)
            if stub and abi and lsc_last.get(abi) is not None:
                stub_abis[abi] = lsc_last[abi]

    def expected(key, r, c):
        # callfence's guard filter (src/run/tty-guard.c: TIOCSTI/TIOCLINUX, attaching the
        # parent) rides with every profile filter: one filter more, never a different verdict
        # for the rows here
        if key == 'status Seccomp_filters' and r.isdigit() and c.isdigit() and \
                int(c) == int(r) + 1:
            return "%s: callfence's guard filter is one filter more" % key
        info = row_abi_nr(key, tables)
        if info is None or sc is None:
            return None
        abi, nr, name = info
        if name in dropped:
            # The runtime acts as if the rule were absent: its ENOSYS stub or the default.
            if runtime == 'runc' and abi in stub_abis and nr > stub_abis[abi]:
                want = 'errno=ENOSYS'
            else:
                want = default
            if want is not None and r != want:
                return None
            return ('%s: the profile names %s, which libseccomp 2.5.4 cannot resolve: %s drops '
                    'the rule, callfence honours it' % (key, name, runtime))
        if runtime == 'runc' and abi in stub_abis and nr > stub_abis[abi] and \
                r == 'errno=ENOSYS' and c == default and cf_last.get(abi) is not None and \
                nr <= cf_last[abi]:
            return ('%s: ENOSYS boundary: runc stubs %s numbers above %d (libseccomp 2.5.4 '
                    'table), callfence above %d' % (key, abi, stub_abis[abi], cf_last[abi]))
        if runtime == 'crun' and c == 'errno=ENOSYS' and r == default and default is not None \
                and cf_last.get(abi) is not None and nr > cf_last[abi]:
            return ('%s: crun 1.8.1 has no ENOSYS stub: %s gives the default %s above the '
                    'profile\'s largest %s number %d' % (key, runtime, default, abi, cf_last[abi]))
        return None

    findings = []
    notes = []
    for key in cf_order + [k for k in rt_order if k not in cf_rows]:
        r = rt_rows.get(key, '<missing>')
        c = cf_rows.get(key, '<missing>')
        if r == c:
            continue
        why = expected(key, r, c)
        if why:
            notes.append('expected difference: %s (%s: %s, callfence: %s)' % (why, runtime, r, c))
        else:
            findings.append('%s: %s says "%s", callfence says "%s"' % (key, runtime, r, c))
    if rt_rc != cf_rc:
        findings.append('exit status: %s %d, callfence %d' % (runtime, rt_rc, cf_rc))
    for n in notes[:4]:
        print('# ' + n)
    if len(notes) > 4:
        print('# ... and %d more expected difference(s) of the same kinds' % (len(notes) - 4))
    for f in findings:
        print('# FINDING ' + f)
    print('# rows: %d (%s) vs %d (callfence), %d expected difference(s), %d finding(s)' %
          (len(rt_rows), runtime, len(cf_rows), len(notes), len(findings)))
    return 1 if findings else 0


def main(argv):
    if len(argv) >= 4 and argv[1] == 'config':
        cmd_config(argv[2], argv[3], argv[4], argv[5:])
        return 0
    if len(argv) == 5 and argv[1] == 'allowlist':
        cmd_allowlist(argv[2], int(argv[3]), argv[4])
        return 0
    if len(argv) == 9 and argv[1] == 'compare':
        return cmd_compare(*argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
