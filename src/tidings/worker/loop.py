"""The background worker: fetch due feeds, then extract full text and assign stories.

One loop serves both ``tidings worker`` and the background thread of ``tidings serve``, so
they claim feeds the same way: expiring leases (one worker per feed, per-host politeness
across all workers), ``concurrency`` feeds in flight with the next claimed as one finishes.
The later stages run beside fetching in a thread; story assignment runs in one process at a
time under a lock, fed in publication order.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa

from tidings.config import Settings
from tidings.errors import TidingsError
from tidings.store import Store
from tidings.store.locks import CLUSTER_LOCK, exclusive
from tidings.worker.claims import new_worker_id, refresh_continuously

log = logging.getLogger(__name__)

STAGES = ("fetch", "extract", "cluster")
IDLE_SECONDS = 5.0  # nothing due or pending: look again after this long


def run_extract_stage(store: Store, settings: Settings, *, wait: bool = False) -> int:
    """Full-text extraction, one process at a time; ``wait=False`` skips when another holds
    it, ``wait=True`` queues so articles stored after the holder's last look are not left."""
    from tidings.extract import (
        stage as extract_stage,  # imported when used: keeps the command line quick
    )

    with exclusive(store.db, extract_stage.EXTRACT_LOCK, wait=wait) as held:
        return int(extract_stage.run_pending(store, settings)) if held else 0


def run_cluster_stage(store: Store, settings: Settings, *, wait: bool = False) -> int:
    """Story assignment, one process at a time across all workers (whoever holds the lock is
    already working through the same queue in publication order)."""
    from tidings.cluster import stage as cluster_stage

    with exclusive(store.db, CLUSTER_LOCK, wait=wait) as held:
        return int(cluster_stage.run_pending(store, settings)) if held else 0


def run_later_stages(store: Store, settings: Settings) -> dict[str, int | str]:
    """Extraction then clustering, once, waiting for other holders; a failure is reported in
    the result (one line), never raised, so ``tidings fetch`` still prints its report."""
    done: dict[str, int | str] = {}
    for name, run in (("fulltext", run_extract_stage), ("cluster", run_cluster_stage)):
        try:
            done[name] = run(store, settings, wait=True)
        except Exception as exc:
            log.warning("stage %s failed: %s", name, exc)
            done[name] = f"error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    return done


def work(store: Store, settings: Settings, *, concurrency: int, once: bool,
         stages: Iterable[str], stop: threading.Event) -> dict[str, int]:
    """Run the worker until ``stop`` is set (``once``: until nothing is left); totals per stage."""
    wanted = set(stages)
    worker_id = new_worker_id()
    totals = {"feeds": 0, "new_articles": 0, "extracted": 0, "clustered": 0}
    log.info("worker %s started (stages: %s)", worker_id, ", ".join(sorted(wanted)))
    later = wanted & {"extract", "cluster"}
    try:
        if once:
            # only what was due at the start, so a run-once worker always ends
            if "fetch" in wanted:
                _fetch(store, settings, worker_id, concurrency, stop, totals,
                       due_before=datetime.now(UTC), drain=True)
            while later and not stop.is_set() and _later_round(store, settings, later, totals,
                                                               wait=True):
                pass
            return totals
        helper = None
        if later:
            helper = threading.Thread(target=_later_loop, name="tidings-stages",
                                      args=(store, settings, later, totals, stop), daemon=True)
            helper.start()
        if "fetch" in wanted:
            while not stop.is_set():
                try:
                    _fetch(store, settings, worker_id, concurrency, stop, totals)
                except (TidingsError, sa.exc.OperationalError) as exc:
                    # the database restarting must not end a long-lived worker
                    log.warning("fetching failed, retrying: %s", exc)
                    stop.wait(IDLE_SECONDS)
        else:
            stop.wait()
        if helper is not None:
            helper.join()
    finally:
        store.leases.release_all(worker_id)
        log.info("worker %s stopped", worker_id)
    return totals


def run_forever(store: Store, settings: Settings, stop: threading.Event) -> None:
    """The background thread of ``tidings serve``: the worker with every stage."""
    work(store, settings, concurrency=settings.fetch_concurrency, once=False, stages=STAGES,
         stop=stop)


def _fetch(store: Store, settings: Settings, worker_id: str, concurrency: int,
           stop: threading.Event, totals: dict[str, int], *,
           due_before: datetime | None = None, drain: bool = False) -> None:
    result = asyncio.run(refresh_continuously(
        store, settings, worker_id, concurrency=concurrency, stop=stop,
        due_before=due_before, drain=drain, idle=IDLE_SECONDS))
    totals["feeds"] += result.feeds
    totals["new_articles"] += result.new_articles


def _later_round(store: Store, settings: Settings, stages: set[str], totals: dict[str, int],
                 *, wait: bool) -> bool:
    """Extraction, then story assignment; whether either had work."""
    busy = False
    if "extract" in stages:
        done = run_extract_stage(store, settings, wait=wait)
        totals["extracted"] += done
        busy = done > 0
    if "cluster" in stages:
        done = run_cluster_stage(store, settings, wait=wait)
        totals["clustered"] += done
        busy = busy or done > 0
    return busy


def _later_loop(store: Store, settings: Settings, stages: set[str], totals: dict[str, int],
                stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            busy = _later_round(store, settings, stages, totals, wait=False)
        except Exception as exc:  # a stage failing must not end a long-lived worker
            log.warning("later stages failed, retrying: %s", exc)
            busy = False
        if not busy:
            stop.wait(IDLE_SECONDS)
