"""Audit an article: check a roundup's references and claims against the sources.

    from litwatch.audit import audit, render, AuditOptions
    result = audit("roundup.txt", store, AuditOptions(offline=True))
    html = render(result, "html", "zh-Hans")

References are parsed, resolved (store first, then PubMed, Crossref and Europe PMC unless
offline) and compared field by field; claim sentences are tied to their citations and checked
against the cited works' records and annotations; the article as a whole is checked for the
period it claims, trials it mentions without naming and papers of its topic it missed.
"""

from __future__ import annotations

from litwatch.audit.article import Article, article_from_text, read_article
from litwatch.audit.model import Audit, AuditOptions, ClaimAudit, Problem, ReferenceAudit
from litwatch.audit.refparse import ParsedReference, parse_reference
from litwatch.audit.render import render, summary_lines
from litwatch.audit.run import audit

__all__ = [
    "audit",
    "render",
    "summary_lines",
    "Audit",
    "AuditOptions",
    "ReferenceAudit",
    "ClaimAudit",
    "Problem",
    "Article",
    "read_article",
    "article_from_text",
    "ParsedReference",
    "parse_reference",
]
