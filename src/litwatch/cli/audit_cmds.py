"""`litwatch audit`: check an article's references and claims against the sources."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from litwatch.cli.app import DbOption, app, console, err_console

__all__ = ["audit_cmd"]

_STEPS = {"read": "reading the article", "references": "checking references", "claims": "checking claims",
          "screen": "screening the topic",
          "coverage": "checking the whole article"}


@app.command("audit")
def audit_cmd(
    article: str = typer.Argument(..., help="The article: a .txt, .md, .html or .docx file, or a URL (online)."),
    fmt: str = typer.Option("md", "--format", "-f", help="Format: md | html | json."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here (default: print to the terminal)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language of the audit: en | zh-Hans | zh-Hant "
                                                            "(default: the article's)."),
    topic: Optional[str] = typer.Option(None, "--topic", help="Topic profile: also list the papers of the article's "
                                                              "period and topic it missed, and the topic's trials."),
    offline: bool = typer.Option(False, "--offline", help="Never ask PubMed, Crossref or Europe PMC; use the store only."),
    db: Optional[Path] = DbOption,
) -> None:
    """Audit ARTICLE: resolve its references, check each against its record, check its claims
    against the works they cite, and the period, trials and papers it covers.

    References are looked up in the store first, then (unless --offline) in PubMed, Crossref and
    Europe PMC; what is fetched is stored with its provenance. The summary goes to stderr, the
    audit to -o FILE or stdout.

    Example: litwatch audit roundup.txt --db litwatch.db --offline --format html -o audit.html
    """
    from rich.progress import BarColumn, Progress, TextColumn

    from litwatch import jobs
    from litwatch.audit import render
    from litwatch.errors import UsageError
    from litwatch.store import open_store

    if fmt not in ("md", "html", "json"):
        raise UsageError(f"unknown format {fmt!r}", hint="one of md, html, json")
    bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                   transient=True, console=err_console)
    task = bar.add_task("audit", total=1)

    def progress(event) -> None:
        bar.update(task, description=_STEPS.get(event.stage, event.stage), completed=event.done,
                   total=max(event.total or 1, 1))

    with open_store(db) as store, bar:
        result = jobs.audit(store=store, article=article, offline=offline, topic=topic, lang=lang, progress=progress)
    data = render(result, fmt, lang)
    if output is not None:
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc.strerror}") from None
    else:
        typer.echo(data.decode("utf-8"))
    for line in result.article["summary_lines"]:
        err_console.print(line, highlight=False, markup=False)
    if output is not None:
        console.print(f"Wrote {output} ({len(data):,} bytes)" + (f"; fetch run {result.article['fetch_run']}"
                                                                  if result.article.get("fetch_run") else ""),
                      highlight=False)
