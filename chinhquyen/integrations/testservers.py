"""What every outside system's test double shares: a threading HTTP server that stays quiet
unless asked, and serving it from a thread on a free port (ARCHITECTURE.md: each adapter has a
test double speaking the real protocol over HTTP)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class QuietHandler(BaseHTTPRequestHandler):
    """Logs requests only when the server was started verbose (the `make run` console)."""

    def log_message(self, format: str, *args: Any) -> None:
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)


def make_threading_server(
    handler: type[BaseHTTPRequestHandler], host: str, port: int, verbose: bool
) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), handler)
    server.verbose = verbose  # type: ignore[attr-defined]
    return server


@contextmanager
def serving(server: ThreadingHTTPServer, host: str) -> Iterator[str]:
    """Serve from a thread until the block ends; yields the base URL."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
