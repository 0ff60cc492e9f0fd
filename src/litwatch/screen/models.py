"""The learned ranker: named scikit-learn parts composed into one active-learning cycle.

As in ASReview, a cycle has four exchangeable parts, each looked up by its `name`:

    feature extractor   texts -> sparse matrix           (tfidf, tfidf-char, tfidf-words-chars)
    balancer            labels -> sample weights          (balanced, none)
    classifier          fit(X, y, w) -> scores            (logistic, svm, nb)
    querier             scores -> order to ask in         (max, uncertainty, max-uncertainty, random)

`make_cycle(...)` builds a cycle from names; an unknown name raises UsageError listing the
valid ones. The defaults (`DEFAULTS`) are the same for every data set: word 1-2-gram sublinear
TF-IDF, a "stack" of a linear SVM (C=1) and complement naive Bayes (mean of standardised
scores), the included records weighing 9.8 times the excluded ones in total (ASReview's ratio),
"max" (most-likely-relevant first) querying, and a refit after every new relevant record or
once 5% more records are labelled. C=1 was chosen on Nagtegaal_2019 (2 seeds) from
C in {0.11, 0.3, 1}; character n-grams were tried there and lost 7 points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from litwatch.errors import UsageError

__all__ = [
    "FEATURE_EXTRACTORS",
    "CLASSIFIERS",
    "QUERIERS",
    "BALANCERS",
    "DEFAULTS",
    "Cycle",
    "make_cycle",
    "lookup",
]


# -- feature extractors ------------------------------------------------------------------


class WordTfidf(BaseEstimator):
    """Sublinear TF-IDF over word 1-2-grams."""

    name = "tfidf"

    def __init__(self, ngram_range: tuple[int, int] = (1, 2), max_df: float = 0.95, min_df: int = 1) -> None:
        self.ngram_range = ngram_range
        self.max_df = max_df
        self.min_df = min_df

    def _vectorizer(self) -> TfidfVectorizer:
        return TfidfVectorizer(
            ngram_range=self.ngram_range, sublinear_tf=True, max_df=self.max_df, min_df=self.min_df,
            dtype=np.float32,
        )

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        self.vectorizer_ = self._vectorizer()
        return self.vectorizer_.fit_transform(texts).tocsr()

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.vectorizer_.transform(texts).tocsr()


class CharTfidf(WordTfidf):
    """Sublinear TF-IDF over character 3-5-grams inside word boundaries (robust to word forms)."""

    name = "tfidf-char"

    def __init__(self, ngram_range: tuple[int, int] = (3, 5), max_df: float = 0.95, min_df: int = 2) -> None:
        super().__init__(ngram_range, max_df, min_df)

    def _vectorizer(self) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer="char_wb", ngram_range=self.ngram_range, sublinear_tf=True, max_df=self.max_df,
            min_df=self.min_df, dtype=np.float32,
        )


class WordCharTfidf(BaseEstimator):
    """Word and character TF-IDF side by side, each row scaled to unit length again."""

    name = "tfidf-words-chars"

    def __init__(self, char_weight: float = 1.0) -> None:
        self.char_weight = char_weight

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        self.words_, self.chars_ = WordTfidf(), CharTfidf()
        return self._join(self.words_.fit_transform(texts), self.chars_.fit_transform(texts))

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self._join(self.words_.transform(texts), self.chars_.transform(texts))

    def _join(self, words: sp.csr_matrix, chars: sp.csr_matrix) -> sp.csr_matrix:
        joined = sp.hstack([words, chars * self.char_weight], format="csr")
        return joined * (1.0 / math.sqrt(1.0 + self.char_weight**2))


# -- balancers ---------------------------------------------------------------------------


class Balanced(BaseEstimator):
    """Weights so the included class counts `ratio` times less than the excluded one in total."""

    name = "balanced"

    def __init__(self, ratio: float = 9.8) -> None:
        self.ratio = ratio

    def sample_weight(self, y: np.ndarray) -> np.ndarray:
        n_pos, n_neg = int((y == 1).sum()), int((y == 0).sum())
        w = np.where(y == 1, 1.0, n_pos / (self.ratio * max(n_neg, 1)))
        return w * (len(y) / w.sum())


class NoBalance(BaseEstimator):
    """Every labelled record weighs the same."""

    name = "none"

    def sample_weight(self, y: np.ndarray) -> np.ndarray:
        return np.ones(len(y))


# -- classifiers -------------------------------------------------------------------------


class Logistic(LogisticRegression):
    name = "logistic"

    def __init__(self, C: float = 10.0, max_iter: int = 200, solver: str = "liblinear") -> None:
        super().__init__(C=C, max_iter=max_iter, solver=solver)


class SVM(LinearSVC):
    name = "svm"

    def __init__(self, C: float = 0.11, max_iter: int = 1000) -> None:
        super().__init__(C=C, max_iter=max_iter)


class NaiveBayes(ComplementNB):
    name = "nb"

    def __init__(self, alpha: float = 0.5) -> None:
        super().__init__(alpha=alpha)


class Stack(BaseEstimator):
    """SVM and naive Bayes side by side: the mean of their standardised scores.

    The SVM ranks by the words that separate the classes, naive Bayes by how typical each word is
    of the relevant records; their errors differ, so the mean ranks better than either.
    """

    name = "stack"

    def __init__(self, C: float = 1.0, alpha: float = 0.5, nb_weight: float = 1.0) -> None:
        self.C = C
        self.alpha = alpha
        self.nb_weight = nb_weight

    def fit(self, X, y, sample_weight=None):
        self.svm_ = LinearSVC(C=self.C).fit(X, y, sample_weight=sample_weight)
        self.nb_ = ComplementNB(alpha=self.alpha).fit(X, y, sample_weight=sample_weight)
        return self

    def decision_function(self, X) -> np.ndarray:
        a = self.svm_.decision_function(X)
        p = np.clip(self.nb_.predict_proba(X)[:, 1], 1e-12, 1 - 1e-12)
        b = np.log(p / (1 - p))
        z = lambda v: (v - v.mean()) / (v.std() + 1e-12)  # noqa: E731
        return z(a) + self.nb_weight * z(b)


class KnnBoost(BaseEstimator):
    """SVM score plus the cosine similarity to the nearest relevant record (standardised).

    Relevant records come in clusters; a record very close to one already found is worth
    reading next even when the linear model is not yet sure.
    """

    name = "svm-knn"

    def __init__(self, C: float = 0.11, weight: float = 0.5) -> None:
        self.C = C
        self.weight = weight

    def fit(self, X, y, sample_weight=None):
        self.svm_ = LinearSVC(C=self.C).fit(X, y, sample_weight=sample_weight)
        self.pos_ = X[np.flatnonzero(y == 1)]
        return self

    def decision_function(self, X) -> np.ndarray:
        a = self.svm_.decision_function(X)
        sim = np.asarray((X @ self.pos_.T).max(axis=1).todense()).ravel()
        z = lambda v: (v - v.mean()) / (v.std() + 1e-12)  # noqa: E731
        return z(a) + self.weight * z(sim)


def scores_of(classifier: Any, X: sp.csr_matrix) -> np.ndarray:
    """Higher = more likely relevant, 0 = undecided: a decision function, or log-odds from probabilities."""
    if hasattr(classifier, "decision_function") and not isinstance(classifier, ComplementNB):
        return np.asarray(classifier.decision_function(X), dtype=float)
    p = np.clip(classifier.predict_proba(X)[:, 1], 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


# -- queriers ----------------------------------------------------------------------------


class MaxQuery(BaseEstimator):
    """Most likely relevant first (certainty-based)."""

    name = "max"

    def order(self, scores: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
        return np.argsort(-scores, kind="stable")


class UncertaintyQuery(BaseEstimator):
    """Closest to the decision boundary first."""

    name = "uncertainty"

    def order(self, scores: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
        return np.argsort(np.abs(scores), kind="stable")


class MaxUncertaintyQuery(BaseEstimator):
    """Mostly max; with probability 1 - `probability` the most uncertain record goes first."""

    name = "max-uncertainty"

    def __init__(self, probability: float = 0.95) -> None:
        self.probability = probability

    def order(self, scores: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
        order = np.argsort(-scores, kind="stable")
        if rng.random_sample() >= self.probability:
            first = int(np.argmin(np.abs(scores)))
            order = np.concatenate([[first], order[order != first]])
        return order


class RandomQuery(BaseEstimator):
    """Random order: the baseline every ranker must beat."""

    name = "random"

    def order(self, scores: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
        return rng.permutation(len(scores))


def _registry(*classes: type) -> dict[str, type]:
    return {c.name: c for c in classes}  # type: ignore[attr-defined]


FEATURE_EXTRACTORS = _registry(WordTfidf, CharTfidf, WordCharTfidf)
CLASSIFIERS = _registry(Logistic, SVM, NaiveBayes, Stack, KnnBoost)
QUERIERS = _registry(MaxQuery, UncertaintyQuery, MaxUncertaintyQuery, RandomQuery)
BALANCERS = _registry(Balanced, NoBalance)

DEFAULTS = {
    "feature_extractor": "tfidf",
    "classifier": "stack",
    "querier": "max",
    "balancer": "balanced",
}

_KINDS = {
    "feature_extractor": FEATURE_EXTRACTORS,
    "classifier": CLASSIFIERS,
    "querier": QUERIERS,
    "balancer": BALANCERS,
}


def lookup(kind: str, name: str, **params: Any) -> Any:
    """An instance of the part `name` of `kind`; UsageError listing the valid names otherwise."""
    table = _KINDS[kind]
    if name not in table:
        valid = ", ".join(sorted(table))
        raise UsageError(f"unknown {kind.replace('_', ' ')} {name!r}", hint=f"choose one of: {valid}")
    return table[name](**params)


def default_retrain_gap(n_labelled: int) -> int:
    """How many labels may pass before the model is refitted: 1 early on, ~5% of the labelled later.

    Refitting after every label costs time that buys little once hundreds of records are labelled;
    a new relevant record always triggers a refit (see Cycle.needs_fit).
    """
    return max(1, n_labelled // 20)


@dataclass
class Cycle:
    """One active-learning cycle: extractor + balancer + classifier + querier (+ refit schedule)."""

    feature_extractor: Any
    classifier: Any
    querier: Any
    balancer: Any
    retrain_gap: Callable[[int], int] = default_retrain_gap
    _fitted_at: int = field(default=-1, repr=False)
    _fitted_pos: int = field(default=-1, repr=False)

    @property
    def names(self) -> dict[str, str]:
        return {k: getattr(self, k).name for k in _KINDS}

    def features(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.feature_extractor.fit_transform(texts)

    def needs_fit(self, n_labelled: int, n_pos: int) -> bool:
        if n_pos != self._fitted_pos:
            return True
        return n_labelled - self._fitted_at >= self.retrain_gap(n_labelled)

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> None:
        w = self.balancer.sample_weight(y)
        self.classifier.fit(X, y, sample_weight=w)
        self._fitted_at, self._fitted_pos = len(y), int((y == 1).sum())

    def scores(self, X: sp.csr_matrix) -> np.ndarray:
        return scores_of(self.classifier, X)

    def order(self, scores: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
        return self.querier.order(scores, rng)


def make_cycle(
    feature_extractor: str | None = None,
    classifier: str | None = None,
    querier: str | None = None,
    balancer: str | None = None,
    params: dict[str, dict[str, Any]] | None = None,
    retrain_gap: Callable[[int], int] | None = None,
) -> Cycle:
    """Compose a cycle from part names (None -> DEFAULTS); params maps kind -> constructor kwargs."""
    params = params or {}
    chosen = {
        "feature_extractor": feature_extractor,
        "classifier": classifier,
        "querier": querier,
        "balancer": balancer,
    }
    parts = {k: lookup(k, v or DEFAULTS[k], **params.get(k, {})) for k, v in chosen.items()}
    return Cycle(**parts, retrain_gap=retrain_gap or default_retrain_gap)
