"""A loopback server laid out like NLM's PubMed file server, with faults.

    /pubmed/baseline/               an HTML index of the files and their .md5 files
    /pubmed/baseline/NAME           the file (Range requests answered with 206 / 416)
    /pubmed/baseline/NAME.md5       "MD5(NAME)= <hex>"
    /pubmed/updatefiles/...         the same

Faults, per file name: "bad-md5" (the .md5 names another checksum), "drop" (the first GET
sends the headers and half the body, then closes the connection), "slow" (the body comes in
4 KiB pieces, 40 ms apart). Every request is logged with its Range header. Only binds 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.serving import ServedInThread

__all__ = ["NlmServer"]


class NlmServer(ServedInThread):
    def __init__(self, sections: dict[str, dict[str, bytes]], faults: dict[str, str] | None = None) -> None:
        self.sections = sections  # "baseline" | "updatefiles" -> name -> bytes
        self.faults = dict(faults or {})
        self.log: list[tuple[str, str | None]] = []  # (path, Range header)
        self._dropped: set[str] = set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"{self.base}/pubmed/"

    def requests_for(self, name: str) -> list[str | None]:
        return [rng for path, rng in self.log if path.endswith("/" + name)]

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                server.log.append((self.path, self.headers.get("Range")))
                parts = self.path.strip("/").split("/")
                if len(parts) < 2 or parts[0] != "pubmed" or parts[1] not in server.sections:
                    return self._send(404, b"not found")
                files = server.sections[parts[1]]
                if len(parts) == 2:
                    links = "".join(f'<a href="{n}">{n}</a> <a href="{n}.md5">{n}.md5</a>\n' for n in files)
                    return self._send(200, f"<html><body><pre>{links}</pre></body></html>".encode(), "text/html")
                name = parts[2]
                if name.endswith(".md5") and name[:-4] in files:
                    real = name[:-4]
                    digest = hashlib.md5(files[real]).hexdigest()
                    if server.faults.get(real) == "bad-md5":
                        digest = hashlib.md5(b"another file").hexdigest()
                    return self._send(200, f"MD5({real})= {digest}\n".encode())
                if name not in files:
                    return self._send(404, b"not found")
                self._file(name, files[name])

            def _file(self, name: str, data: bytes) -> None:
                start, rng = 0, self.headers.get("Range")
                if rng and rng.startswith("bytes=") and rng.endswith("-"):
                    start = int(rng[6:-1])
                    if start >= len(data):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(data)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                body = data[start:]
                self.send_response(206 if start else 200)
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.send_header("Content-Type", "application/x-gzip")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                fault = server.faults.get(name)
                if fault == "drop" and name not in server._dropped:
                    server._dropped.add(name)
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if fault == "slow":
                    for i in range(0, len(body), 4096):
                        self.wfile.write(body[i : i + 4096])
                        self.wfile.flush()
                        time.sleep(0.04)
                    return
                self.wfile.write(body)

            def _send(self, status: int, body: bytes, ctype: str = "text/plain") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def read_sections(folder: Path) -> dict[str, dict[str, bytes]]:
    return {s.name: {f.name: f.read_bytes() for f in sorted(s.iterdir())} for s in sorted(folder.iterdir())}
