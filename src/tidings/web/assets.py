"""The site's own static files (CSS), held in memory: they are few, small and never change
while a process runs, so serving them costs no file system call or thread hop."""

from __future__ import annotations

import hashlib
import mimetypes
from email.utils import formatdate
from pathlib import Path

from starlette.types import Receive, Scope, Send

from tidings.web.fastpath import fresh_etag


def _route_path(scope: Scope) -> str:
    """The path below the mount point (Starlette's Mount moves the prefix to root_path)."""
    path, root = str(scope["path"]), str(scope.get("root_path", ""))
    return path[len(root):] if root and path.startswith(root) else path


class StaticAssets:
    def __init__(self, directory: Path):
        self.files: dict[str, tuple[bytes, bytes, bytes]] = {}
        stamp = formatdate(usegmt=True).encode()
        for path in sorted(directory.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                body = path.read_bytes()
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                if kind.startswith("text/"):
                    kind += "; charset=utf-8"
                etag = b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'
                self.files["/" + path.relative_to(directory).as_posix()] = (body, kind.encode(),
                                                                             etag)
        self.last_modified = stamp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.files.get(_route_path(scope)) if scope["type"] == "http" else None
        if found is None or scope["method"] not in ("GET", "HEAD"):
            status = 404 if found is None else 405
            body = b"Not found.\n" if found is None else b"Method not allowed.\n"
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        body, kind, etag = found
        headers = [(b"etag", etag), (b"last-modified", self.last_modified),
                   (b"cache-control", b"public, max-age=86400")]
        if fresh_etag(scope, etag):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers += [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body",
                    "body": body if scope["method"] == "GET" else b""})
