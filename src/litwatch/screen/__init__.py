"""Screening: rules that read relations from the topic profile, a ranker that learns from people,
and people's decisions, which always win.

    from litwatch.screen import update_screening, decisions_for, included_ids, prisma_counts
    update_screening(store, "stem-cell-depression")     # what changed: rules (+ ranker); persons never overwritten
    record_decision(store, "stem-cell-depression", 17, "include", by="ana")
    unchecked_suggestions(store, "stem-cell-depression") # the ranker's suggestions nobody checked
    overturned(store, "stem-cell-depression")            # where persons overturned the rules, and the fix
    simulate_file("Nagtegaal_2019.csv", seeds=5)         # replay known labels, WSS@95 etc.
"""

from __future__ import annotations

from litwatch.screen.api import (
    decisions_for,
    included_ids,
    prisma_counts,
    rank_undecided,
    record_decision,
    Suggestion,
    undo_decision,
    unchecked_suggestions,
    update_screening,
)
from litwatch.screen.check import Overturn, overturned
from litwatch.screen.csvio import export_decisions, import_decisions
from litwatch.screen.rules import Decision, find_matches, rule_decision

__all__ = [
    "Decision",
    "update_screening",
    "decisions_for",
    "included_ids",
    "prisma_counts",
    "record_decision",
    "undo_decision",
    "rank_undecided",
    "unchecked_suggestions",
    "Suggestion",
    "overturned",
    "Overturn",
    "export_decisions",
    "import_decisions",
    "rule_decision",
    "find_matches",
    "simulate",
    "simulate_file",
    "summarize",
]


def __getattr__(name: str):
    # the simulation needs scikit-learn, whose import costs seconds: load it when it is asked for
    if name in ("simulate", "simulate_file", "summarize"):
        import importlib

        module = importlib.import_module("litwatch.screen.simulate")
        # importing the submodule bound its name here; the package's name `simulate` is the function
        globals().update(simulate=module.simulate, simulate_file=module.simulate_file, summarize=module.summarize)
        return globals()[name]
    raise AttributeError(f"module 'litwatch.screen' has no attribute {name!r}")
