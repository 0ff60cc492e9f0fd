"""When the store or the machine fails: a full disk, a read-only file, a process killed mid-run, a folder
that cannot be read. The run ends as failed (or interrupted) with a clear one-line error and exit 2,
and says what was stored."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from litwatch.errors import StoreError
from litwatch.ingest import import_files
from litwatch.store import open_store

_CLI = [sys.executable, "-c", "from litwatch.cli import main; main()"]


def _medline(shared_data) -> Path:
    return shared_data / "pubmed" / "medline16n0902.xml.gz"


def _run_cli(*args: str, preexec=None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*_CLI, *args], capture_output=True, text=True, timeout=timeout, preexec_fn=preexec)


# -- a full disk ------------------------------------------------------------------------------------


def test_a_full_database_ends_the_import_as_failed_saying_what_was_stored(shared_data, db_file):
    with open_store(db_file) as store:
        store.conn.execute(f"PRAGMA max_page_count = {store.conn.execute('PRAGMA page_count').fetchone()[0] + 40}")
        with pytest.raises(StoreError) as err:
            import_files(store, [_medline(shared_data)])
        stored = store.count()
    line = err.value.one_line()
    assert "could not store records: database or disk is full" in line
    assert f"the import stopped after storing {stored} record(s)" in line and "free disk space" in line
    with open_store(db_file) as store:  # the log says so, where it still could be written
        (run,) = store.runs(kind="import")
        assert run["status"] in ("failed", "interrupted") and run["status"] != "ok"


def _file_size_limit(limit: int):
    def apply() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_the_cli_import_on_a_full_disk_is_one_line_exit_2(shared_data, tmp_path):
    db = tmp_path / "full.db"
    with open_store(db):
        pass
    result = _run_cli("import", str(_medline(shared_data)), "--db", str(db), preexec=_file_size_limit(1 << 20))
    assert result.returncode == 2, result.stderr
    lines = [x for x in result.stderr.strip().splitlines() if x.startswith("Error")]
    assert len(lines) == 1 and "could not store records" in lines[0] and "the import stopped after storing" in lines[0]
    assert "Traceback" not in result.stderr and "Imported" not in result.stdout


# -- a read-only database, an unreadable folder -------------------------------------------------------


def _no_root_rights(args: list[str]) -> list[str]:
    """The CLI without root's right to read and write whatever it likes (so file modes count for it too)."""
    if os.geteuid() != 0:
        return args
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux): file modes cannot be made to count")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--", *args]


def _run_unprivileged(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(_no_root_rights([*_CLI, *args]), capture_output=True, text=True, timeout=120)


def test_a_read_only_database_is_one_line_exit_2(shared_data, tmp_path):
    db = tmp_path / "ro.db"
    with open_store(db):
        pass
    db.chmod(0o444)
    result = _run_unprivileged("import", str(shared_data / "pubmed" / "pubmed1.xml"), "--db", str(db))
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and "could not store records: attempt to write a readonly database" in line
    assert "cannot be written: check its permissions" in line


def test_an_unreadable_folder_is_reported_and_the_rest_imported(shared_data, tmp_path):
    good, bad = tmp_path / "data" / "good", tmp_path / "data" / "secret"
    good.mkdir(parents=True)
    bad.mkdir()
    (good / "p.xml").write_bytes((shared_data / "pubmed" / "pubmed1.xml").read_bytes())
    (bad / "q.xml").write_bytes((shared_data / "pubmed" / "pubmed2.xml").read_bytes())
    bad.chmod(0o000)
    try:
        result = _run_unprivileged("import", str(tmp_path / "data"), "--db", str(tmp_path / "x.db"))
    finally:
        bad.chmod(0o700)
    assert result.returncode == 0, result.stderr
    assert "secret: folder cannot be read (Permission denied); its files were not imported" in result.stderr
    assert "read 2, new 2" in result.stdout


# -- a process killed mid-run -----------------------------------------------------------------------

_HOLD_A_RUN = """
import sys, time
from litwatch.store import open_store
store = open_store(sys.argv[1])
print(store.start_run("import", {"paths": ["x"]}), flush=True)
time.sleep(60)
"""


def test_a_run_of_a_killed_process_is_marked_interrupted_a_live_ones_is_not(db_file):
    with open_store(db_file):
        pass
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_A_RUN, str(db_file)], stdout=subprocess.PIPE, text=True)
    try:
        run_id = int(holder.stdout.readline())
        with open_store(db_file) as store:  # another process opens the store: the holder is alive
            assert store.get_run(run_id)["status"] == "running"
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        with open_store(db_file) as store:
            run = store.get_run(run_id)
        assert run["status"] == "interrupted" and run["finished_at"]
        assert "ended before it finished" in run["errors"][-1]
    finally:
        if holder.poll() is None:
            holder.kill()


def test_a_reused_pid_is_not_taken_for_the_process_that_died(db_file):
    with open_store(db_file) as store:
        run_id = store.start_run("fetch", {})
        # as if a process that died long ago had this process's pid: its start time differs
        store.conn.execute("UPDATE runs SET process_started = '1' WHERE id = ?", (run_id,))
        mine = store.start_run("fetch", {})
    with open_store(db_file) as store:
        assert store.get_run(run_id)["status"] == "interrupted"
        assert store.get_run(mine)["status"] == "running"  # this process is alive


def test_a_run_from_before_schema_14_is_left_alone(db_file):
    with open_store(db_file) as store:
        run_id = store.start_run("fetch", {})
        store.conn.execute("UPDATE runs SET pid = NULL WHERE id = ?", (run_id,))
    with open_store(db_file) as store:
        assert store.get_run(run_id)["status"] == "running"  # nothing tells whether its process lives


def test_a_killed_cli_import_leaves_an_interrupted_run(shared_data, tmp_path):
    big = tmp_path / "big.xml"
    data = (shared_data / "pubmed" / "pubmed1.xml").read_bytes()
    head, rest = data.split(b"<PubmedArticleSet>", 1)
    body = rest.rsplit(b"</PubmedArticleSet>", 1)[0]
    big.write_bytes(head + b"<PubmedArticleSet>" + body * 3000 + b"</PubmedArticleSet>")
    db = tmp_path / "k.db"
    proc = subprocess.Popen([*_CLI, "import", str(big), "--db", str(db)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
            if conn.execute("SELECT count(*) FROM runs").fetchone()[0]:
                conn.close()
                break
            conn.close()
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with open_store(db) as store:
        (run,) = store.runs(kind="import")
    assert run["status"] == "interrupted"

