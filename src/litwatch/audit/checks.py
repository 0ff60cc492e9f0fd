"""A claim sentence against the works it cites: design and species, condition (and what its
abbreviations mean), model, intervention, relation, date, journal, institution; and the claims
no cited work can carry (uncited clinical benefit or safety, "trials have shown ...").

Errors are kept for contradictions the records show plainly (people claimed for a mouse study,
Parkinson's disease for a review of psychiatric disorders, another journal or cell source for a
primary study); what a review's short abstract merely does not mention is a note, since a
review covers more than its abstract says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from litwatch.audit.lexicon import find_mentions
from litwatch.audit.match import journal_matches, norm_text
from litwatch.audit.model import Problem, problem
from litwatch.audit.statements import Statement, countries_of, journal_stems
from litwatch.audit.works import ANIMALS, Work, date_str

__all__ = ["ClaimResult", "check_claim", "DEPRESSION", "PSYCHIATRIC", "NEUROLOGICAL", "SPECIFIC_CELLS"]

DEPRESSION = {"condition:depression", "condition:mdd", "condition:trd", "condition:bipolar-depression",
              "condition:postpartum-depression", "condition:post-stroke-depression"}
PSYCHIATRIC = DEPRESSION | {"audit:psychiatric", "condition:anxiety", "condition:ptsd", "condition:schizophrenia",
                            "condition:autism", "condition:stress"}
NEUROLOGICAL = {"condition:parkinson", "condition:alzheimer", "condition:stroke", "audit:neurological",
                "condition:chronic-pain"}
SPECIFIC_CELLS = {"cell:uc-msc", "cell:wj-msc", "cell:bm-msc", "cell:ad-msc", "cell:dp-msc", "cell:placenta-msc",
                  "cell:amniotic", "cell:nsc", "cell:esc", "cell:ipsc", "cell:psc-neuron", "cell:hsc", "cell:nk"}
_MSC_FAMILY = {"cell:uc-msc", "cell:wj-msc", "cell:bm-msc", "cell:ad-msc", "cell:dp-msc", "cell:placenta-msc",
               "cell:amniotic"}
_PLURIPOTENT = {"cell:esc", "cell:ipsc", "cell:psc-neuron"}
_CONTRADICTING = {"design", "species", "condition", "model", "intervention", "journal", "date", "relation",
                  "institution"}
_NEGATED_CLAIM = re.compile(r"缺乏|尚无|没有|未见|仍需|需要更多|有待|\black(?:s|ing)?\b|\bno\b|\bnot\b|\bneeded\b|\bremain[s]? to\b|"
                            r"\bawait\w*|\bfuture\b|\bwill\b", re.I)
from litwatch.audit.lexicon import CUES as _CUES  # noqa: E402

CUES_HUMAN = _CUES["human"]
_FUTURE = re.compile(r"将进一步|将会|需要|需进一步|有待|尚需|仍需|下一步|未来的?研究|验证其|来评估|以评估|"
                     r"\bwill\b|\bare needed\b|\bis needed\b|\bneed(?:s|ed)? (?:larger|more|further)\b|"
                     r"\bto (?:assess|evaluate|test)\b|\bneed(?:s)? to be\b|\bremain(?:s)? to be\b|"
                     r"\bfuture (?:trials|studies|research)\b|\bshould be (?:tested|confirmed|evaluated)\b|\bawait", re.I)
_NCT = re.compile(r"\bNCT\d{8}\b|\bChiCTR[\w\-]+|\bISRCTN\d+|\bEUCTR[\w\-]+|\bACTRN\d+|\bjRCT\w+", re.I)


@dataclass
class ClaimResult:
    verdict: str = "unverifiable"
    problems: list[Problem] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    date_kinds: list[tuple[int, str]] = field(default_factory=list)  # (ref n, online|issue) the text's date matched
    unnamed_trials: bool = False


def _c(ids) -> dict[str, Any]:
    return {"concepts": sorted(ids)}


def _ref(w: Work) -> str:
    return f"[{w.n}]"


def _compatible_condition(c: str, have: set[str]) -> bool:
    if c in have:
        return True
    if c in DEPRESSION and have & DEPRESSION:
        return True
    if c == "audit:psychiatric" and have & PSYCHIATRIC:
        return True
    if c in PSYCHIATRIC and "audit:psychiatric" in have and c not in DEPRESSION:
        return True
    return False


def _compatible_cell(c: str, have: set[str]) -> bool:
    if c in have:
        return True
    if c in _PLURIPOTENT and have & _PLURIPOTENT:
        return True
    return False


def check_claim(st: Statement, explicit: list[Work], context: list[Work], *, all_works: list[Work],
                heading: Statement | None = None, uncited: bool = False) -> ClaimResult:
    r = ClaimResult()
    works = [w for w in explicit if w.record is not None]
    ctx = [w for w in context if w.record is not None and w not in works]
    strict = bool(works)  # a sentence's own citations are checked harder than its passage's
    if "trial" in st.cues and ("ongoing" in st.cues or "several" in st.cues) and not _NCT.search(st.text) \
            and not any(w.is_human for w in works):
        r.unnamed_trials = True
        r.problems.append(problem("uncited", "warning", "trials.unnamed.claim"))
    _generalisation(st, works, ctx, all_works, r, uncited=uncited and not works and not ctx)
    for w in works + ctx:
        own = w in works
        _design(st, w, r, own)
        _conditions(st, w, r, own)
        _models_and_cells(st, w, r, own)
        if own:
            _relation(st, w, r, heading)
        if own or (not works and len(ctx) == 1):  # a passage about one work names its date, journal, place
            _date(st, w, r)
            _journal(st, w, r)
            _institution(st, w, r)
    r.evidence = _evidence(st, works or ctx)
    _self_abbreviations(st, r)
    r.verdict = _verdict(st, r, works or ctx, strict)
    return r


# -- the checks ---------------------------------------------------------------------------------

_STRONG_HUMAN = re.compile(r"临床试验|临床研究|临床实验|人体试验|人类试验|人体研究|试点研究|早期临床|初步临床|临床结果|临床证据|"
                           r"\bclinical (?:trials?|stud(?:y|ies)|evidence|results?|outcomes?)\b|\bhuman (?:trials?|stud(?:y|ies))\b|"
                           r"\bpilot (?:study|trial)\b|\bin (?:human|patient)s\b|\btrials? in (?:patients|people|humans)\b", re.I)


def human_claim(st: Statement) -> str | None:
    """The words by which the sentence claims something in people, or None (negated or only hoped for)."""
    if "human" not in st.cues and "trial" not in st.cues:
        return None
    from litwatch.audit.lexicon import mask_preclinical

    masked = mask_preclinical(st.simple)
    strong = _STRONG_HUMAN.search(masked)
    if strong is None and "hedge" in st.cues:
        return None
    cue = strong or CUES_HUMAN.search(masked)
    if cue is None:
        return None
    if _NEGATED_CLAIM.search(masked[max(0, cue.start() - 12):cue.start()]) or _FUTURE.search(masked):
        return None
    return st.text[cue.start():cue.end()]


def _design(st: Statement, w: Work, r: ClaimResult, own: bool) -> None:
    cue = human_claim(st)
    if cue:
        if w.is_nonhuman_primary:
            # a sentence that names the work's animals too only compares them with people: a warning
            sure = own and not (st.concepts.get("species", set()) & w.species & ANIMALS)
            r.problems.append(problem("design", "error" if sure else "warning", "design.human-on-animal", ref=_ref(w),
                                      cue=cue, what=w.what()))
        elif w.is_review and (not w.mentions_human or w.mainly_animal):
            r.problems.append(problem("design", "warning", "design.human-on-review", ref=_ref(w), cue=cue,
                                      what={"en": "animal studies", "zh-Hans": "动物实验"}))
        elif w.is_review and own:
            r.problems.append(problem("design", "info", "design.human-via-review", ref=_ref(w), cue=cue))
    elif "safety" in st.cues and not w.is_human and "animal" not in st.cues and not _FUTURE.search(st.simple) \
            and not re.search(r"评估|评价|\bassess\w*|\bevaluat\w*", st.simple, re.I):
        r.problems.append(problem("design", "warning", "design.safety", ref=_ref(w), cue=st.cue_text("safety"),
                                  what=w.what()))
    claimed_species = st.concepts.get("species", set()) & ANIMALS
    have_species = w.species & ANIMALS
    if claimed_species and have_species and not claimed_species & have_species and not w.is_review:
        r.problems.append(problem("species", "error" if own else "warning", "species.differs", ref=_ref(w),
                                  claimed=_c(claimed_species), actual=_c(have_species)))
    claimed_design = st.concepts.get("design", set())
    if own and claimed_design and w.design and w.design != "design:other":
        if "design:rct" in claimed_design and w.design not in ("design:rct", "design:meta-analysis",
                                                               "design:systematic-review"):
            r.problems.append(problem("design", "error", "design.claimed", ref=_ref(w), claimed=_c({"design:rct"}),
                                      actual=_c({w.design})))
        elif claimed_design & {"design:narrative-review", "design:systematic-review"} and not w.is_review:
            r.problems.append(problem("design", "warning", "design.claimed", ref=_ref(w),
                                      claimed=_c(claimed_design & {"design:narrative-review", "design:systematic-review"}),
                                      actual=_c({w.design})))


def _conditions(st: Statement, w: Work, r: ClaimResult, own: bool) -> None:
    have = w.concepts.get("condition", set())
    claimed = st.concepts.get("condition", set())
    # what the claim's abbreviations mean against what the work's abbreviations mean
    for long_form, short, ids in st.definitions:
        cond = ids & (PSYCHIATRIC | NEUROLOGICAL)
        if not cond:
            continue
        for form in (short, short + "s", short.rstrip("s")):
            work_long = w.abbrevs.get(form)
            if not work_long:
                continue
            means = {m.concept_id for m in find_mentions(work_long) if m.category == "condition"}
            if means and not any(_compatible_condition(c, means) for c in cond):
                r.problems.append(problem("condition", "error", "condition.abbrev", ref=_ref(w), abbr=short,
                                          claimed=_c(cond), long=work_long))
                claimed = claimed - cond
            break
    if not have:
        return
    for c in sorted(claimed):
        if _compatible_condition(c, have) or any(p.code == "condition.abbrev" for p in r.problems):
            continue
        cross = (c in NEUROLOGICAL and have & PSYCHIATRIC and not have & NEUROLOGICAL) or \
                (c in PSYCHIATRIC and have & NEUROLOGICAL and not have & PSYCHIATRIC)
        if cross:
            r.problems.append(problem("condition", "error" if own else "warning", "condition.absent", ref=_ref(w),
                                      claimed=_c({c}), actual=_c(have)))
        elif own and not w.is_review and c not in DEPRESSION and c != "condition:stress":
            r.problems.append(problem("condition", "warning", "condition.absent", ref=_ref(w), claimed=_c({c}),
                                      actual=_c(have)))


def _models_and_cells(st: Statement, w: Work, r: ClaimResult, own: bool) -> None:
    models = st.concepts.get("animal_model", set())
    have_models = w.concepts.get("animal_model", set())
    for m in sorted(models - have_models):
        if own and w.is_nonhuman_primary and have_models:
            r.problems.append(problem("model", "error", "model.absent", ref=_ref(w), claimed=_c({m}), actual=_c(have_models)))
        elif own:
            r.problems.append(problem("model", "info", "model.unconfirmed", ref=_ref(w), claimed=_c({m})))
    cells = st.concepts.get("cell_source", set()) & SPECIFIC_CELLS
    have_cells = (w.concepts.get("cell_source", set()) | {p.split("+", 1)[1] for p in w.concepts.get("product", set())
                                                          if "+" in p}) & SPECIFIC_CELLS
    missing = {c for c in cells if not _compatible_cell(c, have_cells)}
    if missing and own:
        if not w.is_review and have_cells:
            r.problems.append(problem("intervention", "error", "intervention.absent", ref=_ref(w), claimed=_c(missing),
                                      actual=_c(have_cells)))
        else:
            r.problems.append(problem("intervention", "info", "intervention.unconfirmed", ref=_ref(w), claimed=_c(missing)))
    products = {p.split("+")[0] for p in st.concepts.get("product", set())} & {"product:exosome", "product:ev"}
    have_products = {p.split("+")[0] for p in w.concepts.get("product", set())}
    if own and products and not w.is_review and have_cells and not have_products & {"product:exosome", "product:ev",
                                                                                       "product:secretome"}:
        r.problems.append(problem("intervention", "warning", "intervention.absent", ref=_ref(w), claimed=_c(products),
                                  actual=_c(have_cells)))


def _relation(st: Statement, w: Work, r: ClaimResult, heading: Statement | None) -> None:
    framed = "treatment" in st.cues or (heading is not None and "treatment" in heading.cues)
    if not framed or "predictor" in st.cues:  # "predicts response to treatment" tells the relation right
        return
    denied = w.therapy_denied()
    if denied:
        r.problems.append(problem("relation", "warning", "relation.no-therapy", ref=_ref(w),
                                  what={"en": f"says: “{denied}”", "zh-Hans": f"原文为：“{denied}”"}))


def _date(st: Statement, w: Work, r: ClaimResult) -> None:
    if not st.dates or not w.dates:
        return
    d = st.dates[0]
    matched = None
    for kind, wd, _src in w.dates:
        if wd["year"] == d["year"] and wd.get("month") == d.get("month") and (
                "day" not in d or "day" not in wd or wd["day"] == d["day"]):
            if "day" in d and "day" not in wd:
                continue
            matched = kind
            break
    comparable = [wd for _, wd, _ in w.dates if "month" in wd]
    if matched is None:
        if comparable:
            dates = ", ".join(f"{date_str(wd)} ({kind})" for kind, wd, _ in w.dates if "month" in wd)
            month_ok = any(wd["year"] == d["year"] and wd.get("month") == d.get("month") for wd in comparable)
            r.problems.append(problem("date", "warning" if month_ok else "error", "date.mismatch",
                                      claimed=date_str(d), dates=dates))
        return
    r.date_kinds.append((w.n, matched))
    other_kind = "issue" if matched == "online" else "online"
    others = [wd for kind, wd, _ in w.dates if kind == other_kind and "month" in wd
              and (wd["year"], wd["month"]) != (d["year"], d.get("month"))]
    if others:
        r.problems.append(problem("date", "info", "date.kind", ref=_ref(w), which={"ui": matched}, claimed=date_str(d),
                                  other={"en": f"its {other_kind} date is {date_str(others[0])}",
                                         "zh-Hans": f"其{'期刊出版' if other_kind == 'issue' else '在线发表'}日期为 {date_str(others[0])}"}))


def _journal(st: Statement, w: Work, r: ClaimResult) -> None:
    for name in st.journals:
        if re.search(r"[\u4e00-\u9fff]", name):
            stems = journal_stems(name)
            if not stems:
                continue
            title = norm_text(" ".join(x for x in (w.record.journal.title, w.record.journal.iso_abbrev) if x)) \
                or norm_text(w.parsed.journal)
            if title and not any(s in title for s in stems):
                r.problems.append(problem("journal", "warning", "journal.claim", ref=_ref(w), claimed=f"《{name}》",
                                          actual=w.record.journal.title or w.parsed.journal or "?"))
        else:
            ok = journal_matches(name, w.record)
            if ok is None and w.parsed.journal:
                ok = fuzz.ratio(norm_text(name), norm_text(w.parsed.journal)) >= 85
            if ok is False:
                r.problems.append(problem("journal", "error", "journal.claim", ref=_ref(w), claimed=name,
                                          actual=w.record.journal.title or w.parsed.journal or "?"))


def _institution(st: Statement, w: Work, r: ClaimResult) -> None:
    if not st.places or not w.affiliations:
        return
    affs = " | ".join(w.affiliations).lower()
    named = [(written, names) for written, names in st.places]
    if any(any(n.lower() in affs for n in names) for _, names in named):
        return
    named_country = any(names[0] in countries_of([names[0]]) for _, names in named)
    where = (countries_of(w.affiliations) if named_country else []) or [w.affiliations[0][:120]]
    r.problems.append(problem("institution", "warning", "institution.differs", ref=_ref(w),
                              claimed="、".join(x for x, _ in named) if re.search(r"[\u4e00-\u9fff]", st.text)
                              else ", ".join(x for x, _ in named), actual=", ".join(where)))


def _self_abbreviations(st: Statement, r: ClaimResult) -> None:
    """"难治性抑郁症 (MDD)": the text's own abbreviation names another condition."""
    from litwatch.annotate.tagger import get_tagger

    tagger = get_tagger()
    for long_form, short, ids in st.definitions:
        cond = ids & (PSYCHIATRIC | NEUROLOGICAL)
        if not cond:
            continue
        means = set(tagger._abbrev_ids.get(short, ())) | set(tagger._abbrev_ids.get(short.rstrip("s"), ()))
        means = {m for m in means if m.startswith("condition:")}
        if not means or cond & means or (cond <= {"condition:depression"} and means & DEPRESSION):
            continue
        r.problems.append(problem("condition", "warning", "condition.self-abbrev", abbr=short, claimed=_c(cond),
                                  means=_c(means)))


def _generalisation(st: Statement, works: list[Work], ctx: list[Work], all_works: list[Work], r: ClaimResult, *,
                    uncited: bool) -> None:
    cue = human_claim(st)
    if cue is None and uncited and ("safety" in st.cues or {"benefit", "treatment"} <= st.cues) \
            and not st.cues & {"animal", "hedge"} and not _FUTURE.search(st.simple):
        # "Stem cell therapy is safe and effective": a clinical claim even without naming patients
        cue = st.cue_text("safety") or st.cue_text("benefit")
        if "proven" in st.cues:
            r.problems.append(problem("overgeneralisation", "warning", "overgeneralisation.proven",
                                      cue=st.cue_text("proven"), refs="—", what={"concepts": []}))
        r.problems.append(problem("uncited", "warning", "uncited.clinical", cue=cue))
        return
    if cue is None or "ongoing" in st.cues:
        return
    asserts = ("proven" in st.cues or "benefit" in st.cues or "safety" in st.cues or re.search(
        r"表明|显示|证实|证明|\bshow(?:s|n|ed)?\b|\bdemonstrat\w+|\bconfirm\w*|\breveal\w*", st.simple, re.I))
    if not asserts:
        return
    resolved = [w for w in (ctx or all_works) if w.record is not None]
    if not works and ("trial" in st.cues or "proven" in st.cues) and resolved and not any(w.is_human for w in resolved):
        r.problems.append(problem("overgeneralisation", "error", "overgeneralisation.none", cue=cue, n=len(resolved)))
        return
    if not works and "proven" in st.cues and "hedge" not in st.cues:
        human_works = [w for w in resolved if w.is_human]
        r.problems.append(problem("overgeneralisation", "warning", "overgeneralisation.proven", cue=st.cue_text("proven"),
                                  refs=" ".join(_ref(w) for w in human_works) or "—",
                                  what={"concepts": sorted({w.design for w in human_works if w.design})}))
        return
    if uncited and ("benefit" in st.cues or "safety" in st.cues) and "hedge" not in st.cues:
        cue = st.cue_text("safety") or st.cue_text("benefit")
        r.problems.append(problem("uncited", "warning", "uncited.clinical", cue=cue))
        return
    if works and "proven" in st.cues and not any(w.design in ("design:rct", "design:meta-analysis",
                                                              "design:systematic-review") for w in works):
        r.problems.append(problem("overgeneralisation", "warning", "overgeneralisation.proven", cue=st.cue_text("proven"),
                                  refs=" ".join(_ref(w) for w in works),
                                  what={"concepts": sorted({w.design for w in works if w.design})}))


def _evidence(st: Statement, works: list[Work]) -> list[dict[str, Any]]:
    claim = st.all_concepts - {"cell:stem-cell", "condition:depression"}
    out = []
    for w in works:
        scored = []
        for s in w.sentences:
            overlap = len(claim & s["concepts"])
            words = fuzz.token_set_ratio(norm_text(st.text), norm_text(s["text"])) / 100 if st.text.isascii() else 0
            score = overlap + words
            if overlap or words > 0.55:
                scored.append((score, s))
        scored.sort(key=lambda x: (-x[0], x[1]["id"]))
        for _, s in scored[:2]:
            out.append({"ref": w.n, "record_id": w.record_id, "sentence_id": s["id"], "field": s["field"],
                        "start": s["start"], "end": s["end"], "text": s["text"]})
    return out


def _verdict(st: Statement, r: ClaimResult, works: list[Work], strict: bool) -> str:
    errors = [p for p in r.problems if p.severity == "error"]
    warnings = [p for p in r.problems if p.severity == "warning"]
    if any(p.kind in _CONTRADICTING for p in errors):
        return "contradicted"
    if any(p.kind in ("overgeneralisation", "uncited") for p in errors + warnings):
        return "unsupported"
    if not works:
        return "unverifiable"
    if warnings:
        return "partly"
    if r.evidence or st.all_concepts & {c for w in works for c in w.all_concepts}:
        return "supported"
    return "unverifiable"
