"""Commands over stored records: import, search, show, stats, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from litwatch.cli.app import DbOption, app, console, err_console
from litwatch.errors import UsageError
from litwatch.formats import FORMATS
from litwatch.store import open_store

FORMAT_CHOICES = "|".join(["auto", *FORMATS])


@app.command("import")
def import_cmd(
    paths: Optional[list[Path]] = typer.Argument(None, help="Files or folders to import."),
    fmt: str = typer.Option("auto", "--format", "-f", help=f"Input format: {FORMAT_CHOICES}."),
    scan: Optional[Path] = typer.Option(None, "--scan", help="Import the candidates of a `litwatch scan` --out folder."),
    db: Optional[Path] = DbOption,
) -> None:
    """Import exported files (PubMed XML, MEDLINE, JATS, ClinicalTrials.gov, Europe PMC, Crossref, RIS, BibTeX, CSV).

    The format is detected from the content; importing the same file again changes nothing.

    Example: litwatch import pubmed-result.xml trials.csv library.ris --db litwatch.db
    """
    from litwatch.ingest import import_files

    if scan is not None:  # a scan's candidates (litwatch.scan.importer)
        from litwatch.cli.scan_cmds import import_scan_folder

        summary = import_scan_folder(scan, paths, db)
    else:
        if not paths:
            raise UsageError("nothing to import", hint="name files or folders, or --scan DIR")
        with open_store(db) as store, _FileBars() as bars:
            summary = import_files(store, paths, fmt=fmt, progress=bars.update)
    for line in summary.warnings[:20]:
        err_console.print(f"[yellow]warning[/] {line}", markup=True, highlight=False)
    for line in summary.errors[:20]:
        err_console.print(f"[red]skipped[/] {line}", markup=True, highlight=False)
    if len(summary.errors) > 20:
        err_console.print(f"... and {len(summary.errors) - 20} more problems (see `litwatch runs --json`)")
    c = summary.counts()
    console.print(
        f"Imported {c['files']} file(s): read {c['read']}, new {c['new']}, updated {c['updated']}, "
        f"unchanged {c['unchanged']}, merged as duplicates {c['merged']}, deleted {c['deleted']}, "
        f"errors {c['errors']}, warnings {c['warnings']} (run {summary.run_id})",
        highlight=False,
        soft_wrap=True,
    )


class _FileBars:
    """A bar per file worth watching (1 MiB or more), fed by import_files' progress callback."""

    MIN_BYTES = 1 << 20

    def __init__(self) -> None:
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                            transient=True)
        self.tasks: dict[Path, int] = {}

    def __enter__(self) -> "_FileBars":
        self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.stop()

    def update(self, path: Path, done: int, total: int) -> None:
        if total < self.MIN_BYTES:
            return
        task = self.tasks.get(path)
        if task is None:
            task = self.tasks[path] = self.bar.add_task(path.name, total=total)
        self.bar.update(task, completed=done)


def _record_row(record_id: int, record) -> dict:
    return {
        "id": record_id,
        "ids": record.ids.best(),
        "kind": record.kind,
        "month": record.report_month(),
        "title": record.title,
        "journal": record.journal.iso_abbrev or record.journal.title,
    }


@app.command("search")
def search_cmd(
    query: str = typer.Argument(..., help='Full-text query: words, "phrases", AND/OR/NOT, prefix*.'),
    date_from: Optional[str] = typer.Option(None, "--from", help="First report month, YYYY-MM."),
    date_to: Optional[str] = typer.Option(None, "--to", help="Last report month, YYYY-MM."),
    kind: Optional[str] = typer.Option(None, "--kind", help="article | preprint | trial."),
    limit: int = typer.Option(50, "--limit", help="At most this many hits (0: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines instead of a table."),
    db: Optional[Path] = DbOption,
) -> None:
    """Full-text search over titles, abstracts, keywords and MeSH terms.

    Example: litwatch search '"stem cell" AND depress*' --from 2025-01 --to 2025-12 --kind article
    """
    with open_store(db) as store:
        hits = store.search(query, date_from, date_to, kind, limit or None)
    if as_json:
        for h in hits:
            typer.echo(json.dumps({**_record_row(h.record_id, h.record), "rank": h.rank}, ensure_ascii=False))
        return
    table = Table("#", "id", "month", "kind", "title", title=f"{len(hits)} hit(s) for {query}")
    for h in hits:
        row = _record_row(h.record_id, h.record)
        table.add_row(str(row["id"]), row["ids"] or "", row["month"] or "", row["kind"], (row["title"] or "")[:90])
    console.print(table)


@app.command("show")
def show_cmd(
    identifier: str = typer.Argument(..., help="PMID, DOI, PMCID, NCT id, or #store-id."),
    as_json: bool = typer.Option(False, "--json", help="Print the stored record as JSON."),
    annotations: bool = typer.Option(False, "--annotations", help="Show the annotations with highlighted mentions."),
    db: Optional[Path] = DbOption,
) -> None:
    """Show one record: its fields, where it came from and how it was merged.

    Example: litwatch show 29768149 --json
    """
    with open_store(db) as store:
        record_id, record = store.find(identifier)
        if annotations:
            from litwatch.cli.annotate_cmds import show_annotations

            show_annotations(store, record_id, record, as_json)
            return
        sources, merges = store.sources_of(record_id), store.merges_of(record_id)
    if as_json:
        typer.echo(json.dumps({"id": record_id, "record": record.to_dict(), "sources": sources, "merges": merges},
                              ensure_ascii=False, indent=2))
        return
    _print_record(record_id, record, sources, merges)


def _shown_date(d) -> str:
    return d.value[: {"day": 10, "month": 7, "season": 7}.get(d.precision, 4)]


def _print_record(record_id: int, record, sources, merges) -> None:
    console.rule(f"#{record_id} {record.ids.best() or ''}")
    console.print(f"[bold]{record.title or '(no title)'}[/]", highlight=False)
    authors = ", ".join(a.display() for a in record.authors[:6]) + (" et al." if len(record.authors) > 6 else "")
    if authors:
        console.print(authors, highlight=False)
    j = record.journal
    bits = [j.title or j.iso_abbrev, j.volume and f"vol {j.volume}", j.issue and f"({j.issue})", j.pages]
    console.print(" ".join(b for b in bits if b) + f"  report month {record.report_month() or '?'}", highlight=False)
    ids = {f: getattr(record.ids, f) for f in ("pmid", "pmcid", "doi", "nct", "pii") if getattr(record.ids, f)}
    console.print("  ".join(f"{k}: {v}" for k, v in ids.items()), highlight=False)
    if record.dates:  # which date is online and which the issue's matters to reports and audits
        console.print("dates: " + "  ".join(f"{k} {_shown_date(d)}" for k, d in record.dates.items()),
                      highlight=False, markup=False)
    affiliations = record.authors[0].affiliations if record.authors else []
    if affiliations:
        more = f" (+{len(affiliations) - 1} more)" if len(affiliations) > 1 else ""
        console.print(f"first author's affiliation: {affiliations[0]}{more}", highlight=False, markup=False)
    if record.trial:
        t = record.trial
        console.print(f"trial: {t.status} {t.phase or ''} enrollment {t.enrollment} sponsor {t.sponsor}",
                      highlight=False)
    for section in record.abstract:
        label = f"[bold]{section.label}:[/] " if section.label else ""
        console.print(label + section.text, highlight=False)
    if record.publication_types:
        console.print("types: " + "; ".join(record.publication_types), highlight=False)
    if record.mesh:
        console.print("MeSH: " + "; ".join(("*" if m.major else "") + m.descriptor for m in record.mesh),
                      highlight=False)
    for s in sources:
        console.print(f"[dim]source {s['source']} {s['item_key']} from {s['origin']} {s['location'] or ''} "
                      f"at {s['retrieved_at']} (run {s['run_id']})[/]", highlight=False)
    for m in merges:
        console.print(f"[dim]merged by {m['rule']} {m['detail'] or ''}[/]", highlight=False)


@app.command("stats")
def stats_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    db: Optional[Path] = DbOption,
) -> None:
    """Counts of stored records by kind, source and year, merges and runs.

    Example: litwatch stats --db litwatch.db
    """
    with open_store(db) as store:
        stats = store.stats()
    if as_json:
        typer.echo(json.dumps(stats, indent=2))
        return
    console.print(f"[bold]{stats['records']}[/] records in {stats['path']} (schema {stats['schema_version']}), "
                  f"{stats['deleted']} deleted, {stats['runs']} runs", highlight=False)
    for name in ("by_kind", "by_source", "merges", "by_year"):
        if stats[name]:
            console.print(f"{name.replace('_', ' ')}: " + ", ".join(f"{k} {v}" for k, v in stats[name].items()),
                          highlight=False)


@app.command("export")
def export_cmd(
    fmt: str = typer.Option(..., "--format", "-f", help="ris | bibtex | csl-json | csv."),
    out: Path = typer.Option(..., "-o", "--output", help="File to write."),
    query: Optional[str] = typer.Option(None, "--query", "-q", help="Only records matching this search."),
    date_from: Optional[str] = typer.Option(None, "--from", help="First report month, YYYY-MM."),
    date_to: Optional[str] = typer.Option(None, "--to", help="Last report month, YYYY-MM."),
    kind: Optional[str] = typer.Option(None, "--kind", help="article | preprint | trial."),
    db: Optional[Path] = DbOption,
) -> None:
    """Export stored records for a reference manager; the files import back into litwatch.

    Example: litwatch export --format ris --query "mesenchymal AND depression" -o msc.ris
    """
    from litwatch.jobs.export import export

    with open_store(db) as store:
        n = export(store=store, fmt=fmt, output=out, query=query, date_from=date_from, date_to=date_to,
                   kind=kind).written
    console.print(f"Wrote {n} record(s) to {out}", highlight=False)
