"""Security headers on every response, cookies, CSRF tokens and safe links.

The app's own pages load scripts and styles only from /static (no inline script, no inline
style); report documents (self-contained HTML with inline CSS and SVG) get a stricter policy
still: no script at all.
"""

from __future__ import annotations

import hmac
import re
import secrets
from urllib.parse import quote, urlsplit

__all__ = [
    "APP_CSP",
    "DOCUMENT_CSP",
    "SecurityHeaders",
    "safe_url",
    "doi_url",
    "tokens_match",
    "new_token",
    "local_path",
]

APP_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
           "frame-ancestors 'none'")
DOCUMENT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers above, the CSP (unless the route set its own) and
    `Cache-Control: no-store` on everything but static files."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope.get("path", "").startswith("/static/")

        async def wrapped(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [h for h in _HEADERS if h[0] not in names]
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", APP_CSP.encode()))
                if not static and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, wrapped)


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s) with a host, else None (no javascript:, data:, relative ...)."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or re.search(r"[\s<>\"']", url):
        return None
    return url


def doi_url(doi: str | None) -> str | None:
    """https://doi.org/<doi> for a DOI that looks like one (10.<registrant>/<suffix>), else None."""
    if not doi or not re.match(r"^10\.\d{4,9}/\S+$", doi.strip()):
        return None
    return "https://doi.org/" + quote(doi.strip(), safe="/:;()._-")


def tokens_match(given: str | None, expected: str | None) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(str(given), str(expected))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def local_path(target: str | None, default: str = "/") -> str:
    """A redirect target that stays on this site (an absolute path, not //host or a URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 32 for c in target):
        return default
    return target
