#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A caller's terminal for `callfence run -t` tests: runs COMMAND as the session leader of a new
pty (its controlling terminal, stdin, stdout and stderr), like a shell in a terminal emulator.

Usage: pty-harness.py [--size R C] [--resize-after MARK R C] [--timeout S] -- COMMAND...

Prints what it saw, one fact per line, then the command's output:
  harness-tty /dev/pts/N     the harness terminal's own name
  raw-during 0|1             the terminal was in raw mode (ICANON off) when MARK was seen
  restored 0|1               the terminal's settings after the command equal those before
  injected N                 bytes waiting in the terminal's input queue after the command
                             (something pushed them with TIOCSTI)
  exit N                     the command's exit status (128+N for signal N, as a shell)
  output:                    then everything the command wrote, CRs dropped
"""
import fcntl
import os
import select
import struct
import sys
import termios
import time


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    args = sys.argv[1:]
    size, resize, timeout = None, None, 30.0
    while args and args[0] != "--":
        if args[0] == "--size":
            size = (int(args[1]), int(args[2]))
            args = args[3:]
        elif args[0] == "--resize-after":
            resize = (args[1].encode(), int(args[2]), int(args[3]))
            args = args[4:]
        elif args[0] == "--timeout":
            timeout = float(args[1])
            args = args[2:]
        else:
            sys.exit(f"pty-harness: unknown option {args[0]}")
    cmd = args[1:]
    master, slave = os.openpty()
    name = os.ttyname(slave)
    if size:
        set_size(slave, *size)
    before = termios.tcgetattr(slave)
    pid = os.fork()
    if pid == 0:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.closerange(3, 1024)
        os.execvp(cmd[0], cmd)
    out = b""
    raw_during = None
    status = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.05)
        if r:
            try:
                data = os.read(master, 4096)
            except OSError:
                data = b""
            out += data
        if resize and raw_during is None and resize[0] in out:
            raw_during = int(not termios.tcgetattr(slave)[3] & termios.ICANON)
            set_size(master, resize[1], resize[2])
        if status is None:
            p, st = os.waitpid(pid, os.WNOHANG)
            if p == pid:
                status = st
                deadline = min(deadline, time.monotonic() + 0.5)  # what is left to read
    if status is None:
        os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
        print("timeout 1")
    after = termios.tcgetattr(slave)
    inq = struct.unpack("i", fcntl.ioctl(slave, termios.TIOCINQ, b"\0\0\0\0"))[0]
    code = os.waitstatus_to_exitcode(status)
    print(f"harness-tty {name}")
    print(f"raw-during {raw_during if raw_during is not None else '-'}")
    print(f"restored {int(after == before)}")
    print(f"injected {inq}")
    print(f"exit {code if code >= 0 else 128 - code}")
    print("output:")
    sys.stdout.write(out.decode(errors="replace").replace("\r", ""))


if __name__ == "__main__":
    main()
