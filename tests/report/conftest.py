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


# -- the default topic's report from real topic works (the roundup's references, with our own
# abstracts) and a few records of the topic written for the tests -------------------------------
EXAMPLES = Path(__file__).resolve().parents[2].parent.parent / "shared" / "examples"
FIXTURES = HERE / "fixtures"
GENRE_PERIOD = ("2025-01", "2025-12")


def _examples_dir(shared_data: Path) -> Path:
    for candidate in (shared_data.parent / "examples", EXAMPLES):
        if (candidate / "roundup-references.ris").exists():
            return candidate
    pytest.skip("the shared examples (roundup-references.ris) are not here")


@pytest.fixture(scope="session")
def genre_db(tmp_path_factory, shared_data: Path) -> Path:
    from litwatch.annotate import annotate_store
    from litwatch.ingest import import_files
    from litwatch.screen import update_screening
    from litwatch.store import open_store
    from litwatch.topics import load_topic

    path = tmp_path_factory.mktemp("genre") / "genre.db"
    topic = load_topic("stem-cell-depression")
    with open_store(path) as store:
        import_files(store, [_examples_dir(shared_data) / "roundup-references.ris", FIXTURES / "topic-papers.xml",
                             FIXTURES / "undated.ris"])
        update_screening(store, topic)
        annotate_store(store, topic)
    return path


@pytest.fixture(scope="session")
def genre_digest(genre_db: Path):
    from litwatch.report import ReportOptions, build
    from litwatch.store import open_store

    with open_store(genre_db) as store:
        return build("stem-cell-depression", GENRE_PERIOD, ReportOptions(generated_at=GENERATED), store=store)


@pytest.fixture(scope="session")
def genre_rendered(genre_digest, artifacts):
    """The default topic's report as md, html and pdf in en, zh-Hans and zh-Hant, kept under test-artifacts/."""
    from litwatch.report import default_filename, render

    out = {}
    for lang in ("en", "zh-Hans", "zh-Hant"):
        for fmt in ("md", "html", "pdf"):
            data = render(genre_digest, fmt, lang)
            path = artifacts / default_filename("stem-cell-depression", *GENRE_PERIOD, lang, fmt)
            path.write_bytes(data)
            out[(fmt, lang)] = (data, path)
    return out


MAIN = ("en", "zh-Hans", "zh-Hant")  # every format; Hong Kong Chinese in the text formats only (same layout as zh-Hant)


@pytest.fixture(scope="session")
def rendered(digest, artifacts):
    """The test profile's report in every format and language, kept under test-artifacts/reports/."""
    from litwatch.report import FORMATS, default_filename, render
    from litwatch.report.texts import LANGS

    out = {}
    for lang in LANGS:
        for fmt in FORMATS if lang in MAIN else ("md", "html", "json"):
            data = render(digest, fmt, lang)
            path = artifacts / default_filename("cell-research", *PERIOD, lang, fmt)
            path.write_bytes(data)
            out[(fmt, lang)] = (data, path)
    return out
