"""Train the sentence-role model from structured abstracts and write litwatch/text/roles_model.json.

    python tools/train_roles.py [SHARED_DATA_DIR] [--out FILE]

A developer's tool, not part of the package: litwatch ships the model it wrote and only reads it.

Training data: every abstract whose sections all state a role — the MEDLINE sample and PubMed
files (NLM categories), the Nagtegaal screening set (inline "METHODS:" labels) and the Europe PMC
core reply (<h4> headings). The model is a scikit-learn LogisticRegression over
`litwatch.text.sentences.sentence_features`; it is stored as plain JSON weights (no pickle: loads with any
scikit-learn version, or none). Prints held-out accuracy before fitting on everything.
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from litwatch.text.sentences import ROLES, label_role, sentence_features, split_sentences
from litwatch.config import shared_data_dir

__all__ = ["structured_abstracts", "train", "main"]

Abstract = list[tuple[str, str]]  # (sentence text, role)

_INLINE = re.compile(r"(?:^|(?<=[.!?]\s))([A-Z][A-Z /&]{3,40}):\s+")
_H4 = re.compile(r"<h4>(.*?)</h4>", re.I)
_TAG = re.compile(r"<[^>]+>")
OUT = Path(__file__).resolve().parents[1] / "src" / "litwatch" / "text" / "roles_model.json"


def _sections_to_sentences(sections: list[tuple[str | None, str]]) -> Abstract | None:
    out: Abstract = []
    for role, text in sections:
        if role is None:
            return None
        for s, e in split_sentences(text):
            out.append((text[s:e], role))
    return out if len({r for _, r in out}) >= 3 else None


def _from_pubmed(data: Path) -> Iterator[Abstract]:
    from litwatch.formats import pubmed_xml
    from litwatch.formats.base import open_input

    for path in sorted((data / "pubmed").glob("*.xml*")):
        stream, _ = open_input(path)
        for rec in pubmed_xml.read_stream(stream, origin=str(path)):
            sections = getattr(rec, "abstract", None)
            if sections and len(sections) > 1:
                found = _sections_to_sentences([(label_role(s.label, s.category), s.text) for s in sections])
                if found:
                    yield found


def _split_inline(text: str, marker: re.Pattern[str]) -> list[tuple[str | None, str]] | None:
    parts = marker.split(text)
    if len(parts) < 5:
        return None
    return [(label_role(_TAG.sub("", parts[i]), None), _TAG.sub("", parts[i + 1]).strip()) for i in range(1, len(parts) - 1, 2)]


def _from_nagtegaal(data: Path) -> Iterator[Abstract]:
    path = data / "screening" / "Nagtegaal_2019.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            sections = _split_inline(row.get("abstract") or "", _INLINE)
            found = _sections_to_sentences(sections) if sections else None
            if found:
                yield found


def _from_europepmc(data: Path) -> Iterator[Abstract]:
    path = data / "europepmc" / "search_cancer_core.json"
    for result in json.loads(path.read_text(encoding="utf-8"))["resultList"]["result"]:
        sections = _split_inline(result.get("abstractText") or "", _H4)
        found = _sections_to_sentences(sections) if sections else None
        if found:
            yield found


def structured_abstracts(data: Path | None = None) -> list[Abstract]:
    data = data or shared_data_dir()
    out: list[Abstract] = []
    for source in (_from_pubmed, _from_nagtegaal, _from_europepmc):
        out.extend(source(data))
    return out


def _xy(abstracts: list[Abstract]):
    X, y = [], []
    for ab in abstracts:
        for i, (text, role) in enumerate(ab):
            X.append(sentence_features(text, i, len(ab)))
            y.append(role)
    return X, y


def train(abstracts: list[Abstract], min_count: int = 8) -> dict:
    """Fit the model; returns the JSON-ready weights."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    X, y = _xy(abstracts)
    counts: dict[str, int] = {}
    for f in X:
        for k in f:
            counts[k] = counts.get(k, 0) + 1
    X = [{k: v for k, v in f.items() if counts[k] >= min_count} for f in X]
    vec = DictVectorizer()
    matrix = vec.fit_transform(X)
    clf = LogisticRegression(C=0.5, max_iter=2000)
    clf.fit(matrix, y)
    classes = list(clf.classes_)
    order = [classes.index(r) for r in ROLES if r in classes]
    weights = {}
    for name, col in vec.vocabulary_.items():
        w = [round(float(clf.coef_[j, col]), 3) for j in order]
        if max(abs(v) for v in w) >= 0.1:
            weights[name] = w
    return {
        "roles": [classes[j] for j in order],
        "intercept": [round(float(clf.intercept_[j]), 4) for j in order],
        "weights": weights,
        "trained_on": {"abstracts": len(abstracts), "sentences": len(y)},
    }


def evaluate(model_data: dict, abstracts: list[Abstract]) -> float:
    from litwatch.text.sentences import RoleModel

    model = RoleModel(model_data)
    right = total = 0
    for ab in abstracts:
        predicted = model.predict([t for t, _ in ab])
        right += sum(p == r for p, (_, r) in zip(predicted, ab))
        total += len(ab)
    return right / max(total, 1)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    out = OUT
    if "--out" in args:
        at = args.index("--out")
        out = Path(args[at + 1])
        del args[at:at + 2]
    data = Path(args[0]) if args else shared_data_dir()
    abstracts = structured_abstracts(data)
    random.Random(13).shuffle(abstracts)
    cut = len(abstracts) // 5
    held_out = evaluate(train(abstracts[cut:]), abstracts[:cut])
    print(f"{len(abstracts)} structured abstracts; held-out sentence accuracy {held_out:.3f}")
    model = train(abstracts)
    model["held_out_accuracy"] = round(held_out, 3)
    out.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB, {len(model['weights'])} features)")


if __name__ == "__main__":
    main()
