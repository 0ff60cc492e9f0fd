"""Routes of the web app on a real store file (FastAPI's TestClient): pages and their JSON twins,
templates overridden from a user folder, security (headers, escaping, CSRF, roles, cookies, rate
limit, public read), screening together, runs and reports."""

from __future__ import annotations

import re

import pytest

from litwatch.screen import decisions_for, team
from litwatch.store import open_store

from .conftest import PASSWORDS, TOPIC, XSS_TITLE, csrf_of


def _record_id(db, pmid: str) -> int:
    with open_store(db) as s:
        return s.resolve(pmid)


# -- pages and JSON twins ------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", f"/topics/{TOPIC}", "/records", "/records/1", f"/topics/{TOPIC}/screen",
                                  f"/topics/{TOPIC}/conflicts", "/reports", "/runs", "/audit", "/users"])
def test_every_page_has_a_json_twin(client_for, path):
    c, _ = client_for("lead")
    html = c.get(path)
    twin = c.get(path.rstrip("/") + ".json" if path != "/" else "/.json")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert twin.status_code == 200 and twin.headers["content-type"].startswith("application/json")
    data = twin.json()
    assert "title" in data and "csrf_token" not in twin.text
    assert f'href="{path.rstrip("/") + ".json" if path != "/" else "/.json"}' in html.text  # the page links its twin


def test_topic_page_shows_counts_that_match_the_library(client_for, db):
    from litwatch.screen import prisma_counts

    c, _ = client_for("ana")
    data = c.get(f"/topics/{TOPIC}.json").json()
    with open_store(db) as s:
        counts = prisma_counts(s, TOPIC)
    assert data["summary"]["records"] == counts["records"] and data["summary"]["included"] == counts["included"]
    html = c.get(f"/topics/{TOPIC}").text
    assert f'<b id="count-included">{counts["included"]}</b>' in html
    assert "<svg" in html and 'id="chart-months"' in html


def test_search_filters_and_pages(client_for, db):
    c, _ = client_for("ana")
    data = c.get("/records.json", params={"q": '"mesenchymal stem cells"'}).json()
    assert data["total"] >= 4 and all(h["kind"] for h in data["hits"])
    trials = c.get("/records.json", params={"kind": "trial"}).json()
    assert trials["total"] == 1 and trials["hits"][0]["ids"]["nct"] == "NCT09999991"
    month = c.get("/records.json", params={"month": "2015-12"}).json()
    assert month["total"] >= 2 and all(h["month"] == "2015-12" for h in month["hits"])
    everything = c.get("/records.json").json()
    assert everything["pages"] > 1 and len(everything["hits"]) == 20
    second = c.get("/records.json", params={"page": 2}).json()
    assert not {h["id"] for h in second["hits"]} & {h["id"] for h in everything["hits"]}
    designs = c.get("/records.json", params={"design": "design:animal_study"}).json()
    with open_store(db) as s:
        want = s.conn.execute("SELECT count(*) FROM annotations WHERE design = 'design:animal_study'").fetchone()[0]
    assert designs["total"] == want
    included = c.get("/records.json", params={"decision": "include", "topic": TOPIC}).json()
    with open_store(db) as s:
        assert included["total"] == sum(d.label == "include" for d in decisions_for(s, TOPIC).values())
    bad = c.get("/records.json", params={"q": '"unbalanced'})
    assert bad.status_code == 400 and "cannot search" in bad.json()["error"]


def test_record_page_shows_annotations_sources_and_the_effective_decision(client_for, db):
    rid = _record_id(db, "91000002")
    c, _ = client_for("ana")
    data = c.get(f"/records/{rid}.json").json()
    assert data["annotations"]["design_label"] and data["sources"][0]["source"] == "pubmed"
    marked = [s for s in data["record"]["abstract"][0]["segments"] if s.get("category")]
    assert any(s["category"] == "cell_source" for s in marked)
    with open_store(db) as s:
        d = decisions_for(s, TOPIC, [rid])[rid]
    assert (data["screening"]["effective"]["label"], data["screening"]["effective"]["by"]) == (d.label, d.by)
    html = c.get(f"/records/{rid}").text
    assert '<mark class="c-cell_source' in html and 'href="https://pubmed.ncbi.nlm.nih.gov/91000002/"' in html
    assert c.get("/records/999999").status_code == 404


def test_a_user_folder_overrides_one_template(client_for, tmp_path, monkeypatch):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "record.html").write_text('{% extends "base.html" %}{% block content %}<h1 id="mine">MY RECORD '
                                        '{{ record.id }}</h1>{% endblock %}', encoding="utf-8")
    c, _ = client_for("ana", templates_dir=str(folder))
    html = c.get("/records/3").text
    assert '<h1 id="mine">MY RECORD 3</h1>' in html
    assert "/static/app.css" in html  # base.html still comes from the package
    assert 'id="search"' in c.get("/records").text  # other pages keep the package's templates


# -- security --------------------------------------------------------------------------------

def test_security_headers(client_for):
    c, _ = client_for("ana")
    for path in ("/", "/records", "/login", "/static/app.js"):
        r = c.get(path)
        assert r.headers["x-content-type-options"] == "nosniff"
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    page = c.get("/records").text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "an inline script"
    assert " style=" not in page and "<style" not in page


def test_record_strings_are_escaped_and_only_http_links_are_links(client_for, db):
    c, _ = client_for("ana")
    rid = _record_id(db, "91000001")
    html = c.get(f"/records/{rid}").text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    listing = c.get("/records", params={"q": "sucrose"}).text
    assert "<script>alert(1)" not in listing and "&lt;script&gt;alert(1)" in listing
    trial = c.get(f"/records/{_record_id(db, 'NCT09999991')}").text
    assert "javascript:" not in trial and "trial record" in trial  # shown as text, not as a link
    assert c.get(f"/records/{rid}.json").json()["record"]["title"] == XSS_TITLE


def test_a_post_without_a_valid_csrf_token_is_refused(client_for, db):
    c, token = client_for("ana")
    form = {"record_id": "1", "label": "include"}
    assert c.post(f"/topics/{TOPIC}/decisions", data=form).status_code == 403
    assert c.post(f"/topics/{TOPIC}/decisions", data={**form, "csrf_token": "forged"}).status_code == 403
    other, other_token = client_for("bo")
    assert c.post(f"/topics/{TOPIC}/decisions", data={**form, "csrf_token": other_token}).status_code == 403
    assert c.post(f"/topics/{TOPIC}/decisions", data={**form, "csrf_token": token},
                  headers={"Origin": "http://evil.example"}).status_code == 403
    with open_store(db) as s:
        assert team.reviews(s, TOPIC) == {}
    assert c.post("/logout", data={}).status_code == 403
    anonymous, _ = client_for(None)
    assert anonymous.post("/login", data={"name": "ana", "password": PASSWORDS["ana"]}).status_code == 403
    r = c.post(f"/topics/{TOPIC}/decisions", data={**form, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303


def test_roles_are_enforced_on_the_server(client_for, db):
    reader, token = client_for("rita")
    assert reader.post(f"/topics/{TOPIC}/decisions", data={"record_id": "1", "label": "include",
                                                          "csrf_token": token}).status_code == 403
    assert reader.get(f"/topics/{TOPIC}/screen").status_code == 403
    assert reader.get("/records").status_code == 200 and reader.get(f"/topics/{TOPIC}").status_code == 200
    reviewer, token = client_for("ana")
    assert reviewer.get("/users").status_code == 403
    assert reviewer.post("/users", data={"name": "eve", "role": "admin", "password": "x" * 12,
                                         "csrf_token": token}).status_code == 403
    assert reviewer.post(f"/topics/{TOPIC}/settings", data={"blind": "1", "csrf_token": token}).status_code == 403
    assert reviewer.post(f"/topics/{TOPIC}/conflicts/1", data={"label": "include",
                                                               "csrf_token": token}).status_code == 403
    assert reviewer.post("/reports/drafts/0123456789abcdef/publish", data={"csrf_token": token}).status_code == 403
    assert reviewer.post("/runs/fetch", data={"topic": TOPIC, "csrf_token": token}).status_code == 403
    with open_store(db) as s:
        from litwatch.accounts import get_user

        assert get_user(s, "eve") is None and not team.settings(s, TOPIC).blind
    admin, token = client_for("lead")
    r = admin.post("/users", data={"name": "eve", "role": "reader", "password": "x" * 12, "csrf_token": token},
                   follow_redirects=False)
    assert r.status_code == 303 and "eve" in admin.get("/users").text


def test_anonymous_visitors_log_in_first_unless_public_read(client_for, db):
    anon, _ = client_for(None)
    r = anon.get("/records/1", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    assert anon.get("/records/1.json").status_code == 401
    public, _ = client_for(None, public_read=True)
    assert public.get("/records/1").status_code == 200
    data = public.get("/records/1.json").json()
    assert data["screening"] is None  # decisions are the team's, not public
    assert public.get("/records.json", params={"q": "depression"}).status_code == 200
    assert public.get("/reports").status_code == 200
    for path in ("/.json", f"/topics/{TOPIC}", f"/topics/{TOPIC}/screen", "/runs", "/audit", "/users",
                 f"/topics/{TOPIC}/reviews.csv"):
        assert public.get(path, follow_redirects=False).status_code in (303, 401), path
    assert public.get("/", follow_redirects=False).headers["location"] == "/reports"
    origins = [x["origin"] for x in public.get("/records/1.json").json()["sources"]]
    assert origins == ["medline16n0902.xml.gz"]  # not the server's folders


def test_login_goes_back_only_to_this_site(client_for):
    c, _ = client_for(None)
    for target, expected in (("/records?q=x", "/records?q=x"), ("//evil.example/x", "/"),
                             ("https://evil.example/", "/"), ("/\\evil.example", "/")):
        c.cookies.clear()
        token = csrf_of(c.get("/login").text)
        r = c.post("/login", data={"name": "ana", "password": PASSWORDS["ana"], "csrf_token": token,
                                   "next": target}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == expected


def test_session_cookie_flags(client_for, make_app):
    from fastapi.testclient import TestClient

    app = make_app()
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        with TestClient(app, base_url=base) as c:
            page = c.get("/login")
            r = c.post("/login", data={"name": "ana", "password": PASSWORDS["ana"], "csrf_token": csrf_of(page.text)},
                       follow_redirects=False)
            cookie = r.headers["set-cookie"]
            assert "lw_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
            assert ("Secure" in cookie) is secure
    forced = make_app(secure_cookies="1")
    with TestClient(forced) as c:
        page = c.get("/login")
        assert "Secure" in page.headers["set-cookie"]


def test_passwords_are_argon2_and_logins_are_rate_limited(client_for, db):
    with open_store(db) as s:
        hashes = [r[0] for r in s.conn.execute("SELECT password_hash FROM users")]
    assert all(h.startswith("$argon2id$") for h in hashes) and not any(p in h for h in hashes for p in PASSWORDS.values())
    c, _ = client_for(None)
    token = csrf_of(c.get("/login").text)
    for _ in range(5):
        r = c.post("/login", data={"name": "ana", "password": "wrong password", "csrf_token": token})
        assert r.status_code == 401 and "wrong name or password" in r.text
    r = c.post("/login", data={"name": "ana", "password": PASSWORDS["ana"], "csrf_token": token})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    bo, _ = client_for(None)
    token = csrf_of(bo.get("/login").text)
    assert bo.post("/login", data={"name": "bo", "password": PASSWORDS["bo"], "csrf_token": token},
                   follow_redirects=False).status_code == 429  # the same client address: limited too


# -- screening together ----------------------------------------------------------------------

def _decide(c, token, rid, label, **fields):
    return c.post(f"/topics/{TOPIC}/decisions", data={"record_id": str(rid), "label": label, "csrf_token": token,
                                                      **fields}, follow_redirects=False)


def test_decisions_conflicts_and_adjudication_through_the_web(client_for, db):
    ana, ta = client_for("ana")
    bo, tb = client_for("bo")
    lead, tl = client_for("lead")
    rid = ana.get(f"/topics/{TOPIC}/screen.json").json()["current"]["id"]
    assert _decide(ana, ta, rid, "include", note="strong", tags="mice").status_code == 303
    seen_by_bo = bo.get(f"/topics/{TOPIC}/screen.json").json()["current"]
    assert seen_by_bo["id"] == rid  # dual screening: bo gets the record too, and sees ana's decision
    assert [(r["reviewer"], r["label"]) for r in seen_by_bo["others"]] == [("ana", "include")]
    r = bo.post(f"/topics/{TOPIC}/decisions", data={"record_id": rid, "label": "exclude", "reason": "off topic",
                                                    "csrf_token": tb}, headers={"Accept": "application/json"})
    assert r.status_code == 201 and r.json()["review"]["reason"] == "off topic"
    conflicts = lead.get(f"/topics/{TOPIC}/conflicts.json").json()["conflicts"]
    assert [c["record_id"] for c in conflicts] == [rid]
    assert {x["reviewer"]: x["label"] for x in conflicts[0]["reviews"]} == {"ana": "include", "bo": "exclude"}
    r = lead.post(f"/topics/{TOPIC}/conflicts/{rid}", data={"label": "include", "reason": "MSC in mice",
                                                            "csrf_token": tl}, follow_redirects=False)
    assert r.status_code == 303
    assert lead.get(f"/topics/{TOPIC}/conflicts.json").json()["conflicts"] == []
    shown = ana.get(f"/records/{rid}.json").json()["screening"]
    with open_store(db) as s:
        d = decisions_for(s, TOPIC, [rid])[rid]
    assert (shown["effective"]["label"], shown["effective"]["by"]) == (d.label, d.by) == ("include", "lead")
    assert _decide(bo, tb, rid, "include").status_code == 409  # settled
    agreement = lead.get(f"/topics/{TOPIC}.json").json()["agreement"]
    assert agreement == [{"a": "ana", "b": "bo", "both": 1, "agreed": 0, "kappa": 0.0}]


def test_screening_queue_skip_undo_and_note(client_for, db):
    ana, token = client_for("ana")
    first = ana.get(f"/topics/{TOPIC}/screen.json").json()
    a = first["current"]["id"]
    skipped = ana.get(f"/topics/{TOPIC}/screen.json", params={"skip": str(a)}).json()["current"]["id"]
    assert skipped != a
    r = _decide(ana, token, a, "exclude", reason="duplicate", skip=str(a))
    assert r.status_code == 303 and r.headers["location"] == f"/topics/{TOPIC}/screen"
    after = ana.get(f"/topics/{TOPIC}/screen.json").json()
    assert after["current"]["id"] != a and after["queue_length"] == first["queue_length"] - 1
    assert after["progress"]["decided"] == 1
    note = _decide(ana, token, after["current"]["id"], "note", note="ask bo", tags="unsure")
    assert note.status_code == 303
    assert ana.get(f"/topics/{TOPIC}/screen.json").json()["current"]["my_note"] == "ask bo"
    assert ana.post(f"/topics/{TOPIC}/undo", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert ana.post(f"/topics/{TOPIC}/undo", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    with open_store(db) as s:
        assert team.reviews(s, TOPIC) == {}
    assert _decide(ana, token, a, "maybe").status_code == 400


def test_blind_mode_hides_the_others_decisions_until_one_decides(client_for, db):
    lead, tl = client_for("lead")
    assert lead.post(f"/topics/{TOPIC}/settings", data={"blind": "1", "reviews_per_record": "2", "csrf_token": tl},
                     follow_redirects=False).status_code == 303
    ana, ta = client_for("ana")
    bo, tb = client_for("bo")
    first = ana.get(f"/topics/{TOPIC}/screen.json").json()["current"]["id"]
    _decide(ana, ta, first, "include")
    on_bo_screen = bo.get(f"/topics/{TOPIC}/screen.json").json()["current"]
    assert on_bo_screen["id"] == first and on_bo_screen["others"] == [] and on_bo_screen["others_hidden"] == 1
    rid = _record_id(db, "91000003")
    _decide(ana, ta, rid, "exclude", reason="wrong outcome", note="ana's secret")
    seen_by_bo = bo.get(f"/records/{rid}.json").json()["screening"]
    assert seen_by_bo["reviews"] == [] and seen_by_bo["hidden_reviews"] == 1 and seen_by_bo["effective"] is None
    assert "ana's secret" not in bo.get(f"/records/{rid}").text and "ana" not in str(seen_by_bo["history"])
    assert bo.get("/records.json", params={"reviewer": "ana", "topic": TOPIC}).status_code == 400
    assert bo.get(f"/topics/{TOPIC}/conflicts").status_code == 403
    assert bo.get(f"/topics/{TOPIC}/reviews.csv").status_code == 403
    listed = bo.get("/records.json", params={"q": "adipose", "topic": TOPIC}).json()["hits"]
    assert [h["decision"] for h in listed if h["id"] == rid] == [None]
    _decide(bo, tb, rid, "include")
    seen = bo.get(f"/records/{rid}.json").json()["screening"]
    assert {r["reviewer"] for r in seen["reviews"]} == {"ana", "bo"} and seen["conflict"]


def test_reviews_export_through_the_web(client_for):
    ana, token = client_for("ana")
    rid = ana.get(f"/topics/{TOPIC}/screen.json").json()["current"]["id"]
    _decide(ana, token, rid, "exclude", reason="wrong study design", note="a review", tags="review")
    csv_text = ana.get(f"/topics/{TOPIC}/reviews.csv").text
    assert "ana: label" in csv_text and "wrong study design" in csv_text and "a review" in csv_text
    ris = ana.get(f"/topics/{TOPIC}/reviews.ris")
    assert "N1  - litwatch review: ana: exclude; reason: wrong study design; tags: review; note: a review" in ris.text
    assert ana.get(f"/topics/{TOPIC}/reviews.xlsx").status_code == 404


# -- runs, reports, audit --------------------------------------------------------------------

def _wait_job(app, job_id: str):
    job = app.state.jobs.wait(job_id, timeout=240)
    assert job is not None and job.done, job
    return job


def test_a_refresh_runs_in_the_background_with_progress(client_for, db):
    c, token = client_for("ana")
    r = c.post("/runs/refresh", data={"topic": TOPIC, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    job_id = r.headers["location"].rsplit("/", 1)[1]
    job = _wait_job(c.app, job_id)
    assert job.status == "ok", job.error
    data = c.get(f"/runs/jobs/{job_id}.json").json()["job"]
    stages = [e["stage"] for e in data["events"]]
    assert stages[0] == "screen" and "annotate" in stages and stages[-1] == "done"
    assert data["result"]["screen"]["records"] > 600
    assert any(run["kind"] == "screen" for run in c.get("/runs.json").json()["runs"])


def test_a_failing_fetch_ends_with_its_error(client_for):
    c, token = client_for("lead")  # every service is a closed loopback port (tests/conftest.py)
    r = c.post("/runs/fetch", data={"topic": TOPIC, "sources": "pubmed", "date_from": "2025-01",
                                    "csrf_token": token}, follow_redirects=False)
    job = _wait_job(c.app, r.headers["location"].rsplit("/", 1)[1])
    shown = c.get(f"/runs/jobs/{job.id}.json").json()["job"]
    assert shown["status"] == "failed" and shown["error"].startswith("PubMed:") and "\n" not in shown["error"]
    assert "PubMed:" in c.get(f"/runs/jobs/{job.id}").text
    assert c.post("/runs/fetch", data={"topic": "../../etc/passwd", "csrf_token": token}).status_code == 404


def test_a_fetch_against_loopback_services_shows_progress_and_lands_in_the_run_log(client_for, shared_data,
                                                                                    monkeypatch, db):
    from tests.sources.replay import Dataset, ReplayServer

    for k, v in {"LITWATCH_HTTP_TIMEOUT": "2", "LITWATCH_HTTP_BACKOFF": "0.02", "NCBI_API_KEY": "test-key",
                 "LITWATCH_EMAIL": "watcher@example.org"}.items():
        monkeypatch.setenv(k, v)
    with open_store(db) as s:
        before = s.count()
    with ReplayServer(Dataset.load(shared_data)) as server:
        for k, v in server.env().items():
            monkeypatch.setenv(k, v)
        c, token = client_for("lead")
        r = c.post("/runs/fetch", data={"topic": TOPIC, "sources": "pubmed", "date_from": "2015-01",
                                        "date_to": "2016-12", "csrf_token": token}, follow_redirects=False)
        job = _wait_job(c.app, r.headers["location"].rsplit("/", 1)[1])
        assert job.status == "ok", job.error
        assert server.hits()
    shown = c.get(f"/runs/jobs/{job.id}.json").json()["job"]
    assert [e["stage"] for e in shown["events"]] == ["search", "done"]
    run = next(run for run in c.get("/runs.json").json()["runs"] if run["kind"] == "fetch")
    assert run["status"] == "ok" and run["id"] == shown["result"]["run_id"]
    with open_store(db) as s:
        assert s.count() > before


def test_build_preview_download_and_publish_versions(client_for, db):
    lead, token = client_for("lead")
    r = lead.post("/reports/build", data={"topic": TOPIC, "date_from": "2015-07", "date_to": "2015-12",
                                          "lang": "en", "formats": ["md", "atom"], "csrf_token": token},
                  follow_redirects=False)
    assert r.status_code == 303
    job = _wait_job(lead.app, r.headers["location"].rsplit("/", 1)[1])
    assert job.status == "ok", job.error
    draft = lead.get(job.link + ".json").json()["draft"]
    assert set(draft["formats"]) == {"html", "md", "json", "atom"}
    preview = lead.get(f"{job.link}/report.html")
    assert preview.status_code == 200 and "<h1>" in preview.text
    assert "script-src" not in preview.headers["content-security-policy"]  # default-src 'none': no script
    md = lead.get(f"{job.link}/report.md", params={"download": 1})
    assert md.headers["content-disposition"].startswith("attachment") and md.text.startswith("#")
    r = lead.post(f"{job.link}/publish", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/reports/{TOPIC}/2015-07_2015-12/1"
    r2 = lead.post(f"{job.link}/publish", data={"csrf_token": token}, follow_redirects=False)
    assert r2.headers["location"] == f"/reports/{TOPIC}/2015-07_2015-12/2"
    versions = lead.get(f"/reports/{TOPIC}/2015-07_2015-12.json").json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    first = lead.get(f"/reports/{TOPIC}/2015-07_2015-12/1")
    assert first.status_code == 200 and first.text == preview.text
    assert lead.get(f"/reports/{TOPIC}/2015-07_2015-12/1.json").json()["period"]["from"] == "2015-07"
    atom = lead.get(f"/reports/{TOPIC}/2015-07_2015-12/2/report.atom.xml")
    assert atom.headers["content-type"].startswith("application/atom+xml")
    assert lead.get(f"/reports/{TOPIC}/2015-07_2015-12/latest").text == preview.text
    assert lead.get(f"/reports/{TOPIC}/2015-07_2015-12/3").status_code == 404
    public, _ = client_for(None, public_read=True)
    assert public.get(f"/reports/{TOPIC}/2015-07_2015-12/1").text == preview.text
    assert public.get(job.link, follow_redirects=False).status_code in (303, 401)  # drafts are not public
    assert public.get("/reports.json").json()["published"][0]["version"] == 2


def test_an_uploaded_article_is_audited_against_the_store_and_shown_escaped(client_for, db):
    with open_store(db) as s:
        rid, record = next((rid, r) for rid, r in s.iter_records() if r.ids.pmid and r.title and r.journal.title)
    article = (f"<b>Roundup</b>\n\nA study reported this [1].\n\nReferences\n\n"
               f"1. {record.title} {record.journal.title}. {record.year}. PMID: {record.ids.pmid}\n")
    c, token = client_for("ana")
    page = c.get("/audit")
    assert page.status_code == 200 and 'id="audit"' in page.text
    r = c.post("/audit", data={"csrf_token": token}, files={"article": ("roundup.md", article.encode())})
    assert r.status_code == 200
    assert 'id="audit-summary"' in r.text and "References: 1, resolved 1" in r.text
    assert f'href="/records/{rid}"' in r.text
    assert "<b>Roundup</b>" not in r.text
    assert c.post("/audit", files={"article": ("a.txt", b"text")}).status_code == 403  # no CSRF token
