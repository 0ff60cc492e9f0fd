"""Every command documents itself with an example; errors are one line with exit code 2."""

from __future__ import annotations

import subprocess
import sys

import typer

from litwatch import __version__
from litwatch.cli import app


def _is_group(command) -> bool:
    return hasattr(command, "commands")  # typer vendors its own click: no shared Group class to test


def _commands(group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        path = prefix + (name,)
        yield path, command
        if _is_group(command):
            yield from _commands(command, path)


def test_every_command_has_help_with_an_example(cli):
    root = typer.main.get_command(app)
    paths = list(_commands(root))
    assert {"import", "search", "show", "stats", "export"} <= {p[0] for p, _ in paths}
    missing = []
    for path, command in paths:
        if _is_group(command):
            continue
        result = cli(*path, "--help")
        assert result.exit_code == 0, path
        if "Example" not in result.output:
            missing.append(" ".join(path))
    assert not missing, f"commands without an Example in --help: {missing}"


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0 and result.output.strip() == f"litwatch {__version__}"


def test_user_error_is_one_line_on_stderr_with_exit_2(tmp_path):
    # a real process: the installed entry point, not the in-process runner
    db = tmp_path / "x.db"
    proc = subprocess.run(
        [sys.executable, "-c", "from litwatch.cli import main; main()", "show", "PMID:1", "--db", str(db)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: no record 'PMID:1'")
    assert "Traceback" not in proc.stderr
