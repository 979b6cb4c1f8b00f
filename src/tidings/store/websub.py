"""WebSub: subscriptions (the rows behind each ``/websub/<token>`` callback), the hubs
fetched feeds declare, and what the publisher has pinged its hub for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tidings.models import HubSubscription, SubscriptionState
from tidings.store.engine import Database
from tidings.store.reads import Meta
from tidings.store.schema import articles, feeds, sources, websub_subscriptions

FIELDS = ("feed_id", "hub", "topic", "token", "secret", "state", "lease_expires_at",
          "next_action_at", "attempts", "last_error")
_t = websub_subscriptions


@dataclass(frozen=True, slots=True)
class ChangedArticle:
    """An article stored since the last ping round, and the feeds it changes."""

    id: int
    source_id: int | None
    story_id: int | None
    clustered: bool
    fetched_at: datetime


def _from_row(row: Mapping[Any, Any]) -> HubSubscription:
    values = {k: row[k] for k in FIELDS}
    values["state"] = SubscriptionState(values["state"])
    return HubSubscription(id=row["id"], **values)


class WebSubRepo:
    def __init__(self, db: Database):
        self.db = db

    def add(self, sub: HubSubscription, now: datetime) -> HubSubscription:
        values = {k: getattr(sub, k) for k in FIELDS}
        with self.db.write() as conn:
            new_id = conn.execute(_t.insert().values(**values, created_at=now)
                                  .returning(_t.c.id)).scalar_one()
        sub.id = int(new_id)
        return sub

    def by_token(self, token: str) -> HubSubscription | None:
        with self.db.read() as conn:
            row = conn.execute(_t.select().where(_t.c.token == token)).mappings().first()
        return _from_row(row) if row else None

    def all(self) -> list[HubSubscription]:
        with self.db.read() as conn:
            return [_from_row(r) for r in conn.execute(_t.select().order_by(_t.c.id)).mappings()]

    def update(self, sub_id: int, *, states: tuple[SubscriptionState, ...] | None = None,
               **changes: Any) -> bool:
        """Change a subscription (only while it is in one of ``states``, when given);
        whether it changed."""
        query = _t.update().where(_t.c.id == sub_id)
        if states is not None:
            query = query.where(_t.c.state.in_([str(s) for s in states]))
        with self.db.write() as conn:
            return bool(conn.execute(query.values(**changes)).rowcount)

    def delete(self, sub_id: int, *, states: tuple[SubscriptionState, ...] | None = None
               ) -> bool:
        query = _t.delete().where(_t.c.id == sub_id)
        if states is not None:
            query = query.where(_t.c.state.in_([str(s) for s in states]))
        with self.db.write() as conn:
            return bool(conn.execute(query).rowcount)

    def wanted(self) -> dict[int, tuple[str, str]]:
        """``feed_id → (hub, topic)`` for every feed that declares a hub and may be fetched
        (not disabled, source not paused): the subscriptions tidings should hold."""
        query = (sa.select(feeds.c.id, feeds.c.websub_hub, feeds.c.websub_topic)
                 .join(sources, sources.c.id == feeds.c.source_id)
                 .where(feeds.c.websub_hub.is_not(None), feeds.c.websub_topic.is_not(None),
                        feeds.c.disabled == sa.false(), sources.c.paused == sa.false()))
        with self.db.read() as conn:
            return {int(r.id): (str(r.websub_hub), str(r.websub_topic))
                    for r in conn.execute(query)}

    def record_push(self, sub_id: int, now: datetime) -> None:
        with self.db.write() as conn:
            conn.execute(_t.update().where(_t.c.id == sub_id).values(last_push_at=now))


class PublishLog:
    """What the publisher has pinged its hub for: a watermark over article ids in ``meta``."""

    MARK = "websub_published_through"

    def __init__(self, db: Database, meta: Meta):
        self.db = db
        self.meta = meta

    def mark(self) -> int | None:
        value = self.meta.get(self.MARK)
        return int(value) if value is not None else None

    def set_mark(self, article_id: int) -> None:
        self.meta.set(self.MARK, str(article_id))

    def start_mark(self) -> int:
        """The watermark on first use: the newest article (history is never pinged)."""
        with self.db.read() as conn:
            newest = conn.execute(sa.select(sa.func.max(articles.c.id))).scalar()
        return int(self.meta.setdefault(self.MARK, str(newest or 0)))

    def since(self, after_id: int, limit: int) -> list[ChangedArticle]:
        """Articles stored after ``after_id``, oldest first: what their feeds are."""
        query = (sa.select(articles.c.id, articles.c.source_id, articles.c.story_id,
                           articles.c.cluster_state, articles.c.fetched_at)
                 .where(articles.c.id > after_id).order_by(articles.c.id).limit(limit))
        with self.db.read() as conn:
            return [ChangedArticle(int(r.id), r.source_id, r.story_id,
                                   r.cluster_state == "done", r.fetched_at)
                    for r in conn.execute(query)]
