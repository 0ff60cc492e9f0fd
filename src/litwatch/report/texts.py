"""Every fixed text of the report, per language.

English and Simplified Chinese live in texts/<lang>.toml; Traditional Chinese is derived from
Simplified with OpenCC so the Chinese versions never drift apart: zh-Hant with `s2twp` (Taiwan's
characters and words: 臨床, 為, 核對), zh-Hant-HK with `s2hk` (Hong Kong's).
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from litwatch.errors import UsageError

__all__ = ["LANGS", "check_lang", "t", "has", "to_lang", "is_zh", "is_hant", "join_list", "base_lang"]

LANGS: tuple[str, ...] = ("en", "zh-Hans", "zh-Hant", "zh-Hant-HK")
_DIR = Path(__file__).with_name("texts")


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r}", hint="choose one of: " + ", ".join(LANGS))
    return lang


def is_zh(lang: str) -> bool:
    return lang.startswith("zh")


def is_hant(lang: str) -> bool:
    return lang.startswith("zh-Hant")


def base_lang(lang: str) -> str:
    """The language whose text file holds `lang`'s texts (Traditional comes from Simplified)."""
    return "zh-Hans" if is_hant(lang) else lang


@lru_cache(maxsize=None)
def _table(lang: str) -> dict[str, Any]:
    with open(_DIR / f"{lang}.toml", "rb") as fh:
        return tomllib.load(fh)


def to_lang(text: str, lang: str) -> str:
    """Simplified Chinese `text` as `lang` wants it: converted for Traditional variants, unchanged otherwise."""
    if not text or not is_hant(lang):
        return text
    from litwatch.annotate.vocab import to_traditional

    return to_traditional(text, lang)


def _lookup(lang: str, key: str) -> str:
    node: Any = _table(lang)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"no text {key!r} for {lang}")
        node = node[part]
    return node


def t(key: str, lang: str, /, **values: Any) -> str:
    """The text `key` ("section.method") in `lang`, with {fields} filled from `values`."""
    text = _lookup(base_lang(lang), key)
    if values:
        text = text.format(**values)
    return to_lang(text, lang)


def has(key: str, lang: str) -> bool:
    try:
        _lookup(base_lang(lang), key)
        return True
    except KeyError:
        return False


def join_list(items: list[str], lang: str) -> str:
    """'a, b and c' / 'a、b和c'."""
    if len(items) <= 1:
        return "".join(items)
    return t("studied.list_sep", lang).join(items[:-1]) + t("studied.list_last", lang) + items[-1]
