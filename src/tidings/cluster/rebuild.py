"""Rebuilding stories from stored articles (``tidings recluster``).

Resetting puts the chosen articles back in the clustering queue and removes the stories
that no longer hold any article; the ordinary stage then assigns them again, in publication
order, with a fresh clusterer, so the same articles always give the same stories.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tidings.cluster.stage import BATCH, forget, run_pending
from tidings.config import Settings
from tidings.models import ProgressFn
from tidings.store import Store
from tidings.store.locks import CLUSTER_LOCK, exclusive


def reset(store: Store, since: datetime | None = None) -> int:
    """Unassign articles published at or after ``since`` (all when None); return how many."""
    count = store.clustering.reset(since, datetime.now(UTC))
    forget(store)
    return count


def recluster(store: Store, settings: Settings, since: datetime | None = None,
              progress: ProgressFn | None = None) -> int:
    """Reset and assign again; ``progress(done, total)`` after every batch. Holds the
    clustering lock throughout, so no worker assigns articles in between."""
    with exclusive(store.db, CLUSTER_LOCK):
        return _recluster(store, settings, since, progress)


def _recluster(store: Store, settings: Settings, since: datetime | None,
               progress: ProgressFn | None) -> int:
    reset(store, since)
    total = store.clustering.pending_count()
    done = 0
    if progress is not None:
        progress(0, total)
    while True:
        step = run_pending(store, settings, limit=BATCH * 5)
        if step == 0:
            break
        done += step
        if progress is not None:
            progress(done, total)
    return done
