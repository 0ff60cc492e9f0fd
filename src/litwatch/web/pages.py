"""Rendering: every page has a JSON twin (the same path + `.json`), datasette-style, and HTML
templates are chosen from candidates through layered loaders: a user folder
(LITWATCH_TEMPLATES_DIR) first, then the package's, so a user can override one template."""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from litwatch import __version__
from litwatch.web.security import doi_url, safe_url

__all__ = ["Pages", "jsonable", "page", "wants_json", "JSONTwin"]


def jsonable(value: Any) -> Any:
    """Plain JSON data from dataclasses, objects with to_dict(), sets, paths and dates."""
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return str(value)


class JSONTwin(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(jsonable(content), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json")


def page(router: APIRouter, path: str, **kwargs: Any) -> Callable:
    """Register a GET page at `path` and its JSON twin at `path.json` (the twin first, so a
    path parameter at the end does not swallow the suffix)."""

    def register(fn: Callable) -> Callable:
        router.add_api_route(path + ".json", fn, methods=["GET"], response_class=JSONTwin, **kwargs)
        router.add_api_route(path, fn, methods=["GET"], response_class=HTMLResponse, **kwargs)
        return fn

    return register


def _pct(value: Any, digits: int = 0) -> str:
    try:
        return f"{float(value) * 100:.{digits}f} %"
    except (TypeError, ValueError):
        return "—"


def _num(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    try:
        return f"{float(value):.{digits}f}"
    except (TypeError, ValueError):
        return "—"


class Pages:
    def __init__(self, user_dir: str | None = None) -> None:
        loaders: list[jinja2.BaseLoader] = []
        if user_dir:
            loaders.append(jinja2.FileSystemLoader(user_dir))
        loaders.append(jinja2.PackageLoader("litwatch.web", "templates"))
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,  # every template, whatever its name: records and users are untrusted
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(url=safe_url, doi_url=doi_url, pct=_pct, num=_num)
        static = resources.files("litwatch.web") / "static"
        stamp = max((int(p.stat().st_mtime) for p in Path(str(static)).iterdir()), default=0)
        self.env.globals.update(version=__version__, static_stamp=stamp)

    def render(self, request: Request, candidates: list[str], data: dict[str, Any], *, status: int = 200,
               headers: dict[str, str] | None = None) -> Response:
        """The JSON twin when the path ends in .json, else the first template found of `candidates`."""
        if wants_json(request):
            return JSONTwin(data, status_code=status, headers=headers)
        v = getattr(request.state, "viewer", None)
        template = self.env.select_template(candidates)
        html = template.render(
            **data, data=data, viewer=v, csrf_token=v.form_token() if v else None,
            public_read=request.app.state.settings.public_read, path=request.url.path,
            json_url=request.url.path + ".json" + (("?" + request.url.query) if request.url.query else ""),
        )
        return HTMLResponse(html, status_code=status, headers=headers)
