"""Simulated screening: replay known labels in the order the ranker asks for them.

Priors are drawn exactly as `asreview simulate` draws them (numpy RandomState(prior_seed).choice
over the included, then a fresh RandomState(prior_seed) over the excluded row indices), so the
same seed gives both tools the same starting records. The simulation stops when the last
relevant record has been found; metrics come from `litwatch.screen.metrics`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from litwatch.errors import UsageError
from litwatch.screen.dataset import ScreeningData, load_screening_csv
from litwatch.screen.metrics import all_metrics
from litwatch.screen.models import Cycle, make_cycle

__all__ = ["SimulationResult", "draw_priors", "simulate", "simulate_file", "summarize"]


@dataclass
class SimulationResult:
    order: list[int]  # row indices in the order they were labelled, priors first
    labels_in_order: list[int]
    n_total: int
    n_relevant: int
    n_priors: int
    seconds: float
    seed: int | None
    models: dict[str, str] = field(default_factory=dict)

    def metrics(self) -> dict[str, Any]:
        out: dict[str, Any] = all_metrics(self.labels_in_order, self.n_total, self.n_relevant)
        out["seconds"] = round(self.seconds, 3)
        return out


def draw_priors(labels: np.ndarray, n_included: int, n_excluded: int, seed: int | None) -> list[int]:
    """Prior row indices, drawn like ASReview 2/3 (`asreview simulate --prior-seed`)."""
    chosen: list[int] = []
    for value, n in ((1, n_included), (0, n_excluded)):
        if n <= 0:
            continue
        pool = np.where(labels == value)[0]
        if len(pool) < n:
            kind = "included" if value else "excluded"
            raise UsageError(f"{n} prior {kind} records asked for, but the data has {len(pool)}")
        chosen.extend(int(i) for i in np.random.RandomState(seed).choice(pool, n, replace=False))
    return chosen


def simulate(
    data: ScreeningData,
    *,
    n_prior_included: int = 1,
    n_prior_excluded: int = 1,
    seed: int | None = None,
    priors: Sequence[int] | None = None,
    cycle_factory: Callable[[], Cycle] = make_cycle,
    stop_at_last_relevant: bool = True,
) -> SimulationResult:
    """One simulated review of `data`; `priors` (row indices) overrides the seeded draw."""
    started = time.perf_counter()
    labels = data.labels.astype(np.int8)
    prior_idx = list(priors) if priors is not None else draw_priors(
        labels, n_prior_included, n_prior_excluded, seed
    )
    cycle = cycle_factory()
    X = cycle.features(data.texts)
    X.sort_indices()
    rng = np.random.RandomState(seed)
    order = _review(cycle, X, labels, prior_idx, rng, stop_at_last_relevant)
    return SimulationResult(
        order=order,
        labels_in_order=[int(labels[i]) for i in order],
        n_total=len(labels),
        n_relevant=int(labels.sum()),
        n_priors=len(prior_idx),
        seconds=time.perf_counter() - started,
        seed=seed,
        models=cycle.names,
    )


def _review(cycle: Cycle, X, labels: np.ndarray, prior_idx: list[int], rng, stop_early: bool) -> list[int]:
    n, n_rel = len(labels), int(labels.sum())
    labelled = np.zeros(n, dtype=bool)
    order: list[int] = []
    for i in dict.fromkeys(prior_idx):
        labelled[i] = True
        order.append(i)
    found = int(labels[order].sum())
    has_text = Cycle.informative(X)
    queue: list[int] = []
    while len(order) < n and not (stop_early and found >= n_rel):
        idx = np.asarray(order)
        y = labels[idx]
        y_text = y[has_text[idx]]
        if 0 < y_text.sum() < len(y_text) and (not queue or cycle.needs_fit(len(y), int(y.sum()))):
            Xi = X[idx]
            Xi.has_sorted_indices = True  # row slices of a sorted matrix stay sorted; skip the re-sort
            cycle.fit(Xi, y)
            pool = np.flatnonzero(~labelled)
            queue = list(pool[cycle.order(cycle.scores(X[pool]), rng)])
        elif not queue:
            # nothing to learn from yet (one class, or the only relevant prior has no text):
            # read in a seeded random order; file order could carry the labels (sorted data sets)
            pool = np.flatnonzero(~labelled)
            queue = list(pool[rng.permutation(len(pool))])
        nxt = queue.pop(0)
        while labelled[nxt]:
            nxt = queue.pop(0)
        labelled[nxt] = True
        order.append(int(nxt))
        found += int(labels[nxt])
    return order


def simulate_file(
    path: str | Path,
    *,
    n_prior_included: int = 1,
    n_prior_excluded: int = 1,
    seed: int | None = 0,
    seeds: int = 1,
    cycle_factory: Callable[[], Cycle] = make_cycle,
) -> tuple[ScreeningData, list[SimulationResult]]:
    """Load a screening CSV and simulate it `seeds` times (seed, seed+1, ...)."""
    if seeds < 1:
        raise UsageError("--seeds must be at least 1")
    data = load_screening_csv(path)
    base = 0 if seed is None else seed
    results = [
        simulate(
            data, n_prior_included=n_prior_included, n_prior_excluded=n_prior_excluded,
            seed=base + k, cycle_factory=cycle_factory,
        )
        for k in range(seeds)
    ]
    return data, results


def summarize(results: Sequence[SimulationResult]) -> dict[str, Any]:
    """Means over seeds of every metric (one seed: its values), plus n, relevant, seeds."""
    per = [r.metrics() for r in results]
    out: dict[str, Any] = {}
    for key in per[0]:
        values = [m[key] for m in per]
        mean = float(np.mean(values))
        out[key] = round(mean, 4) if key != "screened_to_95" else (int(values[0]) if len(values) == 1 else round(mean, 1))
    out["seconds"] = round(float(sum(m["seconds"] for m in per)), 3)
    out["records"] = results[0].n_total
    out["relevant"] = results[0].n_relevant
    out["seeds"] = [r.seed for r in results]
    out["models"] = results[0].models
    return out
