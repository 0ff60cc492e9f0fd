"""OpenCC converters, one per configuration for the whole process: each takes a while to load, and
screening (t2s), annotation and the report (s2twp, s2hk) and the audit (t2s, s2t) all use them."""

from __future__ import annotations

from functools import lru_cache

__all__ = ["converter"]


@lru_cache(maxsize=8)
def converter(config: str):
    """The OpenCC converter of `config` ("t2s", "s2t", "s2twp", "s2hk" ...), loaded on first use."""
    import opencc

    return opencc.OpenCC(config)
