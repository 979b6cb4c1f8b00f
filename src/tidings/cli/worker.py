"""``tidings worker``: a background process for fetching, extracting and clustering.

Start any number, on any hosts, against one PostgreSQL database: feeds are claimed with
expiring leases (one worker per feed, per-host politeness across all of them), and story
assignment runs in one worker at a time under an advisory lock, fed in publication order.
SIGTERM (or Ctrl-C) finishes the batch in hand, gives back its leases and exits.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from types import FrameType

import click
import sqlalchemy as sa

from tidings.cli.context import AppContext, pass_app, print_json, progress
from tidings.config import Settings
from tidings.errors import TidingsError
from tidings.ingest.claims import claim_and_refresh, new_worker_id
from tidings.store import Store
from tidings.store.locks import CLUSTER_LOCK, exclusive

log = logging.getLogger(__name__)

STAGES = ("fetch", "extract", "cluster")
IDLE_SECONDS = 5.0  # nothing due: look again after this long
BUSY_HOST_SECONDS = 0.2  # due feeds wait for a busy host's slot


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
         stages: Iterable[str], stop: threading.Event,
         on_batch: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """The worker loop; returns totals per stage. ``once`` stops when nothing is left to do."""
    wanted = set(stages)
    worker_id = new_worker_id()
    # a run-once worker takes only what was due when it started, so it always ends
    due_before = datetime.now(UTC) if once else None
    totals = {"feeds": 0, "new_articles": 0, "extracted": 0, "clustered": 0}
    log.info("worker %s started (stages: %s)", worker_id, ", ".join(sorted(wanted)))
    try:
        while not stop.is_set():
            if once:
                if not _round(store, settings, worker_id, concurrency, wanted, due_before,
                              totals, stop, once=True, on_batch=on_batch):
                    break
                continue
            try:
                busy = _round(store, settings, worker_id, concurrency, wanted, None, totals,
                              stop, once=False, on_batch=on_batch)
            except (TidingsError, sa.exc.OperationalError) as exc:
                # the database restarting or a stage failing must not end a long-lived worker
                log.warning("worker round failed, retrying: %s", exc)
                busy = False
            if not busy:
                stop.wait(IDLE_SECONDS)
    finally:
        store.leases.release_all(worker_id)
        log.info("worker %s stopped", worker_id)
    return totals


def _round(store: Store, settings: Settings, worker_id: str, concurrency: int,
           wanted: set[str], due_before: datetime | None, totals: dict[str, int],
           stop: threading.Event, *, once: bool,
           on_batch: Callable[[str, int], None] | None) -> bool:
    """One pass over the wanted stages; whether to go round again at once.

    A run-once worker drains the fetch queue before the later stages, and waits briefly
    when due feeds are held back by a host's slots that other workers hold.
    """
    busy = False
    if "fetch" in wanted:
        fetched = _fetch_round(store, settings, worker_id, concurrency, totals, due_before)
        if on_batch and fetched:
            on_batch("fetch", fetched)
        if once and fetched:
            return True
        if once and store.leases.due_unclaimed(datetime.now(UTC), due_before):
            stop.wait(BUSY_HOST_SECONDS)
            return True
        busy = fetched > 0
    if "extract" in wanted and not stop.is_set():
        done = run_extract_stage(store, settings, wait=once)
        totals["extracted"] += done
        busy = busy or done > 0
    if "cluster" in wanted and not stop.is_set():
        done = run_cluster_stage(store, settings, wait=once)
        totals["clustered"] += done
        busy = busy or done > 0
    return busy


def _fetch_round(store: Store, settings: Settings, worker_id: str, limit: int,
                 totals: dict[str, int], due_before: datetime | None) -> int:
    result = claim_and_refresh(store, settings, worker_id, limit, due_before=due_before)
    totals["feeds"] += result.claimed
    if result.report is not None:
        totals["new_articles"] += int(getattr(result.report, "new_articles", 0) or 0)
    return result.claimed


def _install_stop_handlers(stop: threading.Event) -> None:
    def handler(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # a second signal: stop now
        progress(f"worker: {signal.Signals(signum).name}, finishing the batch in hand")
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
