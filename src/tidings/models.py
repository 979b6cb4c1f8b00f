"""Plain data passed between the stages. No I/O here.

Times are timezone-aware UTC ``datetime`` objects everywhere inside tidings; conversion to the
reader's zone happens only when rendering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class Source:
    """An outlet (a site). Owns one or more feeds; "independent outlets" means distinct sources."""

    id: int | None
    name: str
    url: str | None = None
    category: str | None = None
    fulltext: str = "auto"  # auto | always | never
    language: str | None = None
    paused: bool = False


@dataclass(slots=True)
class Feed:
    id: int | None
    source_id: int | None
    url: str
    title: str | None = None
    site_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    next_check_at: datetime | None = None
    last_checked_at: datetime | None = None
    error_count: int = 0
    last_error: str | None = None
    disabled: bool = False
    poll_interval: int | None = None  # seconds; None means adaptive


@dataclass(slots=True)
class Entry:
    """One item as parsed from a feed, before it is stored."""

    key: str  # stable entry key: GUID, else link, else hash of title+content
    guid: str | None
    url: str | None
    title: str
    author: str | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    summary: str | None = None
    content_html: str | None = None  # already sanitized
    content_text: str | None = None
    image_url: str | None = None
    language: str | None = None
    categories: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ParsedFeed:
    """A parsed feed document: its own metadata and its entries."""

    title: str | None
    site_url: str | None
    language: str | None
    entries: list[Entry]
    ttl_seconds: int | None = None  # RSS <ttl>, sy:updatePeriod and friends
    format: str = "unknown"  # rss20, rss10, atom10, json11, ...


@dataclass(slots=True)
class Article:
    id: int | None
    feed_id: int | None
    source_id: int | None
    entry_key: str
    url: str | None
    title: str
    canonical_url: str | None = None
    guid: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    fetched_at: datetime | None = None
    summary: str | None = None
    content_html: str | None = None
    content_text: str | None = None
    image_url: str | None = None
    language: str | None = None
    attribution: str | None = None
    views: int = 0
    story_id: int | None = None
    duplicate_of: int | None = None


@dataclass(slots=True)
class Story:
    id: int | None
    title: str
    first_published_at: datetime | None = None
    last_published_at: datetime | None = None
    article_ids: list[int] = field(default_factory=list)
    views: int = 0
    score: float = 0.0
    merged_into: int | None = None
