"""Every fixed text of the report, per language.

English and Simplified Chinese live in texts/<lang>.toml; Traditional Chinese is derived from
Simplified with OpenCC (s2t) so the two Chinese versions never drift apart.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from litwatch.errors import UsageError

__all__ = ["LANGS", "check_lang", "t", "to_lang", "is_zh", "join_list"]

LANGS: tuple[str, ...] = ("en", "zh-Hans", "zh-Hant")
_DIR = Path(__file__).with_name("texts")


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r}", hint="choose one of: " + ", ".join(LANGS))
    return lang


def is_zh(lang: str) -> bool:
    return lang.startswith("zh")


@lru_cache(maxsize=None)
def _table(lang: str) -> dict[str, Any]:
    with open(_DIR / f"{lang}.toml", "rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("s2t")


@lru_cache(maxsize=4096)
def _s2t(text: str) -> str:
    return _converter().convert(text)


def to_lang(text: str, lang: str) -> str:
    """Simplified Chinese `text` as `lang` wants it: converted for zh-Hant, unchanged otherwise."""
    return _s2t(text) if lang == "zh-Hant" and text else text


def _lookup(lang: str, key: str) -> str:
    node: Any = _table(lang)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"no text {key!r} for {lang}")
        node = node[part]
    return node


def t(key: str, lang: str, /, **values: Any) -> str:
    """The text `key` ("section.method") in `lang`, with {fields} filled from `values`."""
    base = "zh-Hans" if lang == "zh-Hant" else lang
    text = _lookup(base, key)
    if values:
        text = text.format(**values)
    return to_lang(text, lang)


def has(key: str, lang: str) -> bool:
    try:
        _lookup("zh-Hans" if lang == "zh-Hant" else lang, key)
        return True
    except KeyError:
        return False


def join_list(items: list[str], lang: str) -> str:
    """'a, b and c' / 'a、b和c'."""
    if len(items) <= 1:
        return "".join(items)
    return t("studied.list_sep", lang).join(items[:-1]) + t("studied.list_last", lang) + items[-1]
