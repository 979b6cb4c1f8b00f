"""A loopback HTTP server for tests: register routes, then fetch from 127.0.0.1.

Reusable by any test module: ``from fixtures_server import FixtureServer`` (pytest puts
``tests/`` on the import path), or the ``feed_server`` fixture defined here and re-exported by
``tests/ingest/conftest.py`` and ``tests/cli/conftest.py``.

Routes answer conditional requests (ETag / Last-Modified → 304), can delay before answering or
between headers and body (timeouts), and every request is recorded so tests can count 304s.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

Handler = Callable[["Request"], tuple[int, dict[str, str], bytes]]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0  # before the status line
    body_delay: float = 0.0  # after the headers, before the body
    handler: Handler | None = None


@dataclass
class Hit:
    path: str
    status: int
    headers: dict[str, str]


class FixtureServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server._answer(self)

        class _Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # clients hanging up mid-request are expected (timeouts, caps)

        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,),
                                        daemon=True)

    def start(self) -> FixtureServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes | str = b"", *, status: int = 200,
            headers: dict[str, str] | None = None, content_type: str | None = None,
            **options: object) -> str:
        """Register ``path`` and return its full URL."""
        data = body.encode() if isinstance(body, str) else body
        hdrs = dict(headers or {})
        if content_type:
            hdrs["Content-Type"] = content_type
        self.routes[path] = Route(status=status, body=data, headers=hdrs, **options)  # type: ignore[arg-type]
        return self.url(path)

    def redirect(self, path: str, target: str, status: int = 301) -> str:
        return self.add(path, status=status, headers={"Location": target})

    def count(self, path: str | None = None, status: int | None = None) -> int:
        with self._lock:
            return sum(1 for h in self.hits if (path is None or h.path == path)
                       and (status is None or h.status == status))

    def requests(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path]

    def _answer(self, http: BaseHTTPRequestHandler) -> None:
        path = http.path
        headers = {k.lower(): v for k, v in http.headers.items()}
        route = self.routes.get(path) or self.routes.get(path.split("?")[0])
        status, out_headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
        if route is not None:
            if route.delay:
                time.sleep(route.delay)
            if route.handler is not None:
                status, out_headers, body = route.handler(Request("GET", path, headers))
            else:
                status, out_headers, body = route.status, dict(route.headers), route.body
                if route.etag:
                    out_headers["ETag"] = route.etag
                if route.last_modified:
                    out_headers["Last-Modified"] = route.last_modified
                fresh = (route.etag and headers.get("if-none-match") == route.etag) or (
                    not route.etag and route.last_modified
                    and headers.get("if-modified-since") == route.last_modified)
                if fresh and status == 200:
                    status, body = 304, b""
        with self._lock:
            self.hits.append(Hit(path, status, headers))
        http.send_response(status)
        for name, value in out_headers.items():
            http.send_header(name, value)
        if "content-length" not in {k.lower() for k in out_headers}:
            http.send_header("Content-Length", str(len(body)))
        http.end_headers()
        if route is not None and route.body_delay:
            http.wfile.flush()
            time.sleep(route.body_delay)
        if status != 304:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                http.wfile.write(body)


@pytest.fixture
def feed_server() -> Iterator[FixtureServer]:
    server = FixtureServer().start()
    try:
        yield server
    finally:
        server.close()
