"""Plain data passed between the stages. No I/O here.

Times are timezone-aware UTC ``datetime`` objects everywhere inside tidings; conversion to the
reader's zone happens only when rendering.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ExtractState(StrEnum):
    """``articles.extract_state``: the full-text stage's queue (the values are what is stored)."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


class ClusterState(StrEnum):
    """``articles.cluster_state``: the clustering stage's queue."""

    PENDING = "pending"
    DONE = "done"


class FulltextMode(StrEnum):
    """``sources.fulltext``: when the full-text stage fetches an article's page."""

    AUTO = "auto"  # when the feed's own text is short
    ALWAYS = "always"
    NEVER = "never"

#: ``progress(done, total)``, called as long work proceeds (the command line draws it)
ProgressFn = Callable[[int, int], None]


@dataclass(slots=True)
class Source:
    """An outlet (a site). Owns one or more feeds; "independent outlets" means distinct sources."""

    id: int | None
    name: str
    url: str | None = None
    category: str | None = None
    fulltext: str = FulltextMode.AUTO
    language: str | None = None
    paused: bool = False
    public: bool = True  # False: a reader's own feed, shown only to its followers


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
    last_push_at: datetime | None = None  # a WebSub hub last delivered content then


class SubscriptionState(StrEnum):
    """``websub_subscriptions.state``: where a WebSub subscription tidings asked for stands."""

    REQUESTED = "requested"  # asked the hub; its verification of intent has not come yet
    ACTIVE = "active"  # verified; the lease runs until ``lease_expires_at``
    UNSUBSCRIBING = "unsubscribing"  # asked to end it; kept until the hub verifies that
    DENIED = "denied"  # the hub refused; asked again later


@dataclass(slots=True)
class HubSubscription:
    """One WebSub subscription: tidings' callback ``/websub/<token>`` for ``topic`` at ``hub``."""

    id: int | None
    feed_id: int | None  # None or a removed feed's id once the feed is gone
    hub: str
    topic: str
    token: str
    secret: str
    state: SubscriptionState = SubscriptionState.REQUESTED
    lease_expires_at: datetime | None = None
    next_action_at: datetime | None = None  # when to retry, renew or give up
    attempts: int = 0
    last_error: str | None = None


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
    section: str | None = None  # one of parse.sections.SECTIONS, from categories and URL


@dataclass(slots=True)
class ParsedFeed:
    """A parsed feed document: its own metadata and its entries."""

    title: str | None
    site_url: str | None
    language: str | None
    entries: list[Entry]
    ttl_seconds: int | None = None  # RSS <ttl>, sy:updatePeriod and friends
    format: str = "unknown"  # rss20, rss10, atom10, json11, ...
    # WebSub discovery: the hubs the document declares and its own (self) URL
    hubs: list[str] = field(default_factory=list)
    self_url: str | None = None


@dataclass(slots=True)
class NewArticle:
    """An article about to be stored (one row of ``articles``), from a feed or an imported page.

    The ingest pipeline builds these with :meth:`from_entry`, the page importer field by field;
    the store inserts them (``ArticleRepo.insert_many``). Story, copy and clustering columns
    are the stages' business and start empty.
    """

    source_id: int
    entry_key: str
    title: str
    published_at: datetime
    fetched_at: datetime
    feed_id: int | None = None
    guid: str | None = None
    url: str | None = None
    canonical_url: str | None = None
    author: str | None = None
    updated_at: datetime | None = None
    summary: str | None = None
    content_html: str | None = None  # already sanitized
    content_text: str | None = None
    image_url: str | None = None
    language: str | None = None
    site_name: str | None = None
    attribution: str | None = None
    views: int = 0
    extract_state: ExtractState = ExtractState.PENDING
    categories: list[str] | None = None  # the outlet's own labels, as the feed gave them
    section: str | None = None

    @classmethod
    def from_entry(cls, entry: Entry, *, feed_id: int | None, source_id: int, now: datetime,
                   canonical_url: str | None = None) -> NewArticle:
        """A parsed feed entry as seen ``now``.

        A missing date falls back to the first time the item was seen; a future date is
        clamped to now (a feed's clock running ahead must not pin it to the top).
        """
        published = entry.published_at or entry.updated_at or now
        return cls(
            feed_id=feed_id, source_id=source_id, entry_key=entry.key, guid=entry.guid,
            url=entry.url, canonical_url=canonical_url or entry.url, title=entry.title,
            author=entry.author, published_at=min(published, now), fetched_at=now,
            updated_at=entry.updated_at, summary=entry.summary,
            content_html=entry.content_html, content_text=entry.content_text,
            image_url=entry.image_url, language=entry.language,
            categories=entry.categories[:20] or None, section=entry.section)


@dataclass(frozen=True, slots=True)
class FeedError:
    """A feed that failed in a refresh: its address and the reason, in one line.

    :meth:`as_json` is one item of ``errors`` in ``tidings fetch --json`` (DESIGN.md).
    """

    feed_url: str
    error: str

    def as_json(self) -> dict[str, str]:
        return {"feed_url": self.feed_url, "error": self.error}


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
    section: str | None = None


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
