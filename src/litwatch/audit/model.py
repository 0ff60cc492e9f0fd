"""The audit's data: problems, references, claims and the whole Audit (JSON via `to_dict`).

The JSON shape other tools read:
    {"article": {...}, "references": [{"n", "text", "parsed", "resolved", "problems"}],
     "claims": [{"text", "refs", "location", "verdict", "problems", "evidence"}], "coverage": {...}}
Every problem is {"kind", "severity", "message"} (plus "code" and "params", from which the
renderers write the message in another language).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = [
    "SEVERITIES",
    "REFERENCE_KINDS",
    "CLAIM_KINDS",
    "ARTICLE_KINDS",
    "VERDICTS",
    "Problem",
    "problem",
    "ReferenceAudit",
    "ClaimAudit",
    "Audit",
    "AuditOptions",
    "Progress",
]

SEVERITIES = ("error", "warning", "info")
REFERENCE_KINDS = ("unresolved", "doi", "missing-doi", "title", "journal", "year", "volume", "issue", "pages",
                   "author", "placeholder", "retracted", "corrected", "preprint")
CLAIM_KINDS = ("design", "species", "condition", "model", "intervention", "relation", "date", "journal",
               "institution", "uncited", "overgeneralisation", "citation")
ARTICLE_KINDS = ("period", "trials", "missed", "date-kinds")
VERDICTS = ("supported", "partly", "unsupported", "contradicted", "unverifiable")

Progress = Callable[[str, int, int], None]  # (step, done, total)


@dataclass(slots=True)
class Problem:
    kind: str
    severity: str
    message: str  # English; renderers rewrite it from `code` and `params` in other languages
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "severity": self.severity, "message": self.message, "code": self.code}
        if self.params:
            d["params"] = self.params
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Problem":
        return cls(d["kind"], d["severity"], d["message"], d.get("code", d["kind"]), dict(d.get("params") or {}))


def problem(kind: str, severity: str, code: str, **params: Any) -> Problem:
    """A Problem whose English message comes from the message table (audit/texts.py)."""
    from litwatch.audit.texts import message

    if severity not in SEVERITIES:
        raise ValueError(f"bad severity {severity!r}")
    clean = {k: v for k, v in params.items() if v is not None}
    return Problem(kind, severity, message(code, "en", clean), code, clean)


@dataclass(slots=True)
class ReferenceAudit:
    n: int
    text: str
    parsed: dict[str, Any]
    resolved: dict[str, Any] | None = None
    problems: list[Problem] = field(default_factory=list)
    cited: list[dict[str, int]] = field(default_factory=list)  # where the text cites it: {"start", "end"}

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "text": self.text, "parsed": self.parsed, "resolved": self.resolved,
                "problems": [p.to_dict() for p in self.problems], "cited": self.cited}


@dataclass(slots=True)
class ClaimAudit:
    id: int
    text: str
    refs: list[int]  # the citations the sentence carries
    location: dict[str, Any]  # start, end (offsets into the article text), line, section
    context_refs: list[int] = field(default_factory=list)  # cited by its passage, not by the sentence itself
    verdict: str = "unverifiable"
    problems: list[Problem] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)  # ref, record_id, sentence_id, field, text

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "refs": self.refs, "context_refs": self.context_refs,
                "location": self.location, "verdict": self.verdict,
                "problems": [p.to_dict() for p in self.problems], "evidence": self.evidence}


@dataclass
class Audit:
    article: dict[str, Any]
    references: list[ReferenceAudit]
    claims: list[ClaimAudit]
    coverage: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "references": [r.to_dict() for r in self.references],
            "claims": [c.to_dict() for c in self.claims],
            "coverage": self.coverage,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Audit":
        refs = [ReferenceAudit(r["n"], r["text"], r.get("parsed") or {}, r.get("resolved"),
                               [Problem.from_dict(p) for p in r.get("problems", [])], list(r.get("cited", [])))
                for r in d.get("references", [])]
        claims = [ClaimAudit(c.get("id", i), c["text"], list(c.get("refs", [])), dict(c.get("location") or {}),
                             list(c.get("context_refs", [])), c.get("verdict", "unverifiable"),
                             [Problem.from_dict(p) for p in c.get("problems", [])], list(c.get("evidence", [])))
                  for i, c in enumerate(d.get("claims", []))]
        return cls(dict(d.get("article") or {}), refs, claims, dict(d.get("coverage") or {}))

    # -- counts ------------------------------------------------------------------------------
    def all_problems(self) -> list[Problem]:
        out = [p for r in self.references for p in r.problems]
        out += [p for c in self.claims for p in c.problems]
        out += [Problem.from_dict(p) for p in self.coverage.get("problems", [])]
        return out

    def counts(self) -> dict[str, Any]:
        probs = self.all_problems()
        verdicts = {v: sum(1 for c in self.claims if c.verdict == v) for v in VERDICTS}
        resolved = [r for r in self.references if r.resolved]
        return {
            "references": len(self.references),
            "resolved": len(resolved),
            "resolved_from": {src: sum(1 for r in resolved if r.resolved.get("source") == src)
                              for src in sorted({r.resolved.get("source") for r in resolved})},
            "claims": len(self.claims),
            "cited_claims": sum(1 for c in self.claims if c.refs or c.context_refs),
            "verdicts": verdicts,
            "problems": {s: sum(1 for p in probs if p.severity == s) for s in SEVERITIES},
            "kinds": {k: sum(1 for p in probs if p.kind == k) for k in sorted({p.kind for p in probs})},
        }


@dataclass
class AuditOptions:
    """What `audit()` may do: `offline` never asks a live service; `topic` names the profile whose
    included papers the article is checked against; `lang` the language of messages written into
    the Audit (renderers can use any); `progress(step, done, total)` is called as work goes on."""

    offline: bool = False
    topic: str | None = None
    lang: str | None = None
    progress: Progress | None = None
    sources: tuple[str, ...] = ("pubmed", "crossref", "europepmc")
    transport: Any = None  # an httpx transport, for tests
    http_options: Any = None  # sources.http.HttpOptions
