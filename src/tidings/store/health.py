"""What the admin area and ``tidings`` show about the pipeline: feed health and stage queues.

Also the queue resets behind "re-run extraction / clustering": the later stages read their
work from ``extract_state`` and ``cluster_state``, so re-running is setting those back to
``pending``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from tidings.models import ClusterState, ExtractState, Feed, Source
from tidings.store.schema import articles, feeds

if TYPE_CHECKING:  # the Store class imports this module's neighbours
    from tidings.store import Store

EXTRACT_STATES = tuple(ExtractState)


@dataclass(slots=True)
class SourceHealth:
    source: Source
    feeds: list[Feed]
    articles: int
    failing_feeds: int

    @property
    def status(self) -> str:
        if self.source.paused:
            return "paused"
        if self.feeds and all(f.disabled for f in self.feeds):
            return "disabled"
        if self.failing_feeds:
            return "failing"
        return "ok"


@dataclass(slots=True)
class Overview:
    sources: list[SourceHealth]
    extract_queue: dict[str, int] = field(default_factory=dict)
    cluster_queue: dict[str, int] = field(default_factory=dict)
    index_queue: int = 0  # articles stored but not yet indexed for search


@dataclass(slots=True)
class SourceDetail:
    health: SourceHealth
    recent_errors: list[dict[str, Any]]
    extract_queue: dict[str, int]


def _counts(conn: sa.Connection, column: sa.Column[Any],
            source_id: int | None = None) -> dict[str, int]:
    query = sa.select(column, sa.func.count()).group_by(column)
    if source_id is not None:
        query = query.where(articles.c.source_id == source_id)
    return {str(state): int(n) for state, n in conn.execute(query)}


def overview(store: Store) -> Overview:
    """Every source with its feeds, article count and failing feeds; the stage queues."""
    all_sources = store.sources.list()
    all_feeds = store.feeds.list()
    with store.db.read() as conn:
        per_source: dict[int, int] = dict(conn.execute(
            sa.select(articles.c.source_id, sa.func.count()).group_by(articles.c.source_id)
        ).all())
        extract = _counts(conn, articles.c.extract_state)
        cluster = _counts(conn, articles.c.cluster_state)
    by_source: dict[int, list[Feed]] = {}
    for feed in all_feeds:
        by_source.setdefault(feed.source_id or 0, []).append(feed)
    rows = []
    for source in all_sources:
        own = by_source.get(source.id or 0, [])
        rows.append(SourceHealth(source, own, int(per_source.get(source.id or 0, 0)),
                                 sum(1 for f in own if f.error_count > 0)))
    return Overview(rows, extract, cluster, store.search_index.queued())


def source_detail(store: Store, source_id: int) -> SourceDetail:
    """One source: its feeds' health, and the last extraction errors of its articles."""
    source = store.sources.get(source_id)  # NotFoundError when missing
    own = store.feeds.list(source_id)
    with store.db.read() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(articles)
                             .where(articles.c.source_id == source_id)).scalar_one()
        errors = [dict(r) for r in conn.execute(
            sa.select(articles.c.id, articles.c.title, articles.c.url, articles.c.extract_error)
            .where(articles.c.source_id == source_id,
                   articles.c.extract_state == ExtractState.FAILED)
            .order_by(articles.c.id.desc()).limit(10)).mappings()]
        queue = _counts(conn, articles.c.extract_state, source_id)
    health = SourceHealth(source, own, int(count), sum(1 for f in own if f.error_count > 0))
    return SourceDetail(health, errors, queue)


def requeue_extraction(store: Store, *, source_id: int | None = None,
                       states: tuple[str, ...] = (ExtractState.FAILED,)) -> int:
    """Put articles back in the extraction queue (and so, after it, the clustering queue)."""
    where: list[sa.ColumnElement[bool]] = [articles.c.extract_state.in_(states)]
    if source_id is not None:
        where.append(articles.c.source_id == source_id)
    with store.db.write() as conn:
        return int(conn.execute(articles.update().where(*where).values(
            extract_state=ExtractState.PENDING, extract_error=None)).rowcount)


def requeue_clustering(store: Store, *, source_id: int | None = None) -> int:
    """Put articles not yet in a story back in the clustering queue."""
    where: list[sa.ColumnElement[bool]] = [articles.c.cluster_state != ClusterState.PENDING,
                                           articles.c.story_id.is_(None)]
    if source_id is not None:
        where.append(articles.c.source_id == source_id)
    with store.db.write() as conn:
        return int(conn.execute(articles.update().where(*where)
                                .values(cluster_state=ClusterState.PENDING)).rowcount)


def reset_feed_errors(store: Store, source_id: int) -> int:
    """Clear error counts and re-enable a source's feeds, so they are fetched again soon."""
    with store.db.write() as conn:
        return int(conn.execute(
            feeds.update().where(feeds.c.source_id == source_id)
            .values(error_count=0, last_error=None, disabled=False, next_check_at=None)
        ).rowcount)


__all__ = ["Overview", "SourceDetail", "SourceHealth", "overview", "requeue_clustering",
           "requeue_extraction", "reset_feed_errors", "source_detail"]
