"""Totals shared by every process, for ``/metrics``: incremented inside the writes they count.

A web process only sees its own requests, but a fetch, a stored item or a received push may
happen in any worker; adding to a row of ``counters`` in the same transaction as the write
makes the total exact for the whole site (a rolled-back write counts nothing). The names
below are the ones ``/metrics`` reports; a module that counts something new adds its name
here and its description in ``tidings.web.metrics``.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from tidings.store.dialects import insert
from tidings.store.engine import Database
from tidings.store.schema import counters

FETCH_OK = "fetch_ok"
FETCH_NOT_MODIFIED = "fetch_not_modified"
FETCH_ERROR = "fetch_error"
ITEMS_STORED = "items_stored"
PUSH_RECEIVED = "push_received"
PUSH_REFUSED = "push_refused"
READS_COUNTED = "reads_counted"
CLUSTERED_ARTICLES = "clustered_articles"
CLUSTER_SECONDS = "cluster_seconds"


class Counters:
    def __init__(self, db: Database):
        self.db = db

    def add(self, conn: sa.Connection, amounts: Mapping[str, float]) -> None:
        """Add to named totals inside ``conn``'s transaction (rows in name order, so two
        writers on PostgreSQL lock them in the same order). Zero amounts are skipped."""
        rows = [{"name": k, "value": float(v)} for k, v in sorted(amounts.items()) if v]
        if not rows:
            return
        stmt = insert(self.db.dialect, counters)
        stmt = stmt.on_conflict_do_update(index_elements=["name"],
                                          set_={"value": counters.c.value + stmt.excluded.value})
        conn.execute(stmt, rows)

    def add_now(self, amounts: Mapping[str, float]) -> None:
        """:meth:`add` in a transaction of its own."""
        with self.db.write() as conn:
            self.add(conn, amounts)

    def all(self) -> dict[str, float]:
        with self.db.read() as conn:
            return {str(name): float(value)
                    for name, value in conn.execute(sa.select(counters.c.name,
                                                              counters.c.value))}
