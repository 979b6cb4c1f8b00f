"""The full-text stage's queries: its queue and the batched write of its results.

The stage decides what an article's columns become (:mod:`tidings.extract.stage`); this
module reads the queue (``extract_state='pending'``) and writes a batch back in one
transaction, touching only articles still pending (a concurrent re-queue is not undone).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import sqlalchemy as sa

from tidings.models import ExtractState
from tidings.store.engine import Database
from tidings.store.reads import Meta
from tidings.store.schema import articles, sources

ID = "_id"  # the key naming the article in each row of changes given to ExtractQueue.save


class ExtractionQueue(Protocol):
    """The full-text stage's view of its queue: :class:`ExtractQueue` on a real store, or a
    test double holding rows in memory (the stage never needs more than this)."""

    def pending_count(self) -> int: ...

    def pending(self, limit: int) -> list[dict[str, Any]]: ...

    def save(self, changes: Sequence[dict[str, Any]]) -> None: ...


class ExtractionStore(Protocol):
    """What the full-text stage needs of a store: its queue and nothing else."""

    @property
    def extraction(self) -> ExtractionQueue: ...


class ExtractQueue:
    def __init__(self, db: Database, meta_repo: Meta):
        self.db = db
        self._meta = meta_repo

    def pending_count(self) -> int:
        """How many articles wait for full-text extraction."""
        query = (sa.select(sa.func.count()).select_from(articles)
                 .where(articles.c.extract_state == ExtractState.PENDING))
        with self.db.read() as conn:
            return int(conn.execute(query).scalar_one())

    def pending(self, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` pending articles, oldest first, with their source's ``fulltext``
        mode (as ``mode``) and language (as ``source_language``)."""
        query = (
            sa.select(articles.c.id, articles.c.url, articles.c.canonical_url, articles.c.title,
                      articles.c.content_text, articles.c.content_html, articles.c.summary,
                      articles.c.author, articles.c.image_url, articles.c.language,
                      articles.c.site_name, sources.c.fulltext.label("mode"),
                      sources.c.language.label("source_language"))
            .select_from(articles.outerjoin(sources, sources.c.id == articles.c.source_id))
            .where(articles.c.extract_state == ExtractState.PENDING)
            .order_by(articles.c.id)
            .limit(limit)
        )
        with self.db.read() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def save(self, changes: Sequence[dict[str, Any]]) -> None:
        """New column values per article (``_id`` names it; every row has the same keys),
        in one statement and one transaction; pages showing them are rendered afresh."""
        if not changes:
            return
        columns = [k for k in changes[0] if k != ID]
        statement = (articles.update()
                     .where(articles.c.id == sa.bindparam(ID),
                            articles.c.extract_state == ExtractState.PENDING)
                     .values({c: sa.bindparam(c) for c in columns}))
        with self.db.write() as conn:
            conn.execute(statement, list(changes))
            self._meta.bump(conn=conn)
