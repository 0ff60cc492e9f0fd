"""Negation and speculation around a mention, NegEx style: a cue within a few words of the
mention, in the same sentence, with no scope-ending word ("but", "however", ";") in between."""

from __future__ import annotations

import re

from litwatch.annotate.model import Mention, Sentence

__all__ = ["mark_context"]

_NEG_BEFORE = re.compile(
    r"\b(?:no|not|without|absence of|absent|lack of|lacked|lacking|failed to|fail to|did not|does not|"
    r"do not|neither|nor|free of|ruled out|negative for|unaffected|non|none of|no evidence of|"
    r"no significant|no change in|no difference in|cannot|could not|was not|were not)\b",
    re.I,
)
_NEG_AFTER = re.compile(
    r"[^\w,;]*(?:\w+[^\w,;]+){0,2}?(?:(?:was|were|is|are|did|does|do|has|have|had|remained)\s+(?:not|n't)\b|"
    r"(?:remained\s+)?(?:unchanged|unaltered|unaffected)\b|(?:was|were)\s+absent\b|"
    r"(?:was|were)\s+(?:similar|comparable)\b)",
    re.I,
)
_SPEC = re.compile(
    r"\b(?:may|might|could|possibly|possible|potential|potentially|putative|perhaps|"
    r"suggest|suggests|suggested|suggesting|hypothes\w+|whether|likely|unlikely|unclear|"
    r"remains? to be|appears? to|seems? to|thought to|promising|speculate\w*|assume\w*|"
    r"future|warrant\w*|propose\w*)\b",
    re.I,
)
_TERMINATOR = re.compile(r"\b(?:but|however|although|though|whereas|while|except|yet|which|whereby)\b|[;:]", re.I)
_WINDOW_WORDS = 6


def _words(text: str) -> int:
    return len(text.split())


def _cue_before(rx: re.Pattern[str], sentence: str, pos: int, window: int) -> str | None:
    """The nearest cue ending before `pos` within `window` words and no terminator between."""
    best = None
    for m in rx.finditer(sentence, 0, pos):
        gap = sentence[m.end() : pos]
        if _words(gap) <= window and not _TERMINATOR.search(gap):
            best = m.group(0)
    return best


def _cue_after(rx: re.Pattern[str], sentence: str, pos: int, window: int) -> str | None:
    m = rx.search(sentence, pos)
    if m is None:
        return None
    gap = sentence[pos : m.start()]
    if _words(gap) <= window and not _TERMINATOR.search(gap):
        return m.group(0)
    return None


def mark_context(mentions: list[Mention], sentences: list[Sentence], texts: dict[str, str]) -> None:
    """Set `negated`, `speculative` and `cue` on mentions in title and abstract, in place."""
    by_field: dict[str, list[Sentence]] = {}
    for s in sentences:
        by_field.setdefault(s.field, []).append(s)
    for m in mentions:
        for s in by_field.get(m.field, ()):
            if s.start <= m.start < s.end:
                break
        else:
            continue
        sentence = texts[m.field][s.start : s.end]
        a, b = m.start - s.start, m.end - s.start
        neg = _cue_before(_NEG_BEFORE, sentence, a, _WINDOW_WORDS)
        if neg is None:
            after = _NEG_AFTER.match(sentence, b)
            neg = after.group(0).strip() if after else None
        if neg:
            m.negated, m.cue = True, neg
        spec = _cue_before(_SPEC, sentence, a, _WINDOW_WORDS + 2) or _cue_after(_SPEC, sentence, b, 4)
        if spec:
            m.speculative = True
            if not m.cue:
                m.cue = spec
