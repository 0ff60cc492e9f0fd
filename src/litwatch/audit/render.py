"""An Audit for people (Markdown, HTML) or tools (JSON), in English, Simplified or Traditional Chinese.

Each problem is shown under the article's own sentence (quoted as written), each reference with
the record it resolved to; everything that comes from the article or a record is escaped.
"""

from __future__ import annotations

import html
import re
from typing import Any

import orjson

from litwatch.audit.model import Audit, ClaimAudit, Problem, ReferenceAudit
from litwatch.audit.texts import LANGS, message, ui
from litwatch.audit.whole import month_name
from litwatch.errors import UsageError

__all__ = ["render", "summary_lines", "FORMATS", "md_escape"]

FORMATS = ("md", "html", "json")
_SEV_ORDER = {"error": 0, "warning": 1, "info": 2}


def render(result: Audit | dict, fmt: str = "md", lang: str | None = None) -> bytes:
    audit = result if isinstance(result, Audit) else Audit.from_dict(result)
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}", hint="one of " + ", ".join(FORMATS))
    lang = lang or audit.article.get("report_lang") or audit.article.get("lang") or "en"
    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r}", hint="one of " + ", ".join(LANGS))
    if fmt == "json":
        return orjson.dumps(audit.to_dict(), option=orjson.OPT_INDENT_2)
    if fmt == "md":
        return _markdown(audit, lang).encode("utf-8")
    return _html(audit, lang).encode("utf-8")


def _msg(p: Problem, lang: str) -> str:
    return message(p.code, lang, p.params) if p.code else p.message


def _sep(lang: str) -> str:
    return "、" if lang.startswith("zh") else ", "


def summary_lines(audit: Audit, lang: str = "en") -> list[str]:
    c = audit.counts()
    ref_probs = [p for r in audit.references for p in r.problems]
    sources = _sep(lang).join(f"{ui(k, lang) if k == 'store' else k} {v}" for k, v in c["resolved_from"].items()) \
        or ui("none", lang)
    lines = [ui("line.references", lang, references=c["references"], resolved=c["resolved"], sources=sources,
                ref_errors=sum(p.severity == "error" for p in ref_probs),
                ref_warnings=sum(p.severity == "warning" for p in ref_probs))]
    verdicts = _sep(lang).join(f"{ui(v, lang)} {n}" for v, n in c["verdicts"].items() if n)
    lines.append(ui("line.claims", lang, claims=c["claims"], cited=c["cited_claims"], verdicts=verdicts or ui("none", lang)))
    kinds = _sep(lang).join(f"{k} {n}" for k, n in c["kinds"].items())
    lines.append(ui("line.problems", lang, kinds=kinds or ui("none", lang), **c["problems"]))
    period = audit.coverage.get("period") or {}
    if period.get("claimed"):
        cl = period["claimed"]
        rng = f"{month_name(cl['from'], lang)}–{month_name(cl['to'], lang)}"
        lines.append(ui("line.period", lang, claimed=rng,
                        covered=_sep(lang).join(month_name(m, lang) for m in period.get("covered", [])) or ui("none", lang),
                        missing=_sep(lang).join(month_name(m, lang) for m in period.get("missing", [])) or ui("none", lang)))
    else:
        lines.append(ui("line.period.none", lang))
    trials = audit.coverage.get("trials") or {}
    if trials.get("mentions"):
        lines.append(ui("line.trials", lang, mentions=len(trials["mentions"]), candidates=len(trials.get("candidates", []))))
    missed = audit.coverage.get("missed")
    if missed is None:
        lines.append(ui("line.missed.none", lang))
    else:
        lines.append(ui("line.missed", lang, count=len(missed.get("papers", [])), topic=missed.get("topic")))
    return lines


# -- Markdown ----------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#{}!])")


def md_escape(text: str) -> str:
    """Text from the article or a record, safe inside Markdown (no markup, no HTML)."""
    s = _MD_SPECIAL.sub(r"\\\1", str(text))
    s = re.sub(r"^(\s*)([-+=])", r"\1\\\2", s)
    s = re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", s)
    return s.replace("\n", " ")


def _heading(a: Audit, lang: str) -> str:
    title = a.article.get("title")
    return ui("title", lang, title=title) if title else ui("title.untitled", lang)


def _md_problem(p: Problem, lang: str) -> str:
    return f"- **{ui(p.severity, lang)}** ({p.kind}): {md_escape(_msg(p, lang))}"


def _claim_meta(c: ClaimAudit, lang: str) -> str:
    bits = [f"{ui('line', lang)} {c.location.get('line')}"]
    if c.refs:
        bits.append(f"{ui('cites', lang)} " + " ".join(f"[{n}]" for n in c.refs))
    elif c.context_refs:
        bits.append(f"{ui('context', lang)} " + " ".join(f"[{n}]" for n in c.context_refs))
    bits.append(f"{ui('verdict', lang)}: {ui(c.verdict, lang)}")
    return " · ".join(bits)


def _evidence_text(e: dict[str, Any]) -> str:
    return f"[{e['ref']}] #{e.get('record_id')} {e.get('field')} {e.get('sentence_id')}"


def _markdown(a: Audit, lang: str) -> str:
    heading = _heading(a, lang)
    out = [f"# {md_escape(heading)}", ""]
    out.append(f"{md_escape(a.article.get('source', ''))} · {a.article.get('lang')} · {md_escape(a.article.get('store', ''))}"
               f" · {a.article.get('audited_at', '')}")
    out += ["", f"## {ui('summary', lang)}", ""]
    out += [f"- {md_escape(line)}" for line in summary_lines(a, lang)]
    out += ["", f"## {ui('article_section', lang)}", ""]
    shown = [c for c in a.claims if c.problems]
    if not shown:
        out.append(ui("no_problems", lang))
    section = object()
    for c in shown:
        if c.location.get("section") != section:
            section = c.location.get("section")
            if section:
                out += [f"### {md_escape(section)}", ""]
        out.append(f"> {md_escape(c.text)}")
        out.append(">")
        out.append(f"> {md_escape(_claim_meta(c, lang))}")
        out.append("")
        for p in sorted(c.problems, key=lambda p: _SEV_ORDER[p.severity]):
            out.append(_md_problem(p, lang))
        for e in c.evidence[:3]:
            out.append(f"- {ui('evidence', lang)} {md_escape(_evidence_text(e))}: “{md_escape(e['text'])}”")
        out.append("")
    out += [f"## {ui('references', lang)}", ""]
    for r in a.references:
        out += _md_reference(r, lang)
    out += [f"## {ui('coverage', lang)}", ""]
    probs = [Problem.from_dict(p) for p in a.coverage.get("problems", [])]
    for p in probs:
        out.append(_md_problem(p, lang))
    if not probs:
        out.append(ui("no_problems", lang))
    trials = (a.coverage.get("trials") or {}).get("candidates") or []
    if trials:
        out += ["", f"{ui('candidates', lang)}:", ""]
        out += [f"- {md_escape(t.get('nct') or '')} {md_escape(t.get('title') or '')} ({md_escape(t.get('status') or '?')})"
                for t in trials]
    missed = (a.coverage.get("missed") or {}).get("papers") or []
    if missed:
        out += ["", f"{ui('missed_list', lang)}:", ""]
        out += [f"- {md_escape(p.get('month') or '')} {md_escape(p.get('title') or '')} "
                f"({md_escape(', '.join(f'{k}:{v}' for k, v in (p.get('ids') or {}).items()))})" for p in missed]
    out += ["", "---", md_escape(ui("footer", lang, store=a.article.get("store", ""))), ""]
    return "\n".join(out)


def _md_reference(r: ReferenceAudit, lang: str) -> list[str]:
    out = [f"### [{r.n}] {md_escape(r.text)}", ""]
    if r.resolved:
        rv = r.resolved
        ids = ", ".join(f"{k}:{v}" for k, v in (rv.get("ids") or {}).items())
        out.append(f"{ui('resolved', lang)}: #{rv.get('record_id')} “{md_escape(rv.get('title') or '')}” "
                   f"({md_escape(rv.get('journal') or '')}; {md_escape(ids)}) — {ui('score', lang, score=rv.get('score'))}, "
                   f"{md_escape(rv.get('by') or '')}, {md_escape(rv.get('source') or '')}")
    else:
        out.append(f"{ui('unresolved', lang)}.")
    out.append("")
    for p in sorted(r.problems, key=lambda p: _SEV_ORDER[p.severity]):
        out.append(_md_problem(p, lang))
    out.append("")
    return out


# -- HTML -------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Noto Sans CJK TC",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.55;color:#222}
h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}h3{font-size:1.05rem;margin-top:1.4rem}
blockquote{margin:.6rem 0;padding:.4rem .8rem;border-left:4px solid #888;background:#f6f6f6}
.meta{color:#666;font-size:.9rem}.claim{margin:1rem 0 1.4rem}
ul.problems{margin:.3rem 0;padding-left:1.2rem}
.error{color:#a40000}.warning{color:#8a5a00}.info{color:#25589a}
.sev{font-weight:600;text-transform:uppercase;font-size:.8rem;margin-right:.3rem}
.evidence{color:#444;font-size:.92rem}.ref{margin:1rem 0}.summary li{margin:.2rem 0}
.verdict-contradicted{color:#a40000}.verdict-unsupported{color:#a40000}.verdict-partly{color:#8a5a00}
.verdict-supported{color:#1b6e1b}
@media print{body{max-width:none}}
"""


def _e(text: Any) -> str:
    return html.escape(str(text if text is not None else ""), quote=True)


def _html_problem(p: Problem, lang: str) -> str:
    return (f'<li class="{_e(p.severity)}" data-kind="{_e(p.kind)}"><span class="sev">{_e(ui(p.severity, lang))}</span>'
            f'<span class="kind">({_e(p.kind)})</span> {_e(_msg(p, lang))}</li>')


def _html(a: Audit, lang: str) -> str:
    heading = _heading(a, lang)
    parts = [f'<!DOCTYPE html><html lang="{_e(lang)}"><head><meta charset="utf-8">',
             f"<title>{_e(heading)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{_e(heading)}</h1>",
             f'<p class="meta">{_e(a.article.get("source"))} · {_e(a.article.get("lang"))} · {_e(a.article.get("store"))} · '
             f'{_e(a.article.get("audited_at"))}</p>',
             f"<h2>{_e(ui('summary', lang))}</h2><ul class=\"summary\">"]
    parts += [f"<li>{_e(line)}</li>" for line in summary_lines(a, lang)]
    parts.append(f"</ul><h2>{_e(ui('article_section', lang))}</h2>")
    shown = [c for c in a.claims if c.problems]
    if not shown:
        parts.append(f"<p>{_e(ui('no_problems', lang))}</p>")
    section = object()
    for c in shown:
        if c.location.get("section") != section:
            section = c.location.get("section")
            if section:
                parts.append(f"<h3>{_e(section)}</h3>")
        parts.append(f'<div class="claim" id="claim-{c.id}"><blockquote>{_e(c.text)}</blockquote>')
        parts.append(f'<div class="meta verdict-{_e(c.verdict)}">{_e(_claim_meta(c, lang))}</div><ul class="problems">')
        parts += [_html_problem(p, lang) for p in sorted(c.problems, key=lambda p: _SEV_ORDER[p.severity])]
        parts.append("</ul>")
        for e in c.evidence[:3]:
            parts.append(f'<div class="evidence">{_e(ui("evidence", lang))} {_e(_evidence_text(e))}: “{_e(e["text"])}”</div>')
        parts.append("</div>")
    parts.append(f"<h2>{_e(ui('references', lang))}</h2>")
    for r in a.references:
        parts.append(f'<div class="ref" id="ref-{r.n}"><h3>[{r.n}] {_e(r.text)}</h3>')
        if r.resolved:
            rv = r.resolved
            ids = ", ".join(f"{k}:{v}" for k, v in (rv.get("ids") or {}).items())
            parts.append(f'<p class="meta">{_e(ui("resolved", lang))}: #{_e(rv.get("record_id"))} “{_e(rv.get("title"))}” '
                         f'({_e(rv.get("journal"))}; {_e(ids)}) — {_e(ui("score", lang, score=rv.get("score")))}, '
                         f'{_e(rv.get("by"))}, {_e(rv.get("source"))}</p>')
        else:
            parts.append(f'<p class="meta">{_e(ui("unresolved", lang))}</p>')
        parts.append('<ul class="problems">')
        parts += [_html_problem(p, lang) for p in sorted(r.problems, key=lambda p: _SEV_ORDER[p.severity])]
        parts.append("</ul></div>")
    parts.append(f"<h2>{_e(ui('coverage', lang))}</h2><ul class=\"problems\">")
    probs = [Problem.from_dict(p) for p in a.coverage.get("problems", [])]
    parts += [_html_problem(p, lang) for p in probs]
    parts.append("</ul>")
    trials = (a.coverage.get("trials") or {}).get("candidates") or []
    if trials:
        parts.append(f"<p>{_e(ui('candidates', lang))}:</p><ul>")
        parts += [f"<li>{_e(t.get('nct'))} {_e(t.get('title'))} ({_e(t.get('status') or '?')})</li>" for t in trials]
        parts.append("</ul>")
    missed = (a.coverage.get("missed") or {}).get("papers") or []
    if missed:
        parts.append(f"<p>{_e(ui('missed_list', lang))}:</p><ul>")
        parts += [f"<li>{_e(p.get('month'))} {_e(p.get('title'))}</li>" for p in missed]
        parts.append("</ul>")
    parts.append(f'<hr><p class="meta">{_e(ui("footer", lang, store=a.article.get("store", "")))}</p></body></html>')
    return "\n".join(parts)

