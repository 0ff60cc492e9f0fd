"""An article's body as sections and sentences, each sentence tied to the citations it carries.

Lines are paragraphs; a short line without closing punctuation is a heading and opens a
section. Sentences end at 。！？； (Chinese) or at . ! ? followed by a space and a capital
(English; "et al.", "e.g.", "Fig." and initials do not end one); a citation written just after
the full stop ("...的研究成果。[1]", "...behaviour.³") still belongs to the sentence before it.
A leading list number ("1.将...") is not a sentence of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from litwatch.audit.citations import Citation

__all__ = ["Sentence", "Section", "split_body", "is_heading"]

_ZH_END = "。！？；!?"
_CLOSE = "\"'”’)）]】》」』"
_NO_BREAK = {"al", "e.g", "i.e", "vs", "fig", "figs", "no", "nos", "cf", "sp", "spp", "approx", "etc", "st", "dr",
             "prof", "mr", "mrs", "ms", "vol", "ref", "refs", "inc", "ltd", "co", "jr", "sr", "min", "max", "eq", "ca"}
_LIST = re.compile(r"^\s*(?:\d{1,2}[.、)](?!\d)|[-•*·▪●○◆]|\(\d{1,2}\)|（\d{1,2}）|[一二三四五六七八九十]+[、.])\s*")


@dataclass
class Sentence:
    id: int
    start: int
    end: int
    text: str
    line: int
    section: int
    heading: bool = False
    cites: list[Citation] = field(default_factory=list)

    @property
    def refs(self) -> list[int]:
        seen: dict[int, None] = {}
        for c in self.cites:
            for n in c.refs:
                seen.setdefault(n, None)
        return list(seen)


@dataclass
class Section:
    id: int
    title: str | None
    start: int
    end: int
    heading_line: int | None = None
    sentences: list[Sentence] = field(default_factory=list)

    def refs(self) -> list[int]:
        seen: dict[int, None] = {}
        for s in self.sentences:
            for n in s.refs:
                seen.setdefault(n, None)
        return list(seen)


def is_heading(line: str) -> bool:
    s = line.strip()
    if not s or re.search(r"[\[［][\d,\s\-–]+[\]］]$", s):
        return False
    if re.match(r"^#{1,6}\s", s):
        return True
    if s[-1] in "。！？；.!?;：:，,、" and not re.match(r"^\d+(?:\.\d+)*\.?\s+\S", s):
        return False
    cjk = len(re.findall(r"[\u4e00-\u9fff]", s))
    words = len(s.split())
    if cjk:
        return len(s) <= 40 and "。" not in s
    return words <= 14 and len(s) <= 110 and not re.search(r"[.;:]\s", s)


def split_body(body: str, citations: list[Citation]) -> tuple[list[Section], list[Sentence]]:
    """Sections and sentences of `body` (the text before the reference list)."""
    sections: list[Section] = [Section(0, None, 0, len(body))]
    sentences: list[Sentence] = []
    pos = 0
    for lineno, line in enumerate(body.split("\n"), 1):
        start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        if is_heading(line) and not any(start <= c.start < start + len(line) for c in citations):
            sections[-1].end = start
            sec = Section(len(sections), line.strip().lstrip("#").strip(), start, len(body), lineno)
            sections.append(sec)
            s = Sentence(len(sentences), start + (len(line) - len(line.lstrip())), start + len(line.rstrip()),
                         line.strip(), lineno, sec.id, heading=True)
            sentences.append(s)
            sec.sentences.append(s)
            continue
        for a, b in _split_line(line, [c for c in citations if start <= c.start < start + len(line)], start):
            text = body[a:b]
            s = Sentence(len(sentences), a, b, text, lineno, sections[-1].id)
            s.cites = [c for c in citations if a <= c.start < b]
            sentences.append(s)
            sections[-1].sentences.append(s)
    return sections, sentences


def _split_line(line: str, cites: list[Citation], offset: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    i, n = 0, len(line)
    lm = _LIST.match(line)
    begin = lm.end() if lm else 0
    while i < n:
        ch = line[i]
        end = None
        if ch in _ZH_END or ch == "…" and line[i:i + 2] == "……":
            end = i + (2 if line[i:i + 2] == "……" else 1)
        elif ch in ".!?" and i + 1 < n and line[i + 1] in " \t" + "".join(_CLOSE) and _english_break(line, i):
            end = i + 1
        elif ch == "." and i + 1 < n and _starts_citation(line, i + 1, cites, offset) and _english_break(line, i):
            end = i + 1
        if end is not None:
            while end < n and line[end] in _CLOSE:
                end += 1
            end = _absorb_citations(line, end, cites, offset)
            if line[begin:end].strip():
                spans.append((begin, end))
            begin = end
            i = end
            continue
        i += 1
    if line[begin:].strip():
        spans.append((begin, n))
    out = []
    for a, b in spans:
        while a < b and line[a].isspace():
            a += 1
        while b > a and line[b - 1].isspace():
            b -= 1
        lm = _LIST.match(line, a) if a else None
        if lm and lm.end() < b and a > 0:
            a = lm.end()
        if b - a >= 2:
            out.append((offset + a, offset + b))
    return out


def _starts_citation(line: str, i: int, cites: list[Citation], offset: int) -> bool:
    return any(c.start == offset + i for c in cites)


def _absorb_citations(line: str, end: int, cites: list[Citation], offset: int) -> int:
    """Citations right after a full stop ("。[1]", ".³") belong to the sentence before."""
    moved = True
    while moved:
        moved = False
        j = end
        while j < len(line) and line[j] == " ":
            j += 1
        for c in cites:
            if c.start == offset + j and c.form != "author-year":  # "Liu et al. (2025) found" opens a sentence
                end = c.end - offset
                moved = True
                break
    return end


def _english_break(line: str, i: int) -> bool:
    word = re.search(r"([\w.]+)$", line[: i])
    if word:
        w = word.group(1).lower()
        if w in _NO_BREAK or w.rstrip(".") in _NO_BREAK:
            return False
        if len(w) == 1 and w.isalpha() and line[i - 1].isupper():
            return False  # an initial: "J. Smith"
        if re.fullmatch(r"\d+", w) and i + 1 < len(line) and line[i + 1:i + 2].isdigit():
            return False
    rest = line[i + 1:].lstrip(" " + _CLOSE)
    if not rest:
        return True
    return bool(re.match(r"[A-Z0-9\u4e00-\u9fff\[(“\"'¹²³⁴⁵⁶⁷⁸⁹⁰]", rest))
