"""annotate_record: one record in, its Annotations out (pure: no store, no network)."""

from __future__ import annotations

import re
from typing import Any

from litwatch.annotate.context import mark_context
from litwatch.annotate.design import infer_design, infer_sample_size, infer_species
from litwatch.annotate.findings import extract_findings, is_finding_sentence
from litwatch.annotate.model import Annotations, Mention, Sentence
from litwatch.text.sentences import record_sentences
from litwatch.annotate.studied import study_profile
from litwatch.annotate.tagger import get_tagger
from litwatch.annotate.vocab import Vocabulary, default_vocabulary
from litwatch.records import Record

__all__ = ["annotate_record", "topic_concepts", "key_findings", "DEFAULT_TOPIC_CATEGORIES"]

# without a topic, these categories make a result sentence a finding worth showing
DEFAULT_TOPIC_CATEGORIES = ("cell_source", "product", "condition", "biomarker", "mechanism", "outcome_measure")


def topic_concepts(topic: Any, vocab: Vocabulary) -> tuple[set[str], set[str]]:
    """(concept ids, categories) that make a result sentence about the topic: the vocabulary ids the
    topic's concepts list (`vocab = [...]` in the profile), and the default categories."""
    ids: set[str] = set()
    if topic is not None and not isinstance(topic, str):
        for concept in (getattr(topic, "concepts", None) or {}).values():
            for cid in getattr(concept, "vocab", None) or []:
                if cid in vocab.concepts:
                    ids.add(cid)
    return ids, set(DEFAULT_TOPIC_CATEGORIES)


def _topic_name(topic: Any) -> str | None:
    if topic is None:
        return None
    return topic if isinstance(topic, str) else getattr(topic, "name", None)


def key_findings(sentences: list[Sentence], mentions: list[Mention], ids: set[str], cats: set[str],
                 text: str | None = None) -> list[int]:
    """Conclusion sentences, and result sentences that mention the topic's concepts, ranked.

    With the abstract `text`, a sentence must also state a result (a change, a significance, what
    was shown or found): a methods sentence the role model took for a result is left out."""
    def on_topic(m: Mention) -> bool:
        base = m.concept_id.split("+")
        # "no serious adverse events": a result about safety, though its outcome is negated
        negated_ok = m.concept_id in ("outcome:adverse-events", "outcome:serious-adverse-events")
        return (not m.negated or negated_ok) and (m.concept_id in ids or any(b in ids for b in base)
                                                  or m.category in cats)

    scored = []
    for s in sentences:
        if s.field != "abstract" or s.role not in ("conclusions", "results"):
            continue
        if text is not None and not is_finding_sentence(text[s.start : s.end], s.role_source == "label"):
            continue
        hits = {m.concept_id for m in mentions if m.field == "abstract" and s.start <= m.start < s.end and on_topic(m)}
        if s.role == "results" and not hits:
            continue
        # conclusions first, then by how many topic concepts a sentence names, then reading order
        score = (2.0 if s.role == "conclusions" else 0.0) + min(len(hits), 4) * 0.75
        scored.append((-score, s.id))
    scored.sort()
    return [sid for _, sid in scored]


_WE_DID = re.compile(r"^(?:[A-Z][\w\s,\-]{0,40},\s*)?(?:we|the\s+authors)\s+(?:injected|treated|administered|gave|isolated|"
                     r"transplanted|grafted|infused|exposed|measured|assessed|examined|tested|used|performed|"
                     r"randomi[sz]ed|enrolled|recruited|analy[sz]ed|evaluated|established|induced)\b", re.I)
_COMPARED_OR_SIGNIFICANT = re.compile(r"\b(?:compared\s+(?:with|to)|versus|vs\.?|than|relative\s+to|significant\w*)\b|"
                                      r"\b[pP]\s*[<=≤]", re.I)


def refine_roles(sentences: list[Sentence], text: str) -> None:
    """Correct two mistakes the role model makes on unlabelled abstracts, keeping roles in order:
    "We injected ... into mice" is methods, not background; a sentence that reports a change against
    a comparison ("HAMD scores fell compared with baseline") is a result, not methods."""
    from litwatch.annotate.findings import _CUE_RX, _METHOD_LIKE
    from litwatch.text.sentences import ROLES

    order = {r: i for i, r in enumerate(ROLES)}
    abstract = [s for s in sentences if s.field == "abstract"]
    for k, s in enumerate(abstract):
        if s.role_source != "model":
            continue
        prev = order.get(abstract[k - 1].role, 0) if k else 0
        nxt = order.get(abstract[k + 1].role, 4) if k + 1 < len(abstract) else 4
        body = text[s.start : s.end]
        if (s.role == "background" and (_WE_DID.match(body) or (_METHOD_LIKE.search(body) and not _CUE_RX.search(body)))
                and prev <= order["methods"] <= nxt):
            s.role = "methods"
        elif (s.role == "methods" and _CUE_RX.search(body) and _COMPARED_OR_SIGNIFICANT.search(body)
              and prev <= order["results"] <= nxt):
            s.role = "results"


def annotate_record(record: Record, topic: Any = None, *, vocabulary: Vocabulary | None = None,
                    use_metadata: bool = True) -> Annotations:
    """Mentions, design + evidence level, species, sample size, sentences and key findings.

    `topic` (a Topic or its name) decides which concepts make a result sentence a key finding.
    `use_metadata=False` ignores publication types and MeSH (to check the text-only design).
    """
    vocab = vocabulary or default_vocabulary()
    tagger = get_tagger(vocab)
    mentions, learned = tagger.tag_record(record)
    sentences = record_sentences(record)
    refine_roles(sentences, record.abstract_text)
    texts = {"title": record.title or "", "abstract": record.abstract_text}
    mark_context(mentions, sentences, texts)
    if not use_metadata:
        mentions = [m for m in mentions if m.field != "mesh"]
    design = infer_design(record, sentences, mentions, vocab, use_metadata=use_metadata)
    species = infer_species(record, mentions, sentences, design.design)
    sample, sample_cue = infer_sample_size(record, sentences, design.design)
    ids, cats = topic_concepts(topic, vocab)
    abstract = record.abstract_text
    key = key_findings(sentences, mentions, ids, cats, abstract)
    findings = extract_findings(abstract, sentences, mentions, key, species, sample, sample_cue, design.design, vocab)
    profile = study_profile(record.title or "", abstract, sentences, mentions, design.design, species, sample,
                            sample_cue)
    return Annotations(
        mentions=mentions,
        design=design.design,
        evidence_level=design.evidence_level,
        design_cues=design.cues,
        species=species,
        sample_size=sample,
        sample_size_cue=sample_cue,
        sentences=sentences,
        key_findings=key,
        abbreviations=learned,
        findings=[f.to_dict() for f in findings],
        profile=profile.to_dict(),
        vocabulary_hash=vocab.hash,
        topic=_topic_name(topic),
    )
