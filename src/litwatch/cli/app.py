"""The Typer app and the one place that maps exceptions to exit codes.

Every command module under litwatch.cli registers itself on `app`; commands only parse
arguments, call one library function and print. LitwatchError -> one line on stderr, exit 2;
so is what the machine refuses rather than litwatch getting wrong: memory running out, a file
or folder that cannot be read or written, a database SQLite cannot use (these are converted to
LitwatchError where litwatch meets them; this is the net under that). Any other exception is a
bug -> one line, exit 1 (full traceback with -v).
"""

from __future__ import annotations

import sqlite3
import sys
import traceback

import typer
from rich.console import Console
from typer.core import TyperGroup

from litwatch import __version__
from litwatch.errors import LitwatchError

__all__ = ["app", "console", "err_console", "DbOption", "state"]

console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # messages stay one line each, greppable


class _State:
    verbose: bool = False


state = _State()


# exits, aborts and usage errors that click/typer report themselves (typer >= 0.29 vendors click:
# its ClickException derives from TyperException; older typer raises click's own)
_PASS_THROUGH: tuple[type[BaseException], ...] = (typer.Exit, typer.Abort, typer.exceptions.TyperException)
try:
    import click

    _PASS_THROUGH += (click.exceptions.Exit, click.exceptions.Abort, click.ClickException)
except ImportError:  # pragma: no cover - typer without click
    pass


class LitwatchGroup(TyperGroup):
    """Catches errors from any subcommand (nested groups included) and exits with one line."""

    def invoke(self, ctx: typer.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except LitwatchError as exc:
            if state.verbose:
                traceback.print_exc()
            typer.echo(f"Error: {exc.one_line()}", err=True)
            ctx.exit(2)
        except _PASS_THROUGH:
            raise
        except KeyboardInterrupt:
            typer.echo("Interrupted.", err=True)
            ctx.exit(130)
        except (MemoryError, OSError, sqlite3.Error) as exc:
            if state.verbose:
                traceback.print_exc()
            typer.echo(f"Error: {_environment(exc)}", err=True)
            ctx.exit(2)
        except Exception as exc:  # a bug: say so in one line, traceback on request
            if state.verbose:
                traceback.print_exc()
            typer.echo(
                f"Internal error: {type(exc).__name__}: {exc} (hint: rerun with -v for the traceback "
                "and report it)",
                err=True,
            )
            ctx.exit(1)


def _environment(exc: BaseException) -> str:
    """One line for what the machine refused (see the module docstring)."""
    if isinstance(exc, MemoryError):
        return "out of memory (hint: close other programs, or give litwatch smaller files or pages)"
    if isinstance(exc, sqlite3.Error):
        return f"the database failed: {exc} (hint: check the --db file and the disk it is on)"
    name = getattr(exc, "filename", None)
    what = f"{name}: " if name else ""
    return f"{what}{getattr(exc, 'strerror', None) or exc} (hint: check the path, its permissions and free disk space)"


app = typer.Typer(
    cls=LitwatchGroup,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    help="litwatch: keep watch over the literature on one topic and publish a referenced progress report.",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"litwatch {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show tracebacks for errors."),
) -> None:
    """litwatch: keep watch over the literature on one topic and publish a referenced progress report.

    Example: litwatch report stem-cell-depression --from 2025-01 --to 2025-12
    """
    state.verbose = verbose


DbOption = typer.Option(
    None, "--db", envvar="LITWATCH_DB", help="SQLite database file (default ./litwatch.db).", show_default=False
)


def add_group(sub: typer.Typer, name: str, help: str) -> None:
    """Register a sub-command group (e.g. `litwatch topic ...`) with the same error handling."""
    app.add_typer(sub, name=name, help=help)


def run_main() -> None:
    try:
        app()
    except LitwatchError as exc:  # raised outside a subcommand (e.g. in a callback)
        print(f"Error: {exc.one_line()}", file=sys.stderr)
        sys.exit(2)
