"""The README's main job end to end: one `litwatch report` command fetches, screens, annotates and
writes the report, against the loopback replay of the real service replies."""

from __future__ import annotations

import json

from litwatch.store import open_store


def test_report_command_does_the_whole_job_from_an_empty_store(replay, cli, tmp_path):
    server = replay()
    db, out = tmp_path / "litwatch.db", tmp_path / "report.json"
    result = cli("report", "stem-cell-depression", "--from", "2025-01", "--to", "2025-12",
                 "--format", "json", "-o", out, "--db", db)
    assert result.exit_code == 0, result.output + result.stderr
    with open_store(db) as store:
        kinds = {r["kind"]: r["status"] for r in store.runs(limit=None)}
        stored = store.count()
    assert kinds.get("fetch") == "ok" and kinds.get("report") == "ok"
    assert {"screen", "annotate"} <= kinds.keys()
    assert stored > 0 and server.hits()  # records really came over HTTP
    digest = json.loads(out.read_text())
    found = json.dumps(digest, ensure_ascii=False)
    assert "2025" in found
    # the flow of records names the live sources the records were identified in
    assert any(src in found for src in ("pubmed", "europepmc", "clinicaltrials"))

    # a second run finds the fetch done and does not ask the services again
    before = len(server.hits())
    again = cli("report", "stem-cell-depression", "--from", "2025-01", "--to", "2025-12",
                "--format", "md", "-o", tmp_path / "r.md", "--db", db)
    assert again.exit_code == 0 and len(server.hits()) == before
