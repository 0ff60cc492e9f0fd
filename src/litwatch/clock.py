"""The one clock: every timestamp litwatch writes (provenance, runs, decisions, sessions) is UTC."""

from __future__ import annotations

from datetime import datetime, timezone

__all__ = ["utc_now"]


def utc_now() -> str:
    """Now, in UTC, to the second: '2025-01-31T09:30:00Z'."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
