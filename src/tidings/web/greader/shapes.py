"""The JSON shapes of the Google Reader API, as FreshRSS writes them (``toGReader``).

Item ids are long form in items, decimal in ``itemRefs``; categories use ``user/-/…``;
every item has a title, ``canonical`` and ``alternate`` links (Fluent Reader needs
``canonical``) and an ``origin``. The continuation is always a JSON string (a number broke
Reeder). Tag and category objects carry only ``id``, ``label`` and ``type``: one PyPI client
builds them with ``Tag(**obj)`` and fails on any other key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from tidings.web.greader.itemids import long_id, short_id
from tidings.web.greader.streams import State, feed_id, label_id, state_id
from tidings.web.syncitems import SyncFeed, SyncItem

READING_LIST = state_id(State.READING_LIST)
READ = state_id(State.READ)
STARRED = state_id(State.STARRED)


def usec(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def categories(item: SyncItem) -> list[str]:
    out = [READING_LIST]
    if item.folder:
        out.append(label_id(item.folder))
    if item.read:
        out.append(READ)
    if item.starred:
        out.append(STARRED)
    return out


def item_json(item: SyncItem, site_url: str | None) -> dict[str, Any]:
    crawled = usec(item.crawled_at)
    published = int(item.published_at.timestamp())
    links = [{"href": item.url}] if item.url else []
    origin = {"streamId": feed_id(item.feed_id), "title": item.feed_title,
              "htmlUrl": site_url or ""}
    return {
        "id": long_id(item.id),
        "crawlTimeMsec": str(crawled // 1000),
        "timestampUsec": str(crawled),
        "published": published,
        "updated": published,
        "title": item.title,
        "canonical": links,
        "alternate": [{**link, "type": "text/html"} for link in links],
        "summary": {"direction": "ltr", "content": item.html},
        "author": item.author or "",
        "categories": categories(item),
        "origin": origin,
        "enclosure": [],
    }


def stream_contents(stream_id: str, items: Sequence[SyncItem], site_urls: Mapping[int, str],
                    now: datetime, continuation: str | None) -> dict[str, Any]:
    """A page of items; ``site_urls`` gives each feed's site for ``origin.htmlUrl``."""
    out: dict[str, Any] = {
        "direction": "ltr",
        "id": stream_id,
        "title": "",
        "updated": int(now.timestamp()),
        "items": [item_json(item, site_urls.get(item.feed_id)) for item in items],
    }
    if continuation is not None:
        out["continuation"] = continuation
    return out


def item_refs(ids: Iterable[int], continuation: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"itemRefs": [{"id": short_id(i)} for i in ids]}
    if continuation is not None:
        out["continuation"] = continuation
    return out


def subscription_json(feed: SyncFeed) -> dict[str, Any]:
    return {
        "id": feed_id(feed.id),
        "title": feed.title,
        "categories": [{"id": label_id(feed.folder), "label": feed.folder}]
        if feed.folder else [],
        "url": feed.feed_url,
        "htmlUrl": feed.site_url or "",
        "iconUrl": "",
    }


def subscription_list(feeds: Iterable[SyncFeed]) -> dict[str, Any]:
    return {"subscriptions": [subscription_json(feed) for feed in feeds]}


def tag_list(folders: Iterable[str]) -> dict[str, Any]:
    tags: list[dict[str, str]] = [{"id": STARRED}]
    tags.extend({"id": label_id(name), "label": name, "type": "folder"} for name in folders)
    return {"tags": tags}


def user_info(user_id: int, name: str) -> dict[str, Any]:
    return {"userId": str(user_id), "userName": name, "userProfileId": str(user_id),
            "userEmail": ""}


def unread_entry(stream_id: str, count: int, newest: datetime | None) -> dict[str, Any]:
    return {"id": stream_id, "count": count,
            "newestItemTimestampUsec": str(usec(newest)) if newest else "0"}


def unread_counts(entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    most = max((int(e["count"]) for e in entries), default=0)
    return {"max": most, "unreadcounts": list(entries)}
