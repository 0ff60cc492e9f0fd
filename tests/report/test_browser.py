"""The HTML report in headless Chromium (Debian's): no console errors, nothing off the page, table headers
that read as words (not one character per line), long titles that wrap, chart text at 9 pt or more in
print. Screenshots are kept under test-artifacts/screenshots/ for people to look at."""

from __future__ import annotations

import shutil

import pytest

from litwatch.report import render

from .conftest import ARTIFACTS

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PRINT_WIDTH = 673  # A4 less the report's 16 mm margins, in CSS px
SHOTS = ARTIFACTS / "screenshots"

_LAYOUT = """() => {
  const out = {overflow: document.documentElement.scrollWidth - window.innerWidth, headers: [], titles: [], fonts: []};
  for (const th of document.querySelectorAll('th')) {
    const text = th.textContent.trim();
    if (!text) continue;
    const range = document.createRange(); range.selectNodeContents(th);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    out.headers.push({text, lines: tops.size, width: th.getBoundingClientRect().width});
  }
  for (const h of document.querySelectorAll('.paper-title')) {
    out.titles.push({over: h.scrollWidth - h.clientWidth});
  }
  out.cells = [];
  for (const td of document.querySelectorAll('td')) {
    const over = td.scrollWidth - td.clientWidth;
    if (over > 1) out.cells.push({text: td.textContent.trim().slice(0, 40), over});
  }
  for (const svg of document.querySelectorAll('figure svg')) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) {
      out.fonts.push(parseFloat(t.getAttribute('font-size')) * scale);
    }
  }
  return out;
}"""


def _browser():
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    return sync_playwright()


def _check_layout(page, lang: str) -> dict:
    found = page.evaluate(_LAYOUT)
    assert found["overflow"] <= 1, f"{lang}: the page is {found['overflow']} px wider than the window"
    for h in found["headers"]:
        chars = len(h["text"].replace(" ", ""))
        # a header wraps at most once, and never down to one character a line
        assert h["lines"] <= 2 or h["lines"] < chars / 3, (lang, h)
        assert h["lines"] < max(chars, 2), (lang, h)
    assert all(t["over"] <= 1 for t in found["titles"]), (lang, found["titles"])
    assert not found["cells"], (lang, found["cells"][:5])  # no cell's text runs into its neighbour
    return found


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh-Hans", "zh-Hant"])
def test_report_pages_in_chromium(digest, genre_digest, tmp_path, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    requests: list[str] = []
    with _browser() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for name, d in (("cell-research", digest), ("stem-cell-depression", genre_digest)):
                page_file = tmp_path / f"{name}.{lang}.html"
                page_file.write_bytes(render(d, "html", lang))
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
                page.on("pageerror", lambda e: problems.append(str(e)))
                page.on("request", lambda r: requests.append(r.url))
                page.goto(page_file.as_uri())
                page.wait_for_load_state("load")
                assert page.locator("h1").inner_text() == d.title(lang)
                assert page.locator("#references li").count() == len(d.references)
                _check_layout(page, lang)
                page.screenshot(path=str(SHOTS / f"{name}.{lang}.screen.png"), full_page=False)
                page.locator("#months").screenshot(path=str(SHOTS / f"{name}.{lang}.months.png"))
                # print: the A4 text width, print styles
                page.set_viewport_size({"width": PRINT_WIDTH, "height": 950})
                page.emulate_media(media="print")
                found = _check_layout(page, lang)
                assert found["fonts"] and min(found["fonts"]) >= 12 - 0.01, (lang, min(found["fonts"]))  # 9 pt
                page.locator("#overview").screenshot(path=str(SHOTS / f"{name}.{lang}.print-overview.png"))
                if page.locator("table.trials").count():
                    page.locator("#trials").screenshot(path=str(SHOTS / f"{name}.{lang}.print-trials.png"))
                page.close()
        finally:
            browser.close()
    assert problems == []
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
