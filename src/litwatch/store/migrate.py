"""Numbered schema migrations: migrations/NNNN_name.sql applied in order, each recorded by number
in `schema_migrations` (PRAGMA user_version keeps the highest applied)."""

from __future__ import annotations

import re
import sqlite3
from importlib import resources

from litwatch.errors import StoreError

__all__ = ["available_migrations", "latest_version", "migrate"]

_NAME = re.compile(r"^(\d{4})_[\w-]+\.sql$")


def available_migrations() -> list[tuple[int, str, str]]:
    """(number, file name, SQL) for every migration shipped in the package, in order."""
    folder = resources.files("litwatch.store") / "migrations"
    found = []
    for entry in folder.iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if len(numbers) != len(set(numbers)):
        raise StoreError(f"two migrations share a number: {[name for _, name, _ in found]}")
    return found


def latest_version() -> int:
    migrations = available_migrations()
    return migrations[-1][0] if migrations else 0


def _functions(conn: sqlite3.Connection) -> None:
    """Python functions some migrations call (recomputing a column the store computes in Python)."""
    from litwatch.store.merge import title_key

    conn.create_function("litwatch_title_key", 1, lambda t: title_key(t or ""), deterministic=True)


def _applied(conn: sqlite3.Connection, current: int, migrations: list[tuple[int, str, str]]) -> set[int]:
    """Numbers of the migrations this database has had.

    Each one is recorded by number in `schema_migrations`, so a migration numbered below one applied
    earlier (parts reserve number ranges and land in any order) still runs. A database from before
    that table holds every migration up to its `user_version`, which is what it then records."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                 "number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    rows = {n for (n,) in conn.execute("SELECT number FROM schema_migrations")}
    if not rows and current:
        rows = {n for n, _, _ in migrations if n <= current}
        conn.executemany("INSERT INTO schema_migrations(number, name, applied_at) VALUES (?, ?, datetime('now'))",
                         [(n, name) for n, name, _ in migrations if n in rows])
        conn.commit()
    return rows


def migrate(conn: sqlite3.Connection, path: str) -> int:
    """Bring the database up to the newest schema; returns the version it ends at."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    _functions(conn)
    migrations = available_migrations()
    newest = migrations[-1][0] if migrations else 0
    if current > newest:
        raise StoreError(
            f"{path}: database schema {current} is newer than this litwatch knows ({newest})",
            hint="upgrade litwatch (pip install -U litwatch)",
        )
    try:
        applied = _applied(conn, current, migrations)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot read its schema version: {exc}") from None
    for number, name, sql in migrations:
        if number in applied:
            continue
        version = max(current, number)
        try:
            # executescript commits first; the explicit BEGIN makes each migration all-or-nothing
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\n"
                f"INSERT INTO schema_migrations(number, name, applied_at) VALUES ({number}, '{name}', datetime('now'));\n"
                f"PRAGMA user_version = {version};\nCOMMIT;")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"{path}: migration {name} failed: {exc}") from None
        current = version
    return current
