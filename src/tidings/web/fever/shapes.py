"""Fever's objects, with every field its clients read.

Ids and times are numbers, ``feeds_groups.feed_ids``, ``unread_item_ids`` and
``saved_item_ids`` comma-separated strings, booleans 0 or 1. Every subscription shares one
blank favicon (Fever's fields say every feed has one; tidings keeps no icons).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from tidings.web.syncitems import SyncFeed, SyncItem

API_VERSION = 3
FAVICON_ID = 1
#: a 1×1 transparent GIF
BLANK_FAVICON = "image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


def base(last_refreshed: datetime | None) -> dict[str, Any]:
    return {"api_version": API_VERSION, "auth": 1,
            "last_refreshed_on_time": _seconds(last_refreshed)}


def refused() -> dict[str, Any]:
    """A wrong or missing key: HTTP 200 all the same, as Fever clients expect."""
    return {"api_version": API_VERSION, "auth": 0}


def groups(folders: Iterable[tuple[int, str]]) -> list[dict[str, Any]]:
    return [{"id": folder_id, "title": name} for folder_id, name in folders]


def feeds_groups(feeds: Iterable[SyncFeed]) -> list[dict[str, Any]]:
    members: dict[int, list[int]] = {}
    for feed in feeds:
        if feed.folder_id is not None:
            members.setdefault(feed.folder_id, []).append(feed.id)
    return [{"group_id": group, "feed_ids": join_ids(ids)}
            for group, ids in sorted(members.items())]


def feed(feed: SyncFeed) -> dict[str, Any]:
    return {"id": feed.id, "favicon_id": FAVICON_ID, "title": feed.title,
            "url": feed.feed_url, "site_url": feed.site_url or "", "is_spark": 0,
            "last_updated_on_time": _seconds(feed.updated_at)}


def favicons() -> list[dict[str, Any]]:
    return [{"id": FAVICON_ID, "data": BLANK_FAVICON}]


def item(item: SyncItem) -> dict[str, Any]:
    return {"id": item.id, "feed_id": item.feed_id, "title": item.title,
            "author": item.author or "", "html": item.html, "url": item.url or "",
            "is_saved": int(item.starred), "is_read": int(item.read),
            "created_on_time": int(item.published_at.timestamp())}


def items(found: Sequence[SyncItem], total: int) -> dict[str, Any]:
    return {"total_items": total, "items": [item(i) for i in found]}


def join_ids(ids: Iterable[int]) -> str:
    return ",".join(str(i) for i in ids)


def _seconds(moment: datetime | None) -> int:
    return int(moment.timestamp()) if moment is not None else 0
