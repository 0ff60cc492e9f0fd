"""Who is asking: the session cookie, roles enforced on the server, CSRF on every POST.

Routes declare what they need: `Depends(need("reviewer"))` for a page, `Depends(post("admin"))`
for a state-changing request (role, then a valid CSRF token and a same-origin Origin header).
A logged-in user's CSRF token lives with their session in the store; before login the login form
carries a double-submit token that matches a cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Depends, Request

from litwatch.accounts import SessionInfo, User, session_user
from litwatch.web.security import tokens_match

__all__ = ["SESSION_COOKIE", "CSRF_COOKIE", "Viewer", "WebError", "LoginRequired", "viewer", "need", "post",
           "cookie_is_secure"]

SESSION_COOKIE = "lw_session"
CSRF_COOKIE = "lw_csrf"


class WebError(Exception):
    """A request that cannot be served: status code, one-line message, optional hint."""

    def __init__(self, status: int, message: str, hint: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.hint, self.headers = status, message, hint, headers or {}


class LoginRequired(WebError):
    def __init__(self) -> None:
        super().__init__(401, "please log in", "log in at /login")


@dataclass
class Viewer:
    user: User | None
    csrf: str | None  # the session's CSRF token (None when not logged in)
    pre_login_csrf: str | None = None  # the double-submit token of the login form

    @property
    def name(self) -> str | None:
        return self.user.name if self.user else None

    @property
    def role(self) -> str | None:
        return self.user.role if self.user else None

    def can(self, role: str) -> bool:
        return self.user is not None and self.user.can(role)

    def form_token(self) -> str | None:
        return self.csrf or self.pre_login_csrf

    def to_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "role": self.role}


def cookie_is_secure(request: Request) -> bool:
    mode = request.app.state.settings.secure_cookies
    if mode in ("1", "true", "yes", "on"):
        return True
    if mode in ("0", "false", "no", "off"):
        return False
    return request.url.scheme == "https"


def viewer(request: Request) -> Viewer:
    """The logged-in user (or an anonymous viewer), looked up once per request."""
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    store = request.app.state.pool.get()
    info: SessionInfo | None = session_user(store, request.cookies.get(SESSION_COOKIE))
    v = Viewer(info.user, info.csrf_token) if info else Viewer(None, None, request.cookies.get(CSRF_COOKIE))
    request.state.viewer = v
    return v


def need(role: str = "reader", *, public: bool = False):
    """A dependency: the viewer must have `role` (public: anonymous allowed under --public-read)."""

    def check(request: Request, v: Viewer = Depends(viewer)) -> Viewer:
        if v.user is None:
            if public and request.app.state.settings.public_read:
                return v
            raise LoginRequired()
        if not v.user.can(role):
            raise WebError(403, f"this needs the {role} role; you are {v.user.role}")
        return v

    return check


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None  # a browser sends "null" from sandboxed or privacy-sensitive contexts
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc == host


def post(role: str | None = "reader"):
    """A dependency for state-changing requests: the role (None: anyone, e.g. the login form),
    then the CSRF token (form field csrf_token or header X-CSRF-Token) and the Origin."""
    role_check = need(role) if role else None

    async def check(request: Request, v: Viewer = Depends(viewer)) -> Viewer:
        if role_check is not None:
            role_check(request, v)
        form = await request.form()
        given = form.get("csrf_token") or request.headers.get("x-csrf-token")
        expected = v.csrf if v.user else v.pre_login_csrf
        if not tokens_match(given if isinstance(given, str) else None, expected):
            raise WebError(403, "missing or wrong CSRF token", "reload the page and try again")
        if not _same_origin(request):
            raise WebError(403, "cross-site request refused")
        return v

    return check
