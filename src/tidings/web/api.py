"""The JSON API (DESIGN.md): lists with limit/offset/total, single objects, one error shape."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tidings.errors import NotFoundError
from tidings.web import params
from tidings.web.openapi import spec
from tidings.web.site import JSON, Site, api_error, dumps

Handler = Callable[[Request], Awaitable[Response]]


def object_id(request: Request, name: str) -> int:
    """A path id; ids beyond the database's integers cannot exist (404, not a crash)."""
    value = int(request.path_params[name])
    if value > params.MAX_ID:
        raise NotFoundError(f"no {name.removesuffix('_id')} with id {value}")
    return value


def json_view(site: Site, build: Callable[[Request], Callable[[datetime], Any]]) -> Handler:
    """A cached JSON endpoint: ``build`` checks the parameters and returns the data function."""

    async def handler(request: Request) -> Response:
        try:
            produce = build(request)
        except params.BadParam as exc:
            return api_error(400, str(exc))
        except NotFoundError as exc:
            return api_error(404, str(exc))
        try:
            response, _ = await site.cache.serve(
                request, lambda now: (dumps(produce(now)), "application/json"))
        except NotFoundError as exc:
            return api_error(404, str(exc))
        return response

    return handler


def routes(site: Site) -> list[BaseRoute]:
    data = site.data
    tz = site.settings.tz

    def latest(request: Request) -> Callable[[datetime], Any]:
        limit, offset = params.paging(request.query_params)
        source = params.integer(request.query_params, "source", None, low=1)
        return lambda now: data.latest(now, limit=limit, offset=offset, source_id=source)

    def articles(request: Request) -> Callable[[datetime], Any]:
        limit, offset = params.paging(request.query_params)
        q = params.text(request.query_params, "q")
        source = params.integer(request.query_params, "source", None, low=1)
        return lambda now: data.articles(now, limit=limit, offset=offset, q=q, source_id=source)

    def article(request: Request) -> Callable[[datetime], Any]:
        aid = object_id(request, "article_id")
        return lambda now: data.article(aid, now)["article"]

    def stories(request: Request) -> Callable[[datetime], Any]:
        limit, offset = params.paging(request.query_params)
        return lambda now: data.stories(now, limit=limit, offset=offset)

    def story(request: Request) -> Callable[[datetime], Any]:
        sid = object_id(request, "story_id")
        return lambda now: data.story(sid, now)["story"]

    def search(request: Request) -> Callable[[datetime], Any]:
        qp = request.query_params
        limit, offset = params.paging(qp)
        q = params.text(qp, "q")
        if not q:
            raise params.BadParam("q is required")
        source = params.integer(qp, "source", None, low=1)
        lang = params.language(qp)
        since, until = params.when(qp, "since", tz), params.when(qp, "until", tz, end=True)
        return lambda now: data.search(now, q, limit=limit, offset=offset, source_id=source,
                                       language=lang, since=since, until=until)

    def sources(request: Request) -> Callable[[datetime], Any]:
        return lambda now: data.sources()

    def source(request: Request) -> Callable[[datetime], Any]:
        sid = object_id(request, "source_id")
        limit, offset = params.paging(request.query_params)
        return lambda now: data.source(sid, now, limit=limit, offset=offset)

    def most_read(request: Request) -> Callable[[datetime], Any]:
        limit, _ = params.paging(request.query_params, max_limit=100)
        return lambda now: data.most_read(now, limit=limit)

    def trending(request: Request) -> Callable[[datetime], Any]:
        limit, _ = params.paging(request.query_params, max_limit=100)
        return lambda now: data.trending(now, limit=limit)

    async def openapi(request: Request) -> Response:
        return JSON(spec())

    async def not_found(request: Request) -> Response:
        parts = request.url.path.strip("/").split("/")
        if len(parts) == 3 and parts[1] in ("articles", "stories", "sources"):
            return api_error(400, f"{parts[1][:-1] if parts[1] != 'stories' else 'story'} id "
                                  f"must be an integer, got {parts[2][:40]!r}")
        return api_error(404, f"no API endpoint at {request.url.path}")

    def get(path: str, view: Callable[[Request], Callable[[datetime], Any]]) -> Route:
        return Route(path, json_view(site, view), methods=["GET", "HEAD"])

    return [
        get("/api/latest", latest),
        get("/api/articles", articles),
        get("/api/articles/{article_id:int}", article),
        get("/api/stories", stories),
        get("/api/stories/{story_id:int}", story),
        get("/api/search", search),
        get("/api/sources", sources),
        get("/api/sources/{source_id:int}", source),
        get("/api/most-read", most_read),
        get("/api/trending", trending),
        Route("/openapi.json", openapi, methods=["GET", "HEAD"]),
        Route("/api/{rest:path}", not_found, methods=["GET", "HEAD", "POST"]),
    ]
