"""What a reply may cost: a body too large, a body trickling in, a redirect to another host, a
Retry-After longer than litwatch waits. Each against a loopback server that really does it."""

from __future__ import annotations

import time

import pytest

from litwatch.errors import SourceError
from litwatch.sources.http import HttpClient
from litwatch.sources.pubmed import esearch
from tests.limits import run_limited

_SEARCH = """
import sys
from litwatch.errors import SourceError
from litwatch.sources.http import HttpClient
from litwatch.sources.pubmed import esearch
try:
    esearch(HttpClient("pubmed"), "stem cells", None, None, None)
except SourceError as exc:
    print(exc.one_line())
    sys.exit(2)
"""


@pytest.mark.parametrize("gzipped", [False, True])
def test_a_reply_body_over_the_limit_is_refused_in_flat_memory(replay, fast_env, gzipped):
    srv = replay(oversize_mb=2048 if gzipped else 400, oversize_gzip=gzipped)  # gzip: 2 GiB in ~2 MB sent
    env = {**fast_env, **srv.env(), "LITWATCH_HTTP_MAX_BODY_PUBMED": "32"}
    run = run_limited(_SEARCH, env=env, seconds=60, cap_mb=1500)
    assert run.returncode == 2, run.stderr[-2000:]
    assert run.stdout.startswith("PubMed: the reply to http://127.0.0.1:")
    assert "is larger than the 32 MiB litwatch reads from PubMed; not read" in run.stdout
    assert "LITWATCH_HTTP_MAX_BODY_PUBMED" in run.stdout
    assert run.peak_mb < 200, f"peak {run.peak_mb:.0f} MB"
    assert run.seconds < 10
    assert len(srv.hits()) == 1  # the same request would get the same body: not retried


def test_an_announced_body_over_the_limit_is_not_read_at_all(replay, monkeypatch):
    srv = replay()
    monkeypatch.setenv("LITWATCH_HTTP_MAX_BODY_PUBMED", "0.0001")  # about 100 bytes
    with HttpClient("pubmed") as client, pytest.raises(SourceError) as err:
        esearch(client, "x", None, None, None)
    assert "(it announced 0 MiB)" in err.value.one_line() or "announced" in err.value.one_line()
    assert len(srv.hits()) == 1


def test_a_body_trickling_in_is_cut_off_at_the_deadline(replay, monkeypatch):
    srv = replay(trickle=0.05)  # an esearch reply of ~700 bytes would take 35 s
    monkeypatch.setenv("LITWATCH_HTTP_DEADLINE", "0.8")
    monkeypatch.setenv("LITWATCH_HTTP_RETRIES", "1")
    started = time.monotonic()
    with HttpClient("pubmed") as client, pytest.raises(SourceError) as err:
        esearch(client, "x", None, None, None)
    assert time.monotonic() - started < 4
    assert "gave up after 2 attempts: no complete reply within the 0.8 s deadline" in err.value.one_line()
    assert len(srv.hits()) == 2 and client.stats.faults == {"deadline": 2}


def test_a_redirect_to_another_host_is_not_followed_and_leaks_nothing(replay, fast_env):
    other = replay()  # "another host": another origin on loopback (a port of its own)
    srv = replay(redirect=other.base)
    with HttpClient("pubmed") as client, pytest.raises(SourceError) as err:
        esearch(client, "x", None, None, None)
    line = err.value.one_line()
    assert f"redirects to {other.base}/eutils/esearch.fcgi (another host); not followed" in line
    assert "api_key" not in line and "test-key" not in line
    assert other.hits() == [] and len(srv.hits()) == 1


def test_a_redirect_to_an_allowed_host_is_followed_without_the_credentials(replay, dataset, monkeypatch):
    other = replay()
    srv = replay(redirect=other.base)
    monkeypatch.setenv("LITWATCH_HTTP_REDIRECT_HOSTS", "127.0.0.1")
    with HttpClient("pubmed") as client:
        found = esearch(client, "stem cells", None, None, None)
    assert found["count"] == len(dataset.articles)
    (hit,) = other.hits()
    assert hit.params["term"] == "stem cells"
    assert "api_key" not in hit.params and "email" not in hit.params and len(srv.hits()) == 1


def test_redirects_on_the_same_host_are_followed_up_to_a_limit(replay):
    srv = replay()
    srv.state.redirect = srv.base + "/moved"  # every request moves again
    with HttpClient("pubmed") as client, pytest.raises(SourceError) as err:
        esearch(client, "x", None, None, None)
    assert "more than 5 redirects" in err.value.one_line() and "test-key" not in err.value.one_line()
    assert len(srv.hits()) == 6 and srv.hits()[-1].path.startswith("/moved/moved/moved")


@pytest.mark.timeout(30)
def test_a_retry_after_longer_than_the_cap_is_one_line_naming_the_wait(replay):
    srv = replay(schedule=["503"] * 10, retry_after_s=590)
    started = time.monotonic()
    with HttpClient("europepmc") as client, pytest.raises(SourceError) as err:
        client.get("search", {"query": "x", "format": "json"}, parse=lambda r: r.json())
    assert time.monotonic() - started < 5 and len(srv.hits()) == 1
    line = err.value.one_line()
    assert line.startswith("Europe PMC: HTTP 503: the service asks to wait 590 s before retrying (until ")
    assert "longer than the 120 s litwatch waits" in line and "LITWATCH_HTTP_MAX_RETRY_AFTER" in line


def test_the_cli_reports_an_oversized_reply_in_one_line_exit_2(replay, fast_env, tmp_path):
    srv = replay(oversize_mb=64)
    env = {**fast_env, **srv.env(), "LITWATCH_HTTP_MAX_BODY_PUBMED": "8"}
    run = run_limited(args=["-c", "from litwatch.cli import main; main()", "fetch", "stem cells", "--source",
                            "pubmed", "--db", str(tmp_path / "x.db")], env=env, seconds=60)
    assert run.returncode == 2, run.stderr
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith("Error: PubMed: the reply to") and "larger than the 8 MiB" in line
