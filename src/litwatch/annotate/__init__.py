"""Annotation: concept mentions with character spans, study design and evidence level, species,
sample size, sentences with roles and key findings, for every record.

    from litwatch.annotate import annotate_record, annotate_store, get_annotations, concept_label
"""

from __future__ import annotations

from litwatch.annotate.core import annotate_record
from litwatch.annotate.model import ANNOTATOR_VERSION, Annotations, Mention, Sentence
from litwatch.annotate.vocab import (
    Concept,
    Vocabulary,
    concept_label,
    concept_phrase,
    default_vocabulary,
    load_vocabulary,
)

__all__ = [
    "ANNOTATOR_VERSION",
    "Annotations",
    "Mention",
    "Sentence",
    "Concept",
    "Vocabulary",
    "annotate_record",
    "annotate_store",
    "get_annotations",
    "get_annotations_many",
    "concept_label",
    "concept_phrase",
    "default_vocabulary",
    "load_vocabulary",
]


def __getattr__(name: str):
    # the store side is imported on first use so annotate_record works without a database
    if name in ("annotate_store", "get_annotations", "get_annotations_many"):
        from litwatch.annotate import storage

        return getattr(storage, name)
    raise AttributeError(name)
