"""How `litwatch serve` runs the app under uvicorn.

With several worker processes uvicorn binds the listening socket itself, as a socket whose
protocol number is 0; asyncio then does not recognise the accepted connections as TCP and leaves
Nagle's algorithm on, so every response waited ~40 ms for the client's delayed ACK (measured:
5 ms a page with one process, 45 ms with two). This protocol sets TCP_NODELAY on each connection.
"""

from __future__ import annotations

import socket

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Base
except ImportError:  # httptools not installed: uvicorn's pure-Python parser
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Base  # type: ignore[assignment]

__all__ = ["NoDelayProtocol", "PROTOCOL"]

PROTOCOL = "litwatch.web.serving:NoDelayProtocol"


class NoDelayProtocol(_Base):  # type: ignore[misc, valid-type]
    def connection_made(self, transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        super().connection_made(transport)
