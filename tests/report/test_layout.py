"""The PDF report on its rendered pages (poppler): nothing runs into the margins, no text is smaller
than the 9 pt page number (charts included), table headers stay whole words in Chinese, long titles
wrap. Page images are kept under test-artifacts/pages/ for people to look at."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from litwatch.report.texts import t

from .conftest import ARTIFACTS, MAIN

MARGIN_PT = 16 / 25.4 * 72  # the report's left and right page margins
PAGES = ARTIFACTS / "pages"


def _words(pdf: Path) -> list[tuple[int, float, float, float, float, float, str]]:
    """(page, page width, xMin, yMin, xMax, yMax, text) of every word pdftotext finds."""
    xml = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    root = etree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", xml))
    out = []
    for n, page in enumerate(root.iter("{*}page"), 1):
        width = float(page.get("width"))
        for w in page.iter("{*}word"):
            out.append((n, width, float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")),
                        float(w.get("yMax")), w.text or ""))
    return out


def _check_pages(pdf: Path, name: str, lang: str) -> list[tuple]:
    words = _words(pdf)
    assert words
    # nothing crosses into the left or right margin (1 pt for rounding)
    over = [w for w in words if w[2] < MARGIN_PT - 1 or w[4] > w[1] - MARGIN_PT + 1]
    assert not over, over[:5]
    # no text below 9 pt, the charts' rotated labels included (poppler reports every font size used,
    # in whole points at zoom 1; the browser test checks the exact size of the chart text)
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", "-q", "-zoom", "1", str(pdf)],
                         capture_output=True, check=True).stdout.decode("utf-8", "replace")
    sizes = [int(x) for x in re.findall(r'<fontspec id="\d+" size="(\d+)"', xml)]
    assert sizes and min(sizes) >= 9, sorted(set(sizes))[:5]
    # page images, rendered as a reader sees them: the right margin is blank paper
    PAGES.mkdir(parents=True, exist_ok=True)
    prefix = PAGES / f"{name}.{lang}"
    for old in PAGES.glob(f"{name}.{lang}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(prefix)], check=True)
    from PIL import Image

    images = sorted(PAGES.glob(f"{name}.{lang}-*.png"))
    assert len(images) == max(w[0] for w in words)
    for image in images:
        im = Image.open(image).convert("L")
        strip = im.crop((im.width - int(im.width * 10 / 210), 0, im.width, int(im.height * 0.92)))
        assert strip.getextrema()[0] > 200, f"ink in the right margin of {image.name}"
    return words


@pytest.mark.parametrize("lang", MAIN)
def test_test_profile_pdf_pages_fit(rendered, lang):
    """Months, a six-month chart, a long trials table with English titles and Chinese headers."""
    words = _check_pages(rendered[("pdf", lang)][1], "cell-research", lang)
    if lang != "en":
        found = {w[6] for w in words}
        for key in ("title", "phase", "status", "enrollment", "start"):
            label = t(f"trials.{key}", lang)
            assert label in found, (label, "the header broke inside the word")


@pytest.mark.parametrize("lang", MAIN)
def test_default_topic_pdf_pages_fit(genre_rendered, lang):
    _check_pages(genre_rendered[("pdf", lang)][1], "stem-cell-depression", lang)


def test_a_long_period_chart_fits_by_year(report_db, topic, tmp_path):
    from litwatch.report import ReportOptions, build, render
    from litwatch.store import open_store

    with open_store(report_db) as store:
        d = build(topic, ("2010-01", "2017-12"), ReportOptions(generated_at="2025-06-01T08:00:00+00:00"), store=store)
    svg = render(d, "html", "en").decode().split('id="chart-months">')[1].split("</svg>")[0]
    width = float(re.search(r'width="(\d+)"', svg).group(1))
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert width <= 660 and min(sizes) >= 12  # never scaled down on an A4 page: 12 px = 9 pt
    assert svg.count("<rect") >= 8 and "2010" in svg and "2017" in svg
