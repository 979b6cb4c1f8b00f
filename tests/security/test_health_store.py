"""Feed health and stage-queue resets behind the admin area, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from tidings.models import Feed, Source
from tidings.store import Store, health
from tidings.store.schema import articles

NOW = datetime(2026, 2, 15, 12, 0, tzinfo=UTC)


def test_overview_detail_and_requeues(store: Store) -> None:
    ok = store.sources.add(Source(None, "Fine"), NOW)
    bad = store.sources.add(Source(None, "Broken"), NOW)
    paused = store.sources.add(Source(None, "Resting", paused=True), NOW)
    store.feeds.add(Feed(None, ok.id, "https://fine.example/rss"), NOW)
    feed = store.feeds.add(Feed(None, bad.id, "https://broken.example/rss"), NOW)
    store.feeds.update(feed.id, error_count=4, last_error="HTTP 502")
    with store.db.write() as conn:
        for i, state in enumerate(["failed", "failed", "done", "pending"]):
            conn.execute(articles.insert().values(
                source_id=bad.id, entry_key=str(i), title="t", published_at=NOW,
                fetched_at=NOW, extract_state=state, extract_error="x" if state == "failed"
                else None, cluster_state="done" if state != "pending" else "pending"))
    view = health.overview(store)
    status = {h.source.name: h.status for h in view.sources}
    assert status == {"Fine": "ok", "Broken": "failing", "Resting": "paused"}
    assert view.extract_queue == {"failed": 2, "done": 1, "pending": 1}
    detail = health.source_detail(store, bad.id)
    assert len(detail.recent_errors) == 2 and detail.health.articles == 4
    assert health.requeue_extraction(store, source_id=ok.id) == 0
    assert health.requeue_extraction(store, source_id=bad.id) == 2
    assert health.requeue_extraction(store, states=("done",)) == 1
    assert health.requeue_clustering(store) == 3
    assert health.reset_feed_errors(store, bad.id) == 1
    assert store.feeds.get(feed.id).error_count == 0
    assert paused.id is not None
