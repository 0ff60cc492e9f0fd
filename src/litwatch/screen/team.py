"""Screening as a team: each reviewer's decisions under their name, blind mode, conflicts,
adjudication, agreement (Cohen's kappa), progress per reviewer, the queue and a stopping estimate.

    from litwatch.screen import team
    team.reviewer_decide(store, "stem-cell-depression", 17, "ana", "exclude", reason="wrong population")
    team.conflicts(store, "stem-cell-depression")          # records where reviewers disagree
    team.adjudicate(store, "stem-cell-depression", 17, "lead", "include")
    team.agreement(store, "stem-cell-depression")           # Cohen's kappa per reviewer pair

A reviewer's decision is a person row of `decisions` written by `screen.record_decision`, so the
effective decision stays the one `screen.decisions_for` gives (a person's decision wins over
rules and models). What a team adds sits in migration 0017: the exclusion reason chosen from the
topic's list and tags (`review_details`, keyed by the decision row), adjudications (an
adjudicator's person decision that settles a conflict, so the effective decision is theirs) and
topic settings (`blind`, `reviews_per_record`). A settled record takes no more reviewer decisions
through this module; another adjudication replaces the first.
"""

from __future__ import annotations

import csv
import io
import json
import random
import sqlite3
import threading
import time
import tomllib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import IO, Any, Iterable

from litwatch.clock import utc_now
from litwatch.errors import StoreError, UsageError
from litwatch.screen.api import record_decision, undo_decision
from litwatch.screen.decisions import effective, latest_rows
from litwatch.screen.rules import Decision
from litwatch.screen.session import STOP_RULE, STOP_RUN, STOP_SHARE

__all__ = [
    "DEFAULT_EXCLUSION_REASONS",
    "TeamSettings",
    "Review",
    "Adjudication",
    "Conflict",
    "PairAgreement",
    "ReviewerProgress",
    "Settled",
    "settings",
    "set_setting",
    "exclusion_reasons",
    "reviewer_decide",
    "reviewer_undo",
    "reviews",
    "record_history",
    "adjudications",
    "adjudicate",
    "conflicts",
    "cohen_kappa",
    "agreement",
    "progress",
    "exclusion_counts",
    "effective_for",
    "machine_order",
    "queue",
    "estimate_unseen",
    "stopping",
    "can_see_others",
    "export_reviews",
]

# used when the topic profile has no `exclusion_reasons = [...]` list
DEFAULT_EXCLUSION_REASONS = (
    "wrong population or condition",
    "wrong intervention",
    "wrong outcome",
    "wrong study design",
    "not a primary study (review, editorial, comment)",
    "duplicate",
    "off topic",
    "other",
)
MAX_TAGS = 12
MAX_TAG_LENGTH = 40
MAX_NOTE_LENGTH = 4000
_ATTEMPTS = 6  # writes retried when SQLite stays busy past its timeout


@dataclass(frozen=True)
class TeamSettings:
    blind: bool = False
    reviews_per_record: int = 2  # dual screening unless a topic says otherwise


_SETTING_PARSERS = {
    "blind": lambda v: str(v).strip().lower() in ("1", "true", "yes", "on"),
    "reviews_per_record": lambda v: int(v),
}


@dataclass
class Review:
    """One reviewer's current decision on a record (their latest include/exclude) and notes."""

    record_id: int
    reviewer: str
    label: str  # include | exclude | undecided (only a note so far)
    reason: str = ""
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    decided_at: str | None = None
    decision_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Adjudication:
    record_id: int
    adjudicator: str
    label: str
    reason: str
    decided_at: str
    decision_id: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Conflict:
    record_id: int
    reviews: list[Review]
    adjudication: Adjudication | None = None  # set when the conflict is settled

    @property
    def settled(self) -> bool:
        return self.adjudication is not None

    def to_dict(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "settled": self.settled,
                "reviews": [r.to_dict() for r in self.reviews],
                "adjudication": self.adjudication.to_dict() if self.adjudication else None}


@dataclass
class PairAgreement:
    a: str
    b: str
    both: int  # records both decided
    agreed: int
    kappa: float | None  # None: not defined (nothing in common, or one label only on both sides)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ReviewerProgress:
    reviewer: str
    decided: int
    included: int
    excluded: int
    notes: int
    share: float  # of the topic's records
    excluded_in_a_row: int  # at the end of their history
    last_decided_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Settled(UsageError):
    """The record's conflict was settled by an adjudicator; reviewers cannot change it any more."""


def _name(topic: Any) -> str:
    return getattr(topic, "name", None) or str(topic)


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_of(store) -> threading.Lock:
    key = str(getattr(store, "path", id(store)))
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def _retrying(store, write):
    """Run a write; when SQLite is still busy after its timeout, wait a little and try again.

    Threads of one process take turns on a lock first: a waiting thread then wakes the moment
    the writer before it commits, instead of in SQLite's busy-handler sleeps (up to 100 ms each),
    which made the slowest decisions under 50 concurrent reviewers several times slower. Other
    processes still meet SQLite's busy timeout."""
    for attempt in range(_ATTEMPTS):
        try:
            with _lock_of(store):
                return write()
        except (sqlite3.OperationalError, StoreError) as exc:
            text = str(exc).lower()
            busy = getattr(exc, "busy", "locked" in text or "busy" in text)
            if not busy or attempt == _ATTEMPTS - 1:
                raise StoreError(f"could not save the decision: {exc}", hint="try again") from None
            time.sleep(0.02 * 2 ** attempt * (1 + random.random()))


# -- settings --------------------------------------------------------------------------------

def settings(store, topic) -> TeamSettings:
    """The topic's team settings (stored in the store; defaults where none was set)."""
    rows = store.conn.execute("SELECT key, value FROM topic_settings WHERE topic = ?", (_name(topic),)).fetchall()
    values: dict[str, Any] = {}
    for row in rows:
        parse = _SETTING_PARSERS.get(row["key"])
        if parse is not None:
            try:
                values[row["key"]] = parse(row["value"])
            except ValueError:
                continue  # a hand-edited bad value: the default stands
    return TeamSettings(**values)


def set_setting(store, topic, key: str, value: Any, *, by: str | None = None) -> TeamSettings:
    """Set `blind` (true/false) or `reviews_per_record` (1-5) for a topic."""
    if key not in _SETTING_PARSERS:
        raise UsageError(f"unknown team setting {key!r}", hint="settings: " + ", ".join(_SETTING_PARSERS))
    try:
        parsed = _SETTING_PARSERS[key](value)
    except ValueError:
        raise UsageError(f"{key} must be a whole number, not {value!r}") from None
    if key == "reviews_per_record" and not 1 <= parsed <= 5:
        raise UsageError("reviews_per_record must be between 1 and 5")
    stored = ("1" if parsed else "0") if key == "blind" else str(parsed)
    with store.transaction():
        store.conn.execute(
            "INSERT INTO topic_settings(topic, key, value, set_by, set_at) VALUES (?,?,?,?,?)"
            " ON CONFLICT(topic, key) DO UPDATE SET value = excluded.value, set_by = excluded.set_by,"
            " set_at = excluded.set_at", (_name(topic), key, stored, by, utc_now()))
    return settings(store, topic)


def exclusion_reasons(topic) -> list[str]:
    """The profile's `exclusion_reasons = [...]` when it has one, else DEFAULT_EXCLUSION_REASONS."""
    path = getattr(topic, "path", None)
    if path:
        try:
            with open(path, "rb") as fh:
                listed = tomllib.load(fh).get("exclusion_reasons")
        except (OSError, tomllib.TOMLDecodeError):
            listed = None
        if isinstance(listed, list) and listed and all(isinstance(x, str) and x.strip() for x in listed):
            return [x.strip() for x in listed]
    return list(DEFAULT_EXCLUSION_REASONS)


# -- reviewers' decisions --------------------------------------------------------------------

def _clean_tags(tags: Iterable[str] | str | None) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    out: list[str] = []
    for t in tags:
        t = " ".join(str(t).split())[:MAX_TAG_LENGTH]
        if t and t not in out:
            out.append(t)
    return out[:MAX_TAGS]


def _live_adjudication_ids(store, topic: str, record_ids: list[int] | None = None) -> set[int]:
    sql = ("SELECT a.decision_id FROM adjudications a JOIN decisions d ON d.id = a.decision_id"
           " WHERE a.topic = ? AND d.undone_at IS NULL")
    params: list[Any] = [topic]
    if record_ids is not None:
        sql += " AND a.record_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(record_ids))
    return {r[0] for r in store.conn.execute(sql, params)}


def _is_settled(store, topic: str, record_id: int) -> Adjudication | None:
    return adjudications(store, topic, [record_id]).get(record_id)


def reviewer_decide(store, topic, record_id: int, reviewer: str, label: str, *, reason: str = "",
                    note: str | None = None, tags: Iterable[str] | str | None = None) -> Review:
    """Record `reviewer`'s decision on a record: include, exclude (with a reason) or undecided
    (a note or tags only). Raises Settled when an adjudicator has settled the record."""
    name = _name(topic)
    if label not in ("include", "exclude", "undecided"):
        raise UsageError(f"label {label!r} must be include, exclude or undecided")
    note = (note or "").strip()[:MAX_NOTE_LENGTH] or None
    reason = " ".join((reason or "").split())[:200] if label == "exclude" else ""
    clean_tags = _clean_tags(tags)
    if label == "undecided" and note is None and not clean_tags:
        raise UsageError("an undecided entry needs a note or tags", hint="press i or e to decide")

    def write() -> Review:
        with store.transaction():
            if label != "undecided":
                settled = _is_settled(store, name, int(record_id))
                if settled is not None:
                    raise Settled(f"record #{record_id} was settled by {settled.adjudicator} ({settled.label})",
                                  hint="an adjudicator can change it on the conflicts page")
            d = record_decision(store, name, record_id, label, reviewer, note=note)
            decision_id = int(store.conn.execute("SELECT last_insert_rowid()").fetchone()[0])
            store.conn.execute(
                "INSERT INTO review_details(decision_id, topic, record_id, reviewer, reason, tags)"
                " VALUES (?,?,?,?,?,?)",
                (decision_id, name, int(record_id), reviewer, reason, json.dumps(clean_tags, ensure_ascii=False)))
        return Review(int(record_id), reviewer, label, reason, note, clean_tags, d.decided_at or utc_now(),
                      decision_id)

    return _retrying(store, write)


def reviewer_undo(store, topic, reviewer: str) -> int | None:
    """Undo the reviewer's latest entry for the topic; returns its record id (None: nothing)."""
    return _retrying(store, lambda: undo_decision(store, _name(topic), reviewer))


def _person_rows(store, topic: str, record_ids: list[int] | None = None) -> list[sqlite3.Row]:
    sql = ("SELECT d.id, d.record_id, d.by, d.label, d.note, d.decided_at, rd.reason AS team_reason,"
           " rd.tags FROM decisions d LEFT JOIN review_details rd ON rd.decision_id = d.id"
           " WHERE d.topic = ? AND d.by_kind = 'person' AND d.undone_at IS NULL")
    params: list[Any] = [topic]
    if record_ids is not None:
        sql += " AND d.record_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(sorted({int(i) for i in record_ids})))
    try:
        return store.conn.execute(sql + " ORDER BY d.id", params).fetchall()
    except sqlite3.Error as exc:
        raise StoreError(f"could not read screening decisions: {exc}") from None


def reviews(store, topic, record_ids: Iterable[int] | None = None) -> dict[int, dict[str, Review]]:
    """record id -> reviewer -> Review: every reviewer's current decision (adjudications apart)."""
    name = _name(topic)
    ids = None if record_ids is None else [int(i) for i in record_ids]
    adjudicated = _live_adjudication_ids(store, name, ids)
    out: dict[int, dict[str, Review]] = defaultdict(dict)
    for row in _person_rows(store, name, ids):
        if row["id"] in adjudicated:
            continue
        rev = out[row["record_id"]].get(row["by"])
        if rev is None:
            rev = out[row["record_id"]][row["by"]] = Review(row["record_id"], row["by"], "undecided")
        if row["label"] in ("include", "exclude"):
            rev.label, rev.decided_at, rev.decision_id = row["label"], row["decided_at"], row["id"]
            rev.reason = row["team_reason"] or ""
        if row["tags"] is not None and (row["label"] != "undecided" or json.loads(row["tags"])):
            rev.tags = json.loads(row["tags"])
        if row["note"]:
            rev.note = row["note"]
    return dict(out)


def record_history(store, topic, record_id: int) -> list[dict[str, Any]]:
    """Every live and undone decision row on one record, oldest first, with team details."""
    rows = store.conn.execute(
        "SELECT d.id, d.by, d.by_kind, d.label, d.score, d.reason, d.note, d.decided_at, d.undone_at,"
        " d.method, rd.reason AS team_reason, rd.tags, a.id AS adjudication FROM decisions d"
        " LEFT JOIN review_details rd ON rd.decision_id = d.id LEFT JOIN adjudications a ON a.decision_id = d.id"
        " WHERE d.topic = ? AND d.record_id = ? ORDER BY d.id", (_name(topic), int(record_id))).fetchall()
    out = []
    for r in rows:
        d = dict(r)
        d["tags"] = json.loads(d["tags"]) if d["tags"] else []
        d["adjudication"] = d["adjudication"] is not None
        if d["by_kind"] == "person" and d["team_reason"] is not None:
            d["reason"] = d["team_reason"]
        del d["team_reason"]
        out.append(d)
    return out


# -- adjudication and conflicts --------------------------------------------------------------

def adjudications(store, topic, record_ids: Iterable[int] | None = None) -> dict[int, Adjudication]:
    """record id -> the adjudication that settles it: the latest live one, unless a reviewer decided
    after it (outside this module, e.g. in the terminal), which reopens the record."""
    name = _name(topic)
    ids = None if record_ids is None else [int(i) for i in record_ids]
    sql = ("SELECT a.* FROM adjudications a JOIN decisions d ON d.id = a.decision_id"
           " WHERE a.topic = ? AND d.undone_at IS NULL")
    params: list[Any] = [name]
    if ids is not None:
        sql += " AND a.record_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(ids))
    found: dict[int, Adjudication] = {}
    for r in store.conn.execute(sql + " ORDER BY a.decision_id", params):
        found[r["record_id"]] = Adjudication(r["record_id"], r["adjudicator"], r["label"], r["reason"],
                                             r["decided_at"], r["decision_id"])
    if not found:
        return {}
    adjudicated = _live_adjudication_ids(store, name, list(found))
    latest: dict[int, int] = {}
    for row in _person_rows(store, name, list(found)):
        if row["label"] in ("include", "exclude") and row["id"] not in adjudicated:
            latest[row["record_id"]] = row["id"]
    return {rid: a for rid, a in found.items() if latest.get(rid, 0) < a.decision_id}


def conflicts(store, topic, *, include_settled: bool = False,
              record_ids: Iterable[int] | None = None) -> list[Conflict]:
    """Records where reviewers' current decisions disagree, oldest disagreement first."""
    name = _name(topic)
    by_record = reviews(store, name, record_ids)
    disputed = {rid: revs for rid, revs in by_record.items()
                if len({r.label for r in revs.values() if r.label != "undecided"}) > 1}
    settled = adjudications(store, name, list(disputed)) if disputed else {}
    out = []
    for rid, revs in disputed.items():
        adj = settled.get(rid)
        if adj is not None and not include_settled:
            continue
        decided = sorted((r for r in revs.values() if r.label != "undecided"), key=lambda r: r.decision_id or 0)
        out.append(Conflict(rid, decided, adj))
    out.sort(key=lambda c: max(r.decision_id or 0 for r in c.reviews))
    return out


def adjudicate(store, topic, record_id: int, adjudicator: str, label: str, reason: str = "") -> Adjudication:
    """Settle a conflict: the adjudicator's decision becomes the record's effective decision."""
    name = _name(topic)
    if label not in ("include", "exclude"):
        raise UsageError(f"an adjudication is include or exclude, not {label!r}")
    reason = " ".join((reason or "").split())[:200]
    rid = int(record_id)

    def write() -> Adjudication:
        with store.transaction():
            if not conflicts(store, name, include_settled=True, record_ids=[rid]):
                raise UsageError(f"record #{rid} has no conflict to settle",
                                 hint="reviewers must disagree on it first")
            d = record_decision(store, name, rid, label, adjudicator)
            decision_id = int(store.conn.execute("SELECT last_insert_rowid()").fetchone()[0])
            decided_at = d.decided_at or utc_now()
            store.conn.execute(
                "INSERT INTO adjudications(decision_id, topic, record_id, adjudicator, label, reason, decided_at)"
                " VALUES (?,?,?,?,?,?,?)", (decision_id, name, rid, adjudicator, label, reason, decided_at))
        return Adjudication(rid, adjudicator, label, reason, decided_at, decision_id)

    return _retrying(store, write)


# -- agreement and progress ------------------------------------------------------------------

def cohen_kappa(a: list[str], b: list[str]) -> float | None:
    """Cohen's kappa of two raters' include/exclude labels on the same records (None: undefined)."""
    n = len(a)
    if n == 0 or n != len(b):
        return None
    observed = sum(x == y for x, y in zip(a, b)) / n
    labels = set(a) | set(b)
    expected = sum((a.count(lab) / n) * (b.count(lab) / n) for lab in labels)
    if expected >= 1.0:
        return None  # both raters gave one and the same label throughout: chance explains it all
    return (observed - expected) / (1.0 - expected)


def agreement(store, topic) -> list[PairAgreement]:
    """Cohen's kappa for every pair of reviewers over the records both decided."""
    labels: dict[str, dict[int, str]] = defaultdict(dict)
    for rid, revs in reviews(store, topic).items():
        for who, r in revs.items():
            if r.label != "undecided":
                labels[who][rid] = r.label
    out = []
    for x, y in combinations(sorted(labels), 2):
        common = sorted(set(labels[x]) & set(labels[y]))
        la, lb = [labels[x][i] for i in common], [labels[y][i] for i in common]
        out.append(PairAgreement(x, y, len(common), sum(p == q for p, q in zip(la, lb)), cohen_kappa(la, lb)))
    return out


def _record_count(store) -> int:
    return store.count()


def progress(store, topic, *, known: dict[int, dict[str, Review]] | None = None) -> list[ReviewerProgress]:
    """How far each reviewer has come on the topic (`known`: reviews() already read)."""
    total = max(_record_count(store), 1)
    per: dict[str, list[Review]] = defaultdict(list)
    for revs in (known if known is not None else reviews(store, topic)).values():
        for who, r in revs.items():
            per[who].append(r)
    out = []
    for who in sorted(per):
        decided = sorted((r for r in per[who] if r.label != "undecided"), key=lambda r: r.decision_id or 0)
        run = 0
        for r in reversed(decided):
            if r.label != "exclude":
                break
            run += 1
        inc = sum(r.label == "include" for r in decided)
        out.append(ReviewerProgress(who, len(decided), inc, len(decided) - inc,
                                    sum(1 for r in per[who] if r.note), len(decided) / total, run,
                                    decided[-1].decided_at if decided else None))
    return out


def exclusion_counts(store, topic, record_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Records whose effective decision is a person's exclude, by the reason given (most first):
    the reviewer's reason, or the adjudicator's when an adjudication settled the record. For the
    PRISMA flow's "records excluded, with reasons"."""
    from litwatch.screen import decisions_for

    name = _name(topic)
    chosen = decisions_for(store, name, record_ids)
    by_record = reviews(store, name, record_ids)
    settled = adjudications(store, name, record_ids)
    counts: dict[str, int] = defaultdict(int)
    for rid, d in chosen.items():
        if d.label != "exclude" or d.by in ("rule", "model", ""):
            continue
        adj = settled.get(rid)
        if adj is not None and adj.adjudicator == d.by:
            reason = adj.reason
        else:
            reason = by_record.get(rid, {}).get(d.by, Review(rid, d.by, "exclude")).reason
        counts[reason or "no reason given"] += 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


# -- what the web shows ----------------------------------------------------------------------

def effective_for(store, topic, record_ids: Iterable[int]) -> dict[int, Decision]:
    """The effective decision of a few records, exactly as `screen.decisions_for` gives it, read
    with an indexed query for just those records (decisions_for reads the whole topic)."""
    ids = sorted({int(i) for i in record_ids})
    if not ids:
        return {}
    rows = store.conn.execute(
        "SELECT * FROM decisions WHERE topic = ? AND undone_at IS NULL AND record_id IN"
        " (SELECT value FROM json_each(?)) ORDER BY id", (_name(topic), json.dumps(ids))).fetchall()
    kinds: dict[int, dict[str, Any]] = defaultdict(dict)
    for row in rows:  # the latest live row of each kind (a person's "undecided" rows only carry notes)
        if row["by_kind"] == "person" and row["note"] is not None:
            kinds[row["record_id"]]["note"] = row["note"]
        if row["by_kind"] != "person" or row["label"] != "undecided":
            kinds[row["record_id"]][row["by_kind"]] = row
    return {rid: effective(kinds.get(rid, {})) for rid in ids}


def can_see_others(store, topic, record_id: int, viewer: str, team: TeamSettings | None = None) -> bool:
    """Blind mode: a reviewer sees the others' decisions on a record only once they decided it."""
    team = team or settings(store, topic)
    if not team.blind:
        return True
    row = store.conn.execute(
        "SELECT 1 FROM decisions WHERE topic = ? AND record_id = ? AND by = ? AND by_kind = 'person'"
        " AND undone_at IS NULL AND label != 'undecided' LIMIT 1", (_name(topic), int(record_id), viewer)).fetchone()
    return row is not None


def machine_order(store, topic) -> list[tuple[int, str, float | None]]:
    """Every live record with the rules'/ranker's decision (label, score), most relevant first:
    includes by score, then undecided, then excludes by score (P(relevant) for the ranker's)."""
    live = store.live_ids()
    latest = latest_rows(store, _name(topic), live)
    rank = {"include": 0, "undecided": 1, "exclude": 2}
    out = []
    for rid in live:
        kinds = latest.get(rid, {})
        d = effective({k: v for k, v in kinds.items() if k in ("rule", "model")})
        out.append((rid, d.label, d.score, d.by))
    out.sort(key=lambda x: (rank.get(x[1], 1), -(x[2] if x[2] is not None else 0.5), x[0]))
    return [(rid, label, score if by == "model" else _rule_p(label)) for rid, label, score, by in out]


def _rule_p(label: str) -> float:
    # a rule's include is taken as relevant, its exclude as not; a partial match as a coin toss
    return {"include": 1.0, "exclude": 0.0}.get(label, 0.5)


def queue(store, topic, reviewer: str, *, order: list[tuple[int, str, float | None]] | None = None,
          skip: Iterable[int] = (), team: TeamSettings | None = None, limit: int | None = None,
          known: dict[int, dict[str, Review]] | None = None) -> list[int]:
    """The reviewer's queue, most relevant first: records they have not decided, that fewer than
    `reviews_per_record` reviewers have decided and that no adjudicator settled."""
    name = _name(topic)
    team = team or settings(store, topic)
    order = order if order is not None else machine_order(store, name)
    mine: set[int] = set()
    count: dict[int, int] = defaultdict(int)
    for rid, revs in (known if known is not None else reviews(store, name)).items():
        for who, r in revs.items():
            if r.label != "undecided":
                count[rid] += 1
                if who == reviewer:
                    mine.add(rid)
    settled = set(adjudications(store, name))
    skipped = set(int(i) for i in skip)
    out = []
    for rid, _label, _p in order:
        if rid in mine or rid in skipped or rid in settled or count[rid] >= team.reviews_per_record:
            continue
        out.append(rid)
        if limit is not None and len(out) >= limit:
            break
    return out


def estimate_unseen(store, topic, order: list[tuple[int, str, float | None]] | None = None, *,
                    known: dict[int, dict[str, Review]] | None = None) -> dict[str, Any]:
    """Expected relevant records among those no person has decided: the ranker's P(relevant) from
    the last screening run, a rule's include counted as 1, a rule's exclude as 0."""
    name = _name(topic)
    order = order if order is not None else machine_order(store, name)
    known = known if known is not None else reviews(store, name)
    seen = {rid for rid, revs in known.items() if any(r.label != "undecided" for r in revs.values())}
    unseen = [(rid, p) for rid, _label, p in order if rid not in seen]
    return {"unseen": len(unseen), "expected_relevant": round(sum(p or 0.0 for _, p in unseen), 1)}


def stopping(store, topic, reviewer: str, *, order: list[tuple[int, str, float | None]] | None = None,
             remaining: int | None = None, known: dict[int, dict[str, Review]] | None = None) -> dict[str, Any]:
    """Whether the reviewer may stop: the terminal's rule (screen.session.STOP_RULE) on their own
    decisions, or fewer than one relevant record expected among the unseen, or nothing left."""
    name = _name(topic)
    order = order if order is not None else machine_order(store, name)
    known = known if known is not None else reviews(store, name)
    mine = next((p for p in progress(store, name, known=known) if p.reviewer == reviewer), None)
    est = estimate_unseen(store, name, order, known=known)
    remaining = len(queue(store, name, reviewer, order=order, known=known)) if remaining is None else remaining
    done = mine.decided if mine else 0
    share = done / max(done + remaining, 1)
    if remaining == 0:
        stop, why = True, "nothing is left in your queue"
    elif mine and mine.excluded_in_a_row >= STOP_RUN and share >= STOP_SHARE:
        stop, why = True, f"your last {mine.excluded_in_a_row} decisions were all excludes and you screened {share:.0%}"
    elif est["expected_relevant"] < 1 and done > 0:
        stop, why = True, "fewer than one relevant record is expected among the records nobody has screened"
    else:
        stop, why = False, "keep screening"
    return {"stop": stop, "why": why, "rule": STOP_RULE, "screened_share": round(share, 3),
            "excluded_in_a_row": mine.excluded_in_a_row if mine else 0, "remaining": remaining, **est}


# -- exports ---------------------------------------------------------------------------------

def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def export_reviews(store, topic, fmt: str, stream: IO[str], *, all_records: bool = False) -> int:
    """Write the topic's records with every reviewer's label, reason, note and tags, the
    adjudication and the effective decision, as `csv` or `ris`; returns the number of records."""
    from litwatch.formats.writers import write_records
    from litwatch.screen import decisions_for

    name = _name(topic)
    if fmt not in ("csv", "ris"):
        raise UsageError(f"cannot export reviews as {fmt!r}", hint="choose csv or ris")
    by_record = reviews(store, name)
    settled = adjudications(store, name)
    ids = sorted(set(by_record) | set(settled)) if not all_records else \
        store.live_ids()
    reviewers = sorted({who for revs in by_record.values() for who in revs})
    chosen = decisions_for(store, name, ids)
    n = 0
    if fmt == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        head = ["record_id", "pmid", "doi", "nct", "title", "year", "decision", "decided_by", "conflict",
                "adjudicator", "adjudication_reason"]
        for who in reviewers:
            head += [f"{who}: label", f"{who}: reason", f"{who}: note", f"{who}: tags"]
        writer.writerow([_cell(h) for h in head])
    for rid, rec in store.iter_records(ids=ids, include_deleted=False):
        revs = by_record.get(rid, {})
        adj = settled.get(rid)
        d = chosen[rid]
        labels = {r.label for r in revs.values() if r.label != "undecided"}
        if fmt == "csv":
            row = [rid, rec.ids.pmid, rec.ids.doi, rec.ids.nct, rec.title, rec.year or "",
                   d.label, d.by, "yes" if len(labels) > 1 else "", adj.adjudicator if adj else "",
                   adj.reason if adj else ""]
            for who in reviewers:
                r = revs.get(who)
                row += [r.label, r.reason, r.note or "", "; ".join(r.tags)] if r else ["", "", "", ""]
            writer.writerow([_cell(v) for v in row])
        else:
            buf = io.StringIO()
            write_records([rec], "ris", buf)
            lines = buf.getvalue().rstrip("\n").split("\n")
            extra = [f"N1  - litwatch decision ({name}): {d.label} by {d.by}"
                     + (f" (adjudicated: {_one_line(adj.reason)})" if adj and adj.reason else
                        " (adjudicated)" if adj else "")]
            for who in reviewers:
                r = revs.get(who)
                if r is None:
                    continue
                parts = [f"{who}: {r.label}"]
                if r.reason:
                    parts.append(f"reason: {_one_line(r.reason)}")
                if r.tags:
                    parts.append("tags: " + ", ".join(_one_line(t) for t in r.tags))
                if r.note:
                    parts.append(f"note: {_one_line(r.note)}")
                extra.append("N1  - litwatch review: " + "; ".join(parts))
            end = max(i for i, line in enumerate(lines) if line.startswith("ER  -"))
            stream.write("\n".join(lines[:end] + extra + lines[end:]) + "\n\n")
        n += 1
    return n
