"""`litwatch report`: the monthly progress report of a topic, in one command."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, Progress, TextColumn

from litwatch.cli.app import DbOption, app, console

__all__ = ["report_cmd"]

_STEPS = ("fetch", "screen", "annotate", "build", "render")


@app.command("report")
def report_cmd(
    topic: str = typer.Argument(..., help="Topic profile: a built-in name, a user profile or a .toml path."),
    date_from: str = typer.Option(..., "--from", help="First report month, YYYY-MM."),
    date_to: Optional[str] = typer.Option(None, "--to", help="Last report month, YYYY-MM (default: --from)."),
    lang: str = typer.Option("en", "--lang", help="Language: en | zh-Hans | zh-Hant (Taiwan) | zh-Hant-HK."),
    fmt: str = typer.Option("html", "--format", "-f", help="Format: md | html | pdf | docx | json | atom."),
    style: Optional[str] = typer.Option(
        None, "--style", help="Reference style: vancouver | apa | gb-t-7714 (default: vancouver, gb-t-7714 for Chinese)."
    ),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Output file (default: report-<topic>-<from>_<to>.<lang>.<ext>)."
    ),
    offline: bool = typer.Option(False, "--offline", help="Never fetch; report from what the store holds."),
    db: Optional[Path] = DbOption,
) -> None:
    """Write the progress report of TOPIC for the months --from..--to.

    Screening and annotation are brought up to date first; when the store holds no successful
    fetch of the topic covering the period, the topic is fetched first (unless --offline).

    Example: litwatch report stem-cell-depression --from 2025-01 --to 2025-12 --lang zh-Hans --format pdf
    """
    from litwatch import jobs
    from litwatch.store import open_store

    bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                   transient=True, console=console)
    task = bar.add_task("report", total=len(_STEPS))

    def step(event) -> None:
        if event.stage not in _STEPS:
            return
        shown = event.stage
        if event.total:  # a counting step: the fetch's records of one source, the records annotated
            shown += f" {event.message or ''} {event.done}/{event.total}".replace("  ", " ")
        bar.update(task, description=shown, completed=_STEPS.index(event.stage))

    with open_store(db) as store, bar:
        result = jobs.report(store=store, topic=topic, date_from=date_from, date_to=date_to or date_from, lang=lang,
                             fmt=fmt, style=style, output=output, offline=offline, progress=step)
        bar.update(task, completed=len(_STEPS))
    c = result.counts()
    console.print(
        f"Wrote {result.path} ({result.size:,} bytes): {c['included']} included papers over {c['months']} month(s) "
        f"({c['empty_months']} without papers; {c['year_only']} dated only by year, {c['undated']} undated), "
        f"{c['highlighted']} highlighted, {c['trials']} trials registered in the period ({c['trials_listed']} listed), "
        f"{c['references']} references, {c['quotes']} quoted sentences"
        + (" (fetched first)" if result.fetched else "")
        + (f" (run {result.run_id})" if result.run_id else " (the same report as before: no new run)"),
        highlight=False,
    )
