"""`litwatch serve`: the web app under uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from litwatch.cli.app import DbOption, app, err_console

__all__ = ["serve_cmd"]


@app.command("serve")
def serve_cmd(
    db: Optional[Path] = DbOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (127.0.0.1: this machine only)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    public_read: bool = typer.Option(False, "--public-read",
                                     help="Let anonymous visitors read records and published reports."),
    secure_cookies: Optional[bool] = typer.Option(
        None, "--secure-cookies/--no-secure-cookies",
        help="Mark cookies Secure (default: when the request came over HTTPS, e.g. behind a proxy with "
             "--proxy-headers)."),
    proxy_headers: bool = typer.Option(False, "--proxy-headers",
                                       help="Trust X-Forwarded-Proto/For from a reverse proxy on 127.0.0.1."),
    work_dir: Optional[Path] = typer.Option(None, "--work-dir", help="Folder for report drafts, job states and uploads."),
    workers: int = typer.Option(1, "--workers", min=1, max=32,
                                help="Server processes (they share the store, sessions, drafts and job states)."),
) -> None:
    """Serve the web app: browse, screen together (keys i/e/u/s/n), resolve conflicts, build and
    publish reports, start fetches and refreshes. Every page has a JSON twin (path + .json).

    Example: litwatch serve --db litwatch.db --port 8000 --public-read
    """
    import os
    import tempfile

    import uvicorn

    from litwatch.accounts import list_users
    from litwatch.store import open_store
    from litwatch.web import WebSettings, create_app

    with open_store(db) as store:  # fail early, with one line, on a bad database
        if not list_users(store):
            err_console.print("No users yet: add one with `litwatch users add NAME --role admin`.",
                              highlight=False, markup=False)
    settings = WebSettings.from_env(db, work_dir=work_dir,
                                    secure_cookies=None if secure_cookies is None else ("1" if secure_cookies else "0"))
    settings.public_read = settings.public_read or public_read
    settings.work_dir = settings.work_dir or Path(tempfile.mkdtemp(prefix="litwatch-web-"))
    err_console.print(f"litwatch on http://{host}:{port}/ (database {settings.db})", highlight=False, markup=False)
    from litwatch.web.serving import PROTOCOL

    common = dict(host=host, port=port, log_level="warning", proxy_headers=proxy_headers, http=PROTOCOL,
                  forwarded_allow_ips="127.0.0.1" if proxy_headers else None)
    if workers == 1:
        uvicorn.run(create_app(settings), **common)
        return
    # worker processes build their app from the environment: hand them these settings
    os.environ.update({"LITWATCH_DB": str(settings.db.resolve()), "LITWATCH_PUBLIC_READ": "1" if settings.public_read else "0",
                       "LITWATCH_SECURE_COOKIES": settings.secure_cookies,
                       "LITWATCH_WEB_WORK_DIR": str(settings.work_dir.resolve())})
    uvicorn.run("litwatch.web.app:create_app", factory=True, workers=workers, **common)
