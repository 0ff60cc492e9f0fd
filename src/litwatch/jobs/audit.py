"""The audit job: an article's references and claims checked against the store (and live services)."""

from __future__ import annotations

from typing import Any

from litwatch.jobs.progress import ProgressCallback, notify

__all__ = ["audit"]


def audit(*, store, article: Any, offline: bool = False, topic: str | None = None, lang: str | None = None,
          progress: ProgressCallback | None = None, **options: Any):
    """Audit `article` (a path, an http(s) URL or an audit.Article); returns the Audit."""
    from litwatch.audit import AuditOptions, audit as run_audit

    opts = AuditOptions(offline=offline, topic=topic, lang=lang,
                        progress=lambda step, done, total: notify(progress, "audit", step, done, total), **options)
    result = run_audit(article, store, opts)
    notify(progress, "audit", "done", message="; ".join(result.article.get("summary_lines", [])[:1]))
    return result
