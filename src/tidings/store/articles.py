"""Articles: inserting a feed's entries idempotently, and reading them back."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tidings.errors import NotFoundError
from tidings.models import Article, NewArticle
from tidings.store import articlerows, dialects
from tidings.store.counters import ITEMS_STORED, Counters
from tidings.store.engine import Database
from tidings.store.events import EventLog
from tidings.store.schema import articles
from tidings.store.visibility import public_article

ARTICLE_FIELDS = ("feed_id", "source_id", "entry_key", "url", "title", "canonical_url", "guid",
                  "author", "published_at", "fetched_at", "summary", "content_html",
                  "content_text", "image_url", "language", "attribution", "views", "story_id",
                  "duplicate_of", "section")


def article_from_row(row: Mapping[Any, Any]) -> Article:
    return Article(id=row["id"], **{k: row[k] for k in ARTICLE_FIELDS})


_NEW_FIELDS = tuple(f.name for f in dataclasses.fields(NewArticle))


class ArticleRepo:
    def __init__(self, db: Database, events: EventLog, totals: Counters):
        self.db = db
        self.events = events
        self.totals = totals
        self._bind: list[articlerows.Converter] | None = None

    def insert_many(self, conn: sa.Connection, rows: Sequence[NewArticle]) -> list[int]:
        """Insert articles whose (source, entry key) is new; return the new ids, in row order.

        Runs inside the caller's transaction so a feed's entries land together or not at all.
        The caller announces the new ids (``store.events.articles_stored``) as the last
        statement of that transaction.
        """
        return sorted(self.insert_new(conn, rows).values())

    def insert_new(self, conn: sa.Connection, rows: Sequence[NewArticle]
                   ) -> dict[tuple[int, str], int]:
        """Insert the rows whose (source, entry key) is not stored yet, in the caller's
        transaction; the new ids by (source, entry key).

        Many feeds' rows go in together (the ingest writer passes a whole group), in the
        few statements of :mod:`tidings.store.articlerows`, without SQLAlchemy's per-row
        parameter work.
        """
        # one entry key once per batch: a feed repeating a GUID stores one article
        unique: dict[tuple[int, str], NewArticle] = {}
        for row in rows:
            unique.setdefault((row.source_id, row.entry_key), row)
        self.drop_known(conn, unique)
        values = articlerows.columns_of(list(unique.values()), _NEW_FIELDS,
                                        self._converters(conn.dialect))
        return articlerows.insert_rows(conn, _NEW_FIELDS, values)

    def drop_known(self, conn: sa.Connection, unique: dict[tuple[int, str], NewArticle]
                   ) -> None:
        """Leave out entries already stored: a refetched feed is mostly entries seen before,
        and one key lookup costs less than sending their whole rows to an INSERT that skips
        them."""
        for key in articlerows.known_keys(conn, unique):
            del unique[key]

    def _converters(self, dialect: sa.Dialect) -> list[articlerows.Converter]:
        """Each inserted column's bind processor for ``dialect`` (None: the value as it is),
        so the plain tuples hold exactly what SQLAlchemy would have sent (on SQLite a
        datetime becomes the same text, which range queries compare)."""
        if self._bind is None:
            found: list[articlerows.Converter] = []
            for name in _NEW_FIELDS:
                found.append(dialects.bind_processor(articles.c[name], dialect)
                             or (str if name == "extract_state" else None))
            self._bind = found
        return self._bind

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
            self.totals.add(conn, {ITEMS_STORED: len(new_ids)})
            self.events.articles_stored(conn, new_ids)
        return len(new_ids), updated

    def recent_counts(self, feed_ids: Sequence[int], since: datetime) -> dict[int, int]:
        """How many articles each feed published since ``since`` (feeds with none left out):
        the poll schedule's cadence, for a whole refresh in a few grouped reads."""
        counts: dict[int, int] = {}
        with self.db.read() as conn:
            for start in range(0, len(feed_ids), articlerows.CHUNK):
                chunk = list(feed_ids[start:start + articlerows.CHUNK])
                query = (sa.select(articles.c.feed_id, sa.func.count())
                         .where(articles.c.feed_id.in_(chunk), articles.c.published_at >= since)
                         .group_by(articles.c.feed_id))
                counts.update({feed_id: int(n) for feed_id, n in conn.execute(query)})
        return counts

    def get(self, article_id: int) -> Article:
        with self.db.read() as conn:
            query = articles.select().where(articles.c.id == article_id)
            row = conn.execute(query).mappings().first()
        if row is None:
            raise NotFoundError(f"no article with id {article_id}")
        return article_from_row(row)

    def get_public(self, article_id: int) -> Article:
        """:meth:`get` for the public site: an article of a private source is not found."""
        with self.db.read() as conn:
            row = conn.execute(articles.select().where(articles.c.id == article_id,
                                                       public_article())).mappings().first()
        if row is None:
            raise NotFoundError(f"no article with id {article_id}")
        return article_from_row(row)

    def count(self, source_id: int | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(articles)
        if source_id is not None:
            query = query.where(articles.c.source_id == source_id)
        with self.db.read() as conn:
            return int(conn.execute(query).scalar_one())

    def latest(self, *, limit: int = 20, offset: int = 0, source_id: int | None = None,
               section: str | None = None) -> tuple[list[Article], int]:
        """Newest public articles first, with the total for paging (the public site's list)."""
        where = [public_article()]
        if source_id is not None:
            where.append(articles.c.source_id == source_id)
        if section is not None:
            where.append(articles.c.section == section)
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

    def sections(self) -> list[str]:
        """The sections that hold at least one article."""
        query = sa.select(articles.c.section).distinct().where(articles.c.section.is_not(None))
        with self.db.read() as conn:
            return sorted(str(s) for s in conn.execute(query).scalars())
