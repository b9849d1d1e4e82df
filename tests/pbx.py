"""A phone system's originate endpoint for tests: a real HTTP server on a free local port.

It records every request and answers with the status it is told to; the
tests point a CTI account's ``originate_url`` at it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Originated:
    """One request the phone system received."""

    method: str
    path: str
    query: dict[str, list[str]]


class FakePbx:
    """The server's state: what it was asked, and what it answers."""

    def __init__(self) -> None:
        self.requests: list[Originated] = []
        self.status = 200
        self.body = b"OK"
        self._lock = threading.Lock()
        self.port = 0

    @property
    def url(self) -> str:
        """An originate URL template for this server."""
        return f"http://127.0.0.1:{self.port}/originate?ext={{extension}}&to={{number}}"

    def record(self, method: str, target: str) -> tuple[int, bytes]:
        parts = urlsplit(target)
        with self._lock:
            self.requests.append(Originated(method, parts.path, parse_qs(parts.query)))
            return self.status, self.body


def _handler(pbx: FakePbx) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            status, body = pbx.record(self.command, self.path)
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer  # http.server's naming

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: pytest shows what matters."""

    return Handler


@contextmanager
def running_pbx() -> Iterator[FakePbx]:
    """A FakePbx serving on 127.0.0.1 until the block ends."""
    pbx = FakePbx()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(pbx))
    server.daemon_threads = True
    pbx.port = server.server_address[1]
    # A short poll: shutdown() waits for the serving loop to notice it.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), name="fake-pbx",
                              daemon=True)
    thread.start()
    try:
        yield pbx
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
