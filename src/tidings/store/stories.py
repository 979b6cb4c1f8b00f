"""Stories: reading them for pages and the API, and the few writes the clustering stage makes.

Readers get :class:`~tidings.models.Story` objects. A story merged into another keeps its row
with ``merged_into`` set, so :meth:`StoryRepo.get` answers an old id with the surviving story.
Counters (articles, independent sources, first/last publication) are recomputed from the
articles by :meth:`StoryRepo.refresh`, never incremented, so they cannot drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tidings.errors import NotFoundError
from tidings.models import Source, Story
from tidings.store.engine import Database
from tidings.store.schema import articles, sources, stories
from tidings.store.sources import source_from_row
from tidings.store.visibility import public_article, story_is_public

MAX_MERGE_CHAIN = 100  # a longer chain of merged_into means a cycle; stop following it


def live_row(conn: sa.Connection, story_id: int, columns: Sequence[sa.ColumnElement[Any]]
             ) -> sa.Row[Any]:
    """``columns`` of the story with this id, or of the one it was (transitively) merged into
    (``columns`` must include ``merged_into``)."""
    current = story_id
    for _ in range(MAX_MERGE_CHAIN):
        row = conn.execute(sa.select(*columns).where(stories.c.id == current)).first()
        if row is None:
            break
        if row.merged_into is None:
            return row
        current = row.merged_into
    raise NotFoundError(f"no story with id {story_id}")


def _story(row: Mapping[Any, Any], article_ids: list[int]) -> Story:
    return Story(id=row["id"], title=row["title"], first_published_at=row["first_published_at"],
                 last_published_at=row["last_published_at"], article_ids=article_ids,
                 views=row["views"], score=row["score"], merged_into=row["merged_into"])


class StoryRepo:
    def __init__(self, db: Database):
        self.db = db

    # -- reading -------------------------------------------------------------------------
    def get(self, story_id: int) -> Story:
        """The story with this id, or the one it was (transitively) merged into."""
        with self.db.read() as conn:
            row = live_row(conn, story_id, tuple(stories.c))._mapping
            return _story(row, self._article_ids(conn, row["id"]))

    def resolve(self, story_id: int) -> int:
        """The id of the surviving story (``story_id`` itself when it was never merged)."""
        return int(self.get(story_id).id or story_id)

    def article_ids(self, story_id: int) -> list[int]:
        """The story's articles (copies included), in publication order."""
        with self.db.read() as conn:
            return self._article_ids(conn, story_id)

    def sources(self, story_id: int) -> list[Source]:
        """The outlets that covered the story, in order of their first report."""
        first = sa.func.min(articles.c.published_at)
        query = (sa.select(articles.c.source_id, first.label("first"))
                 .where(articles.c.story_id == story_id, articles.c.source_id.is_not(None))
                 .group_by(articles.c.source_id).subquery())
        rows = (sa.select(sources).join(query, query.c.source_id == sources.c.id)
                .order_by(query.c.first, sources.c.id))
        with self.db.read() as conn:
            return [source_from_row(dict(r)) for r in conn.execute(rows).mappings()]

    def count(self, *, public_only: bool = False) -> int:
        """Live stories (with ``public_only``, those the public site shows)."""
        where: list[sa.ColumnElement[bool]] = [stories.c.merged_into.is_(None)]
        if public_only:
            where.append(story_is_public(stories.c.id))
        with self.db.read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(stories)
                                    .where(*where)).scalar_one())

    @staticmethod
    def _article_ids(conn: sa.Connection, story_id: int) -> list[int]:
        query = (sa.select(articles.c.id).where(articles.c.story_id == story_id)
                 .order_by(articles.c.published_at, articles.c.id))
        return [int(i) for i in conn.execute(query).scalars()]

    def create(self, conn: sa.Connection, *, title: str, now: datetime) -> int:
        """A new, empty story row inside the caller's transaction; :meth:`refresh` fills it."""
        return int(conn.execute(
            stories.insert().values(title=title or "", created_at=now, updated_at=now)
            .returning(stories.c.id)).scalar_one())

    def merge(self, conn: sa.Connection, gone: int, survivor: int, now: datetime) -> None:
        """Move every article of ``gone`` to ``survivor`` and keep ``gone`` resolvable."""
        conn.execute(articles.update().where(articles.c.story_id == gone)
                     .values(story_id=survivor))
        conn.execute(stories.update().where(stories.c.merged_into == gone)
                     .values(merged_into=survivor))
        conn.execute(stories.update().where(stories.c.id == gone)
                     .values(merged_into=survivor, article_count=0, source_count=0,
                             updated_at=now))

    def refresh(self, conn: sa.Connection, story_ids: Iterable[int], now: datetime,
                titles: Mapping[int, str] | None = None) -> None:
        """Recompute counters of live stories from their articles.

        ``source_count`` counts independent coverage: distinct sources among articles that
        are not verbatim copies. ``titles`` gives a new representative headline per story.
        """
        ids = sorted(set(story_ids))
        if not ids:
            return
        original = articles.c.duplicate_of.is_(None)
        stats = (sa.select(articles.c.story_id, sa.func.count().label("n"),
                           sa.func.min(articles.c.published_at).label("first"),
                           sa.func.max(articles.c.published_at).label("last"))
                 .where(articles.c.story_id.in_(ids)).group_by(articles.c.story_id))
        outlets = (sa.select(articles.c.story_id,
                             sa.func.count(sa.distinct(articles.c.source_id)).label("s"))
                   .where(articles.c.story_id.in_(ids), original)
                   .group_by(articles.c.story_id))
        # the picture comes from a public report whenever there is one (the site shows it)
        images = (sa.select(articles.c.story_id, articles.c.image_url)
                  .where(articles.c.story_id.in_(ids), articles.c.image_url.is_not(None))
                  .order_by(articles.c.story_id, sa.case((public_article(), 0), else_=1),
                            articles.c.published_at, articles.c.id))
        found = {r.story_id: r for r in conn.execute(stats)}
        counts = {r.story_id: int(r.s) for r in conn.execute(outlets)}
        image: dict[int, str] = {}
        for sid, url in conn.execute(images):
            image.setdefault(sid, url)
        for sid in ids:
            row = found.get(sid)
            values: dict[str, Any] = {"updated_at": now, "image_url": image.get(sid)}
            if row is None:
                values.update(article_count=0, source_count=0)
            else:
                values.update(article_count=int(row.n), source_count=counts.get(sid, 0),
                              first_published_at=row.first, last_published_at=row.last)
            if titles and sid in titles:
                values["title"] = titles[sid]
            conn.execute(stories.update().where(stories.c.id == sid,
                                                stories.c.merged_into.is_(None)).values(**values))

    def counters(self, story_id: int) -> dict[str, int]:
        """``article_count`` and ``source_count`` as stored (for tests and the admin area)."""
        with self.db.read() as conn:
            row = conn.execute(sa.select(stories.c.article_count, stories.c.source_count)
                               .where(stories.c.id == story_id)).first()
        if row is None:
            raise NotFoundError(f"no story with id {story_id}")
        return {"article_count": int(row[0]), "source_count": int(row[1])}
