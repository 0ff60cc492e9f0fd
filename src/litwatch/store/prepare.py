"""A Record turned into exactly what the store writes: strings and tuples, cheap to pickle.

Preparing is the CPU-heavy half of storing (JSON, hashing, normalising), so it can run in the
worker processes that parse a large file, leaving the database writer only SQL to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from litwatch.records import Record, with_provenance
from litwatch.store.merge import fuzzy_block, item_key, normalize_title

__all__ = ["Prepared", "prepare", "fts_values"]


@dataclass(slots=True)
class Prepared:
    source: str
    item_key: str
    body: str  # the record's JSON without provenance: see Record.json_parts
    content_hash: str
    kind: str
    title: str | None
    report_month: str | None
    year: int | None
    fuzzy_block: str | None
    norm_title: str
    strong: tuple[tuple[str, str], ...]  # normalised (id kind, value)
    fts: tuple[str, str, str, str]  # title, abstract, keywords, mesh
    deleted: bool
    origin: str | None
    location: str | None
    retrieved_at: str | None
    raw_hash: str | None
    provenance: list[dict]  # the record's provenance as plain data

    @property
    def json(self) -> str:
        """The record's JSON, as the store keeps it."""
        return with_provenance(self.body, self.provenance)

    def relocate(self, location: str) -> None:
        """Give the copy its place in the file (the parallel reader numbers records late)."""
        self.location = location
        if self.provenance:
            self.provenance[0]["location"] = location

    def record(self) -> Record:
        return Record.from_json(self.json)

    @property
    def strong_text(self) -> str:
        return " ".join(f"{k}:{v}" for k, v in self.strong)


def fts_values(record: Record) -> tuple[str, str, str, str]:
    """What the full-text index holds for a record (the same values must be given to remove it)."""
    return (
        record.title or "",
        record.abstract_text,
        " ; ".join(record.keywords),
        " ; ".join(m.descriptor for m in record.mesh),
    )


def prepare(record: Record, run_id: int | None = None) -> Prepared:
    if run_id is not None:
        for prov in record.provenance:
            if prov.run_id is None:
                prov.run_id = run_id
    prov = record.provenance[0] if record.provenance else None
    body, provenance, digest = record.json_parts()
    source = prov.source if prov else "unknown"
    key = item_key(record)
    if source.startswith("file:") and prov and prov.origin:
        # two files may hold different versions of one item (a Europe PMC "lite" and "core" reply):
        # each file's copy is kept, so a poorer copy never replaces a richer one
        key = f"{key} @{prov.origin}"
    return Prepared(
        source=source,
        item_key=key,
        body=body,
        content_hash=digest,
        kind=record.kind,
        title=record.title,
        report_month=record.report_month(),
        year=record.year,
        fuzzy_block=fuzzy_block(record),
        norm_title=normalize_title(record.title),
        strong=tuple(record.ids.strong()),
        fts=fts_values(record),
        deleted=record.deleted,
        origin=prov.origin if prov else None,
        location=prov.location if prov else None,
        retrieved_at=prov.retrieved_at if prov else None,
        raw_hash=prov.raw_hash if prov else None,
        provenance=provenance,
    )
