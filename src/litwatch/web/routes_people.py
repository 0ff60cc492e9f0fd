"""Logging in and out, and the users page (admins)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from litwatch import accounts
from litwatch.web.auth import CSRF_COOKIE, SESSION_COOKIE, Viewer, WebError, cookie_is_secure, need, post, viewer
from litwatch.web.pages import page
from litwatch.web.security import local_path, new_token

router = APIRouter()


def _store(request: Request):
    return request.app.state.pool.get()


@page(router, "/login")
def login_page(request: Request, next: str = "/", v: Viewer = Depends(viewer)):
    data = {"title": "Log in", "next": local_path(next), "logged_in_as": v.to_dict() if v.user else None}
    token = v.pre_login_csrf
    if token is None:
        token = v.pre_login_csrf = new_token()
    response = request.app.state.pages.render(request, ["login.html"], data)
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", secure=cookie_is_secure(request),
                        path="/")
    return response


@router.post("/login")
def login(request: Request, name: str = Form(""), password: str = Form(""), next: str = Form("/"),
          v: Viewer = Depends(post(None))):
    store = _store(request)
    client = request.client.host if request.client else "unknown"
    user = accounts.authenticate(store, name, password, client=client)  # RateLimited -> 429
    if user is None:
        data = {"title": "Log in", "next": local_path(next), "logged_in_as": None, "error": "wrong name or password",
                "name": name}
        return request.app.state.pages.render(request, ["login.html"], data, status=401)
    token, _csrf = accounts.start_session(store, user)
    response = RedirectResponse(local_path(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=accounts.SESSION_DAYS * 86400, httponly=True,
                        samesite="lax", secure=cookie_is_secure(request), path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, v: Viewer = Depends(post("reader"))):
    accounts.end_session(_store(request), request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@page(router, "/users")
def users_page(request: Request, v: Viewer = Depends(need("admin"))):
    data = {"title": "Users", "users": [u.to_dict() for u in accounts.list_users(_store(request))],
            "roles": list(accounts.ROLES)}
    return request.app.state.pages.render(request, ["users.html"], data)


@router.post("/users")
def add_user(request: Request, name: str = Form(...), role: str = Form(...), password: str = Form(...),
             v: Viewer = Depends(post("admin"))):
    accounts.add_user(_store(request), name, role, password)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{name}/role")
def change_role(request: Request, name: str, role: str = Form(...), v: Viewer = Depends(post("admin"))):
    if name == v.name and role != "admin":
        raise WebError(400, "you cannot take the admin role from yourself", "ask another admin")
    accounts.set_role(_store(request), name, role)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{name}/remove")
def remove_user(request: Request, name: str, v: Viewer = Depends(post("admin"))):
    if name == v.name:
        raise WebError(400, "you cannot remove yourself", "ask another admin")
    accounts.remove_user(_store(request), name)
    return RedirectResponse("/users", status_code=303)
