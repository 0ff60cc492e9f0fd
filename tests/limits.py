"""Running a piece of litwatch under limits: a child process with a time limit and an address-space
cap, whose peak memory and time are measured (the hostile-input tests assert on both)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

__all__ = ["Limited", "run_limited"]


@dataclass
class Limited:
    returncode: int | None  # None: killed at the time limit
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float  # the largest resident set of the child (or of one of its own children)


def run_limited(code: str | None = None, *, args: list[str] | None = None, env: dict[str, str] | None = None,
                seconds: float = 30, cap_mb: int = 2048) -> Limited:
    """Run `python -c code` (or `python args...`) with an address-space cap, so a runaway fails
    fast instead of taking the machine, and a wall-clock limit."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap_mb << 20, cap_mb << 20))

    argv = [sys.executable, *(args if args is not None else ["-c", code or ""])]
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, preexec_fn=limit)
    out: dict[str, str] = {}
    readers = [threading.Thread(target=lambda k=k, f=f: out.__setitem__(k, f.read()), daemon=True)
               for k, f in (("out", proc.stdout), ("err", proc.stderr))]
    for t in readers:
        t.start()
    timer = threading.Timer(seconds, lambda: os.kill(proc.pid, signal.SIGKILL))
    timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own accounting, unlike RUSAGE_CHILDREN
    finally:
        timer.cancel()
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL and time.monotonic() - started >= seconds
    proc.returncode = os.waitstatus_to_exitcode(status)
    for t in readers:
        t.join()
    return Limited(None if killed else proc.returncode, out.get("out", ""), out.get("err", ""),
                   time.monotonic() - started, usage.ru_maxrss / 1024)
