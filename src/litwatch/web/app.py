"""The FastAPI app factory: `create_app(settings)` wires the store pool, templates, security
headers, error pages and the routes (web/routes_*.py, each kept thin)."""

from __future__ import annotations

import tempfile
import threading
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from litwatch.errors import LitwatchError, ProfileError, StoreError
from litwatch.web.auth import LoginRequired, WebError
from litwatch.web.background import JobRunner
from litwatch.web.pages import Pages, wants_json
from litwatch.web.security import SecurityHeaders
from litwatch.web.settings import WebSettings
from litwatch.web.stores import StorePool

__all__ = ["create_app", "Cache"]


class Cache:
    """Small per-process caches: topic profiles by file time, the machine's screening order by the
    latest screening run (it changes only when rules or the ranker run again)."""

    def __init__(self) -> None:
        self._topics: dict[str, tuple[float, Any]] = {}
        self._orders: dict[str, tuple[Any, list]] = {}
        self._lock = threading.Lock()

    def topic(self, name: str):
        import os

        from litwatch.topics import list_topics, load_topic

        entry = next((e for e in list_topics() if e.name == name), None)
        if entry is None:
            raise WebError(404, f"no topic {name!r}", "the home page lists the topics")
        mtime = os.path.getmtime(entry.path)
        cached = self._topics.get(name)
        if cached and cached[0] == mtime:
            return cached[1]
        topic = load_topic(entry.path)
        topic.name = name
        with self._lock:
            self._topics[name] = (mtime, topic)
        return topic

    def designs(self, store) -> list[str]:
        """The study designs annotated in the store, for the filter menu (re-read every minute)."""
        import time

        cached = self._orders.get("\0designs")
        if cached and time.monotonic() - cached[0] < 60:
            return cached[1]
        from litwatch.annotate.storage import designs

        found = designs(store)
        with self._lock:
            self._orders["\0designs"] = (time.monotonic(), found)
        return found

    def machine_order(self, store, topic_name: str) -> list:
        from litwatch.screen import team

        runs = store.runs(kind="screen", limit=1)
        key = (runs[0]["id"], runs[0]["status"]) if runs else None
        cached = self._orders.get(topic_name)
        if cached and cached[0] == key:
            return cached[1]
        order = team.machine_order(store, topic_name)
        with self._lock:
            self._orders[topic_name] = (key, order)
        return order


def _status_of(exc: LitwatchError) -> int:
    from litwatch.accounts import RateLimited
    from litwatch.screen.team import Settled

    if isinstance(exc, RateLimited):
        return 429
    if isinstance(exc, Settled):
        return 409
    if isinstance(exc, StoreError) and exc.message.startswith("no record"):
        return 404
    if isinstance(exc, ProfileError):
        return 404
    return 400


def create_app(settings: WebSettings | None = None, **overrides: Any) -> FastAPI:
    """The litwatch web app over one store file (settings from the environment unless given)."""
    settings = settings or WebSettings.from_env(**overrides)
    pool = StorePool(settings.db)
    work_dir = settings.work_dir or Path(tempfile.mkdtemp(prefix="litwatch-web-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    settings.work_dir = work_dir
    runner = JobRunner(settings.db, work_dir, settings.job_threads)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        runner.shutdown()
        pool.close()

    app = FastAPI(title="litwatch", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.pool = pool
    app.state.pages = Pages(settings.templates_dir)
    app.state.jobs = runner
    app.state.cache = Cache()
    app.add_middleware(SecurityHeaders)
    static = Path(str(resources.files("litwatch.web") / "static"))
    app.mount("/static", StaticFiles(directory=static), name="static")

    def error_page(request: Request, status: int, message: str, hint: str | None = None,
                   headers: dict[str, str] | None = None) -> Response:
        data = {"error": message, "hint": hint, "status": status}
        return request.app.state.pages.render(request, ["error.html"], data, status=status, headers=headers)

    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError):
        if isinstance(exc, LoginRequired) and not wants_json(request) and request.method == "GET":
            target = request.url.path + (("?" + request.url.query) if request.url.query else "")
            from urllib.parse import quote

            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return error_page(request, exc.status, exc.message, exc.hint, exc.headers)

    @app.exception_handler(LitwatchError)
    async def _litwatch_error(request: Request, exc: LitwatchError):
        from litwatch.accounts import RateLimited

        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return error_page(request, _status_of(exc), exc.message, exc.hint, headers)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', [])[1:])}: {e.get('msg')}" for e in exc.errors())
        return error_page(request, 400, f"bad request: {problems}")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        return error_page(request, exc.status_code, str(exc.detail))

    from litwatch.web import routes_browse, routes_people, routes_reports, routes_runs, routes_screen

    for module in (routes_people, routes_browse, routes_screen, routes_reports, routes_runs):
        app.include_router(module.router)
    return app
