"""Topics' queries: the cluster stage's writes (inside its batch transaction) and the site's
reads. A topic is listed once its articles span ``MIN_STORIES`` stories.

Decisions are made in :mod:`tidings.cluster.topics`; this module only reads and writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from tidings.errors import NotFoundError
from tidings.store.dialects import insert
from tidings.store.engine import Database
from tidings.store.schema import (
    UTCDateTime,
    articles,
    sources,
    topic_articles,
    topic_context,
    topics,
)

#: a name becomes a topic (listed, with a page) once it recurs across this many stories
MIN_STORIES = 2
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class TopicRow:
    id: int
    key: str
    sense: int
    slug: str
    name: str
    article_count: int
    story_count: int
    last_published_at: datetime | None
    context_peak: int = 0


_COLUMNS = (topics.c.id, topics.c.key, topics.c.sense, topics.c.slug, topics.c.name,
            topics.c.article_count, topics.c.story_count, topics.c.last_published_at,
            topics.c.context_peak)


class TopicWriter:
    """The cluster stage's topic writes, on the connection of its batch."""

    def __init__(self, conn: sa.Connection):
        self.conn = conn

    def is_public(self, article_id: int) -> bool:
        """Whether the article's source is public (private sources' articles make no topic)."""
        query = (sa.select(sources.c.is_public)
                 .join(articles, articles.c.source_id == sources.c.id)
                 .where(articles.c.id == article_id))
        return bool(self.conn.execute(query).scalar())

    def senses(self, keys: Iterable[str]) -> dict[str, list[TopicRow]]:
        found: dict[str, list[TopicRow]] = {}
        wanted = sorted(set(keys))
        if not wanted:
            return found
        query = sa.select(*_COLUMNS).where(topics.c.key.in_(wanted)).order_by(topics.c.sense)
        for row in self.conn.execute(query):
            found.setdefault(row.key, []).append(TopicRow(*row))
        return found

    def context(self, topic_ids: Iterable[int], keys: Iterable[str]
                ) -> dict[int, dict[str, int]]:
        """Per topic, how many of its articles mention each of ``keys`` beside it."""
        ids, wanted = sorted(set(topic_ids)), sorted(set(keys))
        found: dict[int, dict[str, int]] = {}
        if not ids or not wanted:
            return found
        query = sa.select(topic_context.c.topic_id, topic_context.c.key,
                          topic_context.c.count).where(topic_context.c.topic_id.in_(ids),
                                                       topic_context.c.key.in_(wanted))
        for topic_id, key, count in self.conn.execute(query):
            found.setdefault(int(topic_id), {})[str(key)] = int(count)
        return found

    def in_story(self, story_id: int, keys: Iterable[str]) -> dict[str, int]:
        """The topic each of ``keys`` already has among the story's articles."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        query = (sa.select(topics.c.key, sa.func.min(topics.c.id))
                 .join(topic_articles, topic_articles.c.topic_id == topics.c.id)
                 .join(articles, articles.c.id == topic_articles.c.article_id)
                 .where(articles.c.story_id == story_id, topics.c.key.in_(wanted))
                 .group_by(topics.c.key))
        return {str(k): int(t) for k, t in self.conn.execute(query)}

    def create(self, key: str, sense: int, name: str, slug: str, now: datetime) -> int:
        return int(self.conn.execute(topics.insert().values(
            key=key, sense=sense, name=name, slug=self._free_slug(slug), created_at=now)
            .returning(topics.c.id)).scalar_one())

    def _free_slug(self, slug: str) -> str:
        taken = set(self.conn.execute(sa.select(topics.c.slug).where(
            sa.or_(topics.c.slug == slug, topics.c.slug.like(f"{slug}-%")))).scalars())
        chosen, n = slug, 1
        while chosen in taken:
            n += 1
            chosen = f"{slug}-{n}"
        return chosen

    def rename(self, topic_id: int, name: str, slug: str | None = None) -> None:
        """A new display name; a new slug too when given (only before the topic is listed,
        so a published address never changes)."""
        values: dict[str, str] = {"name": name}
        if slug is not None:
            values["slug"] = self._free_slug(slug)
        self.conn.execute(topics.update().where(topics.c.id == topic_id).values(**values))

    def add(self, article_id: int, story_id: int, published_at: datetime,
            topic_ids: Sequence[int], companions: Mapping[int, Sequence[str]],
            peaks: Mapping[int, int]) -> None:
        """The article joins its topics; each topic counts it, its story when new to the
        topic, the article's other names (its context) and its new ``peaks`` (the count of
        its most frequent companion, as the caller worked it out). A few statements per
        article, whatever the number of topics."""
        if not topic_ids:
            return
        in_story = set(self.conn.execute(
            sa.select(topic_articles.c.topic_id).distinct()
            .join(articles, articles.c.id == topic_articles.c.article_id)
            .where(articles.c.story_id == story_id,
                   topic_articles.c.topic_id.in_(sorted(topic_ids)))).scalars())
        when = sa.literal(published_at, UTCDateTime())
        peak = sa.bindparam("peak", type_=sa.Integer)
        counted = (topics.update().where(topics.c.id == sa.bindparam("topic"))
                   .values(article_count=topics.c.article_count + 1,
                           story_count=topics.c.story_count + sa.bindparam("new_story"),
                           context_peak=sa.case((topics.c.context_peak < peak, peak),
                                                else_=topics.c.context_peak),
                           last_published_at=sa.case(
                               (topics.c.last_published_at.is_(None), when),
                               (topics.c.last_published_at < when, when),
                               else_=topics.c.last_published_at)))
        self.conn.execute(counted, [{"topic": t, "new_story": int(t not in in_story),
                                     "peak": peaks.get(t, 0)} for t in topic_ids])
        stmt = insert(self.conn.dialect.name, topic_articles).on_conflict_do_nothing()
        self.conn.execute(stmt, [{"topic_id": t, "article_id": article_id} for t in topic_ids])
        rows = [{"topic_id": t, "key": k, "count": 1} for t in topic_ids for k in companions[t]]
        if rows:
            upsert = insert(self.conn.dialect.name, topic_context)
            upsert = upsert.on_conflict_do_update(
                index_elements=["topic_id", "key"],
                set_={"count": topic_context.c.count + 1})
            self.conn.execute(upsert, rows)

    def refresh(self, topic_ids: Iterable[int]) -> None:
        """Recount articles, stories and the newest date of these topics exactly (merges
        and splits of stories move articles after they joined a topic)."""
        refresh_counts(self.conn, topic_ids)


def refresh_counts(conn: sa.Connection, topic_ids: Iterable[int]) -> None:
    ids = sorted(set(topic_ids))
    for start in range(0, len(ids), _CHUNK):
        part = ids[start:start + _CHUNK]
        query = (sa.select(topic_articles.c.topic_id, sa.func.count(),
                           sa.func.count(sa.distinct(articles.c.story_id)),
                           sa.func.max(articles.c.published_at))
                 .join(articles, articles.c.id == topic_articles.c.article_id)
                 .where(topic_articles.c.topic_id.in_(part))
                 .group_by(topic_articles.c.topic_id))
        seen = set()
        for topic_id, n, stories_n, last in conn.execute(query).all():
            seen.add(int(topic_id))
            conn.execute(topics.update().where(topics.c.id == topic_id).values(
                article_count=int(n), story_count=int(stories_n), last_published_at=last))
        empty = [t for t in part if t not in seen]
        if empty:
            conn.execute(topics.delete().where(topics.c.id.in_(empty)))


def reset_topics(conn: sa.Connection, since: datetime | None) -> None:
    """Forget the topic memberships of articles published at or after ``since`` (all when
    None), so that clustering them again rebuilds the same topics (``tidings recluster``)."""
    if since is None:
        for table in (topic_context, topic_articles, topics):
            conn.execute(table.delete())
        return
    chosen = sa.select(articles.c.id).where(articles.c.published_at >= since)
    affected = sorted(set(conn.execute(sa.select(topic_articles.c.topic_id).distinct()
                                       .where(topic_articles.c.article_id.in_(chosen)))
                          .scalars()))
    conn.execute(topic_articles.delete().where(topic_articles.c.article_id.in_(chosen)))
    for start in range(0, len(affected), _CHUNK):
        part = affected[start:start + _CHUNK]
        conn.execute(topic_context.delete().where(topic_context.c.topic_id.in_(part)))
        mine, other = topic_articles.alias("mine"), topic_articles.alias("other")
        rebuilt = (sa.select(mine.c.topic_id, topics.c.key, sa.func.count())
                   .join(other, sa.and_(other.c.article_id == mine.c.article_id,
                                        other.c.topic_id != mine.c.topic_id))
                   .join(topics, topics.c.id == other.c.topic_id)
                   .where(mine.c.topic_id.in_(part))
                   .group_by(mine.c.topic_id, topics.c.key))
        conn.execute(topic_context.insert().from_select(["topic_id", "key", "count"], rebuilt))
        refresh_counts(conn, part)


class TopicRepo:
    """The site's reads."""

    def __init__(self, db: Database):
        self.db = db

    def listed(self, *, limit: int, offset: int) -> tuple[list[TopicRow], int]:
        """Topics spanning MIN_STORIES stories, most stories first (then most recent)."""
        visible = topics.c.story_count >= MIN_STORIES
        query = (sa.select(*_COLUMNS).where(visible)
                 .order_by(topics.c.story_count.desc(), topics.c.last_published_at.desc(),
                           topics.c.id).limit(limit).offset(offset))
        with self.db.read() as conn:
            rows = [TopicRow(*r) for r in conn.execute(query)]
            total = conn.execute(sa.select(sa.func.count()).select_from(topics)
                                 .where(visible)).scalar_one()
        return rows, int(total)

    def by_slug(self, slug: str) -> TopicRow:
        query = sa.select(*_COLUMNS).where(topics.c.slug == slug,
                                           topics.c.story_count >= MIN_STORIES)
        with self.db.read() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"no topic {slug!r}")
        return TopicRow(*row)

    def story_ids(self, topic_id: int, *, limit: int, offset: int) -> tuple[list[int], int]:
        """The topic's stories, newest report first."""
        newest = sa.func.max(articles.c.published_at)
        query = (sa.select(articles.c.story_id, newest)
                 .join(topic_articles, topic_articles.c.article_id == articles.c.id)
                 .where(topic_articles.c.topic_id == topic_id, articles.c.story_id.is_not(None))
                 .group_by(articles.c.story_id)
                 .order_by(newest.desc(), articles.c.story_id.desc()))
        with self.db.read() as conn:
            ids = [int(r[0]) for r in conn.execute(query.limit(limit).offset(offset))]
            total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())
                                 ).scalar_one()
        return ids, int(total)

    def of_articles(self, article_ids: Iterable[int], limit: int = 8) -> list[TopicRow]:
        """The listed topics these articles belong to, most stories first."""
        ids = sorted(set(article_ids))[:_CHUNK]
        if not ids:
            return []
        query = (sa.select(*_COLUMNS).distinct()
                 .join(topic_articles, topic_articles.c.topic_id == topics.c.id)
                 .where(topic_articles.c.article_id.in_(ids),
                        topics.c.story_count >= MIN_STORIES)
                 .order_by(topics.c.story_count.desc(), topics.c.id).limit(limit))
        with self.db.read() as conn:
            return [TopicRow(*r) for r in conn.execute(query)]

    def all_listed(self) -> list[tuple[str, datetime | None]]:
        """Every listed topic's slug and newest date (the sitemap)."""
        query = (sa.select(topics.c.slug, topics.c.last_published_at)
                 .where(topics.c.story_count >= MIN_STORIES).order_by(topics.c.id))
        with self.db.read() as conn:
            return [(str(s), at) for s, at in conn.execute(query)]

    def newest_articles(self, topic_id: int, limit: int) -> list[int]:
        """The ids of the topic's newest articles (its feed)."""
        query = (sa.select(articles.c.id)
                 .join(topic_articles, topic_articles.c.article_id == articles.c.id)
                 .where(topic_articles.c.topic_id == topic_id)
                 .order_by(articles.c.published_at.desc(), articles.c.id.desc()).limit(limit))
        with self.db.read() as conn:
            return [int(i) for i in conn.execute(query).scalars()]

    def members(self, topic_id: int) -> list[int]:
        """The ids of the topic's articles (evaluation and tests)."""
        query = (sa.select(topic_articles.c.article_id)
                 .where(topic_articles.c.topic_id == topic_id)
                 .order_by(topic_articles.c.article_id))
        with self.db.read() as conn:
            return [int(i) for i in conn.execute(query).scalars()]

    def everything(self) -> list[TopicRow]:
        """Every topic, listed or not (evaluation and tests)."""
        with self.db.read() as conn:
            return [TopicRow(*r) for r in conn.execute(sa.select(*_COLUMNS)
                                                       .order_by(topics.c.id))]
