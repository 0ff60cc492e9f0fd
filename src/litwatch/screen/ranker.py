"""The ranker behind the decision policy: person decisions teach it, rule evidence informs it.

Features: word and word-pair TF-IDF of the record's text (`models.ngram_tfidf`) beside the rules'
evidence (the relation kind found, the contexts that applied, the concepts named, the rule label),
each block scaled to unit length. Labels: every person decision (weight 1 each) and, as a weak
prior, every rule decision (weights summing to the persons' total, or 1 each when no person has
decided). Classifier: L2 logistic regression, so scores are probabilities of relevance.

Trust (`Fit.trusted`): at least MIN_PER_CLASS person inclusions and exclusions, and a threshold on
the cross-validated scores of the person decisions (stratified 5-fold, fewer folds when a label has
fewer than 5 decisions; a held-out record's own rule label leaves with it) at which precision reaches the
profile's `model_min_precision`. Even trusted, the ranker only undoes the rules the way persons
did (see `_thresholds`): `exclude_below` exists only once persons excluded records the rules had
included, `include_at` only once they included records the rules had excluded. Untrusted, the
scores are suggestions only.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

# scikit-learn (and models, which needs it) load only when a ranker is fitted: importing them costs
# about two seconds, which a report on an unchanged store would otherwise pay for nothing

__all__ = ["Fit", "fit_ranker", "training_universe", "names_a_concept", "MIN_PER_CLASS", "MAX_RULE_NEGATIVES"]

MIN_PER_CLASS = 3  # person includes and excludes needed before the ranker may decide alone
MAX_RULE_NEGATIVES = 2000  # rule exclusions naming no concept used as training rows (a fixed sample)
EVIDENCE_WEIGHT = 0.7
C = 4.0
CV_FOLDS = 5
MARGIN = 0.15  # overturned and kept person decisions must lie this far apart (cross-validated) to act on
RULE_SHARE = 1.0  # the rule labels weigh this many times the person decisions, in total
CROSS_FIT = 3


@dataclass
class Fit:
    ids: list[int]
    scores: np.ndarray  # P(relevant), aligned with ids
    trusted: bool
    include_at: float | None
    exclude_below: float | None
    summary: dict[str, Any] = field(default_factory=dict)
    X: Any = None  # the feature matrix (rows aligned with ids), for "most like" explanations

    def score_of(self) -> dict[int, float]:
        return {rid: float(s) for rid, s in zip(self.ids, self.scores)}

    def most_like(self, rid: int, among: list[int]) -> tuple[int, float] | None:
        """The record of `among` most similar to `rid` (cosine of the features), with the similarity."""
        if self.X is None or not among:
            return None
        row = {r: i for i, r in enumerate(self.ids)}
        if rid not in row:
            return None
        cand = [r for r in among if r in row and r != rid]
        if not cand:
            return None
        sims = (self.X[[row[r] for r in cand]] @ self.X[row[rid]].T).toarray().ravel()
        j = int(np.argmax(sims))
        return cand[j], float(sims[j])


def _features(texts: list[str], evidence: list[list[str]]) -> sp.csr_matrix:
    from sklearn.preprocessing import normalize

    from litwatch.screen.models import ngram_tfidf

    try:
        words = ngram_tfidf(texts, (1, 1)).astype(np.float64)
    except ValueError:  # no word anywhere
        words = sp.csr_matrix((len(texts), 0))
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, ev in enumerate(evidence):
        for token in ev:
            rows.append(i)
            cols.append(vocab.setdefault(token, len(vocab)))
    ev_m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), max(len(vocab), 1)))
    ev_m = normalize(ev_m) * EVIDENCE_WEIGHT
    return normalize(sp.hstack([words, ev_m], format="csr")).tocsr()


def names_a_concept(evidence: list[str]) -> bool:
    return any(t.startswith(("concept:", "masked:", "negated:")) for t in evidence)


def training_universe(evidence: dict[int, list[str]]) -> list[int]:
    """The records the ranker reads: every one naming a concept of the topic, plus a fixed sample of
    at most MAX_RULE_NEGATIVES of the rest (many and alike: they teach only what is off-topic)."""
    named = [r for r, ev in evidence.items() if names_a_concept(ev)]
    bare = sorted((r for r, ev in evidence.items() if not names_a_concept(ev)), key=lambda r: zlib.crc32(str(r).encode()))
    return sorted(named + bare[:MAX_RULE_NEGATIVES])


def _fit(X, rows: list[int], y: np.ndarray, w: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    if len(set(y.tolist())) < 2:
        return None
    clf = LogisticRegression(C=C, solver="liblinear", max_iter=200)
    clf.fit(X[rows], y, sample_weight=w)
    return clf


def _training(ids_row: dict[int, int], rule_labels: dict[int, int], person_labels: dict[int, int],
              skip: set[int], leave_out: set[int] = frozenset()) -> tuple[list[int], np.ndarray, np.ndarray]:
    persons = [r for r in person_labels if r in ids_row and r not in leave_out]
    rules = [r for r in rule_labels if r in ids_row and r not in person_labels and r not in skip and r not in leave_out]
    n_p = len(persons)
    w_rule = (RULE_SHARE * n_p / max(len(rules), 1)) if n_p else 1.0
    rows = [ids_row[r] for r in persons] + [ids_row[r] for r in rules]
    y = np.array([person_labels[r] for r in persons] + [rule_labels[r] for r in rules], dtype=int)
    w = np.array([1.0] * n_p + [w_rule] * len(rules))
    if n_p and 0 < y.sum() < len(y):  # persons decided: both labels weigh the same in total
        pos, neg = w[y == 1].sum(), w[y == 0].sum()
        w = np.where(y == 1, w * (pos + neg) / (2 * pos), w * (pos + neg) / (2 * neg))
    return rows, y, w * (len(w) / max(w.sum(), 1e-9))


def _cv_scores(X, ids_row, rule_labels, person_labels, skip) -> dict[int, float]:
    from sklearn.model_selection import StratifiedKFold

    persons = sorted(person_labels)
    y = np.array([person_labels[r] for r in persons])
    k = max(2, min(CV_FOLDS, int(min(y.sum(), len(y) - y.sum()))))
    folds = [list(test) for _, test in StratifiedKFold(k, shuffle=True, random_state=0).split(persons, y)]
    out = {}
    for fold in folds:
        held = [persons[i] for i in fold]
        rows, yy, w = _training(ids_row, rule_labels, person_labels, skip, set(held))
        clf = _fit(X, rows, yy, w)
        if clf is None:
            continue
        out.update(zip(held, clf.predict_proba(X[[ids_row[r] for r in held]])[:, 1]))
    return out


def _cross_fitted(X, others, row, rule_labels, persons, skip, scores: np.ndarray) -> np.ndarray:
    """Scores of records no person decided, each from a model that did not see its own rule label
    (CROSS_FIT folds): comparable with the cross-validated scores the thresholds come from."""
    out = scores.copy()
    folds = [others[i::CROSS_FIT] for i in range(CROSS_FIT)]
    for fold in folds:
        if not fold:
            continue
        rows, y, w = _training(row, rule_labels, persons, skip, set(fold))
        clf = _fit(X, rows, y, w)
        if clf is not None:
            out[[row[r] for r in fold]] = clf.predict_proba(X[[row[r] for r in fold]])[:, 1]
    return out


def _precision_threshold(cv: dict[int, float], person_labels: dict[int, int], min_precision: float
                         ) -> tuple[float | None, float | None, float | None]:
    """The lowest cross-validated score at or above which the person inclusions make at least
    `min_precision` of the records: (threshold, precision there, recall there)."""
    pairs = sorted(((s, person_labels[r]) for r, s in cv.items()), reverse=True)
    n_pos = sum(y for _, y in pairs)
    best = (None, None, None)
    tp = fp = 0
    for i, (s, y) in enumerate(pairs):
        tp, fp = tp + y, fp + (1 - y)
        if i + 1 < len(pairs) and pairs[i + 1][0] == s:
            continue  # a threshold sits between distinct scores
        if tp and tp / (tp + fp) >= min_precision:
            best = (s, tp / (tp + fp), tp / max(n_pos, 1))
    return best


def _zone(low: list[float], high: list[float], *, side: str) -> float | None:
    """The edge of what persons overturned, when it is clear of what they kept (None when they mix):
    side "low": the highest score of `low` (exclude at or below it); "high": the lowest of `high`."""
    if not low or not high or min(high) - max(low) < MARGIN:
        return None
    return max(low) if side == "low" else min(high)


def _thresholds(cv: dict[int, float], person_labels: dict[int, int], rule_labels: dict[int, int],
                min_precision: float, min_recall: float) -> tuple[float | None, float | None, dict[str, Any]]:
    """include_at and exclude_below from the cross-validated scores of the person decisions.

    The ranker may only undo the rules where persons did: it excludes rule inclusions only when
    persons excluded some (overturned), and only those scoring no higher than the most
    relevant-looking overturned one, when that lies below the person inclusions it must keep
    (`min_recall` of them); it includes rule exclusions only when persons included some, scoring
    at least as high as the least relevant-looking of those, above every person exclusion of a
    rule exclusion and never below the precision threshold."""
    t_prec, precision, recall = _precision_threshold(cv, person_labels, min_precision)
    pos = sorted((s for r, s in cv.items() if person_labels[r] == 1), reverse=True)
    keep = pos[:max(1, math.ceil(min_recall * len(pos) - 1e-9))] if pos else []
    overturned_in = [s for r, s in cv.items() if person_labels[r] == 0 and rule_labels.get(r) == 1]
    overturned_out = [s for r, s in cv.items() if person_labels[r] == 1 and rule_labels.get(r) == 0]
    kept_out = [s for r, s in cv.items() if person_labels[r] == 0 and rule_labels.get(r) == 0]
    exclude_below = _zone(overturned_in, keep, side="low")
    if exclude_below is not None:
        exclude_below += 1e-9  # "below" includes the overturned record's own score
    include_at = _zone(kept_out, overturned_out, side="high")
    if include_at is not None and t_prec is not None:
        include_at = max(include_at, t_prec)
    info = {"cv_records": len(cv), "cv_precision_at_threshold": None if precision is None else round(precision, 3),
            "cv_recall_at_threshold": None if recall is None else round(recall, 3),
            "precision_threshold": None if t_prec is None else round(t_prec, 4),
            "overturned_inclusions": len(overturned_in), "overturned_exclusions": len(overturned_out),
            "cv_overturned_max": round(max(overturned_in), 4) if overturned_in else None,
            "cv_kept_min": round(min(keep), 4) if keep else None}
    return include_at, exclude_below, info


def fit_ranker(texts: dict[int, str], evidence: dict[int, list[str]], rule_labels: dict[int, int],
               person_labels: dict[int, int], *, min_precision: float = 0.9, min_recall: float = 0.95,
               cross_validate: bool = True) -> Fit | None:
    """Fit on person + rule labels and score every record with text; None when there is nothing to learn."""
    ids = [r for r in sorted(texts) if texts[r].strip()]
    if not ids:
        return None
    row = {r: i for i, r in enumerate(ids)}
    X = _features([texts[r] for r in ids], [evidence.get(r, []) for r in ids])
    skip: set[int] = set()
    persons = {r: y for r, y in person_labels.items() if r in row}
    rows, y, w = _training(row, rule_labels, persons, skip)
    clf = _fit(X, rows, y, w)
    if clf is None:
        return None
    scores = clf.predict_proba(X)[:, 1]
    n_pos = sum(persons.values())
    n_neg = len(persons) - n_pos
    summary: dict[str, Any] = {"persons": len(persons), "person_includes": n_pos, "person_excludes": n_neg,
                               "rule_labels": len(rows) - len(persons), "min_precision": min_precision,
                               "min_recall": min_recall}
    trusted, include_at, exclude_below = False, None, None
    if n_pos < MIN_PER_CLASS or n_neg < MIN_PER_CLASS:
        summary["why"] = (f"needs at least {MIN_PER_CLASS} person inclusions and {MIN_PER_CLASS} exclusions "
                          f"(has {n_pos} and {n_neg}); rule decisions alone are not ground truth")
    elif cross_validate:
        cv = _cv_scores(X, row, rule_labels, persons, skip)
        include_at, exclude_below, info = _thresholds(cv, persons, rule_labels, min_precision, min_recall)
        summary.update(info)
        if info["precision_threshold"] is None:
            summary["why"] = f"cross-validated precision on the person decisions never reaches {min_precision:.2f}"
        elif info["cv_recall_at_threshold"] < 0.5:
            summary["why"] = (f"precision {min_precision:.2f} is reached only above the scores of most person "
                              "inclusions (cross-validated recall below 0.5)")
        else:
            trusted = True
            summary["why"] = (f"cross-validated precision {info['cv_precision_at_threshold']:.2f} at score "
                              f"{info['precision_threshold']:.2f} on {len(persons)} person decisions")
    if not trusted:
        include_at = exclude_below = None
    movable = [r for r in ids if r not in persons and r in rule_labels and (
        (exclude_below is not None and rule_labels[r] == 1) or (include_at is not None and rule_labels[r] == 0))]
    if movable:  # these may change label: score them as the thresholds were found
        scores = _cross_fitted(X, movable, row, rule_labels, persons, skip, scores)
    return Fit(ids, scores, trusted, include_at, exclude_below, summary, X)
