"""Readers' filter rules and saved searches (their evaluation is in operations/filters.py)."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from tidings.errors import NotFoundError, OperationError
from tidings.store.dialects import insert
from tidings.store.engine import Database
from tidings.store.schema import (
    article_states,
    articles,
    filter_rules,
    reader_prefs,
    saved_searches,
    sources,
    subscriptions,
)


@dataclass(frozen=True, slots=True)
class FilterRule:
    id: int
    action: str  # mute | keep
    field: str  # title | text | source | author | any
    kind: str  # keyword | regex
    pattern: str
    source_id: int | None  # None: every source


@dataclass(frozen=True, slots=True)
class SavedSearch:
    id: int
    name: str
    query: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """An unread article as the filter rules see it."""

    id: int
    source_id: int
    title: str
    text: str
    author: str
    source: str


class FilterRepo:
    def __init__(self, db: Database):
        self.db = db

    # -- rules -------------------------------------------------------------------------------

    def rules(self, user_id: int) -> builtins.list[FilterRule]:
        with self.db.read() as conn:
            rows = conn.execute(sa.select(
                filter_rules.c.id, filter_rules.c.action, filter_rules.c.field,
                filter_rules.c.kind, filter_rules.c.pattern, filter_rules.c.source_id,
            ).where(filter_rules.c.user_id == user_id).order_by(filter_rules.c.id))
            return [FilterRule(*r) for r in rows]

    def add_rule(self, user_id: int, rule: FilterRule, now: datetime) -> FilterRule:
        """Store a rule; the user's articles will all be looked at again."""
        with self.db.write() as conn:
            new_id = conn.execute(filter_rules.insert().values(
                user_id=user_id, action=rule.action, field=rule.field, kind=rule.kind,
                pattern=rule.pattern, source_id=rule.source_id, created_at=now,
            ).returning(filter_rules.c.id)).scalar_one()
            self._set_through(conn, user_id, 0)
        return FilterRule(new_id, rule.action, rule.field, rule.kind, rule.pattern,
                          rule.source_id)

    def delete_rule(self, user_id: int, rule_id: int) -> None:
        with self.db.write() as conn:
            if not conn.execute(filter_rules.delete().where(
                    filter_rules.c.id == rule_id, filter_rules.c.user_id == user_id)).rowcount:
                raise NotFoundError(f"no filter rule with id {rule_id}")

    def filtered_through(self, user_id: int) -> int:
        with self.db.read() as conn:
            return int(conn.execute(sa.select(reader_prefs.c.filtered_through).where(
                reader_prefs.c.user_id == user_id)).scalar() or 0)

    def set_filtered_through(self, user_id: int, article_id: int) -> None:
        with self.db.write() as conn:
            self._set_through(conn, user_id, article_id)

    @staticmethod
    def _set_through(conn: sa.Connection, user_id: int, article_id: int) -> None:
        statement = insert(conn.dialect.name, reader_prefs).values(
            user_id=user_id, filtered_through=article_id)
        conn.execute(statement.on_conflict_do_update(
            index_elements=["user_id"], set_={"filtered_through": article_id}))

    def candidates(self, user_id: int, after_id: int, limit: int
                   ) -> builtins.list[Candidate]:
        """Unread articles above ``after_id`` in followed sources, oldest first."""
        read = sa.exists(sa.select(article_states.c.article_id).where(
            article_states.c.user_id == user_id, article_states.c.article_id == articles.c.id,
            article_states.c.is_read == sa.true()))
        query = (
            sa.select(articles.c.id, articles.c.source_id, articles.c.title,
                      sa.func.coalesce(articles.c.content_text, articles.c.summary, ""),
                      sa.func.coalesce(articles.c.author, ""), sources.c.name)
            .select_from(articles)
            .join(subscriptions, sa.and_(subscriptions.c.user_id == user_id,
                                         subscriptions.c.source_id == articles.c.source_id,
                                         articles.c.id > subscriptions.c.read_through))
            .join(sources, sources.c.id == articles.c.source_id)
            .where(articles.c.id > after_id, ~read)
            .order_by(articles.c.id).limit(limit)
        )
        with self.db.read() as conn:
            return [Candidate(*r) for r in conn.execute(query)]

    # -- saved searches ----------------------------------------------------------------------

    def saved_searches(self, user_id: int) -> builtins.list[SavedSearch]:
        with self.db.read() as conn:
            rows = conn.execute(sa.select(saved_searches.c.id, saved_searches.c.name,
                                          saved_searches.c.query)
                                .where(saved_searches.c.user_id == user_id)
                                .order_by(sa.func.lower(saved_searches.c.name)))
            return [SavedSearch(*r) for r in rows]

    def saved_search(self, user_id: int, search_id: int) -> SavedSearch:
        with self.db.read() as conn:
            row = conn.execute(sa.select(saved_searches.c.id, saved_searches.c.name,
                                         saved_searches.c.query).where(
                saved_searches.c.id == search_id, saved_searches.c.user_id == user_id)).first()
        if row is None:
            raise NotFoundError(f"no saved search with id {search_id}")
        return SavedSearch(*row)

    def add_saved_search(self, user_id: int, name: str, query: str,
                         now: datetime) -> SavedSearch:
        with self.db.write() as conn:
            taken = conn.execute(sa.select(saved_searches.c.id).where(
                saved_searches.c.user_id == user_id, saved_searches.c.name == name)).first()
            if taken:
                raise OperationError(f"a saved search named {name!r} exists already")
            new_id = conn.execute(saved_searches.insert().values(
                user_id=user_id, name=name, query=query, created_at=now
            ).returning(saved_searches.c.id)).scalar_one()
        return SavedSearch(new_id, name, query)

    def delete_saved_search(self, user_id: int, search_id: int) -> None:
        with self.db.write() as conn:
            if not conn.execute(saved_searches.delete().where(
                    saved_searches.c.id == search_id,
                    saved_searches.c.user_id == user_id)).rowcount:
                raise NotFoundError(f"no saved search with id {search_id}")
