"""Rebuilding stories from stored articles (``tidings recluster``).

Resetting puts the chosen articles back in the clustering queue and removes the stories
that no longer hold any article; the ordinary stage then assigns them again, in publication
order, with a fresh clusterer, so the same articles always give the same stories.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa

from tidings.cluster.stage import BATCH, forget, run_pending
from tidings.config import Settings
from tidings.store import Store
from tidings.store.locks import CLUSTER_LOCK, exclusive
from tidings.store.schema import articles, stories


def reset(store: Store, since: datetime | None = None) -> int:
    """Unassign articles published at or after ``since`` (all when None); return how many."""
    chosen = [] if since is None else [articles.c.published_at >= since]
    now = datetime.now(UTC)
    with store.db.write() as conn:
        affected = set(conn.execute(sa.select(articles.c.story_id).distinct()
                                    .where(*chosen, articles.c.story_id.is_not(None))).scalars())
        count = conn.execute(articles.update().where(*chosen)
                             .values(story_id=None, duplicate_of=None,
                                     cluster_state="pending")).rowcount
        if since is None:
            conn.execute(stories.update().values(merged_into=None))
            conn.execute(stories.delete())
        else:
            _drop_empty(conn, affected)
            kept = set(conn.execute(sa.select(articles.c.story_id).distinct()
                                    .where(articles.c.story_id.is_not(None))).scalars())
            store.stories.refresh(conn, affected & kept, now)
        store.meta.bump(conn=conn)
    forget(store)
    return int(count)


def _drop_empty(conn: sa.Connection, affected: set[int]) -> None:
    """Delete emptied stories, and the merged stories whose chain led into them."""
    in_use = set(conn.execute(sa.select(articles.c.story_id).distinct()
                              .where(articles.c.story_id.is_not(None))).scalars())
    doomed = {s for s in affected if s not in in_use}
    frontier = set(doomed)
    while frontier:
        feeding = set(conn.execute(sa.select(stories.c.id)
                                   .where(stories.c.merged_into.in_(sorted(frontier)))).scalars())
        frontier = feeding - doomed
        doomed |= feeding
    ids = sorted(doomed)
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        conn.execute(stories.update().where(stories.c.id.in_(part)).values(merged_into=None))
    for start in range(0, len(ids), 500):
        conn.execute(stories.delete().where(stories.c.id.in_(ids[start:start + 500])))


def recluster(store: Store, settings: Settings, since: datetime | None = None,
              report: Callable[[int, int], None] | None = None) -> int:
    """Reset and assign again; ``report(done, total)`` after every batch. Holds the
    clustering lock throughout, so no worker assigns articles in between."""
    with exclusive(store.db, CLUSTER_LOCK):
        return _recluster(store, settings, since, report)


def _recluster(store: Store, settings: Settings, since: datetime | None,
               report: Callable[[int, int], None] | None) -> int:
    reset(store, since)
    with store.db.read() as conn:
        total = int(conn.execute(sa.select(sa.func.count()).select_from(articles)
                                 .where(articles.c.cluster_state == "pending",
                                        articles.c.extract_state != "pending")).scalar_one())
    done = 0
    while True:
        step = run_pending(store, settings, limit=BATCH * 5)
        if step == 0:
            break
        done += step
        if report is not None:
            report(done, total)
    return done
