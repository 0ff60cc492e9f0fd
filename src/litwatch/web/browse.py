"""The records list: full-text search with filters (kind, month, design, decision, reviewer) and pages.

`find_records` is the one function the /records page calls. It reads ids only (SQLite FTS5 and
the records/annotations columns that exist for queries) and loads the records of one page, so a
broad search over the whole store stays fast.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from litwatch.errors import UsageError
from litwatch.web.views import decision_view

__all__ = ["find_records", "PER_PAGE", "DECISION_FILTERS"]

PER_PAGE = 20
MAX_HITS = 10_000
DECISION_FILTERS = ("include", "exclude", "undecided", "conflict")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _ids_matching(store, q: str | None, kind: str | None, month: str | None) -> list[int]:
    where, args = ["r.deleted = 0"], []
    if kind:
        where.append("r.kind = ?")
        args.append(kind)
    if month:
        if not _MONTH.match(month):
            raise UsageError(f"month must be written YYYY-MM, not {month!r}")
        where.append("r.report_month = ?")
        args.append(month)
    cond = " AND ".join(where)
    if q and q.strip():
        sql = ("SELECT r.id FROM records_fts JOIN records r ON r.id = records_fts.rowid WHERE records_fts MATCH ?"
               f" AND {cond} ORDER BY bm25(records_fts, 10.0, 1.0, 3.0, 3.0) LIMIT {MAX_HITS}")
        try:
            return [row[0] for row in store.conn.execute(sql, [q.strip(), *args])]
        except sqlite3.OperationalError as exc:
            raise UsageError(f"cannot search for {q!r}: {exc}",
                             hint='quote phrases ("stem cell"), use AND/OR/NOT in capitals') from None
    sql = f"SELECT r.id FROM records r WHERE {cond} ORDER BY r.report_month DESC, r.id DESC LIMIT {MAX_HITS}"
    return [row[0] for row in store.conn.execute(sql, args)]


def _with_design(store, ids: list[int], design: str) -> list[int]:
    wanted = {row[0] for row in store.conn.execute("SELECT record_id FROM annotations WHERE design = ?", (design,))}
    return [i for i in ids if i in wanted]


def _designs(store, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = store.conn.execute("SELECT record_id, design FROM annotations WHERE record_id IN"
                              " (SELECT value FROM json_each(?))", (json.dumps(ids),))
    return {r[0]: r[1] for r in rows}


def _summaries(store, ids: list[int]) -> dict[int, dict[str, Any]]:
    """List rows read with json_extract from the stored record JSON (Record.to_dict()'s shape):
    parsing whole Records for a page of twenty took longer than the search itself."""
    if not ids:
        return {}
    sql = ("SELECT id, kind, title, report_month, json_extract(data, '$.journal.title') AS journal,"
           " json_extract(data, '$.journal.iso_abbrev') AS abbrev, json_extract(data, '$.authors') AS authors,"
           " json_extract(data, '$.ids') AS ids FROM records WHERE id IN (SELECT value FROM json_each(?))")
    out = {}
    for r in store.conn.execute(sql, (json.dumps(ids),)):
        names = []
        for a in json.loads(r["authors"] or "[]"):
            if a.get("collective"):
                names.append(a["collective"])
            elif a.get("family"):
                names.append(f"{a['family']} {a.get('initials') or a.get('given') or ''}".strip())
        ids_of = json.loads(r["ids"] or "{}")
        out[r["id"]] = {
            "id": r["id"], "title": r["title"] or "(no title)", "kind": r["kind"], "month": r["report_month"],
            "journal": r["journal"] or r["abbrev"] or "",
            "authors": ", ".join(names[:3]) + (" et al." if len(names) > 3 else ""),
            "ids": {k: ids_of[k] for k in ("pmid", "doi", "pmcid", "nct") if ids_of.get(k)},
        }
    return out


def find_records(store, *, q: str | None = None, kind: str | None = None, month: str | None = None,
                 design: str | None = None, decision: str | None = None, reviewer: str | None = None,
                 topic: str | None = None, viewer: str | None = None, page: int = 1,
                 per_page: int = PER_PAGE) -> dict[str, Any]:
    """One page of matching records with their effective decision on `topic` (blind mode: the
    others' decisions hidden from `viewer` until they decided; None viewer: no decisions at all)."""
    from litwatch.screen import decisions_for, team

    ids = _ids_matching(store, q, kind, month)
    if design:
        ids = _with_design(store, ids, design)
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
    designs = _designs(store, page_ids)
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
