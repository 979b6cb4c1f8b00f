"""What the site's sitemaps list: articles and stories in fixed id buckets, recent articles
for the news sitemap. Only public content: every query here goes through :func:`_public`.

Buckets by id (``id // size``) keep every sitemap's URL stable as articles come and go, so a
crawler re-reads only the buckets whose ``lastmod`` moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tidings.store.engine import Database
from tidings.store.schema import articles, sources, stories


@dataclass(frozen=True, slots=True)
class Bucket:
    number: int
    lastmod: datetime | None


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    lastmod: datetime | None


@dataclass(frozen=True, slots=True)
class NewsEntry:
    id: int
    title: str
    published_at: datetime
    language: str | None


def _public(query: sa.Select[Any]) -> sa.Select[Any]:
    """Articles of public sources (a reader's private feed is nobody else's business)."""
    return query.where(articles.c.source_id.in_(
        sa.select(sources.c.id).where(sources.c.is_public == sa.true())))


class SitemapRepo:
    def __init__(self, db: Database):
        self.db = db

    def article_buckets(self, size: int) -> list[Bucket]:
        bucket = (articles.c.id // size).label("bucket")
        query = _public(sa.select(bucket, sa.func.max(articles.c.published_at))
                        .group_by(bucket).order_by(bucket))
        with self.db.read() as conn:
            return [Bucket(int(n), at) for n, at in conn.execute(query)]

    def articles_in(self, bucket: int, size: int) -> list[Entry]:
        query = _public(sa.select(articles.c.id, articles.c.published_at)
                        .where(articles.c.id >= bucket * size,
                               articles.c.id < (bucket + 1) * size)
                        .order_by(articles.c.id))
        with self.db.read() as conn:
            return [Entry(int(i), at) for i, at in conn.execute(query)]

    def story_buckets(self, size: int) -> list[Bucket]:
        bucket = (stories.c.id // size).label("bucket")
        query = (sa.select(bucket, sa.func.max(stories.c.last_published_at))
                 .where(*self._live_stories()).group_by(bucket).order_by(bucket))
        with self.db.read() as conn:
            return [Bucket(int(n), at) for n, at in conn.execute(query)]

    def stories_in(self, bucket: int, size: int) -> list[Entry]:
        query = (sa.select(stories.c.id, stories.c.last_published_at)
                 .where(*self._live_stories(), stories.c.id >= bucket * size,
                        stories.c.id < (bucket + 1) * size)
                 .order_by(stories.c.id))
        with self.db.read() as conn:
            return [Entry(int(i), at) for i, at in conn.execute(query)]

    def news(self, since: datetime, limit: int) -> list[NewsEntry]:
        """Articles published since ``since`` (not wire copies), newest first."""
        query = _public(sa.select(articles.c.id, articles.c.title, articles.c.published_at,
                                  articles.c.language)
                        .where(articles.c.published_at >= since,
                               articles.c.duplicate_of.is_(None))
                        .order_by(articles.c.published_at.desc(), articles.c.id.desc())
                        .limit(limit))
        with self.db.read() as conn:
            return [NewsEntry(int(i), t, at, lang) for i, t, at, lang in conn.execute(query)]

    @staticmethod
    def _live_stories() -> tuple[sa.ColumnElement[bool], ...]:
        """Unmerged stories that hold at least one public article."""
        return (stories.c.merged_into.is_(None),
                stories.c.id.in_(_public(sa.select(articles.c.story_id))))
