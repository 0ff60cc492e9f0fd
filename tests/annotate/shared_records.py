"""Load the shared-data records the gold labels refer to, by source file and id."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from litwatch.formats.base import open_input
from litwatch.records import AbstractSection, Ids, Record

GOLD_DIR = Path(__file__).with_name("gold")
CATEGORIES = ("design", "species", "cell_source", "condition", "animal_model")
_MSC_SOURCES = {"cell:uc-msc", "cell:wj-msc", "cell:bm-msc", "cell:ad-msc", "cell:dp-msc", "cell:placenta-msc",
                "cell:amniotic"}


def gutbrain_record(item_id: str, item: dict) -> Record:
    return Record(ids=Ids(pmid=item_id), title=item["title"], abstract=[AbstractSection(item["abstract"])])


@lru_cache(maxsize=None)
def records_of(data: Path, source: str) -> dict[str, Record]:
    path = data / source
    if source.startswith("gutbrain/"):
        items = json.loads(path.read_text(encoding="utf-8"))
        return {k: gutbrain_record(k, v) for k, v in items.items()}
    stream, _ = open_input(path)
    if source.startswith("clinicaltrials/"):
        from litwatch.formats import ctgov as reader
    else:
        from litwatch.formats import pubmed_xml as reader
    out = {}
    for rec in reader.read_stream(stream, origin=str(path)):
        if isinstance(rec, Record):
            out[rec.ids.nct or rec.ids.pmid] = rec
    return out


def gold_items() -> list[dict]:
    items = []
    for f in sorted(GOLD_DIR.glob("*.jsonl")):
        items += [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return items


def predicted_labels(ann) -> dict[str, set[str]]:
    """The annotator's answer per gold category (composites split; the most specific cell source kept)."""
    out = {c: set() for c in CATEGORIES}
    if ann.design != "design:other":
        out["design"].add(ann.design)
    out["species"] = set(ann.species)
    for m in ann.mentions:
        if m.negated:
            continue
        if m.category in ("cell_source", "product"):
            out["cell_source"].update(m.concept_id.split("+"))
        elif m.category in ("condition", "animal_model"):
            out[m.category].add(m.concept_id)
    cells = out["cell_source"]
    if cells & _MSC_SOURCES:
        cells.discard("cell:msc")
    if len(cells) > 1:
        cells.discard("cell:stem-cell")
    return out


def gold_labels(item: dict) -> dict[str, set[str]]:
    out = {c: set(item.get(c) or []) for c in CATEGORIES}
    out["design"] = {item["design"]}
    return out
