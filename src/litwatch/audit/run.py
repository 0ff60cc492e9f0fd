"""`audit(article, store, options) -> Audit`: the whole audit of one article, in one function.

Steps (each reported to `options.progress(step, done, total)`): read the article; find its
reference list and citations; parse and resolve each reference (store first, then the live
services unless offline, storing what they return in one fetch run) and list its problems;
split the body into sections and claim sentences and check each against the works it cites;
then the article as a whole. The Audit is plain data (`to_dict()` is its JSON).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from litwatch.audit.article import Article, read_article, to_simplified
from litwatch.audit.checks import check_claim
from litwatch.audit.citations import find_citations, find_reference_list
from litwatch.audit.claims import Section, Sentence, split_body
from litwatch.audit.lexicon import find_mentions
from litwatch.audit.match import norm_text, record_summary, title_similarity
from litwatch.audit.model import Audit, AuditOptions, ClaimAudit, ReferenceAudit, problem
from litwatch.audit.refcheck import reference_problems
from litwatch.audit.refparse import parse_reference
from litwatch.audit.resolve import FetchLog, Resolver
from litwatch.audit.statements import Statement, journal_stems, read_statement
from litwatch.audit.whole import (
    claimed_period, date_kind_check, missed_papers, months_named, period_check, trial_candidates,
)
from litwatch.audit.works import Work, build_work
from litwatch.clock import utc_now
from litwatch.errors import UsageError

__all__ = ["audit", "AUDIT_VERSION"]

AUDIT_VERSION = "1"
_SUMMARY_HEADING = re.compile(r"总结|結語|结语|小结|结论|結論|总结与展望|展望|综上|\bsummary\b|\bconclusions?\b|\boutlook\b|"
                              r"\bdiscussion\b|\bin brief\b", re.I)
_LANGS = ("en", "zh-Hans", "zh-Hant")


def audit(article: str | Article, store, options: AuditOptions | None = None) -> Audit:
    opts = options or AuditOptions()
    if opts.lang is not None and opts.lang not in _LANGS:
        raise UsageError(f"unknown language {opts.lang!r}", hint="one of " + ", ".join(_LANGS))
    step = opts.progress or (lambda name, done, total: None)
    step("read", 0, 1)
    if isinstance(article, Article):
        art = article
    else:
        fetch_page = None
        if opts.transport is not None:
            from functools import partial

            from litwatch.sources.lookup import fetch_page as _fp

            fetch_page = partial(_fp, transport=opts.transport, options=opts.http_options)
        art = read_article(article, offline=opts.offline, fetch_page=fetch_page)
    entries, list_start, _ = find_reference_list(art.text)
    body = art.text[:list_start]
    parsed = [parse_reference(e.text) for e in entries]
    first_authors = {e.n: (p.first_author, p.year, p.year_suffix) for e, p in zip(entries, parsed)}
    cites = find_citations(body, entries, first_authors)
    sections, sentences = split_body(body, cites)

    # -- references ---------------------------------------------------------------------------------
    lookup = None
    if not opts.offline:
        from litwatch.sources.lookup import Lookup

        lookup = Lookup(transport=opts.transport, options=opts.http_options)
    log = FetchLog(store, {"target": None, "topic": None, "by": "audit", "article": art.source,
                           "sources": list(opts.sources)})
    resolver = Resolver(store, lookup, log, opts.sources)
    references: list[ReferenceAudit] = []
    works: dict[int, Work] = {}
    try:
        for i, (entry, p) in enumerate(zip(entries, parsed)):
            step("references", i, len(entries))
            res = resolver.resolve(p, online=lookup is not None)
            probs = reference_problems(p, res, online=lookup is not None)
            resolved = None
            if res.record is not None:
                resolved = {"record_id": res.record_id, "score": res.score.get("score"), "by": res.by,
                            "source": res.source, **record_summary(res.record)}
            ann = _annotations(store, res.record_id) if res.record_id is not None else None
            if entry.n not in works:
                works[entry.n] = build_work(entry.n, p, res.record_id, res.record, ann)
            references.append(ReferenceAudit(entry.n, entry.text, p.to_dict(), resolved, probs,
                                             [{"start": c.start, "end": c.end} for c in cites if entry.n in c.refs]))
        step("references", len(entries), len(entries))
    finally:
        if lookup is not None:
            log.finish(lookup.requests())
            lookup.close()

    # -- claims ---------------------------------------------------------------------------------------
    period = claimed_period(body[: max(len(body) // 3, 400)] + "\n" + (art.title or ""))
    year_hint = int(period[1][:4]) if period else _common_year(body)
    statements = {s.id: read_statement(s.text, year=_section_year(sections[s.section], year_hint))
                  for s in sentences}
    implicit = _implicit_refs(sections, statements, works)
    claims: list[ClaimAudit] = []
    all_works = list(works.values())
    date_kinds: list[tuple[int, str]] = []
    unnamed: list[int] = []
    body_sentences = [s for s in sentences if not s.heading and len(s.text.strip()) >= 6]
    for i, s in enumerate(body_sentences):
        step("claims", i, len(body_sentences))
        sec = sections[s.section]
        st = statements[s.id]
        own = [n for n in s.refs if n in works]
        context = [] if own else _context_refs(s, sec, sentences, implicit)
        heading = statements.get(sec.sentences[0].id) if sec.sentences and sec.sentences[0].heading else None
        summary = bool(sec.title and _SUMMARY_HEADING.search(to_simplified(sec.title)))
        result = _check_segments(s, st, own, context, works, all_works, heading, summary,
                                 _section_year(sec, year_hint))
        probs = list(result.problems)
        for c in s.cites:
            for n in c.unknown:
                probs.append(problem("citation", "warning", "citation.unknown", n=n))
        if sec.id in implicit and s is _first_claim(sec) and not own:
            probs.insert(0, problem("citation", "warning", "citation.implicit", n=implicit[sec.id]))
        date_kinds.extend(result.date_kinds)
        if result.unnamed_trials:
            unnamed.append(len(claims))
        verdict = result.verdict
        if verdict in ("supported", "unverifiable") and any(p.severity == "warning" and p.kind == "citation" for p in probs):
            verdict = "partly" if verdict == "supported" else verdict
        claims.append(ClaimAudit(len(claims), s.text, own, {"start": s.start, "end": s.end, "line": s.line,
                                                            "section": sec.title, "sentence": s.id},
                                 context, verdict, probs, result.evidence))
    step("claims", len(body_sentences), len(body_sentences))

    # -- the article as a whole -------------------------------------------------------------------------
    if opts.topic:
        # the topic's included papers and trials: its rules brought up to date (people's decisions stay)
        from litwatch.screen import update_screening

        step("screen", 0, 1)
        update_screening(store, opts.topic, use_model=False)
    step("coverage", 0, 1)
    covered = months_named(sentences, year_hint, {sec.id: y for sec in sections
                                                  if (y := _section_year(sec, year_hint)) is not None})
    works_months = sorted({w.record.report_month() for w in all_works if w.record is not None and w.record.report_month()})
    period_info, problems = period_check(period, covered or works_months)
    period_info["works"] = works_months
    kinds_info, kind_probs = date_kind_check(date_kinds)
    problems += kind_probs
    trials: dict[str, Any] = {"mentions": unnamed, "candidates": []}
    if unnamed:
        trials["candidates"] = trial_candidates(store, body, opts.topic, period)
        if trials["candidates"]:
            shown = "; ".join(f"{t['nct']} ({t['status'] or '?'})" for t in trials["candidates"][:5])
            problems.append(problem("trials", "warning", "trials.unnamed", count=len(trials["candidates"]), trials=shown))
        else:
            problems.append(problem("trials", "warning", "trials.unnamed.none"))
    missed = None
    if opts.topic:
        cited_ids = {w.record_id for w in all_works if w.record_id is not None}
        papers = missed_papers(store, opts.topic, period, cited_ids)
        missed = {"topic": opts.topic, "papers": papers}
        if papers:
            shown = "; ".join((p["title"] or "?")[:80] for p in papers[:5]) + (" ..." if len(papers) > 5 else "")
            problems.append(problem("missed", "info" if len(papers) < 3 else "warning", "missed", count=len(papers),
                                    papers=shown))
    coverage = {"period": period_info, "date_kinds": kinds_info, "trials": trials, "missed": missed,
                "problems": [p.to_dict() for p in problems]}
    step("coverage", 1, 1)

    info = art.to_dict()
    info.update({"audit_version": AUDIT_VERSION, "audited_at": utc_now(), "store": str(store.path),
                 "offline": opts.offline, "topic": opts.topic, "lang": art.lang, "report_lang": opts.lang or art.lang,
                 "fetch_run": log.run_id, "citations": len(cites), "sections": [s.title for s in sections if s.title],
                 "reference_list": {"start": list_start, "entries": len(entries)}})
    result = Audit(info, references, claims, coverage)
    from litwatch.audit.render import summary_lines

    result.article["summary"] = result.counts()
    result.article["summary_lines"] = summary_lines(result, opts.lang or art.lang)
    return result


_RANK = {"contradicted": 0, "unsupported": 1, "partly": 2, "supported": 3, "unverifiable": 4}


def _check_segments(s: Sentence, st: Statement, own: list[int], context: list[int], works: dict[int, Work],
                    all_works: list[Work], heading, summary: bool, year: int | None):
    """One sentence's check; a sentence citing different works for different clauses ("X [1], and Y [2]")
    is checked clause by clause, each against its own citation."""
    groups = [c for c in s.cites if any(n in works for n in c.refs)]
    if len(own) < 2 or len({tuple(c.refs) for c in groups}) < 2:
        return check_claim(st, [works[n] for n in own], [works[n] for n in context if n in works],
                           all_works=all_works, heading=heading, uncited=not own and not context or summary)
    results = []
    prev = s.start
    for i, c in enumerate(groups):
        end = c.end if i < len(groups) - 1 else s.end
        part = read_statement(s.text[prev - s.start:end - s.start], year=year)
        results.append(check_claim(part, [works[n] for n in c.refs if n in works], [], all_works=all_works,
                                   heading=heading))
        prev = c.end
    merged = results[0]
    seen = {p.message for p in merged.problems}
    for r in results[1:]:
        merged.problems += [p for p in r.problems if p.message not in seen]
        seen |= {p.message for p in r.problems}
        merged.evidence += r.evidence
        merged.date_kinds += r.date_kinds
        merged.unnamed_trials = merged.unnamed_trials or r.unnamed_trials
        if _RANK[r.verdict] < _RANK[merged.verdict]:
            merged.verdict = r.verdict
    return merged


def _annotations(store, record_id: int):
    try:
        from litwatch.annotate import get_annotations

        return get_annotations(store, record_id)
    except Exception:  # noqa: BLE001 - stale or missing annotations are made again on the spot
        return None


def _common_year(body: str) -> int | None:
    years = Counter(int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", body))
    return years.most_common(1)[0][0] if years else None


def _section_year(sec: Section, default: int | None) -> int | None:
    if sec.title:
        m = re.search(r"((?:19|20)\d{2})", sec.title)
        if m:
            return int(m.group(1))
    return default


def _first_claim(sec: Section) -> Sentence | None:
    return next((s for s in sec.sentences if not s.heading), None)


def _context_refs(s: Sentence, sec: Section, sentences: list[Sentence], implicit: dict[int, int]) -> list[int]:
    """The citations a sentence without its own inherits: the paragraph's last cited sentence
    before it, else the passage's (when it cites one or two works), else a work it describes."""
    before = [x for x in sec.sentences if x.line == s.line and x.start < s.start and x.refs]
    if before:
        return before[-1].refs
    refs = sec.refs()
    if sec.title and len(refs) == 1:
        return refs
    if sec.id in implicit:
        return [implicit[sec.id]]
    return []


def _implicit_refs(sections: list[Section], statements: dict[int, Statement], works: dict[int, Work]) -> dict[int, int]:
    """Passages that describe a reference they never cite: by its title, date and journal."""
    cited = {n for sec in sections for n in sec.refs()}
    free = [w for n, w in works.items() if n not in cited]
    out: dict[int, int] = {}
    if not free:
        return out
    for sec in sections:
        if sec.refs() or not sec.title or _SUMMARY_HEADING.search(to_simplified(sec.title)):
            continue
        scores = []
        for w in free:
            score = 0.0
            title = (w.record.title if w.record else None) or w.parsed.title or ""
            tconcepts = {m.concept_id for m in find_mentions(title)}
            for s in sec.sentences[:4]:
                st = statements[s.id]
                for t in st.titles:
                    if re.search(r"[\u4e00-\u9fff]", t):
                        tc = {m.concept_id for m in find_mentions(t)}
                        shared = tc & tconcepts - {"cell:stem-cell"}
                        if len(shared) >= 2 and len(shared) / max(len(tc | tconcepts), 1) >= 0.4:
                            score += 1.5
                    elif title_similarity(t, title) >= 0.8:
                        score += 2
                for d in st.dates:
                    if "day" in d and any(wd == d for _, wd, _ in w.dates):
                        score += 1
                for j in st.journals:
                    jt = norm_text(" ".join(x for x in ((w.record.journal.title, w.record.journal.iso_abbrev)
                                                        if w.record else ()) if x) or w.parsed.journal or "")
                    stems = journal_stems(j) if re.search(r"[\u4e00-\u9fff]", j) else norm_text(j).split()
                    if stems and jt and all(x in jt for x in stems):
                        score += 0.5
            scores.append((score, w.n))
        scores.sort(reverse=True)
        if scores and scores[0][0] >= 1.5 and (len(scores) == 1 or scores[1][0] < scores[0][0]):
            out[sec.id] = scores[0][1]
            free = [w for w in free if w.n != scores[0][1]]
    return out
