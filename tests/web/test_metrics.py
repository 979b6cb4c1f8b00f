"""``GET /metrics``: only with the bearer token (even from loopback), the Prometheus text
format as prometheus_client's own parser reads it, and numbers that follow what happened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.types import ASGIApp

from fixtures_server import FixtureServer
from tidings.config import Settings
from tidings.ingest.pipeline import refresh
from tidings.models import ExtractState, Feed, NewArticle
from tidings.store import Store
from tidings.store.reads import Read
from tidings.web.app import create_app
from tidings.worker import stages

from .seeding import Seeded

TOKEN = "a-long-random-metrics-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RSS = ("<rss version='2.0'><channel><title>Loopback</title><link>https://loop.example/</link>"
       "<item><guid>m1</guid><title>Metrics one</title><description>One</description></item>"
       "<item><guid>m2</guid><title>Metrics two</title><description>Two</description></item>"
       "</channel></rss>")

Families = dict[str, Any]


def scrape(base: str) -> Families:
    answer = httpx2.get(base + "/metrics", headers=AUTH, timeout=10)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.headers["cache-control"] == "no-store"
    families = {f.name: f for f in text_string_to_metric_families(answer.text)}
    assert all(f.type != "unknown" for f in families.values())  # every one has a # TYPE
    return families


def value(families: Families, name: str, sample: str | None = None, **labels: str) -> float:
    family = families[name]
    wanted = sample or (name + "_total" if family.type == "counter" else name)
    found = [s.value for s in family.samples if s.name == wanted and all(
        s.labels.get(k) == v for k, v in labels.items())]
    assert len(found) == 1, (name, labels, family.samples)
    return float(found[0])


@pytest.fixture
def serve(web_settings: Settings, store: Store, seeded: Seeded,
          serve_app: Callable[[ASGIApp], int]) -> Callable[[str], str]:
    def start(token: str) -> str:
        app = create_app(web_settings.replace(metrics_token=token), store)
        return f"http://127.0.0.1:{serve_app(app)}"

    return start


def test_no_token_setting_means_no_metrics_even_from_loopback(serve: Callable[[str], str]
                                                               ) -> None:
    base = serve("")
    assert httpx2.get(base + "/metrics", timeout=5).status_code == 404
    assert httpx2.get(base + "/metrics", headers={"Authorization": "Bearer anything"}, timeout=5
                     ).status_code == 404


@pytest.mark.parametrize(("header", "status"), [
    (None, 401), ("Bearer", 401), (f"Basic {TOKEN}", 401), ("Bearer wrong", 403),
    (f"Bearer {TOKEN}x", 403), (f"Bearer {TOKEN[:-1]}", 403)])
def test_a_missing_or_wrong_token_is_refused(serve: Callable[[str], str], header: str | None,
                                             status: int) -> None:
    base = serve(TOKEN)
    answer = httpx2.get(base + "/metrics", timeout=5,
                       headers={} if header is None else {"Authorization": header})
    assert answer.status_code == status
    assert "tidings_" not in answer.text
    assert answer.headers["www-authenticate"].startswith("Bearer")


def test_the_numbers_follow_what_happened(serve: Callable[[str], str], web_settings: Settings,
                                          store: Store, seeded: Seeded) -> None:
    base = serve(TOKEN)
    before = scrape(base)
    assert value(before, "tidings_fetches", outcome="ok") == 0
    assert value(before, "tidings_pushes", outcome="received") == 0  # declared before any push
    assert value(before, "tidings_database_bytes") > 0

    # fetches by outcome and items stored: one good feed, one that fails; then a 304
    feeds = FixtureServer().start()
    try:
        good = feeds.add("/good.xml", RSS, content_type="application/rss+xml", etag='"v1"')
        bad = feeds.add("/gone.xml", "gone", status=410)
        source = seeded.sources["Daily Planet"]
        now = datetime.now(UTC)
        store.feeds.add(Feed(None, source, good), now)
        store.feeds.add(Feed(None, source, bad), now)
        first = refresh(store, web_settings)
        second = refresh(store, web_settings)
    finally:
        feeds.close()
    assert (first.new_articles, len(first.errors)) == (2, 1)
    assert (second.not_modified, len(second.errors)) == (1, 1)

    # reads counted (once per visitor per article per day) and a clustering batch
    day = seeded.now.date().isoformat()
    aid = seeded.articles["wire"]
    store.reads.record([Read(day, "v1", aid, seeded.now), Read(day, "v1", aid, seeded.now),
                        Read(day, "v2", aid, seeded.now)])
    row = NewArticle(source_id=source, entry_key="to-cluster", title="Cluster me",
                     published_at=seeded.now - timedelta(hours=1), fetched_at=seeded.now,
                     extract_state=ExtractState.DONE)
    store.articles.add_or_count_views([row])
    clustered = stages.run_stage("cluster", store, web_settings)

    # requests by route template, one of them a cache hit answered before routing
    for _ in range(2):
        assert httpx2.get(f"{base}/articles/{aid}", timeout=5).status_code == 200
    assert httpx2.get(base + "/articles/999999", timeout=5).status_code == 404

    after = scrape(base)
    assert value(after, "tidings_fetches", outcome="ok") == 1
    assert value(after, "tidings_fetches", outcome="error") == 2  # failed both times
    assert value(after, "tidings_fetches", outcome="not_modified") == 1
    assert value(after, "tidings_items_stored") == 3  # two fetched, one stored directly
    assert value(after, "tidings_reads_counted") == 2
    assert clustered is not None and clustered >= 1
    assert value(after, "tidings_clustered_articles") == clustered
    assert value(after, "tidings_cluster_seconds") > 0
    article = "/articles/{article_id:int}"
    assert value(after, "tidings_http_requests", route=article, method="GET",
                 status="200") == 2
    assert value(after, "tidings_http_requests", route=article, method="GET",
                 status="404") == 1
    assert value(after, "tidings_http_request_duration_seconds",
                 "tidings_http_request_duration_seconds_count", route=article) == 3
    assert after["tidings_http_request_duration_seconds"].type == "histogram"
    assert value(after, "tidings_page_cache_lookups", result="hit") >= 1
    # the fetched articles wait for extraction; nothing waits for clustering any more
    assert value(after, "tidings_queue_depth", stage="extract") >= 2
    assert value(after, "tidings_queue_oldest_seconds", stage="extract") >= 0
    assert value(after, "tidings_queue_depth", stage="cluster") == 0
    assert value(after, "tidings_queue_depth", stage="fetch") == 0  # both just checked
    # the three stored since the seed wait for the index stage; its run empties the queue
    assert value(after, "tidings_queue_depth", stage="index") == 3
    assert stages.run_stage("index", store, web_settings) == 3
    assert value(scrape(base), "tidings_queue_depth", stage="index") == 0
    assert after["process_cpu_seconds"].type == "counter"
