"""Self-contained HTML: inline CSS and SVG, no external resource, prints cleanly.

Templates are found through layered loaders, datasette-style: a folder named by
LITWATCH_TEMPLATES_DIR first (so a user can override report.html or report.css alone), then ours.
"""

from __future__ import annotations

from functools import lru_cache

import jinja2

from litwatch import config
from litwatch.report.view import View

__all__ = ["render_html", "environment"]


@lru_cache(maxsize=4)
def _environment(user_dir: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if user_dir:
        loaders.append(jinja2.FileSystemLoader(user_dir))
    loaders.append(jinja2.PackageLoader("litwatch.report", "templates"))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def environment() -> jinja2.Environment:
    return _environment(config.get("templates_dir"))


def render_html(v: View, template: str = "report.html") -> str:
    tpl = environment().select_template([f"report-{v.lang}.html", template])
    return tpl.render(v=v)
