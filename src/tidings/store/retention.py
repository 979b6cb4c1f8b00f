"""Retention: forget old articles, but never what a story or a copy still points at.

An article is old when both its publication and its fetch time are older than its source's
retention (``sources.retention_days``, else the global ``retention_days``; 0 keeps forever).
An old article is still kept when it is the first report of a story (the earliest article of
the story, which the story's page and ``first_published_at`` rest on) or when another article
names it in ``duplicate_of``. Deleting copies first frees their originals, so pruning repeats
until nothing more goes. Deletes run in small batches: the writer is never held for long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from tidings.store.schema import articles, sources, stories

if TYPE_CHECKING:  # the Store class imports this module's neighbours
    from tidings.store import Store

BATCH = 2000
MAX_PASSES = 5


@dataclass(slots=True)
class PruneReport:
    deleted: int = 0
    kept_first_reports: int = 0
    kept_originals: int = 0
    sources_pruned: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"deleted": self.deleted, "kept_first_reports": self.kept_first_reports,
                "kept_originals": self.kept_originals, "sources_pruned": self.sources_pruned,
                "dry_run": self.dry_run}


def _first_reports() -> sa.Select[Any]:
    """The id of each story's earliest article (by publication time, then id)."""
    ranked = sa.select(
        articles.c.id,
        sa.func.row_number().over(partition_by=articles.c.story_id,
                                  order_by=(articles.c.published_at, articles.c.id)).label("n"),
    ).where(articles.c.story_id.is_not(None)).subquery()
    return sa.select(ranked.c.id).where(ranked.c.n == 1)


def _referenced() -> sa.Select[Any]:
    other = articles.alias("copy")
    return sa.select(other.c.duplicate_of).where(other.c.duplicate_of.is_not(None))


def source_days(store: Store, default_days: int) -> dict[int, int]:
    """Each source's retention in days (0: keep forever)."""
    with store.db.read() as conn:
        rows = conn.execute(sa.select(sources.c.id, sources.c.retention_days)).all()
    return {r.id: (r.retention_days if r.retention_days is not None else default_days)
            for r in rows}


def set_source_days(store: Store, source_id: int, days: int | None) -> None:
    from tidings.errors import NotFoundError

    with store.db.write() as conn:
        done = conn.execute(sources.update().where(sources.c.id == source_id)
                            .values(retention_days=days))
        if done.rowcount == 0:
            raise NotFoundError(f"no source with id {source_id}")


def prune(store: Store, *, default_days: int, now: datetime, source_id: int | None = None,
          dry_run: bool = False, override_sources: bool = False) -> PruneReport:
    """Delete articles past retention, keeping first reports and originals of copies.

    ``override_sources`` applies ``default_days`` to every source, ignoring their own setting.
    """
    report = PruneReport(dry_run=dry_run)
    days_by_source = source_days(store, default_days)
    if override_sources:
        days_by_source = dict.fromkeys(days_by_source, default_days)
    if source_id is not None:
        days_by_source = {k: v for k, v in days_by_source.items() if k == source_id}
    rules = [(sid, days) for sid, days in sorted(days_by_source.items()) if days > 0]

    def old(sid: int, days: int) -> sa.ColumnElement[bool]:
        cutoff = now - timedelta(days=days)
        return sa.and_(articles.c.source_id == sid, articles.c.published_at < cutoff,
                       articles.c.fetched_at < cutoff)

    pruned: set[int] = set()
    # a copy in one source frees its original in another: repeat until a pass deletes nothing
    for _ in range(MAX_PASSES):
        deleted_in_pass = 0
        for sid, days in rules:
            n = _prune_source(store, old(sid, days), dry_run)
            if n:
                pruned.add(sid)
                deleted_in_pass += n
        report.deleted += deleted_in_pass
        if deleted_in_pass == 0 or dry_run:
            break
    report.sources_pruned = len(pruned)
    with store.db.read() as conn:
        for sid, days in rules:
            report.kept_first_reports += int(conn.execute(
                sa.select(sa.func.count()).select_from(articles)
                .where(old(sid, days), articles.c.id.in_(_first_reports()))).scalar_one())
            report.kept_originals += int(conn.execute(
                sa.select(sa.func.count()).select_from(articles)
                .where(old(sid, days), articles.c.id.in_(_referenced()),
                       articles.c.id.not_in(_first_reports()))).scalar_one())
    return report


def _prune_source(store: Store, old: sa.ColumnElement[bool], dry_run: bool) -> int:
    deletable = (sa.select(articles.c.id)
                 .where(old, articles.c.id.not_in(_first_reports()),
                        articles.c.id.not_in(_referenced()))
                 .order_by(articles.c.id))
    if dry_run:
        with store.db.read() as conn:
            return int(conn.execute(sa.select(sa.func.count())
                                    .select_from(deletable.subquery())).scalar_one())
    total = 0
    while True:
        with store.db.write() as conn:
            ids = list(conn.execute(deletable.limit(BATCH)).scalars())
            if not ids:
                return total
            touched = list(conn.execute(
                sa.select(articles.c.story_id).distinct()
                .where(articles.c.id.in_(ids), articles.c.story_id.is_not(None))).scalars())
            conn.execute(articles.delete().where(articles.c.id.in_(ids)))
            if touched:
                count = (sa.select(sa.func.count()).select_from(articles)
                         .where(articles.c.story_id == stories.c.id).scalar_subquery())
                conn.execute(stories.update().where(stories.c.id.in_(touched))
                             .values(article_count=count))
            total += len(ids)
