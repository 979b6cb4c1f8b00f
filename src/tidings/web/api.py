"""The JSON API (DESIGN.md): each declared view with an ``api_path``, cached, one error shape."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route

from tidings.errors import BadParam, NotFoundError
from tidings.web import params
from tidings.web.openapi import spec
from tidings.web.responses import JSON, api_error, dumps
from tidings.web.site import Site
from tidings.web.views import VIEWS, View

ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
Handler = Callable[[Request], Awaitable[Response]]


def api_handler(site: Site, view: View) -> Handler:
    """The JSON answer of ``view``: its checked parameters, its data's API share, cached."""
    tz = site.settings.tz
    share = view.api

    async def handler(request: Request) -> Response:
        try:
            args = params.parse(view.params, request, tz)
        except BadParam as exc:
            return api_error(400, str(exc))
        except NotFoundError as exc:
            return api_error(404, str(exc))

        def render(now: datetime) -> tuple[bytes, str]:
            return dumps(share(view.data(site.data, args, now))), JSON.media_type

        try:
            response, _ = await site.cache.serve(request, render)
        except NotFoundError as exc:
            return api_error(404, str(exc))
        return response

    return handler


def routes(site: Site) -> list[BaseRoute]:
    document = dumps(spec())

    async def openapi(request: Request) -> Response:
        return Response(document, media_type=JSON.media_type)

    async def not_found(request: Request) -> Response:
        for route in mounted:  # a known path asked with another method: 405, with Allow
            if route.matches(request.scope)[0] is Match.PARTIAL:
                return api_error(405, "Method Not Allowed", {"Allow": "GET, HEAD"})
        parts = request.url.path.strip("/").split("/")
        if len(parts) == 3 and parts[1] in ("articles", "stories", "sources"):
            return api_error(400, f"{parts[1][:-1] if parts[1] != 'stories' else 'story'} id "
                                  f"must be an integer, got {parts[2][:40]!r}")
        return api_error(404, f"no API endpoint at {request.url.path}")

    mounted = [Route(view.api_path, api_handler(site, view), methods=["GET", "HEAD"])
               for view in VIEWS if view.api_path is not None]
    return [
        *mounted,
        Route("/openapi.json", openapi, methods=["GET", "HEAD"]),
        Route("/api/{rest:path}", not_found, methods=ANY_METHOD),  # the API answers in JSON
    ]
