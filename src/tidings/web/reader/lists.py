"""The reader's pages as data: the sidebar with unread counts, a list's rows, one article.

Everything here asks the use-case layer (``tidings.operations.reading``) for one user's view
and shapes it for the templates; it runs in the thread pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from tidings.operations import reading
from tidings.sanitize import sanitize_html
from tidings.store import Store
from tidings.web.i18n import time_label
from tidings.web.reader.forms import Scope

PAGE_SIZE = 40
SUMMARY_CHARS = 280


@dataclass(frozen=True, slots=True)
class SourceLink:
    id: int
    title: str
    unread: int = 0
    current: bool = False

    @property
    def url(self) -> str:
        return f"/reader?source={self.id}"


@dataclass(frozen=True, slots=True)
class FolderLink:
    id: int
    name: str
    unread: int
    current: bool
    sources: list[SourceLink]

    @property
    def url(self) -> str:
        return f"/reader?folder={self.id}"


@dataclass(frozen=True, slots=True)
class SearchLink:
    id: int
    name: str
    query: str
    current: bool = False

    @property
    def url(self) -> str:
        return f"/reader?search={self.id}"


@dataclass(frozen=True, slots=True)
class Sidebar:
    total_unread: int
    folders: list[FolderLink]
    loose: list[SourceLink]
    searches: list[SearchLink]

    def title_of(self, scope: Scope) -> str | None:
        """The name a scope has in the sidebar (a source's title, a folder's name)."""
        pools: dict[str, Iterable[Any]] = {
            "folder": self.folders,
            "source": [s for f in self.folders for s in f.sources] + self.loose,
            "search": self.searches,
        }
        for item in pools.get(scope.kind, ()):
            if str(item.id) == scope.value:
                return str(getattr(item, "title", None) or getattr(item, "name", ""))
        return None


@dataclass(slots=True)
class Row:
    """One article (or one story's group of unread articles) in a list."""

    id: int
    title: str
    url: str
    source: SourceLink | None
    published: str
    time_label: str
    summary: str
    read: bool
    starred: bool
    story_id: int | None
    author: str | None = None
    outlets: int = 1
    back: str = "/reader"

    @property
    def open_url(self) -> str:
        return f"/reader/articles/{self.id}?back=" + quote(self.back, safe="")

    @property
    def story_url(self) -> str:
        return f"/reader?story={self.story_id}&view=all"


@dataclass(frozen=True, slots=True)
class ListPage:
    rows: list[Row]
    continuation: str | None


@dataclass
class Labeler:
    """Time labels in the site's zone and language, for one page."""

    now: datetime
    tz: tzinfo
    locale: str
    sources: dict[int, SourceLink] = field(default_factory=dict)

    def label(self, when: datetime | None) -> tuple[str, str]:
        if when is None:
            return "", ""
        return when.isoformat(), time_label(when, self.now, self.tz, self.locale)


def sidebar(store: Store, user_id: int, scope: Scope) -> Sidebar:
    subs = reading.list_subscriptions(store, user_id)
    counts = reading.unread_counts(store, user_id)
    by_source = counts.by_source
    folders: dict[str, list[SourceLink]] = {}
    loose: list[SourceLink] = []
    for sub in subs:
        link = SourceLink(sub.source_id, sub.title, by_source.get(sub.source_id, 0),
                          scope.kind == "source" and scope.value == str(sub.source_id))
        if sub.folder:
            folders.setdefault(sub.folder, []).append(link)
        else:
            loose.append(link)
    folder_links = [FolderLink(name, sum(s.unread for s in links),
                               scope.kind == "folder" and scope.value == name, links)
                    for name, links in sorted(folders.items(), key=lambda kv: kv[0].casefold())]
    for name in reading.list_folders(store, user_id):
        if name not in folders:  # an empty folder still shows, so it can be chosen
            folder_links.append(FolderLink(name, 0, scope.kind == "folder"
                                           and scope.value == name, []))
    searches = [SearchLink(s.id, s.name, s.query,
                           scope.kind == "search" and scope.value == str(s.id))
                for s in reading.list_saved_searches(store, user_id)]
    return Sidebar(counts.total, folder_links, loose, searches)


def _summary(item: Any) -> str:
    text = (getattr(item, "summary", None) or "").strip()
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"


def to_row(item: Any, labels: Labeler, back: str) -> Row:
    source = labels.sources.get(item.source_id)
    published, label = labels.label(item.published_at)
    return Row(item.id, item.title or "(untitled)", item.url or "", source, published, label,
               _summary(item), bool(item.read), bool(item.starred), item.story_id,
               getattr(item, "author", None), back=back)


def group_by_story(rows: Sequence[Row]) -> list[Row]:
    """Unread copies of one story fold into their newest row, which says "N outlets"."""
    grouped: list[Row] = []
    first: dict[int, Row] = {}
    outlets: dict[int, set[int]] = {}
    for row in rows:
        if row.story_id is None:
            grouped.append(row)
            continue
        key = row.story_id
        outlets.setdefault(key, set()).add(row.source.id if row.source else -row.id)
        if key not in first:
            first[key] = row
            grouped.append(row)
    for key, row in first.items():
        row.outlets = len(outlets[key])
    return grouped


def list_page(store: Store, user_id: int, scope: Scope, cont: str | None, labels: Labeler,
              back: str, *, group: bool) -> ListPage:
    query = reading.StreamQuery(
        scope=_stream_scope(scope), unread_only=scope.view == "unread",
        starred_only=scope.view == "starred", limit=PAGE_SIZE, continuation=cont)
    items, next_token = reading.stream(store, user_id, query)
    rows = [to_row(item, labels, back) for item in items]
    if group and scope.view == "unread" and scope.kind != "story":
        rows = group_by_story(rows)
    return ListPage(rows, next_token)


def _stream_scope(scope: Scope) -> reading.StreamScope:
    if scope.kind == "folder":
        return reading.StreamScope(folder=scope.value)
    if scope.kind:
        return reading.StreamScope(**{f"{scope.kind}_id": scope.number})
    return reading.StreamScope()


def article_body(item: Any) -> Markup:
    """The article's stored (already sanitized) HTML, sanitized once more as it is shown;
    plain text becomes paragraphs."""
    html = getattr(item, "content_html", None)
    if html:
        return Markup(sanitize_html(html, getattr(item, "url", None)))
    text = getattr(item, "content_text", None) or ""
    paragraphs: Callable[[str], list[str]] = lambda t: [p for p in t.split("\n") if p.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(p) for p in paragraphs(text))
