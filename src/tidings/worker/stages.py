"""The pipeline's stages, declared once: every front end runs them by name through this table.

``tidings worker --stage NAME``, the background loop of ``tidings serve``, ``tidings fetch``
(and the demo), and the admin area's "run now" buttons all look a stage up here and run it
with :func:`run_stage`, so names, locks and batch limits cannot drift apart.

- ``fetch``: claim due feeds through expiring leases (one worker per feed), fetch, parse and
  store new articles. No lock: the leases spread the work over any number of workers.
- ``extract``: fetch article pages and extract full text, one process at a time.
- ``cluster``: assign articles to stories in publication order, one process at a time (two
  at once could each start a story for the same event).
- ``index``: index stored articles for search, a batch per transaction (inserting an article
  only queues it), after ``cluster`` so an article whose text extraction replaced is usually
  indexed once, with its full text; one process at a time.
- ``websub``: keep WebSub subscriptions in step with the hubs fetched feeds declare
  (subscribe, renew, unsubscribe; nothing without ``TIDINGS_PUBLIC_URL``), one process at a
  time.
- ``publish``: ping ``TIDINGS_WEBSUB_HUB`` for the site's feeds that new articles changed
  (after ``cluster``, so story feeds are known), one process at a time.

The stage modules are imported when a stage runs, not with this table: the command line
builds its ``--stage`` choices from here and should stay quick to start.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from tidings.config import Settings
from tidings.errors import UnknownStageError, one_line
from tidings.models import ProgressFn
from tidings.store import Store
from tidings.store.locks import (
    CLUSTER_LOCK,
    EXTRACT_LOCK,
    INDEX_LOCK,
    PUBLISH_LOCK,
    WEBSUB_LOCK,
    exclusive,
)

log = logging.getLogger(__name__)

#: what a stage does: handle at most ``limit`` items (``None``: all there are), return how many
Runner = Callable[[Store, Settings, int | None, ProgressFn | None], int]


@dataclass(frozen=True, slots=True)
class Stage:
    name: str  # as on the command line (``--stage``) and in logs
    counter: str  # the key of its count in the worker's totals (``feeds``, ``extracted``, ...)
    lock: str | None  # held by one process at a time; None: per-feed leases share the work
    run_limit: int  # items one "run now" from the admin area handles (a request stays short)
    runner: Runner
    queued: bool = True  # fed from a queue in the store (not from due feeds)


def _fetch(store: Store, settings: Settings, limit: int | None,
           _progress: ProgressFn | None) -> int:
    from tidings.worker.claims import claim_and_refresh, new_worker_id

    batch = limit if limit is not None else settings.fetch_concurrency
    return claim_and_refresh(store, settings, new_worker_id(), batch).claimed


def _extract(store: Store, settings: Settings, limit: int | None,
             progress: ProgressFn | None) -> int:
    from tidings.extract import stage  # trafilatura and friends: loaded when extraction runs

    return int(stage.run_pending(store, settings, limit=limit, progress=progress))


def _cluster(store: Store, settings: Settings, limit: int | None,
             _progress: ProgressFn | None) -> int:
    from tidings.cluster import stage

    return int(stage.run_pending(store, settings, limit=limit))


def _index(store: Store, _settings: Settings, limit: int | None,
           progress: ProgressFn | None) -> int:
    return store.search_index.run(limit=limit, progress=progress)


def _websub(store: Store, settings: Settings, limit: int | None,
            _progress: ProgressFn | None) -> int:
    from tidings.websub import subscriber

    return subscriber.upkeep(store, settings, limit=limit)


def _publish(store: Store, settings: Settings, limit: int | None,
             _progress: ProgressFn | None) -> int:
    from tidings.websub import publisher

    return publisher.publish(store, settings, limit=limit)


FETCH = Stage("fetch", counter="feeds", lock=None, run_limit=20, runner=_fetch, queued=False)
EXTRACT = Stage("extract", counter="extracted", lock=EXTRACT_LOCK, run_limit=40,
                runner=_extract)
CLUSTER = Stage("cluster", counter="clustered", lock=CLUSTER_LOCK, run_limit=2000,
                runner=_cluster)
#: search indexing: what was stored (and extracted) becomes findable
INDEX = Stage("index", counter="indexed", lock=INDEX_LOCK, run_limit=5000, runner=_index)
#: WebSub subscriptions: subscribe to the hubs fetched feeds declare, renew, unsubscribe
WEBSUB = Stage("websub", counter="websub_requests", lock=WEBSUB_LOCK, run_limit=200,
               runner=_websub)
#: WebSub publishing: ping TIDINGS_WEBSUB_HUB for the site's feeds new articles changed
PUBLISH = Stage("publish", counter="pings", lock=PUBLISH_LOCK, run_limit=200,
                runner=_publish)

#: in pipeline order; a worker and ``tidings fetch`` run the queued ones in this order
STAGES: tuple[Stage, ...] = (FETCH, EXTRACT, CLUSTER, INDEX, WEBSUB, PUBLISH)
NAMES: tuple[str, ...] = tuple(stage.name for stage in STAGES)


def get(name: str) -> Stage:
    """The stage called ``name``; a clear error naming the known ones otherwise."""
    for stage in STAGES:
        if stage.name == name:
            return stage
    raise UnknownStageError(f"unknown stage {name!r} (known: {', '.join(NAMES)})")


def run_stage(stage: Stage | str, store: Store, settings: Settings, *,
              limit: int | None = None, wait: bool = True,
              progress: ProgressFn | None = None) -> int | None:
    """Run ``stage`` once over what is waiting (at most ``limit`` items), under its lock.

    ``wait=False`` returns ``None`` at once when another process or thread holds the lock
    (it is already working through the same queue); ``wait=True`` queues behind it, so
    articles stored after the holder's last look are not left waiting.
    """
    found = get(stage) if isinstance(stage, str) else stage
    if found.lock is None:
        return _timed(found, store, settings, limit, progress)
    with exclusive(store.db, found.lock, wait=wait) as held:
        return _timed(found, store, settings, limit, progress) if held else None


def _timed(stage: Stage, store: Store, settings: Settings, limit: int | None,
           progress: ProgressFn | None) -> int:
    started = time.monotonic()
    done = stage.runner(store, settings, limit, progress)
    log.debug("stage ran", extra={"stage": stage.name, "items": done,
                                  "duration_s": round(time.monotonic() - started, 3)})
    return done


def run_queued(store: Store, settings: Settings, *,
               progress: Mapping[str, ProgressFn] | None = None,
               only: Collection[str] | None = None) -> dict[str, int | str]:
    """Every queued stage once (or those named in ``only``), in order, waiting for other
    holders: what ``tidings fetch`` and the demo run after fetching. A failure is reported in
    the result (one line), never raised, so the caller still prints its report. ``progress``
    maps a stage's name to the callback that hears its ``(done, total)``."""
    wanted = None if only is None else {get(name).name for name in only}
    done: dict[str, int | str] = {}
    for stage in STAGES:
        if not stage.queued or (wanted is not None and stage.name not in wanted):
            continue
        try:
            done[stage.name] = run_stage(stage, store, settings,
                                         progress=(progress or {}).get(stage.name)) or 0
        except Exception as exc:
            log.warning("stage failed", extra={"stage": stage.name, "error": one_line(exc)})
            done[stage.name] = f"error: {one_line(exc)}"
    return done
