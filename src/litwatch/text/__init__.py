"""Text primitives that more than one stage reads: sentences with stable offsets and their roles,
and the OpenCC converters (`chinese.py`).

Screening and annotation both stand on this package and neither on the other (docs/architecture.md).
"""

from litwatch.text.sentences import ROLES, Sentence, record_sentences, split_sentences

__all__ = ["ROLES", "Sentence", "record_sentences", "split_sentences"]
