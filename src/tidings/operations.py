"""Operations the admin area and the command line share, so the two never drift.

Adding and editing sources, and re-running the later pipeline stages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tidings.config import Settings
from tidings.errors import OperationError
from tidings.models import Source
from tidings.store import health
from tidings.worker import stages

PIPELINE_ACTIONS = ("run-extract", "run-cluster", "requeue-extract", "requeue-extract-all",
                    "requeue-cluster", "reset-feed-errors")


def add_source(store: Any, settings: Settings, *, url: str, name: str | None,
               category: str | None, now: datetime) -> tuple[Source, int]:
    """Subscribe as ``tidings add`` does: discover the feed (through the address guard),
    store the source and its first entries. Returns the source and how many articles came."""
    from tidings.cli.context import AppContext
    from tidings.cli.subscribe import subscribe

    done = subscribe(AppContext(settings, _store=store), url, name=name, category=category,
                     now=now)
    added = [s for s in done if not s.already]
    if not added:
        raise OperationError(f"already subscribed to {done[0].feed.url if done else url}")
    return store.sources.get(added[0].feed.source_id), sum(s.new_articles for s in added)


def edit_source(store: Any, source_id: int, *, name: str, category: str | None,
                fulltext: str, language: str | None, poll_interval: int | None) -> None:
    """Change a source's settings; the poll interval applies to each of its feeds."""
    store.sources.update(source_id, name=name, category=category, fulltext=fulltext,
                         language=language)
    for feed in store.feeds.list(source_id):
        store.feeds.update(feed.id, poll_interval=poll_interval)


def run_stage(store: Any, settings: Settings, stage: str, *,
              limit: int | None = None) -> int | None:
    """Run one stage now, by name, over what is waiting (at most its ``run_limit``, so an
    admin request stays short); how many items it handled, or ``None`` when another process
    is already running it (that one works through the same queue; nobody waits for it)."""
    found = stages.get(stage)
    return stages.run_stage(found, store, settings, limit=limit or found.run_limit, wait=False)


def _ran(label: str, done: int | None) -> str:
    if done is None:
        return f"{label} is already running elsewhere; it will handle the queue."
    return f"{label} handled {done} article(s)."


def pipeline_action(store: Any, settings: Settings, action: str, *,
                    source_id: int | None = None) -> str:
    """One named action from the admin area; returns a sentence saying what was done."""
    if action == "run-extract":
        return _ran("Extraction", run_stage(store, settings, "extract"))
    if action == "run-cluster":
        return _ran("Clustering", run_stage(store, settings, "cluster"))
    if action == "requeue-extract":
        n = health.requeue_extraction(store, source_id=source_id)
        return f"{n} failed article(s) queued for extraction again."
    if action == "requeue-extract-all":
        n = health.requeue_extraction(store, source_id=source_id,
                                      states=("failed", "done", "skipped"))
        return f"{n} article(s) queued for extraction again."
    if action == "requeue-cluster":
        n = health.requeue_clustering(store, source_id=source_id)
        return f"{n} article(s) queued for clustering again."
    if action == "reset-feed-errors":
        if source_id is None:
            raise OperationError("choose a source")
        n = health.reset_feed_errors(store, source_id)
        return f"{n} feed(s) will be fetched again."
    raise OperationError(f"unknown action {action!r}")
