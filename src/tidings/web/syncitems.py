"""What the sync APIs (Google Reader, Fever) show of a reader's subscriptions and articles.

Both protocols write the same few facts in their own shapes; these two records are that
common ground, built from the reader operations' answers and shown by the protocol modules.
``html`` is sanitized again when it is built (:func:`tidings.sanitize.sanitize_html` runs
last, whatever was stored).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SyncFeed:
    """One subscription: a source as this reader sees it (its own title, its folder)."""

    id: int  # the source id; ``feed/<id>`` in Google Reader, ``feed_id`` in Fever
    title: str
    feed_url: str
    site_url: str | None = None
    folder: str | None = None
    folder_id: int | None = None
    updated_at: datetime | None = None  # when it last brought new articles


@dataclass(frozen=True, slots=True)
class SyncItem:
    """One article with this reader's state, and where it came from as this reader names it."""

    id: int
    feed_id: int
    feed_title: str
    title: str
    url: str | None
    published_at: datetime
    crawled_at: datetime
    html: str = ""
    author: str | None = None
    read: bool = False
    starred: bool = False
    folder: str | None = None
