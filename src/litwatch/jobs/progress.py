"""One progress event shape for every job, so the CLI can draw it and the web app can stream it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Callable

__all__ = ["Progress", "ProgressCallback", "notify"]


@dataclass(frozen=True)
class Progress:
    job: str  # ingest | fetch | refresh | report | export | audit | scan ...
    stage: str  # a step of the job: "read", "screen", "annotate", "build", "render", "done" ...
    done: int = 0
    total: int | None = None  # None: not known (yet)
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


ProgressCallback = Callable[[Progress], None]


def notify(callback: ProgressCallback | None, job: str, stage: str, done: int = 0, total: int | None = None,
           message: str = "") -> None:
    """Send one event when somebody listens."""
    if callback is not None:
        callback(Progress(job, stage, done, total, message))
