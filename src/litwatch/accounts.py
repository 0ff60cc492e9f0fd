"""People who use the web app: accounts, roles, password checks, sessions, the login rate limit.

    from litwatch.accounts import add_user, authenticate, start_session, session_user
    add_user(store, "ana", "reviewer", "a long passphrase")
    user = authenticate(store, "ana", "a long passphrase", client="127.0.0.1")
    token, csrf = start_session(store, user)          # token goes into an HttpOnly cookie
    session_user(store, token)                        # -> SessionInfo(user, csrf) or None

Passwords are hashed with argon2id (argon2-cffi's defaults, rehashed when those change). Session
tokens and CSRF tokens are 256-bit random strings; only a token's sha256 is stored. Tables:
migration 0016 (users, user_sessions, login_failures).

Roles: admin (everything: users, settings, adjudication, publishing), reviewer (screen, build
reports, refresh), reader (read only).
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from litwatch.clock import utc_now
from litwatch.errors import StoreError, UsageError

__all__ = [
    "ROLES",
    "User",
    "SessionInfo",
    "RateLimited",
    "add_user",
    "list_users",
    "get_user",
    "remove_user",
    "set_role",
    "set_password",
    "authenticate",
    "start_session",
    "session_user",
    "end_session",
    "check_rate_limit",
    "MIN_PASSWORD",
    "SESSION_DAYS",
    "MAX_FAILURES",
    "FAILURE_WINDOW",
]

ROLES = ("admin", "reviewer", "reader")
RANK = {"reader": 0, "reviewer": 1, "admin": 2}
MIN_PASSWORD = 8
SESSION_DAYS = 14
MAX_FAILURES = 5  # failed logins per name, and per client address, within FAILURE_WINDOW
FAILURE_WINDOW = 15 * 60  # seconds
_SEEN_EVERY = timedelta(minutes=5)  # how stale seen_at may get before a request writes it again

_hasher = PasswordHasher()
# checked against when the name is unknown, so a wrong name costs as long as a wrong password
_DUMMY_HASH = _hasher.hash("litwatch-no-such-user")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    created_at: str

    def can(self, role: str) -> bool:
        """True when this user's role is `role` or above (reader < reviewer < admin)."""
        return RANK[self.role] >= RANK[role]

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "role": self.role, "created_at": self.created_at}


@dataclass(frozen=True)
class SessionInfo:
    user: User
    csrf_token: str
    expires_at: str


class RateLimited(UsageError):
    """Too many failed logins: wait `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many failed logins", hint=f"wait {retry_after} s and try again")
        self.retry_after = retry_after


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _user(row: sqlite3.Row) -> User:
    return User(row["id"], row["name"], row["role"], row["created_at"])


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64 or any(c.isspace() or not c.isprintable() for c in name):
        raise UsageError(f"user name {name!r} must be 1-64 printable characters without spaces")
    if name in ("rule", "model"):
        raise UsageError(f"{name!r} is reserved for machine decisions", hint="choose a person's name")
    return name


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise UsageError(f"role {role!r} is not one of {', '.join(ROLES)}")
    return role


def _check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise UsageError(f"a password needs at least {MIN_PASSWORD} characters")
    return password


def add_user(store, name: str, role: str, password: str) -> User:
    """Create an account; UsageError when the name is taken or a value is not valid."""
    name, role, password = _check_name(name), _check_role(role), _check_password(password)
    now = utc_now()
    taken = UsageError(f"user {name!r} exists already", hint="`litwatch users list` shows them")
    if store.conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
        raise taken
    try:
        with store.transaction():
            cur = store.conn.execute(
                "INSERT INTO users(name, role, password_hash, created_at, password_set_at) VALUES (?,?,?,?,?)",
                (name, role, _hasher.hash(password), now, now),
            )
    except (sqlite3.IntegrityError, StoreError):
        if store.conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise taken from None  # another process took the name just now
        raise
    return User(int(cur.lastrowid), name, role, now)


def list_users(store) -> list[User]:
    return [_user(r) for r in store.conn.execute("SELECT * FROM users ORDER BY name")]


def get_user(store, name: str) -> User | None:
    row = store.conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    return _user(row) if row else None


def _existing(store, name: str) -> User:
    user = get_user(store, name)
    if user is None:
        raise UsageError(f"no user {name!r}", hint="`litwatch users list` shows them")
    return user


def remove_user(store, name: str) -> None:
    """Delete an account and its sessions (their decisions stay, under their name)."""
    user = _existing(store, name)
    with store.transaction():
        store.conn.execute("DELETE FROM users WHERE id = ?", (user.id,))


def set_role(store, name: str, role: str) -> User:
    user = _existing(store, name)
    with store.transaction():
        store.conn.execute("UPDATE users SET role = ? WHERE id = ?", (_check_role(role), user.id))
    return User(user.id, user.name, role, user.created_at)


def set_password(store, name: str, password: str) -> None:
    """A new password; every session of the user ends."""
    user = _existing(store, name)
    with store.transaction():
        store.conn.execute("UPDATE users SET password_hash = ?, password_set_at = ? WHERE id = ?",
                           (_hasher.hash(_check_password(password)), utc_now(), user.id))
        store.conn.execute("DELETE FROM user_sessions WHERE user_id = ?", (user.id,))


# -- logging in ------------------------------------------------------------------------------

def check_rate_limit(store, name: str, client: str, *, now: float | None = None) -> None:
    """Raise RateLimited when `name` or `client` had MAX_FAILURES failed logins in the window."""
    now = time.time() if now is None else now
    since = now - FAILURE_WINDOW
    worst = 0.0
    for column, value in (("name", name), ("client", client)):
        rows = store.conn.execute(
            f"SELECT failed_at FROM login_failures WHERE {column} = ? AND failed_at > ? ORDER BY failed_at DESC"
            f" LIMIT {MAX_FAILURES}", (value, since)).fetchall()
        if len(rows) >= MAX_FAILURES:
            # free again once the oldest of the last MAX_FAILURES failures leaves the window
            worst = max(worst, rows[-1]["failed_at"] + FAILURE_WINDOW - now)
    if worst > 0:
        raise RateLimited(int(worst) + 1)


def _note_failure(store, name: str, client: str, now: float) -> None:
    with store.transaction():
        store.conn.execute("INSERT INTO login_failures(name, client, failed_at) VALUES (?,?,?)", (name, client, now))
        store.conn.execute("DELETE FROM login_failures WHERE failed_at < ?", (now - FAILURE_WINDOW,))


def authenticate(store, name: str, password: str, *, client: str = "local") -> User | None:
    """The user when name and password match, else None (the failure counts towards the rate
    limit). Raises RateLimited before checking when the limit is reached."""
    now = time.time()
    name = (name or "").strip()[:64]
    check_rate_limit(store, name, client, now=now)
    row = store.conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password or "")
        ok = row is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok:
        _note_failure(store, name, client, now)
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        with store.transaction():
            store.conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (_hasher.hash(password), row["id"]))
    return _user(row)


def start_session(store, user: User) -> tuple[str, str]:
    """A new session: returns (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = datetime.now(timezone.utc)
    with store.transaction():
        store.conn.execute(
            "INSERT INTO user_sessions(token_hash, user_id, csrf_token, created_at, seen_at, expires_at)"
            " VALUES (?,?,?,?,?,?)",
            (_hash_token(token), user.id, csrf, now.isoformat(timespec="seconds"),
             now.isoformat(timespec="seconds"), (now + timedelta(days=SESSION_DAYS)).isoformat(timespec="seconds")),
        )
        store.conn.execute("DELETE FROM user_sessions WHERE expires_at < ?", (now.isoformat(timespec="seconds"),))
    return token, csrf


def session_user(store, token: str | None) -> SessionInfo | None:
    """The live session of a cookie token, or None (unknown or expired)."""
    if not token:
        return None
    try:
        row = store.conn.execute(
            "SELECT u.*, s.csrf_token, s.expires_at, s.seen_at, s.token_hash FROM user_sessions s"
            " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?", (_hash_token(token),)).fetchone()
    except sqlite3.Error as exc:
        raise StoreError(f"could not read sessions: {exc}") from None
    if row is None:
        return None
    now = datetime.now(timezone.utc)
    if datetime.fromisoformat(row["expires_at"]) < now:
        return None
    if datetime.fromisoformat(row["seen_at"]) < now - _SEEN_EVERY:  # rarely, so reads stay reads
        with store.transaction():
            store.conn.execute("UPDATE user_sessions SET seen_at = ? WHERE token_hash = ?",
                               (now.isoformat(timespec="seconds"), row["token_hash"]))
    return SessionInfo(_user(row), row["csrf_token"], row["expires_at"])


def end_session(store, token: str | None) -> None:
    if token:
        with store.transaction():
            store.conn.execute("DELETE FROM user_sessions WHERE token_hash = ?", (_hash_token(token),))
