"""render(): every format in every language, written to test-artifacts/reports/ for people to look at."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile

import pytest
from lxml import etree

from litwatch.errors import UsageError
from litwatch.report import FORMATS, default_filename, render
from litwatch.report.dates import format_date, format_period
from litwatch.report.texts import LANGS

from .conftest import PERIOD

TITLES = {
    "en": "Stem cells and cancer cells: test progress report",
    "zh-Hans": "干细胞与癌细胞：测试研究进展报告",
    "zh-Hant": "幹細胞與癌細胞：測試研究進展報告",
    "zh-Hant-HK": "幹細胞與癌細胞：測試研究進展報告",
}
from .conftest import MAIN  # noqa: E402  (every format in these; zh-Hant-HK in the text formats)


@pytest.mark.parametrize("lang", MAIN)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_and_language_renders(rendered, fmt, lang):
    data, path = rendered[(fmt, lang)]
    assert len(data) > 1000 and path.exists()
    if fmt in ("md", "html", "json", "atom"):
        assert TITLES[lang] in data.decode("utf-8")


def test_hong_kong_chinese_uses_hong_kong_forms(rendered):
    hk = rendered[("md", "zh-Hant-HK")][0].decode()
    tw = rendered[("md", "zh-Hant")][0].decode()
    assert TITLES["zh-Hant-HK"] in hk and "参考文献" not in hk
    assert hk != tw  # s2hk and s2twp differ (e.g. 臨牀 / 臨床)


@pytest.mark.parametrize("lang", MAIN)
def test_pdf_text_is_extractable_and_holds_the_title(rendered, lang, tmp_path):
    _, path = rendered[("pdf", lang)]
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    flat = re.sub(r"\s+", "", text.decode("utf-8"))
    assert re.sub(r"\s+", "", TITLES[lang]) in flat
    assert "PRISMA" in flat


def test_markdown_months_in_order_with_numbered_quotes(rendered, digest):
    from litwatch.report.render_md import md_text

    md = rendered[("md", "en")][0].decode()
    months = re.findall(r"^### (\w+ 2015|2015, month not known)$", md, re.M)
    shown = [f"{m} 2015" for m in ("July", "August", "September", "October", "November", "December")
             if any(s.count for s in digest.months if s.month == "2015-" + {"July": "07", "August": "08",
                    "September": "09", "October": "10", "November": "11", "December": "12"}[m])]
    assert months == shown + ["2015, month not known"]
    cited = [int(n) for n in re.findall(r"^#### \\\[(\d+)\\\]", md, re.M)]
    assert cited == list(range(1, len(digest.references) + 1))
    for q in digest.provenance["quotes"]:
        assert f"> “{md_text(q['text'])}”" in md


def test_html_is_self_contained(rendered):
    html = rendered[("html", "en")][0].decode()
    assert "<style>" in html and html.count("<svg") >= 3
    assert not re.search(r'<(?:script|link|img)[^>]+(?:src|href)="https?://', html)
    assert "@media print" in html
    assert 'id="provenance"' in html


def test_html_references_link_each_citation(rendered, digest):
    html = rendered[("html", "en")][0].decode()
    for ref in digest.references:
        assert f'id="ref-{ref["number"]}"' in html
        assert f'href="#ref-{ref["number"]}"' in html


def test_reference_styles(digest):
    vancouver = render(digest, "md", "en").decode()
    apa = render(digest, "md", "en", style="apa").decode()
    gbt = render(digest, "md", "zh-Hans").decode()
    ref = digest.references[0]["csl"]
    year = str(ref["issued"]["date-parts"][0][0])
    assert f"({year})." in apa.split("## References")[1]
    assert "\\[J\\]" in gbt or "\\[J/OL\\]" in gbt
    if ref.get("PMID"):
        for text in (vancouver, apa, gbt):
            assert f"PMID: {ref['PMID']}" in text
    with pytest.raises(UsageError):
        render(digest, "md", "en", style="chicago")


def test_json_is_the_digest_with_formatted_references(rendered, digest):
    data = json.loads(rendered[("json", "zh-Hans")][0])
    assert data["schema"] == "litwatch.digest/2"
    assert data["period"]["months"][0] == PERIOD[0]
    assert data["rendered"]["style"] == "gb-t-7714"
    assert len(data["rendered"]["references"]) == len(digest.references)


def test_atom_has_one_entry_per_included_paper(rendered, digest):
    root = etree.fromstring(rendered[("atom", "en")][0])
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == digest.included
    assert root.findtext("a:title", namespaces=ns).startswith(TITLES["en"])


def test_docx_has_headings_tables_and_pictures(rendered):
    from docx import Document

    data = rendered[("docx", "zh-Hans")][0]
    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    assert TITLES["zh-Hans"] in texts
    assert "参考文献" in texts
    assert len(doc.tables) >= 3
    assert len(doc.inline_shapes) == 3  # PRISMA flow, monthly chart, evidence map
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert any(n.startswith("word/media/") and n.endswith(".png") for n in names)


def test_traditional_chinese_is_converted_with_taiwan_forms(rendered):
    md = rendered[("md", "zh-Hant")][0].decode()
    assert "參考文獻" in md and "参考文献" not in md
    # OpenCC s2twp: the forms Taiwan writes, not the mainland's traditional variants
    for taiwan, mainland in (("臨床", "臨牀"), ("為", "爲"), ("核對", "覈對")):
        assert taiwan in md and mainland not in md, taiwan


_HALF_AFTER_HAN = re.compile(r"[\u4e00-\u9fff][,.;:?!()](?=\s|[\u4e00-\u9fff]|$)")


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_chinese_editions_use_chinese_punctuation_and_journal_marks(rendered, digest, lang):
    md = rendered[("md", lang)][0].decode()
    html = rendered[("html", lang)][0].decode()
    months = md.split("## 按月進展" if lang == "zh-Hant" else "## 按月进展")[1].split("## ")[0]
    assert not re.search(r"\d+年\d+月\d*日?\. ", md)  # no "2015年8月. ..."
    assert not _HALF_AFTER_HAN.search(re.sub(r"\(<https?://[^>]*>\)", "", months)), _HALF_AFTER_HAN.search(months)
    journals = {p.journal for p in digest.papers() if p.journal}
    assert journals and all(f"《{j}》" in html.replace("&amp;", "&") for j in journals if j in html)
    from litwatch.report.texts import t

    trials = md.split("## " + t("section.trials", lang))[1].split("\n## ")[0]
    rows = [[c.strip() for c in ln.strip("|").split(" | ")] for ln in trials.splitlines() if ln.startswith("| ")]
    assert rows
    for cells in rows:  # header, phase, status and the countries the table knows: in the report's language
        assert not re.search(r"[A-Za-z]{3,}", re.sub(r"\b[IV]+\b", "", " ".join(cells[2:4]))), cells
        assert "United States" not in cells[6] and "China" not in cells[6]
    assert not re.search(r"[A-Za-z]{3,}", " ".join(rows[0]).replace("NCT", ""))


def test_dates_per_language():
    assert format_date("2025-01-07", "en") == "7 January 2025"
    assert format_date("2025-01-07", "zh-Hans") == "2025年1月7日"
    assert format_date("2025-01", "zh-Hant", "month") == "2025年1月"
    assert format_period("2025-01", "2025-12", "en") == "January 2025 – December 2025"


def test_user_templates_dir_overrides_one_template(digest, tmp_path, monkeypatch):
    (tmp_path / "report.css").write_text("body { color: rebeccapurple; }", encoding="utf-8")
    monkeypatch.setenv("LITWATCH_TEMPLATES_DIR", str(tmp_path))
    html = render(digest, "html", "en").decode()
    assert "rebeccapurple" in html and 'id="provenance"' in html


def test_unknown_format_and_language_are_usage_errors(digest):
    with pytest.raises(UsageError):
        render(digest, "rtf", "en")
    with pytest.raises(UsageError):
        render(digest, "md", "fr")
