"""Every concept is named by hand in Simplified Chinese; Traditional Chinese comes from OpenCC with
Taiwan's (s2twp) and Hong Kong's (s2hk) forms; the phrases generated sentences need exist in both."""

from __future__ import annotations

import re

import pytest

from litwatch.annotate import concept_label, concept_phrase, default_vocabulary
from litwatch.annotate.vocab import CATEGORIES

_HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_concept_has_a_hand_written_chinese_label():
    vocab = default_vocabulary()
    assert {c.category for c in vocab} == set(CATEGORIES)
    for c in vocab:
        zh = c.labels["zh-Hans"]
        # a Chinese name, not the English one copied (abbreviations like "IL-6" sit beside Chinese words)
        assert _HAN.search(zh) or c.category == "biomarker" and zh != c.labels["en"], (c.id, zh)
        assert zh != c.labels["en"], c.id
        for form, langs in c.phrases.items():
            assert set(langs) >= {"en", "zh-Hans"}, (c.id, form)


def test_builtin_topic_concepts_have_chinese_labels():
    from litwatch.topics import list_topics, load_topic

    for name in list_topics():
        topic = load_topic(name if isinstance(name, str) else name.name)
        for cid, concept in topic.concepts.items():
            assert _HAN.search(concept.label.get("zh-Hans", "")), (topic.name, cid)


@pytest.mark.parametrize("lang, expected", [("zh-Hant", "臨床"), ("zh-Hant-HK", "臨牀")])
def test_traditional_labels_follow_the_regions_forms(lang, expected):
    from litwatch.annotate.vocab import to_traditional

    assert concept_label("cell:uc-msc", lang) == "臍帶間充質幹細胞"
    assert to_traditional("临床试验", lang).startswith(expected)
    assert concept_phrase("model:cums", "short", lang) == "CUMS{species}"
    assert concept_phrase("route:intravenous", "given", "zh-Hans") == "经静脉给予的"
    assert concept_phrase("cell:uc-msc", "no-such-form", lang) is None
