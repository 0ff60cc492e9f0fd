"""Fixtures every test may use: the shared real data, a fresh store file, the CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from litwatch.config import shared_data_dir


# The slow part of the suite (seconds to tens of seconds a module: worker pools, Dask clusters,
# Chromium, PDF rendering, replayed fetches, whole-corpus comparisons). `pytest -m "not slow"`
# leaves them out for a quick check while working (under two minutes on 2 CPUs); the whole suite
# is what must pass. A test may also say @pytest.mark.slow itself.
SLOW = (
    "tests/formats/test_parallel.py",  # worker pools over a 1,200-record file, many times
    "tests/formats/test_hostile_files.py",  # child processes under time and memory limits
    "tests/scan/test_dask.py",
    "tests/scan/test_same_answer.py",
    "tests/scan/test_cli.py",
    "tests/web/test_routes.py",
    "tests/web/test_browser.py",
    "tests/web/test_cli.py",
    "tests/report/test_browser.py",
    "tests/report/test_render.py",
    "tests/report/test_layout.py",
    "tests/report/test_cli.py",
    "tests/report/test_build.py",
    "tests/sources/test_fetch.py",
    "tests/sources/test_http.py",
    "tests/sources/test_ncbi.py",
    "tests/sources/test_connectors.py",
    "tests/sources/test_http_limits.py",
    "tests/screen/test_gate.py",  # the rules with and without the gate on all shared data
    "tests/screen/test_policy.py",
    "tests/report/test_genre.py",
    "tests/scan/test_mirror.py",
    "tests/web/test_concurrency.py",
    "tests/store/test_failures.py",  # a store on a tiny file system, filled up
    "tests/audit/test_live.py",
)


def pytest_collection_modifyitems(config, items):
    root = Path(str(config.rootpath))
    gone = [name for name in SLOW if not (root / name).exists()]
    if gone:  # a renamed module would silently join the quick subset
        raise pytest.UsageError(f"tests/conftest.py SLOW names modules that are not there: {', '.join(gone)}")
    slow = pytest.mark.slow
    for item in items:
        if item.nodeid.split("::", 1)[0] in SLOW:
            item.add_marker(slow)


# No test may reach a real service: every base URL points at a closed loopback port unless a test
# starts its own replay server and points the settings at it.
_CLOSED = "http://127.0.0.1:9/"


@pytest.fixture(autouse=True)
def _no_real_services(monkeypatch):
    for name in ("LITWATCH_PUBMED_URL", "LITWATCH_EUROPEPMC_URL", "LITWATCH_CTGOV_URL", "LITWATCH_CROSSREF_URL"):
        monkeypatch.setenv(name, _CLOSED)
    monkeypatch.delenv("LITWATCH_CACHE_DIR", raising=False)
    monkeypatch.delenv("LITWATCH_DB", raising=False)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not (path / "README.md").exists():
        pytest.fail(f"shared data not found at {path}; set LITWATCH_SHARED_DATA")
    return path


@pytest.fixture()
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "litwatch.db"


@pytest.fixture()
def store(db_file: Path):
    from litwatch.store import open_store

    s = open_store(db_file)
    yield s
    s.close()


@pytest.fixture()
def cli():
    """Run the litwatch CLI in-process: cli("import", path, "--db", db) -> click Result."""
    from litwatch.cli import app

    runner = CliRunner()

    def invoke(*args: str | Path, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke
