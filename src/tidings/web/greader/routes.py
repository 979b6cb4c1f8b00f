"""Where the Google Reader API lives: ``/api/greader`` + ``accounts/ClientLogin``,
``reader/api/0/…`` and ``reader/atom/{stream}``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.config import Settings
from tidings.store import Store
from tidings.web.greader import reading, session, subscriptions
from tidings.web.greader.context import GReader

BASE = "/api/greader"
API = f"{BASE}/reader/api/0"
GET = ["GET", "HEAD"]
POST = ["POST"]
BOTH = ["GET", "HEAD", "POST"]


def routes(settings: Settings, store: Store) -> list[BaseRoute]:
    api = GReader(settings, store)

    def signed_in(path: str, handler: Callable[..., Awaitable[Response]],
                  methods: list[str]) -> Route:
        return Route(path, api.signed_in(partial(handler, api)), methods=methods)

    return [
        Route(f"{BASE}/accounts/ClientLogin", api.public(partial(session.client_login, api)),
              methods=BOTH),
        signed_in(f"{API}/token", session.token, BOTH),
        signed_in(f"{API}/user-info", session.user_info, GET),
        signed_in(f"{API}/subscription/list", subscriptions.subscription_list, GET),
        signed_in(f"{API}/subscription/edit", subscriptions.subscription_edit, POST),
        signed_in(f"{API}/subscription/quickadd", subscriptions.quickadd, POST),
        signed_in(f"{API}/tag/list", subscriptions.tag_list, GET),
        signed_in(f"{API}/rename-tag", subscriptions.rename_tag, POST),
        signed_in(f"{API}/disable-tag", subscriptions.disable_tag, POST),
        signed_in(f"{API}/unread-count", reading.unread_count, GET),
        signed_in(f"{API}/stream/contents", reading.stream_contents, BOTH),
        signed_in(f"{API}/stream/contents/{{stream:path}}", reading.stream_contents, BOTH),
        signed_in(f"{API}/stream/items/ids", reading.item_ids, BOTH),
        signed_in(f"{API}/stream/items/contents", reading.item_contents, BOTH),
        signed_in(f"{API}/edit-tag", reading.edit_tag, POST),
        signed_in(f"{API}/mark-all-as-read", reading.mark_all_as_read, POST),
        signed_in(f"{BASE}/reader/atom", reading.stream_atom, GET),
        signed_in(f"{BASE}/reader/atom/{{stream:path}}", reading.stream_atom, GET),
    ]
