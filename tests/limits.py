"""Running a piece of litwatch under limits: a child process with a time limit and an address-space
cap, whose peak memory and time are measured (the hostile-input tests assert on both).

The peak is the child's own high-water mark after it started (VmHWM, read as it exits), plus that
of any worker process it waited for: a child forked from a big test process would otherwise carry
its parent's size in ru_maxrss.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

__all__ = ["Limited", "run_limited"]

_BOOT = r"""
import atexit, json, resource, sys
cap, report, code, argv = json.loads(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

def _peak():
    own = 0
    try:
        with open("/proc/self/status") as f:
            own = next((int(l.split()[1]) for l in f if l.startswith("VmHWM:")), 0)
    except OSError:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(report, "w") as f:
        f.write(str(max(own, kids)))

atexit.register(_peak)
sys.argv = ["-c", *argv]
exec(compile(code, "<litwatch>", "exec"), {"__name__": "__main__"})
"""


@dataclass
class Limited:
    returncode: int | None  # None: killed at the time limit
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float  # the largest resident set of the child (or of a worker process of its own)


def run_limited(code: str | None = None, *, args: list[str] | None = None, env: dict[str, str] | None = None,
                seconds: float = 30, cap_mb: int = 2048) -> Limited:
    """Run `code` (or `args` = ["-c", code, argv...]) in a fresh Python under an address-space cap, so a
    runaway fails fast instead of taking the machine, and a wall-clock limit."""
    if args is not None:
        assert args[0] == "-c", "args must be ['-c', code, *argv]"
        code, argv = args[1], list(args[2:])
    else:
        argv = []
    fd, report = tempfile.mkstemp(prefix="litwatch-peak-")
    os.close(fd)
    payload = json.dumps([cap_mb << 20, report, code or "", argv])
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", _BOOT, payload], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})})
    out: dict[str, str] = {}
    readers = [threading.Thread(target=lambda k=k, f=f: out.__setitem__(k, f.read()), daemon=True)
               for k, f in (("out", proc.stdout), ("err", proc.stderr))]
    for t in readers:
        t.start()
    timer = threading.Timer(seconds, lambda: os.kill(proc.pid, signal.SIGKILL))
    timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    elapsed = time.monotonic() - started
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL and elapsed >= seconds
    proc.returncode = os.waitstatus_to_exitcode(status)
    for t in readers:
        t.join()
    try:
        with open(report) as f:
            peak_kb = int(f.read() or 0)
    except (OSError, ValueError):
        peak_kb = 0
    finally:
        os.unlink(report)
    if not peak_kb:  # killed before it could say: what the kernel counted
        peak_kb = usage.ru_maxrss
    return Limited(None if killed else proc.returncode, out.get("out", ""), out.get("err", ""), elapsed,
                   peak_kb / 1024)
