"""Rich progress bars drawn from the jobs' progress events (the library draws nothing itself)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

__all__ = ["JobBars"]


class JobBars:
    """One bar per counting stage of a job (a fetch's sources), fed `jobs.Progress` events.

    Use as a context manager and pass the instance as the job's `progress`; stages in `skip`
    (a job's start and end) draw nothing. Disabled, it listens and draws nothing."""

    def __init__(self, enabled: bool = True, *, skip: tuple[str, ...] = ("search", "done")) -> None:
        self.enabled, self.skip = enabled, skip
        self._bars: Progress | None = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> "JobBars":
        if self.enabled:
            self._bars = Progress(
                TextColumn("[bold]{task.description:<18}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,  # the summary table replaces the bars; logs of non-terminal runs stay clean
            )
            self._bars.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._bars is not None:
            self._bars.__exit__(*exc)
            self._bars = None

    def __call__(self, event: Any) -> None:
        if self._bars is None or event.stage in self.skip:
            return
        task = self._tasks.get(event.stage)
        if task is None:
            task = self._tasks[event.stage] = self._bars.add_task(event.message or event.stage, total=event.total)
        self._bars.update(task, completed=event.done, total=event.total)
