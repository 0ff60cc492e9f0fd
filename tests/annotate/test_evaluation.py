"""Evaluation against hand-labelled real records (gold/*.jsonl): per-category precision/recall,
and text-only design vs the design PubMed's publication types and MeSH give.

Run with -s to see the tables. Floors sit below what was measured (see the closing comment)."""

from __future__ import annotations

from litwatch.annotate import annotate_record

from tests.annotate.shared_records import CATEGORIES, gold_items, gold_labels, predicted_labels, records_of

# measured at the time of writing: design P .99 R .96, species .97/.94, cell_source .97/.97,
# condition .93/.96, animal_model .67/1.0 (3 gold labels only: not floored)
FLOORS = {"design": 0.85, "species": 0.85, "cell_source": 0.85, "condition": 0.85}


def test_gold_labels_precision_recall(shared_data):
    items = gold_items()
    assert len(items) >= 80
    tp = {c: 0 for c in CATEGORIES}
    fp, fn = dict(tp), dict(tp)
    for item in items:
        record = records_of(shared_data, item["source"])[item["id"]]
        pred, gold = predicted_labels(annotate_record(record)), gold_labels(item)
        for c in CATEGORIES:
            tp[c] += len(pred[c] & gold[c])
            fp[c] += len(pred[c] - gold[c])
            fn[c] += len(gold[c] - pred[c])
    print(f"\n{'category':14} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}   ({len(items)} records)")
    scores = {}
    for c in CATEGORIES:
        p = tp[c] / max(tp[c] + fp[c], 1)
        r = tp[c] / max(tp[c] + fn[c], 1)
        scores[c] = (p, r)
        print(f"{c:14} {p:9.2f} {r:7.2f} {tp[c]:4} {fp[c]:4} {fn[c]:4}")
    for c, floor in FLOORS.items():
        assert scores[c][0] >= floor and scores[c][1] >= floor, (c, scores[c])


def test_text_only_design_agrees_with_publication_types_and_mesh(shared_data):
    records = records_of(shared_data, "pubmed/medline16n0902.xml.gz").values()
    with_meta = [r for r in records if r.abstract and r.mesh and r.publication_types]
    agree = decided = 0
    pairs: dict[tuple[str, str], int] = {}
    for r in with_meta:
        full = annotate_record(r).design
        if full == "design:other":
            continue
        text_only = annotate_record(r, use_metadata=False).design
        decided += 1
        agree += full == text_only
        pairs[(full, text_only)] = pairs.get((full, text_only), 0) + 1
    rate = agree / max(decided, 1)
    print(f"\ntext-only design agrees with publication types/MeSH on {agree}/{decided} records ({rate:.0%})")
    for (full, text), n in sorted(pairs.items(), key=lambda kv: -kv[1]):
        if full != text:
            print(f"  metadata {full:32} text {text:32} {n}")
    assert decided >= 50 and rate >= 0.5
