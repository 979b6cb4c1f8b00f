"""Reading: streams of a reader's articles, unread counts, read/unread, stars, mark-all-read
with undo, and story-aware reading. Every call is scoped to one ``user_id``: an article the
reader may not see (a private source they do not follow) is skipped, never an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from tidings.errors import InputError
from tidings.operations.filters import apply_filters
from tidings.store import Store
from tidings.store.streams import ReaderItem, StreamQuery, UnreadCount

__all__ = ["ReaderItem", "StoryGroup", "StreamQuery", "UnreadCount", "UnreadSummary"]


@dataclass(frozen=True, slots=True)
class UnreadSummary:
    total: int
    newest: datetime | None
    sources: list[UnreadCount]  # one per followed source with unread articles
    folders: dict[int, tuple[int, datetime | None]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoryGroup:
    """Unread articles of one story in a page ("5 outlets"), or one article without a story."""

    story_id: int | None
    items: list[ReaderItem]

    @property
    def outlets(self) -> int:
        return len({item.source_id for item in self.items})


def stream(store: Store, user_id: int, query: StreamQuery
           ) -> tuple[list[ReaderItem], str | None]:
    """One page of items and the continuation for the next page (None: no more). The
    reader's filter rules are applied first to what arrived since the last call."""
    apply_filters(store, user_id)
    return store.streams.page(user_id, query)


def stream_ids(store: Store, user_id: int, query: StreamQuery) -> tuple[list[int], str | None]:
    """As :func:`stream`, ids only (cheap: for sync clients' id lists)."""
    apply_filters(store, user_id)
    return store.streams.ids(user_id, query)


def count(store: Store, user_id: int, query: StreamQuery) -> int:
    """How many articles a stream holds in all (paging and continuation aside)."""
    return store.streams.count(user_id, query)


def items_by_ids(store: Store, user_id: int, ids: Sequence[int]) -> list[ReaderItem]:
    """Items in the order asked; ids the reader may not see are left out."""
    return store.streams.items(user_id, ids)


def unread_counts(store: Store, user_id: int) -> UnreadSummary:
    """Unread articles per followed source, per folder, and in all, each with the newest
    unread article's time."""
    apply_filters(store, user_id)
    per_source = store.streams.unread_counts(user_id)
    folders: dict[int, tuple[int, datetime | None]] = {}
    for count in per_source:
        if count.folder_id is not None:
            n, newest = folders.get(count.folder_id, (0, None))
            folders[count.folder_id] = (n + count.count, _later(newest, count.newest))
    newest_all: datetime | None = None
    for count in per_source:
        newest_all = _later(newest_all, count.newest)
    return UnreadSummary(sum(c.count for c in per_source), newest_all, per_source, folders)


def saved_search_unread(store: Store, user_id: int, search_id: int
                        ) -> tuple[int, datetime | None]:
    """Unread articles matching a saved search, and the newest one's time."""
    counts = store.streams.unread_counts(user_id, saved_search=search_id)
    newest: datetime | None = None
    for count in counts:
        newest = _later(newest, count.newest)
    return sum(c.count for c in counts), newest


def set_read(store: Store, user_id: int, ids: Iterable[int], read: bool = True) -> list[int]:
    """Mark articles read (or unread). Marking read also marks their copies read (the same
    wire story in other outlets, ``duplicate_of``) when the reader's preference says so
    (on by default). The ids changed, copies included."""
    wanted = list(ids)
    if read and store.api_access.prefs(user_id).mark_duplicates_read:
        wanted = store.read_state.copies(user_id, wanted)
    return store.read_state.set_read(user_id, wanted, read)


def set_starred(store: Store, user_id: int, ids: Iterable[int], starred: bool = True,
                now: datetime | None = None) -> list[int]:
    return store.read_state.set_starred(user_id, ids, starred, now or datetime.now(UTC))


def mark_all_read(store: Store, user_id: int, scope: StreamQuery | None = None, *,
                  before: datetime | None = None, now: datetime | None = None) -> int:
    """Mark everything in ``scope`` read (the reading list when None; a source, folder, story
    or saved search stream otherwise), or only what was stored before ``before`` (what
    arrived later has not been shown to the reader, however old its date); the
    undo id for :func:`undo_mark_all`. Whole sources move their "read through" mark (cheap
    whatever the number of articles); other scopes mark their unread articles one by one."""
    now = now or datetime.now(UTC)
    scope = scope or StreamQuery()
    if scope.kind in ("starred", "read"):
        raise InputError(f"cannot mark the {scope.kind} stream read")
    if before is None and scope.kind in ("reading-list", "source", "folder"):
        if scope.kind == "source":
            followed = store.subscriptions.source_ids(user_id)
            sources = [scope.ref] if scope.ref in followed else []
        else:
            folder = scope.ref if scope.kind == "folder" else None
            sources = store.subscriptions.source_ids(user_id, folder)
        return store.read_state.mark_sources_read(user_id, sources, now)
    unread = replace(scope, unread_only=True, older_than=before, limit=10_000,
                     continuation=None)
    ids: list[int] = []
    while True:
        page, more = store.streams.ids(user_id, unread)
        ids.extend(page)
        if more is None:
            break
        unread = replace(unread, continuation=more)
    return store.read_state.mark_ids_read(user_id, ids, now)


def mark_story_read(store: Store, user_id: int, story_id: int,
                    now: datetime | None = None) -> int:
    """Every article of a story the reader follows is read; the undo id."""
    return mark_all_read(store, user_id, StreamQuery(kind="story", ref=story_id), now=now)


def undo_mark_all(store: Store, user_id: int, undo_id: int) -> bool:
    """Take back a mark-all-read (each once; the newest few are kept); False when too old."""
    return store.read_state.undo(user_id, undo_id)


def group_by_story(items: Sequence[ReaderItem]) -> list[StoryGroup]:
    """A page's items grouped by story, in the order each story first appears."""
    groups: dict[int, StoryGroup] = {}
    out: list[StoryGroup] = []
    for item in items:
        story = item.article.story_id
        if story is None:
            out.append(StoryGroup(None, [item]))
        elif story in groups:
            groups[story].items.append(item)
        else:
            groups[story] = StoryGroup(story, [item])
            out.append(groups[story])
    return out


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    return a if b is None or a >= b else b
