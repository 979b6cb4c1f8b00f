"""Articles: inserting a feed's entries idempotently, and reading them back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tidings.errors import NotFoundError
from tidings.models import Article, Entry
from tidings.store.dialects import insert
from tidings.store.engine import Database
from tidings.store.schema import articles

ARTICLE_FIELDS = ("feed_id", "source_id", "entry_key", "url", "title", "canonical_url", "guid",
                  "author", "published_at", "fetched_at", "summary", "content_html",
                  "content_text", "image_url", "language", "attribution", "views", "story_id",
                  "duplicate_of")


def article_from_row(row: Mapping[Any, Any]) -> Article:
    return Article(id=row["id"], **{k: row[k] for k in ARTICLE_FIELDS})


def entry_values(entry: Entry, *, feed_id: int | None, source_id: int, now: datetime,
                 canonical_url: str | None = None, **extra: Any) -> dict[str, Any]:
    """Row values for a new article from a parsed entry.

    A missing date falls back to the first time the item was seen; a future date is clamped.
    """
    published = entry.published_at or entry.updated_at or now
    if published > now:
        published = now
    return {
        "feed_id": feed_id,
        "source_id": source_id,
        "entry_key": entry.key,
        "guid": entry.guid,
        "url": entry.url,
        "canonical_url": canonical_url or entry.url,
        "title": entry.title,
        "author": entry.author,
        "published_at": published,
        "fetched_at": now,
        "updated_at": entry.updated_at,
        "summary": entry.summary,
        "content_html": entry.content_html,
        "content_text": entry.content_text,
        "image_url": entry.image_url,
        "language": entry.language,
        **extra,
    }


class ArticleRepo:
    def __init__(self, db: Database):
        self.db = db

    def insert_many(self, conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert rows whose (source, entry key) is new; return the new ids, in row order.

        Runs inside the caller's transaction so a feed's entries land together or not at all.
        """
        if not rows:
            return []
        # one entry key once per batch: a feed repeating a GUID stores one article
        unique: dict[tuple[Any, str], dict[str, Any]] = {}
        for row in rows:
            unique.setdefault((row["source_id"], row["entry_key"]), row)
        # leave out entries already stored: on PostgreSQL a conflicting row still fires the
        # BEFORE INSERT search trigger, a tsvector computed for every known item at every poll
        by_source: dict[Any, list[str]] = {}
        for source_id, key in unique:
            by_source.setdefault(source_id, []).append(key)
        for source_id, keys in by_source.items():
            known = conn.execute(sa.select(articles.c.entry_key).where(
                articles.c.source_id == source_id, articles.c.entry_key.in_(keys)))
            for key in known.scalars():
                unique.pop((source_id, key), None)
        if not unique:
            return []
        statement = (
            insert(self.db.dialect, articles)
            .on_conflict_do_nothing(index_elements=["source_id", "entry_key"])
            .returning(articles.c.id)
        )
        # without sort_by_parameter_order SQLAlchemy sends the rows in a few multi-row
        # statements instead of one statement per row; ids are handed out in row order
        result = conn.execute(statement, list(unique.values()))
        return sorted(r.id for r in result if r.id is not None)

    def recent_times(self, feed_id: int, since: datetime,
                     conn: sa.Connection | None = None) -> list[datetime]:
        """Publication times of a feed's articles since ``since`` (for the poll schedule)."""
        query = sa.select(articles.c.published_at).where(articles.c.feed_id == feed_id,
                                                         articles.c.published_at >= since)
        if conn is not None:
            return list(conn.execute(query).scalars())
        with self.db.read() as own:
            return list(own.execute(query).scalars())

    def get(self, article_id: int) -> Article:
        with self.db.read() as conn:
            query = articles.select().where(articles.c.id == article_id)
            row = conn.execute(query).mappings().first()
        if row is None:
            raise NotFoundError(f"no article with id {article_id}")
        return article_from_row(row)

    def count(self, source_id: int | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(articles)
        if source_id is not None:
            query = query.where(articles.c.source_id == source_id)
        with self.db.read() as conn:
            return int(conn.execute(query).scalar_one())

    def latest(self, *, limit: int = 20, offset: int = 0, source_id: int | None = None
               ) -> tuple[list[Article], int]:
        """Newest first, with the total for paging."""
        where = [] if source_id is None else [articles.c.source_id == source_id]
        query = (
            articles.select().where(*where)
            .order_by(articles.c.published_at.desc(), articles.c.id.desc())
            .limit(limit).offset(offset)
        )
        total = sa.select(sa.func.count()).select_from(articles).where(*where)
        with self.db.read() as conn:
            items = [article_from_row(r) for r in conn.execute(query).mappings()]
            return items, int(conn.execute(total).scalar_one())

    def update(self, article_id: int, conn: sa.Connection | None = None, **changes: Any) -> None:
        statement = articles.update().where(articles.c.id == article_id).values(**changes)
        if conn is not None:
            conn.execute(statement)
            return
        with self.db.write() as own:
            own.execute(statement)
