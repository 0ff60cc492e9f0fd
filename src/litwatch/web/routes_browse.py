"""Reading: the topics (/), one topic (/topics/{name}), the records list and one record."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from litwatch.web.auth import Viewer, need, viewer
from litwatch.web.pages import page, wants_json

router = APIRouter()


def _store(request: Request):
    return request.app.state.pool.get()


@page(router, "/")
def home(request: Request, v: Viewer = Depends(viewer)):
    from litwatch.topics import list_topics

    if v.user is None and request.app.state.settings.public_read and not wants_json(request):
        return RedirectResponse("/reports", status_code=303)
    need("reader")(request, v)
    from litwatch.web.views import topic_summary

    store = _store(request)
    topics = [topic_summary(store, e.name, request.app.state.cache.topic(e.name).title("en")) for e in list_topics()]
    data = {"title": "Topics", "topics": topics, "store": {"records": store.count(), "path": store.path.name}}
    return request.app.state.pages.render(request, ["index.html"], data)


@page(router, "/topics/{name}")
def topic_page(request: Request, name: str, v: Viewer = Depends(need("reader"))):
    from litwatch.web.views import topic_view

    topic = request.app.state.cache.topic(name)
    data = topic_view(_store(request), topic, name)
    data.update(can_screen=v.can("reviewer"), can_admin=v.can("admin"))
    return request.app.state.pages.render(request, [f"topic-{name}.html", "topic.html"], data)


def _int(value: str | None, default: int = 1) -> int:
    try:
        return max(1, int(value or default))
    except ValueError:
        return default


@page(router, "/records")
def records_page(request: Request, q: str = "", kind: str = "", month: str = "", design: str = "",
                 decision: str = "", reviewer: str = "", topic: str = "", page: str = "1",
                 v: Viewer = Depends(need("reader", public=True))):
    from litwatch.topics import list_topics
    from litwatch.web.browse import DECISION_FILTERS, find_records

    store = _store(request)
    topics = [e.name for e in list_topics()]
    chosen = topic or None
    if chosen is not None:
        request.app.state.cache.topic(chosen)  # 404 for an unknown topic
    elif v.user is not None and topics:
        chosen = "stem-cell-depression" if "stem-cell-depression" in topics else topics[0]
    result = find_records(store, q=q or None, kind=kind or None, month=month or None, design=design or None,
                          decision=decision or None, reviewer=reviewer or None,
                          topic=chosen if v.user else None, viewer=v.name, page=_int(page))
    designs = request.app.state.cache.designs(store)
    filters = {"q": q, "kind": kind, "month": month, "design": design, "decision": decision, "reviewer": reviewer,
               "topic": chosen or ""}
    data = {"title": "Records", "filters": filters, **result, "topics": topics, "designs": designs,
            "kinds": ["article", "preprint", "trial", "other"], "decisions": list(DECISION_FILTERS)}
    return request.app.state.pages.render(request, ["records.html"], data)


@page(router, "/records/{record_id:int}")
def record_page(request: Request, record_id: int, topic: str = "", v: Viewer = Depends(need("reader", public=True))):
    from litwatch.topics import list_topics
    from litwatch.web.views import record_view

    store = _store(request)
    topics = [e.name for e in list_topics()]
    chosen = topic or ("stem-cell-depression" if "stem-cell-depression" in topics else (topics[0] if topics else None))
    if topic:
        request.app.state.cache.topic(topic)
    data = record_view(store, record_id, topic=chosen, viewer_name=v.name, admin=v.can("admin"),
                       show_screening=v.user is not None)
    data["title"] = data["record"]["title"]
    data["topics"] = topics if v.user else []
    if v.user is None:  # anonymous readers learn which file a record came from, not where it lies here
        for source in data["sources"]:
            origin = source.get("origin") or ""
            if source["source"].startswith("file:") and "/" in origin:
                source["origin"] = origin.rsplit("/", 1)[1]
    return request.app.state.pages.render(request, [f"record-{record_id}.html", "record.html"], data)
