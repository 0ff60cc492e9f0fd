"""render(digest, fmt, lang) -> bytes: one Digest, six formats, three languages."""

from __future__ import annotations

import json

from litwatch.errors import ReportError, UsageError
from litwatch.report.digest import Digest
from litwatch.report.texts import check_lang

__all__ = ["FORMATS", "EXTENSIONS", "render", "default_filename"]

EXTENSIONS = {"md": "md", "html": "html", "pdf": "pdf", "docx": "docx", "json": "json", "atom": "atom.xml"}
FORMATS = tuple(EXTENSIONS)


def default_filename(topic: str, period_from: str, period_to: str, lang: str, fmt: str) -> str:
    """report-<topic>-<from>_<to>.<lang>.<ext>"""
    return f"report-{topic}-{period_from}_{period_to}.{lang}.{EXTENSIONS[fmt]}"


def render(digest: Digest, fmt: str, lang: str = "en", *, style: str | None = None) -> bytes:
    """The report as bytes in `fmt` (md | html | pdf | docx | json | atom) and `lang`."""
    check_lang(lang)
    if fmt not in EXTENSIONS:
        raise UsageError(f"unknown report format {fmt!r}", hint="choose one of: " + ", ".join(FORMATS))
    if fmt == "json":
        return render_json(digest, lang, style)
    if fmt == "atom":
        from litwatch.report.render_atom import render_atom

        return render_atom(digest, lang)
    from litwatch.report.view import make_view

    if fmt == "md":
        from litwatch.report.render_md import render_md

        return render_md(make_view(digest, lang, style, charts=False)).encode("utf-8")
    if fmt == "html":
        from litwatch.report.render_html import render_html

        return render_html(make_view(digest, lang, style)).encode("utf-8")
    if fmt == "pdf":
        from litwatch.report.render_pdf import render_pdf

        return render_pdf(make_view(digest, lang, style))
    from litwatch.report.render_docx import render_docx

    try:
        return render_docx(make_view(digest, lang, style))
    except OSError as exc:  # cairo missing or failing: say so in one line
        raise ReportError(f"cannot draw the DOCX pictures: {exc}", hint="install cairo (libcairo2)") from None


def render_json(digest: Digest, lang: str, style: str | None) -> bytes:
    """The Digest itself, plus the references as formatted for `lang` (the report's JSON twin)."""
    from litwatch.report.view import make_view

    view = make_view(digest, lang, style, charts=False)
    data = digest.to_dict()
    data["rendered"] = {
        "lang": lang,
        "style": view.style,
        "title": view.title,
        "references": [{"number": r.number, "record_id": r.record_id, "text": r.text} for r in view.references],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
