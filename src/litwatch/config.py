"""Settings: one table drives defaults, environment variables and help text.

Every value can be overridden by the environment variable named in its row, so tests point the
live connectors at a loopback server and CI at its own database without code changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from litwatch.services import SOURCES

__all__ = ["Setting", "SETTINGS", "get", "get_float", "shared_data_dir", "db_path", "user_agent", "rate_override",
           "max_body_override"]


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    env: str
    default: str | None
    help: str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("db", "LITWATCH_DB", "litwatch.db", "SQLite database file"),
        Setting("email", "LITWATCH_EMAIL", None, "contact e-mail sent to NCBI and Crossref"),
        Setting("ncbi_api_key", "NCBI_API_KEY", None, "NCBI API key (raises the limit to 10 req/s)"),
        # the services' base URLs come from the Source table
        *(Setting(src.url_setting, src.url_env, src.url_default, src.url_help) for src in SOURCES.values()),
        Setting("cache_dir", "LITWATCH_CACHE_DIR", None, "directory for the on-disk HTTP response cache"),
        Setting("cache_ttl", "LITWATCH_CACHE_TTL", "86400", "seconds a cached HTTP response stays fresh"),
        Setting("http_timeout", "LITWATCH_HTTP_TIMEOUT", "30", "seconds before an HTTP request times out"),
        Setting("http_retries", "LITWATCH_HTTP_RETRIES", "5", "retries after a failed HTTP request"),
        Setting("http_backoff", "LITWATCH_HTTP_BACKOFF", "1", "first retry wait in seconds (doubles each retry)"),
        Setting("http_backoff_max", "LITWATCH_HTTP_BACKOFF_MAX", "60", "longest retry wait in seconds"),
        Setting("http_deadline", "LITWATCH_HTTP_DEADLINE", "300",
                "seconds one HTTP request may take in all, reply body included (a trickling reply is cut off)"),
        Setting("http_max_retry_after", "LITWATCH_HTTP_MAX_RETRY_AFTER", "120",
                "longest Retry-After wait obeyed, in seconds; a service asking for more ends the fetch, naming the time"),
        Setting("http_max_body_mb", "LITWATCH_HTTP_MAX_BODY_MB", None,
                "largest reply body in MiB, for every service (defaults: "
                + ", ".join(f"{src.label} {src.max_body_mb:g}" for src in SOURCES.values())
                + "); LITWATCH_HTTP_MAX_BODY_<SOURCE> sets one service's"),
        Setting("http_redirect_hosts", "LITWATCH_HTTP_REDIRECT_HOSTS", None,
                "other hosts (comma-separated) a service may redirect to; redirects elsewhere are refused"),
        Setting("fetch_entry_window_days", "LITWATCH_FETCH_ENTRY_WINDOW", "60",
                "a dated fetch also asks for what was entered ("
                + ", ".join(f"{src.label} {src.dates.entered}" for src in SOURCES.values() if src.by_default)
                + ") in this many days before its end; 0: off"),
        Setting("max_record_mb", "LITWATCH_MAX_RECORD_MB", "32",
                "largest single record a file reader takes, in MiB; a larger one is reported and skipped"),
        Setting("topics_dir", "LITWATCH_TOPICS_DIR", None, "extra directory of user topic profiles (*.toml)"),
        Setting("templates_dir", "LITWATCH_TEMPLATES_DIR", None, "directory of report/web templates overriding ours"),
        Setting("shared_data", "LITWATCH_SHARED_DATA", None, "folder of the shared real data files (tests, benches)"),
    ]
}


def rate_override(source: str) -> str | None:
    """LITWATCH_HTTP_RATE_<SOURCE>, e.g. '10/60' = 10 requests per 60 s for that source."""
    return os.environ.get(f"LITWATCH_HTTP_RATE_{source.upper()}") or None


def max_body_override(source: str) -> str | None:
    """LITWATCH_HTTP_MAX_BODY_<SOURCE> (MiB), else LITWATCH_HTTP_MAX_BODY_MB, else None (the service's default)."""
    return os.environ.get(f"LITWATCH_HTTP_MAX_BODY_{source.upper()}") or get("http_max_body_mb")


def get(name: str) -> str | None:
    """The value of setting `name`: its environment variable when set and non-empty, else its default."""
    setting = SETTINGS[name]
    value = os.environ.get(setting.env)
    return value if value else setting.default


def get_float(name: str) -> float:
    """A numeric setting; a value that is not a number falls back to the default (a typo must not stop a run)."""
    default = float(SETTINGS[name].default or 0)
    value = get(name)
    try:
        return float(value) if value else default
    except ValueError:
        return default


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    return Path(explicit) if explicit else Path(get("db") or "litwatch.db")


def shared_data_dir() -> Path:
    """../shared/data relative to the repository root, unless LITWATCH_SHARED_DATA says otherwise."""
    value = get("shared_data")
    if value:
        return Path(value)
    repo_root = Path(__file__).resolve().parents[2]
    return repo_root.parent / "shared" / "data"


def user_agent() -> str:
    from litwatch import __version__

    email = get("email")
    contact = f"; mailto:{email}" if email else ""
    return f"litwatch/{__version__} (https://github.com/litwatch/litwatch{contact})"
