"""CLI commands (placeholder until filled in)."""

from litwatch.cli.app import app  # noqa: F401
