"""What the tests' loopback HTTP servers share: served from a daemon thread inside `with`, on
127.0.0.1 at a port the system chose."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer


class ServedInThread:
    """Subclasses set `self._server` (bound to ("127.0.0.1", 0)) in their __init__."""

    _server: ThreadingHTTPServer

    def __enter__(self):
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"
