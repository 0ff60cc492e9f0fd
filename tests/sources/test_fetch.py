"""`fetch` end to end against the replay server: faults, kill -9 and resume, since-last-run, failures."""

from __future__ import annotations

import copy
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from litwatch.errors import SourceError
from litwatch.sources.fetch import FetchInterrupted, fetch, has_successful_fetch
from litwatch.store import open_store
from replay import FAULTS, Article, fault_pattern

from .test_http import _max_in_window

ALL = "pubmed,europepmc,clinicaltrials"


def _snapshot(db: Path) -> set[tuple[frozenset, str]]:
    """What a user would compare: each stored record's identifiers and content hash."""
    conn = sqlite3.connect(db)
    ids: dict[int, set] = {}
    for kind, value, rid in conn.execute("SELECT id_kind, value, record_id FROM record_ids"):
        ids.setdefault(rid, set()).add((kind, value))
    rows = conn.execute("SELECT id, content_hash FROM records WHERE deleted = 0").fetchall()
    conn.close()
    return {(frozenset(ids.get(rid, ())), h) for rid, h in rows}


def _assert_each_stored_once(store, dataset):
    expected = dataset.expected_ids()
    assert store.count() == sum(len(v) for v in expected.values())
    found = {store.resolve(p) for p in expected["pubmed"]} | {store.resolve(n) for n in expected["clinicaltrials"]}
    assert None not in found and len(found) == len(expected["pubmed"]) + len(expected["clinicaltrials"])


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from litwatch.cli import main; main()", *args],
        capture_output=True, text=True, env={**os.environ, **env}, timeout=120,
    )


# -- acceptance 1: faults ------------------------------------------------------------------------


def test_fetch_survives_a_third_of_requests_failing_and_stores_each_record_once(replay, store, dataset, capsys):
    srv = replay(schedule=fault_pattern(0.45), retry_after_s=1)
    summary = fetch(store, "stem cells", sources=ALL, batch_size=50)
    figures = srv.figures()
    stored = store.count()
    with capsys.disabled():
        print(f"\n[fetch under faults] requests sent: {figures['requests']}, faults injected: {figures['faults']} "
              f"({figures['faults'] / figures['requests']:.0%}), records stored: {stored}")
    assert figures["faults"] / figures["requests"] >= 0.30
    assert {h.fault for h in srv.hits() if h.fault} == set(FAULTS)  # every kind of fault met
    assert summary.status == "ok" and not any(s.errors for s in summary.sources.values())
    _assert_each_stored_once(store, dataset)
    assert summary.totals()["new"] == stored and summary.totals()["requests"] == figures["requests"]
    run = store.runs(kind="fetch")[0]
    assert run["status"] == "ok" and run["counts"]["totals"]["new"] == stored
    # retries count against the rate too
    for prefix, limit in (("/eutils", 10), ("/epmc", 20), ("/ctgov", 20)):
        assert _max_in_window([h.t for h in srv.hits(prefix)], 1.0) <= limit


# -- acceptance 2: kill -9 and resume -----------------------------------------------------------


def _checkpointed(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT coalesce(sum(fetched), 0) FROM fetch_checkpoints").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_a_fetch_killed_mid_run_and_restarted_ends_with_the_same_store(replay, tmp_path, fast_env, dataset):
    srv = replay(delay=0.03)
    env = {**fast_env, **srv.env()}
    args = ["fetch", "stem cells", "--source", ALL, "--batch-size", "20"]
    killed, straight = tmp_path / "killed.db", tmp_path / "straight.db"

    proc = subprocess.Popen(
        [sys.executable, "-c", "from litwatch.cli import main; main()", *args, "--db", str(killed)],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while _checkpointed(killed) < 200 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the fetch ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stopped_at = _checkpointed(killed)
    assert 200 <= stopped_at < len(dataset.articles)
    fetched_before = len(srv.hits("/eutils/efetch"))

    result = _cli(*args, "--db", str(killed), env=env)  # the same command again
    assert result.returncode == 0, result.stderr
    retstarts = [int(h.params["retstart"]) for h in srv.hits("/eutils/efetch")[fetched_before:]]
    assert min(retstarts) >= stopped_at - 20  # finished batches were not fetched again

    assert _cli(*args, "--db", str(straight), env=env).returncode == 0
    assert _snapshot(killed) == _snapshot(straight)
    with open_store(killed) as s:
        _assert_each_stored_once(s, dataset)
        first, second = sorted(s.runs(kind="fetch"), key=lambda r: r["id"])
        # kill -9 left no chance to log anything; the next opening of the store saw the process gone
        assert first["status"] == "interrupted" and "ended before it finished" in first["errors"][-1]
        assert second["status"] == "ok" and second["params"]["resumed_from"] == first["id"]


class _InterruptAfter(httpx.HTTPTransport):
    """A real transport that behaves as if the user pressed Ctrl-C before the n-th request."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.n -= 1
        if self.n == 0:
            raise KeyboardInterrupt
        return super().handle_request(request)


def test_ctrl_c_is_logged_as_interrupted_and_resume_run_id_goes_on(replay, store, dataset):
    srv = replay()
    with pytest.raises(FetchInterrupted) as stop:
        fetch(store, "stem cells", sources="pubmed", batch_size=100, transport=_InterruptAfter(4))
    run_id = stop.value.run_id
    assert store.runs(kind="fetch")[0]["status"] == "interrupted"
    assert store.count() == 200  # two whole batches, nothing of the third
    before = len(srv.hits("/eutils/efetch"))
    summary = fetch(store, None, resume=run_id)
    assert summary.resumed_from == run_id and summary.status == "ok"
    assert [h.params["retstart"] for h in srv.hits("/eutils/efetch")[before:]] == ["200", "300", "400", "500", "600"]
    assert store.count() == len(dataset.articles)
    assert summary.totals()["new"] == len(dataset.articles) - 200


# -- since-last-run ------------------------------------------------------------------------------


def test_since_last_run_asks_only_for_what_changed_and_reports_it(replay, store, dataset):
    data = copy.deepcopy(dataset)
    srv = replay(data=data)
    first = fetch(store, "stem cells", sources=ALL, since_last_run=True)
    assert first.totals()["new"] == store.count() == 672  # no previous run: everything

    today = datetime.now(timezone.utc).date()
    old = data.articles[0]
    fresh = re.sub(rb"<PMID([^>]*)>\d+</PMID>", rb"<PMID\1>99999999</PMID>", old.xml, count=1)
    fresh = re.sub(rb"<ELocationID[^>]*>.*?</ELocationID>|<ArticleId IdType=\"(doi|pmc|pii)\">.*?</ArticleId>", b"", fresh)
    fresh = re.sub(rb"<ArticleTitle>", b"<ArticleTitle>Newly listed: ", fresh, count=1)
    data.articles.append(Article("99999999", fresh, today, today))
    revised = data.articles[5]
    revised.xml = revised.xml.replace(b"</ArticleTitle>", b" (revised)</ArticleTitle>", 1)
    revised.mdat = today
    trial = data.studies[1]["protocolSection"]
    assert trial["statusModule"]["overallStatus"] == "RECRUITING"
    trial["statusModule"]["overallStatus"] = "COMPLETED"
    trial["statusModule"]["lastUpdatePostDateStruct"]["date"] = today.isoformat()
    mark = len(srv.hits())

    second = fetch(store, "stem cells", sources=ALL, since_last_run=True)
    pm, ct, ep = (second.sources[s] for s in ("pubmed", "clinicaltrials", "europepmc"))
    assert (pm.new, pm.updated) == (1, 1) and pm.since == today.isoformat()
    assert (ct.new, ct.updated, ct.read) == (0, 1, 1)
    assert ep.read == 0
    assert second.status_changes == [
        {"nct": "NCT06323538", "record_id": store.resolve("NCT06323538"), "old": "RECRUITING", "new": "COMPLETED"}
    ]
    asked = srv.hits()[mark:]
    searches = [h.params for h in asked if h.path.endswith("esearch.fcgi")]
    assert {p["datetype"] for p in searches} == {"edat", "mdat"}
    assert all(p["mindate"] == today.strftime("%Y/%m/%d") for p in searches)
    ctgov = [h.params for h in asked if h.path.startswith("/ctgov")]
    assert ctgov[0]["filter.advanced"].startswith(f"AREA[LastUpdatePostDate]RANGE[{today.isoformat()},")
    assert store.count() == 673


# -- acceptance 4: failures ----------------------------------------------------------------------


def test_a_bad_query_is_one_line_exit_2_and_a_failed_run_with_nothing_written(replay, tmp_path, fast_env):
    srv = replay()
    db = tmp_path / "bad.db"
    result = _cli("fetch", "BADQUERY ((", "--source", "clinicaltrials", "--db", str(db), env={**fast_env, **srv.env()})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ClinicalTrials.gov: HTTP 400")
    assert "check the query syntax" in lines[0] and "Traceback" not in result.stderr
    with open_store(db) as s:
        (run,) = s.runs(kind="fetch")
        assert run["status"] == "failed" and "HTTP 400" in run["errors"][0]
        assert s.count() == 0
        assert s.conn.execute("SELECT count(*) FROM fetch_checkpoints WHERE done = 1").fetchone()[0] == 0


def test_no_network_is_one_line_exit_2_and_a_failed_run(tmp_path, fast_env):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**fast_env, "LITWATCH_PUBMED_URL": f"http://127.0.0.1:{port}/eutils/"}
    db = tmp_path / "offline.db"
    result = _cli("fetch", "stem cells", "--source", "pubmed", "--db", str(db), env=env)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: PubMed: gave up after") and "cannot connect" in line and "LITWATCH_PUBMED_URL" in line
    with open_store(db) as s:
        assert s.runs(kind="fetch")[0]["status"] == "failed" and s.count() == 0


def test_one_failing_source_keeps_the_others_batches_and_a_rerun_finishes(replay, store, dataset):
    srv = replay(refuse_prefix="/ctgov")
    with pytest.raises(SourceError) as err:
        fetch(store, "stem cells", sources="pubmed,clinicaltrials", batch_size=300)
    assert err.value.source == "ClinicalTrials.gov"
    assert store.runs(kind="fetch")[0]["status"] == "failed"
    assert store.count() == len(dataset.articles)  # PubMed's batches stay stored
    srv.state.refuse_prefix = None
    before = len(srv.hits("/eutils"))
    summary = fetch(store, "stem cells", sources="pubmed,clinicaltrials", batch_size=300)
    assert summary.status == "ok" and summary.resumed_from is not None
    assert len(srv.hits("/eutils")) == before  # PubMed was finished: not asked again
    assert summary.sources["pubmed"].batches_skipped == 1
    _assert_each_stored_once_for(store, dataset, ("pubmed", "clinicaltrials"))


def _assert_each_stored_once_for(store, dataset, sources):
    expected = dataset.expected_ids()
    assert store.count() == sum(len(expected[s]) for s in sources)


# -- topics, coverage and the run log ------------------------------------------------------------


def test_a_topic_sends_each_source_its_own_query(replay, store):
    from litwatch.topics import load_topic

    topic = load_topic("stem-cell-depression")
    srv = replay()
    summary = fetch(store, "stem-cell-depression", sources="pubmed,clinicaltrials", batch_size=1000)
    assert summary.topic == "stem-cell-depression" and summary.status == "ok"
    term = srv.hits("/eutils/esearch")[0].params["term"]
    assert term == " ".join(topic.queries["pubmed"].split())
    ct = srv.hits("/ctgov")[0].params
    assert ct["query.cond"].startswith("depression OR") and ct["query.intr"].startswith('"stem cell"')
    assert has_successful_fetch(store, "stem-cell-depression", "2025-01", "2025-12")
    assert not has_successful_fetch(store, "gut-brain-depression", "2025-01", "2025-12")


def test_runs_command_lists_the_fetch_with_its_queries_and_counts(replay, db_file, cli):
    replay()
    result = cli("fetch", "stem cells", "--source", "europepmc", "--db", db_file)
    assert result.exit_code == 0, result.output
    assert "25 new" in result.output
    listed = cli("runs", "--kind", "fetch", "--json", "--db", db_file)
    import json

    (run,) = [json.loads(line) for line in listed.output.splitlines()]
    assert run["status"] == "ok" and run["params"]["queries"] == {"europepmc": "stem cells"}
    assert run["counts"]["sources"]["europepmc"]["requests"] == 1 and run["counts"]["duration_s"] >= 0
    table = cli("runs", "--db", db_file)
    assert "fetch" in table.output and "stem cells" in table.output
