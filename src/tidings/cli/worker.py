"""``tidings worker``: a background process for fetching, extracting and clustering.

Start any number, on any hosts, against one PostgreSQL database: feeds are claimed with
expiring leases (one worker per feed, per-host politeness across all of them), and story
assignment runs in one worker at a time under an advisory lock, fed in publication order.
SIGTERM (or Ctrl-C) finishes the feeds in flight, gives back its leases and exits.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from types import FrameType

import click
import sqlalchemy as sa

from tidings.cli.context import AppContext, pass_app, print_json, progress
from tidings.config import Settings
from tidings.errors import TidingsError
from tidings.ingest.claims import new_worker_id, refresh_continuously
from tidings.store import Store
from tidings.store.locks import CLUSTER_LOCK, exclusive

log = logging.getLogger(__name__)

STAGES = ("fetch", "extract", "cluster")
IDLE_SECONDS = 5.0  # nothing due: look again after this long


def run_cluster_stage(store: Store, settings: Settings, *, wait: bool) -> int:
    """Assign pending articles to stories, in one process at a time across all workers.

    With ``wait=False`` a worker that finds the lock taken skips the stage: whoever holds it
    is already working through the same queue in publication order.
    """
    from tidings.cluster.stage import run_pending

    with exclusive(store.db, CLUSTER_LOCK, wait=wait) as held:
        if not held:
            return 0
        return int(run_pending(store, settings))


def run_extract_stage(store: Store, settings: Settings, *, wait: bool = False) -> int:
    """Full-text extraction; the stage itself runs in one process at a time and skips when
    another holds it. ``wait`` (run-once workers) queues for it instead, so articles another
    worker stored after the holder's last look are not left pending."""
    from tidings.ingest.fulltext import EXTRACT_LOCK, run_pending

    with exclusive(store.db, EXTRACT_LOCK, wait=wait) as held:
        if not held:
            return 0
        return int(run_pending(store, settings))


def work(store: Store, settings: Settings, *, concurrency: int, once: bool,
         stages: Iterable[str], stop: threading.Event) -> dict[str, int]:
    """The worker; returns totals per stage. ``once`` stops when nothing is left to do.

    Fetching keeps ``concurrency`` feeds in flight, claiming one as another finishes. The
    later stages run beside it in a thread (run-once: after the fetch queue is drained).
    """
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


def _install_stop_handlers(stop: threading.Event) -> None:
    def handler(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # a second signal: stop now
        progress(f"worker: {signal.Signals(signum).name}, finishing the feeds in flight")
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


@click.command("worker")
@click.option("--concurrency", type=click.IntRange(min=1), default=None,
              help="Feeds claimed and fetched at once (default: TIDINGS_FETCH_CONCURRENCY).")
@click.option("--once", is_flag=True,
              help="Work until nothing is due or pending, then exit.")
@click.option("--stage", "stages", type=click.Choice(STAGES), multiple=True,
              help="Run only these stages (repeatable; default: all three).")
@click.option("--json", "as_json", is_flag=True, help="Print totals as one JSON line at the end.")
@pass_app
def worker_command(app: AppContext, concurrency: int | None, once: bool,
                   stages: tuple[str, ...], as_json: bool) -> None:
    """Fetch due feeds, extract full text and assign stories, alongside other workers."""
    stop = threading.Event()
    _install_stop_handlers(stop)
    started = time.monotonic()
    totals = work(app.store, app.settings,
                  concurrency=concurrency or app.settings.fetch_concurrency,
                  once=once, stages=stages or STAGES, stop=stop)
    if as_json:
        print_json({**totals, "seconds": round(time.monotonic() - started, 3)})
    else:
        progress(f"worker: {totals['feeds']} feeds, {totals['new_articles']} new articles, "
                 f"{totals['extracted']} extracted, {totals['clustered']} clustered")


COMMANDS = [worker_command]
