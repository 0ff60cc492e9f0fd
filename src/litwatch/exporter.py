"""Export stored records (all, or those matching a search) to RIS, BibTeX, CSL-JSON or CSV."""

from __future__ import annotations

import os
from pathlib import Path

from litwatch.errors import UsageError
from litwatch.store import Store

__all__ = ["EXPORT_FORMATS", "export_records"]

EXPORT_FORMATS = ("ris", "bibtex", "csl-json", "csv")


def export_records(
    store: Store,
    fmt: str,
    out: str | os.PathLike[str],
    query: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    kind: str | None = None,
) -> int:
    """Write the selected records to `out`; returns how many were written."""
    from litwatch.formats.export import write_records

    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"cannot export as {fmt!r}", hint="choose one of: " + ", ".join(EXPORT_FORMATS))
    if query:
        records = [h.record for h in store.search(query, date_from, date_to, kind, limit=None)]
    else:
        records = [r for _, r in store.iter_records(kind=kind, date_from=date_from, date_to=date_to)]
    path = Path(out)
    try:
        with open(path, "w", encoding="utf-8", newline="") as stream:
            write_records(records, fmt, stream)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    return len(records)
