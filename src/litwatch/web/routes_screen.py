"""Screening together: the queue (keys i/e/u/s/n), decisions, undo, conflicts and adjudication,
the topic's team settings and the reviewers' exports (CSV, RIS)."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from litwatch.web.auth import Viewer, WebError, need, post
from litwatch.web.pages import JSONTwin, page

router = APIRouter()


def _store(request: Request):
    return request.app.state.pool.get()


def _skip_list(skip: str) -> list[int]:
    out = []
    for part in (skip or "").split(","):
        part = part.strip()
        if part.isdigit():
            out.append(int(part))
    return out[-500:]


def _screen_url(name: str, skip: list[int]) -> str:
    query = urlencode({"skip": ",".join(map(str, skip))}) if skip else ""
    return f"/topics/{name}/screen" + (f"?{query}" if query else "")


def _wants_json_reply(request: Request) -> bool:
    return request.url.path.endswith(".json") or "application/json" in request.headers.get("accept", "")


@page(router, "/topics/{name}/screen")
def screen_page(request: Request, name: str, skip: str = "", v: Viewer = Depends(need("reviewer"))):
    from litwatch.web.views import screen_view

    store = _store(request)
    topic = request.app.state.cache.topic(name)
    order = request.app.state.cache.machine_order(store, name)
    data = screen_view(store, topic, name, v.name, order, _skip_list(skip))
    return request.app.state.pages.render(request, [f"screen-{name}.html", "screen.html"], data)


async def _decide(request: Request, name: str, v: Viewer):
    from starlette.concurrency import run_in_threadpool

    from litwatch.screen import team

    form = await request.form()
    request.app.state.cache.topic(name)
    try:
        record_id = int(str(form.get("record_id") or ""))
    except ValueError:
        raise WebError(400, "record_id must be a store id (a whole number)") from None
    label = str(form.get("label") or "")
    reason = str(form.get("reason") or "")
    note = str(form.get("note") or "") or None
    tags = str(form.get("tags") or "")
    skip = _skip_list(str(form.get("skip") or ""))

    def work():
        store = _store(request)
        if label == "note":  # the n key: a note (and tags) without a decision
            return team.reviewer_decide(store, name, record_id, v.name, "undecided", note=note, tags=tags)
        return team.reviewer_decide(store, name, record_id, v.name, label, reason=reason, note=note, tags=tags)

    review = await run_in_threadpool(work)
    if _wants_json_reply(request):
        return JSONTwin({"review": review.to_dict()}, status_code=201)
    if label == "note":
        return RedirectResponse(_screen_url(name, skip), status_code=303)
    return RedirectResponse(_screen_url(name, [s for s in skip if s != record_id]), status_code=303)


@router.post("/topics/{name}/decisions.json")
async def decide_json(request: Request, name: str, v: Viewer = Depends(post("reviewer"))):
    return await _decide(request, name, v)


@router.post("/topics/{name}/decisions")
async def decide(request: Request, name: str, v: Viewer = Depends(post("reviewer"))):
    """Form fields: record_id, label (include | exclude | note), reason, note, tags, csrf_token."""
    return await _decide(request, name, v)


@router.post("/topics/{name}/undo")
def undo(request: Request, name: str, skip: str = Form(""), v: Viewer = Depends(post("reviewer"))):
    from litwatch.screen import team

    request.app.state.cache.topic(name)
    rid = team.reviewer_undo(_store(request), name, v.name)
    if _wants_json_reply(request):
        return JSONTwin({"undone": rid})
    return RedirectResponse(_screen_url(name, [s for s in _skip_list(skip) if s != rid]), status_code=303)


@page(router, "/topics/{name}/conflicts")
def conflicts_page(request: Request, name: str, settled: str = "", v: Viewer = Depends(need("reviewer"))):
    from litwatch.screen import team
    from litwatch.web.views import record_summary

    store = _store(request)
    topic = request.app.state.cache.topic(name)
    settings = team.settings(store, name)
    if settings.blind and not v.can("admin"):
        raise WebError(403, "blind mode is on: only admins see the conflicts")
    found = team.conflicts(store, name, include_settled=bool(settled))
    records = dict(store.iter_records(ids=[c.record_id for c in found])) if found else {}
    effective = team.effective_for(store, name, [c.record_id for c in found])
    rows = []
    for c in found:
        if c.record_id not in records:
            continue
        rows.append({**c.to_dict(), "record": record_summary(c.record_id, records[c.record_id]),
                     "effective": {"label": effective[c.record_id].label, "by": effective[c.record_id].by}})
    data = {"title": f"Conflicts · {topic.title('en')}", "topic": {"name": name, "title": topic.title("en")},
            "conflicts": rows, "show_settled": bool(settled), "can_adjudicate": v.can("admin"),
            "exclusion_reasons": team.exclusion_reasons(topic)}
    return request.app.state.pages.render(request, [f"conflicts-{name}.html", "conflicts.html"], data)


@router.post("/topics/{name}/conflicts/{record_id:int}")
def adjudicate(request: Request, name: str, record_id: int, label: str = Form(...), reason: str = Form(""),
               v: Viewer = Depends(post("admin"))):
    from litwatch.screen import team

    request.app.state.cache.topic(name)
    adj = team.adjudicate(_store(request), name, record_id, v.name, label, reason)
    if _wants_json_reply(request):
        return JSONTwin({"adjudication": adj.to_dict()}, status_code=201)
    return RedirectResponse(f"/topics/{name}/conflicts", status_code=303)


@router.post("/topics/{name}/settings")
def team_settings(request: Request, name: str, blind: str = Form(""), reviews_per_record: str = Form(""),
                  v: Viewer = Depends(post("admin"))):
    from litwatch.screen import team

    request.app.state.cache.topic(name)
    store = _store(request)
    team.set_setting(store, name, "blind", blind or "0", by=v.name)
    if reviews_per_record:
        team.set_setting(store, name, "reviews_per_record", reviews_per_record, by=v.name)
    return RedirectResponse(f"/topics/{name}", status_code=303)


@router.get("/topics/{name}/reviews.{fmt}")
def export_reviews(request: Request, name: str, fmt: str, all: str = "", v: Viewer = Depends(need("reviewer"))):
    from litwatch.screen import team

    if fmt not in ("csv", "ris"):
        raise WebError(404, f"no export as {fmt!r}", "use reviews.csv or reviews.ris")
    store = _store(request)
    request.app.state.cache.topic(name)
    if team.settings(store, name).blind and not v.can("admin"):
        raise WebError(403, "blind mode is on: only admins export everyone's decisions")
    out = io.StringIO()
    team.export_reviews(store, name, fmt, out, all_records=bool(all))
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-research-info-systems; charset=utf-8"
    return Response(out.getvalue().encode("utf-8"), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}-reviews.{fmt}"'})
