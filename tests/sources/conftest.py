"""Fixtures for the live connectors: the recorded replies, a loopback replay server, fast settings."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from replay import Dataset, ReplayServer  # noqa: E402

# Fast but real: short timeouts and backoff; the NCBI key raises PubMed to 10 req/s; the other
# services are given quicker limits than their defaults so a test takes seconds, not minutes.
FAST_ENV = {
    "LITWATCH_HTTP_TIMEOUT": "0.5",
    "LITWATCH_HTTP_RETRIES": "6",
    "LITWATCH_HTTP_BACKOFF": "0.02",
    "LITWATCH_HTTP_BACKOFF_MAX": "0.2",
    "NCBI_API_KEY": "test-key",
    "LITWATCH_EMAIL": "watcher@example.org",
    "LITWATCH_HTTP_RATE_EUROPEPMC": "20/1",
    "LITWATCH_HTTP_RATE_CLINICALTRIALS": "20/1",
    "LITWATCH_HTTP_RATE_CROSSREF": "20/1",
    # nothing may leave the machine: until a test starts its server, every service is a closed port
    "LITWATCH_PUBMED_URL": "http://127.0.0.1:9/eutils/",
    "LITWATCH_EUROPEPMC_URL": "http://127.0.0.1:9/epmc/",
    "LITWATCH_CTGOV_URL": "http://127.0.0.1:9/ctgov/",
    "LITWATCH_CROSSREF_URL": "http://127.0.0.1:9/crossref/",
}


@pytest.fixture(scope="session")
def dataset(shared_data: Path) -> Dataset:
    return Dataset.load(shared_data)


@pytest.fixture()
def fast_env(monkeypatch) -> dict[str, str]:
    monkeypatch.delenv("LITWATCH_CACHE_DIR", raising=False)
    for k, v in FAST_ENV.items():
        monkeypatch.setenv(k, v)
    return dict(FAST_ENV)


@pytest.fixture()
def replay(dataset, fast_env, monkeypatch):
    """start(**server_state) -> a running ReplayServer that litwatch's settings point at."""
    servers: list[ReplayServer] = []

    def start(data: Dataset | None = None, **state) -> ReplayServer:
        state.setdefault("slow_s", 0.8)
        srv = ReplayServer(data or dataset, **state).__enter__()
        servers.append(srv)
        for k, v in srv.env().items():
            monkeypatch.setenv(k, v)
        return srv

    yield start
    for srv in servers:
        srv.__exit__(None, None, None)
