"""The progress report: build(topic, period, options) -> Digest; render(digest, fmt, lang) -> bytes.

    from litwatch.report import build, render, ReportOptions
    digest = build("stem-cell-depression", ("2025-01", "2025-12"), ReportOptions(), store=store)
    html = render(digest, "html", "zh-Hans")
"""

from litwatch.report.build import build
from litwatch.report.digest import Digest, Period, ReportOptions, parse_period
from litwatch.report.render import FORMATS, default_filename, render

__all__ = ["build", "render", "Digest", "Period", "ReportOptions", "parse_period", "FORMATS", "default_filename"]
