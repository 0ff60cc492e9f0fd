"""`litwatch mirror pubmed`, `litwatch scan` and `litwatch scan-summary`: PubMed past one machine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from litwatch.cli.app import add_group, app, console, err_console
from litwatch.errors import SourceError, UsageError

__all__ = ["mirror_pubmed_cmd", "scan_cmd", "scan_summary_cmd", "import_scan_folder"]

mirror_app = typer.Typer(no_args_is_help=True, help="Mirror bulk files of a service on this machine.")
add_group(mirror_app, "mirror", "Mirror bulk files: the PubMed baseline and update files.")


def _bar(*columns) -> Progress:
    """A progress display on stderr, drawn only on a terminal (elsewhere it would leave blank lines)."""
    return Progress(*columns, console=err_console, transient=True, disable=not err_console.is_terminal)


@mirror_app.command("pubmed")
def mirror_pubmed_cmd(
    dir: Path = typer.Option(Path("pubmed"), "--dir", help="Folder of the mirror (baseline/ and updatefiles/ inside)."),
    baseline: bool = typer.Option(False, "--baseline", help="The annual baseline files (the default)."),
    updates: bool = typer.Option(False, "--updates", help="The daily update files."),
    max_files: Optional[int] = typer.Option(None, "--max-files", help="At most this many files (in NLM's order)."),
) -> None:
    """Download NLM's PubMed baseline and/or update files, each checked against its .md5.

    Files already there are kept; a stopped download goes on where it ended. The server is
    LITWATCH_PUBMED_FILES_URL (default https://ftp.ncbi.nlm.nih.gov/pubmed/).

    Example: litwatch mirror pubmed --dir /data/pubmed --baseline --updates --max-files 2
    """
    from litwatch.sources.mirror import mirror_pubmed

    if not (baseline or updates):
        baseline = True
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn())
    with _bar(*columns) as bar:
        tasks: dict[str, int] = {}

        def show(p) -> None:
            if p.event == "start":
                tasks[p.name] = bar.add_task(f"{p.index}/{p.files} {p.name}", total=None)
            elif p.event == "bytes":
                bar.update(tasks[p.name], completed=p.done_bytes, total=p.total_bytes)
            elif p.event == "done":
                bar.remove_task(tasks.pop(p.name))
                f = p.file
                if f.status == "failed":
                    err_console.print(f"[red]failed[/] {f.name}: {f.error}", markup=True, highlight=False)
                elif f.status == "downloaded":
                    resumed = f" (continued from byte {f.resumed_from:,})" if f.resumed_from else ""
                    console.print(f"downloaded {f.name} {f.size:,} bytes, MD5 ok{resumed}", highlight=False)

        result = mirror_pubmed(dir, baseline=baseline, updates=updates, max_files=max_files, progress=show)
    c = result.counts()
    listed = ", ".join(f"{k} {v}" for k, v in result.listed.items())
    console.print(f"Mirror {result.dir}: {c['selected']} file(s) of {listed} listed: downloaded {c['downloaded']} "
                  f"({c['bytes']:,} bytes), already there {c['present']}, failed {c['failed']} "
                  f"in {result.seconds:.1f} s", highlight=False, soft_wrap=True)
    if result.failed:
        raise SourceError(f"{len(result.failed)} file(s) could not be mirrored, first {result.failed[0].name}: "
                          f"{result.failed[0].error}", source="mirror", hint="run the same command again to retry them")


@app.command("scan")
def scan_cmd(
    topics: list[str] = typer.Argument(..., help="Topic profiles (names or .toml paths) to screen for."),
    files: list[str] = typer.Option(..., "--files", help="PubMed XML files: a folder, a glob in quotes, or a file (repeatable)."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Worker processes of a local Dask cluster (default: one per CPU)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="An existing Dask scheduler, tcp://HOST:PORT."),
    out: Path = typer.Option(Path("litwatch-scan"), "--out", help="Folder for the Parquet parts and the manifest."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Scan PubMed baseline/update files for topics on Dask: one task per file, Parquet out.

    Each file is read with litwatch's PubMed reader, screened with every topic's rules, and
    what a topic includes is annotated; each file gets OUT/parts/NAME.parquet and a line in
    OUT/manifest.jsonl. Files done before with the same settings are skipped.

    Example: litwatch scan stem-cell-depression msc-trials --files /data/pubmed --workers 8 --out scan
    """
    from litwatch.scan import scan_files

    columns = (TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[records]:,} records"),
               TimeElapsedColumn())
    with _bar(*columns) as bar:
        task = bar.add_task("scan", total=None, records=0)

        def show(p) -> None:
            if p.event == "planned":
                bar.update(task, total=p.files - p.skipped)
            else:
                bar.update(task, completed=p.finished, records=p.records)
                if p.event == "failed":
                    err_console.print(f"[red]failed[/] {p.result.file}: {p.result.error}", markup=True, highlight=False)

        result = scan_files(topics, files, out=out, workers=workers, scheduler=scheduler, progress=show)
    if as_json:
        data = {"counts": result.counts(), "out": result.out, "workers": result.workers, "cluster": result.cluster,
                "seconds": round(result.seconds, 2), "failed": {r.file: r.error for r in result.failed},
                "summary": result.summary.to_dict() if result.summary else None}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        c = result.counts()
        console.print(f"Scanned {c['scanned']} file(s) ({c['records']:,} records, {c['candidates']:,} candidates) on "
                      f"{result.workers} worker(s), skipped {c['skipped']} done before, failed {c['failed']}, "
                      f"in {result.seconds:.1f} s -> {result.out}", highlight=False, soft_wrap=True)
        if result.summary:
            _print_included(result.summary)
    if result.failed:
        raise UsageError(f"{len(result.failed)} of {len(result.files)} file(s) could not be scanned, first "
                         f"{result.failed[0].file}: {result.failed[0].error}",
                         hint="the others are done; fix or remove those files and run the same command again")


@app.command("scan-summary")
def scan_summary_cmd(
    out: Path = typer.Argument(..., help="The --out folder of a scan."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """How many records a scan includes per topic, per year and per design (from its Parquet, by DuckDB).

    The latest version of each PMID counts (update files and deletions applied).

    Example: litwatch scan-summary scan --json
    """
    from litwatch.scan import scan_summary

    s = scan_summary(out)
    if as_json:
        typer.echo(json.dumps(s.to_dict(), indent=2, ensure_ascii=False))
        return
    console.print(f"Scan {s.dir}: {s.files} file(s), {s.records:,} records read, {s.deleted:,} deletions, "
                  f"{s.issues} unreadable record(s)", highlight=False, soft_wrap=True)
    _print_included(s)
    years = sorted({y for by in s.by_year.values() for y in by})
    if years:
        table = Table("topic", *years, title="included per year")
        for topic, by in s.by_year.items():
            table.add_row(topic, *(str(by.get(y, "")) for y in years))
        console.print(table)
    if s.by_design:
        table = Table("topic", "design", "included", title="included per design")
        for topic, by in s.by_design.items():
            for design, n in by.items():
                table.add_row(topic, design.split(":", 1)[-1], str(n))
        console.print(table)
    for w in s.warnings:
        err_console.print(f"[yellow]warning[/] {w}", markup=True, highlight=False)


def _print_included(s) -> None:
    table = Table("topic", "included", "undecided (concept found, no abstract)", title="per topic")
    for topic in sorted(s.included):
        table.add_row(topic, f"{s.included[topic]:,}", f"{s.undecided.get(topic, 0):,}")
    console.print(table)


def import_scan_folder(scan: Path, paths: Optional[list[Path]], db: Optional[Path]):
    """`litwatch import --scan DIR` (the import command's own option calls this)."""
    from litwatch.scan import import_scan
    from litwatch.store import open_store

    if paths:
        raise UsageError("give files to import or --scan DIR, not both", hint="run two imports")
    with open_store(db) as store, _bar(TextColumn("importing the scan"), TextColumn("{task.completed:,} records"),
                                       TimeElapsedColumn()) as bar:
        task = bar.add_task("import", total=None)
        return import_scan(store, scan, progress=lambda n: bar.update(task, completed=n))
