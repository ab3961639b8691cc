#!/usr/bin/env python3
"""Drives `corralctl login` (or any command) through a pseudo terminal for
the corralctl root tests: waits for text, sends lines and keys, and reports
the exit status.

usage: corralctl-pty.py TIMEOUT SCRIPT -- COMMAND...
SCRIPT is a list of steps separated by ';;': 'expect:TEXT' waits until
TEXT appeared in the output, 'send:TEXT' writes TEXT (\\r, \\x1d escapes
allowed), 'sleep:SECONDS', 'resize:ROWS COLS' sets the terminal's size (the
command gets SIGWINCH). Prints the whole output at the end and exits
with the command's status, or 124 when a step timed out."""

import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    timeout = float(sys.argv[1])
    steps = [s for s in sys.argv[2].split(";;") if s]
    cmd = sys.argv[sys.argv.index("--") + 1:]

    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)

    set_size(fd, 24, 80)
    out = b""
    deadline = time.monotonic() + timeout

    def pump(wait):
        nonlocal out
        r, _, _ = select.select([fd], [], [], wait)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            out += data
        return True

    status = None
    for step in steps:
        kind, _, arg = step.partition(":")
        arg = arg.encode().decode("unicode_escape").encode("latin-1")
        if kind == "expect":
            while arg not in out:
                if time.monotonic() > deadline or not pump(0.1):
                    sys.stdout.write(out.decode(errors="replace"))
                    sys.stdout.write("\n[timed out waiting for %r]\n" % arg)
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    return 124
        elif kind == "send":
            os.write(fd, arg)
        elif kind == "resize":
            rows, cols = arg.split()
            set_size(fd, int(rows), int(cols))
        elif kind == "sleep":
            end = time.monotonic() + float(arg)
            while time.monotonic() < end:
                pump(0.05)

    while status is None:
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            sys.stdout.write(out.decode(errors="replace") + "\n[timed out waiting for exit]\n")
            return 124
        if not pump(0.1):
            pass
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(st)
    while pump(0):
        pass
    sys.stdout.write(out.decode(errors="replace"))
    return status


sys.exit(main())
