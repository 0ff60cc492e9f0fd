"""PDF with WeasyPrint from the report's HTML; text stays text (extractable, searchable)."""

from __future__ import annotations

import logging

from litwatch.errors import ReportError
from litwatch.report.render_html import render_html
from litwatch.report.view import View

__all__ = ["render_pdf"]


def render_pdf(v: View) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # pango missing on the machine
        raise ReportError(f"cannot make PDFs here: {exc}", hint="install WeasyPrint's system libraries (pango)") from None
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    html = render_html(v)
    return HTML(string=html, base_url=".").write_pdf()
