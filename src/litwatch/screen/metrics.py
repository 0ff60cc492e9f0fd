"""Screening metrics computed from the order in which labels were revealed.

One function for every tool, so litwatch and ASReview are scored by the same code (bench/).
Priors count as screened records everywhere.

    WSS@r = (N - n_r) / N - (1 - r)     n_r = records screened when recall first reaches r
    RRF@p = share of the relevant records found after screening p% of the records (ceil)
"""

from __future__ import annotations

import math
from typing import Sequence

__all__ = ["screened_to_recall", "wss", "rrf", "all_metrics"]

_EPS = 1e-9


def _needed(n_relevant: int, recall: float) -> int:
    """Relevant records to find for `recall` (0.95 of 41 -> 39)."""
    return max(1, math.ceil(recall * n_relevant - _EPS))


def screened_to_recall(labels_in_order: Sequence[int], n_relevant: int, recall: float) -> int:
    """Records screened (priors counted) when `recall` of the relevant ones have been found."""
    if n_relevant <= 0:
        raise ValueError("no relevant records: recall is undefined")
    need, found = _needed(n_relevant, recall), 0
    for i, label in enumerate(labels_in_order, start=1):
        found += int(label == 1)
        if found >= need:
            return i
    raise ValueError(f"recall {recall:.0%} was not reached: the order ends before it")


def wss(labels_in_order: Sequence[int], n_total: int, n_relevant: int, recall: float) -> float:
    """Work saved over sampling at `recall`, as a fraction (0.738 = 73.8%)."""
    n_r = screened_to_recall(labels_in_order, n_relevant, recall)
    return (n_total - n_r) / n_total - (1.0 - recall)


def rrf(labels_in_order: Sequence[int], n_total: int, n_relevant: int, percent: float) -> float:
    """Fraction of the relevant records found after screening `percent`% of all records."""
    k = math.ceil(n_total * percent / 100.0 - _EPS)
    return sum(1 for label in list(labels_in_order)[:k] if label == 1) / n_relevant


def all_metrics(labels_in_order: Sequence[int], n_total: int, n_relevant: int) -> dict[str, float | int]:
    """The simulation's summary: wss@95, wss@100, rrf@10, rrf@20, screened_to_95."""
    return {
        "wss@95": wss(labels_in_order, n_total, n_relevant, 0.95),
        "wss@100": wss(labels_in_order, n_total, n_relevant, 1.0),
        "rrf@10": rrf(labels_in_order, n_total, n_relevant, 10),
        "rrf@20": rrf(labels_in_order, n_total, n_relevant, 20),
        "screened_to_95": screened_to_recall(labels_in_order, n_relevant, 0.95),
    }
