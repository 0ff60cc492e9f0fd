"""One real store for the web tests: the 2016 MEDLINE sample plus a few records written here
(one with a script in its title, one with a javascript: link), screened with the
stem-cell-depression rules and annotated once per session; every test gets its own copy.
Users: lead (admin), ana and bo (reviewers), rita (reader)."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest


def pytest_configure(config):
    # starlette's TestClient asks for a package this project does not use; the advice is not a fault
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx` with `starlette.testclient`")

from litwatch.records import AbstractSection, DateValue, Ids, Provenance, Record, Trial

TOPIC = "stem-cell-depression"
PASSWORDS = {"lead": "lead-passphrase", "ana": "ana-passphrase", "bo": "bo-passphrase", "rita": "rita-passphrase"}
ROLES = {"lead": "admin", "ana": "reviewer", "bo": "reviewer", "rita": "reader"}
XSS_TITLE = "<script>alert(1)</script> Umbilical cord MSC exosomes relieve depression-like behaviour in mice"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _rec(pmid: str, title: str, abstract: str, month: str = "2015-10", **extra) -> Record:
    return Record(ids=Ids(pmid=pmid), title=title, abstract=[AbstractSection(abstract)],
                  dates={"electronic": DateValue(f"{month}-01")},
                  provenance=[Provenance(source="pubmed", origin="web test fixture")], **extra)


# written for these tests: short abstracts in the shape of the topic's real papers
OWN_RECORDS = [
    _rec("91000001", XSS_TITLE,
         "Exosomes from human umbilical cord mesenchymal stem cells were given intranasally to mice under chronic "
         "unpredictable mild stress. <img src=x onerror=alert(2)> Sucrose preference recovered and immobility in "
         "the forced swim test fell compared with vehicle."),
    _rec("91000002", "Bone marrow mesenchymal stem cells reverse depressive behaviour after chronic social defeat in rats",
         "Rats exposed to chronic social defeat stress received intravenous bone marrow mesenchymal stem cells. "
         "Depression-like behaviour in the forced swim test improved and hippocampal BDNF rose."),
    _rec("91000003", "Adipose-derived stem cell secretome as an antidepressant in a mouse model of depression",
         "Conditioned medium of adipose-derived mesenchymal stem cells reduced depressive-like behaviour in mice "
         "after lipopolysaccharide injection, and microglial activation fell."),
    _rec("91000004", "Mesenchymal stromal cell infusion for treatment-resistant depression: an open-label pilot",
         "Ten patients with treatment-resistant major depressive disorder received allogeneic mesenchymal stromal "
         "cells intravenously. Depression scores fell at week 12 and no serious adverse event occurred.",
         month="2015-11"),
    _rec("91000005", "Extracellular vesicles from MSCs ease post-stroke depression in rats",
         "Extracellular vesicles derived from mesenchymal stem cells were injected after middle cerebral artery "
         "occlusion; post-stroke depression-like behaviour improved in the sucrose preference test.",
         month="2015-12"),
    _rec("91000006", "Neural stem cell grafts and hippocampal neurogenesis in a rat depression model",
         "Transplanted neural stem cells restored hippocampal neurogenesis and reduced depression-like behaviour "
         "in rats under chronic mild stress.", month="2015-12"),
    Record(kind="trial", ids=Ids(nct="NCT09999991"), title="Stem cells for major depression (a trial whose link is not a web address)",
           abstract=[AbstractSection("Mesenchymal stem cells for patients with major depressive disorder.")],
           dates={"first_posted": DateValue("2015-09-01")},
           trial=Trial(status="RECRUITING", phase="PHASE1", conditions=["Major Depressive Disorder"],
                       interventions=["Mesenchymal stem cells"], url="javascript:alert(3)"),
           provenance=[Provenance(source="clinicaltrials", origin="web test fixture")]),
]


@pytest.fixture(scope="session")
def web_db(tmp_path_factory, shared_data: Path) -> Path:
    from litwatch.accounts import add_user
    from litwatch.annotate import annotate_store
    from litwatch.ingest import import_files
    from litwatch.screen import update_screening
    from litwatch.store import open_store

    path = tmp_path_factory.mktemp("web") / "web.db"
    with open_store(path) as store:
        import_files(store, [shared_data / "pubmed" / "medline16n0902.xml.gz"])
        store.upsert(OWN_RECORDS)
        update_screening(store, TOPIC)
        annotate_store(store, TOPIC)
        for name, role in ROLES.items():
            add_user(store, name, role, PASSWORDS[name])
    return path


@pytest.fixture()
def db(web_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "web.db"
    shutil.copy(web_db, copy)
    return copy


@pytest.fixture()
def make_app(db: Path, tmp_path: Path):
    from litwatch.web import WebSettings, create_app

    def make(**settings):
        return create_app(WebSettings(db=db, work_dir=tmp_path / "work", **settings))

    return make


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def log_in(client, name: str, password: str | None = None):
    """Log `name` in on a TestClient/httpx client; returns the page's CSRF token after login."""
    page = client.get("/login")
    r = client.post("/login", data={"name": name, "password": password or PASSWORDS[name],
                                    "csrf_token": csrf_of(page.text), "next": "/"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/records").text)


@pytest.fixture()
def client_for(make_app):
    """client_for("ana") -> (TestClient logged in as ana, her CSRF token); client_for(None): anonymous."""
    from fastapi.testclient import TestClient

    apps: dict = {}
    made = []

    def make(name: str | None, base_url: str = "http://testserver", **settings):
        key = tuple(sorted(settings.items()))
        if key not in apps:
            apps[key] = make_app(**settings)
        c = TestClient(apps[key], base_url=base_url)
        c.__enter__()
        made.append(c)
        token = log_in(c, name) if name else None
        return c, token

    yield make
    for c in made:
        c.__exit__(None, None, None)


class LiveServer:
    """The app under a real uvicorn server on 127.0.0.1, in a thread."""

    def __init__(self, app) -> None:
        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def client(self, name: str | None = None) -> tuple[httpx.Client, str | None]:
        c = httpx.Client(base_url=self.url, timeout=30)
        return c, (log_in(c, name) if name else None)


@pytest.fixture()
def live(make_app):
    servers = []

    def start(**settings) -> LiveServer:
        s = LiveServer(make_app(**settings)).__enter__()
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.__exit__(None, None, None)
