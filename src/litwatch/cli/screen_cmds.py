"""`litwatch screen TOPIC` (interactive screening, decisions CSV) and `litwatch screen simulate`."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Optional

import click
import typer
from rich.panel import Panel
from rich.text import Text
from typer.core import TyperGroup

from litwatch.cli.app import DbOption, add_group, console, err_console

__all__ = ["screen_app"]


class _ScreenGroup(TyperGroup):
    """`screen TOPIC ...` runs `screen review TOPIC ...`; `screen simulate ...` is a subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["review", *args]
        return super().parse_args(ctx, args)


screen_app = typer.Typer(
    cls=_ScreenGroup,
    no_args_is_help=True,
    help="Screen a topic's records (litwatch screen TOPIC) or simulate screening on a labelled CSV.",
)

KEYS = {"i": "include", "e": "exclude", "s": "skip", "u": "undo", "n": "note", "q": "quit"}
_STYLES = {"intervention": "bold black on cyan", "condition": "bold black on yellow", None: "bold black on green"}


def _highlight(text: str, field: str, concepts: list[dict]) -> Text:
    out = Text(text)
    for c in concepts:
        if c.get("field") != field or c.get("start") is None or "concept" not in c:
            continue  # the relation / context entry: its sentence is named in the reason
        off = c.get("masked_by") or c.get("context") or c.get("negated")
        style = "strike dim" if off else _STYLES.get(c.get("group"), "bold magenta")
        out.stylize(style, c["start"], c["end"])
    return out


def _show(session, rid: int) -> None:
    rec = session.records[rid]
    d = session.rule_view(rid)
    p = session.progress()
    body = Text()
    body.append_text(_highlight(rec.title or "(no title)", "title", d.concepts))
    body.append("\n\n")
    body.append_text(_highlight(rec.abstract_text or "(no abstract)", "abstract", d.concepts))
    ident = rec.ids.best() or f"#{rid}"
    sub = f"{ident} · {rec.year or 'n.d.'} · now: {d.label} by {d.by or '-'}: {d.reason}"
    console.print(Panel(body, title=f"#{rid}", subtitle=sub[:160], subtitle_align="left"))
    console.print(
        f"screened {p['screened']}/{p['total']} · included {p['included']} · this session {p['session']} · "
        f"≈{p['estimated_relevant_unseen']:.1f} relevant still unseen (ranker estimate)",
        style="dim",
    )


def _read_key() -> str:
    if sys.stdin.isatty():
        console.print("[i]nclude [e]xclude [s]kip [u]ndo [n]ote [q]uit > ", end="", markup=False)
        key = click.getchar().lower()
        console.print(key)
        return key
    return click.prompt("[i]nclude [e]xclude [s]kip [u]ndo [n]ote [q]uit", default="q", show_default=False).strip().lower()[:1]


def _loop(session) -> dict[str, int]:
    from litwatch.screen.session import STOP_RULE

    counts = {"include": 0, "exclude": 0, "skip": 0, "undo": 0, "note": 0}
    suggested = False
    while True:
        rid = session.next()
        if rid is None:
            console.print("Nothing left to screen.")
            break
        if not suggested and session.should_stop():
            console.print(f"[bold yellow]Suggestion: you may stop now[/bold yellow] (rule: {STOP_RULE}).")
            suggested = True
        _show(session, rid)
        key = _read_key()
        action = KEYS.get(key)
        if action is None:
            console.print(f"Unknown key {key!r}: use one of {', '.join(KEYS)}.")
            continue
        if action == "quit":
            break
        counts[action] += 1
        if action in ("include", "exclude"):
            session.decide(rid, action)
        elif action == "skip":
            session.skip(rid)
        elif action == "undo":
            undone = session.undo()
            console.print(f"Undid the decision on #{undone}." if undone else "Nothing to undo.")
        elif action == "note":
            session.note(rid, click.prompt("note"))
    return counts


@screen_app.command("review")
def review_cmd(
    topic: str = typer.Argument(..., help="Topic name or profile .toml."),
    by: Optional[str] = typer.Option(None, "--as", help="Your name on the decisions (default: the OS user)."),
    import_file: Optional[Path] = typer.Option(None, "--import-decisions", help="Read decisions from this CSV, then stop."),
    export_file: Optional[Path] = typer.Option(None, "--export-decisions", help="Bring decisions up to date, write the effective ones (label, by, reason) to this CSV, then stop."),
    suggestions: bool = typer.Option(False, "--suggestions", help="List what the ranker suggests (or decided by itself) that nobody has checked, then stop."),
    no_update: bool = typer.Option(False, "--no-update", help="Do not bring the rules and ranker up to date first."),
    db: Optional[Path] = DbOption,
) -> None:
    """Screen a topic's records in the terminal, most likely relevant first.

    Shows title and abstract with the matched concepts highlighted (struck through where a context, mask or negation took them out); keys: i include, e exclude, s skip, u undo, n note, q quit. Shows progress, an estimate of the relevant records still unseen and a stopping suggestion (rule: stop after 50 consecutive excluded records once 20% are screened). Your decisions are never overwritten by rules or models, and they teach the ranker. With --import-decisions / --export-decisions it reads or writes a decisions CSV and stops (exporting brings decisions up to date first unless --no-update); --suggestions lists the ranker's unchecked suggestions.

    Example: litwatch screen stem-cell-depression --as ana
    """
    from litwatch.screen import export_decisions, import_decisions
    from litwatch.screen.session import Session
    from litwatch.store import open_store
    from litwatch.topics import load_topic

    t = load_topic(topic)
    name = by or getpass.getuser()
    with open_store(db) as store:
        if import_file or export_file or suggestions:
            if import_file:
                r = import_decisions(store, t, import_file, by=name)
                console.print(f"Imported {r['imported']} decisions from {import_file} ({r['skipped']} rule/model rows skipped).")
            if (export_file or suggestions) and not no_update:
                _update(store, t)
            if export_file:
                n = export_decisions(store, t, export_file)
                console.print(f"Wrote {n} decisions to {export_file}.")
            if suggestions:
                _print_suggestions(store, t)
            return
        if not no_update:
            _update(store, t)
        session = Session(store, t, name)
        counts = _loop(session)
        p = session.progress()
    console.print(
        f"Done: {counts['include']} included, {counts['exclude']} excluded, {counts['skip']} skipped, "
        f"{counts['undo']} undone, {counts['note']} notes; {p['screened']}/{p['total']} screened by people."
    )


def _update(store, topic) -> None:
    from litwatch.screen import update_screening

    with console.status("Bringing the rules and the ranker up to date..."):
        c = update_screening(store, topic)
    model = c.get("model") or {}
    ranker = ("trusted" if model.get("trusted") else f"suggests only: {model.get('why', 'nothing to learn yet')}") if model \
        else "not fitted"
    done = "up to date, nothing changed" if c.get("up_to_date") else f"{c['rescreened']} record(s) screened"
    console.print(f"Screening {done}; rules: {c['rule']}; ranker: {ranker}.", style="dim", markup=False,
                  highlight=False)


def _print_suggestions(store, topic) -> None:
    from litwatch.screen import unchecked_suggestions

    rows = unchecked_suggestions(store, topic)
    if not rows:
        console.print("The ranker suggests nothing that nobody has checked.")
        return
    for s in rows:
        state = "applied (the effective decision)" if s.applied else "not applied"
        console.print(f"#{s.record_id} {s.title or '(no title)'}", style="bold", markup=False, highlight=False,
                      soft_wrap=True)
        console.print(f"  suggests {s.label}, score {s.score:.2f}, {state}: {s.reason}", markup=False,
                      highlight=False, soft_wrap=True)
    console.print(f"{len(rows)} suggestion(s) not yet checked; decide them with: litwatch screen {topic.name} --as NAME")


@screen_app.command("simulate")
def simulate_cmd(
    dataset: Path = typer.Argument(..., help="Labelled CSV: title, abstract, label_included (or included)."),
    n_prior_included: int = typer.Option(1, "--n-prior-included", help="Included records known at the start."),
    n_prior_excluded: int = typer.Option(1, "--n-prior-excluded", help="Excluded records known at the start."),
    seed: int = typer.Option(0, "--seed", help="Seed of the first run (priors are drawn like ASReview's)."),
    seeds: int = typer.Option(1, "--seeds", help="Number of runs, with seeds seed, seed+1, ..."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (means over the seeds)."),
) -> None:
    """Simulate screening of a labelled CSV and print WSS@95, WSS@100, RRF@10, RRF@20.

    Replays the labels in the order the ranker asks for them (priors drawn like ASReview's, from the seed) and prints work saved over sampling, recall after 10% and 20% screened, records screened to reach 95% recall and the wall time. WSS@r = (N - n_r)/N - (1 - r), n_r = records screened to reach recall r, priors counted. With --json: one object with keys wss@95, wss@100, rrf@10, rrf@20 (fractions), screened_to_95, seconds.

    Example: litwatch screen simulate Nagtegaal_2019.csv --seeds 5 --json
    """
    from rich.progress import Progress

    from litwatch.screen.dataset import load_screening_csv
    from litwatch.screen.simulate import simulate, summarize

    data = load_screening_csv(dataset)
    for w in data.warnings:
        click.echo(f"Warning: {dataset}: {w}", err=True)
    results = []
    with Progress(console=err_console, transient=True, disable=as_json) as progress:
        task = progress.add_task("simulating", total=seeds)
        for k in range(seeds):
            results.append(simulate(data, n_prior_included=n_prior_included, n_prior_excluded=n_prior_excluded,
                                    seed=seed + k))
            progress.advance(task)
    summary = summarize(results)
    if as_json:
        typer.echo(json.dumps(summary))
        return
    console.print(f"{dataset.name}: {summary['records']} records, {summary['relevant']} relevant, seeds {summary['seeds']}")
    console.print(
        f"WSS@95 {summary['wss@95']:.1%}  WSS@100 {summary['wss@100']:.1%}  RRF@10 {summary['rrf@10']:.1%}  "
        f"RRF@20 {summary['rrf@20']:.1%}  screened to 95%: {summary['screened_to_95']}  "
        f"time {summary['seconds']:.1f}s  model {'+'.join(summary['models'].values())}"
    )


add_group(screen_app, "screen", "Screen a topic's records, or simulate screening on a labelled CSV.")
