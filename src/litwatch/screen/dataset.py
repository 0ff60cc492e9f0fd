"""Labelled screening data sets (ASReview / SYNERGY style CSV) for simulations.

Columns: `title` and/or `abstract` (also `primary_title`), and a label column `label_included`
or `included` (1/0, yes/no, true/false). Rows stay in file order: row i is index i, as in
ASReview, so priors chosen by index mean the same records in both tools.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from litwatch.errors import ParseError, UsageError

__all__ = ["ScreeningData", "load_screening_csv", "LABEL_COLUMNS"]

LABEL_COLUMNS = ("label_included", "included", "label")
_TITLE_COLUMNS = ("title", "primary_title")
_TRUE = {"1", "1.0", "yes", "y", "true", "t", "included", "include"}
_FALSE = {"0", "0.0", "no", "n", "false", "f", "excluded", "exclude"}

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class ScreeningData:
    path: str
    titles: list[str]
    abstracts: list[str]
    labels: np.ndarray  # int8, 1 = relevant
    warnings: list[str] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [f"{t} {a}".strip() for t, a in zip(self.titles, self.abstracts)]

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def n_relevant(self) -> int:
        return int(self.labels.sum())


def _find(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    lower = {c.strip().lower(): c for c in columns if c}
    return next((lower[c] for c in candidates if c in lower), None)


def _label(value: str | None, path: str, line: int, column: str) -> int:
    v = (value or "").strip().lower()
    if v in _TRUE:
        return 1
    if v in _FALSE:
        return 0
    raise ParseError(
        f"label {value!r} in column {column!r} is neither 1 nor 0",
        path=path, location=f"line {line}", hint="every row needs a label for a simulation",
    )


def open_csv(path: str | Path):
    """A CSV file opened for csv.DictReader (UTF-8, a BOM dropped); UsageError if it cannot be opened."""
    try:
        return open(path, newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot open {path}: {exc.strerror}") from exc


def load_screening_csv(path: str | Path) -> ScreeningData:
    """Read a labelled CSV; ParseError/UsageError name what is missing, duplicates become warnings."""
    p = str(path)
    with open_csv(path) as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        title_col, abstract_col = _find(columns, _TITLE_COLUMNS), _find(columns, ("abstract",))
        label_col = _find(columns, LABEL_COLUMNS)
        if title_col is None and abstract_col is None:
            raise ParseError(
                f"no 'title' or 'abstract' column (columns: {', '.join(columns) or 'none'})",
                path=p, hint="a screening CSV needs title and/or abstract columns",
            )
        if label_col is None:
            raise ParseError(
                f"no label column (columns: {', '.join(columns) or 'none'})",
                path=p, hint=f"add one of: {', '.join(LABEL_COLUMNS)}",
            )
        titles, abstracts, labels = [], [], []
        for row in reader:
            titles.append((row.get(title_col) or "").strip() if title_col else "")
            abstracts.append((row.get(abstract_col) or "").strip() if abstract_col else "")
            labels.append(_label(row.get(label_col), p, reader.line_num, label_col))
    data = ScreeningData(p, titles, abstracts, np.asarray(labels, dtype=np.int8))
    _check(data)
    return data


def _check(data: ScreeningData) -> None:
    n = len(data)
    if n == 0:
        raise ParseError("no rows", path=data.path)
    n_pos = data.n_relevant
    if n_pos == 0 or n_pos == n:
        which = "relevant" if n_pos else "irrelevant"
        raise UsageError(
            f"{data.path}: every row is {which}; a simulation needs both classes",
            hint="check the label column",
        )
    keys = Counter((t.lower(), a.lower()) for t, a in zip(data.titles, data.abstracts) if t or a)
    dupes = sum(c - 1 for c in keys.values() if c > 1)
    if dupes:
        data.warnings.append(
            f"{dupes} row(s) repeat the title and abstract of an earlier row; they are kept and "
            "screened as separate records"
        )
    empty = sum(1 for t, a in zip(data.titles, data.abstracts) if not t and not a)
    if empty:
        data.warnings.append(f"{empty} row(s) have neither title nor abstract")
