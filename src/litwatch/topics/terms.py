"""Word lists to regexes: phrases and cue words in English and Chinese, matched fast.

A term is a phrase: its words may be joined by spaces or hyphens in the text, a trailing `*` on a
word means "any further letters" (`alleviat*` matches alleviates, alleviated, alleviation), and an
apostrophe matches ' or ’. Latin-script terms match whole words only; Chinese terms match
anywhere, because Chinese text puts no spaces (and no word boundaries) between words.

Matching runs on lower-cased text without re.IGNORECASE (the same matches, many times faster on
long alternations); `lowered(text)` keeps every character's offset. Case-kept abbreviations
(`case_terms`) and raw `patterns` run on the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["CJK", "has_cjk", "lowered", "words_of", "term_source", "TermMatcher"]

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    return CJK.search(text) is not None


def lowered(text: str) -> str:
    """`text.lower()` with every character kept at its offset (a few letters lower to two)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _word(word: str) -> str:
    star = word.endswith("*")
    core = word[:-1] if star else word
    out = "".join("['\u2019]" if ch in "'\u2019" else re.escape(ch) for ch in core)
    return out + (r"\w*" if star else "")


def term_source(term: str, *, lower: bool = True) -> tuple[str, bool]:
    """(regex source, is Chinese) of one term; Latin words joined by spaces or hyphens."""
    term = term.strip()
    if has_cjk(term):
        text = term.lower() if lower else term
        return "".join(r"\w*" if ch == "*" else re.escape(ch) for ch in text), True
    text = term.lower() if lower else term
    words = [w for w in re.split(r"[\s\-]+", text) if w]
    return r"[\s\-]+".join(_word(w) for w in words), False


_WORD = re.compile(r"\w+")


def words_of(low: str) -> frozenset[str]:
    """The set of word tokens of a lower-cased text (for `TermMatcher.spans(..., words=)`)."""
    return frozenset(_WORD.findall(low))


def _before_ok(text: str, start: int, extra: str = "") -> bool:
    if start == 0:
        return True
    ch = text[start - 1]
    return not (ch.isalnum() or ch == "_" or ch in extra)


def _scan(rx: re.Pattern[str], text: str, extra: str) -> list[tuple[int, int]]:
    """Non-overlapping matches that start at a word boundary; a hit inside a word is skipped
    one character on, so a term that starts later inside it ("HUC-MSCs" -> "MSCs") is still found."""
    out = []
    pos = 0
    search = rx.search
    while True:
        m = search(text, pos)
        if m is None:
            return out
        if m.end() > m.start() and (not text[m.start()].isalnum() or _before_ok(text, m.start(), extra)):
            out.append((m.start(), m.end()))
            pos = m.end()
        else:
            pos = m.start() + 1


@dataclass
class TermMatcher:
    """Finds the terms (any case), case-kept terms and patterns of one word list in a text.

    Word boundaries before a Latin term are checked on each hit rather than with a lookbehind,
    and a record's word set lets a list skip texts that hold none of its first words: both keep
    matching cheap over thousands of abstracts."""

    terms: list[str] = field(default_factory=list)
    case_terms: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    plurals: bool = True  # let -s / -es follow a Latin term

    def __post_init__(self) -> None:
        latin, cjk = [], []
        anchors: set[str] | None = set()
        self._order = sorted(set(self.terms), key=len, reverse=True)  # the alternation's order
        for t in self._order:
            src, is_cjk = term_source(t)
            (cjk if is_cjk else latin).append(src)
            if not is_cjk:
                anchors = _anchor(t.lower(), anchors, self.plurals)
        parts = []
        if latin:
            tail = r"(?:e?s)?" if self.plurals else ""
            parts.append(rf"(?:{'|'.join(latin)}){tail}(?!\w)")
        self._cjk = re.compile("|".join(cjk)) if cjk else None
        self._lower = re.compile("|".join(parts)) if parts else None
        case = self._case_order = sorted(set(self.case_terms), key=len, reverse=True)
        for t in case:
            anchors = _anchor(t.lower(), anchors, False)
        self._case = re.compile(rf"(?:{'|'.join(re.escape(t) for t in case)})(?!\w)") if case else None
        self._patterns = re.compile("|".join(f"(?:{p})" for p in self.patterns), re.IGNORECASE) if self.patterns else None
        self.anchors = frozenset(anchors) if anchors is not None else None

    def restricted(self, terms: frozenset[str], case_terms: frozenset[str]) -> "TermMatcher":
        """The same matcher with only these (Latin) terms and case terms, in the same order, and
        the same patterns; for a text without Chinese characters in which no other term can match
        (screen/gate.py proves that) it finds exactly the same spans, faster. Call `spans` on it
        without `words`."""
        cache = self.__dict__.setdefault("_restricted", {})
        key = (terms, case_terms)
        m = cache.get(key)
        if m is None:
            if len(cache) >= 256:
                cache.clear()
            m = object.__new__(TermMatcher)
            m.__dict__.update(terms=[t for t in self._order if t in terms],
                              case_terms=[t for t in self._case_order if t in case_terms],
                              patterns=self.patterns, plurals=self.plurals, anchors=None, _cjk=None,
                              _patterns=self._patterns)
            latin = [term_source(t)[0] for t in m.terms if not term_source(t)[1]]
            tail = r"(?:e?s)?" if self.plurals else ""
            m._lower = re.compile(rf"(?:{'|'.join(latin)}){tail}(?!\w)") if latin else None
            m._case = re.compile(rf"(?:{'|'.join(re.escape(t) for t in m.case_terms)})(?!\w)") if m.case_terms else None
            m._order, m._case_order = m.terms, m.case_terms
            cache[key] = m
        return m

    @property
    def empty(self) -> bool:
        return self._lower is None and self._case is None and self._patterns is None and self._cjk is None

    def spans(self, text: str, low: str | None = None, words: frozenset[str] | None = None
              ) -> list[tuple[int, int]]:
        """(start, end) of every match, left to right; overlaps keep the longer (earlier) one.
        `low` is `lowered(text)` and `words` its `words_of`, when the caller has them already."""
        found: list[tuple[int, int]] = []
        skip = words is not None and self.anchors is not None and self.anchors.isdisjoint(words)
        if self._lower is not None and not skip:
            src = low if low is not None else lowered(text)
            found += _scan(self._lower, src, "-")
        if self._cjk is not None and CJK.search(text):
            src = low if low is not None else lowered(text)
            found += [(m.start(), m.end()) for m in self._cjk.finditer(src) if m.end() > m.start()]
        if self._case is not None and not skip:
            found += _scan(self._case, text, "")
        if self._patterns is not None:
            found += [(m.start(), m.end()) for m in self._patterns.finditer(text) if m.end() > m.start()]
        if len(found) < 2:
            return found
        found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        out = [found[0]]
        for s in found[1:]:
            if s[0] >= out[-1][1]:
                out.append(s)
        return out

    def regex(self) -> re.Pattern[str]:
        """One IGNORECASE regex over the original text (slower; for callers that want a Pattern)."""
        parts = []
        latin = [term_source(t, lower=False) for t in sorted(set(self.terms), key=len, reverse=True)]
        lat = [s for s, c in latin if not c]
        cjk = [s for s, c in latin if c]
        if lat:
            parts.append(rf"(?<![\w\-])(?:{'|'.join(lat)})" + (r"(?:e?s)?" if self.plurals else "") + r"(?!\w)")
        if cjk:
            parts.append("|".join(cjk))
        if self.case_terms:
            alts = "|".join(re.escape(t) for t in sorted(set(self.case_terms), key=len, reverse=True))
            parts.append(rf"(?<!\w)(?-i:{alts})(?!\w)")
        parts += [f"(?:{p})" for p in self.patterns]
        return re.compile("|".join(parts) or r"(?!x)x", re.IGNORECASE)


def _anchor(term: str, anchors: set[str] | None, plurals: bool) -> set[str] | None:
    """Add the first word of `term` (and its plurals) to `anchors`; None when it cannot be known."""
    if anchors is None:
        return None
    first = _WORD.match(term.lstrip())
    if first is None or term.lstrip()[first.end():first.end() + 1] == "*":
        return None  # a wildcard first word: any word could start it
    w = first.group(0)
    anchors.add(w)
    if plurals and _WORD.fullmatch(term.strip()):
        anchors.update((w + "s", w + "es"))
    return anchors
