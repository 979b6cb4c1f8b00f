"""``tidings worker``: a background process for fetching, extracting and clustering.

Start any number, on any hosts, against one PostgreSQL database: feeds are claimed with
expiring leases (one worker per feed, per-host politeness across all of them), and story
assignment runs in one worker at a time under an advisory lock, fed in publication order.
SIGTERM (or Ctrl-C) finishes the feeds in flight, gives back its leases and exits.
"""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType

import click

from tidings.cli.context import AppContext, pass_app
from tidings.console import print_json, progress
from tidings.worker.loop import work
from tidings.worker.stages import NAMES


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
@click.option("--stage", "stages", type=click.Choice(NAMES), multiple=True,
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
                  once=once, stages=stages or NAMES, stop=stop)
    if as_json:
        print_json({**totals, "seconds": round(time.monotonic() - started, 3)})
    else:
        progress(f"worker: {totals['feeds']} feeds, {totals['new_articles']} new articles, "
                 f"{totals['extracted']} extracted, {totals['clustered']} clustered")


COMMANDS = [worker_command]
