"""The ranker's parts: the fast n-gram TF-IDF and the stack's naive Bayes match scikit-learn's."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import ComplementNB

from litwatch.screen.models import Stack, ngram_tfidf

TEXTS = [
    f"Stem cell therapy for depression: a randomised controlled trial {i}. Cell therapy eases mood."
    if i % 3 else f"Bone marrow transplant outcomes in study {i}; a randomised controlled trial of marrow."
    for i in range(40)
] + ["", "Ünïcode wörds and the randomised controlled trial", "x y z"]


def test_ngram_tfidf_has_the_values_of_sklearns_vectorizer():
    ours = ngram_tfidf(TEXTS, (1, 1, 1))
    theirs = TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True, max_df=0.95).fit_transform(TEXTS)
    assert ours.shape == theirs.shape
    # the same vectors, columns in another order: compare record-by-record similarities and row values
    assert np.allclose((ours @ ours.T).toarray(), (theirs @ theirs.T).toarray(), atol=1e-5)
    for i in range(len(TEXTS)):
        assert np.allclose(np.sort(ours[i].data), np.sort(theirs[i].data), atol=1e-6)


def test_ngram_tfidf_keeps_phrases_only_above_their_min_df():
    all_phrases = ngram_tfidf(TEXTS, (1, 1, 1)).shape[1]
    common = ngram_tfidf(TEXTS, (1, 1, 5)).shape[1]
    no_phrases = ngram_tfidf(TEXTS, (1, 1)).shape[1]
    assert no_phrases < common < all_phrases
    # exactly the three-word phrases that at least 5 records (and at most 95%) use
    assert common - no_phrases == sum(
        1 for n in TfidfVectorizer(ngram_range=(3, 3), max_df=0.95, min_df=5).fit(TEXTS).get_feature_names_out()
    )


def test_stack_naive_bayes_is_complement_nb():
    X = ngram_tfidf(TEXTS, (1, 1)).astype(np.float64)
    y = np.array([int(i % 3 != 0) for i in range(len(TEXTS))])
    w = np.where(y == 1, 1.0, 0.3)
    stack = Stack().fit(X, y, sample_weight=w)
    nb = ComplementNB(alpha=0.5).fit(X, y, sample_weight=w)
    p = np.clip(nb.predict_proba(X)[:, 1], 1e-12, 1 - 1e-12)
    assert np.allclose(np.clip(X @ stack.weights_[:, 1], -27.6, 27.6), np.clip(np.log(p / (1 - p)), -27.6, 27.6))
