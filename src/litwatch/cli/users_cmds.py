"""`litwatch users add|list|remove|role|password`: the accounts of the web app."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from litwatch.cli.app import DbOption, add_group, console

__all__ = ["users_app"]

users_app = typer.Typer(no_args_is_help=True, help="Accounts of the web app (litwatch serve).")


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def add_cmd(
    name: str = typer.Argument(..., help="The user's name (also the name their decisions are kept under)."),
    role: str = typer.Option("reviewer", "--role", help="admin, reviewer or reader."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from the first line of stdin."),
    db: Optional[Path] = DbOption,
) -> None:
    """Add a user; the password is hashed with argon2 and never stored as typed.

    Example: echo 'a long passphrase' | litwatch users add ana --role reviewer --password-stdin
    """
    from litwatch.accounts import add_user
    from litwatch.store import open_store

    password = _read_password(password_stdin)
    with open_store(db) as store:
        user = add_user(store, name, role, password)
    console.print(f"Added {user.name} ({user.role}).", highlight=False, markup=False)


@users_app.command("list")
def list_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    db: Optional[Path] = DbOption,
) -> None:
    """List the users and their roles.

    Example: litwatch users list --db litwatch.db
    """
    from litwatch.accounts import list_users
    from litwatch.store import open_store

    with open_store(db) as store:
        users = list_users(store)
    if as_json:
        typer.echo(json.dumps([u.to_dict() for u in users], ensure_ascii=False))
        return
    table = Table("name", "role", "since")
    for u in users:
        table.add_row(u.name, u.role, u.created_at)
    console.print(table)


@users_app.command("remove")
def remove_cmd(name: str = typer.Argument(..., help="The user to remove."), db: Optional[Path] = DbOption) -> None:
    """Remove a user and end their sessions (their screening decisions stay, under their name).

    Example: litwatch users remove ana
    """
    from litwatch.accounts import remove_user
    from litwatch.store import open_store

    with open_store(db) as store:
        remove_user(store, name)
    console.print(f"Removed {name}.", highlight=False, markup=False)


@users_app.command("role")
def role_cmd(
    name: str = typer.Argument(..., help="The user."),
    role: str = typer.Argument(..., help="admin, reviewer or reader."),
    db: Optional[Path] = DbOption,
) -> None:
    """Change a user's role.

    Example: litwatch users role ana admin
    """
    from litwatch.accounts import set_role
    from litwatch.store import open_store

    with open_store(db) as store:
        user = set_role(store, name, role)
    console.print(f"{user.name} is now {user.role}.", highlight=False, markup=False)


@users_app.command("password")
def password_cmd(
    name: str = typer.Argument(..., help="The user."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from the first line of stdin."),
    db: Optional[Path] = DbOption,
) -> None:
    """Set a new password (every session of the user ends).

    Example: echo 'another passphrase' | litwatch users password ana --password-stdin
    """
    from litwatch.accounts import set_password
    from litwatch.store import open_store

    password = _read_password(password_stdin)
    with open_store(db) as store:
        set_password(store, name, password)
    console.print(f"New password set for {name}.", highlight=False, markup=False)


add_group(users_app, "users", "Accounts of the web app: add, list, remove, role, password.")
