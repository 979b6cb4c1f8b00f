"""The reader operations as the sync APIs need them: one user's subscriptions, streams, items
and state, in the records both protocols show (:mod:`tidings.web.syncitems`).

Every method takes the signed-in reader's id and goes through :mod:`tidings.operations` (the
same calls ``/reader`` makes), so state changed by one client shows in every other. Methods
block (database, nh3): handlers run them in the thread pool.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from tidings.config import Settings
from tidings.models import Article
from tidings.operations import reading
from tidings.operations import subscriptions as subs
from tidings.operations.reading import ReaderItem, StreamQuery
from tidings.sanitize import sanitize_html
from tidings.store import Store
from tidings.web.greader.args import StreamArgs
from tidings.web.greader.streams import FeedStream, LabelStream, State, StateStream
from tidings.web.syncitems import SyncFeed, SyncItem

#: the largest page the operations layer serves; id lists are read in pages this long
PAGE_LIMIT = 10_000
_UNREAD_STATES = (State.KEPT_UNREAD, State.FRESH, State.TRACKING_KEPT_UNREAD)


def sync_item(found: ReaderItem) -> SyncItem:
    article: Article = found.article
    assert article.id is not None  # stored articles have ids
    published = article.published_at or article.fetched_at
    crawled = article.fetched_at or article.published_at
    assert published is not None and crawled is not None  # stored articles have both
    body = article.content_html or article.summary or ""
    return SyncItem(id=article.id, feed_id=found.source_id, feed_title=found.source_title,
                    title=article.title, folder=found.folder,
                    url=article.canonical_url or article.url, published_at=published,
                    crawled_at=crawled, html=sanitize_html(body, article.url),
                    author=article.author, read=found.is_read, starred=found.is_starred)


class SyncData:
    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store

    # -- subscriptions and folders -----------------------------------------------------------

    def feeds(self, user_id: int) -> list[SyncFeed]:
        return [SyncFeed(id=s.source_id, title=s.title, feed_url=s.feed_url or "",
                         site_url=s.site_url, folder=s.folder, folder_id=s.folder_id,
                         updated_at=s.last_new_at)
                for s in subs.list_subscriptions(self.store, user_id)]

    def folders(self, user_id: int) -> list[tuple[int, str]]:
        return [(f.id, f.name) for f in subs.list_folders(self.store, user_id)]

    def folder_id(self, user_id: int, name: str) -> int | None:
        found = subs.folder_by_name(self.store, user_id, name)
        return found.id if found is not None else None

    def feed_by_url(self, user_id: int, url: str) -> int | None:
        return next((feed.id for feed in self.feeds(user_id) if feed.feed_url == url), None)

    # -- streams --------------------------------------------------------------------------------

    def query(self, user_id: int, args: StreamArgs) -> StreamQuery | None:
        """The operations' query for a Google Reader stream request; None when the stream
        holds nothing (an unknown folder or feed, ``broadcast``, ``like``)."""
        stream = args.stream
        base = StreamQuery(unread_only=args.unread_only, starred_only=args.starred_only,
                           newer_than=args.newer_than, older_than=args.older_than,
                           oldest_first=args.oldest_first, limit=min(args.count, PAGE_LIMIT),
                           continuation=args.continuation)
        if isinstance(stream, StateStream):
            if stream.state in _UNREAD_STATES:
                return replace(base, unread_only=True)
            if stream.state is State.READING_LIST:
                return replace(base, kind="read") if args.read_only else base
            if stream.state in (State.READ, State.STARRED):
                return replace(base, kind=stream.state.value)
            return None
        if isinstance(stream, LabelStream):
            ref = self.folder_id(user_id, stream.name)
            return None if ref is None else replace(base, kind="folder", ref=ref)
        assert isinstance(stream, FeedStream)
        ref = stream.feed_id if stream.url is None else self.feed_by_url(user_id, stream.url)
        return None if ref is None else replace(base, kind="source", ref=ref)

    def page(self, user_id: int, args: StreamArgs) -> tuple[list[SyncItem], str | None]:
        query = self.query(user_id, args)
        if query is None:
            return [], None
        found, more = reading.stream(self.store, user_id, query)
        return [sync_item(item) for item in found], more

    def query_items(self, user_id: int, query: StreamQuery) -> list[SyncItem]:
        return [sync_item(item) for item in reading.stream(self.store, user_id, query)[0]]

    def count(self, user_id: int) -> int:
        """How many articles the reader's subscriptions hold (Fever's ``total_items``)."""
        return reading.count(self.store, user_id, StreamQuery())

    def ids(self, user_id: int, args: StreamArgs) -> tuple[list[int], str | None]:
        query = self.query(user_id, args)
        if query is None:
            return [], None
        return reading.stream_ids(self.store, user_id, query)

    def all_ids(self, user_id: int, query: StreamQuery) -> list[int]:
        """Every id of a stream, page by page (Fever's unread and saved lists)."""
        out: list[int] = []
        query = replace(query, limit=PAGE_LIMIT, continuation=None)
        while True:
            page, more = reading.stream_ids(self.store, user_id, query)
            out.extend(page)
            if more is None:
                return out
            query = replace(query, continuation=more)

    def items(self, user_id: int, ids: Sequence[int]) -> list[SyncItem]:
        return [sync_item(item) for item in reading.items_by_ids(self.store, user_id, ids)]

    def unread(self, user_id: int) -> reading.UnreadSummary:
        return reading.unread_counts(self.store, user_id)

    # -- state ------------------------------------------------------------------------------

    def set_read(self, user_id: int, ids: Iterable[int], read: bool) -> None:
        reading.set_read(self.store, user_id, ids, read)

    def set_starred(self, user_id: int, ids: Iterable[int], starred: bool) -> None:
        reading.set_starred(self.store, user_id, ids, starred)

    def mark_all_read(self, user_id: int, query: StreamQuery | None,
                      before: datetime | None) -> None:
        """Everything in ``query`` (None: nothing at all) published before ``before`` read."""
        if query is not None:
            reading.mark_all_read(self.store, user_id, query, before=before)
