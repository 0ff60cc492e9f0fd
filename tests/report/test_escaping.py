"""Text from records is shown as text: a title with <script>, <img onerror> or a javascript: link
cannot add markup or a link to the Markdown, HTML or PDF report; links are http(s) only."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from litwatch.records import AbstractSection, Author, DateValue, Ids, Journal, Record, Trial
from litwatch.report import ReportOptions, build, render

from .conftest import GENERATED

HOSTILE_TITLE = ('<script>alert(1)</script> Stem cells [click](javascript:alert(2)) <img src=x onerror=alert(3)> '
                 '*bold* _em_ `code` | pipe')


@pytest.fixture(scope="module")
def hostile_digest(tmp_path_factory, topic):
    from litwatch.screen import record_decision, update_screening
    from litwatch.store import open_store

    store = open_store(tmp_path_factory.mktemp("hostile") / "h.db")
    paper = Record(
        ids=Ids(pmid="91000099", doi="10.5555/x\"onmouseover=\"alert(5)"),
        title=HOSTILE_TITLE,
        abstract=[AbstractSection("# Not a heading. Mesenchymal stem cells [x](javascript:alert(4)) reduced IL-6 "
                                  "in cultured cells <iframe src=javascript:alert(6)>.", "RESULTS", "RESULTS")],
        authors=[Author(family="Doe", affiliations=["<b>Evil University</b>, Nowhere"])],
        journal=Journal(title="<i>Journal</i> of [Things](javascript:alert(7))"),
        dates={"electronic": DateValue("2015-08-10")},
    )
    trial = Record(
        kind="trial", ids=Ids(nct="NCT09999999"), title="<script>alert(8)</script> mesenchymal stem cell trial",
        trial=Trial(status="RECRUITING", phase="PHASE1", sponsor="<b>Sponsor</b>", url="javascript:alert(9)",
                    countries=["<Narnia>"]),
        dates={"first_posted": DateValue("2015-09-01")},
    )
    ids = store.upsert([paper, trial]).record_ids
    update_screening(store, topic)
    for rid in ids:
        record_decision(store, topic.name, rid, "include", by="tester")
    from litwatch.annotate import annotate_store

    annotate_store(store, topic)
    d = build(topic, ("2015-07", "2015-12"), ReportOptions(generated_at=GENERATED), store=store)
    store.close()
    return d


def _links_and_tags(html: str) -> tuple[list[str], list[str]]:
    doc = lxml_html.fromstring(html)
    return [a.get("href") for a in doc.iter("a") if a.get("href")], [el.tag for el in doc.iter() if isinstance(el.tag, str)]


@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
def test_markdown_shows_record_markup_as_text(hostile_digest, lang):
    md = render(hostile_digest, "md", lang).decode()
    import re

    assert "<script" not in md and "<img" not in md and "<iframe" not in md
    assert not re.search(r"(?<!\\)\]\(javascript:", md)  # only the escaped, inert form appears
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md and "\\[click\\](javascript:alert(2))" in md
    as_html = MarkdownIt("commonmark").enable("table").render(md)
    hrefs, tags = _links_and_tags(f"<div>{as_html}</div>")
    assert not {"script", "img", "iframe", "b", "i"} & set(tags)
    assert all(h.startswith(("https://", "http://", "#")) for h in hrefs), hrefs
    text = lxml_html.fromstring(f"<div>{as_html}</div>").text_content()
    assert "<script>alert(1)</script> Stem cells [click](javascript:alert(2))" in text  # the reader sees the title
    assert "*bold* _em_ `code` | pipe" in text


@pytest.mark.parametrize("fmt", ["html"])
def test_html_shows_record_markup_as_text_and_links_only_http(hostile_digest, fmt):
    html = render(hostile_digest, fmt, "en").decode()
    hrefs, tags = _links_and_tags(html)
    assert "script" not in tags and "iframe" not in tags and "img" not in tags
    assert all(h.startswith(("https://", "http://", "#")) for h in hrefs), hrefs
    assert not any("javascript" in h for h in hrefs)
    assert not any('"' in h for h in hrefs)  # a quote in a DOI cannot close the attribute
    doc = lxml_html.fromstring(html)
    assert all(not any(k.startswith("on") for k in el.attrib) for el in doc.iter() if isinstance(el.tag, str))
    assert HOSTILE_TITLE in doc.text_content()


def test_pdf_keeps_the_title_as_text(hostile_digest, tmp_path):
    import subprocess

    path = tmp_path / "h.pdf"
    path.write_bytes(render(hostile_digest, "pdf", "en"))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout.decode()
    assert "<script>alert(1)</script>" in " ".join(text.split())
