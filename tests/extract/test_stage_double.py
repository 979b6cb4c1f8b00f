"""The full-text stage against an in-memory queue: it needs only ``store.extraction``
(``tidings.store.extraction.ExtractionStore``), so its decisions can be checked without a
database, and a batch is written back in one call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tidings.config import Settings
from tidings.extract.stage import run_pending
from tidings.store.extraction import ID, ExtractionStore

PAGES = Path(__file__).parents[1] / "data" / "pages"
LONG = ("The regional council met on Tuesday to discuss the new harbour budget. " * 10).strip()


class MemoryQueue:
    """Pending rows by id; ``save`` applies changes to rows still pending, as the store does."""

    def __init__(self, rows: list[dict[str, Any]]):
        self.rows = {row["id"]: {"extract_state": "pending", **row} for row in rows}
        self.saves: list[int] = []

    def _waiting(self) -> list[dict[str, Any]]:
        return [r for _, r in sorted(self.rows.items()) if r["extract_state"] == "pending"]

    def pending_count(self) -> int:
        return len(self._waiting())

    def pending(self, limit: int) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k != "extract_state"}
                for r in self._waiting()[:limit]]

    def save(self, changes: Any) -> None:
        self.saves.append(len(changes))
        for change in changes:
            row = self.rows[change[ID]]
            if row["extract_state"] == "pending":
                row.update({k: v for k, v in change.items() if k != ID})


class MemoryStore:
    def __init__(self, queue: MemoryQueue):
        self.extraction = queue


def _row(article_id: int, mode: str, url: str | None, text: str, **extra: Any) -> dict[str, Any]:
    return {"id": article_id, "url": url, "canonical_url": url, "title": "A title",
            "content_text": text, "content_html": f"<p>{text}</p>", "summary": None,
            "author": None, "image_url": None, "language": None, "site_name": None,
            "mode": mode, "source_language": None, **extra}


def test_the_stage_runs_on_a_memory_queue(settings: Settings, feed_server) -> None:  # type: ignore[no-untyped-def]
    page = feed_server.add("/news/harbour", (PAGES / "wire_story.html").read_bytes(),
                           content_type="text/html; charset=utf-8")
    queue = MemoryQueue([
        _row(1, "always", page, "Short teaser."),
        _row(2, "auto", feed_server.url("/gone"), "Short teaser."),
        _row(3, "never", feed_server.url("/not-fetched"),
             LONG + " Officials spoke, AFP reported."),
    ])
    store: ExtractionStore = MemoryStore(queue)

    assert run_pending(store, settings) == 3
    assert queue.saves == [3]  # one write for the whole batch, not one per article
    fetched, failed, kept = queue.rows[1], queue.rows[2], queue.rows[3]
    assert fetched["extract_state"] == "done" and "Dock workers" in fetched["content_text"]
    assert fetched["attribution"] == "Reuters" and fetched["language"] == "en"
    assert failed["extract_state"] == "failed" and "404" in failed["extract_error"]
    assert failed["content_text"] == "Short teaser."  # the feed's text stays
    assert kept["extract_state"] == "skipped" and kept["attribution"] == "AFP"
    assert feed_server.count("/not-fetched") == 0
    assert run_pending(store, settings) == 0 and queue.saves == [3]
