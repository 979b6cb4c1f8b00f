"""A small WebSub hub for loopback tests and ``tidings bench live``; not for production.

It does what W3C WebSub asks of a hub, on 127.0.0.1 only: takes ``hub.mode=subscribe`` /
``unsubscribe`` form POSTs (``202``), verifies intent by a GET on the callback with a random
``hub.challenge`` (in the background, or before answering with ``verify_first``), keeps the
verified subscriptions with their secret and lease, and distributes content (:meth:`push`)
with ``X-Hub-Signature`` in any of the four methods. Publish pings (``hub.mode=publish``)
are recorded. It can also serve the feeds it is the hub of (``documents``, at
``/feeds/<name>``). Every request it answered and every verification it made is kept, so tests
can assert on them.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tidings.websub.signature import sign


@dataclass
class HubSub:
    topic: str
    callback: str
    secret: str | None
    lease_seconds: int | None


@dataclass
class Verification:
    mode: str
    topic: str
    callback: str
    status: int
    echoed: bool  # the answer was exactly the challenge


@dataclass
class LoopbackHub:
    """The hub's state; :meth:`app` serves it (mount it on a loopback port)."""

    verify_first: bool = False  # verify before answering the subscription request
    refuse: bool = False  # answer every subscription request with a 500
    hold: bool = False  # accept requests but verify only on :meth:`release`
    held: list[dict[str, str]] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)
    verifications: list[Verification] = field(default_factory=list)
    pings: list[str] = field(default_factory=list)
    subscriptions: dict[tuple[str, str], HubSub] = field(default_factory=dict)
    documents: dict[str, bytes] = field(default_factory=dict)  # served at /feeds/<name>

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._tasks: set[asyncio.Future[None]] = set()

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hub", self._hub, methods=["POST"]),
                                 Route("/feeds/{name}", self._document, methods=["GET"])])

    async def _document(self, request: Request) -> Response:
        found = self.documents.get(request.path_params["name"])
        if found is None:
            return PlainTextResponse("no such feed", status_code=404)
        return Response(found, media_type="application/atom+xml")

    async def _hub(self, request: Request) -> Response:
        items = [(k, v) for k, v in (await request.form()).multi_items() if isinstance(v, str)]
        form = dict(items)
        with self._changed:
            self.requests.append(form)
            if form.get("hub.mode") == "publish":
                self.pings.extend(v for k, v in items if k == "hub.url")
                self._changed.notify_all()
                return PlainTextResponse("", status_code=204)
        if self.refuse:
            return PlainTextResponse("no", status_code=500)
        if form.get("hub.mode") not in ("subscribe", "unsubscribe") or not all(
                form.get(k) for k in ("hub.topic", "hub.callback")):
            return PlainTextResponse("bad request", status_code=400)
        if self.hold:
            with self._changed:
                self.held.append(form)
        elif self.verify_first:
            await asyncio.to_thread(self.verify, form)
        else:
            task = asyncio.create_task(asyncio.to_thread(self.verify, form))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return PlainTextResponse("", status_code=202)

    def release(self) -> None:
        """Verify the requests held back while ``hold`` was set."""
        with self._changed:
            held, self.held = self.held, []
        for form in held:
            self.verify(form)

    def verify(self, form: dict[str, str]) -> None:
        """Verification of intent for one request: GET the callback with a challenge."""
        mode, topic, callback = form["hub.mode"], form["hub.topic"], form["hub.callback"]
        challenge = secrets.token_urlsafe(16)
        raw_lease = form.get("hub.lease_seconds", "")
        lease = int(raw_lease) if raw_lease.isdigit() else 3600
        query = {"hub.mode": mode, "hub.topic": topic, "hub.challenge": challenge}
        if mode == "subscribe":
            query["hub.lease_seconds"] = str(lease)
        try:
            resp = httpx2.get(callback, params=query, timeout=10, trust_env=False)
            status, echoed = resp.status_code, resp.text == challenge
        except httpx2.HTTPError:
            status, echoed = 0, False
        with self._changed:
            self.verifications.append(Verification(mode, topic, callback, status, echoed))
            if 200 <= status < 300 and echoed:
                if mode == "subscribe":
                    self.subscriptions[(topic, callback)] = HubSub(
                        topic, callback, form.get("hub.secret"), lease)
                else:
                    self.subscriptions.pop((topic, callback), None)
            self._changed.notify_all()

    def wait_for(self, check: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Wait until ``check()`` (called under the hub's lock) is true."""
        with self._changed:
            return bool(self._changed.wait_for(check, timeout))

    def subscribers(self, topic: str) -> list[HubSub]:
        with self._lock:
            return [s for s in self.subscriptions.values() if s.topic == topic]

    def push(self, topic: str, body: bytes, *, method: str = "sha256",
             content_type: str = "application/atom+xml", signature: str | None = None,
             client: httpx2.Client | None = None) -> list[int]:
        """Distribute ``body`` to every subscriber of ``topic``; their answers' statuses.

        ``signature`` replaces the proper one (a forgery, for tests)."""
        own = client is None
        http = client or httpx2.Client(trust_env=False, timeout=10)
        try:
            statuses = []
            for sub in self.subscribers(topic):
                headers = {"content-type": content_type}
                if signature is not None:
                    headers["x-hub-signature"] = signature
                elif sub.secret:
                    headers["x-hub-signature"] = sign(sub.secret, body, method)
                statuses.append(http.post(sub.callback, content=body,
                                          headers=headers).status_code)
            return statuses
        finally:
            if own:
                http.close()
