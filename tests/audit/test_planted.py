"""Articles of our own, in English and Chinese, with planted errors of every kind, and clean ones.

Each planted error is named by where it is (a reference number, a phrase of the sentence, or the
article as a whole) and the kind of problem that must be reported there. Clean articles cite the
same works correctly and must raise no error-severity problem.
"""

from __future__ import annotations

import json

import docx
import pytest

from pathlib import Path
from litwatch.audit import AuditOptions, audit, render

ARTICLES = Path(__file__).parent / "articles"

PLANTED_EN = [
    ("ref", 1, "doi"), ("ref", 2, "missing-doi"), ("ref", 3, "journal"), ("ref", 3, "corrected"), ("ref", 4, "author"),
    ("ref", 4, "year"), ("ref", 5, "retracted"), ("ref", 6, "volume"), ("ref", 7, "pages"), ("ref", 8, "preprint"),
    ("ref", 9, "unresolved"), ("ref", 10, "placeholder"),
    ("claim", "safe and effective", "uncited"), ("claim", "Several clinical trials", "uncited"),
    ("claim", "Peking University", "institution"), ("claim", "The Lancet", "journal"), ("claim", "3 March 2024", "date"),
    ("claim", "In patients with depression", "design"), ("claim", "in rats", "species"),
    ("claim", "chronic restraint stress", "model"), ("claim", "adipose-derived stem cells in this study", "intervention"),
    ("claim", "as a new treatment", "relation"), ("claim", "relieved depression in monkeys", "condition"),
    ("claim", "have proven", "overgeneralisation"),
    ("article", None, "period"), ("article", None, "trials"),
]
PLANTED_ZH = [
    ("ref", 1, "volume"), ("ref", 2, "missing-doi"), ("ref", 3, "year"), ("ref", 4, "author"), ("ref", 5, "retracted"),
    ("ref", 6, "pages"), ("ref", 8, "placeholder"), ("ref", 9, "unresolved"),
    ("claim", "安全有效，已被证实", "uncited"), ("claim", "多项临床试验正在进行", "uncited"),
    ("claim", "北京大学", "institution"), ("claim", "《柳叶刀》", "journal"), ("claim", "抑郁症患者经鼻", "design"),
    ("claim", "慢性束缚应激大鼠", "species"), ("claim", "慢性束缚应激大鼠", "model"), ("claim", "脂肪干细胞。", "intervention"),
    ("claim", "作为治疗重度抑郁症的新疗法", "relation"), ("claim", "猴子的抑郁症状", "condition"), ("claim", "7月30日", "date"),
    ("claim", "一致表明", "overgeneralisation"), ("article", None, "period"), ("article", None, "trials"),
]


def _found(result, where, key, kind) -> bool:
    if where == "ref":
        ref = next(r for r in result.references if r.n == key)
        return any(p.kind == kind for p in ref.problems)
    if where == "claim":
        claims = [c for c in result.claims if key in c.text]
        assert claims, f"no claim contains {key!r}"
        return any(p.kind == kind for c in claims for p in c.problems)
    return any(p["kind"] == kind for p in result.coverage["problems"])


@pytest.mark.parametrize("name, planted", [("en-planted.md", PLANTED_EN), ("zh-planted.txt", PLANTED_ZH)])
def test_planted_errors_are_found(works_store, name, planted):
    result = audit(ARTICLES / name, works_store, AuditOptions(offline=True))
    missed = [p for p in planted if not _found(result, *p)]
    assert not missed, f"planted errors not found in {name}: {missed}"


def test_planted_errors_carry_the_severities_a_reader_needs(works_store):
    result = audit(ARTICLES / "en-planted.md", works_store, AuditOptions(offline=True))
    by_ref = {r.n: {(p.kind, p.severity) for p in r.problems} for r in result.references}
    assert ("doi", "error") in by_ref[1] and ("retracted", "error") in by_ref[5]
    assert ("unresolved", "warning") in by_ref[9]  # offline: only the store was asked
    wrong_doi = next(p for p in result.references[0].problems if p.kind == "doi")
    assert "10.1016/j.jad.2024.01.105" in wrong_doi.message  # the DOI the cited work really has
    assert result.references[0].resolved["ids"]["pmid"] == "39990001"
    claim = next(c for c in result.claims if "In patients with depression" in c.text)
    assert claim.verdict == "contradicted" and claim.evidence and claim.evidence[0]["record_id"]


def test_a_sentence_citing_different_works_is_checked_clause_by_clause(works_store):
    result = audit(ARTICLES / "en-planted.md", works_store, AuditOptions(offline=True))
    claim = next(c for c in result.claims if c.text.startswith("Neural stem cells improved mood"))
    assert claim.refs == [5, 8, 10]
    assert not [p for p in claim.problems if p.kind == "intervention"]  # "neural stem cells" belongs to [5]


def _docx_from_lines(path, lines):
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))


@pytest.mark.parametrize("name", ["en-clean.html", "zh-clean.txt", "zh-clean.docx"])
def test_clean_articles_raise_no_error(works_store, tmp_path, name):
    path = ARTICLES / name
    if name.endswith(".docx"):
        path = tmp_path / name
        _docx_from_lines(path, (ARTICLES / "zh-clean.txt").read_text("utf-8").splitlines())
    result = audit(path, works_store, AuditOptions(offline=True))
    errors = [(p.kind, p.message) for p in result.all_problems() if p.severity == "error"]
    assert not errors
    assert all(r.resolved for r in result.references)
    assert result.counts()["verdicts"]["supported"] >= 4
    assert not [c for c in result.claims if c.verdict in ("contradicted", "unsupported")]


def test_the_json_has_the_shape_other_tools_read(works_store):
    result = audit(ARTICLES / "zh-planted.txt", works_store, AuditOptions(offline=True))
    data = json.loads(render(result, "json"))
    assert list(data) == ["article", "references", "claims", "coverage"]
    ref = data["references"][0]
    assert {"n", "text", "parsed", "resolved", "problems"} <= set(ref)
    assert {"authors", "title", "journal", "year", "volume", "pages", "doi"} <= set(ref["parsed"])
    assert {"record_id", "score"} <= set(ref["resolved"])
    assert set(data["references"][8]) >= {"resolved"} and data["references"][8]["resolved"] is None
    claim = next(c for c in data["claims"] if c["problems"])
    assert {"text", "refs", "location", "verdict", "problems", "evidence"} <= set(claim)
    assert {"start", "end", "line"} <= set(claim["location"])
    assert {"kind", "severity", "message"} <= set(claim["problems"][0])
    text = result.article["source"] and (ARTICLES / "zh-planted.txt").read_text("utf-8")
    loc = claim["location"]
    assert text[loc["start"]:loc["end"]] == claim["text"]
    assert {"period", "trials", "missed", "problems"} <= set(data["coverage"])
    assert data["coverage"]["trials"]["candidates"][0]["nct"] == "NCT05999998"
