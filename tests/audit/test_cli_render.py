"""`litwatch audit` in-process on a real store file, and what a reader sees in the rendered audit."""

from __future__ import annotations

import json
import re
from pathlib import Path

from litwatch.audit import AuditOptions, audit, render

ARTICLES = Path(__file__).parent / "articles"


def test_cli_writes_html_and_prints_the_summary(cli, works_store, db_file, tmp_path):
    out = tmp_path / "audit.html"
    result = cli("audit", ARTICLES / "en-planted.md", "--db", db_file, "--offline", "-f", "html", "-o", out)
    assert result.exit_code == 0, result.output
    assert "References: 10, resolved 9" in result.output and "Wrote" in result.output
    page = out.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'lang="en"' in page
    assert "The DOI 10.1016/j.neuropharm.2023.109650 belongs to another work" in page


def test_cli_json_to_stdout_and_chinese_markdown(cli, works_store, db_file):
    result = cli("audit", ARTICLES / "zh-planted.txt", "--db", db_file, "--offline", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["article"]["lang"] == "zh-Hans" and len(data["references"]) == 9
    md = cli("audit", ARTICLES / "zh-planted.txt", "--db", db_file, "--offline", "--lang", "zh-Hant")
    assert md.exit_code == 0 and "參考文獻" in md.stdout and "把" in md.stdout


def test_cli_user_errors_are_one_line_with_exit_2(cli, db_file, tmp_path):
    for args in (("audit", tmp_path / "nope.txt", "--db", db_file, "--offline"),
                 ("audit", ARTICLES / "en-clean.html", "--db", db_file, "--offline", "-f", "pdf"),
                 ("audit", ARTICLES / "en-clean.html", "--db", db_file, "--offline", "--lang", "fr")):
        result = cli(*args)
        assert result.exit_code == 2, args
        assert result.output.strip().startswith("Error:") and len(result.output.strip().splitlines()) == 1


def test_everything_from_the_article_and_records_is_escaped(works_store, tmp_path):
    article = tmp_path / "evil.md"
    article.write_text("A <script>alert('x')</script> claim in *patients* [1].\n\nReferences\n\n"
                       "1. Tanaka H, Suzuki K, Sato M. Intranasal exosomes from bone marrow mesenchymal stem cells "
                       "relieve chronic social defeat stress-induced depression-like behaviour in mice <img src=x>. "
                       "Neuropharmacology. 2023;238:109650.\n", "utf-8")
    result = audit(article, works_store, AuditOptions(offline=True))
    html = render(result, "html", "en").decode()
    assert "<script>" not in html and "<img" not in html and "&lt;img src=x&gt;" in html
    md = render(result, "md", "en").decode()
    assert not re.search(r"(?<!\\)<(?:img|script)", md) and "\\<img src=x\\>" in md
    claim = result.claims[0]
    assert claim.verdict == "contradicted"  # people claimed for a mouse study, quoted under its sentence
    assert html.index("claim in") < html.index("Presents as evidence in people")


def test_render_takes_the_json_back(works_store):
    result = audit(ARTICLES / "en-clean.html", works_store, AuditOptions(offline=True))
    data = json.loads(render(result, "json"))
    assert render(data, "md", "en") == render(result, "md", "en")


def test_with_a_topic_the_papers_it_missed_and_the_topics_trials_are_listed(cli, works_store, db_file):
    from litwatch.screen import included_ids

    result = cli("audit", ARTICLES / "zh-clean.txt", "--db", db_file, "--offline", "-f", "json",
                 "--topic", "stem-cell-depression")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    cited = {r["resolved"]["record_id"] for r in data["references"]}
    missed = {p["record_id"] for p in data["coverage"]["missed"]["papers"]}
    included = set(included_ids(works_store, "stem-cell-depression"))
    trials = {rid for rid, _ in works_store.iter_records(kind="trial")}
    assert missed and missed == included - cited - trials
    assert works_store.resolve("39990005") in missed  # the bipolar-depression study nobody cited
    assert any(p["kind"] == "missed" for p in data["coverage"]["problems"])
