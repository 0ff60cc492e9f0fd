"""Reviewers deciding at the same moment lose nothing: real concurrent requests against a real
uvicorn server on 127.0.0.1, every decision checked in the store afterwards."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from litwatch.screen import team
from litwatch.store import open_store

from .conftest import TOPIC


def test_simultaneous_decisions_are_all_kept(live, db):
    server = live()
    people = {name: server.client(name) for name in ("ana", "bo", "lead")}
    with open_store(db) as s:
        ids = [r[0] for r in s.conn.execute("SELECT id FROM records WHERE deleted = 0 ORDER BY id LIMIT 40")]
    jobs = [(name, rid, "include" if (rid + i) % 3 else "exclude") for i, name in enumerate(people) for rid in ids]
    start = threading.Barrier(24)
    local = threading.local()

    def post(job):
        name, rid, label = job
        client, token = people[name]
        if getattr(local, "clients", None) is None:
            local.clients = {}
            start.wait(timeout=30)  # every worker thread sends its first request at the same moment
        c = local.clients.get(name)
        if c is None:
            c = local.clients[name] = httpx.Client(base_url=server.url, cookies=client.cookies, timeout=60)
        r = c.post(f"/topics/{TOPIC}/decisions", data={"record_id": rid, "label": label, "csrf_token": token,
                                                       "reason": "off topic" if label == "exclude" else "",
                                                       "tags": f"{name}-tag"},
                   headers={"Accept": "application/json"})
        return r.status_code, r.text

    with ThreadPoolExecutor(24) as pool:
        results = list(pool.map(post, jobs))
    assert [code for code, _ in results] == [201] * len(jobs), [t for c, t in results if c != 201][:3]
    with open_store(db) as s:
        revs = team.reviews(s, TOPIC)
        rows = s.conn.execute("SELECT count(*) FROM decisions WHERE by_kind = 'person'").fetchone()[0]
        details = s.conn.execute("SELECT count(*) FROM review_details").fetchone()[0]
    assert rows == details == len(jobs)  # none lost, none doubled, every row with its details
    for name, rid, label in jobs:
        assert revs[rid][name].label == label and revs[rid][name].tags == [f"{name}-tag"]
    for c, _ in people.values():
        c.close()


def test_two_reviewers_undo_and_decide_at_once(live, db):
    server = live()
    (ana, ta), (bo, tb) = server.client("ana"), server.client("bo")
    with open_store(db) as s:
        ids = [r[0] for r in s.conn.execute("SELECT id FROM records WHERE deleted = 0 ORDER BY id LIMIT 10")]
    for rid in ids:
        for c, t in ((ana, ta), (bo, tb)):
            assert c.post(f"/topics/{TOPIC}/decisions", data={"record_id": rid, "label": "include", "csrf_token": t},
                          headers={"Accept": "application/json"}).status_code == 201
    gate = threading.Barrier(2)

    def undo_all(c, t):
        gate.wait(timeout=30)
        return [c.post(f"/topics/{TOPIC}/undo", data={"csrf_token": t}, headers={"Accept": "application/json"})
                .json()["undone"] for _ in ids]

    with ThreadPoolExecutor(2) as pool:
        undone = list(pool.map(lambda p: undo_all(*p), [(ana, ta), (bo, tb)]))
    assert sorted(undone[0]) == sorted(undone[1]) == sorted(ids)  # each undid exactly their own
    with open_store(db) as s:
        assert team.reviews(s, TOPIC) == {}
