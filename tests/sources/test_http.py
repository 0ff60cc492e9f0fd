"""The polite client: retries, Retry-After, rate limits, identification, errors, cache."""

from __future__ import annotations

import socket
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from litwatch.errors import SourceError
from litwatch.sources.http import HttpClient, HttpOptions, RateLimiter, parse_retry_after
from litwatch.sources.pubmed import esearch


def _max_in_window(times: list[float], period: float) -> int:
    """The most requests that arrived within any half-open window of `period` seconds."""
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - period:
            j += 1
        best = max(best, i - j + 1)
    return best


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@pytest.mark.parametrize("fault", ["429", "429-date", "500", "502", "503", "reset", "slow", "truncated", "invalid"])
def test_each_fault_is_retried_until_the_real_reply_comes(replay, fault):
    srv = replay(schedule=[fault, None, None], retry_after_s=1)
    with HttpClient("pubmed") as client:
        found = esearch(client, "stem cells", None, None, None)
    assert found["count"] == len(srv.state.data.articles)
    hits = srv.hits()
    assert [h.fault for h in hits] == [fault, None]
    if fault == "429":  # the client waited as told before asking again
        assert hits[1].t - hits[0].t >= 0.95
    assert client.stats.retries == 1


def test_retry_after_seconds_are_honoured(replay):
    srv = replay(schedule=["503", None], retry_after_s=2)
    with HttpClient("europepmc") as client:
        client.get("search", {"query": "x", "format": "json"}, parse=lambda r: r.json())
    first, second = srv.hits()
    assert second.t - first.t >= 1.95


def test_a_bad_query_fails_at_once_with_one_line_naming_the_source(replay):
    srv = replay()
    with HttpClient("clinicaltrials") as client, pytest.raises(SourceError) as err:
        client.get("studies", {"query.term": "BADQUERY (("}, parse=lambda r: r.json())
    assert len(srv.hits()) == 1  # a 4xx is not retried
    line = err.value.one_line()
    assert line.startswith("ClinicalTrials.gov: HTTP 400") and "unexpected token" in line
    assert "check the query syntax" in line and "\n" not in line


def test_a_closed_port_gives_up_quickly_and_says_what_to_do(fast_env, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    monkeypatch.setenv("LITWATCH_PUBMED_URL", f"http://127.0.0.1:{port}/eutils/")
    start = time.monotonic()
    with HttpClient("pubmed") as client, pytest.raises(SourceError) as err:
        esearch(client, "x", None, None, None)
    assert time.monotonic() - start < 5
    assert err.value.source == "PubMed"
    assert "cannot connect to 127.0.0.1" in err.value.message
    assert "LITWATCH_PUBMED_URL" in err.value.hint


def test_a_dns_failure_is_reported_as_such(fast_env):
    # name resolution cannot be exercised without a network; the transport raises what httpx raises
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)

    client = HttpClient("crossref", base_url="https://api.crossref.org/", transport=httpx.MockTransport(offline),
                        options=HttpOptions(retries=2, backoff=0.0))
    with pytest.raises(SourceError) as err:
        client.get("works/10.1/x")
    assert err.value.one_line().startswith("Crossref: gave up after 3 attempts: cannot resolve api.crossref.org")


def test_identifies_itself_to_ncbi_and_crossref(replay):
    srv = replay()
    with HttpClient("pubmed") as pm:
        esearch(pm, "x", None, None, None)
    with HttpClient("crossref") as cr:
        cr.get("works", {"query.bibliographic": "x", "rows": 1}, parse=lambda r: r.json())
    ncbi, crossref = srv.hits()
    assert ncbi.params["tool"] == "litwatch" and ncbi.params["email"] == "watcher@example.org"
    assert ncbi.params["api_key"] == "test-key"
    assert crossref.params["mailto"] == "watcher@example.org"
    for hit in (ncbi, crossref):
        assert hit.headers["user-agent"].startswith("litwatch/") and "mailto:watcher@example.org" in hit.headers["user-agent"]


@pytest.mark.parametrize(("key", "limit"), [("test-key", 10), (None, 3)])
def test_a_burst_never_exceeds_the_ncbi_rate(replay, monkeypatch, key, limit):
    if key is None:
        monkeypatch.delenv("NCBI_API_KEY")
    srv = replay()
    with HttpClient("pubmed") as client:
        for _ in range(limit * 2 + 2):
            esearch(client, "x", None, None, None)
    times = [h.t for h in srv.hits()]
    assert _max_in_window(times, 1.0) <= limit
    assert times[-1] - times[0] >= 2.0  # it did not simply go slower than needed either...
    assert times[-1] - times[0] < 3.5  # ...nor crawl


def test_crossref_rate_follows_its_headers(replay):
    srv = replay(rate_headers=(4, "1s"))
    with HttpClient("crossref") as client:
        for _ in range(11):
            client.get("works", {"query.bibliographic": "x", "rows": 1}, parse=lambda r: r.json())
    assert (client.limiter.limit, client.limiter.period) == (4, 1.0)
    times = [h.t for h in srv.hits()][1:]  # from the first reply on, the stated limit applies
    assert _max_in_window(times, 1.0) <= 4


def test_rate_limiter_counts_a_sliding_window():
    clock = [0.0]
    lim = RateLimiter(3, 1.0, margin=0.0, clock=lambda: clock[0], sleep=lambda s: clock.__setitem__(0, clock[0] + s))
    sent = []
    for _ in range(7):
        lim.acquire()
        sent.append(clock[0])
    assert sent == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0]


def test_cache_serves_a_repeat_from_disk(replay, tmp_path, monkeypatch):
    monkeypatch.setenv("LITWATCH_CACHE_DIR", str(tmp_path / "cache"))
    srv = replay(schedule=[None, "invalid"])
    with HttpClient("crossref") as client:
        url = "works/10.1371/journal.pone.0033693"
        first = client.get(url, parse=lambda r: r.json(), cache=True)
        again = client.get(url, parse=lambda r: r.json(), cache=True)
        fresh = client.get(url, parse=lambda r: r.json())  # not cached: goes out (and meets the fault)
    assert first == again == fresh
    assert len(srv.hits()) == 3 and client.stats.cache_hits == 1
    assert list((tmp_path / "cache").rglob("*.json"))
    assert not any("watcher@example.org" in p.read_text() for p in (tmp_path / "cache").rglob("*.json"))
