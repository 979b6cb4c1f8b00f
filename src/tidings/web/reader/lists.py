"""The reader's pages as data: the sidebar with unread counts, a list's rows, one article.

Everything here asks the use-case layer (``operations.reading`` and ``.subscriptions``) for
one user's view and shapes it for the templates; it runs in the thread pool.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from urllib.parse import parse_qsl, quote, urlsplit

from markupsafe import Markup

from tidings.errors import FormError
from tidings.operations import filters, reading, subscriptions
from tidings.operations.reading import ReaderItem, StreamQuery
from tidings.sanitize import sanitize_html
from tidings.store import Store
from tidings.web.i18n import time_label
from tidings.web.reader.forms import Scope, parse_scope

PAGE_SIZE = 40
SUMMARY_CHARS = 280


@dataclass(frozen=True, slots=True)
class Link:
    """A folder, source or saved search in the sidebar, with its unread count."""

    kind: str
    id: int
    title: str
    unread: int = 0
    current: bool = False
    children: tuple[Link, ...] = ()

    @property
    def url(self) -> str:
        return f"/reader?{self.kind}={self.id}"


@dataclass(frozen=True, slots=True)
class Sidebar:
    total_unread: int
    folders: list[Link]
    loose: list[Link]  # sources in no folder
    searches: list[Link]

    def sources(self) -> list[Link]:
        return [s for f in self.folders for s in f.children] + self.loose

    def title_of(self, scope: Scope) -> str | None:
        """The name a scope has in the sidebar (a source's title, a folder's name)."""
        pool = {"folder": self.folders, "source": self.sources(), "search": self.searches}
        for link in pool.get(scope.kind, []):
            if str(link.id) == scope.value:
                return link.title
        return None


@dataclass(slots=True)
class Row:
    """One article in a list (for a story group: its newest unread article)."""

    id: int
    title: str
    url: str
    source: Link | None
    published: str
    time_label: str
    summary: str
    read: bool
    starred: bool
    story_id: int | None
    author: str | None
    back: str
    outlets: int = 1

    @property
    def open_url(self) -> str:
        return f"/reader/articles/{self.id}?back=" + quote(self.back, safe="")

    @property
    def story_url(self) -> str:
        return f"/reader?story={self.story_id}"


@dataclass(frozen=True, slots=True)
class ListPage:
    rows: list[Row]
    continuation: str | None


@dataclass
class Labeler:
    """Time labels in the site's zone and language, and source links, for one page."""

    now: datetime
    tz: tzinfo
    locale: str
    sources: dict[int, Link] = field(default_factory=dict)

    def label(self, when: datetime | None) -> tuple[str, str]:
        if when is None:
            return "", ""
        return when.isoformat(), time_label(when, self.now, self.tz, self.locale)


def sidebar(store: Store, user_id: int, scope: Scope) -> Sidebar:
    counts = reading.unread_counts(store, user_id)
    by_source = {c.source_id: c.count for c in counts.sources}

    def current(kind: str, ident: int) -> bool:
        return scope.kind == kind and scope.value == str(ident)

    in_folder: dict[int, list[Link]] = {}
    loose: list[Link] = []
    for sub in subscriptions.list_subscriptions(store, user_id):
        link = Link("source", sub.source_id, sub.title, by_source.get(sub.source_id, 0),
                    current("source", sub.source_id))
        if sub.folder_id is None:
            loose.append(link)
        else:
            in_folder.setdefault(sub.folder_id, []).append(link)
    folders = [Link("folder", f.id, f.name, counts.folders.get(f.id, (0, None))[0],
                    current("folder", f.id), tuple(in_folder.get(f.id, ())))
               for f in subscriptions.list_folders(store, user_id)]
    searches = [Link("search", s.id, s.name, current=current("search", s.id))
                for s in filters.list_saved_searches(store, user_id)]
    return Sidebar(counts.total, folders, loose, searches)


def _summary(item: ReaderItem) -> str:
    text = " ".join((item.article.summary or "").split())
    if len(text) <= SUMMARY_CHARS:
        return text
    return text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"


def to_row(item: ReaderItem, labels: Labeler, back: str) -> Row:
    a = item.article
    source = labels.sources.get(item.source_id) or Link("source", item.source_id,
                                                        item.source_title)
    published, label = labels.label(a.published_at)
    return Row(a.id or 0, a.title or "(untitled)", a.url or "", source, published, label,
               _summary(item), item.is_read, item.is_starred, a.story_id, a.author, back)


def stream_query(scope: Scope, *, continuation: str | None = None) -> StreamQuery:
    """The stream a scope names, in its view (unread only, starred only, or all)."""
    if not scope.kind:
        kind = "starred" if scope.view == "starred" else "reading-list"
        return StreamQuery(kind=kind, unread_only=scope.view == "unread", limit=PAGE_SIZE,
                           continuation=continuation)
    return StreamQuery(kind=scope.kind, ref=scope.number, unread_only=scope.view == "unread",
                       starred_only=scope.view == "starred", limit=PAGE_SIZE,
                       continuation=continuation)


def _list_scope(back: str) -> Scope | None:
    """The list a ``back`` address names (None: not a list of /reader)."""
    where = urlsplit(back)
    if where.path != "/reader":
        return None
    try:
        return parse_scope(dict(parse_qsl(where.query)))
    except FormError:
        return None


def neighbours(store: Store, user_id: int, article_id: int, back: str) -> dict[str, str | None]:
    """The articles just above (``newer_url``) and below (``older_url``) this one in the list
    it was opened from, for the article page's links and j/k; none when ``back`` names no
    list."""
    found: dict[str, str | None] = {"newer_url": None, "older_url": None}
    scope = _list_scope(back)
    if scope is None:
        return found
    down = replace(stream_query(scope, continuation=str(article_id)), limit=1)
    for name, query in (("older_url", down), ("newer_url", replace(down, oldest_first=True))):
        ids = reading.stream_ids(store, user_id, query)[0]
        found[name] = f"/reader/articles/{ids[0]}?back={quote(back, safe='')}" if ids else None
    return found


def list_page(store: Store, user_id: int, scope: Scope, token: str | None, labels: Labeler,
              back: str, *, group: bool) -> ListPage:
    items, more = reading.stream(store, user_id, stream_query(scope, continuation=token))
    if not (group and scope.view == "unread" and scope.kind != "story"):
        return ListPage([to_row(item, labels, back) for item in items], more)
    rows = []
    for story in reading.group_by_story(items):
        row = to_row(story.items[0], labels, back)
        row.outlets = story.outlets
        rows.append(row)
    return ListPage(rows, more)


def article_body(item: ReaderItem) -> Markup:
    """The article's stored (already sanitized) HTML, sanitized once more as it is shown;
    plain text becomes paragraphs, HTML-escaped."""
    a = item.article
    if a.content_html:
        return Markup(sanitize_html(a.content_html, a.url))
    text = a.content_text or a.summary or ""
    return Markup("").join(Markup("<p>{}</p>").format(p) for p in text.split("\n")
                           if p.strip())
