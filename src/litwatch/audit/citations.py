"""The reference list of an article and the citations in its text.

The list starts at a heading ("References", "参考文献", "參考資料", ...) or, without one, is the
last run of numbered lines; it ends where something else begins (a disclaimer, a note, a
line that does not read like a reference). Citations are numeric ([1], [1,3], [2-4], ［1］,
superscripts ¹⁻³, Markdown footnotes) or author-year ("(Liu et al., 2025)", "Liu et al. (2025)",
"（王等，2024）"), the latter tied to entries by first author and year.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["RefEntry", "Citation", "find_reference_list", "find_citations", "expand_numbers", "fold"]

_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\d+\.?\s*)?(?:references?(?: list)?|bibliography|literature cited|works cited|cited literature|"
    r"sources|citations|参考文献|參考文獻|参考资料|參考資料|参考来源|參考來源|引用文献|引用文獻|文献|文獻|主要参考文献|"
    r"延伸阅读|延伸閱讀)\s*[:：]?\s*(?P<rest>.*)$",
    re.I,
)
_STOP = re.compile(
    r"^\s*(?:免责|免責|声明|聲明|disclaimer|conflicts? of interest|competing interests?|funding|acknowledg|"
    r"扫码|掃碼|关注|關注|copyright|版权|版權|author contributions|附录|附錄|appendix|notes?\s*[:：]|"
    r"about the author|作者简介|作者簡介|责任编辑|責任編輯|来源[:：]|來源[:：]|编辑[:：]|編輯[:：])",
    re.I,
)
_MARKER = re.compile(r"^\s*(?:\[(\d{1,3})\]|［(\d{1,3})］|(\d{1,3})[.)、](?!\d)\s*|\((\d{1,3})\)\s*|【(\d{1,3})】)\s*")
_LOOKS_LIKE_REF = re.compile(r"(?:19|20)\d{2}|\bdoi\b|10\.\d{4,}/|\bPMID\b|\bvol\b|\d+\s*[:(]\s*\d+|\[J\]|et al", re.I)

_SUP_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_MAP = str.maketrans(_SUP_DIGITS + "⁻", "0123456789-")
_NUM_LIST = r"\d{1,3}(?:\s*[-–—~～]\s*\d{1,3})?(?:\s*[,，、;；]\s*\d{1,3}(?:\s*[-–—~～]\s*\d{1,3})?)*"
_BRACKET = re.compile(rf"[\[［【]\s*({_NUM_LIST})\s*[\]］】](?!\()")
_SUPERSCRIPT = re.compile(rf"(?<![{_SUP_DIGITS}])([{_SUP_DIGITS}]+(?:[,⁻\-–][{_SUP_DIGITS}]+)*)")
_CARET = re.compile(rf"\^\s*\[?({_NUM_LIST})\]?")
_PAREN_NUM = re.compile(rf"(?<![\w=<>≤≥±%])\(\s*({_NUM_LIST})\s*\)")
_AY_PAREN = re.compile(r"[(（]([^()（）]{2,300}?(?:19|20)\d{2}[a-z]?)[)）]")
_AY_NARRATIVE = re.compile(
    r"((?:[A-Z][\w'’\-]+|[\u4e00-\u9fff]{1,4})(?:\s+(?:and|&)\s+[A-Z][\w'’\-]+|\s+et\s+al\.?|\s*等人?)?)\s*[(（]((?:19|20)\d{2})([a-z])?[)）]")
_AY_ITEM = re.compile(
    r"^\s*(?:see\s+|e\.g\.,?\s+|cf\.\s+)?((?:[A-Z][\w'’\-]+|[\u4e00-\u9fff]{1,4})(?:[\s,]+(?:and|&)\s+[A-Z][\w'’\-]+|,\s+[A-Z][\w'’\-]+)*"
    r"(?:\s+et\s+al\.?|\s*等人?)?)\s*[,，]?\s*((?:19|20)\d{2})([a-z])?\s*$")


@dataclass(slots=True)
class RefEntry:
    n: int
    text: str
    start: int  # offsets of `text` in the article
    end: int


@dataclass(slots=True)
class Citation:
    start: int
    end: int
    refs: list[int]
    form: str  # numeric | superscript | author-year
    text: str
    unknown: list[int] = field(default_factory=list)  # numbers the reference list does not have


def fold(name: str) -> str:
    """A name for comparison: accents and case dropped ("Simão" -> "simao")."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^\w]", "", s.lower())


def expand_numbers(spec: str) -> list[int]:
    """"1,3, 5-7" -> [1, 3, 5, 6, 7] (a range of more than 50 is read as two numbers)."""
    out: list[int] = []
    spec = spec.translate(_SUP_MAP)
    for part in re.split(r"\s*[,，、;；]\s*", spec.strip()):
        if not part:
            continue
        bits = re.split(r"\s*[-–—~～⁻]\s*", part)
        try:
            nums = [int(b) for b in bits if b]
        except ValueError:
            continue
        if len(nums) == 2 and 0 < nums[1] - nums[0] <= 50:
            out.extend(range(nums[0], nums[1] + 1))
        else:
            out.extend(nums)
    seen: dict[int, None] = {}
    for n in out:
        seen.setdefault(n, None)
    return list(seen)


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def find_reference_list(text: str) -> tuple[list[RefEntry], int, int]:
    """(entries, where the list starts, where it ends); ([], len, len) when there is none."""
    lines = _lines(text)
    heading_at = None
    for i in range(len(lines) - 1, -1, -1):
        start, line = lines[i]
        m = _HEADING.match(line)
        if m and (not m.group("rest") or _MARKER.match(m.group("rest")) or _LOOKS_LIKE_REF.search(m.group("rest"))):
            if len(line) < 200 and i > 0:
                heading_at = i
                break
    if heading_at is not None:
        start, line = lines[heading_at]
        first = [(start + line.index(_HEADING.match(line).group("rest")), _HEADING.match(line).group("rest"))] \
            if _HEADING.match(line).group("rest") else []
        entries, end = _entries(first + lines[heading_at + 1:])
        if entries:
            return entries, start, end
    # no heading: the last block of numbered lines
    block: list[tuple[int, str]] = []
    i = len(lines) - 1
    while i >= 0 and not _MARKER.match(lines[i][1]):
        i -= 1
    j = i
    while j >= 0 and (_MARKER.match(lines[j][1]) or not lines[j][1].strip()):
        j -= 1
    block = lines[j + 1:]
    entries, end = _entries(block)
    numbered = [e for e in entries if e.n]
    if len(numbered) >= 2 and numbered[0].n == 1 and all(_LOOKS_LIKE_REF.search(e.text) for e in numbered[: 3]):
        return entries, lines[j + 1][0], end
    return [], len(text), len(text)


def _entries(lines: list[tuple[int, str]]) -> tuple[list[RefEntry], int]:
    entries: list[RefEntry] = []
    numbered = None
    end = lines[0][0] if lines else 0
    for start, line in lines:
        if not line.strip():
            continue
        if _STOP.match(line) and entries:
            break
        m = _MARKER.match(line)
        if m:
            n = int(next(g for g in m.groups() if g))
            numbered = True if numbered is None else numbered
            body = line[m.end():]
            entries.append(RefEntry(n, body.strip(), start + m.end() + (len(body) - len(body.lstrip())), start + len(line)))
            end = start + len(line)
            continue
        if numbered:
            # an unnumbered line inside a numbered list: a continuation, or the end of the list
            if _LOOKS_LIKE_REF.search(line) and entries and len(line) < 400 and not re.search(r"[。！？]$", line.strip()):
                last = entries[-1]
                entries[-1] = RefEntry(last.n, text_join(last.text, line.strip()), last.start, start + len(line))
                end = start + len(line)
                continue
            break
        if numbered is None and not _LOOKS_LIKE_REF.search(line):
            if entries:
                break
            continue
        numbered = False
        if not _LOOKS_LIKE_REF.search(line) and entries:
            break
        entries.append(RefEntry(len(entries) + 1, line.strip(), start + len(line) - len(line.lstrip()), start + len(line)))
        end = start + len(line)
    return entries, end


def text_join(a: str, b: str) -> str:
    return a + ("" if re.search(r"[\u4e00-\u9fff]$", a) else " ") + b


# -- citations in the text ----------------------------------------------------------------------


def find_citations(body: str, entries: list[RefEntry], first_authors: dict[int, tuple[str, int | None, str | None]]
                   ) -> list[Citation]:
    """Citations in `body` (the text before the reference list).

    `first_authors` maps entry number -> (first author's family name, year, year suffix) for
    author-year matching.
    """
    known = {e.n for e in entries}
    top = max(known) if known else 0
    cites: list[Citation] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], spec: str, form: str) -> None:
        nums = expand_numbers(spec)
        if not nums or any(s < m.end() and m.start() < e for s, e in taken):
            return
        inside = [n for n in nums if n in known]
        unknown = [n for n in nums if n not in known]
        if not inside and not (form == "numeric" and known and all(n <= 3 * top for n in nums)):
            return
        cites.append(Citation(m.start(), m.end(), inside, form, m.group(0), unknown))
        taken.append((m.start(), m.end()))

    for m in _BRACKET.finditer(body):
        add(m, m.group(1), "numeric")
    for m in _SUPERSCRIPT.finditer(body):
        add(m, m.group(1), "superscript")
    for m in _CARET.finditer(body):
        add(m, m.group(1), "numeric")
    if known and not cites and all(e.n for e in entries):
        for m in _PAREN_NUM.finditer(body):  # "(3)" only when the text uses no other numeric form
            nums = expand_numbers(m.group(1))
            if nums and all(1 <= n <= top for n in nums):
                add(m, m.group(1), "numeric")
    if first_authors:
        cites.extend(_author_year(body, first_authors, taken))
    cites.sort(key=lambda c: c.start)
    return cites


def _author_year(body: str, first_authors, taken) -> list[Citation]:
    index: dict[tuple[str, int], list[tuple[int, str | None]]] = {}
    for n, (fam, year, suffix) in first_authors.items():
        if fam and year:
            index.setdefault((fold(fam), year), []).append((n, suffix))
    out: list[Citation] = []

    def lookup(names: str, year: str, suffix: str | None) -> int | None:
        first = re.split(r"\s+(?:and|&|et)\s+|,|\s*等", names.strip())[0].strip()
        cands = index.get((fold(first), int(year)), [])
        if suffix:
            cands = [c for c in cands if c[1] == suffix] or cands
        return cands[0][0] if len(cands) >= 1 else None

    for m in _AY_PAREN.finditer(body):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        refs = []
        for item in re.split(r"[;；]", m.group(1)):
            im = _AY_ITEM.match(item)
            if im:
                n = lookup(im.group(1), im.group(2), im.group(3))
                if n:
                    refs.append(n)
        if refs:
            out.append(Citation(m.start(), m.end(), refs, "author-year", m.group(0)))
            taken.append((m.start(), m.end()))
    for m in _AY_NARRATIVE.finditer(body):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        n = lookup(m.group(1), m.group(2), m.group(3))
        if n:
            out.append(Citation(m.start(), m.end(), [n], "author-year", m.group(0)))
            taken.append((m.start(), m.end()))
    return out
