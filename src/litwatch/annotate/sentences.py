"""The sentence splitter and role model live in `litwatch.text.sentences` (screening reads them
too); annotation's modules and older callers find the same names here."""

from litwatch.text.sentences import (  # noqa: F401
    ROLES,
    RoleModel,
    Sentence,
    label_role,
    load_role_model,
    record_sentences,
    sentence_features,
    split_sentences,
)

__all__ = ["ROLES", "split_sentences", "sentence_features", "label_role", "record_sentences", "RoleModel",
           "load_role_model", "Sentence"]
