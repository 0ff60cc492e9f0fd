"""Sentences with stable offsets, and their rhetorical roles.

Offsets are into `record.abstract_text` (sections joined by "\n"), so a sentence never crosses a
section. Roles come from the structured abstract when it has labels (NLM category, else the
label text, else an inline "RESULTS:" at the start of a sentence); otherwise from a small
logistic-regression model over position and cue words, trained on the structured abstracts in
the shared data (tools/train_roles.py) and shipped as roles_model.json. Its per-sentence scores are
decoded with a Viterbi pass that keeps roles in reading order (background -> ... -> conclusions).

This sits below screening and annotation (docs/architecture.md) because both read sentences: the
rules look for relations inside one sentence, the annotator tags and ranks them.
`litwatch.annotate.sentences` gives the same names.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from litwatch.records import Record

__all__ = [
    "Sentence",
    "ROLES",
    "split_sentences",
    "sentence_features",
    "label_role",
    "record_sentences",
    "RoleModel",
    "load_role_model",
]

ROLES = ("background", "objective", "methods", "results", "conclusions")
_ORDER = {r: i for i, r in enumerate(ROLES)}

_CATEGORY_ROLE = {
    "BACKGROUND": "background",
    "OBJECTIVE": "objective",
    "METHODS": "methods",
    "RESULTS": "results",
    "CONCLUSIONS": "conclusions",
}
_LABEL_ROLE = [
    (re.compile(r"conclu|interpretation|implication|discussion|significance|summary|take.?home|relevance", re.I), "conclusions"),
    (re.compile(r"result|finding|outcome", re.I), "results"),
    (re.compile(r"method|design|setting|participant|patient|subject|intervention|measure|procedure|material|sample|data source|study selection|data extraction|eligib|search|analys|animal|approach|population", re.I), "methods"),
    (re.compile(r"objective|aim|purpose|goal|hypothes|question", re.I), "objective"),
    (re.compile(r"background|introduction|context|rationale|importance|motivation|overview", re.I), "background"),
]
# "et al." "e.g." "Fig." ... : a period after these does not end a sentence
_NO_BREAK = {
    "al", "e.g", "i.e", "vs", "fig", "figs", "dr", "prof", "approx", "ca", "no", "nos", "ref", "refs", "st",
    "mr", "mrs", "ms", "eq", "resp", "cf", "viz", "etc", "sp", "spp", "inc", "ltd", "co", "jr", "sr", "vol",
    "p", "pp", "min", "max", "mg", "kg", "ml", "i.v", "i.p", "i.c.v", "s.c", "i.n", "u.s", "wt",
}
_BREAK = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“(\[]?[A-Z0-9])")
_LAST_WORD = re.compile(r"(?:^|(?<=[\s(\[]))([\w.]+)\.$")
_INLINE_LABEL = re.compile(r"^([A-Z][A-Za-z /&-]{2,40}?)\s*:\s+")
_TOKEN = re.compile(r"[a-z][a-z\-]+")
_PVALUE = re.compile(r"\b[pP]\s*[<=>≤]\s*0?\.\d")
_NUMBER = re.compile(r"\d")


@dataclass(slots=True)
class Sentence:
    id: int  # 0 is the title; abstract sentences are numbered from 1 in reading order
    field: str
    start: int
    end: int
    role: str  # title, background, objective, methods, results, conclusions
    role_source: str = "label"  # label (structured abstract) | model (classifier) | title

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, shifted by `offset`; whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BREAK.finditer(text):
        end = m.start() + 1
        word = _LAST_WORD.search(text, start, end)
        if word and (word.group(1).lower() in _NO_BREAK or (len(word.group(1)) == 1 and word.group(1).isupper())):
            continue  # abbreviation or an initial ("J. Smith"), not the end
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s + offset, e + offset))
    return out


def label_role(label: str | None, category: str | None) -> str | None:
    """The role a structured-abstract section states, or None when it says nothing usable."""
    if category and category.upper() in _CATEGORY_ROLE:
        return _CATEGORY_ROLE[category.upper()]
    if label:
        for rx, role in _LABEL_ROLE:
            if rx.search(label):
                return role
    return None


def sentence_features(text: str, index: int, count: int) -> dict[str, float]:
    """Position and cue-word features of one sentence among `count` (used in training and use)."""
    rel = index / max(count - 1, 1)
    f: dict[str, float] = {f"pos={min(int(rel * 5), 4)}": 1.0, "rel": rel}
    if index == 0:
        f["first"] = 1.0
    if index == count - 1:
        f["last"] = 1.0
    if _PVALUE.search(text):
        f["pvalue"] = 1.0
    if "%" in text:
        f["percent"] = 1.0
    if _NUMBER.search(text):
        f["number"] = 1.0
    tokens = _TOKEN.findall(text.lower())
    for t in set(tokens):
        f["w=" + t] = 1.0
    for a, b in set(zip(tokens, tokens[1:])):
        f[f"b={a}_{b}"] = 1.0
    return f


class RoleModel:
    """Multinomial logistic regression stored as plain JSON: {feature: [weight per role]}."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.roles: list[str] = data["roles"]
        self.intercept: list[float] = data["intercept"]
        self.weights: dict[str, list[float]] = data["weights"]

    def log_probs(self, feats: dict[str, float]) -> list[float]:
        scores = list(self.intercept)
        k = len(scores)
        for name, value in feats.items():
            w = self.weights.get(name)
            if w is not None:
                for j in range(k):
                    scores[j] += w[j] * value
        top = max(scores)
        norm = top + math.log(sum(math.exp(s - top) for s in scores))
        return [s - norm for s in scores]

    def predict(self, texts: list[str]) -> list[str]:
        """Roles for the sentences of one abstract, in reading order (Viterbi over monotone roles)."""
        n = len(texts)
        if n == 0:
            return []
        emis = [self.log_probs(sentence_features(t, i, n)) for i, t in enumerate(texts)]
        order = [_ORDER[r] for r in self.roles]
        k = len(self.roles)
        best = list(emis[0])
        back: list[list[int]] = []
        for i in range(1, n):
            row, ptr = [], []
            for j in range(k):
                cands = [(best[p], p) for p in range(k) if order[p] <= order[j]]
                score, p = max(cands)
                row.append(score + emis[i][j])
                ptr.append(p)
            best = row
            back.append(ptr)
        j = max(range(k), key=lambda x: best[x])
        path = [j]
        for ptr in reversed(back):
            j = ptr[j]
            path.append(j)
        path.reverse()
        return [self.roles[j] for j in path]


@lru_cache(maxsize=1)
def load_role_model() -> RoleModel | None:
    path = resources.files("litwatch.text") / "roles_model.json"
    if not path.is_file():
        return None
    return RoleModel(json.loads(path.read_text(encoding="utf-8")))


def _fallback_roles(n: int) -> list[str]:
    """Without a model: first sentence background, last conclusions, the rest results."""
    if n == 1:
        return ["conclusions"]
    return ["background"] + ["results"] * (n - 2) + ["conclusions"]


def record_sentences(record: Record) -> list[Sentence]:
    """Title (id 0) and the abstract's sentences with roles; ids are stable for a given text."""
    out: list[Sentence] = []
    if record.title:
        out.append(Sentence(0, "title", 0, len(record.title), "title", "title"))
    text = record.abstract_text
    spans: list[tuple[int, int]] = []
    roles: list[str | None] = []
    for section, (sec_start, _sec_end) in zip(record.abstract, record.section_offsets()):
        role = label_role(section.label, section.category)
        for start, end in split_sentences(section.text, sec_start):
            inline = _INLINE_LABEL.match(text, start, end)
            if inline and label_role(inline.group(1), None):
                role = label_role(inline.group(1), None)  # "RESULTS: ..." inside unlabelled text
            spans.append((start, end))
            roles.append(role)
    sources = ["label" if r else "model" for r in roles]
    gaps = [i for i, r in enumerate(roles) if r is None]
    if gaps:
        model = load_role_model()
        texts = [text[spans[i][0] : spans[i][1]] for i in gaps]
        predicted = model.predict(texts) if model else _fallback_roles(len(texts))
        for i, role in zip(gaps, predicted):
            roles[i] = role
    for i, ((s, e), role, src) in enumerate(zip(spans, roles, sources), start=1):
        out.append(Sentence(i, "abstract", s, e, role or "results", src))
    return out
