"""The learned ranker: named scikit-learn parts composed into one active-learning cycle.

As in ASReview, a cycle has four exchangeable parts, each looked up by its `name`:

    feature extractor   texts -> sparse matrix           (tfidf, tfidf-lsa, tfidf-char, tfidf-words-chars)
    balancer            labels -> sample weights          (balanced, none)
    classifier          fit(X, y, w) -> scores            (logistic, svm, nb, stack, svm-knn)
    querier             scores -> order to ask in         (max, uncertainty, max-uncertainty, random)

`make_cycle(...)` builds a cycle from names; an unknown name raises UsageError listing the
valid ones. The defaults (`DEFAULTS`) are the same for every data set: sublinear TF-IDF over
every word and word pair plus the three-word phrases that at least 5 records use, plus 100 exact
LSA dimensions (weight 0.5); a "stack" of a linear SVM (C=1, on all columns) and complement naive
Bayes (on the TF-IDF columns; mean of standardised scores); the included records weighing 9.8
times the excluded ones in total (ASReview's ratio); "max" (most-likely-relevant first)
querying; and a refit after every new relevant record or once 5% more records are labelled.
Records without any text are left out of the training set. The TF-IDF is counted with numpy
(`ngram_tfidf`, the values of scikit-learn's TfidfVectorizer) and the stack scores with one
sparse product, which made a simulation about a third faster than with scikit-learn's
vectorizer and ComplementNB and paid for the phrases.

How the defaults were chosen (bench/screening.py's three SYNERGY sets, Cohen_2006_ACEInhibitors,
Kitchenham_2010 and Nagtegaal_2019; WSS@95 in percent, mean over seeds 0-4 unless "2 seeds"):
C=1 on Nagtegaal_2019 from {0.11, 0.3, 1}; LSA k=100 / weight 0.5 from k in {50, 75, 100, 150,
200, 300} (weight 0.5) and weight in {0.3, 0.5, 0.7} (k=100) on Kitchenham_2010 and
Nagtegaal_2019, kept because it raised the mean WSS over recall 85-97% on both. Phrases: word
1-2-grams alone gave Cohen/Kitchenham/Nagtegaal 74.6/76.2/74.9; adding three-word phrases used
by >= 5 records 74.7/76.3/76.7 (>= 8: 74.5/76.0/76.7; >= 3: 74.9/75.1/76.4; >= 4: Nagtegaal
75.9, 2 seeds), every three-word phrase 73.5/73.8/76.2 at twice the time. Caution: on
Nagtegaal_2019, WSS@95 hinges on a few hard records around the 95% mark and moves 2-5 points
between neighbouring settings (phrases >= 2 records: 70.3; LSA k=75 or 150: 74.8 / 74.3, 2
seeds) while the seeds of one setting agree within 1.5 points and the mean WSS over recall
85-97% moves far less (73.7 -> 74.0 for the phrases); so confirm a change on all sets and seeds.
Tried and dropped (no clear gain on all sets): refitting after every record (+0.5 on Nagtegaal
at 17 times the time), after 2.5% more labels (same WSS, 1.5 times the time) or 10% (-0.4 on
Nagtegaal); class-weight ratios 3, 5, 20 and 30; C 0.3 / 3 (1-2-grams) and 2 (phrases: Cohen
-1.5); LSA weight 0.4 (74.6/76.3/76.9: the same); naive Bayes weight 0.6 / 1.5 and alpha 0.15 /
1.5; max_df 0.5 (+0.5 on Nagtegaal with 1-2-grams, -1 with the phrases, 2 seeds); four-word
phrases used by >= 5 records as well (74.7/75.9/76.6); stop words; min_df=2 (-4 on Nagtegaal);
unigrams only; the title repeated; logistic regression in the stack; an SVM on the LSA block as
a third member (-1.6 on Nagtegaal); rank averaging; a centroid or nearest-relevant similarity
term; random unlabelled records as presumed-irrelevant; a logistic model on the LSA block; LSA
of unigrams only (-4); square-rooted singular values (+0.3 on Nagtegaal, 2 seeds); several LSA
sizes side by side (k 50+100+200 or 75+100+150: -2 / -1 on Nagtegaal); character n-grams (-7 on
Nagtegaal).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.linalg import eigh
from sklearn.base import BaseEstimator
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB
from sklearn.preprocessing import normalize
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


_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # TfidfVectorizer's default token pattern


def ngram_tfidf(
    texts: Sequence[str], min_df: Sequence[int] = (1, 1), max_df: float = 0.95
) -> sp.csr_matrix:
    """Sublinear TF-IDF over word 1..n-grams, n = len(min_df); an n-gram is kept when its document
    frequency is at least min_df[n-1] and at most max_df of the records. Unit-length rows, float32.

    The same values as scikit-learn's TfidfVectorizer(ngram_range=(1, n), sublinear_tf=True,
    smooth idf, lowercase, default token pattern) where min_df is the same for every n (columns
    in another order), about four times faster: n-grams are counted as integer codes with numpy
    instead of as Python strings, so rare long n-grams cost little.
    """
    n_docs = len(texts)
    vocab: dict[str, int] = {}
    ids: list[int] = []
    lens: list[int] = []
    for text in texts:
        tokens = _TOKEN.findall(text.lower())
        ids.extend([vocab.setdefault(t, len(vocab)) for t in tokens])
        lens.append(len(tokens))
    tok = np.asarray(ids, dtype=np.int64)
    doc = np.repeat(np.arange(n_docs, dtype=np.int64), lens)
    n_tok, n_voc = len(tok), max(len(vocab), 1)
    rows, cols, tfs, dfs = [], [], [], []
    gram, ok, n_cols = tok, np.ones(n_tok, dtype=bool), 0
    for n in range(1, len(min_df) + 1):
        m = n_tok - n + 1
        if m <= 0:
            break
        if n > 1:  # an n-gram = the (n-1)-gram's id and the next token, both from the same record
            ok = ok[:m] & (doc[n - 1 : n - 1 + m] == doc[:m])
            code = gram[:m] * n_voc + tok[n - 1 : n - 1 + m]
            gram = np.zeros(m, dtype=np.int64)
            gram[ok] = np.unique(code[ok], return_inverse=True)[1].ravel()
        key = np.unique(gram[ok] * n_docs + doc[:m][ok], return_counts=True)
        rec, g, tf = key[0] % n_docs, key[0] // n_docs, key[1]
        _, at, df = np.unique(g, return_inverse=True, return_counts=True)
        keep = (df >= min_df[n - 1]) & (df <= max_df * n_docs)
        col = np.cumsum(keep) - 1 + n_cols
        sel = keep[at.ravel()]
        rows.append(rec[sel])
        cols.append(col[at.ravel()][sel])
        tfs.append(tf[sel])
        dfs.append(df[keep])
        n_cols += int(keep.sum())
    if n_cols == 0:
        raise ValueError("empty vocabulary: no word of two or more letters is frequent enough")
    r, c, tf, df = (np.concatenate(a) for a in (rows, cols, tfs, dfs))
    idf = np.log((1 + n_docs) / (1 + df)) + 1.0
    X = sp.csr_matrix((((1.0 + np.log(tf)) * idf[c]).astype(np.float32), (r, c)), shape=(n_docs, n_cols))
    X.sort_indices()
    return normalize(X).tocsr()


class WordTfidfLsa(WordTfidf):
    """Word 1-3-gram TF-IDF plus `k` latent-semantic (LSA) dimensions of the same matrix.

    Words and word pairs are kept however rare (a term of one record only still lowers the weight
    of that record's shared terms); three-word phrases only when at least `phrase_min_df` records
    use them, as rare ones are mostly noise.

    LSA puts records that use related words close together even when they share few exact
    terms, which is how the last relevant records differ from those already found. The LSA
    block (unit length, times `weight`) is appended as the last `n_dense` columns, and each
    row is scaled to unit length again. The SVD is exact (eigenvectors of the record-by-record
    Gram matrix) up to `exact_max_rows` records, so no random seed is involved; above that a
    randomized SVD with a fixed seed is used. The matrix is float64 (float32 values), the type
    the classifiers compute in, so it is not converted at every refit.
    """

    name = "tfidf-lsa"

    def __init__(
        self, k: int = 100, weight: float = 0.5, exact_max_rows: int = 4000, phrase_min_df: int = 5,
        max_df: float = 0.95,
    ) -> None:
        super().__init__(max_df=max_df)
        self.k = k
        self.weight = weight
        self.exact_max_rows = exact_max_rows
        self.phrase_min_df = phrase_min_df

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        min_df = (1, 1, self.phrase_min_df) if self.phrase_min_df else (1, 1)
        X = ngram_tfidf(texts, min_df, self.max_df)
        k = min(self.k, X.shape[0] - 1, X.shape[1] - 1)
        self.n_dense = max(k, 0)
        if k < 1:
            return X.astype(np.float64)
        Z = normalize(self._lsa(X, k)).astype(np.float32) * self.weight
        return normalize(sp.hstack([X, sp.csr_matrix(Z)], format="csr")).tocsr().astype(np.float64)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        raise NotImplementedError("tfidf-lsa is fitted on the whole collection: call fit_transform")

    def _lsa(self, X: sp.csr_matrix, k: int) -> np.ndarray:
        if X.shape[0] > self.exact_max_rows:
            return TruncatedSVD(k, random_state=0, n_iter=10).fit_transform(X)
        gram = (X @ X.T).toarray().astype(np.float64)
        n = gram.shape[0]
        values, vectors = eigh(gram, subset_by_index=[n - k, n - 1], driver="evr")
        values, vectors = np.clip(values[::-1], 0, None), vectors[:, ::-1]
        # a sign convention, so the features do not depend on the eigen solver's choice
        signs = np.sign(vectors[np.abs(vectors).argmax(axis=0), np.arange(k)])
        signs[signs == 0] = 1
        return vectors * signs * np.sqrt(values)


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
    Naive Bayes is scikit-learn's ComplementNB (norm=False, on the count columns, its
    probability clipped to [1e-12, 1 - 1e-12] as before), computed here as one weight vector
    (log-odds = X @ w) so that both models score the records in one sparse product.
    """

    name = "stack"

    def __init__(self, C: float = 1.0, alpha: float = 0.5, nb_weight: float = 1.0, dense_tail: int = 0) -> None:
        self.C = C
        self.alpha = alpha
        self.nb_weight = nb_weight
        self.dense_tail = dense_tail  # trailing dense (e.g. LSA) columns: the SVM's only, NB needs counts

    def fit(self, X, y, sample_weight=None):
        y = np.asarray(y)
        self.svm_ = LinearSVC(C=self.C).fit(X, y, sample_weight=sample_weight)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        n_counts = X.shape[1] - self.dense_tail
        per_class = np.asarray(X.T @ np.column_stack([w * (y == 0), w * (y == 1)]))[:n_counts]
        neg, pos = per_class[:, 0], per_class[:, 1]
        # ComplementNB: a class's weights are the other class's counts plus alpha, normalised by
        # their total; the log-odds weight of a feature is log((pos + a) / (neg + a)) plus
        # log(neg_total / pos_total), a constant that is all a feature unseen in training gets
        a = self.alpha
        neg_total, pos_total = neg.sum() + a * n_counts, pos.sum() + a * n_counts
        nb = np.zeros(X.shape[1])
        nb[:n_counts] = math.log(neg_total / pos_total)
        seen = np.flatnonzero((neg > 0) | (pos > 0))
        nb[seen] += np.log((pos[seen] + a) / (neg[seen] + a))
        self.weights_ = np.column_stack([self.svm_.coef_.ravel(), nb])
        return self

    def decision_function(self, X) -> np.ndarray:
        both = np.asarray(X @ self.weights_)
        a = both[:, 0] + self.svm_.intercept_[0]
        b = np.clip(both[:, 1], -_LOGIT_CLIP, _LOGIT_CLIP)
        z = lambda v: (v - v.mean()) / (v.std() + 1e-12)  # noqa: E731
        return z(a) + self.nb_weight * z(b)


_LOGIT_CLIP = math.log((1 - 1e-12) / 1e-12)


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


FEATURE_EXTRACTORS = _registry(WordTfidf, WordTfidfLsa, CharTfidf, WordCharTfidf)
CLASSIFIERS = _registry(Logistic, SVM, NaiveBayes, Stack, KnnBoost)
QUERIERS = _registry(MaxQuery, UncertaintyQuery, MaxUncertaintyQuery, RandomQuery)
BALANCERS = _registry(Balanced, NoBalance)

DEFAULTS = {
    "feature_extractor": "tfidf-lsa",
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
        X = self.feature_extractor.fit_transform(texts)
        if hasattr(self.classifier, "dense_tail"):
            self.classifier.dense_tail = getattr(self.feature_extractor, "n_dense", 0)
        return X

    @staticmethod
    def informative(X: sp.csr_matrix) -> np.ndarray:
        """Rows with at least one feature: a record without title and abstract teaches nothing."""
        return np.diff(X.tocsr().indptr) > 0

    def needs_fit(self, n_labelled: int, n_pos: int) -> bool:
        if n_pos != self._fitted_pos:
            return True
        return n_labelled - self._fitted_at >= self.retrain_gap(n_labelled)

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> None:
        """Fit on the labelled rows; rows without any feature are left out while both classes remain."""
        keep = self.informative(X)
        Xf, yf = (X[keep], y[keep]) if 0 < y[keep].sum() < keep.sum() else (X, y)
        self.classifier.fit(Xf, yf, sample_weight=self.balancer.sample_weight(yf))
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
