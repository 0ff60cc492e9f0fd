"""Scans on real Dask clusters: a LocalCluster of processes, and an external `dask scheduler` with
two `dask worker` processes on 127.0.0.1; reruns, a worker killed mid-file, update files."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from litwatch.errors import UsageError
from litwatch.scan import connect, import_scan, read_manifest, scan_files, scan_summary
from tests.scan.conftest import KINASE
from tests.scan.helpers import dying_scan

ROOT = Path(__file__).resolve().parents[2]
TWO = [KINASE, "msc-trials"]  # the cheaper topics: these tests are about the cluster, not the rules


def _content(out: Path) -> dict[str, list]:
    """Every part's rows, with the time of reading taken out of the records' provenance."""
    tables = {}
    for part in sorted((out / "parts").glob("*.parquet")):
        rows = pq.read_table(part).to_pylist()
        for r in rows:
            if r["record"]:
                d = json.loads(r["record"])
                for p in d["provenance"]:
                    p.pop("retrieved_at")
                r["record"] = d
        tables[part.name] = sorted(rows, key=lambda r: (r["seq"], r["topic"] or ""))
    return tables


def _included(out: Path, topic: str = "kinase-mice") -> set[str]:
    con = connect(out)
    got = {p for (p,) in con.execute("SELECT pmid FROM latest WHERE topic = ? AND label = 'include'", [topic]).fetchall()}
    con.close()
    return got


def test_a_rerun_skips_the_files_done_and_a_new_topic_redoes_them(baseline_dir, tmp_path, dask_client):
    out = tmp_path / "scan"
    first = scan_files([KINASE], [baseline_dir], out=out, client=dask_client)
    assert len(first.done) == 3 and not first.skipped
    mtimes = {p.name: p.stat().st_mtime_ns for p in (out / "parts").glob("*.parquet")}
    events = []
    again = scan_files([KINASE], [baseline_dir], out=out, client=dask_client, progress=events.append)
    assert again.done == [] and sorted(again.skipped) == sorted(n[: -len(".parquet")] for n in mtimes)
    assert {p.name: p.stat().st_mtime_ns for p in (out / "parts").glob("*.parquet")} == mtimes
    assert [e.event for e in events] == ["planned"] and again.summary.included == first.summary.included
    assert len(read_manifest(out)) == 3
    wider = scan_files([KINASE, "msc-trials"], [baseline_dir], out=out, client=dask_client)
    assert len(wider.done) == 3 and set(wider.summary.included) == {"kinase-mice", "msc-trials"}


def test_a_worker_killed_mid_file_is_retried_and_the_output_is_the_same(baseline_dir, tmp_path, dask_client):
    clean = scan_files(TWO, [baseline_dir], out=tmp_path / "clean", client=dask_client)
    out = tmp_path / "killed"
    result = scan_files(TWO, [baseline_dir], out=out, client=dask_client, task=dying_scan)
    marker = out / "killed-pubmed99n0001.xml.gz.pid"
    assert marker.exists(), "the first attempt killed its worker"
    done = {r.file: r for r in result.done}
    assert not result.failed and len(done) == 3
    assert done["pubmed99n0001.xml.gz"].worker.split(":")[1] != marker.read_text()  # another process did it
    assert _content(out) == _content(tmp_path / "clean")
    assert result.summary.included == clean.summary.included
    assert not list((out / "parts").glob(".*"))
    dask_client.wait_for_workers(2, timeout=30)  # the nanny brought the killed worker back


def test_update_files_apply_in_file_order_deletions_and_newer_versions_win(baseline_dir, update, tmp_path,
                                                                            dask_client, store):
    out = tmp_path / "scan"
    scan_files([KINASE], [baseline_dir], out=out, client=dask_client)
    before = _included(out)
    assert {update.dropped, update.deleted} <= before and update.now_in not in before
    imported = import_scan(store, out)
    assert imported.new == imported.read  # candidates only (included or worth a look)

    result = scan_files([KINASE], [baseline_dir, update.path], out=out, client=dask_client)
    assert [r.file for r in result.done] == ["pubmed99n0004.xml.gz"] and len(result.skipped) == 3
    after = _included(out)
    assert after == (before - {update.dropped, update.deleted}) | {update.now_in, update.new}
    assert result.summary.included["kinase-mice"] == len(after)

    again = import_scan(store, out)
    assert again.deleted == 1 and again.new == 2  # the deletion applied; the two new candidates stored
    assert len(again.warnings) == 1 and f"PMID {update.dropped}:" in again.warnings[0]
    rid = store.resolve(update.deleted)
    assert store.conn.execute("SELECT deleted FROM records WHERE id = ?", (rid,)).fetchone()[0] == 1
    assert store.resolve(update.new) is not None


def test_importing_a_scan_twice_changes_nothing_and_names_the_baseline_file(baseline_dir, tmp_path, dask_client,
                                                                             store):
    from litwatch.ingest import import_files

    out = tmp_path / "scan"
    scan_files(TWO, [baseline_dir], out=out, client=dask_client)
    first = import_scan(store, out)
    assert first.read > 0 and first.new == first.read
    second = import_scan(store, out)
    assert second.unchanged == first.read and second.new == second.updated == 0
    rid = store.resolve(sorted(_included(out))[0])
    (source,) = store.sources_of(rid)
    assert Path(source["origin"]).parent == baseline_dir.resolve()
    assert Path(source["origin"]).name.startswith("pubmed99n000") and source["location"].startswith("record ")
    # the same copies `litwatch import` makes: importing the files themselves finds them unchanged
    direct = import_files(store, [baseline_dir])
    assert direct.unchanged == first.read and direct.new == 604 - first.read
    runs = store.runs(kind="import")
    assert any(r["params"].get("scan") == str(out.resolve()) for r in runs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _cluster(tmp_path: Path, workers: int, src: Path = ROOT / "src"):
    """`dask scheduler` and `workers` `dask worker` processes on 127.0.0.1, as a user starts them,
    the workers importing litwatch from `src`."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(ROOT)])}
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                               "--port", str(port), "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                              stderr=open(tmp_path / "scheduler.log", "w"))]
    try:
        for n in range(workers):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--host",
                 "127.0.0.1", "--no-dashboard", "--name", f"w{n}"],
                env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"worker{n}.log", "w")))
        from distributed import Client

        with Client(address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=60)
        yield address
    finally:
        try:  # the quick way down: the scheduler tells its workers to close
            from distributed import Client

            with Client(address, timeout=5, set_as_default=False) as c:
                c.shutdown()
        except Exception:
            pass
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@pytest.fixture()
def external_cluster(tmp_path):
    with _cluster(tmp_path, 2) as address:
        yield address


def test_a_scan_on_an_external_scheduler_with_two_workers(baseline_dir, tmp_path, external_cluster):
    out = tmp_path / "scan"
    result = scan_files(TWO, [baseline_dir], out=out, scheduler=external_cluster)
    assert result.workers == 2 and not result.failed and len(result.done) == 3
    assert result.cluster == external_cluster
    assert result.records == 604 and result.summary.included["kinase-mice"] > 0
    assert scan_summary(out).included == result.summary.included
    again = scan_files(TWO, [baseline_dir], out=out, scheduler=external_cluster)
    assert again.done == [] and len(again.skipped) == 3


def test_bad_cluster_arguments_are_usage_errors(baseline_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("LITWATCH_DASK_CONNECT_TIMEOUT", "1")
    with pytest.raises(UsageError, match="bad scheduler address"):
        scan_files([KINASE], [baseline_dir], out=tmp_path, scheduler="127.0.0.1")
    started = time.monotonic()
    with pytest.raises(UsageError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:"):
        scan_files([KINASE], [baseline_dir], out=tmp_path, scheduler=f"tcp://127.0.0.1:{_free_port()}")
    assert time.monotonic() - started < 15
    with pytest.raises(UsageError, match="not both"):
        scan_files([KINASE], [baseline_dir], out=tmp_path, scheduler="tcp://127.0.0.1:1", workers=2)


def test_workers_running_other_litwatch_code_are_refused_before_any_file(baseline_dir, tmp_path):
    other = tmp_path / "other-src"
    shutil.copytree(ROOT / "src", other, ignore=shutil.ignore_patterns("__pycache__"))
    rules = other / "litwatch" / "screen" / "rules.py"
    rules.write_text(rules.read_text() + "\n# an edit: these workers may decide otherwise\n")
    with _cluster(tmp_path, 1, src=other) as address:
        with pytest.raises(UsageError, match=r"1 worker\(s\) compute with other settings.*code"):
            scan_files([KINASE], [baseline_dir], out=tmp_path / "scan", scheduler=address)
    assert not list((tmp_path / "scan" / "parts").iterdir())
