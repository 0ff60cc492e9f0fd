"""The `litwatch` command line. Importing this package registers every command module."""

from __future__ import annotations

from litwatch.cli.app import app, run_main

# each module registers its commands on `app` when imported
from litwatch.cli import (  # noqa: F401,E402
    records_cmds,
    fetch_cmds,
    topic_cmds,
    screen_cmds,
    annotate_cmds,
    report_cmds,
    audit_cmds,
    scan_cmds,
    serve_cmds,
    users_cmds,
)

__all__ = ["app", "main"]


def main() -> None:
    run_main()
