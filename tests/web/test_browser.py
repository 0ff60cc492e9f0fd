"""The web app in Debian's headless Chromium against a real uvicorn server: log in, screen ten
records with the keyboard, see a conflict and settle it, build and publish a report, open it as
an anonymous reader under --public-read. Screenshots go to test-artifacts/."""

from __future__ import annotations

import shutil

import pytest

from litwatch.screen import decisions_for, team
from litwatch.store import open_store

from .conftest import ARTIFACTS, PASSWORDS, TOPIC

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture()
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


class Watch:
    """Console errors (a CSP violation is one), page errors and every address the page asked for."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.requests: list[str] = []

    def attach(self, page) -> None:
        page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))


def _page(browser, watch: Watch):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    watch.attach(page)
    return page


def _log_in(page, url: str, name: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORDS[name])
    page.click("#login button[type=submit]")
    page.wait_for_url(f"{url}/")


def _next_record(page, rid: int) -> None:
    # a CSS wait: the page's CSP rightly forbids the eval that wait_for_function would need
    page.wait_for_selector(f'#current:not([data-record="{rid}"]), #done')


def _current(page) -> int:
    return int(page.get_attribute("#current", "data-record"))


@pytest.mark.browser
def test_a_team_screens_settles_a_conflict_and_publishes(browser, live, db):
    ARTIFACTS.mkdir(exist_ok=True)
    server = live()
    watch = Watch()

    # ana logs in, looks at the topic and screens ten records with the keyboard only
    ana = _page(browser, watch)
    _log_in(ana, server.url, "ana")
    ana.goto(f"{server.url}/topics/{TOPIC}")
    ana.screenshot(path=str(ARTIFACTS / "web-topic.png"), full_page=True)
    ana.click("#start-screening")
    ana.wait_for_selector("#current")
    ana.screenshot(path=str(ARTIFACTS / "web-screening.png"), full_page=False)
    decided: dict[int, str] = {}
    for i in range(10):
        rid = _current(ana)
        if i == 2:  # n: write a note, Esc leaves the field, then decide
            ana.keyboard.press("n")
            ana.keyboard.type("dose not stated")
            ana.keyboard.press("Escape")
        key = "i" if i % 3 != 1 else "e"
        ana.keyboard.press(key)
        _next_record(ana, rid)
        decided[rid] = "include" if key == "i" else "exclude"
    skipped = _current(ana)
    ana.keyboard.press("s")  # skip: the next record comes, nothing is stored
    _next_record(ana, skipped)
    last = list(decided)[-1]
    with ana.expect_navigation():
        ana.keyboard.press("u")  # undo the last decision: it is hers to decide again
    del decided[last]
    with open_store(db) as s:
        mine = {rid: r for rid, revs in team.reviews(s, TOPIC).items() for who, r in revs.items() if who == "ana"}
    assert {rid: r.label for rid, r in mine.items()} == decided and len(decided) == 9
    assert [r.note for r in mine.values() if r.note] == ["dose not stated"]

    # bo screens the first of them the other way: a conflict
    first = next(iter(decided))
    bo = _page(browser, watch)
    _log_in(bo, server.url, "bo")
    bo.goto(f"{server.url}/topics/{TOPIC}/screen")
    assert _current(bo) == first
    bo.select_option("#reason", index=1)
    bo.keyboard.press("e" if decided[first] == "include" else "i")
    _next_record(bo, first)

    # the lead sees the conflict and settles it; the effective decision is then the lead's
    lead = _page(browser, watch)
    _log_in(lead, server.url, "lead")
    lead.goto(f"{server.url}/topics/{TOPIC}/conflicts")
    box = lead.locator(f"#conflict-{first}")
    assert "ana" in box.inner_text() and "bo" in box.inner_text()
    lead.screenshot(path=str(ARTIFACTS / "web-conflicts.png"), full_page=True)
    box.locator("input[name=reason]").fill("MSC treatment in a depression model")
    box.locator("button[value=include]").click()
    lead.wait_for_selector("#no-conflicts")
    lead.goto(f"{server.url}/records/{first}?topic={TOPIC}")
    assert lead.inner_text("#effective") == "include" and lead.inner_text("#effective-by") == "lead"
    with open_store(db) as s:
        d = decisions_for(s, TOPIC, [first])[first]
    assert (d.label, d.by) == ("include", "lead")

    # the lead builds the report, watches it being built, previews and publishes it
    lead.goto(f"{server.url}/reports")
    lead.select_option("#build select[name=topic]", TOPIC)
    lead.fill("#build input[name=date_from]", "2015-07")
    lead.fill("#build input[name=date_to]", "2015-12")
    lead.click("#build button[type=submit]")
    # the page polls the job's JSON twin and shows its progress until it is done
    lead.wait_for_selector("#job-status.s-ok, #job-status.s-failed", timeout=240_000)
    assert lead.inner_text("#job-status") == "ok", lead.inner_text("#job-error")
    assert lead.locator("#job-events li").count() >= 3
    lead.click("#job-result")
    lead.wait_for_selector("#publish")
    lead.click("#publish button")
    lead.wait_for_url(f"{server.url}/reports/{TOPIC}/2015-07_2015-12/1")
    title = lead.inner_text("h1")
    assert title

    # an anonymous reader opens it at its stable address under --public-read
    public = live(public_read=True)
    reader = _page(browser, watch)
    reader.goto(f"{public.url}/reports")
    reader.click("#published a")
    reader.wait_for_url(f"{public.url}/reports/{TOPIC}/2015-07_2015-12/1")
    assert reader.inner_text("h1") == title and reader.locator("svg").count() >= 1
    reader.screenshot(path=str(ARTIFACTS / "web-published-report.png"), full_page=False)
    reader.goto(f"{public.url}/records/{first}")
    assert "Screening" not in reader.inner_text("main")  # the team's decisions are not public
    reader.goto(f"{public.url}/topics/{TOPIC}/screen")
    assert reader.url.startswith(f"{public.url}/login")

    assert watch.problems == []
    assert all(u.startswith(("http://127.0.0.1:", "data:")) for u in watch.requests), \
        [u for u in watch.requests if not u.startswith("http://127.0.0.1:")]


@pytest.mark.browser
def test_a_script_in_a_title_stays_text_in_the_browser(browser, live, db):
    server = live(public_read=True)
    watch = Watch()
    page = _page(browser, watch)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with open_store(db) as s:
        rid = s.resolve("91000001")
    page.goto(f"{server.url}/records/{rid}")
    assert page.inner_text("#record-title").startswith("<script>alert(1)</script>")
    assert "<img src=x onerror=alert(2)>" in page.inner_text("#abstract")
    page.goto(f"{server.url}/records?q=sucrose")
    page.wait_for_load_state("load")
    assert dialogs == [] and watch.problems == []
    page.screenshot(path=str(ARTIFACTS / "web-records-escaped.png"), full_page=False)
