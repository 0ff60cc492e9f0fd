"""A fetch whose store fills up: one line, exit 2, the run logged as failed, what was stored said."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from litwatch.store import open_store


def _file_size_limit(limit: int):
    def apply() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_the_cli_fetch_on_a_full_disk_is_one_line_exit_2(replay, fast_env, tmp_path):
    srv = replay()
    db = tmp_path / "full.db"
    with open_store(db):
        pass
    result = subprocess.run(
        [sys.executable, "-c", "from litwatch.cli import main; main()", "fetch", "stem cells", "--source", "pubmed",
         "--batch-size", "100", "--db", str(db)],
        capture_output=True, text=True, timeout=120, preexec_fn=_file_size_limit(1 << 20),
        env={**os.environ, **fast_env, **srv.env()},
    )
    assert result.returncode == 2, result.stderr
    (line,) = [x for x in result.stderr.strip().splitlines() if x.startswith("Error")]
    assert "could not store records" in line and "record(s) had been stored before it" in line
    assert "Traceback" not in result.stderr
