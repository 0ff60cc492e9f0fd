"""`litwatch annotate`, and the annotation view that `litwatch show ID --annotations` prints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from litwatch.cli.app import DbOption, app, console

__all__ = ["annotate_cmd", "show_annotations", "CATEGORY_STYLES"]

CATEGORY_STYLES = {
    "design": "bold white on blue",
    "species": "magenta",
    "cell_source": "bold green",
    "product": "bold cyan",
    "condition": "bold red",
    "animal_model": "yellow",
    "route": "blue",
    "outcome_measure": "dark_orange",
    "biomarker": "bright_magenta",
    "mechanism": "bright_cyan",
}


@app.command("annotate")
def annotate_cmd(
    topic: Optional[str] = typer.Option(None, "--topic", "-t", help="Topic whose concepts rank key findings."),
    db: Optional[Path] = DbOption,
) -> None:
    """Annotate stored records: concepts with spans, study design and evidence level, species,
    sample size, sentence roles and key findings.

    Only records whose text, topic or vocabulary changed are annotated again.

    Example: litwatch annotate --topic stem-cell-depression --db litwatch.db
    """
    from litwatch.annotate.storage import annotate_store
    from litwatch.store import open_store

    with open_store(db) as store, Progress(
        TextColumn("annotating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("annotate", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = annotate_store(store, topic=topic, progress=advance)
    designs = ", ".join(f"{k.split(':', 1)[1]} {v}" for k, v in summary["by_design"].items()) or "none"
    run = f"run {summary['run_id']}" if summary["run_id"] else "nothing changed: no run logged"
    console.print(
        f"Annotated {summary['annotated']}, unchanged {summary['unchanged']}, kept after vocabulary check "
        f"{summary['revalidated']} ({run}). By design: {designs}",
        highlight=False,
    )


def _highlight(text: str, mentions: list) -> Text:
    """The text with each (outermost) mention styled by its category."""
    out = Text(text)
    for m in sorted(mentions, key=lambda m: (m.start, m.start - m.end)):
        style = CATEGORY_STYLES.get(m.category, "bold")
        if m.negated:
            style += " strike"
        out.stylize(style, m.start, m.end)
    return out


def show_annotations(store, record_id: int, record, as_json: bool) -> None:
    """Print a record's annotations: highlighted title/abstract, design with cues, key findings."""
    from litwatch.annotate.storage import get_annotations
    from litwatch.annotate.view import annotations_as_data
    from litwatch.annotate.view import label as _label
    from litwatch.errors import UsageError

    ann = get_annotations(store, record_id)
    if ann is None:
        raise UsageError(f"record #{record_id} has no annotations yet", hint="run `litwatch annotate` first")
    if as_json:
        console.print_json(json.dumps(annotations_as_data(record_id, record, ann), ensure_ascii=False))
        return
    level = f" (evidence level {ann.evidence_level})" if ann.evidence_level else ""
    console.print(Text(f"Design: {_label(ann.design)}{level}", style="bold"))
    for cue in ann.design_cues[:6]:
        console.print(f"  cue ({cue.get('source')}): {cue.get('text')}", highlight=False, markup=False)
    species = ", ".join(_label(s) for s in ann.species) or "not stated"
    sample = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in ann.sample_size.items()) or "not stated"
    console.print(f"Species: {species}   Sample size: {sample}", highlight=False, markup=False)
    texts = {"title": record.title or "", "abstract": record.abstract_text}
    for field in ("title", "abstract"):
        if texts[field]:
            here = [m for m in ann.mentions if m.field == field]
            console.print(Panel(_highlight(texts[field], here), title=field, title_align="left"))
    legend = Text("  ".join(f"{c}" for c in CATEGORY_STYLES))
    for i, c in enumerate(CATEGORY_STYLES):
        start = sum(len(x) + 2 for x in list(CATEGORY_STYLES)[:i])
        legend.stylize(CATEGORY_STYLES[c], start, start + len(c))
    console.print(legend)
    table = Table("concept", "category", "mentions", "negated/speculative", title="Concepts")
    seen: dict[str, list] = {}
    for m in ann.mentions:
        row = seen.setdefault(m.concept_id, [m.category, 0, 0])
        row[1] += 1
        row[2] += m.negated or m.speculative
    for cid, (cat, n, flagged) in seen.items():
        table.add_row(_label(cid), cat, str(n), str(flagged))
    console.print(table)
    if ann.findings:
        from litwatch.report.phrasing import Phraser, finding_sentence

        phraser = Phraser()
        console.print(Text("Structured findings (each element points at its characters)", style="bold"))
        for f in ann.findings:
            said = finding_sentence(phraser, f, "en") or "(nothing the report can say)"
            console.print(f"  [s{f['sentence_id']}] {said}", highlight=False, markup=False)
            for e in f["effects"]:
                t = e["target"]
                console.print(f"      {e['direction']}: {t['text']!r} ({t['concept']}, {t['field']} {t['start']}-{t['end']})"
                              f" cue {e['cue']['text']!r}", highlight=False, markup=False)
    if ann.key_findings:
        console.print(Text("Key findings", style="bold"))
        for rank, sid in enumerate(ann.key_findings, 1):
            s = ann.sentence(sid)
            if s is not None:
                console.print(f"  {rank}. [s{sid}, {s.role}] {texts[s.field][s.start:s.end]}", highlight=False,
                              markup=False)
