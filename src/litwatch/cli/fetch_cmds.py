"""`litwatch fetch` (live search into the store) and `litwatch runs` (the run log)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from litwatch.cli.app import DbOption, app, console, err_console
from litwatch.errors import SourceError, StoreError, UsageError
from litwatch.services import SOURCES, names_text
from litwatch.store import open_store

__all__ = ["fetch_cmd", "runs_cmd"]

_SHOWN_ERRORS = 20


@app.command("fetch")
def fetch_cmd(
    query_or_topic: Optional[str] = typer.Argument(
        None, help="A topic name (or .toml profile), or a query sent as-is to each source."
    ),
    source: Optional[str] = typer.Option(
        None, "--source", "-s", help=f"Comma-separated: {names_text(sep=',')} (default: the topic's)."
    ),
    date_from: Optional[str] = typer.Option(None, "--from", help="First day, YYYY-MM-DD (or YYYY-MM)."),
    date_to: Optional[str] = typer.Option(None, "--to", help="Last day, YYYY-MM-DD (or YYYY-MM)."),
    since_last_run: bool = typer.Option(
        False, "--since-last-run", help="Only what is new or updated since the last complete fetch of this query."
    ),
    resume: Optional[int] = typer.Option(None, "--resume", help="Continue a stopped fetch run (see `litwatch runs`)."),
    batch_size: Optional[int] = typer.Option(
        None, "--batch-size", min=1, max=1000, help="Records per request (default: "
        + ", ".join(f"{s.label} {s.default_size}" for s in SOURCES.values()) + ")."
    ),
    datetype: str = typer.Option("pdat", "--datetype", help="PubMed date for --from/--to: pdat (published) or edat (entered)."),
    entry_window: Optional[int] = typer.Option(
        None, "--entry-window", min=0, max=3650,
        help="With --from/--to: also what was entered in this many days before the end (default 60, "
             "LITWATCH_FETCH_ENTRY_WINDOW; 0: off).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    db: Optional[Path] = DbOption,
) -> None:
    """Search PubMed, Europe PMC, ClinicalTrials.gov and Crossref and store what they return.

    Each batch is stored whole or not at all and checkpointed: a fetch stopped by Ctrl-C or a
    crash goes on where it stopped when you run the same command again (or --resume RUN_ID).

    A dated fetch also asks for what each service entered lately (--entry-window), so records
    indexed after their publication month still land in it. Search warnings go to the run log.

    Example: litwatch fetch stem-cell-depression --since-last-run --db litwatch.db
    """
    from litwatch import jobs
    from litwatch.cli.progress import JobBars
    from litwatch.sources.fetch import FetchInterrupted

    if query_or_topic is None and resume is None:
        raise UsageError("give a topic or a query (or --resume RUN_ID)", hint='e.g. litwatch fetch "depression AND exosome"')
    with open_store(db) as store:
        try:
            with JobBars(enabled=not as_json) as bars:
                summary = jobs.fetch(
                    store=store,
                    target=query_or_topic,
                    sources=source,
                    date_from=date_from,
                    date_to=date_to,
                    since_last_run=since_last_run,
                    resume=resume,
                    progress=bars,
                    per_batch=True,
                    batch_size=batch_size,
                    datetype=datetype,
                    entry_window_days=entry_window,
                )
        except (SourceError, StoreError) as exc:
            partial = getattr(exc, "summary", None)
            if partial is not None and not as_json and partial.totals()["read"]:
                _print_summary(partial, warnings=False)  # what did get stored; the error follows
            raise
        except FetchInterrupted as exc:
            err_console.print(
                f"Interrupted: run {exc.run_id} stored every finished batch; "
                f"resume with `litwatch fetch --resume {exc.run_id}`.",
                highlight=False,
            )
            raise typer.Exit(130) from None
    if as_json:
        typer.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_summary(summary)


def _print_summary(summary, warnings: bool = True) -> None:
    problems = [e for s in summary.sources.values() for e in s.errors + s.warnings] if warnings else []
    for line in problems[:_SHOWN_ERRORS]:
        err_console.print(f"[yellow]warning[/] {line}", markup=True, highlight=False)
    if len(problems) > _SHOWN_ERRORS:
        err_console.print(f"... and {len(problems) - _SHOWN_ERRORS} more (see `litwatch runs --json`)")
    table = Table("source", "found", "read", "new", "updated", "unchanged", "merged", "requests", "retries",
                  title=f"fetch run {summary.run_id}: {summary.target}")
    for s in summary.sources.values():
        table.add_row(s.source, str(s.total), str(s.read), str(s.new), str(s.updated), str(s.unchanged),
                      str(s.merged), str(s.requests), str(s.retries))
    console.print(table)
    t = summary.totals()
    resumed = f", resumed run {summary.resumed_from}" if summary.resumed_from else ""
    console.print(
        f"Fetched {t['read']} record(s): {t['new']} new, {t['updated']} updated, {t['unchanged']} unchanged, "
        f"{t['merged']} merged as duplicates; {t['requests']} requests in {summary.duration_s:.1f} s{resumed}.",
        highlight=False,
    )
    for s in summary.sources.values():
        if s.since:
            console.print(f"{s.source}: asked only for what was added or revised since {s.since}", highlight=False)
    for ch in summary.status_changes:
        console.print(f"Trial {ch['nct']} status: {ch['old']} -> {ch['new']}", highlight=False)


@app.command("runs")
def runs_cmd(
    kind: Optional[str] = typer.Option(None, "--kind", help="Only runs of this kind: fetch, import, screen, annotate, report."),
    limit: int = typer.Option(20, "--limit", help="At most this many runs, newest first (0: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print the full log entries as JSON lines."),
    db: Optional[Path] = DbOption,
) -> None:
    """The run log: what each fetch, import, screening or report run did, with counts, errors and durations.

    Example: litwatch runs --kind fetch --limit 5
    """
    with open_store(db) as store:
        runs = store.runs(kind=kind, limit=limit or None)
    if as_json:
        for run in runs:
            typer.echo(json.dumps(run, ensure_ascii=False))
        return
    table = Table("#", "kind", "status", "started", "duration", "what", "counts", "errors", title=f"{len(runs)} run(s)")
    for run in runs:
        table.add_row(
            str(run["id"]), run["kind"], run["status"], run["started_at"] or "", _duration(run),
            _what(run), _counts(run), str(len(run["errors"])),
        )
    console.print(table)


def _duration(run: dict) -> str:
    d = (run.get("counts") or {}).get("duration_s")
    if d is not None:
        return f"{d:.1f} s"
    return "" if run.get("finished_at") else "(not finished)"


def _what(run: dict) -> str:
    p = run.get("params") or {}
    if run["kind"] == "fetch":
        text = p.get("target") or ""
        extra = [f"sources {','.join(p.get('sources') or [])}"]
        if p.get("date_from") or p.get("date_to"):
            extra.append(f"{p.get('date_from') or '...'}..{p.get('date_to') or '...'}")
        if p.get("since_last_run"):
            extra.append("since last run")
        if p.get("resumed_from"):
            extra.append(f"resumes #{p['resumed_from']}")
        return f"{text} ({'; '.join(extra)})"
    return ", ".join(f"{k}={v}" for k, v in p.items() if v not in (None, [], {}))[:80]


def _counts(run: dict) -> str:
    c = run.get("counts") or {}
    c = c.get("totals", c)
    return ", ".join(f"{k} {v}" for k, v in c.items() if isinstance(v, (int, float)) and v)[:80]
