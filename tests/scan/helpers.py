"""Task wrappers the Dask workers import (by module name) in the scan tests."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from litwatch.scan.task import FileResult, FileTask, scan_file

__all__ = ["KILL_AT", "dying_scan"]

KILL_AT = 80  # records into the file


def dying_scan(task: FileTask) -> FileResult:
    """scan_file, except that the first attempt at the first file kills its own worker process
    mid-file (SIGKILL, as the kernel's OOM killer would); the marker file says it happened."""
    marker = Path(task.out) / f"killed-{task.file.name}.pid"

    def maybe_die(n: int) -> None:
        if n == KILL_AT and task.file.name.endswith("0001.xml.gz") and not marker.exists():
            marker.write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)

    return scan_file(task, on_record=maybe_die)
