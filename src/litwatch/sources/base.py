"""What the connectors share: a query window, parts, batches, and item bookkeeping.

A connector plans its query as `Part`s (PubMed: date slices that each fit the 9,999 limit;
the others: the whole query) and walks each part in `Batch`es. A batch carries the cursor of
the batch after it, so the fetch run can checkpoint after storing it and resume there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterator, Protocol

from litwatch.formats.base import ParseIssue
from litwatch.records import Record

__all__ = ["Window", "Part", "Batch", "Connector", "collect_items", "stamp"]


@dataclass(frozen=True, slots=True)
class Window:
    """The dates a fetch asks for: a publication range, or 'new or updated since' a day.

    A publication range may come with an entry range (`entry_from`..`entry_to`): what the
    service listed (PubMed entry date, Europe PMC first index date, ClinicalTrials.gov last
    update) in those days is asked for too, so a record published in the range's past and
    indexed only lately is still found.
    """

    date_from: date | None = None
    date_to: date | None = None
    since: date | None = None  # --since-last-run: added or updated on/after this day
    until: date | None = None  # the day the run started: freezes 'today' across a resume
    entry_from: date | None = None
    entry_to: date | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {k: (getattr(self, k).isoformat() if getattr(self, k) else None) for k in self.__slots__}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Window":
        return cls(**{k: (date.fromisoformat(d[k]) if d.get(k) else None) for k in cls.__slots__})


@dataclass(slots=True)
class Part:
    """One piece of a source's query that is fetched in batches from `cursor` on."""

    key: str  # unique within the source for this run: "all", "pdat:2020/01/01-2020/06/30", ...
    query: str  # the query text sent, for the run log
    spec: dict[str, Any] = field(default_factory=dict)  # what the connector needs to redo it
    total: int | None = None  # records the service says it holds
    state: dict[str, Any] = field(default_factory=dict)  # in memory only (e.g. a live WebEnv)


@dataclass(slots=True)
class Batch:
    records: list[Record]
    issues: list[str]  # items that could not be mapped, with their location
    cursor: str | None  # where the next batch starts (None when the part is finished)
    done: bool
    total: int | None = None


class Connector(Protocol):
    name: str

    def plan(self, query: str, window: Window) -> list[Part]: ...

    def batches(self, part: Part, cursor: str | None) -> Iterator[Batch]: ...


def collect_items(
    items: list[Any], mapper: Callable[[dict], Record], where: Callable[[int, Any], str]
) -> tuple[list[Record], list[str]]:
    """Map source items to Records; an item that fails becomes an issue and the rest go on."""
    records, issues = [], []
    for i, item in enumerate(items):
        if isinstance(item, ParseIssue):
            issues.append(str(item))
            continue
        try:
            records.append(mapper(item))
        except Exception as exc:  # noqa: BLE001 - a mapper bug on one item must not sink the run
            issues.append(f"{where(i, item)}: {type(exc).__name__}: {exc}")
    return records, issues


def stamp(records: list[Record], source: str, origin: str) -> list[Record]:
    """Provenance names the live source and the query it came from (files' readers say file:...)."""
    for rec in records:
        for p in rec.provenance:
            p.source, p.origin = source, origin
    return records
