"""``GET /metrics``: what tidings is doing, in the Prometheus text format, for operators only.

It answers only ``Authorization: Bearer <TIDINGS_METRICS_TOKEN>`` (compared in constant
time); without that setting the path does not exist (404), and a missing or wrong token is a
401 or 403, whatever address asks. Each app has its own ``CollectorRegistry``.

Two kinds of numbers, said so in their help text:

- **site-wide**, read from the store when scraped, so every process answers the same:
  fetches by outcome, items stored, pushes received and refused, reads counted, clustering
  time (``tidings.store.counters``), stage queue depths and the age of their oldest item
  (from the queue state columns), the database's size;
- **per process**: requests and their latency by route template, the page cache, open event
  streams, and the process itself (CPU, memory, open files). Scrape every web process (each
  port) to see them all.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings.store import Store
from tidings.store import counters as totals
from tidings.web.cache import PageCache
from tidings.web.security import EVENTS_PATH

METRICS_PATH = "/metrics"
#: request latency buckets, seconds (cached pages answer in well under a millisecond)
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
           10.0, 30.0)
#: remembered path → route template lookups (for cache hits answered before routing)
TEMPLATE_MEMORY = 4096
#: methods counted by name; any other is counted as "other" (labels must stay few)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})

#: site-wide totals: (metric, help, label name or None, {label value or "": counter name})
STORE_TOTALS: tuple[tuple[str, str, str | None, dict[str, str]], ...] = (
    ("tidings_fetches", "Feed fetches by outcome (site-wide)", "outcome",
     {"ok": totals.FETCH_OK, "not_modified": totals.FETCH_NOT_MODIFIED,
      "error": totals.FETCH_ERROR}),
    ("tidings_items_stored", "New articles stored (site-wide)", None,
     {"": totals.ITEMS_STORED}),
    ("tidings_pushes", "WebSub content distributions by outcome (site-wide)", "outcome",
     {"received": totals.PUSH_RECEIVED, "refused": totals.PUSH_REFUSED}),
    ("tidings_reads_counted", "Article reads counted, once per visitor per article per day "
     "(site-wide)", None, {"": totals.READS_COUNTED}),
    ("tidings_clustered_articles", "Articles assigned to stories (site-wide)", None,
     {"": totals.CLUSTERED_ARTICLES}),
    ("tidings_cluster_seconds", "Time spent assigning articles to stories (site-wide)", None,
     {"": totals.CLUSTER_SECONDS}),
)


class StoreCollector(Collector):
    """The site-wide numbers, read from the store at each scrape."""

    def __init__(self, store: Store, clock: Callable[[], datetime]):
        self.store = store
        self.clock = clock

    def collect(self) -> Iterable[Metric]:
        found = self.store.counters.all()
        for name, help_text, label, names in STORE_TOTALS:
            family = CounterMetricFamily(name, help_text, labels=[label] if label else None)
            for value, counter in names.items():
                family.add_metric([value] if label else [], found.get(counter, 0.0))
            yield family
        now = self.clock()
        depth = GaugeMetricFamily("tidings_queue_depth", "Work waiting per stage (site-wide)",
                                  labels=["stage"])
        age = GaugeMetricFamily("tidings_queue_oldest_seconds",
                                "How long the oldest waiting item of each stage has waited "
                                "(site-wide; 0 when none)", labels=["stage"])
        for stage, queue in self.store.stats.queues(now).items():
            depth.add_metric([stage], queue.depth)
            waited = 0.0 if queue.oldest is None else (now - queue.oldest).total_seconds()
            age.add_metric([stage], max(0.0, waited))
        yield depth
        yield age
        yield GaugeMetricFamily("tidings_database_bytes", "Size of the database on disk",
                                value=self.store.stats.database_bytes())


class ProcessCollectorOfSite(Collector):
    """Per-process numbers kept elsewhere: the page cache and the open event streams."""

    def __init__(self, cache: PageCache, streams: Callable[[], int], sent: Callable[[], int]):
        self.cache = cache
        self.streams = streams
        self.sent = sent

    def collect(self) -> Iterable[Metric]:
        lookups = CounterMetricFamily("tidings_page_cache_lookups",
                                      "Page cache lookups by result (this process)",
                                      labels=["result"])
        lookups.add_metric(["hit"], self.cache.hits)
        lookups.add_metric(["stale"], self.cache.stale)
        lookups.add_metric(["miss"], self.cache.misses)
        yield lookups
        yield GaugeMetricFamily("tidings_page_cache_hit_ratio",
                                "Share of lookups served from the cache (this process)",
                                value=float(self.cache.stats()["hit_rate"]))
        yield GaugeMetricFamily("tidings_event_streams", "Open /api/events streams "
                                "(this process)", value=self.streams())
        yield CounterMetricFamily("tidings_events_sent", "Live events handed to this "
                                  "process's streams", value=self.sent())


class Metrics:
    """One app's registry, its request instruments, and the ``/metrics`` route."""

    def __init__(self, token: str, store: Store, cache: PageCache, *,
                 streams: Callable[[], int], sent: Callable[[], int]):
        self.token = token.encode()
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("tidings_http_requests", "HTTP requests by route template, "
                                "method and status (this process)",
                                ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("tidings_http_request_duration_seconds",
                                 "Time to answer, by route template (this process; event "
                                 "streams left out)", ["route"], buckets=BUCKETS,
                                 registry=self.registry)
        self.registry.register(StoreCollector(store, cache.clock))
        self.registry.register(ProcessCollectorOfSite(cache, streams, sent))
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)

    def allowed(self, request: Request) -> int:
        """200 when the request carries the token; else the status to answer."""
        if not self.token:
            return 404
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given:
            return 401
        return 200 if hmac.compare_digest(given.strip().encode(), self.token) else 403

    def routes(self) -> list[BaseRoute]:
        async def metrics(request: Request) -> Response:
            status = self.allowed(request)
            if status == 404:
                return Response("Not found.\n", 404, media_type="text/plain")
            if status != 200:
                headers = {"www-authenticate": 'Bearer realm="metrics"',
                           "cache-control": "no-store"}
                text = "A bearer token is required.\n" if status == 401 else "Wrong token.\n"
                return Response(text, status, headers=headers, media_type="text/plain")
            body = await run_in_threadpool(generate_latest, self.registry)
            return Response(body, headers={"cache-control": "no-store",
                                           "content-type": CONTENT_TYPE_LATEST})

        return [Route(METRICS_PATH, metrics, methods=["GET"])]


class RequestMetrics:
    """ASGI middleware counting every request and timing it, by route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics, routes: Sequence[BaseRoute]):
        self.app = app
        self.metrics = metrics
        self.routes = routes
        self.templates: dict[str, str] = {}
        #: the labelled counter and histogram per (route, method, status): ``labels()`` is
        #: the dear part of counting, and the combinations are few
        self.children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            template = self.template(scope)
            method = scope["method"] if scope["method"] in METHODS else "other"
            key = (template, method, status)
            pair = self.children.get(key)
            if pair is None:
                pair = self.children[key] = (
                    self.metrics.requests.labels(template, method, str(status)),
                    self.metrics.latency.labels(template))
            pair[0].inc()
            if template != EVENTS_PATH:
                pair[1].observe(time.perf_counter() - started)

    def template(self, scope: Scope) -> str:
        """The route's path template (``/articles/{article_id:int}``), so labels stay few."""
        route = scope.get("route")
        if route is None:  # answered before routing (a cache hit): match it once, remember
            path = str(scope.get("path", ""))
            found = self.templates.get(path)
            if found is not None:
                return found
            route = next((r for r in self.routes if r.matches(scope)[0] is Match.FULL), None)
            found = _template_of(route)
            if len(self.templates) >= TEMPLATE_MEMORY:
                self.templates.clear()
            self.templates[path] = found
            return found
        return _template_of(route)


def _template_of(route: BaseRoute | None) -> str:
    if isinstance(route, Mount):
        return route.path + "/{path}"
    if isinstance(route, Route):
        return route.path
    return "unmatched"
