"""A fast dictionary matcher: every surface form compiled into one trie-shaped regular expression.

One expression per vocabulary runs over the lower-cased text; a synonym matches in any case, an
abbreviation only when the original text has its case ("MDD" is a disorder, "mdd" is not).
A trie-shaped alternation lets the regex engine reject most positions after one character, so
one pass over an abstract costs tens of microseconds. Variants are part of the pattern, not
listed: a space matches a space or a hyphen, a hyphen may also be left out ("anti-inflammatory",
"antiinflammatory"), digits may be joined or split from letters ("IL-6", "IL6", "IL 6"), a Greek
letter matches its name and, at the end of a term, its Latin letter ("IL-1β", "IL-1beta",
"IL1b"), and a plural "s"/"es" may follow. A matched span is mapped back to its concepts through
a normalised key, so spans always point at the text as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["PhraseMatcher", "Match", "normalize_key", "GREEK"]

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "ε": "epsilon",
    "ß": "beta",  # German sharp s, often typed for beta
}
_GREEK_LETTER = {"α": "a", "β": "b", "γ": "g", "δ": "d", "κ": "k", "ε": "e", "ß": "b"}
_SEP_CHARS = " -‐‑–"
_SEP_CLASS = r"(?:\s?[\-‐‑–]\s?|\s)"  # "gut-brain", "gut brain", "gut - brain"
_KEY_DROP = re.compile(r"[\s\-‐‑–'’]+")
_GREEK_RE = re.compile("[" + "".join(GREEK) + "]")
_GREEK_NAME_RE = re.compile(r"(alpha|beta|gamma|delta|kappa|epsilon)")

_ES_PLURAL = ("s", "x", "z", "ch", "sh")

# atoms of a surface form: a literal character or one of these markers
_SEP, _OPT_SEP, _APOS = "\x01", "\x02", "\x03"


@dataclass(slots=True, frozen=True)
class Match:
    start: int
    end: int
    concepts: tuple[str, ...]
    case_sensitive: bool


def normalize_key(text: str, lower: bool = True) -> str:
    """Separators and apostrophes dropped, Greek letters spelled out: the lookup key of a span."""
    s = text.lower() if lower else text
    s = _GREEK_RE.sub(lambda m: GREEK[m.group(0)], s)
    return _KEY_DROP.sub("", s)


def _greek_letter_key(key: str) -> str:
    """The same key with spelled-out Greek letters as one Latin letter ('il1beta' -> 'il1b')."""
    return _GREEK_NAME_RE.sub(lambda m: m.group(1)[0], key)


def _atoms(form: str) -> tuple[str, ...]:
    out: list[str] = []
    n = len(form)
    for i, ch in enumerate(form):
        if ch in _SEP_CHARS:
            prev = form[i - 1] if i else ""
            nxt = form[i + 1] if i + 1 < n else ""
            joinable = ch != " " or prev.isdigit() or nxt.isdigit() or prev in GREEK or nxt in GREEK
            atom = _OPT_SEP if joinable else _SEP
            if out and out[-1] in (_SEP, _OPT_SEP):
                continue
            out.append(atom)
        elif ch in "'’":
            out.append(_APOS)
        else:
            prev = form[i - 1] if i else ""
            # letters meeting digits may be written apart: "IL6" also matches "IL-6" and "IL 6"
            if out and prev and prev not in _SEP_CHARS and (prev.isdigit() != ch.isdigit()) and ch.isalnum() and prev.isalnum():
                out.append(_OPT_SEP)
            out.append(ch)
    return tuple(out)


def _atom_regex(atom: str, last: bool) -> str:
    if atom == _SEP:
        return _SEP_CLASS
    if atom == _OPT_SEP:
        return _SEP_CLASS + "?"
    if atom == _APOS:
        return r"(?:\s?['’])?"  # "Parkinson's", "Parkinsons", "Parkinson 's" (tokenised text)
    if atom in GREEK:
        alts = [re.escape(atom), GREEK[atom]] + (["ß"] if atom == "β" else [])
        if last:
            alts.append(_GREEK_LETTER[atom])
        return "(?:" + "|".join(alts) + ")"
    return re.escape(atom)


class _Trie:
    __slots__ = ("children", "end")

    def __init__(self) -> None:
        self.children: dict[str, _Trie] = {}
        self.end = False

    def add(self, atoms: Iterable[str]) -> None:
        node = self
        for a in atoms:
            node = node.children.setdefault(a, _Trie())
        node.end = True

    def merge(self, other: "_Trie") -> None:
        self.end = self.end or other.end
        for atom, child in other.children.items():
            if atom in self.children:
                self.children[atom].merge(child)
            else:
                self.children[atom] = child

    def regex(self) -> str:
        """Alternation shaped like the trie; greedy optional groups prefer the longest form."""
        if _SEP in self.children and _OPT_SEP in self.children:
            # "wistar kyoto" and "wistar-kyoto rats" must share one path, or the regex's first
            # branch would stop at "Wistar-Kyoto" before trying "Wistar-Kyoto rats"
            self.children[_OPT_SEP].merge(self.children.pop(_SEP))
        branches = []
        # literal atoms before optional separators: the regex takes the first branch that matches,
        # and "intra" + "cerebral hemorrhage" must win over "intra" + [sep]? + "cerebral"
        for atom in sorted(self.children, key=lambda a: (a in (_SEP, _OPT_SEP, _APOS), a)):
            child = self.children[atom]
            branches.append(_atom_regex(atom, last=not child.children) + child.regex())
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if self.end:
            return body + "?" if len(branches) == 1 and _single_atom(body) else "(?:" + body + ")?"
        return body


def _single_atom(body: str) -> bool:
    return len(body) == 1 or (body.startswith("\\") and len(body) == 2)


class PhraseMatcher:
    """Finds (start, end, concept ids) of every vocabulary form in a text; longest match wins."""

    def __init__(self, insensitive: dict[str, set[str]], sensitive: dict[str, set[str]]) -> None:
        # forms -> concept ids
        self._ci_keys: dict[str, tuple[str, ...]] = {}
        self._cs_keys: dict[str, tuple[str, ...]] = {}
        # one trie over every form lower-cased: one pass over the text finds candidates for both
        # tables; an abbreviation's case is checked on the original text afterwards
        trie = _Trie()
        for form, ids in insensitive.items():
            low = form.lower()
            trie.add(_atoms(low))
            self._index(self._ci_keys, normalize_key(low), ids)
        for form, ids in sensitive.items():
            trie.add(_atoms(form.lower()))
            self._index(self._cs_keys, normalize_key(form, lower=False), ids)
        self._rx = self._compile(trie)

    @staticmethod
    def _index(table: dict[str, tuple[str, ...]], key: str, ids: set[str]) -> None:
        for k in {key, _greek_letter_key(key)}:
            table[k] = tuple(sorted(set(table.get(k, ())) | set(ids)))

    @staticmethod
    def _compile(trie: _Trie) -> re.Pattern[str] | None:
        body = trie.regex()
        if not body:
            return None
        # a look-behind first: inside a word the engine gives up after one test (2x faster); then
        # one character-class test rejects word starts no form begins with
        firsts = "".join(sorted({_atom_regex(a, False)[:1] if len(a) == 1 and a not in GREEK else "" for a in trie.children}))
        guard = ""
        if firsts and all(a.isalnum() for a in trie.children) and len(trie.children) < 40:
            guard = "(?=[" + re.escape(firsts) + "])"
        return re.compile(r"(?<![^\W_])" + guard + "(?:" + body + r")(?:e?s)?(?!\w)")

    @staticmethod
    def _lookup(table: dict[str, tuple[str, ...]], key: str) -> tuple[str, ...] | None:
        hit = table.get(key)
        if key.endswith("s"):  # a plural: what the singular names counts too ("Wistar-Kyoto rats")
            single = table.get(key[:-1])
            if single is None and key.endswith("es") and key[:-2].endswith(_ES_PLURAL):
                single = table.get(key[:-2])  # "-es" only where English adds it: not "rates" for "rat"
            if single and hit:
                return tuple(sorted(set(hit) | set(single)))
            hit = hit or single
        return hit

    def find(self, text: str) -> list[Match]:
        """Longest match at each word start; a match inside an earlier one is dropped ("MSCs" in
        "hUC-MSCs"), one that runs past it is kept ("clinical trial" + "trial protocol")."""
        if self._rx is None:
            return []
        low = text.lower()
        if len(low) != len(text):  # a rare character whose lower case is longer: keep offsets
            low = "".join(ch.lower()[0] for ch in text)
        out: list[Match] = []
        ci_keys, cs_keys, lookup, search = self._ci_keys, self._cs_keys, self._lookup, self._rx.search
        reach = -1  # end of the furthest match so far
        m = search(low)
        while m is not None:
            start, end = m.span()
            ids = lookup(ci_keys, normalize_key(m.group(), lower=False))
            case = False
            if cs_keys:
                cs = lookup(cs_keys, normalize_key(text[start:end], lower=False))
                if cs:
                    ids = tuple(sorted(set(ids or ()) | set(cs)))
                    case = True
            if ids and end > reach:
                out.append(Match(start, end, ids, case))
                reach = end
            m = search(low, start + 1)  # the look-behind skips the rest of this word
        return out
