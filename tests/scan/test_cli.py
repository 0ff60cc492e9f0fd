"""`litwatch scan`, `litwatch scan-summary` and `litwatch import --scan` through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from litwatch.scan import latest_sql
from litwatch.scan.summary import BY_DESIGN_SQL
from litwatch.store import open_store
from tests.scan.conftest import KINASE

ROOT = Path(__file__).resolve().parents[2]


def test_scan_then_summary_then_import_through_the_cli(cli, baseline_dir, tmp_path, db_file):
    out = tmp_path / "scan"
    scanned = cli("scan", KINASE, "msc-trials", "--files", baseline_dir, "--workers", "2", "--out", out)
    assert scanned.exit_code == 0, scanned.output
    assert "Scanned 3 file(s) (604 records" in scanned.output and "on 2 worker(s)" in scanned.output
    assert "kinase-mice" in scanned.output and "msc-trials" in scanned.output

    summary = json.loads(cli("scan-summary", out, "--json").output)
    assert summary["files"] == 3 and summary["records"] == 604
    included = summary["included"]["kinase-mice"]
    assert included > 0 and sum(summary["by_year"]["kinase-mice"].values()) == included
    assert sum(summary["by_design"]["kinase-mice"].values()) == included
    table = cli("scan-summary", out)
    assert "included per year" in table.output and "included per design" in table.output

    # the README's DuckDB query gives the same numbers
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    query = readme.split("```sql\n", 1)[1].split("```", 1)[0].replace("/data/scan", str(out))
    rows = duckdb.connect().execute(query).fetchall()
    by_year: dict[str, int] = {}
    for topic, year, _design, n in rows:
        if topic == "kinase-mice":
            by_year[str(year)] = by_year.get(str(year), 0) + n
    assert by_year == summary["by_year"]["kinase-mice"]
    con = duckdb.connect()
    con.execute(f"CREATE VIEW latest AS {latest_sql(str(out / 'parts' / '*.parquet'))}")
    by_design = {d: n for t, d, n in con.execute(BY_DESIGN_SQL).fetchall() if t == "kinase-mice"}
    assert by_design == summary["by_design"]["kinase-mice"]

    imported = cli("import", "--scan", out, "--db", db_file)
    assert imported.exit_code == 0, imported.output
    assert "new " in imported.output and "errors 0" in imported.output
    with open_store(db_file) as store:
        assert store.stats()["records"] >= included
    again = cli("import", "--scan", out, "--db", db_file)
    assert ", new 0, updated 0," in again.output


@pytest.mark.parametrize("args, message", [
    (["scan", "no-such-topic", "--files", "{data}"], "unknown topic 'no-such-topic'"),
    (["scan", "msc-trials", "--files", "{tmp}/missing"], "no such file or folder"),
    (["scan", "msc-trials", "--files", "{data}", "--scheduler", "localhost:8786"], "bad scheduler address"),
    (["scan", "msc-trials", "--files", "{data}", "--workers", "0"], "--workers must be 1 or more"),
    (["scan-summary", "{tmp}"], "holds no scan results"),
    (["scan-summary", "{tmp}/missing"], "no such folder"),
    (["import", "--scan", "{tmp}", "--db", "{tmp}/x.db"], "holds no scan results"),
    (["import", "{data}", "--scan", "{tmp}", "--db", "{tmp}/x.db"], "not both"),
    (["import", "--db", "{tmp}/x.db"], "nothing to import"),
])
def test_user_errors_are_one_line_with_exit_2(cli, baseline_dir, tmp_path, args, message):
    argv = [a.format(data=baseline_dir, tmp=tmp_path) for a in args]
    result = cli(*argv)
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0], result.output


def test_an_unreachable_scheduler_is_one_line_on_stderr_with_exit_2(baseline_dir, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "LITWATCH_DASK_CONNECT_TIMEOUT": "1"}
    proc = subprocess.run([sys.executable, "-m", "litwatch.cli", "scan", "msc-trials", "--files", str(baseline_dir),
                           "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "o")],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert proc.stderr.startswith("Error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
