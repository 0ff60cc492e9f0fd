"""The HTML report opens in headless Chromium (Debian's) without console errors; a screenshot is kept."""

from __future__ import annotations

import shutil

import pytest

from litwatch.report import render

from .conftest import ARTIFACTS

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
def test_html_opens_in_chromium_without_console_errors(digest, tmp_path, lang):
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / f"report.{lang}.html"
    page_file.write_bytes(render(digest, "html", lang))
    problems: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri())
            page.wait_for_load_state("load")
            assert page.locator("h1").inner_text() == digest.title(lang)
            assert page.locator("svg").count() >= 3
            assert page.locator("#references li").count() == len(digest.references)
            box = page.locator("#chart-months svg").bounding_box()
            assert box and box["width"] > 200 and box["height"] > 100
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"report-{lang}.png"), full_page=False)
            page.locator("#overview").screenshot(path=str(ARTIFACTS / f"report-{lang}-overview.png"))
        finally:
            browser.close()
    assert problems == []
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
