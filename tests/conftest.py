"""Fixtures every test may use: the shared real data, a fresh store file, the CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from litwatch.config import shared_data_dir


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
