"""The records list: full-text search with filters (kind, month, design, decision, reviewer) and pages.

`find_records` is the one function the /records page calls. It asks for ids only (the store's
full-text search and query columns, annotation designs) and loads the rows of one page, so a
broad search over the whole store stays fast.
"""

from __future__ import annotations

import re
from typing import Any

from litwatch.errors import UsageError
from litwatch.web.views import decision_view

__all__ = ["find_records", "PER_PAGE", "DECISION_FILTERS"]

PER_PAGE = 20
MAX_HITS = 10_000
DECISION_FILTERS = ("include", "exclude", "undecided", "conflict")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _ids_matching(store, q: str | None, kind: str | None, month: str | None) -> list[int]:
    if month and not _MONTH.match(month):
        raise UsageError(f"month must be written YYYY-MM, not {month!r}")
    return store.search_ids(q, kind=kind, month=month, limit=MAX_HITS)


def _summaries(store, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The list rows of one page (the store reads them without parsing whole records)."""
    out: dict[int, dict[str, Any]] = {}
    if not ids:
        return out
    for rid, r in store.summaries(ids).items():
        names = []
        for a in r["authors"]:
            if a.get("collective"):
                names.append(a["collective"])
            elif a.get("family"):
                names.append(f"{a['family']} {a.get('initials') or a.get('given') or ''}".strip())
        out[rid] = {
            "id": rid, "title": r["title"] or "(no title)", "kind": r["kind"], "month": r["month"],
            "journal": r["journal"],
            "authors": ", ".join(names[:3]) + (" et al." if len(names) > 3 else ""),
            "ids": {k: r["ids"][k] for k in ("pmid", "doi", "pmcid", "nct") if r["ids"].get(k)},
        }
    return out


def find_records(store, *, q: str | None = None, kind: str | None = None, month: str | None = None,
                 design: str | None = None, decision: str | None = None, reviewer: str | None = None,
                 topic: str | None = None, viewer: str | None = None, page: int = 1,
                 per_page: int = PER_PAGE) -> dict[str, Any]:
    """One page of matching records with their effective decision on `topic` (blind mode: the
    others' decisions hidden from `viewer` until they decided; None viewer: no decisions at all)."""
    from litwatch.annotate import storage as annotations
    from litwatch.screen import decisions_for, team

    ids = _ids_matching(store, q, kind, month)
    if design:
        wanted = annotations.ids_with_design(store, design)
        ids = [i for i in ids if i in wanted]
    blind = bool(topic) and team.settings(store, topic).blind
    mine: set[int] = set()
    if topic and viewer is not None and (decision or reviewer or blind):
        mine = {rid for rid, revs in team.reviews(store, topic).items()
                if viewer in revs and revs[viewer].label != "undecided"}
    if topic and viewer is not None and reviewer:
        if blind and reviewer != viewer:
            raise UsageError("blind mode is on: you can filter by your own decisions only")
        decided_by = {rid for rid, revs in team.reviews(store, topic).items()
                      if reviewer in revs and revs[reviewer].label != "undecided"}
        ids = [i for i in ids if i in decided_by]
    if topic and viewer is not None and decision:
        if decision not in DECISION_FILTERS:
            raise UsageError(f"decision filter {decision!r} is not one of {', '.join(DECISION_FILTERS)}")
        if decision == "conflict":
            wanted = {c.record_id for c in team.conflicts(store, topic, include_settled=True)}
            if blind:
                wanted &= mine
            ids = [i for i in ids if i in wanted]
        else:
            chosen = decisions_for(store, topic, ids)
            ids = [i for i in ids if _visible_label(chosen[i], i, viewer, mine, blind) == decision]
    total = len(ids)
    page = max(1, page)
    pages = max(1, -(-total // per_page))
    page_ids = ids[(page - 1) * per_page: page * per_page]
    rows = _summaries(store, page_ids)
    effective = team.effective_for(store, topic, page_ids) if topic and viewer is not None else {}
    designs = annotations.designs_of(store, page_ids) if page_ids else {}
    hits = []
    for rid in page_ids:
        if rid not in rows:
            continue
        row = rows[rid]
        row["design"] = designs.get(rid)
        if rid in effective:
            d = effective[rid]
            row["decision"] = None if _visible_label(d, rid, viewer, mine, blind) == "hidden" else decision_view(d)
        hits.append(row)
    return {"total": total, "page": page, "pages": pages, "per_page": per_page, "hits": hits,
            "capped": total >= MAX_HITS}


def _visible_label(d, rid: int, viewer: str | None, mine: set[int], blind: bool) -> str:
    if blind and d.by not in ("rule", "model", "", viewer) and rid not in mine:
        return "hidden"
    return d.label
