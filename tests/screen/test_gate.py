"""The topic gate (screen/gate.py) changes how fast the rules decide, never what they decide.

Both paths, `rule_decision(topic, record)` (gated) and `rule_decision(topic, record, gate=False)`
(every concept matched in full), run on every record of the shared data and on generated
variations of real records that plant the profiles' own words with every spelling the matchers
allow and the characters that make lowering and case folding tricky, for all three built-in
profiles; the Decisions must be identical (label, score, reason, every mention and relation)."""

from __future__ import annotations

import re
import string
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litwatch.config import shared_data_dir
from litwatch.errors import LitwatchError
from litwatch.formats import read_file
from litwatch.records import AbstractSection, MeshHeading, Record, Trial
from litwatch.screen.gate import FOLDS_TO_ASCII, topic_gate
from litwatch.screen.rules import rule_decision, rule_decisions
from litwatch.screen.text import RecordText, record_fields
from litwatch.topics import load_topic

from tests.screen.corpus import load_corpus

TOPICS = ("stem-cell-depression", "msc-trials", "gut-brain-depression")


@lru_cache(maxsize=1)
def topics():
    return tuple(load_topic(t) for t in TOPICS)


@lru_cache(maxsize=1)
def shared_records() -> tuple[Record, ...]:
    out = []
    for path in sorted(Path(shared_data_dir()).rglob("*")):
        if not path.is_file() or path.suffix.lower() in (".md", ".txt") and "medline" not in str(path):
            continue
        try:
            out += [r for r in read_file(path) if isinstance(r, Record)]
        except (LitwatchError, ValueError, OSError):
            continue  # not a record format (replies, labelled CSVs the readers do not take)
    return tuple(out)


def _full(record: Record) -> list:
    """The reference: every concept matched in full (one RecordText for the three topics: it
    depends on the record alone)."""
    text = RecordText(record)
    return [rule_decision(t, record, gate=False, text=text) for t in topics()]


def test_every_shared_record_gets_the_same_decision_both_ways():
    records = shared_records()
    assert len(records) > 9000
    differ = [(r.ids.pmid or r.ids.nct or r.title) for r in records
              if rule_decisions(list(topics()), r) != _full(r)]
    assert differ == [], f"{len(differ)} records decided otherwise, e.g. {differ[:3]}"
    # one topic at a time too (the store's screening), on the corpus (Chinese records and trials
    # included) and every 20th shared record
    for r in [it.record for it in load_corpus()] + list(records[::20]):
        assert [rule_decision(t, r) for t in topics()] == _full(r)


def test_the_gate_spares_most_records_the_full_reading():
    """Exact either way, the gate is only worth having if it rules most records out: a profile
    whose words it could not bound would quietly make every record take the slow path."""
    records = [r for r in read_file(Path(shared_data_dir()) / "pubmed" / "medline16n0902.xml.gz")
               if isinstance(r, Record)]
    for topic in topics():
        gate = topic_gate(topic)
        assert gate.open == frozenset(), topic.name
        passed = sum(bool(gate.candidates(record_fields(r))) for r in records)
        assert passed < 0.1 * len(records), (topic.name, passed)
    included = [r for r in load_corpus() if r.truth]
    assert all(topic_gate(topics()[0]).candidates(record_fields(it.record)) for it in included)


def test_the_letters_that_ignorecase_folds_to_ascii_are_known():
    everything = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c <= 0xDFFF)
    folds = set()
    for letter in string.ascii_lowercase:
        folds |= set(re.findall(letter, everything, re.IGNORECASE))
    assert folds == set(FOLDS_TO_ASCII)


# -- generated records -----------------------------------------------------------------------------

def _words() -> list[str]:
    """The profiles' own words: concept terms, case terms, cues and context words."""
    out = set()
    for t in topics():
        for c in t.concepts.values():
            out.update(c.terms + c.case_terms + c.zh)
        for cues in t.cues.values():
            out.update(cues.all_terms())
        for ctx in t.contexts:
            out.update(ctx.all_terms())
    return sorted(out)


WORDS = _words()
TRICKY = ["\u212a", "\u0130", "\u0131", "\u017f", "\u2019", "'", "-", "\u2013", "_", "*", "\u03a3", "\u03c2",
          "抑郁", "間充質幹細胞", "外泌體", "\ufeff", "\u3000", "\uff08", "é", "ß", "\n", "  ", "(", ")", ",", ";",
          "s", "es", "ed", "0", "\udcff"]
SEPARATORS = [" ", "-", "- ", "--", "\u2011", "", "\t", "/", ".", "_", "\u00a0"]


def _respell(word: str, how: str, sep: str) -> str:
    if how == "upper":
        word = word.upper()
    elif how == "title":
        word = word.title()
    elif how == "star":
        word = word.replace("*", "ed")
    return word.replace(" ", sep).replace("*", "")


@st.composite
def planted(draw, base: Record) -> str:
    """A short text of the profiles' words, respelt, with tricky characters between them."""
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            parts.append(_respell(draw(st.sampled_from(WORDS)), draw(st.sampled_from(["keep", "upper", "title", "star"])),
                                  draw(st.sampled_from(SEPARATORS))))
        else:
            parts.append(draw(st.sampled_from(TRICKY)))
        parts.append(draw(st.sampled_from([" ", "", ". ", ", ", "-", "\u2019s "])))
    return "".join(parts)


@st.composite
def mutated_record(draw) -> Record:
    pool = shared_records()
    base = pool[draw(st.integers(0, len(pool) - 1))] if draw(st.booleans()) else \
        draw(st.sampled_from([it.record for it in load_corpus()]))
    title = base.title or ""
    abstract = [AbstractSection(s.text, label=s.label, category=s.category) for s in base.abstract]
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(["title", "abstract", "keywords", "mesh", "trial", "drop"]))
        text = draw(planted(base))
        if where == "title":
            pos = draw(st.integers(0, len(title)))
            title = title[:pos] + text + title[pos:]
        elif where == "abstract":
            if abstract:
                i = draw(st.integers(0, len(abstract) - 1))
                s = abstract[i].text
                pos = draw(st.integers(0, len(s)))
                abstract[i] = replace(abstract[i], text=s[:pos] + text + s[pos:])
            else:
                abstract = [AbstractSection(text)]
        elif where == "drop":
            abstract = []
    extra = {}
    if draw(st.booleans()):
        extra["keywords"] = [draw(planted(base))] + list(base.keywords)
    if draw(st.booleans()):
        extra["mesh"] = [MeshHeading(draw(planted(base)))] + list(base.mesh)
    if draw(st.integers(0, 4)) == 0:
        extra["trial"] = Trial(conditions=[draw(planted(base))], interventions=[draw(planted(base))])
        extra["kind"] = "trial"
    return replace(base, title=title, abstract=abstract, **extra)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_record())
def test_generated_records_get_the_same_decision_both_ways(record):
    for topic in topics():
        assert rule_decision(topic, record) == rule_decision(topic, record, gate=False), topic.name


@pytest.mark.parametrize("text", ["Human umbilical cord MSC\u2019s anti-depressive effect", "\u212aelvin-MSCs",
                                  "depressed\u00a0patients given stem-cells", "ſtem cell therapy for depreſſion",
                                  "间充质干细胞 treat depression", "EV", "e.v. MSC-Exos", "wharton\u2019s jelly MSCs"])
def test_spellings_at_the_edges(text):
    record = Record(title=text, abstract=[AbstractSection(text + " were injected in CUMS mice; depression fell.")])
    for topic in topics():
        assert rule_decision(topic, record) == rule_decision(topic, record, gate=False)
