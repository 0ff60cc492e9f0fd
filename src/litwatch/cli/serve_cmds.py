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
    work_dir: Optional[Path] = typer.Option(None, "--work-dir", help="Folder for report drafts and uploads."),
) -> None:
    """Serve the web app: browse, screen together (keys i/e/u/s/n), resolve conflicts, build and
    publish reports, start fetches and refreshes. Every page has a JSON twin (path + .json).

    Example: litwatch serve --db litwatch.db --port 8000 --public-read
    """
    import uvicorn

    from litwatch.store import open_store
    from litwatch.web import WebSettings, create_app

    with open_store(db) as store:  # fail early, with one line, on a bad database
        from litwatch.accounts import list_users

        if not list_users(store):
            err_console.print("No users yet: add one with `litwatch users add NAME --role admin`.",
                              highlight=False, markup=False)
    settings = WebSettings.from_env(db, public_read=public_read or None, work_dir=work_dir,
                                    secure_cookies=None if secure_cookies is None else ("1" if secure_cookies else "0"))
    if public_read:
        settings.public_read = True
    web = create_app(settings)
    err_console.print(f"litwatch on http://{host}:{port}/ (database {settings.db})", highlight=False, markup=False)
    uvicorn.run(web, host=host, port=port, log_level="warning", proxy_headers=proxy_headers,
                forwarded_allow_ips="127.0.0.1" if proxy_headers else None)
