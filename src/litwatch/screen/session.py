"""An interactive screening session over the store: what to show next, decide, undo, when to stop.

The queue holds the records no person has decided, most likely relevant first: the ranker
(default cycle) learns from the person's decisions plus the rules' include/exclude decisions
and is refitted as decisions come in (on every new include, else on the cycle's schedule).

Stopping suggestion (STOP_RULE): stop when the last 50 records screened in a row were all
excluded and at least 20% of the records in the queue at the start have been screened, or when
the queue is empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from litwatch.records import Record
from litwatch.screen.api import _training, record_decision, record_text, undo_decision
from litwatch.screen.decisions import effective, latest_rows
from litwatch.screen.rules import Decision, rule_decision
from litwatch.topics import Topic

__all__ = ["Session", "STOP_RULE", "STOP_RUN", "STOP_SHARE"]

STOP_RUN = 50
STOP_SHARE = 0.20
STOP_RULE = (
    f"stop after {STOP_RUN} consecutive excluded records once at least {STOP_SHARE:.0%} of the records "
    "to screen have been screened"
)


@dataclass
class Session:
    store: object
    topic: Topic
    by: str
    records: dict[int, Record] = field(default_factory=dict)
    history: list[int] = field(default_factory=list)  # record ids decided in this session, in order
    run_of_excluded: int = 0

    def __post_init__(self) -> None:
        if not self.records:
            self.records = {rid: rec for rid, rec in self.store.iter_records()}
        self.ids = list(self.records)
        self.row = {rid: i for i, rid in enumerate(self.ids)}
        from litwatch.screen.models import make_cycle  # scikit-learn loads only for an interactive session

        self.cycle = make_cycle()
        self.X = self.cycle.features([record_text(self.records[i]) for i in self.ids]) if self.ids else None
        self.labels = _training(self.store, self.topic.name, self.ids)
        latest = latest_rows(self.store, self.topic.name, self.ids)
        self.person_done = {r for r, k in latest.items() if k.get("person") is not None}
        self.skipped: set[int] = set()
        self.start_todo = max(len(self.ids) - len(self.person_done), 1)
        self.scores: np.ndarray | None = None
        self._refit(force=True)

    # -- ranking ---------------------------------------------------------------------------
    def _refit(self, force: bool = False) -> None:
        y = np.array(list(self.labels.values()), dtype=int)
        if len(y) == 0 or y.min() == y.max():
            self.scores = None
            return
        if force or self.scores is None or self.cycle.needs_fit(len(y), int(y.sum())):
            idx = [self.row[r] for r in self.labels]
            self.cycle.fit(self.X[idx], y)
            self.scores = self.cycle.scores(self.X)

    def queue(self) -> list[int]:
        todo = [r for r in self.ids if r not in self.person_done and r not in self.skipped]
        if self.scores is not None:
            return sorted(todo, key=lambda r: -self.scores[self.row[r]])
        rank = {"include": 0, "undecided": 1, "exclude": 2}
        return sorted(todo, key=lambda r: rank.get(self._rule_label(r), 1))

    def next(self) -> int | None:
        q = self.queue()
        return q[0] if q else None

    # -- decisions -------------------------------------------------------------------------
    def decide(self, record_id: int, label: str, note: str | None = None) -> Decision:
        d = record_decision(self.store, self.topic, record_id, label, self.by, note=note)
        if label in ("include", "exclude"):
            self.person_done.add(record_id)
            self.labels[record_id] = int(label == "include")
            self.history.append(record_id)
            self.run_of_excluded = 0 if label == "include" else self.run_of_excluded + 1
            self._refit()
        return d

    def note(self, record_id: int, text: str) -> None:
        record_decision(self.store, self.topic, record_id, "undecided", self.by, note=text)

    def skip(self, record_id: int) -> None:
        self.skipped.add(record_id)

    def undo(self) -> int | None:
        rid = undo_decision(self.store, self.topic, self.by)
        if rid is None:
            return None
        self.person_done.discard(rid)
        self.skipped.discard(rid)
        if rid in self.history:
            self.history.remove(rid)
        self.labels = _training(self.store, self.topic.name, self.ids)
        self.run_of_excluded = 0
        self._refit(force=True)
        return rid

    # -- progress --------------------------------------------------------------------------
    def progress(self) -> dict[str, float | int]:
        done = len(self.person_done)
        included = sum(
            1 for r, k in latest_rows(self.store, self.topic.name, self.person_done).items()
            if k.get("person") is not None and k["person"]["label"] == "include"
        )
        return {
            "screened": done,
            "total": len(self.ids),
            "included": included,
            "session": len(self.history),
            "estimated_relevant_unseen": self.estimate_unseen(),
        }

    def estimate_unseen(self) -> float:
        """Expected relevant records among the unscreened: the ranker's probabilities, corrected for
        the class weighting it was trained with; before it can learn, the rules' includes."""
        todo = [self.row[r] for r in self.ids if r not in self.person_done]
        if not todo:
            return 0.0
        if self.scores is None:
            return float(sum(1 for i in todo if self._rule_label(self.ids[i]) == "include"))
        y = np.array(list(self.labels.values()))
        n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
        ratio = getattr(self.cycle.balancer, "ratio", n_pos / max(n_neg, 1))
        shift = np.log(max(n_pos, 1) / max(n_neg, 1) / max(ratio, 1e-9))
        p = 1.0 / (1.0 + np.exp(-(self.scores[todo] + shift)))
        return float(p.sum())

    def should_stop(self) -> bool:
        if self.next() is None:
            return True
        screened_share = len(self.history) / self.start_todo
        return self.run_of_excluded >= STOP_RUN and screened_share >= STOP_SHARE

    def _rule_label(self, record_id: int) -> str:
        """The rules' stored label (from update_screening), else the rules read now."""
        if not hasattr(self, "_rule_labels"):
            rows = latest_rows(self.store, self.topic.name, self.ids)
            self._rule_labels = {r: k["rule"]["label"] for r, k in rows.items() if k.get("rule") is not None}
        label = self._rule_labels.get(record_id)
        if label is None:
            label = self._rule_labels[record_id] = rule_decision(self.topic, self.records[record_id]).label
        return label

    def rule_view(self, record_id: int) -> Decision:
        """The effective decision with the rules' matches, for display."""
        kinds = latest_rows(self.store, self.topic.name, [record_id]).get(record_id, {})
        d = effective(kinds)
        if not d.concepts:
            d = rule_decision(self.topic, self.records[record_id])
        return d
