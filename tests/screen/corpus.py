"""The fixture corpus (corpus.toml) as Records with their truth labels, for tests and bench/screening_topic.py."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from litwatch.records import AbstractSection, DateValue, Ids, Provenance, Record, Trial

__all__ = ["CorpusItem", "load_corpus", "CORPUS_PATH", "by_id"]

CORPUS_PATH = Path(__file__).with_name("corpus.toml")
_CATEGORY = {"BACKGROUND": "BACKGROUND", "OBJECTIVE": "OBJECTIVE", "METHODS": "METHODS", "RESULTS": "RESULTS",
             "CONCLUSIONS": "CONCLUSIONS", "CONCLUSION": "CONCLUSIONS"}


@dataclass(frozen=True)
class CorpusItem:
    key: str
    truth: int
    tests: tuple[str, ...]
    record: Record


def _record(i: int, d: dict) -> Record:
    if "sections" in d:
        abstract = [AbstractSection(text, label=label, category=_CATEGORY.get(label.upper()))
                    for label, text in d["sections"]]
    elif d.get("abstract"):
        abstract = [AbstractSection(d["abstract"])]
    else:
        abstract = []
    kind = d.get("kind", "article")
    trial = None
    ids = Ids(pmid=str(91000000 + i))
    if kind == "trial":
        trial = Trial(conditions=list(d.get("conditions", [])), interventions=list(d.get("interventions", [])))
        ids = Ids(nct=f"NCT{91000000 + i:08d}")
    month = f"2025-{(i % 12) + 1:02d}"
    return Record(
        kind=kind, ids=ids, title=d["title"], abstract=abstract, trial=trial,
        publication_types=list(d.get("publication_types", [])), language=d.get("language", "eng"),
        dates={"electronic": DateValue(f"{month}-01")},
        provenance=[Provenance(source="pubmed" if kind != "trial" else "clinicaltrials", origin="corpus.toml")],
    )


@lru_cache(maxsize=1)
def load_corpus() -> tuple[CorpusItem, ...]:
    data = tomllib.loads(CORPUS_PATH.read_text(encoding="utf-8"))
    items = [CorpusItem(d["id"], int(d["truth"]), tuple(d.get("tests", [])), _record(i, d))
             for i, d in enumerate(data["record"])]
    keys = [it.key for it in items]
    assert len(keys) == len(set(keys)), "corpus ids must be unique"
    return tuple(items)


def by_id(key: str) -> CorpusItem:
    return next(it for it in load_corpus() if it.key == key)
