"""Log calls in fetching and the stages carry their facts as fields (feed id, URL, stage,
duration), so the JSON log format shows them without parsing messages."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from tidings import logs
from tidings.config import Settings
from tidings.importers.opml import import_opml
from tidings.ingest.pipeline import refresh
from tidings.store import Store
from tidings.worker import stages

FEED = ("<rss version='2.0'><channel><title>T</title><link>https://t.example/</link>"
        "<item><guid>1</guid><title>One</title><description>Text</description></item>"
        "</channel></rss>")


def _records(caplog: pytest.LogCaptureFixture, message: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == message]


def test_fetch_and_stage_logs_carry_fields(store: Store, settings: Settings, feed_server,  # type: ignore[no-untyped-def]
                                           caplog: pytest.LogCaptureFixture) -> None:
    good = feed_server.add("/good", FEED)
    bad = feed_server.add("/bad", "gone", status=404)
    outlines = f"<outline text='g' xmlUrl='{good}'/><outline text='b' xmlUrl='{bad}'/>"
    import_opml(store, f"<opml version='2.0'><body>{outlines}</body></opml>".encode(),
                now=datetime.now(UTC))
    with caplog.at_level(logging.DEBUG, logger="tidings"):
        refresh(store, settings)
        stages.run_stage("cluster", store, settings)

    (fetched,) = [r for r in _records(caplog, "fetched") if r.url == good]
    assert fetched.status == 200 and fetched.bytes > 0 and fetched.duration_s >= 0
    (refreshed,) = _records(caplog, "feed refreshed")
    assert refreshed.url == good and refreshed.new_articles == 1
    assert isinstance(refreshed.feed_id, int) and refreshed.duration_s >= 0
    (failed,) = _records(caplog, "feed failed")
    assert failed.url == bad and "HTTP 404" in failed.error and failed.error_count == 1
    (ran,) = [r for r in _records(caplog, "stage ran") if r.stage == "cluster"]
    assert ran.items == 0 and ran.duration_s >= 0  # the article still waits for extraction

    line = json.loads(logs.JsonFormatter().format(refreshed))
    assert {"feed_id", "url", "duration_s", "new_articles"} <= set(line)
    assert line["message"] == "feed refreshed"
