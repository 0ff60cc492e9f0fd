"""Runs: start a fetch or a refresh (background jobs calling litwatch.jobs), watch them live, the
run log; and /audit (litwatch.audit when it is installed)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from litwatch.services import SOURCE_NAMES as SOURCES
from litwatch.web.auth import Viewer, WebError, need, post
from litwatch.web.pages import page

router = APIRouter()


def _store(request: Request):
    return request.app.state.pool.get()


@page(router, "/runs")
def runs_page(request: Request, kind: str = "", v: Viewer = Depends(need("reader"))):
    from litwatch.topics import list_topics

    store = _store(request)
    data = {
        "title": "Runs",
        "runs": store.runs(kind=kind or None, limit=100),
        "kind": kind,
        "jobs": [j.to_dict() for j in request.app.state.jobs.all()],
        "topics": [e.name for e in list_topics()],
        "sources": list(SOURCES),
        "can_fetch": v.can("admin"),
        "can_refresh": v.can("reviewer"),
    }
    return request.app.state.pages.render(request, ["runs.html"], data)


@router.post("/runs/fetch")
async def start_fetch(request: Request, v: Viewer = Depends(post("admin"))):
    from litwatch import jobs
    from litwatch.store.db import check_month

    form = await request.form()
    topic = str(form.get("topic") or "")
    request.app.state.cache.topic(topic)
    sources = [s for s in form.getlist("sources") if s in SOURCES] or None
    date_from = check_month(str(form.get("date_from") or "") or None, "from")
    date_to = check_month(str(form.get("date_to") or "") or None, "to")
    since_last = bool(form.get("since_last_run"))
    params = {"topic": topic, "sources": sources, "from": date_from, "to": date_to, "since_last_run": since_last}

    def work(*, store, progress):
        return jobs.fetch(store=store, target=topic, sources=sources, date_from=date_from, date_to=date_to,
                          since_last_run=since_last, progress=progress)

    job = request.app.state.jobs.start("fetch", params, v.name, work)
    return RedirectResponse(f"/runs/jobs/{job.id}", status_code=303)


@router.post("/runs/refresh")
async def start_refresh(request: Request, v: Viewer = Depends(post("reviewer"))):
    from litwatch import jobs

    form = await request.form()
    topic = str(form.get("topic") or "")
    profile = request.app.state.cache.topic(topic)
    use_model = form.get("no_model") is None

    def work(*, store, progress):
        return jobs.refresh(store=store, topic=profile, use_model=use_model, progress=progress)

    job = request.app.state.jobs.start("refresh", {"topic": topic, "use_model": use_model}, v.name, work,
                                       link=lambda _r: f"/topics/{topic}")
    return RedirectResponse(f"/runs/jobs/{job.id}", status_code=303)


@page(router, "/runs/jobs/{job_id}")
def job_page(request: Request, job_id: str, v: Viewer = Depends(need("reviewer"))):
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise WebError(404, f"no job {job_id}", "jobs are kept while the server runs; /runs lists the run log")
    data = {"title": f"Job {job_id} · {job.kind}", "job": job.to_dict()}
    return request.app.state.pages.render(request, ["job.html"], data)


@page(router, "/audit")
def audit_page(request: Request, v: Viewer = Depends(need("reviewer"))):
    data = {"title": "Audit", "available": True, "result": None, "filename": None}
    return request.app.state.pages.render(request, ["audit.html"], data)


@router.post("/audit")
async def run_audit(request: Request, v: Viewer = Depends(post("reviewer"))):
    from starlette.concurrency import run_in_threadpool

    from litwatch.web.pages import jsonable

    from litwatch import jobs

    form = await request.form()
    upload = form.get("article")
    if upload is None or not hasattr(upload, "read"):
        raise WebError(400, "choose an article file to audit")
    data = await upload.read(request.app.state.settings.max_upload + 1)
    if len(data) > request.app.state.settings.max_upload:
        raise WebError(413, "the article is too large", f"at most {request.app.state.settings.max_upload} bytes")
    suffix = Path(upload.filename or "article").suffix[:10]
    folder = Path(tempfile.mkdtemp(dir=request.app.state.settings.work_dir, prefix="audit-"))
    path = folder / f"article{suffix}"
    path.write_bytes(data)
    offline = form.get("online") != "1"
    result = await run_in_threadpool(lambda: jobs.audit(store=_store(request), article=path, offline=offline))
    out = {"title": "Audit", "available": True, "filename": upload.filename, "result": jsonable(result.to_dict())}
    return request.app.state.pages.render(request, ["audit.html"], out)
