"""What ``/metrics`` reads from the store: stage queues from their state columns, the size of
the database. Queries only; the web layer turns them into Prometheus families."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from tidings.models import ClusterState, ExtractState
from tidings.store.engine import Database
from tidings.store.schema import articles, feeds, search_queue, sources


@dataclass(frozen=True, slots=True)
class Queue:
    """One stage's waiting work: how much, and since when the oldest has waited."""

    depth: int
    oldest: datetime | None


class StoreStats:
    def __init__(self, db: Database):
        self.db = db

    def queues(self, now: datetime) -> dict[str, Queue]:
        """``fetch``: active feeds due by ``now`` (waiting since they fell due; never-checked
        feeds count as due with no age); ``extract``: articles waiting for their full text;
        ``cluster``: articles ready for a story (since they were fetched); ``index``: articles
        waiting to be indexed for search (since they were fetched)."""
        due = sa.or_(feeds.c.next_check_at.is_(None), feeds.c.next_check_at <= now)
        fetch = (sa.select(sa.func.count(), sa.func.min(feeds.c.next_check_at))
                 .select_from(feeds.join(sources, sources.c.id == feeds.c.source_id))
                 .where(feeds.c.disabled == sa.false(), sources.c.paused == sa.false(), due))
        extract = (sa.select(sa.func.count(), sa.func.min(articles.c.fetched_at))
                   .where(articles.c.extract_state == ExtractState.PENDING))
        cluster = (sa.select(sa.func.count(), sa.func.min(articles.c.fetched_at))
                   .where(articles.c.cluster_state == ClusterState.PENDING,
                          articles.c.extract_state != ExtractState.PENDING))
        index = (sa.select(sa.func.count(), sa.func.min(articles.c.fetched_at))
                 .select_from(search_queue.join(articles,
                                                articles.c.id == search_queue.c.article_id)))
        found: dict[str, Queue] = {}
        with self.db.read() as conn:
            for name, query in (("fetch", fetch), ("extract", extract), ("cluster", cluster),
                                ("index", index)):
                count, oldest = conn.execute(query).one()  # min() keeps the UTC column type
                found[name] = Queue(int(count or 0), oldest)
        return found

    def database_bytes(self) -> int:
        """The database's size on disk (SQLite: its pages; PostgreSQL: the database)."""
        with self.db.read() as conn:
            if self.db.dialect == "postgresql":
                size = conn.execute(sa.select(sa.func.pg_database_size(
                    sa.func.current_database()))).scalar()
                return int(size or 0)
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
            page_size = conn.exec_driver_sql("PRAGMA page_size").scalar()
            return int(pages or 0) * int(page_size or 0)

