"""Concept tagging speed: litwatch's trie-regex tagger vs a spaCy PhraseMatcher, same synonyms.

    python bench/annotate.py [--n 30000]

Corpus: the MEDLINE sample's abstracts plus the GutBrainIE abstracts, repeated to ~N abstracts.
One process, one core, both in the same run. Baseline: spaCy blank English pipeline
(tokenizer only) + PhraseMatcher(attr="LOWER") over every synonym and abbreviation of the
vocabulary. Also counts the mentions each finds and the overlap (litwatch should find at least
the mentions spaCy finds: a spaCy match counts as found when a litwatch mention covers it).
Also reports full `annotate_record` throughput (sentences, roles, negation, design) for scale.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from litwatch.annotate import annotate_record
from litwatch.annotate.tagger import get_tagger
from litwatch.annotate.vocab import default_vocabulary
from litwatch.config import shared_data_dir
from litwatch.formats import pubmed_xml
from litwatch.formats.base import open_input
from litwatch.records import AbstractSection, Record


def corpus(n: int) -> list[Record]:
    data = shared_data_dir()
    stream, _ = open_input(data / "pubmed" / "medline16n0902.xml.gz")
    base = [r for r in pubmed_xml.read_stream(stream, origin="medline") if isinstance(r, Record) and r.abstract]
    for f in sorted((data / "gutbrain").glob("*.json")):
        for k, v in json.loads(f.read_text(encoding="utf-8")).items():
            base.append(Record(title=v["title"], abstract=[AbstractSection(v["abstract"])]))
    return [base[i % len(base)] for i in range(n)], len(base)


def run_litwatch(texts: list[str]) -> tuple[float, list[list[tuple[int, int]]]]:
    tagger = get_tagger()
    tagger.tag_text("warm up", "abstract")
    spans = []
    t0 = time.perf_counter()
    for text in texts:
        spans.append([(m.start, m.end) for m in tagger.tag_text(text, "abstract")])
    return time.perf_counter() - t0, spans


def run_spacy(texts: list[str]) -> tuple[float, list[list[tuple[int, int]]]]:
    import spacy
    from spacy.matcher import PhraseMatcher

    nlp = spacy.blank("en")
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for c in default_vocabulary():
        matcher.add(c.id, list(nlp.tokenizer.pipe(c.synonyms + c.abbreviations)))
    spans = []
    t0 = time.perf_counter()
    for doc in nlp.pipe(texts, batch_size=256):
        found = []
        for _, s, e in matcher(doc):
            found.append((doc[s].idx, doc[e - 1].idx + len(doc[e - 1])))
        spans.append(found)
    return time.perf_counter() - t0, spans


def wrong_case_abbreviation(text: str) -> bool:
    """A LOWER match of an abbreviation written in another case ('shed' for SHED, 'iv' for IV):
    not a mention; litwatch requires an abbreviation's case on purpose."""
    forms = _abbreviations()
    return text.lower() in forms and text not in forms[text.lower()] and not _is_synonym(text)


_ABBR: dict[str, set[str]] | None = None
_SYN: set[str] | None = None


def _abbreviations() -> dict[str, set[str]]:
    global _ABBR, _SYN
    if _ABBR is None:
        _ABBR, _SYN = {}, set()
        for c in default_vocabulary():
            for a in c.abbreviations:
                _ABBR.setdefault(a.lower(), set()).add(a)
            _SYN.update(s.lower() for s in c.synonyms)
    return _ABBR


def _is_synonym(text: str) -> bool:
    _abbreviations()
    return text.lower() in _SYN


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=30000)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    records, distinct = corpus(args.n)
    texts = [f"{r.title}\n{r.abstract_text}" for r in records]
    lw_time, lw_spans = run_litwatch(texts)
    sp_time, sp_spans = run_spacy(texts)
    covered = total_sp = real_sp = real_covered = 0
    for text, mine, theirs in zip(texts[:distinct], lw_spans[:distinct], sp_spans[:distinct]):
        for s, e in theirs:
            hit = any(a <= s and e <= b for a, b in mine)
            total_sp += 1
            covered += hit
            if not wrong_case_abbreviation(text[s:e]):
                real_sp += 1
                real_covered += hit
    lw_count = sum(len(x) for x in lw_spans[:distinct])
    n_full = min(len(records), 3000)
    t0 = time.perf_counter()
    for r in records[:n_full]:
        annotate_record(r)
    full_rate = n_full / (time.perf_counter() - t0)
    lw_rate, sp_rate = len(texts) / lw_time, len(texts) / sp_time
    print(f"corpus: {len(texts)} abstracts ({distinct} distinct: MEDLINE sample + GutBrainIE), one core")
    print(f"{'tagger':34} {'abstracts/s':>12} {'mentions (distinct docs)':>26}")
    print(f"{'litwatch trie-regex tagger':34} {lw_rate:12,.0f} {lw_count:26,}")
    print(f"{'spaCy blank-en PhraseMatcher LOWER':34} {sp_rate:12,.0f} {total_sp:26,}")
    print(f"speed ratio litwatch/spaCy: {lw_rate / sp_rate:.1f}x (goal >= 2x; goal >= 3,000/s)")
    print(f"spaCy mentions covered by a litwatch mention: {covered}/{total_sp} ({covered / max(total_sp, 1):.1%})")
    print(f"  leaving out spaCy's abbreviation hits in the wrong case ('shed' for SHED, 'iv' for IV): "
          f"{real_covered}/{real_sp} ({real_covered / max(real_sp, 1):.1%})")
    print(f"full annotate_record (sentences, roles, negation, design, sample size): {full_rate:,.0f} abstracts/s")
    sys.exit(0)


if __name__ == "__main__":
    main()
