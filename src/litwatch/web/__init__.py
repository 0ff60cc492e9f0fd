"""The web app: a team browses the library, screens together and publishes reports.

    from litwatch.web import create_app, WebSettings
    app = create_app(WebSettings(db=Path("litwatch.db"), public_read=True))   # an ASGI app

`litwatch serve` runs it under uvicorn. Every page has a JSON twin (the same path + `.json`);
templates are found in LITWATCH_TEMPLATES_DIR first, then in the package; scripts and styles
ship in the package (web/static), nothing loads from elsewhere.
"""

from litwatch.web.app import create_app
from litwatch.web.settings import WEB_SETTINGS, WebSettings

__all__ = ["create_app", "WebSettings", "WEB_SETTINGS"]
