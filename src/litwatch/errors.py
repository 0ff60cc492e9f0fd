"""The one exception hierarchy of litwatch.

    LitwatchError                 anything litwatch reports to a user
    ├── UsageError                a bad argument, period, id or option
    ├── ParseError                a file or record that could not be read (path, location)
    ├── SourceError               a live service failed or refused (source, hint)
    ├── ProfileError              a topic profile that does not validate
    ├── StoreError                the database could not be opened, migrated or written
    └── ReportError               a report that could not be built or rendered

Foreign errors (httpx, sqlite3, lxml) are converted at the module that meets them, so the CLI
maps every LitwatchError to one line on stderr and exit code 2; anything else is a bug (exit 1).
"""

from __future__ import annotations

__all__ = [
    "LitwatchError",
    "UsageError",
    "ParseError",
    "SourceError",
    "ProfileError",
    "StoreError",
    "ReportError",
]


class LitwatchError(Exception):
    """Base of every error litwatch reports to a user; `hint` says what to do next."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        text = self.message.replace("\n", " ")
        return f"{text} (hint: {self.hint})" if self.hint else text


class UsageError(LitwatchError):
    """A bad argument, period, identifier or option given by the user."""


class ParseError(LitwatchError):
    """A file, or one record in it, that could not be read."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        location: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.location = location
        where = ": ".join(p for p in (path, location) if p)
        super().__init__(f"{where}: {message}" if where else message, hint=hint)


class SourceError(LitwatchError):
    """A live source (PubMed, Europe PMC, ClinicalTrials.gov, Crossref) failed or refused."""

    def __init__(self, message: str, *, source: str | None = None, hint: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message, hint=hint)


class ProfileError(LitwatchError):
    """A topic profile that is missing or does not validate."""


class StoreError(LitwatchError):
    """The SQLite store could not be opened, migrated or written."""


class ReportError(LitwatchError):
    """A report that could not be built or rendered."""
