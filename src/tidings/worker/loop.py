"""The background worker: fetch due feeds, then extract full text, assign stories, index.

One loop serves both ``tidings worker`` and the background thread of ``tidings serve``, so
they claim feeds the same way: expiring leases (one worker per feed, per-host politeness
across all workers), ``concurrency`` feeds in flight with the next claimed as one finishes.
The queued stages (extraction, story assignment, search indexing; see
``tidings.worker.stages``) run beside fetching in a thread, each under its own lock, so one
process at a time works through each.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterable
from datetime import UTC, datetime

from tidings.config import Settings
from tidings.errors import TidingsError, one_line
from tidings.store import Store
from tidings.worker import stages as pipeline
from tidings.worker.claims import new_worker_id, refresh_continuously
from tidings.worker.stages import Stage

log = logging.getLogger(__name__)

IDLE_SECONDS = 5.0  # nothing due or pending: look again after this long


def work(store: Store, settings: Settings, *, concurrency: int, once: bool,
         stages: Iterable[str], stop: threading.Event) -> dict[str, int]:
    """Run the worker until ``stop`` is set (``once``: until nothing is left); totals per stage.
    ``stages`` are names from :data:`tidings.worker.stages.NAMES` (unknown ones are an error)."""
    wanted = {pipeline.get(name) for name in stages}
    worker_id = new_worker_id()
    totals = {"feeds": 0, "new_articles": 0, **{s.counter: 0 for s in pipeline.STAGES}}
    log.info("worker started", extra={
        "worker_id": worker_id,
        "stages": ",".join(s.name for s in pipeline.STAGES if s in wanted)})
    later = [s for s in pipeline.STAGES if s in wanted and s.queued]
    fetching = pipeline.FETCH in wanted
    try:
        if once:
            # only what was due at the start, so a run-once worker always ends
            if fetching:
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
        if fetching:
            while not stop.is_set():
                try:
                    _fetch(store, settings, worker_id, concurrency, stop, totals)
                except TidingsError as exc:
                    # the database restarting must not end a long-lived worker
                    log.warning("fetching failed, retrying",
                                extra={"worker_id": worker_id, "error": one_line(exc)})
                    stop.wait(IDLE_SECONDS)
        else:
            stop.wait()
        if helper is not None:
            helper.join()
    finally:
        store.leases.release_all(worker_id)
        log.info("worker stopped", extra={"worker_id": worker_id, **totals})
    return totals


def run_forever(store: Store, settings: Settings, stop: threading.Event) -> None:
    """The background thread of ``tidings serve``: the worker with every stage."""
    work(store, settings, concurrency=settings.fetch_concurrency, once=False,
         stages=pipeline.NAMES, stop=stop)


def _fetch(store: Store, settings: Settings, worker_id: str, concurrency: int,
           stop: threading.Event, totals: dict[str, int], *,
           due_before: datetime | None = None, drain: bool = False) -> None:
    result = asyncio.run(refresh_continuously(
        store, settings, worker_id, concurrency=concurrency, stop=stop,
        due_before=due_before, drain=drain, idle=IDLE_SECONDS))
    totals["feeds"] += result.feeds
    totals["new_articles"] += result.new_articles


def _later_round(store: Store, settings: Settings, stages: list[Stage],
                 totals: dict[str, int], *, wait: bool) -> bool:
    """Each queued stage once, in pipeline order; whether any had work."""
    busy = False
    for stage in stages:
        done = pipeline.run_stage(stage, store, settings, wait=wait) or 0
        totals[stage.counter] += done
        busy = busy or done > 0
    return busy


def _later_loop(store: Store, settings: Settings, stages: list[Stage], totals: dict[str, int],
                stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            busy = _later_round(store, settings, stages, totals, wait=False)
        except Exception as exc:  # a stage failing must not end a long-lived worker
            log.warning("later stages failed, retrying", extra={"error": one_line(exc)})
            busy = False
        if not busy:
            stop.wait(IDLE_SECONDS)
