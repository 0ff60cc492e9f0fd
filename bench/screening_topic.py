"""Screening benchmark for a topic: precision and recall of the effective decisions on the fixture
corpus (tests/screen/corpus.toml: short abstracts written for the tests, every relation kind and
every exclusion context), with no person decisions and after 10 (5 in, 5 out).

    python bench/screening_topic.py                   # the built-in stem-cell-depression profile
    python bench/screening_topic.py --without other_treatment,transplant_setting,biomarkers
    python bench/screening_topic.py --corpus PATH --errors   # another corpus in the same TOML format
                                                  # (or the held-out one's: kind_of, language, journal, year)

Baseline: the same records and decisions before the person decisions (the "0 persons" row).
Protocol for "10 persons": a reviewer works through the screening queue in its order
(`rank_undecided`: rule inclusions first, by ranker score), deciding each record by its truth
label, until 5 inclusions and 5 exclusions are made; then `update_screening` runs and the
effective decisions of every other record are scored. The `--without` rows repeat this with the
named contexts removed from the profile: near misses the profile does not know, which the
reviewer's exclusions must teach the ranker to move out (a trusted ranker's exclusions are
listed as "suggested for exclusion, not yet checked").

Prints one table; numbers are deterministic (no timing).

    python bench/screening_topic.py --speed     # also: update_screening on the whole shared data

--speed imports every file of the shared data (about 10,000 records) into a temporary store and
times `update_screening` for the topic: the first full run (the baseline), a repeat with nothing
changed, a repeat after one record changed, and after 10 person decisions (the ranker refits);
each as a median of --repeat runs and a ratio against the first run measured in the same process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from litwatch.screen import decisions_for, rank_undecided, record_decision, update_screening  # noqa: E402
from litwatch.store import open_store  # noqa: E402
from litwatch.topics import load_topic, topic_source  # noqa: E402
from litwatch.topics.model import topic_from_dict  # noqa: E402
from tests.screen.corpus import load_corpus, load_corpus_file  # noqa: E402

TOPIC = "stem-cell-depression"


def ablated(without: list[str]):
    data = tomllib.loads(topic_source(TOPIC))
    names = {c["name"] for c in data.get("contexts", [])}
    unknown = set(without) - names
    if unknown:
        raise SystemExit(f"unknown context(s) {', '.join(sorted(unknown))}; the profile has {', '.join(sorted(names))}")
    data["contexts"] = [c for c in data["contexts"] if c["name"] not in without]
    return topic_from_dict(data, where=f"{TOPIC} without {', '.join(without)}")


def score(store, topic, truth: dict[int, int], skip: set[int]) -> dict:
    d = decisions_for(store, topic.name)
    tp = fp = fn = tn = 0
    for rid, y in truth.items():
        if rid in skip:
            continue
        inc = d[rid].label == "include"
        tp += inc and y
        fp += inc and not y
        fn += (not inc) and y
        tn += (not inc) and not y
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": tp / max(tp + fp, 1), "recall": tp / max(tp + fn, 1),
            "by_model": sum(1 for rid, x in d.items() if x.by == "model" and rid not in skip)}


def run(topic, label: str, n_in: int = 5, n_out: int = 5, items=None, errors: list | None = None) -> list[tuple]:
    items = load_corpus() if items is None else items
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.db")
        ids = store.upsert([it.record for it in items]).record_ids
        truth = dict(zip(ids, (it.truth for it in items)))
        c = update_screening(store, topic)
        rows.append((label, 0, *_row(score(store, topic, truth, set())), _trusted(c)))
        if errors is not None:
            errors += _errors(store, topic, ids, items, f"{label}, 0 persons")
        decided: set[int] = set()
        made = {1: 0, 0: 0}
        for rid in rank_undecided(store, topic):
            y = truth[rid]
            if made[y] >= (n_in if y else n_out):
                continue
            record_decision(store, topic, rid, "include" if y else "exclude", by="bench")
            decided.add(rid)
            made[y] += 1
            if made[1] >= n_in and made[0] >= n_out:
                break
        c = update_screening(store, topic)
        rows.append((label, len(decided), *_row(score(store, topic, truth, decided)), _trusted(c)))
        if errors is not None:
            errors += _errors(store, topic, ids, items, f"{label}, {len(decided)} persons", skip=decided)
        store.close()
    return rows


def _errors(store, topic, ids, items, when: str, skip: set[int] = frozenset()) -> list[str]:
    d = decisions_for(store, topic.name)
    out = []
    for rid, it in zip(ids, items):
        if rid in skip or (d[rid].label == "include") == bool(it.truth):
            continue
        kind = "FN" if it.truth else "FP"
        out.append(f"[{when}] {kind} {it.key} ({', '.join(it.tests)}) by {d[rid].by}: {it.record.title[:90]}\n"
                   f"      {d[rid].reason[:240]}")
    return out


def _row(s: dict) -> tuple:
    return s["tp"], s["fp"], s["fn"], s["precision"], s["recall"], s["by_model"]


def _trusted(counts: dict) -> str:
    m = counts.get("model") or {}
    if not m:
        return "-"
    return "yes" if m.get("trusted") else "no"


def speed(repeat: int) -> None:
    import shutil
    import statistics
    import time

    from litwatch.config import shared_data_dir
    from litwatch.ingest import import_files

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.db"
        with open_store(base) as store:
            import_files(store, [shared_data_dir()])
            n = store.count()
        times: dict[str, list[float]] = {"first run (baseline)": [], "nothing changed": [], "one record changed": [],
                                         "10 person decisions": []}
        runs_added = 0
        for k in range(repeat):
            path = Path(tmp) / f"run{k}.db"
            shutil.copy(base, path)
            with open_store(path) as store:
                def timed(label):
                    t0 = time.perf_counter()
                    counts = update_screening(store, TOPIC)
                    times[label].append(time.perf_counter() - t0)
                    return counts

                timed("first run (baseline)")
                before = len(store.runs(limit=None))
                timed("nothing changed")
                runs_added += len(store.runs(limit=None)) - before
                rid, rec = next(store.iter_records())
                rec.title = (rec.title or "") + " (corrected)"
                store.upsert([rec])
                timed("one record changed")
                rows = decisions_for(store, TOPIC)
                picks = [r for r, d in rows.items() if d.label == "include"][:5]
                picks += [r for r, d in rows.items() if d.label == "exclude" and d.concepts][:10 - len(picks)]
                for r in picks:
                    record_decision(store, TOPIC, r, rows[r].label, by="bench")
                timed("10 person decisions")
        first = statistics.median(times["first run (baseline)"])
        print(f"\nupdate_screening on the shared data: {n} records, median of {repeat} (machine shared; noisy)")
        print(f"{'step':28} {'seconds':>8} {'ratio':>7}")
        for label, values in times.items():
            med = statistics.median(values)
            print(f"{label:28} {med:8.2f} {med / first:7.3f}")
        print(f"run rows added by a repeat with nothing changed: {runs_added}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--without", default="other_treatment,transplant_setting,biomarkers",
                    help="comma-separated contexts to remove for the second profile ('' for none)")
    ap.add_argument("--speed", action="store_true", help="also time update_screening on the whole shared data")
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    ap.add_argument("--corpus", metavar="PATH", help="a corpus TOML to score on instead of tests/screen/corpus.toml")
    ap.add_argument("--errors", action="store_true", help="list every wrong decision with its reason")
    args = ap.parse_args(argv)
    items = load_corpus_file(args.corpus) if args.corpus else load_corpus()
    errors: list[str] | None = [] if args.errors else None
    rows = run(load_topic(TOPIC), "built-in", items=items, errors=errors)
    without = [w for w in args.without.split(",") if w]
    if without:
        rows += run(ablated(without), f"without {'+'.join(without)}", items=items)
    n = len(items)
    name = Path(args.corpus).name if args.corpus else "fixture corpus"
    print(f"{name}: {n} records, {sum(it.truth for it in items)} relevant")
    print(f"{'profile':58} {'persons':>7} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7} "
          f"{'by model':>8} {'trusted':>7}")
    for label, persons, tp, fp, fn, p, r, bym, trusted in rows:
        print(f"{label:58} {persons:7d} {tp:4d} {fp:4d} {fn:4d} {p:9.3f} {r:7.3f} {bym:8d} {trusted:>7}")
    print("(after 10 persons: scored on the other records; 'by model' = effective decisions made by the trusted ranker)")
    for line in errors or []:
        print(line)
    if args.speed:
        speed(args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
