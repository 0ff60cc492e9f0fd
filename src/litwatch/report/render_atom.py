"""Atom feed (feedgen) of the period's included papers, newest first, one entry a paper."""

from __future__ import annotations

from datetime import datetime, timezone

from feedgen.feed import FeedGenerator

from litwatch.report.dates import format_period
from litwatch.report.entries import safe_url
from litwatch.report.digest import Digest
from litwatch.report.texts import t

__all__ = ["render_atom"]


def _when(iso: str | None, fallback: str) -> datetime:
    value = (iso or fallback)[:10]
    if len(value) == 7:
        value += "-01"
    if len(value) == 4:
        value += "-01-01"
    return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)


def render_atom(d: Digest, lang: str) -> bytes:
    fg = FeedGenerator()
    name = d.topic["name"]
    from litwatch.report.view import date_text

    fg.id(f"urn:litwatch:report:{name}:{d.period.start}_{d.period.end}")
    fg.title(t("atom.title", lang, title=d.title(lang)))
    fg.subtitle(t("atom.subtitle", lang, period=format_period(d.period.start, d.period.end, lang)))
    fg.language(lang)
    fg.author({"name": "litwatch"})
    fg.generator("litwatch", d.provenance.get("litwatch_version"))
    fg.updated(datetime.fromisoformat(d.generated_at.replace("Z", "+00:00")))
    fg.link(href=f"urn:litwatch:report:{name}", rel="self")
    papers = sorted(d.papers(), key=lambda p: (p.date or p.month or d.period.start, p.record_id))
    for p in papers:
        e = fg.add_entry()
        url = safe_url(p.url)
        e.id(url or f"urn:litwatch:record:{p.record_id}")
        e.title(p.title)
        if url:
            e.link(href=url)
        when = _when(p.date, p.month or d.period.start)
        e.published(when)
        e.updated(when)
        lines = [date_text(p, lang) + (f" · {p.journal}" if p.journal else ""), p.gloss.get(lang, ""),
                 p.studied.get(lang, "")]
        for f in p.findings:
            if f.generated.get(lang):
                lines.append(f.generated[lang])
            lines.append(f"“{f.text}”")
        text = "\n".join(x for x in lines if x)
        e.summary(text)
        if not url:
            e.content(text, type="text")  # Atom wants a link or content
        for cat in filter(None, [p.design, p.study_class]):
            e.category(term=cat, label=d.label(cat, lang) if ":" in cat else t(f"class.{cat}", lang))
    return fg.atom_str(pretty=True)
