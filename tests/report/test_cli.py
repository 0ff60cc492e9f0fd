"""`litwatch report` end to end on a real store (in-process CliRunner)."""

from __future__ import annotations

import shutil
from pathlib import Path

from .conftest import PROFILE


def _copy(report_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "cli.db"
    shutil.copy(report_db, db)
    return db


def test_report_writes_the_default_file_name(cli, report_db, tmp_path, monkeypatch):
    db = _copy(report_db, tmp_path)
    monkeypatch.chdir(tmp_path)
    result = cli("report", PROFILE, "--from", "2015-07", "--to", "2015-12", "--lang", "zh-Hans",
                 "--format", "md", "--db", db, "--offline")
    assert result.exit_code == 0, result.output
    out = tmp_path / "report-cell-research-2015-07_2015-12.zh-Hans.md"
    assert out.exists()
    assert "干细胞与癌细胞：测试研究进展报告" in out.read_text(encoding="utf-8")
    assert "included papers" in result.output and str(out.name) in result.output


def test_report_logs_a_run(cli, report_db, tmp_path):
    from litwatch.store import open_store

    db = _copy(report_db, tmp_path)
    out = tmp_path / "r.json"
    result = cli("report", PROFILE, "--from", "2015-10", "--db", db, "--offline", "-f", "json", "-o", out)
    assert result.exit_code == 0, result.output
    with open_store(db) as store:
        run = store.runs(kind="report", limit=1)[0]
    assert run["status"] == "ok" and run["params"]["from"] == "2015-10" and run["counts"]["path"] == str(out)


def test_a_repeat_report_adds_no_annotation_or_report_run(cli, report_db, tmp_path):
    """Nothing changed: annotation writes nothing, and the same report to the same file is not logged again.
    (Screening's own incremental run log arrives with the inclusion work; it is not asserted here.)"""
    from litwatch.store import open_store

    db = _copy(report_db, tmp_path)
    out = tmp_path / "r.md"
    args = ("report", PROFILE, "--from", "2015-10", "--db", db, "--offline", "-f", "md", "-o", out)
    assert cli(*args).exit_code == 0
    with open_store(db) as store:
        before = [r["kind"] for r in store.runs(limit=None)]
    again = cli(*args)
    assert again.exit_code == 0 and "no new run" in " ".join(again.output.split())
    with open_store(db) as store:
        after = [r["kind"] for r in store.runs(limit=None)]
    added = after[: len(after) - len(before)]
    assert "annotate" not in added and "report" not in added
    # another format is another report: one row
    assert cli("report", PROFILE, "--from", "2015-10", "--db", db, "--offline", "-f", "json", "-o",
               tmp_path / "r.json").exit_code == 0
    with open_store(db) as store:
        assert [r["kind"] for r in store.runs(limit=None)].count("report") == before.count("report") + 1


def test_empty_period_report_succeeds(cli, report_db, tmp_path):
    db = _copy(report_db, tmp_path)
    out = tmp_path / "empty.md"
    result = cli("report", PROFILE, "--from", "2016-02", "--to", "2016-03", "--db", db, "--offline", "-f", "md", "-o", out)
    assert result.exit_code == 0, result.output
    assert "No papers: February–March 2016" in out.read_text(encoding="utf-8")


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:")
    return lines[0]


def test_bad_period_is_one_line(cli, report_db, tmp_path):
    db = _copy(report_db, tmp_path)
    assert "2025-13" in _one_line_error(cli("report", PROFILE, "--from", "2025-13", "--db", db, "--offline"))
    assert "after" in _one_line_error(cli("report", PROFILE, "--from", "2025-06", "--to", "2025-01", "--db", db, "--offline"))


def test_unknown_topic_is_one_line(cli, tmp_path):
    assert "no-such-topic" in _one_line_error(
        cli("report", "no-such-topic", "--from", "2025-01", "--db", tmp_path / "x.db", "--offline")
    )


def test_empty_store_is_one_line(cli, tmp_path):
    line = _one_line_error(cli("report", PROFILE, "--from", "2025-01", "--db", tmp_path / "empty.db", "--offline"))
    assert "holds no records" in line


def test_bad_language_style_and_format_are_one_line(cli, report_db, tmp_path):
    db = _copy(report_db, tmp_path)
    for flag, value in (("--lang", "fr"), ("--style", "chicago"), ("--format", "rtf")):
        line = _one_line_error(cli("report", PROFILE, "--from", "2015-10", "--db", db, "--offline", flag, value))
        assert value in line


def test_report_fetches_first_when_the_store_has_no_fetch(cli, report_db, tmp_path, monkeypatch):
    """Without --offline and no successful fetch, report fetches first; here the sources refuse (closed port)."""
    db = _copy(report_db, tmp_path)
    for var in ("LITWATCH_PUBMED_URL", "LITWATCH_EUROPEPMC_URL", "LITWATCH_CTGOV_URL", "LITWATCH_CROSSREF_URL"):
        monkeypatch.setenv(var, "http://127.0.0.1:9/")
    result = cli("report", PROFILE, "--from", "2015-10", "--db", db, "-f", "md", "-o", tmp_path / "r.md")
    from litwatch.store import open_store

    with open_store(db) as store:
        fetch_runs = store.runs(kind="fetch", limit=None)
    assert fetch_runs and fetch_runs[0]["params"].get("topic") == "cell-research"
    assert result.exit_code in (0, 2)
