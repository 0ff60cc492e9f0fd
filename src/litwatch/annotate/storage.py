"""Annotations in the store: annotate what changed, read them back.

A record is annotated again when its content hash, the annotator version or the topic differs
from what its stored annotations were made with. When only the vocabulary changed, the old and
new vocabularies are compared concept by concept; records whose text contains none of the
changed concepts' old or new forms keep their annotations (only their vocabulary hash is
updated), so editing one synonym re-annotates only the records that synonym can touch. A change
to a design concept (its cues decide every record's design) re-annotates all.

The annotation tables (migration 0004) are read and written only here; which records are live
and their content hashes come from the store's queries (store/queries.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from litwatch.annotate.core import annotate_record
from litwatch.annotate.matcher import PhraseMatcher
from litwatch.annotate.model import ANNOTATOR_VERSION, Annotations
from litwatch.annotate.vocab import Vocabulary, default_vocabulary
from litwatch.clock import utc_now
from litwatch.errors import StoreError
from litwatch.records import Record

__all__ = ["annotate_store", "get_annotations", "get_annotations_many", "save_annotations", "design_counts",
           "designs", "designs_of", "ids_with_design"]

Progress = Callable[[int, int], None]
_BATCH = 200


def _snapshot(vocab: Vocabulary) -> dict[str, dict[str, Any]]:
    return {
        c.id: {"key": c.match_key(), "category": c.category, "synonyms": c.synonyms,
               "abbreviations": c.abbreviations, "mesh_cues": c.mesh_cues}
        for c in vocab
    }


def _remember_vocabulary(store, vocab: Vocabulary) -> None:
    store.conn.execute(
        "INSERT OR IGNORE INTO annotation_vocabularies(hash, concepts, created_at) VALUES (?, ?, ?)",
        (vocab.hash, json.dumps(_snapshot(vocab), ensure_ascii=False), utc_now()),
    )


def _changed_forms(store, old_hash: str, new: dict[str, dict[str, Any]]) -> tuple[dict, dict, set] | None:
    """Old and new forms of concepts that differ; None when everything must be redone."""
    row = store.conn.execute("SELECT concepts FROM annotation_vocabularies WHERE hash = ?", (old_hash,)).fetchone()
    if row is None:
        return None
    old = json.loads(row["concepts"])
    changed = {cid for cid in old.keys() | new.keys() if (old.get(cid) or {}).get("key") != (new.get(cid) or {}).get("key")}
    if any((old.get(c) or new.get(c))["category"] == "design" for c in changed):
        return None
    ci: dict[str, set[str]] = {}
    cs: dict[str, set[str]] = {}
    mesh: set[str] = set()
    for cid in changed:
        for side in (old.get(cid), new.get(cid)):
            if side:
                for s in side["synonyms"]:
                    ci.setdefault(s, set()).add(cid)
                for a in side["abbreviations"]:
                    cs.setdefault(a, set()).add(cid)
                    cs.setdefault(a.upper(), set()).add(cid)
                mesh.update(n.lower() for n in side["mesh_cues"])
    return ci, cs, mesh


def _touches(record: Record, matcher: PhraseMatcher, mesh: set[str]) -> bool:
    texts = [record.title or "", record.abstract_text, *record.keywords, *(h.descriptor for h in record.mesh)]
    if record.trial is not None:
        texts += record.trial.conditions + record.trial.interventions
    if any(h.descriptor.lower() in mesh for h in record.mesh):
        return True
    return any(matcher.find(t) for t in texts if t)


def save_annotations(store, record_id: int, content_hash: str, ann: Annotations) -> None:
    conn: sqlite3.Connection = store.conn
    conn.execute(
        "INSERT OR REPLACE INTO annotations(record_id, version, vocabulary_hash, content_hash, topic, design, "
        "evidence_level, data, annotated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (record_id, ann.version, ann.vocabulary_hash or "", content_hash, ann.topic, ann.design,
         ann.evidence_level, json.dumps(ann.to_dict(), ensure_ascii=False), utc_now()),
    )
    conn.execute("DELETE FROM annotation_concepts WHERE record_id = ?", (record_id,))
    counts: dict[str, list] = {}
    for m in ann.mentions:
        entry = counts.setdefault(m.concept_id, [m.category, 0, 0])
        entry[2 if m.negated else 1] += 1
    conn.executemany(
        "INSERT INTO annotation_concepts(record_id, concept_id, category, mentions, negated) VALUES (?, ?, ?, ?, ?)",
        [(record_id, cid, cat, n, neg) for cid, (cat, n, neg) in counts.items()],
    )


def _plan(store, vocab: Vocabulary, topic_name: str | None, record_ids: Iterable[int] | None):
    """(ids to annotate, ids unchanged, ids whose annotations only need the new vocabulary hash)."""
    hashes = store.content_hashes(record_ids)  # live records only
    made = {r[0]: r for r in store.conn.execute(
        "SELECT record_id, version, vocabulary_hash, content_hash, topic FROM annotations")}
    todo, unchanged, by_old_vocab = [], [], {}
    for rid, content_hash in hashes.items():
        row = made.get(rid)
        if row is None or row["version"] != ANNOTATOR_VERSION or row["content_hash"] != content_hash \
                or row["topic"] != topic_name:
            todo.append(rid)
        elif row["vocabulary_hash"] == vocab.hash:
            unchanged.append(rid)
        else:
            by_old_vocab.setdefault(row["vocabulary_hash"], []).append(rid)
    revalidate: list[int] = []
    new = _snapshot(vocab)
    for old_hash, ids in by_old_vocab.items():
        diff = _changed_forms(store, old_hash, new)
        if diff is None:
            todo.extend(ids)
            continue
        ci, cs, mesh = diff
        matcher = PhraseMatcher(ci, cs)
        for rid, record in store.iter_records(ids=ids):
            (todo if _touches(record, matcher, mesh) else revalidate).append(rid)
    return sorted(todo), unchanged, revalidate


def annotate_store(store, topic: Any = None, record_ids: Iterable[int] | None = None, *,
                   vocabulary: Vocabulary | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Annotate records whose text, topic or vocabulary changed; returns counts and designs.

    Returns {"annotated", "unchanged", "revalidated", "by_design": {design: n}, "run_id"}. When
    nothing changed nothing is written, not even a run row (run_id is None).
    """
    vocab = vocabulary or default_vocabulary()
    topic_name = topic if isinstance(topic, str) or topic is None else getattr(topic, "name", None)
    if isinstance(topic, str):
        topic = _load_topic(topic)
    try:
        known = store.conn.execute("SELECT 1 FROM annotation_vocabularies WHERE hash = ?", (vocab.hash,)).fetchone()
        if known is None:
            with store.transaction():
                _remember_vocabulary(store, vocab)
        todo, unchanged, revalidate = _plan(store, vocab, topic_name, record_ids)
    except sqlite3.Error as exc:
        raise StoreError(f"annotate: {exc}") from None
    if not todo and not revalidate:
        return {"annotated": 0, "unchanged": len(unchanged), "revalidated": 0, "by_design": {}, "run_id": None}
    run_id = store.start_run("annotate", {"topic": topic_name, "vocabulary": vocab.hash, "version": ANNOTATOR_VERSION})
    try:
        with store.transaction():
            store.conn.executemany("UPDATE annotations SET vocabulary_hash = ? WHERE record_id = ?",
                                   [(vocab.hash, rid) for rid in revalidate])
        by_design: Counter[str] = Counter()
        done = 0
        hashes = store.content_hashes(todo, live_only=False)
        for start in range(0, len(todo), _BATCH):
            batch = todo[start : start + _BATCH]
            with store.transaction():
                for rid, record in store.iter_records(ids=batch):
                    ann = annotate_record(record, topic, vocabulary=vocab)
                    save_annotations(store, rid, hashes[rid], ann)
                    by_design[ann.design] += 1
                    done += 1
            if progress:
                progress(done, len(todo))
    except sqlite3.Error as exc:
        store.finish_run(run_id, "failed", {}, [str(exc)])
        raise StoreError(f"annotate: {exc}") from None
    except KeyboardInterrupt:
        store.finish_run(run_id, "interrupted", {}, [])
        raise
    except Exception as exc:
        store.finish_run(run_id, "failed", {}, [f"{type(exc).__name__}: {exc}"])
        raise
    counts = {"annotated": done, "unchanged": len(unchanged), "revalidated": len(revalidate),
              "by_design": dict(by_design.most_common())}
    store.finish_run(run_id, "ok", counts, [])
    return {**counts, "run_id": run_id}


def _load_topic(name: str) -> Any:
    try:
        from litwatch.topics import load_topic
    except ImportError:  # topics not there yet: the name still ranks findings by default categories
        return name
    return load_topic(name)


def get_annotations(store, record_id: int) -> Annotations | None:
    row = store.conn.execute("SELECT data, vocabulary_hash FROM annotations WHERE record_id = ?",
                             (record_id,)).fetchone()
    if row is None:
        return None
    ann = Annotations.from_dict(json.loads(row["data"]))
    ann.vocabulary_hash = row["vocabulary_hash"]  # updated in place when a vocabulary change left it valid
    return ann


def get_annotations_many(store, record_ids: Iterable[int]) -> dict[int, Annotations]:
    """Stored annotations of many records at once (records without any are left out)."""
    ids = sorted({int(i) for i in record_ids})
    out: dict[int, Annotations] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in store.conn.execute(
                f"SELECT record_id, data, vocabulary_hash FROM annotations WHERE record_id IN ({marks})", chunk):
            ann = Annotations.from_dict(json.loads(row["data"]))
            ann.vocabulary_hash = row["vocabulary_hash"]
            out[row["record_id"]] = ann
    return out


def design_counts(store, record_ids: Iterable[int] | None = None) -> dict[str, int]:
    """How many annotated records have each design (optionally among `record_ids`)."""
    rows = store.conn.execute("SELECT record_id, design FROM annotations").fetchall()
    wanted = set(record_ids) if record_ids is not None else None
    return dict(Counter(r["design"] for r in rows if wanted is None or r["record_id"] in wanted).most_common())


def designs(store) -> list[str]:
    """The study designs annotated in the store, in order (the web's filter menu)."""
    return [r[0] for r in store.conn.execute("SELECT DISTINCT design FROM annotations ORDER BY design")]


def ids_with_design(store, design: str) -> set[int]:
    """Ids of the records annotated with this study design."""
    return {r[0] for r in store.conn.execute("SELECT record_id FROM annotations WHERE design = ?", (design,))}


def designs_of(store, record_ids: Iterable[int]) -> dict[int, str]:
    """Record id -> its annotated design, for the records that have annotations."""
    ids = json.dumps(sorted({int(i) for i in record_ids}))
    rows = store.conn.execute("SELECT record_id, design FROM annotations WHERE record_id IN"
                              " (SELECT value FROM json_each(?))", (ids,))
    return {r[0]: r[1] for r in rows}
