"""Reports: build with options (a background job), preview and download a draft, publish it as a
version at /reports/{topic}/{from}_{to}/{version}; earlier versions stay."""

from __future__ import annotations

import re
import secrets

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from litwatch.web.auth import Viewer, WebError, need, post
from litwatch.web.pages import page
from litwatch.web.security import DOCUMENT_CSP

router = APIRouter()

_PERIOD = re.compile(r"^(\d{4}-\d{2})_(\d{4}-\d{2})$")


def _store(request: Request):
    return request.app.state.pool.get()


def _document(data: bytes, fmt: str, filename: str, *, inline: bool) -> Response:
    from litwatch.web.publishing import MEDIA_TYPES

    disposition = "inline" if inline else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="{filename}"',
               "Content-Security-Policy": DOCUMENT_CSP}
    return Response(data, media_type=MEDIA_TYPES[fmt], headers=headers)


def _fmt_of(filename: str) -> str:
    from litwatch.web.publishing import FORMAT_ORDER, file_name

    for fmt in FORMAT_ORDER:
        if file_name(fmt) == filename:
            return fmt
    raise WebError(404, f"no file {filename!r}", "files are report.html, report.md, report.pdf, ...")


def _period(text: str) -> tuple[str, str]:
    m = _PERIOD.match(text)
    if not m:
        raise WebError(404, f"{text!r} is not a period", "write it YYYY-MM_YYYY-MM")
    return m.group(1), m.group(2)


@page(router, "/reports")
def reports_page(request: Request, v: Viewer = Depends(need("reader", public=True))):
    from litwatch.report.citations import STYLES
    from litwatch.topics import list_topics
    from litwatch.web.publishing import FORMAT_ORDER, published

    store = _store(request)
    jobs = [j.to_dict() for j in request.app.state.jobs.all() if j.kind == "report"] if v.can("reviewer") else []
    data = {
        "title": "Reports",
        "published": published(store),
        "can_build": v.can("reviewer"),
        "can_publish": v.can("admin"),
        "builds": jobs,
        "options": {"topics": [e.name for e in list_topics()], "languages": ["en", "zh-Hans", "zh-Hant"],
                    "formats": list(FORMAT_ORDER), "styles": sorted(STYLES)} if v.can("reviewer") else None,
    }
    return request.app.state.pages.render(request, ["reports.html"], data)


@router.post("/reports/build")
async def build(request: Request, v: Viewer = Depends(post("reviewer"))):
    from litwatch.report.digest import parse_period
    from litwatch.web.publishing import build_report_files

    form = await request.form()
    topic = str(form.get("topic") or "")
    request.app.state.cache.topic(topic)
    period = parse_period(str(form.get("date_from") or ""), str(form.get("date_to") or "") or None)
    lang = str(form.get("lang") or "en")
    if lang not in ("en", "zh-Hans", "zh-Hant"):
        raise WebError(400, f"unknown language {lang!r}")
    style = str(form.get("style") or "") or None
    formats = [str(f) for f in form.getlist("formats")] or ["html", "md", "json"]
    highlights = str(form.get("highlights") or "").strip()
    if highlights and (not highlights.isdigit() or int(highlights) > 100):
        raise WebError(400, "highlights per month must be a whole number from 0 to 100")
    offline = not form.get("fetch")  # fetch first only when asked: the web never reaches out by surprise
    draft_id = secrets.token_hex(8)
    folder = request.app.state.settings.work_dir / "drafts" / draft_id
    params = {"topic": topic, "from": period.start, "to": period.end, "lang": lang, "style": style,
              "formats": formats, "offline": offline, "highlights_per_month": int(highlights) if highlights else None}

    def work(*, store, progress):
        return build_report_files(store=store, topic=topic, date_from=period.start, date_to=period.end, lang=lang,
                                  formats=formats, style=style, offline=offline, folder=folder, draft_id=draft_id,
                                  built_by=v.name, highlights_per_month=params["highlights_per_month"],
                                  progress=progress)

    job = request.app.state.jobs.start("report", params, v.name, work, link=lambda d: f"/reports/drafts/{d.id}")
    return RedirectResponse(f"/runs/jobs/{job.id}", status_code=303)


@page(router, "/reports/drafts/{draft_id}")
def draft_page(request: Request, draft_id: str, v: Viewer = Depends(need("reviewer"))):
    from litwatch.web.publishing import load_draft

    draft = load_draft(request.app.state.settings.work_dir, draft_id)
    data = {"title": f"Draft · {draft.title}", "draft": draft.to_dict(), "can_publish": v.can("admin")}
    return request.app.state.pages.render(request, ["report_draft.html"], data)


@router.get("/reports/drafts/{draft_id}/{filename}")
def draft_file(request: Request, draft_id: str, filename: str, download: str = "",
               v: Viewer = Depends(need("reviewer"))):
    from litwatch.web.publishing import load_draft

    draft = load_draft(request.app.state.settings.work_dir, draft_id)
    fmt = _fmt_of(filename)
    if fmt not in draft.formats:
        raise WebError(404, f"the draft has no {fmt} file")
    return _document(draft.path(fmt).read_bytes(), fmt, filename, inline=fmt == "html" and not download)


@router.post("/reports/drafts/{draft_id}/publish")
def publish(request: Request, draft_id: str, v: Viewer = Depends(post("admin"))):
    from litwatch.web.publishing import load_draft
    from litwatch.web.publishing import publish as publish_draft

    draft = load_draft(request.app.state.settings.work_dir, draft_id)
    row = publish_draft(_store(request), draft, by=v.name)
    return RedirectResponse(row["url"], status_code=303)


@page(router, "/reports/{topic}/{period}")
def versions_page(request: Request, topic: str, period: str, v: Viewer = Depends(need("reader", public=True))):
    from litwatch.web.publishing import versions

    start, end = _period(period)
    rows = versions(_store(request), topic, start, end)
    if not rows:
        raise WebError(404, f"no published report of {topic} for {period}")
    data = {"title": f"{rows[-1]['title']} · {start} – {end}", "topic": topic, "period_from": start,
            "period_to": end, "versions": rows}
    return request.app.state.pages.render(request, ["report_versions.html"], data)


def _published(request: Request, topic: str, period: str, version: str, fmt: str):
    from litwatch.web.publishing import published_file, versions

    start, end = _period(period)
    if version == "latest":
        rows = versions(_store(request), topic, start, end)
        if not rows:
            raise WebError(404, f"no published report of {topic} for {period}")
        number = rows[-1]["version"]
    elif version.isdigit():
        number = int(version)
    else:
        raise WebError(404, f"no version {version!r}")
    found = published_file(_store(request), topic, start, end, number, fmt)
    if found is None:
        raise WebError(404, f"no published {fmt} of {topic} {period} version {version}")
    return found


@router.get("/reports/{topic}/{period}/{version}.json")
def published_json(request: Request, topic: str, period: str, version: str,
                   v: Viewer = Depends(need("reader", public=True))):
    meta, data = _published(request, topic, period, version, "json")
    return _document(data, "json", "report.json", inline=True)


@router.get("/reports/{topic}/{period}/{version}")
def published_html(request: Request, topic: str, period: str, version: str,
                   v: Viewer = Depends(need("reader", public=True))):
    meta, data = _published(request, topic, period, version, "html")
    return _document(data, "html", "report.html", inline=True)


@router.get("/reports/{topic}/{period}/{version}/{filename}")
def published_download(request: Request, topic: str, period: str, version: str, filename: str,
                       v: Viewer = Depends(need("reader", public=True))):
    meta, data = _published(request, topic, period, version, _fmt_of(filename))
    return _document(data, meta["fmt"], filename, inline=meta["fmt"] == "html")
