"""The refresh job: screen and annotate what changed, for one topic."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litwatch.jobs.progress import ProgressCallback, notify

__all__ = ["RefreshResult", "refresh"]


@dataclass
class RefreshResult:
    topic: str
    screen: dict[str, Any] = field(default_factory=dict)
    annotate: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, Any]:
        return {"screen": self.screen, "annotate": self.annotate}


def refresh(*, store, topic, use_model: bool = True, progress: ProgressCallback | None = None) -> RefreshResult:
    """Bring screening and annotations of `topic` up to date (only what changed is redone)."""
    from litwatch.annotate import annotate_store
    from litwatch.screen import update_screening
    from litwatch.topics import load_topic

    profile = load_topic(topic) if isinstance(topic, str) else topic
    notify(progress, "refresh", "screen")
    screened = update_screening(store, profile, use_model=use_model)
    notify(progress, "refresh", "annotate")
    annotated = annotate_store(store, profile,
                               progress=lambda done, total: notify(progress, "refresh", "annotate", done, total))
    notify(progress, "refresh", "done")
    return RefreshResult(profile.name, screened, annotated)
