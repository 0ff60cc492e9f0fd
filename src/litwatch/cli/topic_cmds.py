"""`litwatch topic list|show|new|check`: the topic profiles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from litwatch.cli.app import DbOption, add_group, console
from litwatch.topics import check_topic, list_topics, load_topic, new_topic, topic_source

__all__ = ["topic_app"]

topic_app = typer.Typer(no_args_is_help=True, help="Topic profiles: list, show, create and check them.")


@topic_app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the built-in and user topic profiles (user ones from LITWATCH_TOPICS_DIR).

    Example: litwatch topic list
    """
    entries = list_topics()
    if as_json:
        typer.echo(json.dumps([e.__dict__ for e in entries], indent=2))
        return
    table = Table("name", "origin", "title", "path")
    for e in entries:
        try:
            title = load_topic(e.path).title("en")
        except Exception as exc:  # a broken user file still gets listed, with why
            title = f"[red]invalid: {exc}[/red]"
        table.add_row(e.name, e.origin, title, e.path)
    console.print(table)


@topic_app.command("show")
def show_cmd(
    name: str = typer.Argument(..., help="Topic name or .toml path."),
    as_json: bool = typer.Option(False, "--json", help="Print the parsed profile as JSON."),
    as_toml: bool = typer.Option(False, "--toml", help="Print the profile file as written."),
) -> None:
    """Show a topic profile: names, queries, concept groups, and its screening rules in plain words (relations, contexts, what the ranker may do).

    Example: litwatch topic show stem-cell-depression
    """
    from litwatch.topics.explain import explain_rules

    topic = load_topic(name)
    if as_toml:
        typer.echo(topic_source(name), nl=False)
        return
    if as_json:
        typer.echo(json.dumps(topic.to_dict(), ensure_ascii=False, indent=2))
        return
    console.print(f"[bold]{topic.name}[/bold]  ({topic.path})")
    for lang, label in topic.names.items():
        console.print(f"  name [{lang}]: {label}")
    for source, query in topic.queries.items():
        console.print(f"[bold]{source}[/bold] query: {query}", markup=False, highlight=False)
    for group in topic.include:
        console.print(f"include group [bold]{group.name}[/bold]: any of {', '.join(group.any)}")
    console.print("[bold]Screening rules[/bold]")
    for line in explain_rules(topic):
        console.print(line, markup=False, highlight=False)
    console.print(f"highlights per month: {topic.highlights_per_month}; styles: {topic.report_style}")


@topic_app.command("new")
def new_cmd(
    name: str = typer.Argument(..., help="Name of the new topic (lower-case, digits, -)."),
    directory: Optional[Path] = typer.Option(None, "--dir", help="Folder to write NAME.toml in (default: LITWATCH_TOPICS_DIR or .)."),
) -> None:
    """Write a commented template profile NAME.toml to fill in.

    Example: litwatch topic new exosome-anxiety --dir ~/topics
    """
    path = new_topic(name, directory)
    console.print(f"Wrote {path}. Edit it, then: litwatch topic check {path}")


@topic_app.command("check")
def check_cmd(
    path: str = typer.Argument(..., help="Profile file (.toml) or topic name."),
    with_decisions: bool = typer.Option(False, "--with-decisions", help="Also list where persons overturned the rules in the store, with the profile change that would have avoided it."),
    db: Optional[Path] = DbOption,
) -> None:
    """Validate a profile file; errors name the line (bad TOML) or the key (bad content).

    With --with-decisions: every record where a person's decision differs from the rules' one, why the rules decided as they did, and the change to the profile that would have avoided it.

    Example: litwatch topic check my-topic.toml; litwatch topic check stem-cell-depression --with-decisions --db lit.db
    """
    topic = check_topic(path)
    n_terms = sum(len(c.terms) + len(c.case_terms) + len(c.patterns) + len(c.zh) for c in topic.concepts.values())
    relations = f"relations {', '.join(topic.relations.kinds)}" if topic.relations else "no [relations] (co-occurrence)"
    console.print(
        f"OK: {topic.name}: {len(topic.queries)} queries, {len(topic.concepts)} concepts ({n_terms} terms), "
        f"{len(topic.include)} include groups, {relations}, {len(topic.contexts)} contexts, "
        f"{len(topic.exclude)} exclusions", markup=False, highlight=False,
    )
    if not with_decisions:
        return
    from litwatch.screen.check import overturned
    from litwatch.store import open_store

    with open_store(db) as store:
        flips = overturned(store, topic)
    if not flips:
        console.print("No person decision overturns the rules.")
        return
    for f in flips:
        console.print(f"#{f.record_id} {f.title}", style="bold", markup=False, highlight=False, soft_wrap=True)
        for label, value in (("rules", f"{f.rule_label}: {f.rule_reason}"), ("person", f"{f.person_label} ({f.by})"),
                             ("profile change", f.change)):
            console.print(f"  {label}: {value}", markup=False, highlight=False, soft_wrap=True)
    console.print(f"{len(flips)} record(s) where persons overturned the rules.")


add_group(topic_app, "topic", "Topic profiles: list, show, create and check them.")
