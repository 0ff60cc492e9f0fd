"""`litwatch mirror pubmed` against a loopback server laid out like NLM's, serving small real files
(made from the shared MEDLINE sample), their .md5 files, a bad .md5 and a dropped connection."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from litwatch.errors import UsageError
from litwatch.scan.plan import plan_files
from litwatch.sources.mirror import mirror_pubmed, parse_md5
from tests.scan.nlm_server import NlmServer

ROOT = Path(__file__).resolve().parents[2]
FAST = {"LITWATCH_HTTP_RETRIES": "4", "LITWATCH_HTTP_BACKOFF": "0.01", "LITWATCH_HTTP_BACKOFF_MAX": "0.05",
        "LITWATCH_HTTP_TIMEOUT": "5", "LITWATCH_HTTP_RATE_PUBMED_FILES": "50/1"}


@pytest.fixture()
def sections(baseline_dir, update) -> dict[str, dict[str, bytes]]:
    return {"baseline": {f.name: f.read_bytes() for f in sorted(baseline_dir.glob("*.xml.gz"))},
            "updatefiles": {update.path.name: update.path.read_bytes()}}


@pytest.fixture()
def serve(sections, monkeypatch):
    for k, v in FAST.items():
        monkeypatch.setenv(k, v)
    servers = []

    def start(**faults) -> NlmServer:
        srv = NlmServer(sections, {k.replace("_", "."): v for k, v in faults.items()}).__enter__()
        servers.append(srv)
        monkeypatch.setenv("LITWATCH_PUBMED_FILES_URL", srv.url)
        return srv

    yield start
    for srv in servers:
        srv.__exit__()


def _same(path: Path, data: bytes) -> bool:
    return path.exists() and hashlib.md5(path.read_bytes()).hexdigest() == hashlib.md5(data).hexdigest()


def test_files_are_checked_against_their_md5_a_dropped_connection_resumes_a_bad_one_is_refused(
        serve, sections, tmp_path):
    base = sections["baseline"]
    first, bad, dropped = sorted(base)
    srv = serve(**{bad: "bad-md5", dropped: "drop"})
    result = mirror_pubmed(tmp_path, baseline=True, updates=True)
    status = {f.name: f.status for f in result.files}
    assert status == {first: "downloaded", bad: "failed", dropped: "downloaded", "pubmed99n0004.xml.gz": "downloaded"}
    assert result.listed == {"baseline": 3, "updatefiles": 1}
    for name in (first, dropped):
        assert _same(tmp_path / "baseline" / name, base[name])
        assert parse_md5((tmp_path / "baseline" / f"{name}.md5").read_bytes()) == hashlib.md5(base[name]).hexdigest()
    assert _same(tmp_path / "updatefiles" / "pubmed99n0004.xml.gz", sections["updatefiles"]["pubmed99n0004.xml.gz"])
    # the dropped connection was continued where it broke off, not started again
    ranges = srv.requests_for(dropped)
    assert ranges[0] is None and ranges[1] == f"bytes={len(base[dropped]) // 2}-"
    # the bad one was fetched twice (the second time from scratch), then refused; nothing of it is left
    (failed,) = result.failed
    assert "MD5 mismatch" in failed.error and srv.requests_for(bad) == [None, None]
    assert not list((tmp_path / "baseline").glob(bad + "*"))

    srv.faults.clear()  # NLM fixes its file; the next run fetches only what is missing
    srv.log.clear()
    again = mirror_pubmed(tmp_path, baseline=True, updates=True)
    assert [f.name for f in again.downloaded] == [bad] and len(again.present) == 3
    assert {p.rstrip("/").split("/")[-1] for p, _ in srv.log} == {"baseline", "updatefiles", bad, bad + ".md5"}
    assert [f.name for f in plan_files(tmp_path)] == sorted(base) + ["pubmed99n0004.xml.gz"]


def test_a_killed_mirror_continues_its_partial_file_and_a_partial_file_never_counts(serve, sections, tmp_path):
    name = sorted(sections["baseline"])[0]
    data = sections["baseline"][name]
    srv = serve(**{name: "slow"})
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "LITWATCH_PUBMED_FILES_URL": srv.url}
    proc = subprocess.Popen([sys.executable, "-m", "litwatch.cli", "mirror", "pubmed", "--dir", str(tmp_path),
                             "--max-files", "1"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    part = tmp_path / "baseline" / f"{name}.part"
    deadline = time.monotonic() + 60
    while not (part.exists() and part.stat().st_size > 40_000) and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    kept = part.stat().st_size
    assert 40_000 < kept < len(data) and not (tmp_path / "baseline" / name).exists()
    with pytest.raises(UsageError, match="no PubMed XML files"):  # nothing a scan would read
        plan_files(tmp_path)
    srv.faults.clear()
    result = mirror_pubmed(tmp_path, max_files=1)
    (f,) = result.files
    assert f.status == "downloaded" and f.resumed_from == kept
    assert srv.requests_for(name)[-1] == f"bytes={kept}-"
    assert _same(tmp_path / "baseline" / name, data) and not part.exists()


def test_a_whole_file_left_before_its_rename_is_finished_without_downloading_it(serve, sections, tmp_path):
    name = sorted(sections["baseline"])[0]
    srv = serve()
    (tmp_path / "baseline").mkdir()
    (tmp_path / "baseline" / f"{name}.part").write_bytes(sections["baseline"][name])  # killed before the rename
    (f,) = mirror_pubmed(tmp_path, max_files=1).files
    assert f.status == "downloaded" and f.resumed_from == len(sections["baseline"][name])
    assert srv.requests_for(name) == [f"bytes={len(sections['baseline'][name])}-"]  # answered 416
    assert _same(tmp_path / "baseline" / name, sections["baseline"][name])


def test_the_mirror_command_summarises_and_a_failure_is_one_line_with_exit_2(serve, sections, tmp_path):
    first, bad = sorted(sections["baseline"])[:2]
    serve(**{bad: "bad-md5"})
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = [sys.executable, "-m", "litwatch.cli", "mirror", "pubmed", "--dir", str(tmp_path)]
    ok = subprocess.run(run + ["--max-files", "1"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert f"downloaded {first}" in ok.stdout and "downloaded 1" in ok.stdout and "baseline 3" in ok.stdout
    failed = subprocess.run(run + ["--max-files", "2"], env=env, capture_output=True, text=True)
    assert failed.returncode == 2
    lines = [line for line in failed.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and bad in lines[0] and "MD5 mismatch" in lines[0] and "Traceback" not in failed.stderr
    assert "already there 1" in failed.stdout


def test_a_wrong_base_url_is_a_source_error_naming_the_setting(serve, tmp_path):
    from litwatch.errors import SourceError

    srv = serve()
    with pytest.raises(SourceError, match="HTTP 404") as err:
        mirror_pubmed(tmp_path, base_url=srv.url.replace("/pubmed/", "/elsewhere/"))
    assert "LITWATCH_PUBMED_FILES_URL" in err.value.one_line()
    assert not list(tmp_path.iterdir())
