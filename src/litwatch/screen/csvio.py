"""Decisions as CSV: export the effective decisions of a topic, import a person's decisions.

Columns: record_id (store id), pmid, doi, nct, title, label, by, score, reason, note, decided_at.
On import a row is found by record_id, else pmid / doi / nct; an id the store does not know is a
UsageError naming it and its line, and nothing is imported. Rows by 'rule' or 'model' are
skipped (they are recomputed by `update_screening`); rows without `by` take the importer's name.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from litwatch.errors import ParseError, UsageError
from litwatch.screen.api import _name, decisions_for
from litwatch.screen.dataset import open_csv
from litwatch.screen.decisions import add_decision
from litwatch.screen.rules import Decision

__all__ = ["export_decisions", "import_decisions", "CSV_COLUMNS"]

CSV_COLUMNS = ["record_id", "pmid", "doi", "nct", "title", "label", "by", "score", "reason", "note", "decided_at"]
_ID_COLUMNS = ("record_id", "pmid", "doi", "nct")


def export_decisions(store, topic, path: str | Path, *, include_undecided: bool = False) -> int:
    """Write the topic's effective decisions; returns the number of rows written."""
    decisions = decisions_for(store, _name(topic))
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        w.writeheader()
        for rid in sorted(decisions):
            d = decisions[rid]
            if d.label == "undecided" and not include_undecided and not d.note:
                continue
            rec = store.get(rid)
            w.writerow({
                "record_id": rid, "pmid": rec.ids.pmid or "", "doi": rec.ids.doi or "", "nct": rec.ids.nct or "",
                "title": rec.title or "", "label": d.label, "by": d.by,
                "score": "" if d.score is None else d.score, "reason": d.reason, "note": d.note or "",
                "decided_at": d.decided_at or "",
            })
            n += 1
    return n


def _resolve(store, row: dict[str, str], line: int, path: str) -> int:
    given = [(c, (row.get(c) or "").strip()) for c in _ID_COLUMNS if (row.get(c) or "").strip()]
    if not given:
        raise ParseError("no record_id, pmid, doi or nct", path=path, location=f"line {line}")
    for col, value in given:
        ident = f"#{value}" if col == "record_id" and value.isdigit() else value
        rid = store.resolve(ident)
        if rid is not None:
            return rid
    col, value = given[0]
    raise UsageError(f"{path}: line {line}: unknown record id {value!r} ({col})",
                     hint="import the records first (litwatch import) or fix the id")


def import_decisions(store, topic, path: str | Path, *, by: str | None = None) -> dict[str, Any]:
    """Read a decisions CSV into the store as person decisions; all rows or none."""
    p = str(path)
    with open_csv(path) as fh:
        reader = csv.DictReader(fh)
        cols = set(reader.fieldnames or [])
        if "label" not in cols or not cols & set(_ID_COLUMNS):
            raise ParseError("a decisions CSV needs a label column and one of record_id, pmid, doi, nct", path=p)
        rows = [(reader.line_num, row) for row in reader]
    todo, skipped = [], 0
    for line, row in rows:  # check everything before writing anything
        label = (row.get("label") or "").strip().lower()
        who = (row.get("by") or "").strip() or by
        if who in ("rule", "model"):
            skipped += 1
            continue
        if label not in ("include", "exclude", "undecided"):
            raise ParseError(f"label {label!r} is not include, exclude or undecided", path=p, location=f"line {line}")
        if not who:
            raise UsageError(f"{p}: line {line}: no 'by' name", hint="give --as NAME for rows without one")
        rid = _resolve(store, row, line, p)
        score = 1.0 if label == "include" else 0.0 if label == "exclude" else None
        note = (row.get("note") or "").strip() or None
        todo.append((rid, Decision(label, score, who, (row.get("reason") or "").strip() or "person", note=note,
                                   decided_at=(row.get("decided_at") or "").strip() or None)))
    with store.transaction():
        for rid, d in todo:
            add_decision(store, _name(topic), rid, d)
    return {"imported": len(todo), "skipped": skipped}
