"""The texts the screening rules read: fields, Chinese text as Simplified, sentences with roles.

Offsets always index the record's own text (`Record.title`, `Record.abstract_text`, keywords and
MeSH joined with "; ", trial conditions / interventions joined with "; "): Traditional Chinese is
converted to Simplified for matching only, character by character where a phrase conversion
would change the length.

Sentences come from `litwatch.text.sentences.record_sentences` (roles from the structured
abstract, else its role model); Chinese sentences are split further at 。！？；, take their role
from a leading 目的/方法/结果/结论 label, and fall back to their position (the role model reads
English cue words only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from litwatch.records import Record
from litwatch.screen.gate import GateView
from litwatch.text.chinese import converter
from litwatch.topics.terms import CJK, has_cjk, lowered, words_of

__all__ = ["FIELD_SEP", "record_fields", "Sentence", "RecordText", "words_between", "to_simplified"]

FIELD_SEP = "; "
_ZH_BREAK = re.compile(r"[。！？；!?]+")
_ZH_LABEL = re.compile(r"\s*[\[【]?(背景|目的|方法|结果|结论|研究背景|研究目的|研究方法|材料与方法|方法与结果)[\]】]?\s*[:：]?")
_ZH_ROLE = {"背景": "background", "研究背景": "background", "目的": "objective", "研究目的": "objective",
            "方法": "methods", "研究方法": "methods", "材料与方法": "methods", "方法与结果": "results",
            "结果": "results", "结论": "conclusions"}
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’\-][A-Za-z0-9]+)*")


def record_fields(record: Record) -> dict[str, str]:
    """The texts rules look at, by field name (empty ones left out)."""
    fields = {
        "title": record.title or "",
        "abstract": record.abstract_text,
        "keywords": FIELD_SEP.join(record.keywords),
        "mesh": FIELD_SEP.join(m.descriptor for m in record.mesh),
    }
    if record.trial is not None:
        fields["conditions"] = FIELD_SEP.join(record.trial.conditions)
        fields["interventions"] = FIELD_SEP.join(record.trial.interventions)
    return {k: v for k, v in fields.items() if v}


def to_simplified(text: str) -> str:
    """Traditional Chinese characters as Simplified, same length (other text unchanged)."""
    if not has_cjk(text):
        return text
    conv = converter("t2s").convert
    try:
        out = conv(text)
    except UnicodeEncodeError:  # a lone surrogate (from a JSON escape): convert around it
        out = ""
    if len(out) == len(text):
        return out
    return "".join(c if not CJK.match(c) or len(conv(c)) != 1 else conv(c) for c in text)


def words_between(text: str, start: int, end: int) -> float:
    """How many words lie in text[start:end]: Latin words, plus one for every two Chinese characters."""
    if end <= start:
        return 0.0
    part = text[start:end]
    n = len(_LATIN_WORD.findall(part))
    cjk = len(CJK.findall(part))
    return n + cjk / 2.0


@dataclass(frozen=True)
class Sentence:
    field: str
    start: int
    end: int
    role: str  # title | background | objective | methods | results | conclusions | registry


@dataclass
class RecordText:
    """One record's fields as the rules read them: normalised, lower-cased, word sets, sentences.

    With `prepared=False` only `fields` is made; `prepare()` makes the rest (the rules call it
    once the topic's gate says some concept may match: most records never need it)."""

    record: Record
    prepared: bool = True
    fields: dict[str, str] = field(init=False)
    norm: dict[str, str] = field(init=False)
    low: dict[str, str] = field(init=False)
    words: dict[str, frozenset[str]] = field(init=False)
    _sentences: list[Sentence] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.fields = record_fields(self.record)
        if self.prepared:
            self.prepared = False
            self.prepare()

    def gate_view(self):
        """The fields as the topics' gates read them (screen/gate.py), made once per record."""
        view = self.__dict__.get("_gate_view")
        if view is None:
            view = self.__dict__["_gate_view"] = GateView(self.fields)
        return view

    def __getattr__(self, name: str):
        # norm, low and words of a text made with prepared=False: made on first use
        if name in ("norm", "low", "words") and not self.__dict__.get("prepared", True):
            self.prepare()
            return self.__dict__[name]
        raise AttributeError(name)

    def prepare(self) -> "RecordText":
        if not self.prepared:
            view = self.__dict__.get("_gate_view")
            if view is not None and not view.cjk:
                self.norm = dict(self.fields)  # no Chinese character anywhere: nothing to convert
            else:
                self.norm = {k: to_simplified(v) for k, v in self.fields.items()}
            self.low = {k: lowered(v) for k, v in self.norm.items()}
            self.words = _Words(self.low)
            self.prepared = True
        return self

    @cached_property
    def has_abstract(self) -> bool:
        return bool(self.fields.get("abstract", "").strip())

    @cached_property
    def is_trial(self) -> bool:
        return self.record.trial is not None and bool(self.fields.get("conditions") or self.fields.get("interventions"))

    def sentences(self) -> list[Sentence]:
        """Title, abstract sentences (with roles) and, for trials, the conditions and interventions."""
        if self._sentences is None:
            self._sentences = self._split()
        return self._sentences

    def sentence_at(self, field_name: str, pos: int) -> Sentence | None:
        for s in self.sentences():
            if s.field == field_name and s.start <= pos < s.end:
                return s
        return None

    def _split(self) -> list[Sentence]:
        from litwatch.text.sentences import record_sentences

        out: list[Sentence] = []
        for name in ("title",):
            if name in self.fields:
                out.append(Sentence(name, 0, len(self.fields[name]), "title"))
        abstract = self.norm.get("abstract", "")
        if abstract:
            base = [s for s in record_sentences(self.record) if s.field == "abstract"]
            if has_cjk(abstract):
                out += _chinese_sentences(abstract, [(s.start, s.end, s.role, s.role_source) for s in base])
            elif len(base) <= 2 and all(s.role_source == "model" for s in base):
                # one or two unlabelled sentences are a summary of the study, not its background
                out += [Sentence("abstract", s.start, s.end, "results") for s in base]
            else:
                out += [Sentence("abstract", s.start, s.end, s.role) for s in base]
        for name in ("conditions", "interventions"):
            if name in self.fields:
                out.append(Sentence(name, 0, len(self.fields[name]), "registry"))
        return out


class _Words(dict):
    """Each field's word set (`words_of` its lower-cased text), made when first asked for."""

    def __init__(self, low: dict[str, str]) -> None:
        super().__init__()
        self._low = low

    def __missing__(self, key: str) -> frozenset[str]:
        value = self[key] = words_of(self._low[key])
        return value


def _chinese_sentences(text: str, base: list[tuple[int, int, str, str]]) -> list[Sentence]:
    pieces: list[tuple[int, int, str | None]] = []
    for start, end, role, source in base:
        pos = start
        for m in _ZH_BREAK.finditer(text, start, end):
            pieces.append((pos, m.end(), role if source == "label" else None))
            pos = m.end()
        if pos < end:
            pieces.append((pos, end, role if source == "label" else None))
    out: list[Sentence] = []
    current: str | None = None
    unlabelled = [i for i, p in enumerate(pieces) if p[2] is None]
    for i, (s, e, role) in enumerate(pieces):
        while s < e and text[s].isspace():
            s += 1
        if s >= e:
            continue
        m = _ZH_LABEL.match(text, s, e)
        if m:
            current = _ZH_ROLE[m.group(1)]
        if role is None:
            role = current or _by_position(unlabelled.index(i), len(unlabelled))
        out.append(Sentence("abstract", s, e, role))
    return out


def _by_position(i: int, n: int) -> str:
    if n >= 4 and i == 0:
        return "background"
    if n >= 2 and i == n - 1:
        return "conclusions"
    return "results"
