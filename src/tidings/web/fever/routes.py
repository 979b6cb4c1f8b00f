"""``/api/fever.php``: one endpoint, selectors by presence, the key in ``api_key``.

A missing or wrong key is HTTP 200 ``{"api_version": 3, "auth": 0}`` (what Fever clients
check); wrong keys count against the per-address sign-in limit like any failed sign-in.
A ``mark`` is applied first, then the selectors are answered, so one request can change
state and read the result (``unread_item_ids`` or ``saved_item_ids`` is echoed after a mark,
as FreshRSS does).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.config import Settings
from tidings.errors import BadParam, TidingsError
from tidings.operations import accounts
from tidings.operations.reading import StreamQuery
from tidings.store import Store
from tidings.web import auth
from tidings.web.fever import shapes
from tidings.web.fever.args import (
    PAGE,
    ItemsQuery,
    Mark,
    MarkAs,
    MarkKind,
    api_key,
    items_query,
    mark,
    selectors,
)
from tidings.web.formargs import read_args
from tidings.web.responses import api_error
from tidings.web.signinlimit import SignInLimit
from tidings.web.syncapi import error_answer, json_answer
from tidings.web.syncdata import SyncData
from tidings.web.syncitems import SyncItem

PATH = "/api/fever.php"
LIMIT_NAME = "fever api_key"
UNREAD = StreamQuery(unread_only=True)
SAVED = StreamQuery(kind="starred")


class Fever:
    def __init__(self, settings: Settings, store: Store):
        self.store = store
        self.data = SyncData(settings, store)
        self.limit = SignInLimit(store.users, auth.load_secret(settings))

    async def endpoint(self, request: Request) -> Response:
        try:
            args = await read_args(request)
            address = auth.client_address(request)
            wait = await self.limit.wait_seconds(address, LIMIT_NAME)
            if wait is not None:
                return api_error(429, "too many wrong API keys; try again later",
                                 {"retry-after": str(wait)})
            key = api_key(args)
            user = await run_in_threadpool(accounts.user_for_fever_key, self.store, key) \
                if key else None
            if user is None:
                if args.get("api_key"):
                    await self.limit.failed(address, LIMIT_NAME)
                return json_answer(shapes.refused())
            wanted = mark(args)
            answer = await run_in_threadpool(self.answer, user.id, wanted, selectors(args),
                                             items_query(args))
            return json_answer(answer)
        except TidingsError as exc:
            return error_answer(exc)

    def answer(self, user_id: int, wanted: Mark | None, selected: list[str],
               query: ItemsQuery) -> dict[str, Any]:
        out = shapes.base(datetime.now(UTC))
        if wanted is not None:
            self.apply(user_id, wanted)
            selected.append("saved_item_ids" if wanted.as_ in (MarkAs.SAVED, MarkAs.UNSAVED)
                            else "unread_item_ids")
        for name in dict.fromkeys(selected):
            out |= self.select(user_id, name, query)
        return out

    def select(self, user_id: int, name: str, query: ItemsQuery) -> dict[str, Any]:
        if name == "groups":
            feeds = self.data.feeds(user_id)
            return {"groups": shapes.groups(self.data.folders(user_id)),
                    "feeds_groups": shapes.feeds_groups(feeds)}
        if name == "feeds":
            feeds = self.data.feeds(user_id)
            return {"feeds": [shapes.feed(f) for f in feeds],
                    "feeds_groups": shapes.feeds_groups(feeds)}
        if name == "favicons":
            return {"favicons": shapes.favicons()}
        if name == "items":
            return shapes.items(self.items(user_id, query), self.data.count(user_id))
        if name == "links":
            return {"links": []}
        ids = self.data.all_ids(user_id, UNREAD if name == "unread_item_ids" else SAVED)
        return {name: shapes.join_ids(ids)}

    def items(self, user_id: int, query: ItemsQuery) -> list[SyncItem]:
        """``with_ids`` as asked; else 50 after ``since_id`` (ascending) or before ``max_id``
        (descending), both exclusive; else the newest 50."""
        if query.with_ids is not None:
            return self.data.items(user_id, query.with_ids)
        if query.since_id is not None:
            page = StreamQuery(oldest_first=True, limit=PAGE, continuation=str(query.since_id))
        elif query.max_id is not None:
            page = StreamQuery(limit=PAGE, continuation=str(query.max_id))
        else:
            page = StreamQuery(limit=PAGE)
        return self.data.query_items(user_id, page)

    def apply(self, user_id: int, wanted: Mark) -> None:
        if wanted.kind is MarkKind.ITEM:
            if wanted.as_ in (MarkAs.READ, MarkAs.UNREAD):
                self.data.set_read(user_id, [wanted.id], wanted.as_ is MarkAs.READ)
            else:
                self.data.set_starred(user_id, [wanted.id], wanted.as_ is MarkAs.SAVED)
            return
        if wanted.as_ is not MarkAs.READ:
            raise BadParam(f"a {wanted.kind} can only be marked read")
        if wanted.kind is MarkKind.FEED:
            scope = StreamQuery(kind="source", ref=wanted.id)
        elif wanted.id == 0:  # group 0: every subscription
            scope = StreamQuery()
        else:
            scope = StreamQuery(kind="folder", ref=wanted.id)
        self.data.mark_all_read(user_id, scope, wanted.before)


def routes(settings: Settings, store: Store) -> list[BaseRoute]:
    fever = Fever(settings, store)
    return [Route(PATH, fever.endpoint, methods=["GET", "POST"])]
