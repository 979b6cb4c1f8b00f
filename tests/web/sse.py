"""A small Server-Sent Events reader for tests: the stream is read on a thread, and events are
taken from a queue with a bounded wait, so a test never blocks on a stream that stays open."""

from __future__ import annotations

import contextlib
import http.client
import queue
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import orjson


@dataclass
class Event:
    event: str = "message"
    id: str | None = None
    data: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return orjson.loads(self.data)


class EventStream:
    """``http.client`` underneath: closing shuts the socket down, which ends a blocked read at
    once and shows the server a disconnect (a pooled client would wait for the next byte)."""

    def __init__(self, url: str, headers: dict[str, str] | None = None):
        parts = urlsplit(url)
        self._conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port,
                                                timeout=5)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        self._conn.request("GET", target, headers=headers or {})
        self.response = self._conn.getresponse()
        assert self._conn.sock is not None
        self._conn.sock.settimeout(None)
        self.status = self.response.status
        self.headers = {k.lower(): v for k, v in self.response.getheaders()}
        self.comments: list[str] = []
        self.retry: int | None = None
        self._queue: queue.Queue[Event | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, daemon=True)
        if self.status == 200:
            self._thread.start()

    def _read(self) -> None:
        current = Event()
        data: list[str] = []
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\r\n")
                if line == "":
                    if data or current.id is not None:
                        current.data = "\n".join(data)
                        self._queue.put(current)
                    current, data = Event(), []
                elif line.startswith(":"):
                    self.comments.append(line[1:].strip())
                else:
                    name, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    if name == "data":
                        data.append(value)
                    elif name == "event":
                        current.event = value
                    elif name == "id":
                        current.id = value
                    elif name == "retry":
                        self.retry = int(value)
                    current.fields[name] = value
        except (OSError, http.client.HTTPException, ValueError):
            pass  # closed by the test, or by the server
        finally:
            self._queue.put(None)

    def next(self, timeout: float = 3.0) -> Event | None:
        """The next event, or None when none came within ``timeout`` (or the stream ended)."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def take(self, count: int, timeout: float = 5.0) -> list[Event]:
        """Up to ``count`` events, waiting at most ``timeout`` seconds in all."""
        found: list[Event] = []
        deadline = time.monotonic() + timeout
        while len(found) < count and (left := deadline - time.monotonic()) > 0:
            event = self.next(left)
            if event is None:
                break
            found.append(event)
        return found

    def close(self) -> None:
        sock = self._conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._conn.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
