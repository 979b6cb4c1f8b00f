"""``GET /api/events``: Server-Sent Events for new articles and stories gaining an outlet.

Events travel through the store (``tidings.store.events``), so every web process sees every
change, whichever process or worker made it. Each process runs ONE poller
(:class:`EventHub`) that reads the log from the last id it saw while anyone listens, encodes
each event once and hands the bytes to every open stream's queue. A stream that reconnects
with ``Last-Event-ID`` (the header, or ``?last_event_id=`` for clients that cannot set it)
first gets what it missed from the store, then the live events after that, skipping any id it
already has, so nothing is lost or repeated. A stream that falls too far behind is ended (its
client reconnects and resumes from the store) instead of buffering without bound.

sse-starlette writes the stream: heartbeat comments, the end of the stream when the client
leaves or uvicorn shuts down (so shutdown does not wait on open streams), a send timeout for
stalled clients. The overload guard (``web.security``) bounds how many streams are open.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import timedelta

import orjson
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.errors import TidingsError, one_line
from tidings.store.events import ARTICLE, StoredEvent
from tidings.web.data import iso, web_url
from tidings.web.responses import api_error
from tidings.web.security import EVENTS_PATH
from tidings.web.site import Site

log = logging.getLogger(__name__)

#: events waiting for one stream before it is ended as too slow (it resumes from the store)
QUEUE_SIZE = 1000
#: events read from the store per query
PAGE = 500
#: seconds between heartbeat comments (proxies close idle connections)
PING_SECONDS = 15
#: a stream whose client takes longer than this to accept one write is ended
SEND_TIMEOUT = 30.0
#: how long a client waits before reconnecting (the ``retry:`` field), in milliseconds
RETRY_MS = 2000
#: seconds between two prunings of the event log by one process
PRUNE_EVERY = 600.0
SEP = "\n"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One event, encoded once for every stream."""

    id: int
    data: bytes


Queue = asyncio.Queue[Outgoing | None]


class EventHub:
    """One poller per process and the queues of its open streams."""

    def __init__(self, site: Site):
        self.site = site
        self.events = site.store.events
        self.poll_seconds = site.settings.events_poll_seconds
        self.keep = timedelta(hours=site.settings.events_keep_hours)
        self.listeners: set[Queue] = set()
        self.cursor: int | None = None  # the last id handed out; None while nobody listens
        self.sent = 0
        self._task: asyncio.Task[None] | None = None
        self._pruned_at = -PRUNE_EVERY

    # -- the poller ------------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="tidings-events")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for queue in list(self.listeners):
            self._end(queue)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            try:
                if self.listeners:
                    await self.poll()
                else:
                    self.cursor = None
                if time.monotonic() - self._pruned_at >= PRUNE_EVERY:
                    self._pruned_at = time.monotonic()
                    await asyncio.to_thread(self.prune)
            except TidingsError as exc:  # the store restarting must not end the poller
                log.warning("reading live events failed", extra={"error": one_line(exc)})

    async def poll(self) -> int:
        """Hand every event after the cursor to every stream; how many there were."""
        cursor = self.cursor
        if cursor is None:
            return 0
        handed = 0
        while True:
            batch = await asyncio.to_thread(self.read, cursor)
            if self.cursor != cursor or not batch:
                return handed
            for out in batch:
                for queue in list(self.listeners):
                    self._offer(queue, out)
            cursor = self.cursor = batch[-1].id
            handed += len(batch)
            self.sent += len(batch)
            if len(batch) < PAGE:
                return handed

    def prune(self) -> None:
        now = self.site.cache.clock()
        gone = self.events.prune(now - self.keep)
        if gone:
            log.debug("live events pruned", extra={"events": gone})

    def _offer(self, queue: Queue, out: Outgoing) -> None:
        try:
            queue.put_nowait(out)
        except asyncio.QueueFull:
            log.info("live stream too slow; ended (it resumes from the store)")
            self._end(queue)

    def _end(self, queue: Queue) -> None:
        self.listeners.discard(queue)
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(None)

    # -- encoding --------------------------------------------------------------------------

    def read(self, after: int, upto: int | None = None) -> list[Outgoing]:
        """Events after ``after`` (up to ``upto``), encoded, with labels as of now.
        Runs in a thread: it queries the store."""
        found = self.events.after(after, PAGE)
        if upto is not None:
            found = [e for e in found if e.id <= upto]
        return self.encode(found)

    def encode(self, found: Sequence[StoredEvent]) -> list[Outgoing]:
        data = self.site.data
        now = self.site.cache.clock()
        sources = data.sources_by_id(now)
        out = []
        for e in found:
            if e.title is None:  # the article was deleted since: nothing to show
                out.append(Outgoing(e.id, b""))
                continue
            if e.kind == ARTICLE:
                source = sources.get(e.source_id) if e.source_id is not None else None
                payload = {"id": e.article_id, "title": e.title, "url": web_url(e.url),
                           "source": data.source_dict(source), "story_id": e.story_id,
                           "time_label": data.label(e.published_at, now),
                           "published_at": iso(e.published_at), "views": e.views}
            else:
                payload = {"id": e.story_id, "title": e.story_title, "outlets": e.outlets,
                           "article_id": e.article_id}
            message = ServerSentEvent(orjson.dumps(payload).decode(), event=e.kind,
                                      id=str(e.id), sep=SEP)
            out.append(Outgoing(e.id, message.encode()))
        return out

    # -- one stream ------------------------------------------------------------------------

    async def subscribe(self) -> tuple[Queue, int]:
        """A queue that gets every event after the returned id (the hub's cursor now)."""
        if self.cursor is None:
            newest = await asyncio.to_thread(self.events.last_id)
            if self.cursor is None:  # another stream may have set it meanwhile
                self.cursor = newest
        queue: Queue = asyncio.Queue(QUEUE_SIZE)
        self.listeners.add(queue)  # no await since reading the cursor: nothing slips between
        return queue, self.cursor

    async def stream(self, queue: Queue, upto: int, after: int | None) -> AsyncIterator[bytes]:
        """A client's events: those after ``after`` up to ``upto`` from the store, then the
        live ones from ``queue`` (see :meth:`subscribe`), none twice."""
        try:
            yield ServerSentEvent(retry=RETRY_MS, sep=SEP).encode()
            last = upto if after is None else after
            while last < upto:
                missed = await asyncio.to_thread(self.read, last, upto)
                if not missed:
                    break
                for old in missed:
                    if old.data:
                        yield old.data
                last = missed[-1].id
            while (new := await queue.get()) is not None:
                if new.id > last:
                    last = new.id
                    if new.data:
                        yield new.data
        finally:
            self.listeners.discard(queue)


def _last_event_id(request: Request) -> int | None:
    raw = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    if not text.isdigit() or len(text) > 18:
        raise ValueError(f"Last-Event-ID must be a non-negative integer, got {text[:40]!r}")
    return int(text)


def routes(hub: EventHub) -> list[BaseRoute]:
    async def events(request: Request) -> Response:
        try:
            after = _last_event_id(request)
        except ValueError as exc:
            return api_error(400, str(exc))
        headers = {"cache-control": "no-store"}
        if request.method == "HEAD":
            return Response(media_type="text/event-stream", headers=headers)
        # listening starts now, before the answer: an event stored once the client has the
        # headers is never missed (a stream dropped before it starts is ended as too slow)
        queue, upto = await hub.subscribe()
        return EventSourceResponse(hub.stream(queue, upto, after), ping=PING_SECONDS,
                                   sep=SEP, send_timeout=SEND_TIMEOUT, headers=headers)

    return [Route(EVENTS_PATH, events, methods=["GET", "HEAD"])]
