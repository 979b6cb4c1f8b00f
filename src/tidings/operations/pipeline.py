"""Pipeline actions from the admin area and the command line: run a stage now (by name,
through :mod:`tidings.worker.stages`), queue articles again, reset a source's feed errors."""

from __future__ import annotations

from tidings.config import Settings
from tidings.errors import OperationError
from tidings.models import ExtractState, ProgressFn
from tidings.store import Store, health
from tidings.worker import stages

PIPELINE_ACTIONS = ("run-extract", "run-cluster", "run-index", "requeue-extract",
                    "requeue-extract-all", "requeue-cluster", "reset-feed-errors")


def run_stage(store: Store, settings: Settings, stage: str, *,
              limit: int | None = None, progress: ProgressFn | None = None) -> int | None:
    """Run one stage now, by name, over what is waiting (at most its ``run_limit``, so an
    admin request stays short); how many items it handled, or ``None`` when another process
    is already running it (that one works through the same queue; nobody waits for it)."""
    found = stages.get(stage)
    return stages.run_stage(found, store, settings, limit=limit or found.run_limit, wait=False,
                            progress=progress)


def _ran(label: str, done: int | None) -> str:
    if done is None:
        return f"{label} is already running elsewhere; it will handle the queue."
    return f"{label} handled {done} article(s)."


def pipeline_action(store: Store, settings: Settings, action: str, *,
                    source_id: int | None = None, progress: ProgressFn | None = None) -> str:
    """One named action from the admin area; returns a sentence saying what was done."""
    if action == "run-extract":
        return _ran("Extraction", run_stage(store, settings, "extract", progress=progress))
    if action == "run-cluster":
        return _ran("Clustering", run_stage(store, settings, "cluster"))
    if action == "run-index":
        return _ran("Search indexing", run_stage(store, settings, "index"))
    if action == "requeue-extract":
        n = health.requeue_extraction(store, source_id=source_id)
        return f"{n} failed article(s) queued for extraction again."
    if action == "requeue-extract-all":
        n = health.requeue_extraction(store, source_id=source_id,
                                      states=(ExtractState.FAILED, ExtractState.DONE,
                                              ExtractState.SKIPPED))
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
