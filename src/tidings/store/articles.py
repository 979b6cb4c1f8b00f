"""Articles: inserting a feed's entries idempotently, and reading them back."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tidings.errors import NotFoundError
from tidings.models import Article, NewArticle
from tidings.store.dialects import insert
from tidings.store.engine import Database
from tidings.store.schema import articles

ARTICLE_FIELDS = ("feed_id", "source_id", "entry_key", "url", "title", "canonical_url", "guid",
                  "author", "published_at", "fetched_at", "summary", "content_html",
                  "content_text", "image_url", "language", "attribution", "views", "story_id",
                  "duplicate_of")


def article_from_row(row: Mapping[Any, Any]) -> Article:
    return Article(id=row["id"], **{k: row[k] for k in ARTICLE_FIELDS})


_NEW_FIELDS = tuple(f.name for f in dataclasses.fields(NewArticle))


def _values(article: NewArticle) -> dict[str, Any]:
    return {name: getattr(article, name) for name in _NEW_FIELDS}


class ArticleRepo:
    def __init__(self, db: Database):
        self.db = db

    def insert_many(self, conn: sa.Connection, rows: Sequence[NewArticle]) -> list[int]:
        """Insert articles whose (source, entry key) is new; return the new ids, in row order.

        Runs inside the caller's transaction so a feed's entries land together or not at all.
        """
        if not rows:
            return []
        # one entry key once per batch: a feed repeating a GUID stores one article
        unique: dict[tuple[int, str], NewArticle] = {}
        for row in rows:
            unique.setdefault((row.source_id, row.entry_key), row)
        # leave out entries already stored: on PostgreSQL a conflicting row still fires the
        # BEFORE INSERT search trigger, a tsvector computed for every known item at every poll
        by_source: dict[int, list[str]] = {}
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
        result = conn.execute(statement, [_values(a) for a in unique.values()])
        return sorted(r.id for r in result if r.id is not None)

    def add_or_count_views(self, rows: Sequence[NewArticle]) -> tuple[int, int]:
        """Insert the new articles of one source and refresh the view counts of those already
        stored, in one transaction; (how many were new, how many counts changed)."""
        if not rows:
            return 0, 0
        source_id = rows[0].source_id
        keys = [r.entry_key for r in rows]
        updated = 0
        with self.db.write() as conn:
            existing = {
                r.entry_key: (r.id, r.views)
                for r in conn.execute(sa.select(articles.c.id, articles.c.entry_key,
                                                articles.c.views)
                                      .where(articles.c.source_id == source_id,
                                             articles.c.entry_key.in_(keys)))
            }
            new_ids = self.insert_many(conn, [r for r in rows if r.entry_key not in existing])
            for row in rows:
                old = existing.get(row.entry_key)
                if old and row.views and row.views != old[1]:
                    conn.execute(articles.update().where(articles.c.id == old[0])
                                 .values(views=row.views))
                    updated += 1
        return len(new_ids), updated

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
