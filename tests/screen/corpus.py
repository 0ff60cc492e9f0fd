"""The fixture corpus (corpus.toml) as Records with their truth labels, for tests and bench/screening_topic.py.

`load_corpus_file(path)` reads any corpus in this format, and in the held-out corpora's too
(`kind_of` instead of `tests`; optional `language`, `journal`, `year`)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from litwatch.records import AbstractSection, DateValue, Ids, Journal, Provenance, Record, Trial

__all__ = ["CorpusItem", "load_corpus", "load_corpus_file", "CORPUS_PATH", "by_id"]

CORPUS_PATH = Path(__file__).with_name("corpus.toml")
_CATEGORY = {"BACKGROUND": "BACKGROUND", "OBJECTIVE": "OBJECTIVE", "METHODS": "METHODS", "RESULTS": "RESULTS",
             "CONCLUSIONS": "CONCLUSIONS", "CONCLUSION": "CONCLUSIONS"}


@dataclass(frozen=True)
class CorpusItem:
    key: str
    truth: int
    tests: tuple[str, ...]
    record: Record


def _record(i: int, d: dict, base: int = 91000000, origin: str = "corpus.toml") -> Record:
    if "sections" in d:
        abstract = [AbstractSection(text, label=label, category=_CATEGORY.get(label.upper()))
                    for label, text in d["sections"]]
    elif d.get("abstract"):
        abstract = [AbstractSection(d["abstract"])]
    else:
        abstract = []
    kind = d.get("kind", "article")
    trial = None
    ids = Ids(pmid=str(base + i))
    if kind == "trial":
        trial = Trial(conditions=list(d.get("conditions", [])), interventions=list(d.get("interventions", [])))
        ids = Ids(nct=f"NCT{base + i:08d}")
    month = f"{int(d.get('year', 2025))}-{(i % 12) + 1:02d}"
    return Record(
        kind=kind, ids=ids, title=d["title"], abstract=abstract, trial=trial,
        publication_types=list(d.get("publication_types", [])), language=d.get("language", "eng"),
        journal=Journal(title=d.get("journal")),
        dates={"electronic": DateValue(f"{month}-01")},
        provenance=[Provenance(source="pubmed" if kind != "trial" else "clinicaltrials", origin=origin)],
    )


@lru_cache(maxsize=1)
def load_corpus() -> tuple[CorpusItem, ...]:
    data = tomllib.loads(CORPUS_PATH.read_text(encoding="utf-8"))
    items = [CorpusItem(d["id"], int(d["truth"]), tuple(d.get("tests", [])), _record(i, d))
             for i, d in enumerate(data["record"])]
    keys = [it.key for it in items]
    assert len(keys) == len(set(keys)), "corpus ids must be unique"
    return tuple(items)


def load_corpus_file(path: str | Path) -> tuple[CorpusItem, ...]:
    """A corpus file in this format or the held-out one (`kind_of` names its category)."""
    path = Path(path)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    items = []
    for i, d in enumerate(data["record"]):
        tags = tuple(d.get("tests", [])) or ((d["kind_of"],) if d.get("kind_of") else ())
        items.append(CorpusItem(d["id"], int(d["truth"]), tags, _record(i, d, base=92000000, origin=path.name)))
    return tuple(items)


def by_id(key: str) -> CorpusItem:
    return next(it for it in load_corpus() if it.key == key)
