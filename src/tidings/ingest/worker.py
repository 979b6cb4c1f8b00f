"""The background loop of ``tidings serve``: refresh due feeds, then run the later stages.

Each round refreshes the feeds whose ``next_check_at`` has passed, then runs full-text
extraction and story assignment when those stages are installed, then sleeps until the next
feed is due (at most a minute, so new subscriptions are picked up) or until ``stop`` is set.
"""

from __future__ import annotations

import importlib
import logging
import threading
from datetime import UTC, datetime
from typing import Any

from tidings.config import Settings
from tidings.store import Store

log = logging.getLogger(__name__)

LATER_STAGES = {"fulltext": "tidings.ingest.fulltext", "cluster": "tidings.cluster.stage"}
MAX_SLEEP = 60.0
MIN_SLEEP = 1.0
BATCH = 200


def _stage(module_name: str) -> Any | None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None  # that stage is not part of this installation
        raise
    return getattr(module, "run_pending", None)


def run_later_stages(store: Store, settings: Settings) -> dict[str, int | str]:
    """Run extraction and clustering if present; a failure is logged, never raised."""
    done: dict[str, int | str] = {}
    for short, name in LATER_STAGES.items():
        try:
            run_pending = _stage(name)
            if run_pending is None:
                continue
            done[short] = int(run_pending(store, settings))
        except Exception as exc:
            log.warning("stage %s failed: %s", short, exc)
            done[short] = f"error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    return done


def refresh_due(store: Store, settings: Settings, worker_id: str | None = None) -> int:
    """Refresh due feeds once; through leases when the claims module is installed."""
    try:
        from tidings.ingest.claims import claim_and_refresh, new_worker_id
    except ImportError:
        from tidings.ingest.pipeline import refresh

        return refresh(store, settings, only_due=True).feeds
    return claim_and_refresh(store, settings, worker_id or new_worker_id(), BATCH).claimed


def seconds_until_due(store: Store, now: datetime | None = None) -> float:
    now = now or datetime.now(UTC)
    pending = store.feeds.active()
    times = [f.next_check_at for f in pending]  # type: ignore[attr-defined]
    if not times:
        return MAX_SLEEP
    if any(t is None for t in times):
        return 0.0
    soonest = min(t for t in times if t is not None)
    return max(0.0, (soonest - now).total_seconds())


def run_forever(store: Store, settings: Settings, stop: threading.Event) -> None:
    """Loop until ``stop`` is set; each round's failures are logged and the loop goes on."""
    worker_id = None
    try:
        from tidings.ingest.claims import new_worker_id

        worker_id = new_worker_id()
    except ImportError:
        pass
    while not stop.is_set():
        try:
            refreshed = refresh_due(store, settings, worker_id)
            if stop.is_set():
                break
            run_later_stages(store, settings)
            wait = MIN_SLEEP if refreshed >= BATCH else seconds_until_due(store)
        except Exception:
            log.exception("background round failed")
            wait = MAX_SLEEP
        stop.wait(min(max(wait, MIN_SLEEP), MAX_SLEEP))
