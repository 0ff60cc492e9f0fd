"""One real store for the report tests: MEDLINE sample + ClinicalTrials.gov MSC exports + GutBrainIE,
screened with the test profile cell-research.toml and annotated, built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).parent
PROFILE = HERE / "cell-research.toml"
REPO = HERE.parents[1]
ARTIFACTS = REPO / "test-artifacts"
PERIOD = ("2015-07", "2015-12")
EMPTY_PERIOD = ("2016-02", "2016-03")
GENERATED = "2025-06-01T08:00:00+00:00"  # pinned so reports are reproducible


@pytest.fixture(scope="session")
def topic():
    from litwatch.topics import load_topic

    return load_topic(PROFILE)


@pytest.fixture(scope="session")
def report_db(tmp_path_factory, shared_data: Path, topic) -> Path:
    from litwatch.annotate import annotate_store
    from litwatch.ingest import import_files
    from litwatch.screen import update_screening
    from litwatch.store import open_store

    path = tmp_path_factory.mktemp("report") / "report.db"
    with open_store(path) as store:
        import_files(
            store,
            [
                shared_data / "pubmed" / "medline16n0902.xml.gz",
                shared_data / "clinicaltrials" / "legacy-csv" / "clinicalMesenchymalExosome.csv",
                shared_data / "clinicaltrials" / "legacy-csv" / "clinicalMesenchymal.csv",
                shared_data / "gutbrain" / "articles_dev.json",
            ],
        )
        update_screening(store, topic)
        annotate_store(store, topic)
    return path


@pytest.fixture()
def report_store(report_db: Path, tmp_path: Path):
    """A private copy of the session store, so a test may change it."""
    from litwatch.store import open_store

    copy = tmp_path / "copy.db"
    shutil.copy(report_db, copy)
    store = open_store(copy)
    yield store
    store.close()


@pytest.fixture(scope="session")
def digest(report_db: Path, topic):
    from litwatch.report import ReportOptions, build
    from litwatch.store import open_store

    with open_store(report_db) as store:
        return build(topic, PERIOD, ReportOptions(generated_at=GENERATED), store=store)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    out = ARTIFACTS / "reports"
    out.mkdir(parents=True, exist_ok=True)
    return out
