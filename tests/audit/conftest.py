"""Fixtures for the audit: stores holding the works the test articles cite, a loopback literature server."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
ARTICLES = HERE / "articles"
sys.path.insert(0, str(HERE))

FAST_HTTP = {
    "LITWATCH_HTTP_TIMEOUT": "2", "LITWATCH_HTTP_RETRIES": "1", "LITWATCH_HTTP_BACKOFF": "0.01",
    "LITWATCH_HTTP_BACKOFF_MAX": "0.05", "NCBI_API_KEY": "test-key", "LITWATCH_EMAIL": "watcher@example.org",
    "LITWATCH_HTTP_RATE_CROSSREF": "50/1", "LITWATCH_HTTP_RATE_EUROPEPMC": "50/1",
}


@pytest.fixture()
def works_store(store):
    """A real store holding the fixture works: PubMed XML, Crossref works (a preprint and its
    published version) and a registered trial."""
    from litwatch.ingest import import_files

    import_files(store, [FIXTURES / "works.xml", FIXTURES / "crossref-works.json", FIXTURES / "trial-nct05999998.json"])
    return store


@pytest.fixture()
def seed_store(store):
    """The seed roundup's nine cited works (../shared/examples/roundup-references.ris) in a store."""
    from litwatch.ingest import import_files

    ris = _examples() / "roundup-references.ris"
    import_files(store, [ris])
    return store


def _examples() -> Path:
    from litwatch.config import shared_data_dir

    return shared_data_dir().parent / "examples"


@pytest.fixture(scope="session")
def seed_article() -> Path:
    path = _examples() / "handwritten-roundup-zh.txt"
    if not path.exists():
        pytest.fail(f"seed article not found at {path}")
    return path


@pytest.fixture()
def fast_http(monkeypatch):
    monkeypatch.delenv("LITWATCH_CACHE_DIR", raising=False)
    for k, v in FAST_HTTP.items():
        monkeypatch.setenv(k, v)


@pytest.fixture()
def literature(shared_data, fast_http, monkeypatch):
    """A running loopback literature server that litwatch's settings point at."""
    from loopback import Corpus, LiteratureServer

    corpus = Corpus()
    corpus.add_pubmed_file(shared_data / "pubmed" / "pubmed-29768149.xml")
    corpus.add_pubmed_file(FIXTURES / "works.xml")
    corpus.add_crossref_file(shared_data / "crossref" / "works_10.1371_journal.pone.0033693.json")
    corpus.add_crossref_file(FIXTURES / "crossref-works.json")
    with LiteratureServer(corpus, pages=ARTICLES) as srv:
        for k, v in srv.env().items():
            monkeypatch.setenv(k, v)
        yield srv
