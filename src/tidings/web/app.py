"""The Starlette application: pages, API, feeds, static files, admin and security, wired once."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from tidings.config import Settings
from tidings.store import Store
from tidings.web import (
    admin,
    api,
    feeds,
    imageproxy,
    live,
    pages,
    reader,
    security,
    signin,
    sitemaps,
    websub,
)
from tidings.web.assets import StaticAssets
from tidings.web.fastpath import FastPath
from tidings.web.fever.routes import routes as fever_routes
from tidings.web.greader.routes import routes as greader_routes
from tidings.web.metrics import Metrics, RequestMetrics
from tidings.web.responses import JSON, api_error
from tidings.web.sessions import Gate
from tidings.web.site import STATIC, Site

log = logging.getLogger(__name__)


def create_app(settings: Settings, store: Store) -> Starlette:
    site = Site(settings, store)
    hub = live.EventHub(site)
    metrics = Metrics(settings.metrics_token, store, site.cache,
                      streams=lambda: len(hub.listeners), sent=lambda: hub.sent)

    async def healthz(request: Request) -> Response:
        try:
            site.cache.token()  # the store answers
        except Exception as exc:
            return api_error(503, f"store unavailable: {type(exc).__name__}")
        return JSON({"status": "ok", "pid": os.getpid(), "cache": site.cache.stats(),
                     "reads": {"pending": len(site.reads.pending),
                               "counted": site.reads.counted}},
                    headers={"cache-control": "no-store"})

    async def favicon(request: Request) -> Response:
        # browsers and crawlers ask for /favicon.ico whatever the page links to
        return RedirectResponse("/static/favicon.svg", status_code=301)

    route_list: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        *greader_routes(settings, store),  # before the API's catch-all for /api/…
        *fever_routes(settings, store),
        *live.routes(hub),
        *metrics.routes(),
        *api.routes(site),
        *feeds.routes(site),
        *pages.routes(site),
        *sitemaps.routes(site),
        Route("/favicon.ico", favicon, methods=["GET", "HEAD"]),
        *imageproxy.routes(settings),
        *websub.routes(site),
        Mount("/static", app=StaticAssets(STATIC), name="static"),
    ]
    gate = Gate(settings, store)
    route_list.extend([*signin.routes(gate, site), *admin.routes(gate),
                       *reader.routes(gate, site)])

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        # the exception's headers (a 405's Allow) reach the client on every path
        if request.url.path.startswith("/api/"):
            return api_error(exc.status_code, str(exc.detail), exc.headers)
        return pages.error_page(site, request, exc.status_code, str(exc.detail), exc.headers)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s", request.url.path, exc_info=exc)
        if request.url.path.startswith("/api/"):
            return api_error(500, "internal error")
        return pages.error_page(site, request, 500, "Something went wrong on our side.")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # everything loaded so far lives as long as the process: keep it out of the
        # collector's full passes, which otherwise show up as latency spikes under load
        gc.collect()
        gc.freeze()
        site.reads.start()
        hub.start()
        try:
            yield
        finally:
            await hub.stop()
            await site.reads.stop()

    app = Starlette(routes=route_list, lifespan=lifespan,
                    middleware=[Middleware(RequestMetrics, metrics=metrics, routes=route_list),
                                Middleware(FastPath, site=site)],
                    exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.site = site
    app.state.events = hub
    # the security layer is not optional: if it cannot be installed, the app does not start
    security.install(app, settings)
    return app

