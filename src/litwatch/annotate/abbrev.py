"""Abbreviations defined in the text, found the Schwartz & Hearst (2003) way.

"human umbilical cord mesenchymal stem cells (hUC-MSCs)": the short form's characters are matched
right to left inside the words before the parenthesis, its first character at a word start; the
shortest long form that matches wins. The tagger then maps the short form to the concept found in
the long form, for this record only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Definition", "find_definitions", "best_long_form"]

_PAREN = re.compile(r"\(([^()]{1,20})\)")
_WORD = re.compile(r"\S+")


@dataclass(slots=True, frozen=True)
class Definition:
    short: str
    long: str
    long_start: int  # offsets of the long form in the text
    long_end: int
    short_start: int
    short_end: int


def _valid_short(sf: str) -> bool:
    if not (2 <= len(sf) <= 12) or len(sf.split()) > 2:
        return False
    if not any(c.isalpha() for c in sf) or not sf[0].isalnum():
        return False
    # a plain lower-case word in parentheses is a gloss, not an abbreviation
    return any(c.isupper() or c.isdigit() for c in sf)


def best_long_form(sf: str, lf: str) -> str | None:
    """The Schwartz-Hearst right-to-left character match; None when no long form fits."""
    s, l = len(sf) - 1, len(lf) - 1
    while s >= 0:
        c = sf[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while l >= 0 and (lf[l].lower() != c or (s == 0 and l > 0 and lf[l - 1].isalnum())):
            l -= 1
        if l < 0:
            return None
        l -= 1
        s -= 1
    start = lf.rfind(" ", 0, l + 1) + 1
    return lf[start:]


def find_definitions(text: str) -> list[Definition]:
    """Every "long form (SF)" in `text`, with offsets of both parts."""
    out: list[Definition] = []
    for m in _PAREN.finditer(text):
        inner = m.group(1)
        sf = re.split(r"[;,]\s", inner)[0].strip()
        if not _valid_short(sf):
            continue
        sf_start = m.start(1) + inner.index(sf)
        before = text[: m.start()].rstrip()
        # the long form lies within min(|SF| + 5, 2|SF|) words before the parenthesis
        words = list(_WORD.finditer(before))
        n = min(len(sf) + 5, 2 * len(sf))
        if not words:
            continue
        window_start = words[max(0, len(words) - n)].start()
        # a sentence end inside the window cuts it
        cut = max(before.rfind(". ", window_start), before.rfind("; ", window_start))
        if cut >= 0:
            window_start = cut + 2
        window = before[window_start:]
        lf = best_long_form(sf, window)
        if not lf or len(lf) <= len(sf) or "(" in lf or ")" in lf or sf.lower() in lf.lower().split():
            continue
        lf_end = len(before)
        out.append(Definition(sf, lf, lf_end - len(lf), lf_end, sf_start, sf_start + len(sf)))
    return out
