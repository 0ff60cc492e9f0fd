"""The registered trials a report lists, in three named groups:

- registered: included trials the period's records hold (first posted in the period): these are
  the trials the PRISMA flow and the summary count;
- updated: included trials registered earlier whose record was updated, or whose status changed,
  in the period;
- active: included trials registered earlier that were still recruiting or running at its end.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from litwatch.records import Record
from litwatch.report.digest import Period, TrialEntry
from litwatch.report.entries import record_ids, record_url, safe_url

__all__ = ["build_trials", "paper_ncts", "ACTIVE_STATUSES"]

ACTIVE_STATUSES = {"RECRUITING", "NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING", "ENROLLING_BY_INVITATION"}


def paper_ncts(record: Record) -> Iterable[str]:
    if record.ids.nct:
        yield record.ids.nct
    for link in record.links:
        if link.accession and link.accession.upper().startswith("NCT"):
            yield link.accession.upper()


def _status_changes(store, rid: int, record: Record, period: Period) -> list[dict[str, str]]:
    versions = [(changed_at, old) for changed_at, old in store.history_of(rid)] + [(None, record)]
    out = []
    for (changed_at, old), (_, new) in zip(versions, versions[1:]):
        a = old.trial.status if old.trial else None
        b = new.trial.status if new.trial else None
        if a and b and a != b:
            d = new.dates.get("last_update")
            when = d.value if d else (changed_at or "")[:10]
            if period.contains(when[:7]):
                out.append({"old": a, "new": b, "date": when})
    return out


def _linked_papers(store, trial: Record, by_nct) -> list[dict[str, Any]]:
    out = list(by_nct.get(trial.ids.nct, [])) if trial.ids.nct else []
    seen = {p["record_id"] for p in out}
    for pmid in (trial.trial.linked_pmids if trial.trial else []) or []:
        rid = store.resolve(pmid)
        if rid is not None and rid not in seen:
            rec = store.get(rid)
            out.append({"record_id": rid, "title": rec.title, "citation": None, "ids": record_ids(rec)})
            seen.add(rid)
    return out


def _neg(iso: str) -> str:
    # sort dates descending inside an ascending sort key
    return "".join(chr(0x10FFFF - ord(c)) for c in iso)


def build_trials(store, period: Period, included: set[int], in_period: set[int], papers, max_trials: int,
                 glosses) -> dict[str, Any]:
    """The trials section's data; `in_period`: the ids of the period's records (PRISMA's)."""
    by_nct = defaultdict(list)
    for p in papers:
        for nct in getattr(p, "_ncts", ()):
            by_nct[nct].append({"record_id": p.record_id, "title": p.title, "citation": p.citation, "ids": p.ids})
    groups: dict[str, list[TrialEntry]] = {"registered": [], "updated": [], "active": []}
    for rid, rec in store.iter_records(kind="trial", ids=sorted(included)):
        tr = rec.trial
        posted = rec.dates.get("first_posted")
        start = rec.dates.get("trial_start")
        updated = rec.dates.get("last_update")
        changes = _status_changes(store, rid, rec, period)
        if rid in in_period:
            group = "registered"
        elif posted is not None and posted.value[:7] > period.end:
            continue  # registered after the period
        elif changes or (updated is not None and period.contains(updated.value)):
            group = "updated"
        elif tr is not None and (tr.status or "").upper() in ACTIVE_STATUSES and (
                start is None or start.value[:7] <= period.end):
            group = "active"
        else:
            continue
        groups[group].append(TrialEntry(
            record_id=rid,
            nct=rec.ids.nct,
            title=(rec.title or "").strip(),
            phase=tr.phase if tr else None,
            status=tr.status if tr else None,
            enrollment=tr.enrollment if tr else None,
            sponsor=tr.sponsor if tr else None,
            countries=list(tr.countries if tr else []),
            start=start.value if start else None,
            first_posted=posted.value if posted else None,
            url=safe_url(tr.url if tr else None) or record_url(rec),
            new_in_period=group == "registered",
            status_changes=changes,
            papers=_linked_papers(store, rec, by_nct),
            group=group,
            last_update=updated.value if updated else None,
            gloss=glosses(rid),
        ))
    for group, items in groups.items():
        items.sort(key=lambda e: (not e.status_changes, not e.papers, _neg(e.start or e.first_posted or ""),
                                  e.nct or ""))
    shown = {g: items[:max_trials] for g, items in groups.items()}
    return {
        "items": [e for g in ("registered", "updated", "active") for e in shown[g]],
        "groups": {g: {"total": len(groups[g]), "shown": len(shown[g])} for g in groups},
        "total": sum(len(v) for v in groups.values()),
        "registered": len(groups["registered"]),
        "new": len(groups["registered"]),
        "changed": sum(bool(e.status_changes) for items in groups.values() for e in items),
    }
