"""The Digest: everything a report says, as plain JSON-serialisable data.

`build()` (report/build.py) fills it from the store; the renderers only lay it out. Texts that are
generated from numbers (summary, "what was studied") are kept for every language, so one Digest
renders in en, zh-Hans and zh-Hant and its JSON twin says the same thing.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from litwatch.errors import UsageError

__all__ = [
    "DIGEST_SCHEMA",
    "Period",
    "parse_period",
    "ReportOptions",
    "Finding",
    "Paper",
    "MonthSection",
    "TrialEntry",
    "Digest",
    "DATE_KINDS",
]

DATE_KINDS = ("online", "issue", "pubmed", "year", "undated")

DIGEST_SCHEMA = "litwatch.digest/2"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class Period:
    start: str  # YYYY-MM
    end: str  # YYYY-MM

    def months(self) -> list[str]:
        y, m = map(int, self.start.split("-"))
        out = []
        while f"{y:04d}-{m:02d}" <= self.end:
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        n = len(self.months())
        y, m = map(int, self.start.split("-"))
        index = y * 12 + (m - 1) - n
        start = f"{index // 12:04d}-{index % 12 + 1:02d}"
        index_end = y * 12 + (m - 1) - 1
        return Period(start, f"{index_end // 12:04d}-{index_end % 12 + 1:02d}")

    def contains(self, ym: str | None) -> bool:
        return bool(ym) and self.start <= ym[:7] <= self.end

    def label(self) -> str:
        return f"{self.start}_{self.end}"

    def years(self) -> list[int]:
        return list(range(int(self.start[:4]), int(self.end[:4]) + 1))


def _check_month(value: str, flag: str) -> str:
    m = _MONTH.match(value or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise UsageError(f"bad month {value!r} for {flag}", hint="write months as YYYY-MM, e.g. 2025-01")
    return value


def parse_period(date_from: str, date_to: str | None = None) -> Period:
    """Period from --from/--to (YYYY-MM); --to defaults to --from; raises UsageError when invalid."""
    start = _check_month(date_from, "--from")
    end = _check_month(date_to or date_from, "--to")
    if start > end:
        raise UsageError(f"--from {start} is after --to {end}", hint="give the earlier month first")
    return Period(start, end)


@dataclass(slots=True)
class ReportOptions:
    style: str | None = None  # vancouver | apa | gb-t-7714; None -> per language
    highlights_per_month: int | None = None  # None -> the topic profile's
    findings_per_paper: int = 2
    max_trials: int = 60
    generated_at: str | None = None  # ISO 8601 UTC; None -> now (tests pin it)


@dataclass(slots=True)
class Finding:
    sentence_id: int
    start: int
    end: int
    text: str  # verbatim from the record's abstract: the quotation
    generated: dict[str, str] = field(default_factory=dict)  # lang -> sentence made from `structured`
    structured: dict[str, Any] | None = None  # StructuredFinding.to_dict(): every element with its span
    field: str = "abstract"  # last: the name hides dataclasses.field inside this class body


@dataclass(slots=True)
class Paper:
    record_id: int
    title: str
    date: str | None  # ISO start date of the date the entry is placed by
    date_precision: str
    month: str | None  # YYYY-MM; None when only the year (or nothing) is known
    journal: str | None
    institution: str | None
    ids: dict[str, str]
    url: str | None
    design: str | None  # concept id
    evidence_level: int | None
    study_class: str  # clinical | preclinical | review | other
    score: float | None
    date_kind: str = "issue"  # online | issue | pubmed | year | undated: which date placed it
    other_date: dict[str, str] | None = None  # {kind, value, precision}: the reference's date when it differs
    year: int | None = None
    studied: dict[str, str] = field(default_factory=dict)  # lang -> one sentence
    gloss: dict[str, str] = field(default_factory=dict)  # lang -> the title glossed from its concepts
    findings: list[Finding] = field(default_factory=list)
    citation: int | None = None  # reference number, for highlighted papers
    language: str | None = None
    annotated: bool = True
    profile: dict[str, Any] = field(default_factory=dict)  # StudyProfile.to_dict(): elements with spans

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Paper":
        d = dict(d)
        d["findings"] = [Finding(**f) for f in d.get("findings", [])]
        return cls(**{k: v for k, v in d.items() if k in _names(cls)})


@dataclass(slots=True)
class MonthSection:
    month: str  # YYYY-MM; the year (YYYY) for a year's "month not known" part; "undated"
    highlights: list[Paper] = field(default_factory=list)
    others: list[Paper] = field(default_factory=list)
    kind: str = "month"  # month | year | undated

    @property
    def count(self) -> int:
        return len(self.highlights) + len(self.others)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "MonthSection":
        return cls(
            d["month"],
            [Paper.from_dict(p) for p in d.get("highlights", [])],
            [Paper.from_dict(p) for p in d.get("others", [])],
            d.get("kind", "month"),
        )


@dataclass(slots=True)
class TrialEntry:
    record_id: int
    nct: str | None
    title: str
    phase: str | None
    status: str | None
    enrollment: int | None
    sponsor: str | None
    countries: list[str]
    start: str | None
    first_posted: str | None
    url: str | None
    new_in_period: bool = False
    status_changes: list[dict[str, str]] = field(default_factory=list)  # {old, new, date}
    papers: list[dict[str, Any]] = field(default_factory=list)  # {record_id, title, citation, ids}
    group: str = "registered"  # registered (in the period) | updated (earlier, changed in it) | active
    last_update: str | None = None
    gloss: dict[str, str] = field(default_factory=dict)  # lang -> title glossed from its concepts


@dataclass(slots=True)
class Digest:
    topic: dict[str, Any]  # name, names, texts (lang -> title/intro/disclaimer), queries
    period: Period
    generated_at: str
    options: dict[str, Any]
    search: dict[str, Any]  # sources (this report's: files or live searches), queries, runs, prisma, warnings
    overview: dict[str, Any]  # included, by_design, by_species, by_cell_source, per_month, evidence_map
    months: list[MonthSection]  # months in order; after each year's months its "month not known" part; undated last
    trials: dict[str, Any]  # items [TrialEntry] by group, counts
    summary: dict[str, Any]  # facts, sentences {lang: [...]}, caveats {lang: [...]}
    references: list[dict[str, Any]]  # [{number, record_id, csl}], in citation order
    provenance: dict[str, Any]  # quotes (with generated sentences), versions, run_ids
    labels: dict[str, dict[str, str]]  # concept id -> lang -> label
    counts: dict[str, Any] = field(default_factory=dict)  # the one computation summary, PRISMA and trials share
    method: dict[str, Any] = field(default_factory=dict)  # rules {lang}, versions
    suggestions: list[dict[str, Any]] = field(default_factory=list)  # the ranker's unchecked suggestions
    schema: str = DIGEST_SCHEMA

    # -- helpers the renderers share ----------------------------------------------------
    def label(self, concept_id: str | None, lang: str) -> str:
        if not concept_id:
            return ""
        return self.labels.get(concept_id, {}).get(lang) or concept_id.split(":", 1)[-1]

    def title(self, lang: str) -> str:
        texts = self.topic.get("texts", {}).get(lang, {})
        return texts.get("title") or self.topic.get("names", {}).get(lang) or self.topic["name"]

    def text(self, key: str, lang: str) -> str:
        return self.topic.get("texts", {}).get(lang, {}).get(key, "")

    @property
    def included(self) -> int:
        return sum(m.count for m in self.months)

    def papers(self):
        for m in self.months:
            yield from m.highlights
            yield from m.others

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["period"] = {"from": self.period.start, "to": self.period.end, "months": self.period.months()}
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Digest":
        d = dict(d)
        d["period"] = Period(d["period"]["from"], d["period"]["to"])
        d["months"] = [MonthSection.from_dict(m) for m in d["months"]]
        trials = dict(d["trials"])
        trials["items"] = [TrialEntry(**t) for t in trials.get("items", [])]
        d["trials"] = trials
        return cls(**{k: v for k, v in d.items() if k in _names(cls)})


def _names(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}
