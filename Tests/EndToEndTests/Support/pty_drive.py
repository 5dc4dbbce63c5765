#!/usr/bin/env python3
"""Drives a program through a pseudo-terminal the way a person would, by conditions, not by
time: each step either sends keys, waits until given text appears on the screen (after what
the previous wait matched), or signals a process. Used by the `switchboard chat` tests.

usage: pty_drive.py STEPS_JSON -- COMMAND [ARG...]

STEPS_JSON is a list of steps:
  {"send": "text"}                      write bytes to the terminal
  {"expect": "text", "timeout": 30}     wait until the text appears (fails after the timeout)
  {"signal": 15, "descendant": "name"}  send a signal to the command's descendant named so
  {"wait_exit": 30}                     wait for the command to end (reading all it prints)

Prints the whole screen (stdout) and, last, a line EXIT=<status>. Exits 3 when a wait timed
out (the screen so far is printed, then the reason on stderr).
"""
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time


def main():
    steps = json.loads(sys.argv[1])
    command = sys.argv[sys.argv.index("--") + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        # A person's terminal starts programs with no signal blocked or ignored; whatever the
        # test runner that started us had must not leak into the program under test.
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGHUP, signal.SIGQUIT, signal.SIGTSTP):
            signal.signal(sig, signal.SIG_DFL)
        os.execvp(command[0], command)
    screen = bytearray()
    position = 0
    status = None

    def pump(seconds):
        nonlocal status
        ready, _, _ = select.select([fd], [], [], seconds)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if data:
                screen.extend(data)
                return True
        if status is None:
            done, code = os.waitpid(pid, os.WNOHANG)
            if done:
                status = os.waitstatus_to_exitcode(code)
        return False

    def fail(reason):
        sys.stdout.write(screen.decode("utf-8", "replace"))
        sys.stdout.flush()
        sys.stderr.write("pty_drive: " + reason + "\n")
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        sys.exit(3)

    for step in steps:
        if "send" in step:
            os.write(fd, step["send"].encode("utf-8"))
        elif "expect" in step:
            wanted = step["expect"].encode("utf-8")
            deadline = time.monotonic() + step.get("timeout", 30)
            while True:
                found = screen.find(wanted, position)
                if found >= 0:
                    position = found + len(wanted)
                    break
                if time.monotonic() > deadline:
                    fail("timed out waiting for %r" % step["expect"])
                if not pump(0.05) and status is not None:
                    # The program ended: read what is left, then give up if still not there.
                    while pump(0):
                        pass
                    if screen.find(wanted, position) < 0:
                        fail("program ended (%s) before %r" % (status, step["expect"]))
        elif "signal" in step:
            name = step["descendant"]
            deadline = time.monotonic() + 10
            while True:
                out = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True).stdout.split()
                mine = [int(p) for p in out if is_descendant(int(p), pid)]
                if mine:
                    for p in mine:
                        os.kill(p, step["signal"])
                    break
                if time.monotonic() > deadline:
                    fail("no descendant named %s" % name)
                pump(0.05)
        elif "wait_exit" in step:
            deadline = time.monotonic() + step["wait_exit"]
            while status is None:
                if time.monotonic() > deadline:
                    fail("command did not exit")
                pump(0.05)
            while pump(0.05):
                pass
    if status is None:
        os.kill(pid, signal.SIGKILL)
        _, code = os.waitpid(pid, 0)
        status = os.waitstatus_to_exitcode(code)
    sys.stdout.write(screen.decode("utf-8", "replace"))
    sys.stdout.write("\nEXIT=%d\n" % status)


def is_descendant(candidate, ancestor):
    while candidate > 1:
        if candidate == ancestor:
            return True
        try:
            with open("/proc/%d/stat" % candidate) as f:
                candidate = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return False
    return False


if __name__ == "__main__":
    main()
